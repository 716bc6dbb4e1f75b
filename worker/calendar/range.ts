/**
 * The range a calendar asks for: `from` and `to` as RFC 3339 date-times (with a zone, as a calendar in
 * the user's zone sends them) or dates, [from, to), at most a year. Bad input is a 422 naming the
 * parameter. A range keeps both forms: instants for datetime fields and the wall dates the caller
 * wrote for date fields (a date has no zone, so 2026-12-01T00:00:00+08:00 starts on 2026-12-01).
 */
import { invalid, type FieldError } from "../errors";
import { parseDate, parseDatetime, shiftDate } from "../model/dates";
import type { PlacedRange } from "./placement";

/** A little over a year, so a year view of a leap year with its padding days still fits. */
export const MAX_RANGE_DAYS = 372;
const DAY_MS = 86_400_000;

interface Bound {
  instant: string;
  date: string;
  /** Whether the wall time is not midnight (an exclusive end then reaches into the next day). */
  afterMidnight: boolean;
}

function bound(raw: string | undefined, name: string, errors: FieldError[]): Bound | null {
  if (raw === undefined || raw === "") {
    errors.push({ field: name, code: "required", message: `${name} is required: a date or an RFC 3339 date-time` });
    return null;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const d = parseDate(raw);
    if (!d.ok) {
      errors.push({ field: name, code: d.code, message: d.message, params: d.params });
      return null;
    }
    return { instant: `${d.value}T00:00:00.000Z`, date: d.value, afterMidnight: false };
  }
  const t = parseDatetime(raw);
  if (!t.ok) {
    errors.push({ field: name, code: t.code, message: t.message, params: t.params });
    return null;
  }
  // The wall date and time as written (before its offset), for date fields.
  return { instant: t.value, date: raw.slice(0, 10), afterMidnight: !/^.{10}T00:00(:00(\.0+)?)?/.test(raw) };
}

export function parseRange(fromRaw: string | undefined, toRaw: string | undefined): PlacedRange {
  const errors: FieldError[] = [];
  const from = bound(fromRaw, "from", errors);
  const to = bound(toRaw, "to", errors);
  if (errors.length || !from || !to) throw invalid(errors, "The calendar range is invalid");
  const span = Date.parse(to.instant) - Date.parse(from.instant);
  if (span <= 0)
    throw invalid([{ field: "to", code: "range_order", message: "to must be after from" }], "The range is empty");
  if (span > MAX_RANGE_DAYS * DAY_MS)
    throw invalid(
      [
        {
          field: "to",
          code: "range_too_long",
          message: `A calendar asks for at most ${MAX_RANGE_DAYS} days at a time`,
          params: { limit: MAX_RANGE_DAYS },
        },
      ],
      "The range is too long",
    );
  const next = to.afterMidnight ? shiftDate(to.date, 1) : null;
  return {
    from: from.instant,
    to: to.instant,
    fromDate: from.date,
    toDate: next?.ok ? next.value : to.date,
  };
}
