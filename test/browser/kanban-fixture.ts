/**
 * Shared steps of the kanban browser tests: the pipeline board view, a fresh deal of the signed-in
 * user at the top of its column, the column totals as the API reports them, and a real mouse drag.
 */
import type { Locator, Page } from "playwright-core";
import type { ApiClient, ApiRecord, ViewInfo } from "../../web-components/api/client";

export interface ColumnTotals {
  count: number;
  sum: unknown;
}

export async function boardView(api: ApiClient): Promise<ViewInfo> {
  const { views } = await api.views("deals");
  const view = views.find((v) => v.name === "deals_board");
  if (!view) throw new Error(`No deals_board view among ${views.map((v) => v.name).join(", ")}`);
  return view;
}

/** A deal owned by the caller, expected to close long ago, so the board (sorted by expected close) shows it first. */
export async function newDeal(api: ApiClient, fields: Record<string, unknown>): Promise<ApiRecord> {
  const name = `Kanban test ${crypto.randomUUID().slice(0, 8)}`;
  const { record } = await api.createRecord("deals", { name, expected_close: "2000-01-01", ...fields });
  return record;
}

/** Counts and amount sums per stage through the view, as the server computes them for this caller. */
export async function columnTotals(api: ApiClient, viewId: string): Promise<Map<string | null, ColumnTotals>> {
  const reply = await api.request<{
    groups: { key: { stage: string | null }; values: { count: number; "sum:amount": unknown } }[];
  }>("POST", `/api/meta/views/${viewId}/aggregate`, {
    groupBy: ["stage"],
    measures: [{ op: "count" }, { op: "sum", field: "amount" }],
  });
  return new Map(reply.groups.map((g) => [g.key.stage, { count: g.values.count, sum: g.values["sum:amount"] }]));
}

/** The CNY sum of a column in minor units, exactly (BigInt), from the server's per-currency list. */
export function cny(sum: unknown): bigint {
  const m = (sum as { amount: number | string; currency: string }[] | undefined)?.find((x) => x.currency === "CNY");
  return m ? BigInt(m.amount) : 0n;
}

export const card = (page: Page, id: number): Locator => page.locator(`sg-kanban [data-card-id="${id}"]`);
export const cell = (page: Page, stage: string): Locator => page.locator(`sg-kanban .cell[data-col="${stage}"]`);
export const header = (page: Page, stage: string): Locator => page.locator(`sg-kanban .colhead[data-col="${stage}"]`);

/** What a column header shows: its count and the raw sum it was rendered from (once no move is pending). */
export async function shownTotals(page: Page, stage: string): Promise<ColumnTotals> {
  const h = header(page, stage);
  await h.locator(".sum:not(.stale)").waitFor();
  return {
    count: Number(await h.locator(".count").getAttribute("data-count")),
    sum: JSON.parse((await h.locator(".sum").getAttribute("data-sum")) ?? "null"),
  };
}

/** A real mouse drag: press on the card, move in steps onto the target, release. */
export async function dragTo(page: Page, from: Locator, to: Locator): Promise<void> {
  await from.scrollIntoViewIfNeeded();
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("drag: card or target not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + Math.min(20, a.height / 2));
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + 24, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + Math.min(60, b.height / 2), { steps: 12 });
  await page.mouse.up();
}
