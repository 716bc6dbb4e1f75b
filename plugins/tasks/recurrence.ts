/**
 * A task's series in its assignee's time zone. rrule runs on "floating" wall times (wall clock read
 * as UTC), and each wall time becomes an instant in the zone (lib/zoned-time: a time in a DST gap
 * reads with the offset before it, a repeated one is its first), so a 09:00 weekly meeting stays at
 * 09:00 local on both sides of a change. All-day series run on dates and never shift.
 */
import { RRule, type Options } from "rrule";
import { instantOf, wallAt, wallDate, wallMs } from "../../lib/zoned-time";

const DAY = 86_400_000;

export interface Series {
  options: Partial<Options>;
  /** The rule text as stored (to tell a date UNTIL from an instant one). */
  text: string;
  /** The first occurrence's start (DTSTART), epoch ms. */
  start: number;
  allDay: boolean;
  zone: string;
}

/** One start of a series: `key` is its RECURRENCE-ID (ISO instant, or YYYY-MM-DD when all-day). */
export interface Start {
  ms: number;
  key: string;
}

/** The rule on floating wall times; `stop` (floating ms) caps UNTIL, so rrule never walks on to 9999 for a match. */
function floatingRule(s: Series, stop?: number): RRule {
  const w = wallAt(s.start, s.zone);
  const dtstart = s.allDay ? Date.UTC(w.year, w.month - 1, w.day) : wallMs(w);
  const opts: Partial<Options> = { ...s.options, dtstart: new Date(dtstart), tzid: null };
  if (s.options.until) {
    const until = s.options.until.getTime();
    // A date UNTIL includes its whole day; an instant is read on the zone's wall clock.
    opts.until = new Date(/UNTIL=\d{8}(;|$)/.test(s.text) ? until + DAY - 1000 : wallMs(wallAt(until, s.zone)));
  }
  if (stop !== undefined && (!opts.until || opts.until.getTime() > stop)) opts.until = new Date(stop);
  return new RRule(opts);
}

function toStart(s: Series, floating: Date): Start {
  const f = floating;
  const w = {
    year: f.getUTCFullYear(),
    month: f.getUTCMonth() + 1,
    day: f.getUTCDate(),
    hour: f.getUTCHours(),
    minute: f.getUTCMinutes(),
    second: f.getUTCSeconds(),
  };
  if (s.allDay) {
    const date = wallDate(w);
    return { ms: instantOf({ ...w, hour: 0, minute: 0, second: 0 }, s.zone), key: date };
  }
  const ms = instantOf(w, s.zone);
  return { ms, key: new Date(ms).toISOString() };
}

/** Starts in [from, to) (epoch ms), at most `limit`; `truncated` when more were there. */
export function startsBetween(
  s: Series,
  from: number,
  to: number,
  limit: number,
): { starts: Start[]; truncated: boolean } {
  const hi = new Date(wallMs(wallAt(to, s.zone)) + DAY);
  const rule = floatingRule(s, hi.getTime());
  const lo = new Date(wallMs(wallAt(from, s.zone)) - DAY);
  const starts: Start[] = [];
  let truncated = false;
  rule.between(lo, hi, true, (d) => {
    const st = toStart(s, d);
    if (st.ms >= from && st.ms < to) {
      if (starts.length >= limit) {
        truncated = true;
        return false;
      }
      starts.push(st);
    }
    return true;
  });
  return { starts, truncated };
}

/** Whether `key` is a start of the series (an occurrence the actions may change). */
export function hasStart(s: Series, key: string): Start | null {
  const ms = s.allDay ? instantOf({ ...parseDateKey(key), hour: 0, minute: 0, second: 0 }, s.zone) : Date.parse(key);
  if (!Number.isFinite(ms)) return null;
  const found = startsBetween(s, ms - DAY, ms + DAY, 10).starts.find((x) => x.key === key);
  return found ?? null;
}

function parseDateKey(key: string) {
  const [year, month, day] = key.split("-").map(Number) as [number, number, number];
  return { year, month, day };
}

/** The first start, or null when the rule never produces one within 20 years of DTSTART. */
export function firstStart(s: Series): Start | null {
  const from = floatingRule(s).options.dtstart;
  const rule = floatingRule(s, from.getTime() + 20 * 366 * DAY);
  let first: Date | null = null;
  rule.all((d) => {
    first = d;
    return false;
  });
  return first ? toStart(s, first) : null;
}

/** The last start of a bounded series (COUNT or UNTIL) within 50 years; null when it never ends (or runs longer). */
export function lastStart(s: Series): Start | null {
  if (!s.options.count && !s.options.until) return null;
  const from = floatingRule(s).options.dtstart.getTime();
  const cap = from + 50 * 366 * DAY;
  const rule = floatingRule(s, cap);
  let last: Date | null = null;
  let n = 0;
  rule.all((d) => {
    last = d;
    n++;
    return true;
  });
  const cut = s.options.count ? n < s.options.count : (s.options.until?.getTime() ?? 0) > cap;
  return last && !cut ? toStart(s, last) : null;
}
