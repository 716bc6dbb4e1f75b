/**
 * Issue 15's done-when, in the browser: a rep creates a quote for a customer from a deal (the deal
 * drawer's "New quote"), adds catalog products by SKU and by name, gives one a discount (the totals
 * shown are the server's), prints it (the A4 page renders, the PDF's text holds the Chinese product
 * names), marks it sent and accepted, converts it to an order, and sees the deal won and the order in
 * the customer's purchase history; a manager sees the team's quote and order on the boards.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { formatMoney } from "../../web-components/i18n/index";
import { apiAs, appUrl, launchBrowser, newPage, root, screenshot, signIn } from "./harness";
import { amount, chineseProducts, customerWithDeal, linesOf, setCompany } from "./quote-fixture";
import { pdfText } from "./pdf-text";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const COMPANY = "上海示例贸易有限公司";

it("a rep quotes a deal, prints, wins it as an order; the manager sees both", async () => {
  const rep = await apiAs("rep");
  const admin = await apiAs("admin");
  await setCompany(admin, COMPANY);
  const { customer, deal } = await customerWithDeal(rep);
  const [p1, p2] = await chineseProducts(rep, 2);

  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  // The deal's drawer offers a new quote for its customer.
  await page.goto(`${appUrl()}/#/t/deals/r/${deal.id}`);
  await page.locator("sg-app [data-new-quote]").click();
  await page.waitForURL(/#\/quotes\/\d+$/);
  const quoteId = Number(/#\/quotes\/(\d+)$/.exec(page.url())![1]);
  const doc = page.locator("sg-app sg-quote");
  await expect.poll(() => doc.locator("h1").textContent()).toMatch(/^Quote Q-\d{4}-\d{5}$/);
  expect(await doc.locator('[data-fact="customer"]').textContent()).toBe(customer.fields.name);
  expect(await doc.locator('[data-fact="deal"]').textContent()).toBe(deal.fields.name);

  // Add one product by its SKU (Enter) and one by a piece of its name (click).
  const search = doc.locator("sg-product-search input");
  await search.fill(p1!.sku);
  await doc.locator(`sg-product-search li[data-sku="${p1!.sku}"]`).waitFor();
  await search.press("Enter");
  await expect.poll(() => doc.locator("tr[data-line-id]").count(), { timeout: 10_000 }).toBe(1);
  await search.fill(p2!.name.slice(0, 4));
  await doc.locator(`sg-product-search li[data-sku="${p2!.sku}"]`).click();
  await expect.poll(() => doc.locator("tr[data-line-id]").count(), { timeout: 10_000 }).toBe(2);
  expect(await doc.locator('tr[data-line-id] td[data-col="product"]').allTextContents()).toEqual([p1!.name, p2!.name]);

  // A discount and a quantity on the first line: the totals shown are the server's after the change.
  const before = amount((await rep.getRecord("quotes", quoteId)).record.fields.total);
  const first = doc.locator("tr[data-line-id]").first();
  await first.locator("input[name=quantity]").fill("2.5");
  await first.locator("input[name=quantity]").press("Tab");
  await first.locator("input[name=discount]").fill("10");
  await first.locator("input[name=discount]").press("Tab");
  await expect
    .poll(async () => (await linesOf(rep, "quote", quoteId))[0]?.fields.discount, { timeout: 10_000 })
    .toBe(1000);
  const q = (await rep.getRecord("quotes", quoteId)).record;
  const lines = await linesOf(rep, "quote", quoteId);
  expect(lines[0]!.fields.quantity).toBe("2.500");
  expect(amount(q.fields.total)).not.toBe(before);
  expect(amount(q.fields.total)).toBe(lines.reduce((s, l) => s + amount(l.fields.line_total), 0));
  await expect
    .poll(() => doc.locator('[data-total="total"]').textContent(), { timeout: 10_000 })
    .toBe(formatMoney(amount(q.fields.total), "CNY"));
  await screenshot(page, "quote-flow-lines");

  // Print: the A4 page in Chinese, then Chromium's PDF of it.
  await doc.locator("[data-print]").click();
  await page.waitForURL(/#\/print\/quotes\/\d+/);
  await page.goto(`${appUrl()}/#/print/quotes/${quoteId}/zh-CN`);
  const sheet = page.locator("sg-app sg-print [data-sheet]");
  await sheet.waitFor();
  await expect.poll(() => sheet.locator("[data-print-line]").count()).toBe(2);
  expect(await sheet.locator("[data-company]").textContent()).toBe(COMPANY);
  expect(await sheet.locator("h1").textContent()).toBe("报价单");
  expect(await sheet.locator('[data-print-fact="customer"]').textContent()).toBe(customer.fields.name);
  await screenshot(page, "quote-flow-print-zh");
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  mkdirSync(path.join(root, "test-results"), { recursive: true });
  writeFileSync(path.join(root, "test-results", "quote-flow.pdf"), pdf);
  const { text } = pdfText(pdf);
  const flat = text.replace(/\s+/g, "");
  expect(flat).toContain(COMPANY);
  expect(flat).toContain(p1!.name.replace(/\s+/g, ""));
  expect(flat).toContain(p2!.name.replace(/\s+/g, ""));
  expect(flat).toContain(String(q.fields.number));
  expect(flat).toContain("合计");

  // Back to the document: sent, accepted, converted to an order.
  await page.goto(`${appUrl()}/#/quotes/${quoteId}`);
  await doc.locator('[data-doc-action="send"]').click();
  await doc.locator('[data-status="sent"]').waitFor({ timeout: 10_000 });
  await doc.locator('[data-doc-action="accept"]').click();
  await doc.locator('[data-status="accepted"]').waitFor({ timeout: 10_000 });
  await doc.locator('[data-doc-action="convert"]').click();
  await page.waitForURL(/#\/orders\/\d+$/, { timeout: 15_000 });
  const orderId = Number(/#\/orders\/(\d+)$/.exec(page.url())![1]);
  const orderDoc = page.locator("sg-app sg-quote");
  await expect.poll(() => orderDoc.locator("h1").textContent()).toMatch(/^Order SO-\d{4}-\d{5}$/);
  const order = (await rep.getRecord("orders", orderId)).record;
  expect(amount(order.fields.total)).toBe(amount(q.fields.total));
  expect(await orderDoc.locator('[data-total="total"]').textContent()).toBe(
    formatMoney(amount(order.fields.total), "CNY"),
  );
  await screenshot(page, "quote-flow-order");

  // The deal is won, as its drawer shows.
  expect((await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("won");
  await page.goto(`${appUrl()}/#/t/deals/r/${deal.id}`);
  const stage = page.locator('sg-app sg-form [data-field="stage"] select');
  await expect
    .poll(() => stage.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent?.trim()), {
      timeout: 10_000,
    })
    .toBe("Won");

  // The order on the customer's purchase history (the customer drawer's panel), and among its orders.
  await page.goto(`${appUrl()}/#/t/customers/r/${customer.id}`);
  const history = page.locator(`sg-app sg-purchase-history tr[data-order="${orderId}"]`);
  await history.waitFor({ timeout: 10_000 });
  expect(await history.textContent()).toContain(String(order.fields.number));
  await page
    .locator('sg-app sg-form [data-field="orders"]')
    .getByText(String(order.fields.number))
    .waitFor({ timeout: 10_000 });
  await screenshot(page, "quote-flow-customer");
  await context.close();

  // The manager finds the rep's quote and order on the team's boards.
  const m = await newPage(browser);
  await signIn(m.page, "manager");
  for (const [view, id, number] of [
    ["quotes_board", quoteId, q.fields.number],
    ["orders_board", orderId, order.fields.number],
  ] as const) {
    await m.page.goto(`${appUrl()}/#/v/${view}`);
    await m.page.locator("sg-kanban input[type=search]").fill(String(number));
    await m.page.locator(`sg-kanban [data-card-id="${id}"]`).waitFor({ timeout: 15_000 });
  }
  await screenshot(m.page, "quote-flow-manager-orders");
  await m.page.locator(`sg-kanban [data-card-id="${orderId}"]`).dblclick();
  await m.page.waitForURL(new RegExp(`#/orders/${orderId}$`));
  await expect
    .poll(() => m.page.locator("sg-app sg-quote h1").textContent())
    .toBe(`Order ${String(order.fields.number)}`);
  await m.context.close();
});
