/**
 * Two ways of editing beyond typing: the fill handle copies a cell down as one bulk PATCH, and the
 * link picker searches the linked table and stores the chosen record's id.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, makeTable, mountGrid, tokenOf } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let token: string;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin, token } = await tokenOf("admin"));
});
afterAll(async () => {
  await browser?.close();
});

it("fills a value down with the fill handle in one bulk write", async () => {
  const t = await makeTable(admin, 20);
  const { page, context } = await newPage(browser);
  const patches: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PATCH") patches.push(r.postData() ?? "");
  });
  await mountGrid(page, { "base-url": "", token, view: t.viewId });
  const qty = 2;
  await cell(page, 2, qty).click();
  const handle = page.locator("sg-grid .ht_master .wtBorder.current.corner");
  await handle.waitFor();
  const from = (await handle.boundingBox())!;
  const to = (await cell(page, 6, qty).boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => patches.length, { timeout: 10_000 }).toBe(1);
  const sent = JSON.parse(patches[0]!) as { records: { id: number; fields: Record<string, unknown> }[] };
  expect(sent.records.map((r) => r.id)).toEqual(t.ids.slice(3, 7));
  expect(sent.records.every((r) => JSON.stringify(r.fields) === JSON.stringify({ qty: 2 }))).toBe(true);
  const stored = await admin.listRecords(t.table, { limit: 10 });
  expect(stored.records.slice(2, 7).map((r) => r.fields.qty)).toEqual([2, 2, 2, 2, 2]);
  expect(stored.records[7]!.fields.qty).toBe(7);
  for (let r = 3; r <= 6; r++) expect(await cell(page, r, qty).textContent()).toBe("2");
  await context.close();
});

it("picks a linked record by searching the linked table", async () => {
  const sfx = Math.random().toString(36).slice(2, 8);
  const companies = `companies_${sfx}`;
  const deals = `linked_${sfx}`;
  await admin.request("POST", "/api/meta/tables", { name: companies, fields: [{ name: "name", type: "text" }] });
  const made = await admin.createRecords(
    companies,
    ["Alpha Trading", "Beta Logistics", "Gamma Foods"].map((name) => ({ fields: { name } })),
  );
  const beta = made.records[1]!.id;
  await admin.request("POST", "/api/meta/tables", {
    name: deals,
    fields: [
      { name: "name", type: "text" },
      { name: "company", type: "link", options: { table: companies } },
    ],
  });
  const [deal] = (await admin.createRecords(deals, [{ fields: { name: "deal one" } }])).records;

  const { page, context } = await newPage(browser);
  await mountGrid(page, { "base-url": "", token, table: deals });
  await cell(page, 0, 1).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  const options = page.locator("sg-grid .sg-picker li");
  await expect.poll(() => options.count(), { timeout: 10_000 }).toBe(3);
  await page.keyboard.type("Beta");
  await expect.poll(() => options.allTextContents(), { timeout: 10_000 }).toEqual([`#${beta} Beta Logistics`]);
  await screenshot(page, "grid-link-picker");
  await options.first().click();
  await expect
    .poll(async () => (await admin.getRecord(deals, deal!.id)).record.fields.company, { timeout: 10_000 })
    .toEqual([beta]);
  await expect.poll(() => cell(page, 0, 1).textContent()).toMatch(new RegExp(`Beta Logistics|#${beta}`));
  await context.close();
});
