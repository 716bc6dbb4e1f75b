/**
 * Sort (header clicks), filter (the filter panel), search and the row count run on the server: after
 * each step the grid shows exactly the rows, in the order, and the count that the records API gives
 * for the same query.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient, ListOptions } from "../../web-components/api/client";
import { launchBrowser, newPage, screenshot } from "./harness";
import { makeTable, mountGrid, tokenOf, type GridTable } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let token: string;
let t: GridTable;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin, token } = await tokenOf("admin"));
  t = await makeTable(admin, 60);
});
afterAll(async () => {
  await browser?.close();
});

/** Names in the grid's rows, top to bottom (the table is short enough to be rendered whole). */
async function shownNames(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rows = document.querySelector("sg-grid")!.shadowRoot!.querySelectorAll(".ht_master tbody tr");
    return [...rows].map((tr) => tr.querySelector("td")?.textContent ?? "");
  });
}

async function expectSameAsApi(page: Page, opts: ListOptions): Promise<number> {
  const reply = await admin.viewRecords(t.viewId, { ...opts, count: true, limit: 100 });
  const want = reply.records.map((r) => String(r.fields.name));
  await expect
    .poll(() => page.locator("sg-grid .count").getAttribute("data-row-count"), { timeout: 10_000 })
    .toBe(String(reply.total));
  await expect.poll(() => shownNames(page), { timeout: 10_000 }).toEqual(want);
  return reply.total!;
}

it("sorts, filters and searches on the server and counts what the API counts", async () => {
  const { page, context } = await newPage(browser, { locale: "en" });
  await mountGrid(page, { "base-url": "", token, view: t.viewId });
  await page.locator("sg-grid").evaluate((el) => (el.style.height = "2400px"));
  expect(await expectSameAsApi(page, {})).toBe(60);
  // Every count the grid shows from here on, however briefly (a count made up while a query loads).
  await page.evaluate(() => {
    const count = document.querySelector("sg-grid")!.shadowRoot!.querySelector(".count")!;
    const seen: string[] = ((window as unknown as { shownCounts: string[] }).shownCounts = []);
    new MutationObserver(() => seen.push(count.getAttribute("data-row-count") ?? "")).observe(count, {
      attributes: true,
    });
  });

  // Sort by qty: first click ascending, second descending.
  const qtyHeader = page.locator("sg-grid .ht_clone_top thead th", { hasText: "qty" }).locator(".columnSorting");
  await qtyHeader.click();
  await expectSameAsApi(page, { sort: ["qty"] });
  await qtyHeader.click();
  await expectSameAsApi(page, { sort: ["-qty"] });

  // Filter stage = won in the filter panel.
  await page.locator("sg-grid button[data-action=filter]").click();
  const builder = page.locator("sg-grid sg-filter-builder");
  await builder.locator("[data-role=add-condition]").first().click();
  const cond = builder.locator("[data-role=condition]").first();
  await cond.locator("select[data-role=field]").selectOption("stage");
  await cond.locator("select[data-role=op]").selectOption("eq");
  await cond.locator("select[data-role=value]").selectOption("won");
  const filter = { field: "stage", op: "eq", value: "won" };
  expect(await expectSameAsApi(page, { sort: ["-qty"], filter })).toBe(30);

  // Search on top: "row 1" matches row 1 and rows 10-19; with won (odd rows) 6 remain.
  await page.locator("sg-grid input[name=q]").fill("row 1");
  expect(await expectSameAsApi(page, { sort: ["-qty"], filter, q: "row 1" })).toBe(6);
  expect(await shownNames(page)).toEqual(["row 19", "row 17", "row 15", "row 13", "row 11", "row 1"]);
  await screenshot(page, "grid-sort-filter-search");

  // Clearing the search keeps sort and filter.
  await page.locator("sg-grid input[name=q]").fill("");
  expect(await expectSameAsApi(page, { sort: ["-qty"], filter })).toBe(30);
  const shown = await page.evaluate(() => (window as unknown as { shownCounts: string[] }).shownCounts);
  expect(shown.filter((c) => c !== "" && Number(c) > 60)).toEqual([]); // never more rows than the table has
  await context.close();
});
