/**
 * Reminders of tasks, the pure part: what a `reminders` choice means (an offset before the start, or
 * the due time when there is no start), the key of one reminder (task, occurrence, offset: the job's
 * key and the notification's dedupe key, so a retried or overlapping tick never sends one twice),
 * the texts in both UI languages, and when a snooze ends. No I/O.
 */
import type { LocalText } from "../../worker/plugin-sdk";
import { instantOf, wallAt } from "../../lib/zoned-time";

/** The one-off job that delivers a reminder (plugin.json's tasks, server.ts `jobs`). */
export const REMIND_JOB = "remind";
/** Task fields the reminders read. */
export const REMINDER_KEYS = [
  "title",
  "status",
  "assignee",
  "start_at",
  "due_at",
  "all_day",
  "recurrence",
  "reminders",
];
/** A write of any of these may move or end a task's reminders. */
export const RESCHEDULING_KEYS = ["status", "assignee", "start_at", "due_at", "all_day", "recurrence", "reminders"];

const MINUTE = 60_000;
const UNITS: Record<string, number> = { m: 1, h: 60, d: 24 * 60, w: 7 * 24 * 60 };
/** An offset of a year or more is refused (422 naming `reminders`). */
export const YEAR_MINUTES = 365 * 24 * 60;

/** Minutes of a choice name such as `10m`, `1h`, `2d`, `1w`; null when it is not one. */
export function offsetMinutes(name: unknown): number | null {
  const m = typeof name === "string" ? /^(\d{1,7})([mhdw])$/.exec(name) : null;
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}

export interface OffsetCheck {
  /** Distinct offsets in minutes, smallest first. */
  offsets: number[];
  problems: { field: "reminders"; code: string; message: string; params?: Record<string, unknown> }[];
}

/** The offsets of a `reminders` value; a choice that is no offset, or a year or more, is a problem. */
export function checkReminders(value: unknown): OffsetCheck {
  const names = Array.isArray(value) ? value : value == null ? [] : [value];
  const offsets = new Set<number>();
  const problems: OffsetCheck["problems"] = [];
  for (const name of names) {
    const n = offsetMinutes(name);
    if (n === null)
      problems.push({
        field: "reminders",
        code: "invalid_reminder",
        message: `${JSON.stringify(String(name).slice(0, 40))} is not an offset such as 10m, 1h, 1d or 1w`,
      });
    else if (n >= YEAR_MINUTES)
      problems.push({
        field: "reminders",
        code: "out_of_range",
        message: `A reminder is less than a year before the task (${String(name)} is not)`,
        params: { limit: "365d" },
      });
    else offsets.add(n);
  }
  return { offsets: [...offsets].sort((a, b) => a - b), problems };
}

/** One reminder of one occurrence: `occurrence` is its original start (a series') or its start. */
export interface ReminderRef {
  task: number;
  occurrence: string;
  /** The occurrence's start (or due time), ISO 8601 UTC. */
  start: string;
  offset: number;
  /** True when the time is a due time (no start). */
  due?: boolean;
}

/** The job key, unique per task, occurrence and offset (at most 200 characters). */
export const reminderKey = (r: Pick<ReminderRef, "task" | "occurrence" | "offset">) =>
  `${r.task}@${r.occurrence}/${r.offset}m`;

/** When the reminder fires (ISO 8601 UTC). */
export const fireAt = (r: Pick<ReminderRef, "start" | "offset">) =>
  new Date(Date.parse(r.start) - r.offset * MINUTE).toISOString();

/** The job's payload: everything the delivery checks against the task as it is then. */
export const reminderPayload = (r: ReminderRef) => ({
  task: r.task,
  occurrence: r.occurrence,
  start: r.start,
  offset: r.offset,
  ...(r.due ? { due: true } : {}),
});

/** A payload as stored, or null when it is not one (a hand-edited job). */
export function readPayload(
  p: Record<string, unknown>,
): (ReminderRef & { snooze?: string; notification?: number }) | null {
  if (!Number.isSafeInteger(p.task) || typeof p.occurrence !== "string" || typeof p.start !== "string") return null;
  if (!Number.isSafeInteger(p.offset) || !Number.isFinite(Date.parse(p.start))) return null;
  return {
    task: p.task as number,
    occurrence: p.occurrence,
    start: p.start,
    offset: p.offset as number,
    due: p.due === true,
    ...(typeof p.snooze === "string" ? { snooze: p.snooze } : {}),
    ...(Number.isSafeInteger(p.notification) ? { notification: p.notification as number } : {}),
  };
}

function spanText(minutes: number): LocalText {
  const [n, en, zh] =
    minutes % UNITS.w! === 0
      ? [minutes / UNITS.w!, "week", "周"]
      : minutes % UNITS.d! === 0
        ? [minutes / UNITS.d!, "day", "天"]
        : minutes % UNITS.h! === 0
          ? [minutes / UNITS.h!, "hour", "小时"]
          : [minutes, "minute", "分钟"];
  return { en: `${n} ${en}${n === 1 ? "" : "s"}`, "zh-CN": `${n} ${zh}` };
}

const MAX_TITLE_TEXT = 180;

/** The notification's title and body in en and zh-CN. */
export function reminderTexts(
  title: unknown,
  r: Pick<ReminderRef, "offset" | "due"> & { snooze?: string },
): { title: LocalText; body: LocalText } {
  const name = (typeof title === "string" && title.trim() ? title.trim() : "#").slice(0, MAX_TITLE_TEXT);
  const span = spanText(r.offset);
  const body: LocalText = r.snooze
    ? { en: "Snoozed reminder", "zh-CN": "稍后提醒" }
    : r.offset === 0
      ? r.due
        ? { en: "Due now", "zh-CN": "现在到期" }
        : { en: "Starts now", "zh-CN": "现在开始" }
      : r.due
        ? { en: `Due in ${span.en}`, "zh-CN": `${span["zh-CN"]}后到期` }
        : { en: `Starts in ${span.en}`, "zh-CN": `${span["zh-CN"]}后开始` };
  return { title: { en: `Reminder: ${name}`, "zh-CN": `提醒：${name}` }, body };
}

/** Snooze choices: 10 minutes, an hour, or tomorrow at 09:00 in the user's zone. */
export const SNOOZES = ["10m", "1h", "tomorrow"] as const;
export type Snooze = (typeof SNOOZES)[number];

/** When a snooze chosen at `now` ends (epoch ms). */
export function snoozeUntil(choice: Snooze, now: number, zone: string): number {
  if (choice === "10m") return now + 10 * MINUTE;
  if (choice === "1h") return now + 60 * MINUTE;
  const today = wallAt(now, zone);
  // Noon UTC of the wall date, plus a day, names tomorrow's date whatever the zone's offset.
  const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day, 12) + 24 * 60 * MINUTE);
  return instantOf(
    {
      year: tomorrow.getUTCFullYear(),
      month: tomorrow.getUTCMonth() + 1,
      day: tomorrow.getUTCDate(),
      hour: 9,
      minute: 0,
      second: 0,
    },
    zone,
  );
}
