/**
 * Wall time in an IANA zone <-> instants, through Intl only (no tz data of our own). A wall time
 * that does not exist (the gap when clocks go forward) is read with the offset before the gap, and
 * one that occurs twice (clocks go back) is the first of the two: RFC 5545 3.3.5, so a series'
 * occurrences fall on the same instants in every implementation that follows it.
 */

/** Calendar fields of a wall time; month 1-12. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone this runtime knows (Intl refuses anything else). */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time at instant `ms` (epoch milliseconds) in `zone`. */
export function wallAt(ms: number, zone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms)))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The wall time as if it were UTC, in epoch milliseconds (for arithmetic on wall times). */
export function wallMs(w: Wall): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallMs(wallAt(whole, zone)) - whole;
}

const DAY = 86_400_000;

/** The instant (epoch ms) of wall time `w` in `zone`: a gap reads with the offset before it, a repeat is its first. */
export function instantOf(w: Wall, zone: string): number {
  const local = wallMs(w);
  const before = offsetAt(local - DAY, zone);
  const after = offsetAt(local + DAY, zone);
  const fits = [local - before, local - after].filter((t) => offsetAt(t, zone) === local - t);
  if (fits.length) return Math.min(...fits);
  return local - before; // in the gap: the offset in force before it
}

/** YYYY-MM-DD of a wall time. */
export function wallDate(w: Wall): string {
  const p = (n: number, l = 2) => String(n).padStart(l, "0");
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}`;
}
