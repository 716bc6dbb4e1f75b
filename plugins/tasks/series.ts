/**
 * A task's values -> its series (or none), and the values the server keeps from it. Shared by the
 * write hook, the calendar source and the occurrence actions, so they read a series the same way.
 */
import type { Values } from "../../worker/plugin-sdk";
import { checkRule } from "./rrule-text";
import { lastStart, type Series } from "./recurrence";

export const DEFAULT_ZONE = "UTC";

/** Epoch ms of a datetime value, or null. */
export function ms(v: unknown): number | null {
  if (typeof v !== "string" || !v) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** The series of a task's values, or null when it does not recur (or its rule no longer reads). */
export function seriesOf(values: Values, zone: string): Series | null {
  const text = typeof values.recurrence === "string" ? values.recurrence.trim() : "";
  const start = ms(values.start_at);
  if (!text || start === null) return null;
  const rule = checkRule(text);
  if (!rule.ok) return null;
  return { options: rule.options, text: rule.text, start, allDay: values.all_day === true, zone };
}

/** Minutes from start to end, 0 without an end. */
export function durationMs(values: Values): number {
  const s = ms(values.start_at);
  const e = ms(values.end_at);
  return s !== null && e !== null && e > s ? e - s : 0;
}

/** Past this span a bounded series is kept as never ending (its last start would cost too many steps). */
const LONGEST = 50 * 366 * 86_400_000;

/** `series_until`: the last start of a bounded series (ISO), null when it never ends or does not recur. */
export function seriesUntil(s: Series | null): string | null {
  if (!s) return null;
  if (s.options.until && s.options.until.getTime() - s.start > LONGEST) return null;
  const last = lastStart(s);
  return last ? new Date(last.ms).toISOString() : null;
}
