/**
 * Copying from <sg-grid> in real Chromium never hands a spreadsheet a formula: text cells that begin
 * with =, +, -, @, a tab or a carriage return reach the clipboard with a leading ' (OWASP's CSV
 * injection advice), cells stay whole (an embedded tab cannot start a new cell), numbers stay
 * numbers, the stored values do not change, and pasting our own copy back gives the same values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { launchBrowser, newPage } from "./harness";
import { cell, makeTable, mountGrid, tokenOf, type GridTable } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let token: string;
let t: GridTable;

/** Text values a spreadsheet would run, by row; the numbers beside them are negative on purpose. */
const NAMES = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "x\t=1+1", "\t+cmd", "'=already quoted"];

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin, token } = await tokenOf("admin"));
  t = await makeTable(admin, NAMES.length * 2);
  const { records } = await admin.listRecords(t.table, { limit: NAMES.length });
  await admin.updateRecords(
    t.table,
    records.map((r, i) => ({
      id: r.id,
      version: r.version,
      fields: { name: NAMES[i], amount: -1250 - i, qty: -12.5 - i },
    })),
  );
});
afterAll(async () => {
  await browser?.close();
});

describe("sg-grid copy for spreadsheets", () => {
  it("copies formula-like text neutralised and whole, numbers as numbers, and leaves the stored values alone", async () => {
    const { page, context } = await newPage(browser);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await mountGrid(page, { "base-url": "", token, view: t.viewId });
    await expect.poll(() => cell(page, 0, 0).textContent()).toBe(NAMES[0]);

    // Rows 0-5, columns name, amount, qty; then Ctrl+C as a user would.
    await cell(page, 0, 0).click();
    await cell(page, NAMES.length - 1, 2).click({ modifiers: ["Shift"] });
    // What the copy event carries once every listener has run (this one is added last).
    await page.evaluate(() =>
      window.addEventListener(
        "copy",
        (e) => ((window as unknown as { copiedTypes: string[] }).copiedTypes = [...(e.clipboardData?.types ?? [])]),
      ),
    );
    await page.keyboard.press("ControlOrMeta+c");
    // Only text for spreadsheets: not Handsontable's extra type with the raw stored values.
    expect(await page.evaluate(() => (window as unknown as { copiedTypes: string[] }).copiedTypes.sort())).toEqual([
      "text/html",
      "text/plain",
    ]);

    const plain = await page.evaluate(() => navigator.clipboard.readText());
    expect(plain.split(/\r?\n/)).toEqual([
      `'=HYPERLINK("http://x","y")\t-12.50\t-12.5`,
      `'@SUM(1)\t-12.51\t-13.5`,
      `'-2+3\t-12.52\t-14.5`,
      // Quoted, so the tab stays inside the cell and "=1+1" never becomes a cell of its own.
      `"x\t=1+1"\t-12.53\t-15.5`,
      `"'\t+cmd"\t-12.54\t-16.5`,
      // A value that already starts with ' before a trigger keeps it: the spreadsheet hides one.
      `''=already quoted\t-12.55\t-17.5`,
    ]);

    const html = await page.evaluate(async () => {
      const items = await navigator.clipboard.read();
      const item = items.find((i) => i.types.includes("text/html"));
      return item ? await (await item.getType("text/html")).text() : "";
    });
    // Chromium hands the HTML back re-serialised, with the tab inside a cell as a space.
    const cells = [...html.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) =>
      m[1]!
        .replace(/&#9;|\t/g, " ")
        .replace(/&amp;/g, "&")
        .replace(/&quot;/g, '"'),
    );
    expect(cells.filter((_, i) => i % 3 === 0)).toEqual([
      `'=HYPERLINK("http://x","y")`,
      `'@SUM(1)`,
      `'-2+3`,
      "x =1+1",
      "' +cmd",
      "''=already quoted",
    ]);
    expect(cells.filter((_, i) => i % 3 === 2)).toEqual(["-12.5", "-13.5", "-14.5", "-15.5", "-16.5", "-17.5"]);

    const stored = await admin.listRecords(t.table, { limit: NAMES.length });
    expect(stored.records.map((r) => r.fields.name)).toEqual(NAMES);

    // Our own copy pasted back (rows 6-11) gives the same values, not the quoted text.
    await cell(page, NAMES.length, 0).click();
    await page.keyboard.press("ControlOrMeta+v");
    await expect
      .poll(
        async () =>
          (await admin.listRecords(t.table, { limit: NAMES.length * 2 })).records
            .slice(NAMES.length)
            .map((r) => [r.fields.name, r.fields.qty]),
        { timeout: 15_000 },
      )
      .toEqual(NAMES.map((name, i) => [name, -12.5 - i]));
    await context.close();
  });

  it("cuts the same way: the clipboard gets the neutralised text, the cell is emptied", async () => {
    const { page, context } = await newPage(browser);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await mountGrid(page, { "base-url": "", token, view: t.viewId });
    await expect.poll(() => cell(page, 1, 0).textContent()).toBe(NAMES[1]);
    await cell(page, 1, 0).click();
    await page.keyboard.press("ControlOrMeta+x");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("'@SUM(1)");
    await expect
      .poll(async () => (await admin.getRecord(t.table, t.ids[1]!)).record.fields.name ?? null, { timeout: 10_000 })
      .toBeNull();
    await context.close();
  });
});
