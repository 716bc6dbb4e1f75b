/**
 * The deals hook: pipeline and stage defaults, probability per stage (unless written), close date on
 * won, loss reason required on lost, the weighted amount, and the stage history rows, all decided
 * before the batch and written in it. History rows are closed by version (updateEffect), and the
 * deal's own version guard makes a second concurrent move of the same deal fail whole, so a deal
 * never has two open history rows.
 */
import {
  and,
  cond,
  findRows,
  insertEffect,
  or,
  relativeDate,
  updateEffect,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type HookRecord,
  type Runtime,
  type Stmt,
} from "../../worker/plugin-sdk";
import { parseStages, weighted, type Stage } from "./stages";

export interface PipelineRow {
  id: number;
  name: string;
  isDefault: boolean;
  stages: Stage[] | null;
}

export async function loadPipelines(rt: Runtime): Promise<PipelineRow[]> {
  const t = rt.table("pipelines");
  const rows = await findRows(rt, t, null, ["name", "is_default", "stages"], 1000);
  return rows.map((r) => ({
    id: r.id,
    name: r.values.name as string,
    isDefault: r.values.is_default === true,
    stages: parseStages(r.values.stages, "stages").stages,
  }));
}

const first = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);
const empty = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");

function secondsBetween(from: unknown, to: string): number | null {
  const a = typeof from === "string" ? Date.parse(from) : NaN;
  return Number.isFinite(a) ? Math.max(0, Math.round((Date.parse(to) - a) / 1000)) : null;
}

export async function beforeDeals(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "delete") return {};
  const pipelines = await loadPipelines(ctx);
  const byId = new Map(pipelines.map((p) => [p.id, p]));
  const fallback = pipelines.find((p) => p.isDefault && p.stages) ?? pipelines.find((p) => p.stages);
  const problems: HookProblem[] = [];
  const moved: { rec: HookRecord; pipelineId: number; stage: Stage }[] = [];
  const problem = (record: HookRecord, field: string, code: string, message: string) =>
    problems.push({ record, field, code, message });
  for (const rec of ctx.records) {
    const a = rec.after;
    const b = rec.before;
    let pid = first(a.pipeline);
    if (pid === null) {
      if (!fallback) {
        problem(rec, "pipeline", "required", "No pipeline exists; an admin adds one to the pipelines table first");
        continue;
      }
      pid = fallback.id;
      rec.set("pipeline", [pid]);
    }
    const p = byId.get(pid);
    if (!p?.stages) {
      problem(rec, "pipeline", "invalid_pipeline", `Pipeline ${pid} has no valid stage list`);
      continue;
    }
    if (empty(a.stage)) rec.set("stage", p.stages[0]!.name);
    const stage = p.stages.find((s) => s.name === a.stage);
    if (!stage) {
      problem(
        rec,
        "stage",
        "stage_not_in_pipeline",
        `Stage ${String(a.stage)} is not a stage of pipeline ${p.name} (${p.stages.map((s) => s.name).join(", ")})`,
      );
      continue;
    }
    const stageChanged = !b || b.stage !== a.stage || first(b.pipeline) !== pid;
    if (stageChanged) {
      if (!rec.written("probability")) rec.set("probability", stage.probability);
      if (stage.kind === "won" && !rec.written("close_date"))
        rec.set("close_date", relativeDate(0, ctx.principal.timeZone || "UTC"));
      rec.set("stage_entered_at", ctx.at);
      moved.push({ rec, pipelineId: pid, stage });
    }
    if (stage.kind === "lost" && empty(a.loss_reason) && (stageChanged || rec.written("loss_reason"))) {
      problem(rec, "loss_reason", "required", "A lost deal needs a loss reason");
    }
    // The weighted amount follows amount and probability; it is never taken from the caller.
    // A currency value may be written as a bare amount in the field's own currency.
    const raw = a.amount as { amount: number; currency?: string } | number | null;
    const amount =
      typeof raw === "number"
        ? { amount: raw, currency: ctx.target.field("amount").options.currency ?? "CNY" }
        : raw && { amount: raw.amount, currency: raw.currency ?? ctx.target.field("amount").options.currency ?? "CNY" };
    const prob = a.probability as number | null;
    const w =
      amount && typeof prob === "number" ? { amount: weighted(amount.amount, prob), currency: amount.currency } : null;
    if (!b || JSON.stringify(w) !== JSON.stringify(b.weighted_amount ?? null) || rec.written("weighted_amount"))
      rec.set("weighted_amount", w);
  }
  if (problems.length) return { problems };
  return { statements: await historyStatements(ctx, moved) };
}

async function historyStatements(
  ctx: BeforeWriteContext,
  moved: { rec: HookRecord; pipelineId: number; stage: Stage }[],
): Promise<Stmt[]> {
  if (moved.length === 0) return [];
  const h = ctx.table("deal_stage_history");
  const stmts: Stmt[] = [];
  const updates = moved.filter((m) => m.rec.before);
  // Open rows of the moved deals, 40 deals per query (each condition binds one value).
  for (let i = 0; i < updates.length; i += 40) {
    const chunk = updates.slice(i, i + 40);
    const open = await findRows(
      ctx,
      h,
      and(or(...chunk.map((m) => cond(h, "deal", "contains", m.rec.id))), cond(h, "left_at", "is_empty")),
      ["entered_at"],
    );
    stmts.push(
      ...updateEffect(
        ctx,
        h,
        open.map((r) => ({
          id: r.id,
          version: r.version,
          before: r.values,
          set: { left_at: ctx.at, seconds_in_stage: secondsBetween(r.values.entered_at, ctx.at) },
        })),
      ),
    );
  }
  const inserted = await insertEffect(
    ctx,
    h,
    moved.map(({ rec, pipelineId, stage }) => ({
      deal: [rec.id],
      pipeline: [pipelineId],
      stage: stage.name,
      from_stage: (rec.before?.stage as string | null) ?? null,
      entered_at: ctx.at,
      owner: rec.after.owner ?? null,
      moved_by: ctx.principal.userId || null,
    })),
  );
  stmts.push(...inserted.statements);
  return stmts;
}
