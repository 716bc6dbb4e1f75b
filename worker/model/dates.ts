/**
 * The one date parser and the one date-time parser. Every place that reads a date or a date-time a
 * client sent (record values, filter operands, cursors, embed expiry, settings, conversions) goes
 * through here, so an impossible value is refused with the same code everywhere and nothing rolls
 * over (JavaScript's Date would read 2027-02-30 as March 2nd and throw on 23:59:60).
 *
 * A date is `YYYY-MM-DD`; a date-time is RFC 3339 §5.6: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, where
 * "T" and "Z" may be lower case (ABNF strings are case-insensitive). A space instead of "T" is only a
 * note in the RFC, not its grammar, and is refused. Date-times are stored as ISO 8601 UTC with
 * milliseconds; finer fractions are cut, never rounded, so 23:59:59.9999 cannot become the next day.
 * Years outside 1900..9999 are refused as out of range (a date-time by its UTC instant).
 */

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
export const DATE_FORMAT = "YYYY-MM-DD";
export const DATETIME_FORMAT = "YYYY-MM-DDTHH:MM:SSZ";

export type DateCode = "invalid_date" | "invalid_datetime" | "out_of_range" | "leap_second";
export interface DateProblem {
  code: DateCode;
  message: string;
  /** What a client needs to word the problem itself: the format, the part at fault, the bounds. */
  params: Record<string, string | number>;
}
export type DateResult = { ok: true; value: string } | ({ ok: false } & DateProblem);

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MS_PER_DAY = 86_400_000;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (integer arithmetic: no Date, no two-digit-year quirk). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const fail = (code: DateCode, message: string, params: Record<string, string | number>): DateResult => ({
  ok: false,
  code,
  message,
  params,
});

function badDay(
  kind: "invalid_date" | "invalid_datetime",
  format: string,
  y: number,
  mo: number,
  d: number,
): DateResult | null {
  if (mo < 1 || mo > 12)
    return fail(kind, `Month ${pad(mo)} does not exist; months are 01 to 12`, { format, part: "month" });
  const max = daysInMonth(y, mo);
  if (d < 1 || d > max)
    return fail(kind, `${pad(y, 4)}-${pad(mo)} has days 01 to ${max}, not ${pad(d)}`, { format, part: "day", max });
  return null;
}

const dateRange = () =>
  fail("out_of_range", `Dates run from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31`, {
    min: `${MIN_YEAR}-01-01`,
    max: `${MAX_YEAR}-12-31`,
  });
const datetimeRange = () =>
  fail("out_of_range", `Date-times run from ${MIN_YEAR}-01-01T00:00:00Z to ${MAX_YEAR}-12-31T23:59:59.999Z`, {
    min: `${MIN_YEAR}-01-01T00:00:00Z`,
    max: `${MAX_YEAR}-12-31T23:59:59.999Z`,
  });

/** A calendar date from its parts, as `YYYY-MM-DD`. */
export function dateFromParts(y: number, mo: number, d: number): DateResult {
  const bad = badDay("invalid_date", DATE_FORMAT, y, mo, d);
  if (bad) return bad;
  if (y < MIN_YEAR || y > MAX_YEAR) return dateRange();
  return { ok: true, value: `${pad(y, 4)}-${pad(mo)}-${pad(d)}` };
}

export interface InstantParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction digits as written ("5" is half a second); cut to milliseconds. */
  fraction?: string;
  /** Minutes east of UTC: +08:00 is 480. */
  offsetMinutes: number;
}

