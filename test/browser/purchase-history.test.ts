/**
 * The customer's record drawer shows their purchase history (the sales plugin's purchase-history action,
 * read as the signed-in user): totals per year, the last order, open quotes and the orders newest first,
 * documents by number and statuses by label, in en and zh-CN; the warehouse clerk sees the orders but
 * no amount.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { uniq } from "./quote-fixture";

let browser: Browser;
let rep: ApiClient;
let customerId: number;
const numbers: string[] = [];
let quoteNumber = "";

async function order(date: string, amount: number) {
  const { record } = await rep.createRecord("orders", { customer: [customerId], order_date: date });
  await rep.request("POST", "/api/tables/order_lines/records", {
    fields: {
      order: [record.id],
      description: "Service",
      quantity: "1",
      unit_price: { amount, currency: "CNY" },
      tax_rate: 0,
    },
  });
  numbers.push(String(record.fields.number));
}

beforeAll(async () => {
  browser = await launchBrowser();
  rep = await apiAs("rep");
  customerId = (await rep.createRecord("customers", { name: uniq("购买记录客户 History") })).record.id;
  await order("2025-06-01", 12_345);
  await order("2026-02-03", 100_000);
  const { record: q } = await rep.createRecord("quotes", { customer: [customerId] });
  quoteNumber = String(q.fields.number);
});
afterAll(async () => {
  await browser?.close();
});

const panel = (page: import("playwright-core").Page) => page.locator("sg-app sg-record sg-purchase-history");

it("a rep sees the customer's orders, totals per year, the last order and open quotes in the drawer (en)", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/t/customers/r/${customerId}`);
  await panel(page).locator("h3").waitFor();
  await expect.poll(() => panel(page).locator("h3").textContent(), { timeout: 15_000 }).toBe("Purchase history");
  const rows = panel(page).locator("table[data-list=orders] tbody tr");
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
  // Newest first, by number (never an id), status by its label.
  expect(await rows.nth(0).locator("td").nth(0).textContent()).toBe(numbers[1]);
  expect(await rows.nth(1).locator("td").nth(0).textContent()).toBe(numbers[0]);
  expect(await rows.nth(0).locator("td").nth(2).textContent()).toBe("Draft");
  expect(await rows.nth(0).locator("td").nth(3).textContent()).toMatch(/1,000\.00/);
  const years = panel(page).locator("table[data-list=years] tbody tr");
  expect(await years.count()).toBe(2);
  expect(await years.nth(0).textContent()).toMatch(/2026\s*1\s*.*1,000\.00/);
  expect(await years.nth(1).textContent()).toMatch(/2025\s*1\s*.*123\.45/);
  expect(await panel(page).locator("[data-last-order]").textContent()).toContain(numbers[1]);
  expect(await panel(page).locator("ul[data-list=quotes] li").first().textContent()).toContain(quoteNumber);
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, "purchase-history-en");
  await context.close();
});

it("speaks zh-CN", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/t/customers/r/${customerId}`);
  await expect.poll(() => panel(page).locator("h3").textContent(), { timeout: 15_000 }).toBe("购买记录");
  const rows = panel(page).locator("table[data-list=orders] tbody tr");
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
  expect(await rows.nth(0).locator("td").nth(2).textContent()).toBe("草稿");
  expect(await panel(page).locator("h4").first().textContent()).toBe("未结报价");
  expect(await panel(page).locator("[data-last-order]").textContent()).toContain("最近订单");
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, "purchase-history-zh-CN");
  await context.close();
});

it("the warehouse clerk sees the orders but no amount", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "warehouse");
  await page.goto(`${appUrl()}/#/t/customers/r/${customerId}`);
  await panel(page).locator("[data-amounts-hidden]").waitFor({ timeout: 15_000 });
  const rows = panel(page).locator("table[data-list=orders] tbody tr");
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
  expect(await rows.nth(0).locator("td").count()).toBe(3);
  const text = (await panel(page).textContent()) ?? "";
  expect(text).not.toMatch(/1,000\.00|123\.45|¥/);
  expect(await panel(page).locator("table[data-list=years]").count()).toBe(0);
  await context.close();
});
