/**
 * Actions on one occurrence of a recurring task, leaving the rest of the series as it is:
 * complete (done; a call, meeting or visit logs an activity), move (new start and end), skip, and
 * split ("this and following": the series ends before the occurrence, a new task carries the rest
 * with the changes). Each asks for update on the task under the caller's grants and runs as one
 * batch; the exception's unique key makes two changes of one occurrence at once end in one 409.
 */
import {
  AppError,
  accessTo,
  forbidden,
  guardRowsEffect,
  insertEffect,
  invalid,
  notFound,
  permittedIds,
  permittedRecords,
  requireOperation,
  runEffects,
  updateEffect,
  updateRecordsEffect,
  userTimeZones,
  type ActionContext,
  type ActionDef,
  type BoundTable,
  type FoundRow,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { activityEffect } from "./activity";
import { exceptionKey, exceptionsOf } from "./exceptions";
import { hasStart, startsBetween, type Series, type Start } from "./recurrence";
import { DEFAULT_ZONE, durationMs, ms, seriesOf, seriesUntil } from "./series";
import { checkTask } from "./hooks";
import { occurrenceChangedStatements, rescheduleStatements } from "./reminders-schedule";

const ID = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const OCCURRENCE = {
  type: "string",
  minLength: 10,
  maxLength: 40,
  description: "The occurrence's original start (RECURRENCE-ID): an instant, or YYYY-MM-DD for an all-day task",
};
const INSTANT = { type: "string", format: "date-time", maxLength: 40 };

interface Loaded {
  t: BoundTable;
  id: number;
  version: number;
  values: Values;
  zone: string;
  series: Series;
  start: Start;
  exception: FoundRow | null;
}

/** The task (update under the caller's grants), its series and the named occurrence with its exception. */
async function load(ctx: ActionContext, id: number, occurrence: string): Promise<Loaded> {
  const t = ctx.table("tasks");
  requireOperation(accessTo(ctx, t), "update");
  const [rec] = await permittedRecords(ctx, t, "update", [id]);
  if (!rec) {
    if ((await permittedIds(ctx, t, "read", [id])).size) throw forbidden(`update task ${id}`);
    throw notFound(`Task ${id}`, "task");
  }
  const values: Values = {};
  for (const k of t.keys()) values[k] = rec.fields[t.field(k).name];
  const zone = (await userTimeZones(ctx, [values.assignee as string])).get(values.assignee as string) ?? DEFAULT_ZONE;
  const series = seriesOf(values, zone);
  if (!series) throw invalid([{ field: "task", code: "not_recurring", message: `Task ${id} does not recur` }]);
  const key = series.allDay ? occurrence : normalInstant(occurrence);
  const start = key ? hasStart(series, key) : null;
  if (!start)
    throw invalid([
      {
        field: "occurrence",
        code: "not_an_occurrence",
        message: `Task ${id} has no occurrence starting at ${occurrence}`,
      },
    ]);
  const exception = (await exceptionsOf(ctx, [id])).get(id)?.get(start.key) ?? null;
  return { t, id, version: rec.version, values, zone, series, start, exception };
}

function normalInstant(s: string): string | null {
  const t = Date.parse(s);
  return /^\d{4}-\d{2}-\d{2}T/.test(s) && Number.isFinite(t) ? new Date(t).toISOString() : null;
}

function conflict(message: string): AppError {
  return new AppError("conflict", message, [{ field: "occurrence", code: "conflict", message }]);
}

/** Insert or (version-guarded) update the occurrence's exception, and keep the caller's rule on the task. */
async function writeException(ctx: ActionContext, l: Loaded, set: Values): Promise<Stmt[]> {
  const occ = ctx.table("task_occurrences");
  const guard = guardRowsEffect(ctx, l.t.meta, [l.id], "update");
  if (l.exception)
    return [
      ...updateEffect(ctx, occ, [
        { id: l.exception.id, version: l.exception.version, before: l.exception.values, set },
      ]),
      ...guard,
    ];
  const row = { key: exceptionKey(l.id, l.start.key), task: [l.id], task_id: l.id, occurrence_of: l.start.key, ...set };
  return [...(await insertEffect(ctx, occ, [row])).statements, ...guard];
}

const reply = (l: Loaded, set: Values) => ({ task: l.id, occurrence: l.start.key, ...set });

/** The occurrence's reminders follow the change (reminders-schedule.ts); `to` null when done or skipped. */
const remindersMove = (ctx: ActionContext, l: Loaded, to: number | null) =>
  occurrenceChangedStatements(
    ctx,
    { id: l.id, values: l.values },
    l.start.key,
    ms(l.exception?.values.start_at) ?? l.start.ms,
    to,
  );

const complete: ActionDef = {
  input: {
    type: "object",
    additionalProperties: false,
    required: ["task", "occurrence"],
    properties: { task: ID, occurrence: OCCURRENCE, notes: { type: "string", maxLength: 10_000 } },
  },
  async run(ctx) {
    const input = ctx.input as { task: number; occurrence: string; notes?: string };
    const l = await load(ctx, input.task, input.occurrence);
    if (l.exception?.values.state === "done") throw conflict("This occurrence is already done");
    if (l.exception?.values.state === "skipped") throw conflict("This occurrence was skipped");
    const set: Values = { state: "done", done_at: ctx.at, done_by: ctx.principal.userId || null };
    if (input.notes !== undefined) set.notes = input.notes;
    const stmts = await writeException(ctx, l, set);
    stmts.push(...(await activityEffect(ctx, l.values, { at: ctx.at, notes: input.notes ?? null })));
    stmts.push(...(await remindersMove(ctx, l, null)));
    await runEffects(ctx.db, stmts);
    return reply(l, set);
  },
};

const move: ActionDef = {
  input: {
    type: "object",
    additionalProperties: false,
    required: ["task", "occurrence", "start"],
    properties: { task: ID, occurrence: OCCURRENCE, start: INSTANT, end: { ...INSTANT, type: ["string", "null"] } },
  },
  async run(ctx) {
    const input = ctx.input as { task: number; occurrence: string; start: string; end?: string | null };
    const start = Date.parse(input.start);
    const end = input.end ? Date.parse(input.end) : null;
    if (end !== null && end < start)
      throw invalid([{ field: "end", code: "end_before_start", message: "The end is before the start" }]);
    const l = await load(ctx, input.task, input.occurrence);
    if (l.exception?.values.state === "skipped") throw conflict("This occurrence was skipped");
    const dur = durationMs(l.values);
    const set: Values = {
      state: l.exception?.values.state === "done" ? "done" : "moved",
      start_at: new Date(start).toISOString(),
      end_at: end !== null ? new Date(end).toISOString() : dur ? new Date(start + dur).toISOString() : null,
    };
    if (l.exception && l.exception.values.start_at === set.start_at && l.exception.values.end_at === set.end_at)
      return reply(l, set); // already there: a repeated drop changes nothing
    const reminders = await remindersMove(ctx, l, set.state === "done" ? null : start);
    await runEffects(ctx.db, [...(await writeException(ctx, l, set)), ...reminders]);
    return reply(l, set);
  },
};

const skip: ActionDef = {
  input: {
    type: "object",
    additionalProperties: false,
    required: ["task", "occurrence"],
    properties: { task: ID, occurrence: OCCURRENCE },
  },
  async run(ctx) {
    const input = ctx.input as { task: number; occurrence: string };
    const l = await load(ctx, input.task, input.occurrence);
    if (l.exception?.values.state === "skipped") throw conflict("This occurrence is already skipped");
    if (l.exception?.values.state === "done") throw conflict("This occurrence is done");
    const set: Values = { state: "skipped" };
    await runEffects(ctx.db, [...(await writeException(ctx, l, set)), ...(await remindersMove(ctx, l, null))]);
    return reply(l, set);
  },
};

/** Fields "this and following" may change on the new series (links and assignee are edited on it afterwards). */
const SPLIT_CHANGES = {
  type: "object",
  additionalProperties: false,
  properties: {
    title: { type: "string", minLength: 1, maxLength: 300 },
    kind: { type: "string", maxLength: 40 },
    priority: { type: ["string", "null"], maxLength: 40 },
    start_at: INSTANT,
    end_at: { ...INSTANT, type: ["string", "null"] },
    location: { type: ["string", "null"], maxLength: 500 },
    notes: { type: ["string", "null"], maxLength: 10_000 },
    recurrence: { type: "string", minLength: 1, maxLength: 500 },
    reminders: { type: ["array", "null"], maxItems: 20, uniqueItems: true, items: { type: "string", maxLength: 10 } },
  },
};

/** Select values among the changes that are not choices of their (live) field. */
function choiceProblems(t: BoundTable, changes: Values): { field: string; code: string; message: string }[] {
  const out: { field: string; code: string; message: string }[] = [];
  for (const key of ["kind", "priority", "reminders"]) {
    const v = changes[key];
    if (v === undefined || v === null) continue;
    const names = new Set((t.field(key).options.choices ?? []).map((c) => c.name));
    const bad = (Array.isArray(v) ? v : [v]).find((x) => !names.has(String(x)));
    if (bad !== undefined)
      out.push({
        field: key,
        code: "enum",
        message: `${JSON.stringify(String(bad).slice(0, 40))} is not a choice of ${key}`,
      });
  }
  return out;
}

/** The rule without COUNT and UNTIL, plus `extra`. */
function withEnd(text: string, extra: string): string {
  const parts = text.split(";").filter((p) => !/^(COUNT|UNTIL)=/.test(p));
  return [...parts, extra].join(";");
}

const untilText = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

const split: ActionDef = {
  input: {
    type: "object",
    additionalProperties: false,
    required: ["task", "occurrence", "changes"],
    properties: { task: ID, occurrence: OCCURRENCE, changes: SPLIT_CHANGES },
  },
  async run(ctx) {
    const input = ctx.input as { task: number; occurrence: string; changes: Values };
    const l = await load(ctx, input.task, input.occurrence);
    const access = accessTo(ctx, l.t);
    for (const k of Object.keys(input.changes))
      if (!access.canWrite(l.t.field(k))) throw forbidden(`change ${k} of tasks`);
    const s = l.series;
    const before = startsBetween(s, s.start, l.start.ms, 100_000).starts.length;
    if (before === 0)
      throw invalid([
        {
          field: "occurrence",
          code: "first_occurrence",
          message: "This is the series' first occurrence: change the task itself",
        },
      ]);
    // The old series ends just before the occurrence (as many as it had before it, when counted).
    const oldRule = s.options.count
      ? withEnd(s.text, `COUNT=${before}`)
      : withEnd(
          s.text,
          s.allDay
            ? `UNTIL=${untilText(l.start.ms - 86_400_000).slice(0, 8)}`
            : `UNTIL=${untilText(l.start.ms - 1000)}`,
        );
    const dur = durationMs(l.values);
    const next: Values = { ...l.values, status: "open", done_at: null };
    next.start_at = new Date(l.start.ms).toISOString();
    next.end_at = dur ? new Date(l.start.ms + dur).toISOString() : l.values.end_at == null ? null : next.start_at;
    next.recurrence = s.options.count ? withEnd(s.text, `COUNT=${s.options.count - before}`) : s.text;
    Object.assign(next, input.changes);
    if (input.changes.start_at && input.changes.end_at === undefined && dur)
      next.end_at = new Date(Date.parse(String(input.changes.start_at)) + dur).toISOString();
    const checked = checkTask(next, l.zone);
    // The new task is written as an effect (no records pipeline): its choices are checked here.
    checked.problems.push(...choiceProblems(l.t, input.changes));
    if (checked.problems.length)
      throw invalid(checked.problems.map((p) => ({ field: `changes/${p.field}`, code: p.code, message: p.message })));
    Object.assign(next, checked.set);
    delete next.occurrences;
    const stmts: Stmt[] = [];
    const oldPatch = await updateRecordsEffect(ctx, l.t, {
      id: l.id,
      version: l.version,
      fields: { [l.t.field("recurrence").name]: oldRule },
    });
    stmts.push(...oldPatch.statements);
    const inserted = await insertEffect(ctx, l.t, [next]);
    const newId = inserted.ids[0]!;
    stmts.push(...inserted.statements, ...guardRowsEffect(ctx, l.t.meta, [newId], "update"));
    // The new series' next reminders (an insert runs no write hook).
    stmts.push(...(await rescheduleStatements(ctx, [{ id: newId, before: null, after: next }])));
    // Exceptions from the occurrence on follow the new series when its starts stay where they were.
    if (input.changes.start_at === undefined && input.changes.recurrence === undefined) {
      const occ = ctx.table("task_occurrences");
      const moving = [...((await exceptionsOf(ctx, [l.id])).get(l.id)?.values() ?? [])].filter(
        (x) => (ms(x.values.occurrence_of) ?? Date.parse(`${x.values.occurrence_of}T00:00:00Z`)) >= l.start.ms,
      );
      stmts.push(
        ...updateEffect(
          ctx,
          occ,
          moving.map((x) => ({
            id: x.id,
            version: x.version,
            before: x.values,
            set: { task: [newId], task_id: newId, key: exceptionKey(newId, String(x.values.occurrence_of)) },
          })),
        ),
      );
    }
    await runEffects(ctx.db, stmts);
    await oldPatch.afterWrite();
    return { task: l.id, recurrence: oldRule, newTask: newId, series_until: seriesUntil(seriesOf(next, l.zone)) };
  },
};

export const occurrenceActions: Record<string, ActionDef> = {
  "complete-occurrence": complete,
  "move-occurrence": move,
  "skip-occurrence": skip,
  "split-series": split,
};
