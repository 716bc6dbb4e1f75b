/**
 * Time as people read it: one module every element formats dates and instants with, so the grid, the
 * form, the history and the board show the same instant the same way. An instant (a datetime field,
 * an audit time) shows in the signed-in user's time zone (their profile's, set by the app with
 * `setUserTimeZone`; the browser's where there is none, e.g. an embed). A date without a time
 * ("YYYY-MM-DD") is a calendar day and never shifts across midnight in any zone.
 * Editors use `toZonedInput` / `fromZonedInput` for `<input type="datetime-local">` values, which are
 * wall-clock times in the user's zone, not the browser's.
 */
// Only called at format time, so the cycle with index.ts (which re-exports these) is harmless.
import { currentLocale } from "./index";

let userZone: string | null = null;
const listeners = new Set<() => void>();

/** The browser's own zone ("UTC" where the runtime does not say). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Whether the runtime knows this IANA zone. */
export function isTimeZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The signed-in user's zone for every element on the page; null goes back to the browser's. */
export function setUserTimeZone(tz: string | null | undefined): void {
  const next = isTimeZone(tz) ? tz : null;
  if (next === userZone) return;
  userZone = next;
  for (const l of listeners) l();
}

/** Called when the user's zone changes (elements render again). Returns the unsubscribe. */
export function onTimeZoneChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The zone instants show in: the one given, else the user's, else the browser's. */
export function timeZone(tz?: string | null): string {
  return isTimeZone(tz) ? tz : (userZone ?? browserTimeZone());
}

/** Every zone the runtime lists, for a picker (the current one first if it is not listed). */
export function timeZones(current?: string): string[] {
  const list = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  const all = list.includes("UTC") ? list : ["UTC", ...list];
  return current && !all.includes(current) ? [current, ...all] : all;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${currentLocale()}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(currentLocale(), opts)));
  return f;
}

/** A date field's "YYYY-MM-DD" in the current locale; the day never shifts with any time zone. */
export function formatDate(value: string | null | undefined, style: "medium" | "short" | "long" = "medium"): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  // A calendar day is formatted as that day at noon UTC in UTC: no zone can move it.
  return dateTimeFormat({ dateStyle: style, timeZone: "UTC" }).format(
    new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, 12)),
  );
}

/** An ISO 8601 instant in the user's time zone (or `tz`), in the current locale. */
export function formatDateTime(value: string | null | undefined, tz?: string | null): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return dateTimeFormat({ dateStyle: "medium", timeStyle: "short", timeZone: timeZone(tz) }).format(d);
}

/** The wall-clock parts of an instant in a zone. */
function partsIn(d: Date, tz: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return { y: +p.year!, mo: +p.month!, d: +p.day!, h: +p.hour! % 24, mi: +p.minute!, s: +p.second! };
}

/** How far the zone is ahead of UTC at this instant, in milliseconds. */
function offsetAt(d: Date, tz: string): number {
  const p = partsIn(d, tz);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(d.getTime() / 1000) * 1000;
}

/** A `datetime-local` control's "YYYY-MM-DDTHH:mm" for an ISO instant, in the user's zone (or `tz`). */
export function toZonedInput(iso: unknown, tz?: string | null): string {
  if (typeof iso !== "string" || !iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = partsIn(d, timeZone(tz));
  const two = (n: number) => String(n).padStart(2, "0");
  return `${String(p.y).padStart(4, "0")}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}`;
}

/**
 * A wall-clock "YYYY-MM-DDTHH:mm[:ss]" in the user's zone (or `tz`) -> the ISO instant; null when it
 * does not parse. A time skipped by a daylight-saving change moves forward by the gap, as clocks do.
 */
export function fromZonedInput(text: string, tz?: string | null): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const zone = timeZone(tz);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  if (Number.isNaN(wall)) return null;
  // Guess with the offset at the wall time read as UTC, then correct once with the offset there. When
  // neither reads back as the wall time, the time fell in a gap: the later one is it, moved forward.
  const t1 = wall - offsetAt(new Date(wall), zone);
  const t2 = wall - offsetAt(new Date(t1), zone);
  const exact = [t2, t1].find((t) => t + offsetAt(new Date(t), zone) === wall);
  return new Date(exact ?? Math.max(t1, t2)).toISOString();
}
