/**
 * Reminders as one-off jobs: one per (task, occurrence, offset), scheduled in the batch of the task's
 * write. Only the next occurrence of a series has jobs; delivering one schedules the following
 * occurrence's (reminders-deliver.ts), so a never-ending series holds at most one job per offset.
 * A write that moves a task (times, rule, offsets, status, assignee) cancels the old jobs and
 * schedules the new ones; a time already passed fires at the next tick. Done, cancelled or deleted:
 * cancelled.
 */
import {
  cancelJobEffect,
  scheduleJobEffect,
  userTimeZones,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type FoundRow,
  type HookProblem,
  type Runtime,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { exceptionsOf } from "./exceptions";
import { startsBetween } from "./recurrence";
import {
  checkReminders,
  fireAt,
  REMIND_JOB,
  reminderKey,
  reminderPayload,
  RESCHEDULING_KEYS,
  type ReminderRef,
} from "./reminders";
import { DEFAULT_ZONE, ms, seriesOf } from "./series";

const DAY = 86_400_000;
/** Windows searched for a series' next start, growing (an hourly rule is found in the first). */
const WINDOWS = [2 * DAY, 40 * DAY, 400 * DAY, 4000 * DAY];

/** An occurrence a reminder is for: `key` its identity (original start of a series' one), `ms` its start. */
export interface Occurrence {
  key: string;
  ms: number;
  due: boolean;
}

/**
 * The next occurrence of each task starting at or after `from` (epoch ms), as the task's values say:
 * the start or due time of a single task; a series' next start in its assignee's zone, exceptions
 * applied (done and skipped ones passed over, moved ones at their new time). Open tasks only.
 */
export async function nextOccurrences(
  rt: Runtime,
  tasks: { id: number; values: Values }[],
  from: (id: number) => number,
): Promise<Map<number, Occurrence>> {
  const out = new Map<number, Occurrence>();
  const series = tasks.filter((t) => t.values.status !== "done" && t.values.status !== "cancelled");
  const recurring = series.filter((t) => typeof t.values.recurrence === "string" && t.values.recurrence.trim());
  for (const t of series) {
    if (recurring.includes(t)) continue;
    const start = ms(t.values.start_at);
    const at = start ?? ms(t.values.due_at);
    if (at !== null && at >= from(t.id))
      out.set(t.id, { key: new Date(at).toISOString(), ms: at, due: start === null });
  }
  if (!recurring.length) return out;
  const zones = await userTimeZones(
    rt,
    recurring.map((t) => t.values.assignee).filter((x): x is string => typeof x === "string"),
  );
  const exceptions = await exceptionsOf(
    rt,
    recurring.map((t) => t.id),
  );
  for (const t of recurring) {
    const s = seriesOf(t.values, zones.get(t.values.assignee as string) ?? DEFAULT_ZONE);
    if (!s) continue;
    const next = nextStart(s, exceptions.get(t.id) ?? new Map(), from(t.id));
    if (next) out.set(t.id, next);
  }
  return out;
}

type Series = NonNullable<ReturnType<typeof seriesOf>>;

function nextStart(s: Series, exceptions: Map<string, FoundRow>, from: number): Occurrence | null {
  let best: Occurrence | null = null;
  // A moved occurrence is where it was moved to.
  for (const [key, x] of exceptions) {
    const at = ms(x.values.start_at);
    if (x.values.state === "moved" && at !== null && at >= from && (!best || at < best.ms))
      best = { key, ms: at, due: false };
  }
  let lo = from;
  for (const span of WINDOWS) {
    const got = startsBetween(s, lo, from + span, 50);
    const found = got.starts.find((st) => !exceptions.has(st.key));
    if (found) return !best || found.ms < best.ms ? { key: found.key, ms: found.ms, due: false } : best;
    if (got.truncated) lo = got.starts[got.starts.length - 1]!.ms + 1;
    else lo = from + span;
    if (best && best.ms < lo) return best;
  }
  return best;
}

/** The reminders of one occurrence of a task. */
export function refsOf(task: number, values: Values, occ: Occurrence): ReminderRef[] {
  return checkReminders(values.reminders).offsets.map((offset) => ({
    task,
    occurrence: occ.key,
    start: new Date(occ.ms).toISOString(),
    offset,
    due: occ.due,
  }));
}

export const scheduleRefs = (rt: Runtime, refs: ReminderRef[]): Stmt[] =>
  refs.flatMap((r) =>
    scheduleJobEffect(rt, { job: REMIND_JOB, at: fireAt(r), key: reminderKey(r), payload: reminderPayload(r) }),
  );

export const cancelRefs = (rt: Runtime, refs: ReminderRef[]): Stmt[] =>
  refs.flatMap((r) => cancelJobEffect(rt, { job: REMIND_JOB, key: reminderKey(r) }));

/**
 * Jobs for tasks as they were (`before`) and as they will be (`after`), from now on: the old
 * occurrence's reminders cancelled, the new one's scheduled (the same key at the same time again
 * changes nothing, so an edit that moves nothing leaves a fired reminder fired).
 */
export async function rescheduleStatements(
  rt: Runtime,
  changes: { id: number; before: Values | null; after: Values | null }[],
  now = Date.parse(rt.at),
): Promise<Stmt[]> {
  if (!changes.length) return [];
  const from = () => now;
  const [old, next] = await Promise.all([
    nextOccurrences(
      rt,
      changes.flatMap((c) => (c.before ? [{ id: c.id, values: c.before }] : [])),
      from,
    ),
    nextOccurrences(
      rt,
      changes.flatMap((c) => (c.after ? [{ id: c.id, values: c.after }] : [])),
      from,
    ),
  ]);
  const cancels: ReminderRef[] = [];
  const schedules: ReminderRef[] = [];
  for (const c of changes) {
    const o = old.get(c.id);
    const n = next.get(c.id);
    if (o && c.before) cancels.push(...refsOf(c.id, c.before, o));
    if (n && c.after) schedules.push(...refsOf(c.id, c.after, n));
  }
  const kept = new Set(schedules.map((r) => `${reminderKey(r)} ${r.start}`));
  // Cancel only what is not scheduled again unchanged (so a fired reminder is not sent twice).
  return [
    ...cancelRefs(
      rt,
      cancels.filter((r) => !kept.has(`${reminderKey(r)} ${r.start}`)),
    ),
    ...scheduleRefs(rt, schedules),
  ];
}

/**
 * The write hook's part for reminders: an offset that is no offset or a year or more is a 422 naming
 * `reminders`; otherwise the statements that move the task's jobs with the write.
 */
export async function reminderWriteEffects(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  const problems: HookProblem[] = [];
  const changes: { id: number; before: Values | null; after: Values | null }[] = [];
  for (const rec of ctx.records) {
    if (ctx.op !== "delete" && (ctx.op === "create" || rec.written("reminders")))
      for (const p of checkReminders(rec.after.reminders).problems) problems.push({ record: rec, ...p });
    if (ctx.op === "delete") changes.push({ id: rec.id, before: rec.before, after: null });
    else if (ctx.op === "create") changes.push({ id: rec.id, before: null, after: rec.after });
    else if (RESCHEDULING_KEYS.some((k) => rec.written(k)))
      changes.push({ id: rec.id, before: rec.before, after: rec.after });
  }
  if (problems.length) return { problems };
  return { statements: await rescheduleStatements(ctx, changes) };
}

/** Wraps the tasks write hook: its problems first, then the reminders' checks and statements. */
export function withReminders(
  inner: (ctx: BeforeWriteContext) => Promise<BeforeWriteResult | void>,
): (ctx: BeforeWriteContext) => Promise<BeforeWriteResult | void> {
  return async (ctx) => {
    const first = (await inner(ctx)) ?? {};
    if (first.problems?.length) return first;
    const mine = await reminderWriteEffects(ctx);
    if (mine.problems?.length) return { problems: mine.problems };
    return { ...first, statements: [...(first.statements ?? []), ...(mine.statements ?? [])] };
  };
}

/**
 * An occurrence of a series changed by an action (done or skipped: `to` null; moved: its new start):
 * its reminders are cancelled or moved, and when it is gone (or moved past the one after it) the
 * occurrence after it gets its reminders (the same key again changes nothing).
 */
export async function occurrenceChangedStatements(
  rt: Runtime,
  task: { id: number; values: Values },
  occurrence: string,
  from: number,
  to: number | null,
): Promise<Stmt[]> {
  if (to === from) return [];
  const now = Date.parse(rt.at);
  const at = (ms: number) => refsOf(task.id, task.values, { key: occurrence, ms, due: false });
  const out = cancelRefs(rt, at(from));
  if (to !== null && to >= now) out.push(...scheduleRefs(rt, at(to)));
  const next = (await nextOccurrences(rt, [task], () => Math.max(now, from + 1))).get(task.id);
  // A moved occurrence is still the next unless it moved past the one after it.
  if (next && next.key !== occurrence && (to === null || next.ms < to))
    out.push(...scheduleRefs(rt, refsOf(task.id, task.values, next)));
  return out;
}
