/**
 * Delivering due reminders (the `remind` one-off job): many at once, as the tick hands them over
 * (`runMany`): the tasks read in one statement, the notifications stored in one, the next occurrence's
 * reminders of each series scheduled in the same batch. A reminder is checked against its task as
 * it is now: a task gone, done or cancelled, moved elsewhere or without that offset any more sends
 * nothing (the write that changed it cancelled or replaced the job; this covers a race with it). The
 * notification's dedupe key is the reminder's key (plus the snooze's end), so a retried or
 * overlapping run never sends one twice.
 */
import {
  findByIds,
  notifyEffect,
  runEffects,
  type NotificationInput,
  type OnceJobItem,
  type Runtime,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { exceptionsOf } from "./exceptions";
import { checkReminders, readPayload, REMINDER_KEYS, reminderKey, reminderTexts, type ReminderRef } from "./reminders";
import { nextOccurrences, refsOf, scheduleRefs } from "./reminders-schedule";
import { ms } from "./series";

type Outcome = Record<string, unknown> | Error;
type Ref = NonNullable<ReturnType<typeof readPayload>>;

/** Why a reminder is not sent any more, or null when it still stands. */
function stale(ref: Ref, task: Values | undefined, exceptions: Map<string, Values> | undefined): string | null {
  if (!task) return "task deleted";
  if (task.status === "done" || task.status === "cancelled") return `task ${String(task.status)}`;
  if (typeof task.assignee !== "string") return "no assignee";
  if (ref.snooze) return null;
  if (!checkReminders(task.reminders).offsets.includes(ref.offset)) return "offset removed";
  const recurring = typeof task.recurrence === "string" && task.recurrence.trim() !== "";
  if (!recurring) {
    const at = ms(task.start_at) ?? ms(task.due_at);
    return at === Date.parse(ref.start) ? null : "task moved";
  }
  const x = exceptions?.get(ref.occurrence);
  if (!x) return null;
  if (x.state === "done" || x.state === "skipped") return `occurrence ${String(x.state)}`;
  return ms(x.start_at) === Date.parse(ref.start) ? null : "occurrence moved";
}

/** The dedupe key of a delivery: the reminder's key, and the snooze's end for a snoozed one. */
export const dedupeKeyOf = (ref: Ref) => `reminder:${reminderKey(ref)}${ref.snooze ? `:snooze@${ref.snooze}` : ""}`;

export async function deliverReminders(rt: Runtime, jobs: OnceJobItem[]): Promise<Outcome[]> {
  const t = rt.table("tasks");
  const refs = jobs.map((j) => readPayload(j.payload));
  const ids = [...new Set(refs.flatMap((r) => (r ? [r.task] : [])))];
  const rows = new Map((await findByIds(rt, t, ids, REMINDER_KEYS)).map((r) => [r.id, r.values]));
  const recurring = ids.filter((id) => {
    const v = rows.get(id);
    return typeof v?.recurrence === "string" && v.recurrence.trim() !== "";
  });
  const exceptions = new Map(
    [...(await exceptionsOf(rt, recurring))].map(([id, m]) => [id, new Map([...m].map(([k, x]) => [k, x.values]))]),
  );
  const outcomes: Outcome[] = [];
  const notifications: NotificationInput[] = [];
  const fired: { id: number; values: Values; after: number }[] = [];
  refs.forEach((ref) => {
    if (!ref) return void outcomes.push({ skipped: "not a reminder's payload" });
    const task = rows.get(ref.task);
    const why = stale(ref, task, exceptions.get(ref.task));
    if (why) return void outcomes.push({ skipped: why });
    notifications.push({
      user: task!.assignee as string,
      kind: "reminder",
      ...reminderTexts(task!.title, ref),
      record: { table: t, id: ref.task },
      dedupeKey: dedupeKeyOf(ref),
    });
    outcomes.push({ sent: task!.assignee as string });
    if (recurring.includes(ref.task) && !ref.snooze)
      fired.push({ id: ref.task, values: task!, after: Date.parse(ref.start) + 1 });
  });
  // A series' next occurrence gets its reminders now (the same key again changes nothing).
  const after = new Map<number, number>();
  for (const f of fired) after.set(f.id, Math.max(after.get(f.id) ?? 0, f.after, Date.parse(rt.at)));
  const next = await nextOccurrences(rt, [...new Map(fired.map((f) => [f.id, f])).values()], (id) => after.get(id)!);
  const upcoming: ReminderRef[] = [...next].flatMap(([id, occ]) => refsOf(id, rows.get(id)!, occ));
  const statements: Stmt[] = [
    ...(notifications.length ? notifyEffect(rt, notifications) : []),
    ...scheduleRefs(rt, upcoming),
  ];
  if (statements.length) await runEffects(rt.db, statements);
  return outcomes;
}
