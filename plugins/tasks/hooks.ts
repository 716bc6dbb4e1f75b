/**
 * The tasks write hook: checks the recurrence rule (422 naming `recurrence`) and the times (an end
 * before its start is a 422 naming `end_at`), keeps `series_until` (the last start of a bounded
 * series, for the calendar's candidate filter), defaults status and assignee, stamps `done_at`,
 * and logs an activity when a call, meeting or visit becomes done.
 */
import {
  forbidden,
  userTimeZones,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { instantOf } from "../../lib/zoned-time";
import { activityEffect } from "./activity";
import { checkRule } from "./rrule-text";
import { firstStart } from "./recurrence";
import { DEFAULT_ZONE, ms, seriesOf, seriesUntil } from "./series";

const SERIES_KEYS = ["recurrence", "start_at", "assignee", "all_day"];

export interface TaskCheck {
  problems: { field: string; code: string; message: string }[];
  /** Values the server keeps: the rule as stored, `series_until`. */
  set: Values;
}

/**
 * A date UNTIL bounds a timed series at the end of that day in the zone; stored as the UTC instant
 * RFC 5545 asks for when DTSTART has a zone.
 */
function untilInstant(text: string, zone: string, allDay: boolean): string {
  const m = /(^|;)UNTIL=(\d{4})(\d{2})(\d{2})(?=;|$)/.exec(text);
  if (!m || allDay) return text;
  const t = instantOf({ year: +m[2]!, month: +m[3]!, day: +m[4]!, hour: 23, minute: 59, second: 59 }, zone);
  const utc = new Date(t)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return text.replace(/UNTIL=\d{8}(?=;|$)/, `UNTIL=${utc}`);
}

/** Times and rule of a task's values (as they will be stored), in its assignee's zone. */
export function checkTask(a: Values, zone: string): TaskCheck {
  const problems: TaskCheck["problems"] = [];
  const set: Values = {};
  const start = ms(a.start_at);
  const end = ms(a.end_at);
  if (start !== null && end !== null && end < start)
    problems.push({ field: "end_at", code: "end_before_start", message: "The end is before the start" });
  const text = typeof a.recurrence === "string" ? a.recurrence.trim() : "";
  if (!text) {
    set.series_until = null;
    if (a.recurrence === "") set.recurrence = null;
    return { problems, set };
  }
  const rule = checkRule(text);
  if (!rule.ok) problems.push({ field: "recurrence", code: "invalid_rrule", message: rule.message });
  else if (start === null)
    problems.push({
      field: "start_at",
      code: "required",
      message: "A recurring task needs a start (its first occurrence)",
    });
  else {
    const stored = untilInstant(rule.text, zone, a.all_day === true);
    if (stored !== a.recurrence) set.recurrence = stored;
    const series = seriesOf({ ...a, recurrence: stored }, zone);
    if (!series || !firstStart(series))
      problems.push({
        field: "recurrence",
        code: "never_occurs",
        message: "The rule produces no occurrence from the start on",
      });
    else set.series_until = seriesUntil(series);
  }
  return { problems, set };
}

export async function beforeTasks(ctx: BeforeWriteContext): Promise<BeforeWriteResult | void> {
  if (ctx.op === "delete") return;
  const problems: HookProblem[] = [];
  const statements: Stmt[] = [];
  for (const rec of ctx.records)
    if (ctx.op === "create") {
      if (!rec.written("status")) rec.set("status", "open");
      if (!rec.written("assignee") && ctx.principal.userId) rec.set("assignee", ctx.principal.userId);
    }
  const zones = await userTimeZones(
    ctx,
    ctx.records.map((r) => r.after.assignee).filter((x): x is string => typeof x === "string"),
  );
  for (const rec of ctx.records) {
    const a = rec.after;
    const changed = ctx.op === "create" || [...SERIES_KEYS, "end_at"].some((k) => rec.written(k));
    if (changed) {
      const checked = checkTask(a, zones.get(a.assignee as string) ?? DEFAULT_ZONE);
      for (const p of checked.problems) problems.push({ record: rec, ...p });
      for (const [k, v] of Object.entries(checked.set)) if (v !== (a[k] ?? null)) rec.set(k, v);
    }
    // Done: stamped once, and a call, meeting or visit leaves an activity on its customer.
    const wasDone = rec.before?.status === "done";
    if (a.status === "done" && !wasDone) {
      const at = rec.written("done_at") && typeof a.done_at === "string" ? a.done_at : ctx.at;
      if (!rec.written("done_at")) rec.set("done_at", at);
      statements.push(...(await activityEffect(ctx, rec.after, { at })));
    } else if (a.status !== "done" && wasDone && !rec.written("done_at")) rec.set("done_at", null);
  }
  if (problems.length) return { problems };
  return { statements };
}

/** Exceptions of a series are written by the tasks actions only (system effects run no hooks). */
export function readOnlyOccurrences(ctx: BeforeWriteContext): void {
  throw forbidden(`${ctx.op} task occurrences`, "Occurrences change through the tasks actions (complete, move, skip)");
}
