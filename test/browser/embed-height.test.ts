/**
 * An element embedded in a page that gives it no height has one of its own: 400 px by default, or
 * what its `height` attribute says; a height from the page's own style still wins.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, screenshot } from "./harness";
import { makeTable, tokenOf, waitForRows } from "./grid-fixture";
import { boardView } from "./kanban-fixture";

let browser: Browser;
let token = "";
let viewId = "";
let boardToken = "";
beforeAll(async () => {
  browser = await launchBrowser();
  const { api: admin } = await tokenOf("admin");
  const t = await makeTable(admin, 5);
  viewId = t.viewId;
  const minted = await admin.request<{ token: string }>("POST", "/api/admin/embed-tokens", {
    view: t.viewId,
    mode: "read",
    expiresInDays: 1,
    label: "embed height test",
  });
  token = minted.token;
  const board = await boardView(admin);
  boardToken = (
    await admin.request<{ token: string }>("POST", "/api/admin/embed-tokens", {
      view: board.id,
      mode: "read",
      expiresInDays: 1,
      label: "embed height board",
    })
  ).token;
});
afterAll(async () => {
  await browser?.close();
});

async function heights(page: Page, tag: string): Promise<number[]> {
  return page.locator(tag).evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
}

it("a grid without a styled height is 400 px tall, 250 px with height=250, and the page's style wins", async () => {
  const base = inject("baseUrl");
  const { page, context } = await newPage(browser);
  await page.goto(`${inject("secondOrigin")}/`);
  const grid = (extra: string) =>
    `<div><sg-grid base-url="${base}" view="${viewId}" token="${token}" ${extra}></sg-grid></div>`;
  await page.setContent(
    `<h1>Intranet</h1><script type="module" src="${base}/embed.js"></script>` +
      grid("") +
      grid('height="250"') +
      grid('height="300" style="height: 180px"'),
  );
  await waitForRows(page);
  await expect.poll(() => heights(page, "sg-grid"), { timeout: 15_000 }).toEqual([400, 250, 180]);
  await screenshot(page, "embed-height-grid");
  await context.close();
});

it("a board without a styled height is 400 px tall, 250 px with height=250", async () => {
  const base = inject("baseUrl");
  const { page, context } = await newPage(browser);
  await page.goto(`${inject("secondOrigin")}/`);
  await page.setContent(
    `<h1>Intranet</h1><script type="module" src="${base}/embed.js"></script>` +
      `<div><sg-kanban base-url="${base}" token="${boardToken}"></sg-kanban></div>` +
      `<div><sg-kanban base-url="${base}" token="${boardToken}" height="250"></sg-kanban></div>`,
  );
  await page.waitForFunction(() => customElements.get("sg-kanban"));
  await expect.poll(() => heights(page, "sg-kanban"), { timeout: 15_000 }).toEqual([400, 250]);
  await screenshot(page, "embed-height-kanban");
  await context.close();
});
