/**
 * What a feed holds: events from 90 days back to a year ahead (a recurring series whole, as its
 * RRULE), at most MAX_FEED_EVENTS in all, so a feed's cost is bounded whatever the tables hold.
 */
import type { PlacedRange } from "../calendar/placement";
import { shiftDate } from "../model/dates";

export const WINDOW_DAYS_BACK = 90;
export const WINDOW_DAYS_AHEAD = 365;
export const MAX_FEED_EVENTS = 5000;

/** The window as instants and dates, [from, to). */
export function feedWindow(now: Date): PlacedRange {
  const today = now.toISOString().slice(0, 10);
  const fromDate = (shiftDate(today, -WINDOW_DAYS_BACK) as { value: string }).value;
  const toDate = (shiftDate(today, WINDOW_DAYS_AHEAD) as { value: string }).value;
  return { from: `${fromDate}T00:00:00.000Z`, to: `${toDate}T00:00:00.000Z`, fromDate, toDate };
}
