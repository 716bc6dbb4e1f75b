/**
 * <sg-grid> embedded in an intranet page on another origin: embed.js loads the grid, which reads rows
 * and writes an edit through the embed API with an edit token; the page's styles and the grid's
 * stay apart (Shadow DOM both ways); once the admin revokes the token the grid is refused.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, makeTable, tokenOf, typeInto, waitForRows } from "./grid-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The intranet page's own markup: a hostile style for cells, and elements named like the grid's. */
const PAGE_PARTS = `
  <style>
    td, .handsontable td, .ht_master td { background-color: rgb(255, 0, 0) !important; font-size: 31px !important; }
  </style>
  <h1>Intranet</h1>
  <table class="handsontable htCore ht-theme-main"><tbody><tr><td id="page-td" class="htDimmed current sg-readonly">page cell</td></tr></tbody></table>
  <div class="ht-theme-main handsontable"><span id="page-chip" class="sg-chip">page chip</span><div id="page-hot" class="hot ht_master wtHolder">page block</div></div>`;

const STYLE_PROPS = [
  "background-color",
  "color",
  "font-size",
  "font-family",
  "padding-left",
  "border-top-width",
  "border-radius",
  "display",
  "position",
  "overflow",
  "line-height",
];

async function pageStyles(page: Page): Promise<Record<string, string>> {
  return page.evaluate((props) => {
    const out: Record<string, string> = {};
    for (const id of ["page-td", "page-chip", "page-hot"]) {
      const cs = getComputedStyle(document.getElementById(id)!);
      for (const p of props) out[`${id} ${p}`] = cs.getPropertyValue(p);
    }
    return out;
  }, STYLE_PROPS);
}

it("loads rows and saves an edit with an edit token, keeps styles apart, and is refused once revoked", async () => {
  const base = inject("baseUrl");
  const { api: admin } = await tokenOf("admin");
  const t = await makeTable(admin, 30);
  const minted = await admin.request<{ token: string; embed: { id: string } }>("POST", "/api/admin/embed-tokens", {
    view: t.viewId,
    mode: "edit",
    expiresInDays: 1,
    label: "grid embed test",
  });

  // The same page without Salesgrid, for the page's own styles.
  const plain = await newPage(browser);
  await plain.page.goto(`${inject("secondOrigin")}/`);
  await plain.page.setContent(PAGE_PARTS);
  const expected = await pageStyles(plain.page);
  await plain.context.close();

  const { page, context } = await newPage(browser);
  const calls: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(base)) calls.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${inject("secondOrigin")}/`);
  const markup =
    `${PAGE_PARTS}<script type="module" src="${base}/embed.js"></script>` +
    `<sg-grid base-url="${base}" view="${t.viewId}" token="${minted.token}" style="height: 500px"></sg-grid>`;
  await page.setContent(markup);
  await waitForRows(page);
  expect(new URL(page.url()).origin).toBe(inject("secondOrigin"));
  await expect.poll(() => page.locator("sg-grid .count").getAttribute("data-row-count")).toBe("30");
  expect(await cell(page, 3, 0).textContent()).toBe("row 3");
  // Only the embed API (and static files) are used.
  expect(calls.filter((c) => c.includes("/api/") && !c.includes("/api/embed/") && !c.endsWith("/api/config"))).toEqual(
    [],
  );

  // Styles: the page's rule for td does not reach the grid's cells; the grid's sheets do not reach the page.
  const gridTd = await cell(page, 3, 0).evaluate((td) => ({
    bg: getComputedStyle(td).backgroundColor,
    size: getComputedStyle(td).fontSize,
  }));
  expect(gridTd.bg).not.toBe("rgb(255, 0, 0)");
  expect(gridTd.size).not.toBe("31px");
  expect(await pageStyles(page)).toEqual(expected);

  // An edit goes through PATCH /api/embed/records and is stored.
  await typeInto(page, 3, 0, "edited in embed");
  await expect
    .poll(async () => (await admin.getRecord(t.table, t.ids[3]!)).record.fields.name, { timeout: 10_000 })
    .toBe("edited in embed");
  expect(calls).toContain("PATCH /api/embed/records");
  await screenshot(page, "grid-embed");

  // Revoked: the next write is refused in the grid (nothing stored), and a reload shows the refusal.
  await admin.request("DELETE", `/api/admin/embed-tokens/${minted.embed.id}`);
  await typeInto(page, 4, 0, "after revoke");
  await expect.poll(() => page.locator("sg-grid [data-notice]").textContent(), { timeout: 10_000 }).toMatch(/revoked/i);
  expect((await admin.getRecord(t.table, t.ids[4]!)).record.fields.name).toBe("row 4");
  await page.setContent(markup);
  const refusal = page.locator("sg-grid [role=alert]");
  await expect.poll(() => refusal.textContent(), { timeout: 15_000 }).toMatch(/revoked/i);
  expect(await page.locator("sg-grid .ht_master td").count()).toBe(0);
  await screenshot(page, "grid-embed-revoked");
  await context.close();
});
