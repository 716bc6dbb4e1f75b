/**
 * Formatted autonumbers: document numbers such as Q-2026-00042. The counter stays the field's one
 * `sg_fields.next_number`; with a year in the format it holds year x 10^9 + the number within the
 * year, so one UPDATE ... RETURNING both reserves and starts a new year at 1, atomically, and never
 * moves back (a request whose clock still says last year gets a number of the year the counter is in).
 */
import { wallAt } from "../../lib/zoned-time";
import type { NumberFormat } from "../../schemas/types";

/** Numbers within a year stay below this; the year is the counter's quotient by it. */
export const YEAR_BASE = 1_000_000_000;
export const DEFAULT_PADDING = 5;

/** The calendar year of an instant in a time zone (UTC unless the format names one). */
export function yearOf(at: string | Date, timeZone = "UTC"): number {
  return wallAt((typeof at === "string" ? new Date(at) : at).getTime(), timeZone).year;
}

/** The lowest counter value the year's numbers may take (0 without a year in the format). */
export function counterFloor(format: NumberFormat | undefined, at: string | Date): number {
  return format?.year ? yearOf(at, format.timeZone) * YEAR_BASE : 0;
}

/** The text of counter value `counter`: prefix, year and dash, number padded with zeros. */
export function formatNumber(format: NumberFormat, counter: number): string {
  const year = format.year ? Math.floor(counter / YEAR_BASE) : null;
  const n = format.year ? counter % YEAR_BASE : counter;
  const digits = String(n).padStart(format.padding ?? DEFAULT_PADDING, "0");
  return `${format.prefix ?? ""}${year === null ? "" : `${year}-`}${digits}`;
}
