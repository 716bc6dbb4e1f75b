/**
 * Grading by rule: each customer whose grade was not set by hand gets A/B/C/D from one metric over
 * the rule's window (won deal amount or count in the last N months, order revenue: the totals of the
 * orders not cancelled dated in the last N months, or annual revenue) against the admin's thresholds.
 * Money is summed as BigInt minor units in the rule's currency only. Customers change in batches of
 * 100, each guarded by version: a batch that races a user's edit is skipped and picked up by the next run.
 *
 * Order revenue stays right between nightly runs without slowing order writes: every order change
 * (sales' hooks and quote-to-order) adds `regradeLaterEffect` to its own batch, a one-off `regrade` job
 * per customer (one key per customer, so a burst of edits makes one job) that the next cron tick runs
 * from the committed orders. Regrading inside the order's batch instead would make every order write of
 * a customer race on that customer's version (concurrent line edits on two orders, or a customer edit,
 * would 409), and the window slides with the calendar anyway, which the nightly run covers.
 */
import {
  and,
  AppError,
  cond,
  findByIds,
  findRows,
  runEffects,
  shiftMonths,
  updateEffect,
  or,
  scheduleJobEffect,
  type JobContext,
  type Runtime,
  type Stmt,
} from "../../worker/plugin-sdk";
import { parseStages } from "../pipeline/stages";

export interface GradeRule {
  enabled: boolean;
  metric: "won_amount" | "won_count" | "annual_revenue" | "order_revenue";
  months: number;
  currency?: string;
  thresholds: { A: number; B: number; C: number };
}

export function gradeFor(value: bigint, t: GradeRule["thresholds"]): "A" | "B" | "C" | "D" {
  return value >= BigInt(t.A) ? "A" : value >= BigInt(t.B) ? "B" : value >= BigInt(t.C) ? "C" : "D";
}

/**
 * The first day of the window: `months` back from today (UTC), clamped to the month's end rather than rolled into the
 * next month.
 */
export function monthsAgo(months: number, now: Date): string {
  const r = shiftMonths(now.toISOString().slice(0, 10), -months);
  if (!r.ok)
    throw new AppError("validation_failed", r.message, [
      { field: "gradeRule/months", code: r.code, message: r.message, params: r.params },
    ]);
  return r.value;
}

async function wonByCustomer(rt: Runtime, rule: GradeRule, now: Date): Promise<Map<number, bigint>> {
  const deals = rt.maybeTable("pipeline/deals");
  const pipelines = rt.maybeTable("pipeline/pipelines");
  if (!deals || !pipelines) {
    throw new AppError(
      "conflict",
      `The grading metric ${rule.metric} counts won deals; install and enable the pipeline plugin, or grade by annual_revenue`,
      [{ field: "gradeRule/metric", code: "needs_plugin", message: "Needs the pipeline plugin" }],
    );
  }
  const won = new Map<number, Set<string>>();
  for (const p of await findRows(rt, pipelines, null, ["stages"], 1000)) {
    won.set(
      p.id,
      new Set((parseStages(p.values.stages, "stages").stages ?? []).filter((s) => s.kind === "won").map((s) => s.name)),
    );
  }
  const wonNames = [...new Set([...won.values()].flatMap((s) => [...s]))];
  const out = new Map<number, bigint>();
  if (wonNames.length === 0) return out;
  const rows = await findRows(
    rt,
    deals,
    and(cond(deals, "stage", "in", wonNames), cond(deals, "close_date", "gte", monthsAgo(rule.months, now))),
    ["customer", "amount", "stage", "pipeline"],
  );
  const currency = rule.currency ?? "CNY";
  for (const r of rows) {
    const pipeline = (r.values.pipeline as number[])[0];
    const customer = (r.values.customer as number[])[0];
    if (customer === undefined || pipeline === undefined || !won.get(pipeline)?.has(r.values.stage as string)) continue;
    const amount = r.values.amount as { amount: number; currency: string } | null;
    const add = rule.metric === "won_count" ? 1n : amount && amount.currency === currency ? BigInt(amount.amount) : 0n;
    out.set(customer, (out.get(customer) ?? 0n) + add);
  }
  return out;
}

/**
 * Order revenue per customer (all, or only `only`): the exact sum of the totals of the orders not
 * cancelled dated on or after the window's first day, in the rule's currency. Read as the system.
 */
