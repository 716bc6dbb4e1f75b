/**
 * Decimal fields in real Chromium: the grid shows the exact value with the field's places and a typed
 * "1,234.5" is saved as "1234.500"; the form saves typed decimals exactly and refuses more places
 * than the field has, in the UI's words, creating nothing; a formatted autonumber shows its text.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { cell, mountGrid, tokenOf, typeInto } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let token: string;
const table = `dec_${Math.random().toString(36).slice(2, 10)}`;
let viewId: string;
let ids: number[];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin, token } = await tokenOf("admin"));
  await admin.request("POST", "/api/meta/tables", {
    name: table,
    fields: [
      { name: "name", type: "text" },
      { name: "qty", type: "decimal", options: { scale: 3 } },
      { name: "no", type: "autonumber", options: { format: { prefix: "Q-", year: true, padding: 5 } } },
    ],
  });
  const created = await admin.createRecords(table, [
    { fields: { name: "a", qty: "0.1" } },
    { fields: { name: "b", qty: 0.2 } },
  ]);
  ids = created.records.map((r) => r.id);
  const { view } = await admin.request<{ view: { id: string } }>("POST", "/api/meta/views", {
    name: `v_${table}`,
    table,
    type: "grid",
    fields: ["name", "qty", "no"],
  });
  viewId = view.id;
});
afterAll(async () => {
  await browser?.close();
});

const field = (page: Page, name: string) => page.locator(`sg-app sg-form [data-field="${name}"]`);
const year = new Date().getUTCFullYear();

it("the grid shows exact decimals and a formatted number, and saves typed text exactly", async () => {
  const { page, context } = await newPage(browser);
  await mountGrid(page, { "base-url": "", token, view: viewId });
  await expect.poll(() => cell(page, 0, 1).textContent()).toBe("0.100");
  expect(await cell(page, 1, 1).textContent()).toBe("0.200");
  expect(await cell(page, 0, 2).textContent()).toBe(`Q-${year}-00001`);
  await typeInto(page, 1, 1, "1,234.5");
  await expect
    .poll(async () => (await admin.getRecord(table, ids[1]!)).record.fields.qty, { timeout: 10_000 })
    .toBe("1234.500");
  await screenshot(page, "decimal-grid");
  await context.close();
});

for (const [locale, expected] of [
  ["en", "Enter a number with at most 3 decimal places"],
  ["zh-CN", "请输入数字，最多 3 位小数"],
] as const) {
  it(`the form saves a typed decimal exactly and refuses a fourth place (${locale})`, async () => {
    const { page, context } = await newPage(browser, { locale });
    await context.addInitScript((l) => localStorage.setItem("salesgrid.locale", l), locale);
    await signIn(page, "admin");
    await page.goto(`${appUrl()}/#/t/${table}`);
    await page.locator('sg-app [data-action="new-record"]').click();
    await page.locator("sg-app sg-form form[data-form=record]").waitFor();
    const name = `form ${locale} ${Date.now().toString(36)}`;
    await field(page, "name").locator("input").fill(name);
    await field(page, "qty").locator("input").fill("1.2345");
    await page.locator("sg-app sg-form button[type=submit]").click();
    await field(page, "qty").locator(".error").waitFor();
    expect(await field(page, "qty").locator(".error").innerText()).toBe(expected);
    expect((await admin.listRecords(table, { q: name })).records).toHaveLength(0);
    await field(page, "qty").locator("input").fill("2.5");
    await page.locator("sg-app sg-form button[type=submit]").click();
    await expect
      .poll(async () => (await admin.listRecords(table, { q: name })).records.map((r) => r.fields.qty), {
        timeout: 10_000,
      })
      .toEqual(["2.500"]);
    await context.close();
  });
}
