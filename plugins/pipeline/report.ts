/**
 * Time in stage and conversion between stages, from the stage history rows the caller may read
 * (their read grant's rows; 403 when a needed field is hidden from them), so the report never shows
 * more than the history table itself would.
 */
import {
  accessTo,
  and,
  cond,
  findRows,
  forbidden,
  invalid,
  requireOperation,
  type ActionContext,
  type FilterNode,
} from "../../worker/plugin-sdk";
import { loadPipelines } from "./deals";

const NEEDED = ["deal", "stage", "entered_at", "left_at", "seconds_in_stage", "pipeline"];

export async function stageReport(ctx: ActionContext, input: { pipeline?: number; since?: string }) {
  const h = ctx.table("deal_stage_history");
  const access = accessTo(ctx, h);
  requireOperation(access, "read");
  for (const k of NEEDED) if (!access.canRead(h.field(k))) throw forbidden(`read ${h.field(k).name} of ${h.meta.name}`);
  const pipelines = await loadPipelines(ctx);
  const p =
    input.pipeline !== undefined
      ? pipelines.find((x) => x.id === input.pipeline)
      : (pipelines.find((x) => x.isDefault && x.stages) ?? pipelines[0]);
  if (!p?.stages)
    throw invalid([
      {
        field: "pipeline",
        code: "not_found",
        message:
          input.pipeline !== undefined ? `No pipeline ${input.pipeline} with valid stages` : "No pipeline exists",
      },
    ]);
  const parts: FilterNode[] = [cond(h, "pipeline", "contains", p.id)];
  if (input.since) parts.push(cond(h, "entered_at", "gte", `${input.since}T00:00:00.000Z`));
  const rule = access.rowFilter("read");
  if (rule) parts.push(rule);
  const rows = await findRows(ctx, h, and(...parts), NEEDED);
  const order = new Map(p.stages.map((s, i) => [s.name, i]));
  const byDeal = new Map<number, { stage: string; at: string }[]>();
  for (const r of rows) {
    const deal = (r.values.deal as number[])[0];
    if (deal === undefined) continue;
    const list = byDeal.get(deal) ?? [];
    list.push({ stage: r.values.stage as string, at: r.values.entered_at as string });
    byDeal.set(deal, list);
  }
  const stages = p.stages.map((s, idx) => {
    const mine = rows.filter((r) => r.values.stage === s.name);
    const closed = mine.filter((r) => typeof r.values.seconds_in_stage === "number");
    const entered = new Set(mine.map((r) => (r.values.deal as number[])[0]).filter((d) => d !== undefined));
    // A deal converted from this stage when it later entered a stage further along that is not lost.
    const advanced = [...entered].filter((d) => {
      const visits = byDeal.get(d!)!.sort((x, y) => x.at.localeCompare(y.at));
      const at = visits.find((v) => v.stage === s.name)!.at;
      return visits.some(
        (v) => v.at > at && (order.get(v.stage) ?? -1) > idx && p.stages![order.get(v.stage)!]!.kind !== "lost",
      );
    }).length;
    const total = closed.reduce((n, r) => n + (r.values.seconds_in_stage as number), 0);
    return {
      stage: s.name,
      labels: s.labels ?? {},
      kind: s.kind,
      entered: entered.size,
      open: mine.filter((r) => r.values.left_at === null).length,
      averageSecondsInStage: closed.length ? Math.round(total / closed.length) : null,
      advanced,
      conversionBasisPoints: entered.size && s.kind === "open" ? Math.round((advanced * 10000) / entered.size) : null,
    };
  });
  return { pipeline: { id: p.id, name: p.name }, deals: byDeal.size, stages };
}