async function ordersByCustomer(
  rt: Runtime,
  rule: GradeRule,
  now: Date,
  only?: number[],
): Promise<Map<number, bigint>> {
  const orders = rt.maybeTable("sales/orders");
  if (!orders) {
    throw new AppError(
      "conflict",
      "The grading metric order_revenue sums orders; install and enable the sales plugin, or grade by another metric",
      [{ field: "gradeRule/metric", code: "needs_plugin", message: "Needs the sales plugin" }],
    );
  }
  const since = cond(orders, "order_date", "gte", monthsAgo(rule.months, now));
  const live = cond(orders, "status", "neq", "cancelled");
  const filter = only
    ? and(since, live, or(...only.map((id) => cond(orders, "customer", "contains", id))))
    : and(since, live);
  const currency = rule.currency ?? "CNY";
  const out = new Map<number, bigint>();
  for (const r of await findRows(rt, orders, filter, ["customer", "total"])) {
    const customer = (r.values.customer as number[] | null)?.[0];
    const total = r.values.total as { amount: number; currency: string } | null;
    if (customer === undefined || !total || total.currency !== currency) continue;
    out.set(customer, (out.get(customer) ?? 0n) + BigInt(total.amount));
  }
  return out;
}

async function metricValues(
  rt: Runtime,
  rule: GradeRule,
  now: Date,
  customers: { id: number; values: Record<string, unknown> }[],
  only?: number[],
): Promise<Map<number, bigint>> {
  if (rule.metric === "order_revenue") return ordersByCustomer(rt, rule, now, only);
  if (rule.metric !== "annual_revenue") return wonByCustomer(rt, rule, now);
  return new Map(
    customers.map((r) => {
      const m = r.values.annual_revenue as { amount: number; currency: string } | null;
      return [r.id, m && m.currency === (rule.currency ?? "CNY") ? BigInt(m.amount) : 0n];
    }),
  );
}

/**
 * Statements for an order write's batch (used by the sales plugin): regrade these customers at the next
 * cron tick, as the customers plugin's one-off `regrade` job, one per customer. The job is this plugin's
 * whoever's write schedules it, so it reads this plugin's rule.
 */
export function regradeLaterEffect(rt: Runtime, customers: Iterable<number>): Stmt[] {
  const as: Runtime = { ...rt, plugin: "customers" };
  return [...new Set(customers)].flatMap((id) =>
    scheduleJobEffect(as, { job: "regrade", at: rt.at, payload: { customer: id }, key: `customer-${id}` }),
  );
}

/**
 * The `regrade` job: one customer's grade from the rule now, when the rule is on and by order revenue
 * (other metrics do not move with orders). A write racing it (409) fails the attempt, which is retried.
 */
export async function regradeCustomer(ctx: JobContext) {
  const id = ctx.payload.customer;
  const rule = (await ctx.settings()).gradeRule as GradeRule | undefined;
  if (typeof id !== "number" || !rule?.enabled || rule.metric !== "order_revenue") return { changed: 0 };
  const c = ctx.table("customers");
  const [row] = await findByIds(ctx, c, [id], ["grade", "grade_locked"]);
  if (!row || row.values.grade_locked === true) return { changed: 0 };
  const grade = gradeFor((await ordersByCustomer(ctx, rule, new Date(), [id])).get(id) ?? 0n, rule.thresholds);
  if (row.values.grade === grade) return { changed: 0, grade };
  await runEffects(ctx.db, updateEffect(ctx, c, [{ id, version: row.version, before: row.values, set: { grade } }]));
  return { changed: 1, grade };
}

export async function applyGradeRule(rt: Runtime, opts: { evenIfDisabled?: boolean; now?: Date } = {}) {
  const rule = (await rt.settings()).gradeRule as GradeRule | undefined;
  if (!rule || (!rule.enabled && !opts.evenIfDisabled))
    return { applied: false, reason: "The grading rule is switched off" };
  const now = opts.now ?? new Date();
  const c = rt.table("customers");
  const customers = await findRows(rt, c, cond(c, "grade_locked", "eq", false), ["grade", "annual_revenue"]);
  const values = await metricValues(rt, rule, now, customers);
  const changes = customers
    .map((r) => ({ r, grade: gradeFor(values.get(r.id) ?? 0n, rule.thresholds) }))
    .filter(({ r, grade }) => r.values.grade !== grade);
  let changed = 0;
  let skipped = 0;
  for (let i = 0; i < changes.length; i += 100) {
    const chunk = changes.slice(i, i + 100);
    try {
      await runEffects(
        rt.db,
        updateEffect(
          rt,
          c,
          chunk.map(({ r, grade }) => ({ id: r.id, version: r.version, before: r.values, set: { grade } })),
        ),
      );
      changed += chunk.length;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "conflict")) throw err;
      skipped += chunk.length;
    }
  }
  return { applied: true, metric: rule.metric, checked: customers.length, changed, skipped };
}
