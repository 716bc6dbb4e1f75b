/**
 * The board as a rep meets it at 1280x800 and 1920x1080, in en and zh-CN: every column is reachable
 * (the board fits the window, so its horizontal scroll bar is on screen, and a strip of the columns
 * brings any of them into view, by pointer or keyboard); the toolbar separates the open deals' totals
 * from the won and the lost ones (stage kinds from the pipelines' stage lists), and swimlanes show
 * their own totals, each as the server's aggregate reports them. Screenshots kanban-<width>-<locale>.png.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, header, newDeal } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Stage names by kind, from every pipeline's stage list the caller may read. */
async function stagesByKind(api: ApiClient): Promise<Record<"open" | "won" | "lost", string[]>> {
  const { records } = await api.listRecords("pipelines", { limit: 100 });
  const out = { open: new Set<string>(), won: new Set<string>(), lost: new Set<string>() };
  for (const r of records)
    for (const s of JSON.parse(String(r.fields.stages)) as { name: string; kind: "open" | "won" | "lost" }[])
      out[s.kind].add(s.name);
  return { open: [...out.open], won: [...out.won], lost: [...out.lost] };
}

/** Count and amount sum through the view, as the server computes them for this caller. */
async function viewTotals(api: ApiClient, viewId: string, body: Record<string, unknown>) {
  return api.request<{ groups: { key: Record<string, unknown>; values: { count: number; "sum:amount": unknown } }[] }>(
    "POST",
    `/api/meta/views/${viewId}/aggregate`,
    { measures: [{ op: "count" }, { op: "sum", field: "amount" }], ...body },
  );
}

/** Whether an element of the board lies wholly inside the window. */
function inWindow(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.left >= 0 && r.right <= window.innerWidth && r.top >= 0 && r.bottom <= window.innerHeight;
  });
}

/** The data-col of the focused element, through the shadow roots. */
function focusedColumn(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute("data-col") ?? null;
  });
}

async function openBoard(locale: "en" | "zh-CN", width: number, height: number) {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage: "quote", amount: { amount: 120_000, currency: "CNY" } });
  const { page, context } = await newPage(browser, { locale });
  await page.setViewportSize({ width, height });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  await page.locator("sg-kanban .colhead .sum").first().waitFor();
  return { rep, view, deal, page, context };
}

for (const locale of ["en", "zh-CN"] as const)
  it(`at 1280x800 (${locale}) every column is reachable: the scroll bar is on screen, the column strip brings Won and Lost into view by pointer and keyboard`, async () => {
    const { page, context } = await openBoard(locale, 1280, 800);
    // The board is wider than the window: Lost starts off screen.
    expect(await inWindow(page, 'sg-kanban .colhead[data-col="lost"]')).toBe(false);
    const board = page.locator("sg-kanban .board");
    const box = await board.evaluate((el) => ({
      scrolls: el.scrollWidth > el.clientWidth,
      overflowX: getComputedStyle(el).overflowX,
      bottom: el.getBoundingClientRect().bottom,
    }));
    expect(box.scrolls).toBe(true);
    expect(["auto", "scroll"]).toContain(box.overflowX);
    // Its horizontal scroll bar runs along its bottom edge, which is inside the window.
    expect(box.bottom).toBeLessThanOrEqual(800);
    // A strip names every column, on screen, with the columns out of view marked as such.
    const strip = page.locator("sg-kanban [data-kanban-columns]");
    expect(await inWindow(page, "sg-kanban [data-kanban-columns]")).toBe(true);
    const { table } = await (await apiAs("rep")).table("deals");
    const stage = table.fields.find((f) => f.name === "stage")!;
    expect(await strip.locator("button").count()).toBeGreaterThanOrEqual(stage.options.choices!.length);
    expect(await strip.locator('button[data-col="lost"]').getAttribute("data-in-view")).toBe("false");
    await screenshot(page, `kanban-1280-${locale}`);

    // Pointer: Lost scrolls into view.
    await strip.locator('button[data-col="lost"]').click();
    await expect.poll(() => inWindow(page, 'sg-kanban .colhead[data-col="lost"]')).toBe(true);
    await expect.poll(() => strip.locator('button[data-col="lost"]').getAttribute("data-in-view")).toBe("true");
    // Keyboard: back to the first column, then Tab to the strip's Won button and Enter.
    await strip.locator('button[data-col="first_contact"]').click();
    await expect.poll(() => inWindow(page, 'sg-kanban .colhead[data-col="won"]')).toBe(false);
    await strip.locator('button[data-col="negotiation"]').focus();
    await page.keyboard.press("ArrowRight");
    expect(await focusedColumn(page)).toBe("won");
    await page.keyboard.press("Enter");
    await expect.poll(() => inWindow(page, 'sg-kanban .colhead[data-col="won"]')).toBe(true);
    await context.close();
  });

for (const locale of ["en", "zh-CN"] as const)
  it(`at 1920x1080 (${locale}) the totals separate open from won and lost, and swimlanes show their own`, async () => {
    const { rep, view, page, context } = await openBoard(locale, 1920, 1080);
    const kinds = await stagesByKind(rep);
    const summary = page.locator("sg-kanban [data-kanban-summary]");
    for (const kind of ["open", "won", "lost"] as const) {
      const reply = await viewTotals(rep, view.id, {
        filter: { field: "stage", op: "in", value: kinds[kind] },
      });
      const expected = reply.groups[0]?.values ?? { count: 0, "sum:amount": [] };
      const shown = summary.locator(`[data-kind-total="${kind}"]`);
      await expect.poll(() => shown.getAttribute("data-count")).toBe(String(expected.count));
      expect(JSON.parse((await shown.getAttribute("data-sum")) ?? "null")).toEqual(expected["sum:amount"]);
    }
    const words = locale === "en" ? ["Open", "Won", "Lost"] : ["进行中", "赢单", "输单"];
    for (const w of words) expect(await summary.innerText()).toContain(w);
    await screenshot(page, `kanban-1920-${locale}`);

    // Swimlanes by owner: the rep's lane shows the rep's count and sum.
    const { user } = await rep.me();
    await page.locator("sg-kanban select[data-kanban-lanes]").selectOption("owner");
    const lanes = await viewTotals(rep, view.id, { groupBy: ["owner"] });
    const mine = lanes.groups.find((g) => g.key.owner === user.id)!.values;
    const laneTotal = page.locator(`sg-kanban .lanehead[data-lane="${user.id}"] [data-lane-total]`);
    await expect.poll(() => laneTotal.getAttribute("data-count")).toBe(String(mine.count));
    expect(JSON.parse((await laneTotal.getAttribute("data-sum")) ?? "null")).toEqual(mine["sum:amount"]);
    await header(page, "quote").locator(".sum").waitFor();
    await page.locator(`sg-kanban .cell[data-lane="${user.id}"] [data-kanban-card]`).first().waitFor();
    await screenshot(page, `kanban-1920-lanes-${locale}`);
    await context.close();
  });
