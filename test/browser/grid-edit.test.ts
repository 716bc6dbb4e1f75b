/**
 * <sg-grid> in real Chromium against the running Worker: an edit persists across a reload; a 3x50
 * block pasted from the clipboard is one bulk PATCH changing 150 cells; a value the server refuses
 * (422) marks its cell with the server's message; a stale edit (409) shows the current value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, BrowserContext } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, makeTable, mountGrid, tokenOf, typeInto, waitForRows, type GridTable } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let token: string;
let t: GridTable;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin, token } = await tokenOf("admin"));
  t = await makeTable(admin);
});
afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<{ page: Page; context: BrowserContext }> {
  const { page, context } = await newPage(browser);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await mountGrid(page, { "base-url": "", token, view: t.viewId });
  return { page, context };
}

const record = async (id: number) => (await admin.getRecord(t.table, id)).record;

describe("sg-grid editing", () => {
  it("shows the row count and typed cells, and an edit persists after a reload", async () => {
    const { page, context } = await open();
    await expect.poll(() => page.locator("sg-grid .count").getAttribute("data-row-count")).toBe("80");
    await expect.poll(() => cell(page, 1, 1).textContent()).toMatch(/1\.00/); // amount 100 minor units
    await expect.poll(() => cell(page, 0, 4).locator(".sg-chip").textContent()).toBe("open");
    await typeInto(page, 2, 0, "renamed in grid");
    await expect.poll(async () => (await record(t.ids[2]!)).fields.name, { timeout: 10_000 }).toBe("renamed in grid");
    // A cell holding an object (an amount with its currency) takes typed text too.
    await typeInto(page, 2, 1, "12.34");
    await expect
      .poll(async () => (await record(t.ids[2]!)).fields.amount, { timeout: 10_000 })
      .toEqual({ amount: 1234, currency: "CNY" });
    await page.reload();
    await mountGrid(page, { "base-url": "", token, view: t.viewId });
    await expect.poll(() => cell(page, 2, 0).textContent()).toBe("renamed in grid");
    expect(await cell(page, 2, 1).textContent()).toMatch(/12\.34/);
    await context.close();
  });

  it("pastes a 3x50 block from the clipboard as one bulk request changing 150 cells", async () => {
    const { page, context } = await open();
    const patches: { url: string; body: string }[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH" && /\/records/.test(r.url())) patches.push({ url: r.url(), body: r.postData() ?? "" });
    });
    const block = Array.from({ length: 50 }, (_, i) => [`pasted ${i}`, `${i}.25`, String(1000 + i)].join("\t")).join(
      "\n",
    );
    await cell(page, 0, 0).click();
    await page.evaluate((text) => navigator.clipboard.writeText(text), block);
    await page.keyboard.press("ControlOrMeta+v");
    await expect.poll(() => patches.length, { timeout: 15_000 }).toBe(1);
    const sent = JSON.parse(patches[0]!.body) as { records: { id: number; fields: Record<string, unknown> }[] };
    expect(sent.records).toHaveLength(50);
    expect(sent.records.reduce((n, r) => n + Object.keys(r.fields).length, 0)).toBe(150);
    await expect
      .poll(
        async () =>
          (await admin.listRecords(t.table, { limit: 50 })).records.filter(
            (r, i) =>
              r.fields.name === `pasted ${i}` &&
              (r.fields.amount as { amount: number }).amount === i * 100 + 25 &&
              r.fields.qty === 1000 + i,
          ).length,
        { timeout: 10_000 },
      )
      .toBe(50);
    await page.waitForTimeout(300);
    expect(patches).toHaveLength(1);
    await screenshot(page, "grid-paste");
    await context.close();
  });

  it("marks a cell the server refuses with its message and writes nothing", async () => {
    const { page, context } = await open();
    const before = await record(t.ids[5]!);
    await typeInto(page, 5, 3, "not-an-email");
    const marked = cell(page, 5, 3);
    await expect.poll(() => marked.getAttribute("class"), { timeout: 10_000 }).toMatch(/sg-invalid/);
    expect(await marked.getAttribute("data-problem")).toMatch(/email|format/i);
    // The message sits beside the cell (announced), not in a toast as well.
    await expect.poll(() => page.locator("sg-grid [data-cell-note]").textContent()).toMatch(/email|format/i);
    expect((await record(t.ids[5]!)).version).toBe(before.version);
    // Text that is no number never leaves the browser.
    await typeInto(page, 6, 2, "twelve");
    await expect.poll(() => cell(page, 6, 2).getAttribute("class")).toMatch(/sg-invalid/);
    await context.close();
  });

  it("shows the current value when someone else changed the record meanwhile (409)", async () => {
    const { page, context } = await open();
    const id = t.ids[7]!;
    const current = await record(id);
    await admin.updateRecord(t.table, id, current.version, { name: "changed elsewhere" });
    await typeInto(page, 7, 0, "my stale edit");
    const c = cell(page, 7, 0);
    await expect.poll(() => c.getAttribute("class"), { timeout: 10_000 }).toMatch(/sg-conflict/);
    await expect.poll(() => c.textContent()).toBe("changed elsewhere");
    expect(await c.getAttribute("data-problem")).toContain("my stale edit");
    expect((await record(id)).fields.name).toBe("changed elsewhere");
    // Editing again from the current version goes through.
    await typeInto(page, 7, 0, "second try");
    await expect.poll(async () => (await record(id)).fields.name, { timeout: 10_000 }).toBe("second try");
    await context.close();
  });

  it("undoes and redoes the user's own edit, writing the old and then the new value back", async () => {
    const { page, context } = await open();
    const id = t.ids[9]!;
    const was = (await record(id)).fields.name;
    await typeInto(page, 9, 0, "to be undone");
    await expect.poll(async () => (await record(id)).fields.name, { timeout: 10_000 }).toBe("to be undone");
    await cell(page, 9, 0).click();
    // A second click within the double-click window opens the editor, where Ctrl+Z is the text's undo.
    await page.keyboard.press("Escape");
    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(async () => (await record(id)).fields.name, { timeout: 10_000 }).toBe(was);
    await expect.poll(() => cell(page, 9, 0).textContent()).toBe(was);
    await page.keyboard.press("ControlOrMeta+y");
    await expect.poll(async () => (await record(id)).fields.name, { timeout: 10_000 }).toBe("to be undone");
    await expect.poll(() => cell(page, 9, 0).textContent()).toBe("to be undone");
    await waitForRows(page);
    await context.close();
  });
});
