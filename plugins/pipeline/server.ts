/**
 * The pipeline plugin's server side: hooks on deals (stages, probability, weighted amount, history)
 * and on pipelines (the stage list is valid; stages in use are not removed; new stage names become
 * choices of deals.stage so boards group by them), the starter pipeline, and the stage report.
 */
import {
  addChoicesEffect,
  and,
  cond,
  findRows,
  insertEffect,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type PluginServer,
} from "../../worker/plugin-sdk";
import { beforeDeals } from "./deals";
import { stageReport } from "./report";
import { parseStages, STANDARD_STAGES } from "./stages";

async function beforePipelines(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  const deals = ctx.table("deals");
  const problems: HookProblem[] = [];
  const names = new Map<string, { name: string; labels?: Record<string, string> }>();
  for (const rec of ctx.records) {
    if (ctx.op === "delete") {
      const used = await findRows(ctx, deals, cond(deals, "pipeline", "contains", rec.id), [], 1);
      if (used.length)
        problems.push({
          record: rec,
          field: "id",
          code: "in_use",
          message: `Pipeline ${rec.id} still has deals; move them to another pipeline first`,
        });
      continue;
    }
    if (ctx.op === "update" && !rec.written("stages")) continue;
    const { stages, errors } = parseStages(rec.after.stages, "stages");
    if (!stages) {
      for (const e of errors)
        problems.push({
          record: rec,
          field: "stages",
          code: e.code,
          message: e.field === "stages" ? e.message : `${e.field.slice("stages/".length)}: ${e.message}`,
        });
      continue;
    }
    if (ctx.op === "update") {
      const keep = stages.map((s) => s.name);
      const stranded = await findRows(
        ctx,
        deals,
        and(cond(deals, "pipeline", "contains", rec.id), cond(deals, "stage", "nin", keep)),
        ["stage"],
        1,
      );
      if (stranded.length)
        problems.push({
          record: rec,
          field: "stages",
          code: "stage_in_use",
          message: `Deals are still in stage ${String(stranded[0]!.values.stage)}; move them before removing it`,
        });
    }
    for (const s of stages)
      if (!names.has(s.name))
        names.set(s.name, { name: s.name, ...(s.labels ? { labels: s.labels as Record<string, string> } : {}) });
  }
  if (problems.length) return { problems };
  return { statements: addChoicesEffect(ctx, deals.field("stage"), [...names.values()]) };
}

const server: PluginServer = {
  hooks: {
    deals: { beforeWrite: beforeDeals },
    pipelines: { beforeWrite: beforePipelines },
  },
  async onInstall(rt) {
    const { statements } = await insertEffect(rt, rt.table("pipelines"), [
      {
        name: "标准销售流程 Standard",
        is_default: true,
        stages: JSON.stringify(STANDARD_STAGES),
        description: "初步接触 → 需求沟通 → 报价 → 谈判 → 赢单 / 输单",
      },
    ]);
    return statements;
  },
  actions: {
    "stage-report": {
      input: {
        type: "object",
        additionalProperties: false,
        properties: {
          pipeline: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          since: { type: "string", format: "date" },
        },
      },
      run: (ctx) => stageReport(ctx, ctx.input as { pipeline?: number; since?: string }),
    },
  },
};

export default server;
