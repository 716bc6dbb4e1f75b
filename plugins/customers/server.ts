/**
 * The customers plugin's server side. On every customer write the duplicate keys are derived and a
 * grade chosen by hand is locked against the grading rule; on create, likely duplicates refuse the
 * write (409 listing them) unless the create comes through the `create` action with
 * allowDuplicate. Actions: find-duplicates, create, merge, apply-grade-rule, overview; the grading
 * rule also runs daily.
 */
import {
  createRecordsAs,
  readRecord,
  requireAdmin,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type PluginServer,
} from "../../worker/plugin-sdk";
import { findMatches, keysOf, matchesWithin, type Keys } from "./duplicates";
import { applyGradeRule, regradeCustomer } from "./grade";
import { mergeCustomers, type MergeInput } from "./merge";
import { customerOverview } from "./overview";

const ID = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

async function beforeCustomers(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "delete") return {};
  const candidates: Keys[] = [];
  for (const rec of ctx.records) {
    const keys = keysOf(rec.after);
    for (const k of ["name_key", "phone_key", "email_key"] as const) {
      if (ctx.target.maybeField(k) && ((rec.after[k] ?? null) !== keys[k] || rec.written(k))) rec.set(k, keys[k]);
    }
    // A grade someone picks by hand stays until they hand it back to the rule (grade_locked: false).
    if (rec.written("grade") && !rec.written("grade_locked") && ctx.target.maybeField("grade_locked"))
      rec.set("grade_locked", rec.after.grade !== null);
    candidates.push(keys);
  }
  if (ctx.op !== "create" || ctx.options.allowDuplicate === true) return {};
  const stored = await findMatches(ctx, ctx.target, candidates);
  const within = matchesWithin(candidates);
  const found = ctx.records.filter((_, i) => stored.has(i) || within.has(i));
  if (found.length === 0) return {};
  const duplicates = found.map((r) => ({
    index: r.index,
    matches: stored.get(r.index) ?? [],
    ...(within.has(r.index) ? { sameRequest: within.get(r.index) } : {}),
  }));
  return {
    problems: found.map((r) => ({
      record: r,
      field: "name",
      code: "duplicate",
      message:
        "This looks like a customer that exists already (same name, phone or email); merge them, or create it anyway through POST /api/actions/customers/create with allowDuplicate: true",
      conflict: { duplicates },
    })),
  };
}

const server: PluginServer = {
  hooks: { customers: { beforeWrite: beforeCustomers } },
  actions: {
    "find-duplicates": {
      input: {
        type: "object",
        additionalProperties: false,
        minProperties: 1,
        properties: {
          name: { type: "string", maxLength: 200 },
          phone: { type: "string", maxLength: 40 },
          email: { type: "string", maxLength: 320 },
          id: ID,
        },
      },
      async run(ctx) {
        const t = ctx.table("customers");
        const input = ctx.input as { name?: string; phone?: string; email?: string; id?: number };
        let values: Record<string, unknown> = input;
        if (input.id !== undefined) values = (await readRecord(ctx, t, input.id)).fields;
        const matches = await findMatches(ctx, t, [keysOf(values)], new Set(input.id !== undefined ? [input.id] : []));
        return { duplicates: matches.get(0) ?? [] };
      },
    },
    create: {
      input: {
        type: "object",
        additionalProperties: false,
        properties: { fields: { type: "object" }, records: { type: "array" }, allowDuplicate: { type: "boolean" } },
      },
      async run(ctx) {
        const { allowDuplicate, ...body } = ctx.input as { allowDuplicate?: boolean };
        const t = ctx.table("customers");
        return createRecordsAs(ctx, t, body, { allowDuplicate: allowDuplicate === true });
      },
    },
    merge: {
      input: {
        type: "object",
        additionalProperties: false,
        required: ["keep", "merge"],
        properties: { keep: ID, merge: { type: "array", minItems: 1, maxItems: 50, items: ID }, version: ID },
      },
      run: (ctx) => mergeCustomers(ctx, ctx.input as unknown as MergeInput),
    },
    "apply-grade-rule": {
      input: { type: "object", additionalProperties: false, properties: {} },
      async run(ctx) {
        requireAdmin(ctx.principal, "apply the grading rule");
        return applyGradeRule(ctx, { evenIfDisabled: true });
      },
    },
    overview: {
      input: { type: "object", additionalProperties: false, required: ["id"], properties: { id: ID } },
      run: (ctx) => customerOverview(ctx, (ctx.input as { id: number }).id),
    },
  },
  jobs: {
    "grade-rule": { everyMinutes: 24 * 60, run: (rt) => applyGradeRule(rt) },
    // One customer after an order change (scheduled by the sales plugin: grade.ts regradeLaterEffect).
    regrade: { once: true, maxAttempts: 8, run: regradeCustomer },
  },
};

export default server;
