/**
 * The grid never leaves a surprise on screen: an edit the server refuses puts the old value back with
 * the message beside the cell (announced, not toasted as well); a toast says one thing once and goes;
 * "Add row" opens a new row, or the record form when the table has required fields, never failing
 * with "Required"; deleting rows asks first, naming how many records (en and zh-CN).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, makeTable, mountGrid, tokenOf, typeInto } from "./grid-fixture";

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

const toasts = (page: Page) => page.locator("sg-grid [data-toast]");
const rowCount = async (page: Page) => Number(await page.locator("sg-grid .count").getAttribute("data-row-count"));

it("puts the old value back when the server refuses an edit, with the message beside the cell", async () => {
  const t = await makeTable(admin, 10);
  const rec = (await admin.getRecord(t.table, t.ids[4]!)).record;
  await admin.updateRecord(t.table, rec.id, rec.version, { email: "old@example.com" });
  const { page, context } = await newPage(browser);
  await mountGrid(page, { "base-url": "", token, view: t.viewId });
  await expect.poll(() => cell(page, 4, 3).textContent()).toBe("old@example.com");
  await typeInto(page, 4, 3, "not-an-email");
  const note = page.locator("sg-grid [data-cell-note]");
  await expect.poll(() => note.textContent(), { timeout: 10_000 }).toMatch(/email/i);
  expect(await note.getAttribute("role")).toBe("alert");
  // The old value is back (not the refused text), marked; the same message is not toasted as well.
  await expect.poll(() => cell(page, 4, 3).textContent()).toBe("old@example.com");
  expect(await cell(page, 4, 3).getAttribute("class")).toMatch(/sg-invalid/);
  expect(await toasts(page).count()).toBe(0);
  // An empty cell refused comes back empty.
  await typeInto(page, 5, 3, "still-not-an-email");
  await expect.poll(() => cell(page, 5, 3).getAttribute("class"), { timeout: 10_000 }).toMatch(/sg-invalid/);
  expect(await cell(page, 5, 3).textContent()).toBe("");
  await screenshot(page, "grid-refused-edit-en");
  expect((await admin.getRecord(t.table, t.ids[5]!)).record.fields.email ?? null).toBeNull();
  await context.close();
});

it("adds a row ready for typing, and says so once however often it is clicked", async () => {
  const t = await makeTable(admin, 3);
  const { page, context } = await newPage(browser);
  await mountGrid(page, { "base-url": "", token, table: t.table });
  const add = page.locator("sg-grid button[data-action=add-row]");
  await add.click();
  await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(4);
  await add.click();
  await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(5);
  // One "Row added", not two stacked.
  await expect.poll(() => toasts(page).locator("span").allTextContents()).toEqual(["Row added"]);
  // The new row's first cell is selected: typing goes into it.
  await page.keyboard.press("Enter");
  await page.keyboard.type("typed into the new row");
  await page.keyboard.press("Enter");
  await expect
    .poll(async () => (await admin.listRecords(t.table, { limit: 10 })).records.at(-1)?.fields.name, {
      timeout: 10_000,
    })
    .toBe("typed into the new row");
  // Toasts go away on their own.
  await expect.poll(() => toasts(page).count(), { timeout: 15_000 }).toBe(0);
  await context.close();
});

for (const locale of ["en", "zh-CN"] as const) {
  it(`opens the record form for a table with required fields instead of failing with "Required" (${locale})`, async () => {
    const table = `grid_req_${Math.random().toString(36).slice(2, 8)}`;
    await admin.request("POST", "/api/meta/tables", {
      name: table,
      fields: [
        { name: "name", type: "text", required: true },
        { name: "note", type: "text" },
      ],
    });
    await admin.createRecords(table, [{ fields: { name: "first" } }]);
    const { page, context } = await newPage(browser, { locale });
    const writes: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") writes.push(r.url());
    });
    await mountGrid(page, { "base-url": "", token, table });
    await page.locator("sg-grid button[data-action=add-row]").click();
    const form = page.locator("sg-grid dialog[data-dialog=new-record] sg-form");
    await form.locator("form").waitFor({ timeout: 10_000 });
    expect(writes).toEqual([]);
    expect(await toasts(page).count()).toBe(0);
    await screenshot(page, `grid-add-row-form-${locale}`);
    await form.locator("input[name=name], textarea[name=name]").first().fill("made in the form");
    await form.locator("button[type=submit]").click();
    await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(2);
    expect(await page.locator("sg-grid dialog[data-dialog=new-record]").count()).toBe(0);
    const shown = await page.locator("sg-grid").evaluate((g) => g.shadowRoot?.textContent ?? "");
    expect(shown).not.toMatch(/Required|必填/);
    expect((await admin.listRecords(table, { limit: 10 })).records.at(-1)?.fields.name).toBe("made in the form");
    await context.close();
  });

  it(`asks before deleting rows, naming how many records (${locale})`, async () => {
    const t = await makeTable(admin, 6);
    const { page, context } = await newPage(browser, { locale });
    const deletes: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "DELETE") deletes.push(r.url());
    });
    await mountGrid(page, { "base-url": "", token, table: t.table });
    await cell(page, 1, 0).click();
    await cell(page, 3, 0).click({ modifiers: ["Shift"] });
    await page.locator("sg-grid button[data-action=delete-rows]").click();
    const dialog = page.locator("sg-grid dialog[data-dialog=confirm-delete]");
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.textContent()).toContain(locale === "en" ? "Delete 3 records?" : "删除 3 条记录?");
    await screenshot(page, `grid-confirm-delete-${locale}`);
    // Cancel deletes nothing.
    await dialog.locator("button[data-action=cancel]").click();
    expect(await dialog.count()).toBe(0);
    expect(deletes).toEqual([]);
    expect((await admin.listRecords(t.table, { count: true, limit: 1 })).total).toBe(6);
    // Confirmed: those three go.
    await page.locator("sg-grid button[data-action=delete-rows]").click();
    await dialog.locator("button[data-action=confirm-delete]").click();
    await expect.poll(() => rowCount(page), { timeout: 10_000 }).toBe(3);
    const left = await admin.listRecords(t.table, { limit: 10 });
    expect(left.records.map((r) => r.id)).toEqual([t.ids[0], t.ids[4], t.ids[5]]);
    await context.close();
  });
}