/** An instant from its local parts and offset, as ISO 8601 UTC with milliseconds. */
export function instantFromParts(p: InstantParts): DateResult {
  const F = DATETIME_FORMAT;
  const bad = badDay("invalid_datetime", F, p.year, p.month, p.day);
  if (bad) return bad;
  if (p.hour > 23)
    return fail("invalid_datetime", `Hour ${pad(p.hour)} does not exist; hours are 00 to 23`, {
      format: F,
      part: "hour",
    });
  if (p.minute > 59)
    return fail("invalid_datetime", `Minute ${pad(p.minute)} does not exist; minutes are 00 to 59`, {
      format: F,
      part: "minute",
    });
  const offset = Math.abs(p.offsetMinutes);
  if (Math.floor(offset / 60) > 23 || offset % 60 > 59)
    return fail("invalid_datetime", "A UTC offset is -23:59 to +23:59", { format: F, part: "offset" });
  const utcMinutes = (((p.hour * 60 + p.minute - p.offsetMinutes) % 1440) + 1440) % 1440;
  if (p.second === 60) {
    // RFC 3339 allows :60 only for a leap second, which falls at 23:59:60 UTC; storage in UTC
    // milliseconds cannot hold one, so even a true leap second is refused, with its own code.
    if (utcMinutes === 1439)
      return fail("leap_second", "Leap seconds (23:59:60 UTC) cannot be stored; use 23:59:59", {
        format: F,
        part: "second",
      });
    return fail("invalid_datetime", "Second 60 exists only as a leap second at 23:59:60 UTC; seconds are 00 to 59", {
      format: F,
      part: "second",
    });
  }
  if (p.second > 59)
    return fail("invalid_datetime", `Second ${pad(p.second)} does not exist; seconds are 00 to 59`, {
      format: F,
      part: "second",
    });
  const ms = Number((p.fraction ?? "").padEnd(3, "0").slice(0, 3));
  const t =
    daysFromCivil(p.year, p.month, p.day) * MS_PER_DAY +
    ((p.hour * 60 + p.minute - p.offsetMinutes) * 60 + p.second) * 1000 +
    ms;
  if (t < daysFromCivil(MIN_YEAR, 1, 1) * MS_PER_DAY || t >= daysFromCivil(MAX_YEAR + 1, 1, 1) * MS_PER_DAY)
    return datetimeRange();
  return { ok: true, value: new Date(t).toISOString() };
}

/** A date as a client sends it: exactly `YYYY-MM-DD`, a real calendar day. */
export function parseDate(text: unknown): DateResult {
  const m = typeof text === "string" ? DATE_RE.exec(text) : null;
  if (!m)
    return fail(
      "invalid_date",
      `${typeof text === "string" ? shown(text) : "This"} is not a date; write ${DATE_FORMAT}, e.g. 2026-12-31`,
      { format: DATE_FORMAT, part: "syntax" },
    );
  return dateFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A date-time as a client sends it: RFC 3339 with seconds and a zone, normalised to UTC. */
export function parseDatetime(text: unknown): DateResult {
  const m = typeof text === "string" ? DATETIME_RE.exec(text) : null;
  if (!m) {
    return fail(
      "invalid_datetime",
      `${typeof text === "string" ? shown(text) : "This"} is not a date-time; write ${DATETIME_FORMAT} or with an offset, e.g. 2026-12-31T18:00:00+08:00`,
      { format: DATETIME_FORMAT, part: "syntax" },
    );
  }
  const n = (i: number) => Number(m[i] ?? 0);
  // Offset parts are checked here: as a total, +00:60 would pass for +01:00.
  if (m[8] !== undefined && (n(9) > 23 || n(10) > 59))
    return fail("invalid_datetime", "A UTC offset is -23:59 to +23:59", { format: DATETIME_FORMAT, part: "offset" });
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === "-" ? -1 : 1) * (n(9) * 60 + n(10));
  return instantFromParts({
    year: n(1),
    month: n(2),
    day: n(3),
    hour: n(4),
    minute: n(5),
    second: n(6),
    fraction: m[7],
    offsetMinutes,
  });
}

export const isDate = (text: unknown) => parseDate(text).ok;
export const isDatetime = (text: unknown) => parseDatetime(text).ok;

/** `date` moved by whole `days`; refused when the result leaves the date range. */
export function shiftDate(date: string, days: number): DateResult {
  const d = parseDate(date);
  if (!d.ok) return d;
  if (!Number.isSafeInteger(days))
    return fail("invalid_date", "A number of days is a whole number", { format: DATE_FORMAT, part: "days" });
  const [y, mo, dd] = d.value.split("-").map(Number) as [number, number, number];
  const target = daysFromCivil(y, mo, dd) + days;
  if (target < daysFromCivil(MIN_YEAR, 1, 1) || target > daysFromCivil(MAX_YEAR, 12, 31)) return dateRange();
  return { ok: true, value: new Date(target * MS_PER_DAY).toISOString().slice(0, 10) };
}

/** `date` moved by whole `months`, kept within the month it lands in (March 31 back one month is February 28 or 29). */
export function shiftMonths(date: string, months: number): DateResult {
  const d = parseDate(date);
  if (!d.ok) return d;
  if (!Number.isSafeInteger(months) || Math.abs(months) > (MAX_YEAR - MIN_YEAR + 1) * 12) return dateRange();
  const [y, mo, dd] = d.value.split("-").map(Number) as [number, number, number];
  const index = y * 12 + (mo - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  if (year < MIN_YEAR || year > MAX_YEAR) return dateRange();
  return dateFromParts(year, month, Math.min(dd, daysInMonth(year, month)));
}
