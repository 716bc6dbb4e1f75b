/**
 * A record saved in the app's drawer updates the grid under it in place: the row shows the new value
 * without the grid reading its rows again, and a following edit of that row in the grid is sent with
 * the saved version (no conflict).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { appUrl, launchBrowser, newPage, signIn } from "./harness";
import { cell, makeTable, tokenOf, typeInto, waitForRows, type GridTable } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let t: GridTable;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin } = await tokenOf("admin"));
  t = await makeTable(admin, 20);
});
afterAll(async () => {
  await browser?.close();
});

it("a row renamed in the drawer shows its new name in the grid at once, and then takes an edit in the grid", async () => {
  const id = t.ids[3]!;
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/v/${t.viewId}/r/${id}`);
  await waitForRows(page);
  const name = page.locator('sg-app sg-form [data-field="name"] input');
  await name.waitFor();
  expect(await cell(page, 3, 0).textContent()).toBe("row 3");

  const lists: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "GET" && /\/records\b/.test(r.url()) && !/\/records\/\d+/.test(r.url())) lists.push(r.url());
  });
  await name.fill("renamed in the drawer");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(() => cell(page, 3, 0).textContent()).toBe("renamed in the drawer");
  // In place: the grid did not read its rows again.
  expect(lists).toEqual([]);

  await page.locator("sg-app .drawer .close").click();
  await page.locator("sg-app [data-drawer]").waitFor({ state: "detached" });
  await typeInto(page, 3, 1, "7.50");
  await expect
    .poll(async () => (await admin.getRecord(t.table, id)).record.fields.amount, { timeout: 10_000 })
    .toEqual({ amount: 750, currency: "CNY" });
  const saved = (await admin.getRecord(t.table, id)).record;
  expect(saved.fields.name).toBe("renamed in the drawer");
  expect(await page.locator("sg-grid td.sg-conflict").count()).toBe(0);
  await context.close();
});
