/**
 * A busy month drawn fast: FullCalendar lays out every event it is given, so a month of thousands of
 * events takes seconds to draw, although a day cell shows only a few. Past `limit` events, a day
 * grid keeps the first `perDay` events of each day (by start, as the server sends them) and one
 * "+N more" entry per day, which opens that day (where its events are few enough to draw at once).
 */
export interface Digest<E> {
  shown: E[];
  /** Day (`YYYY-MM-DD` in the calendar's zone) -> how many of its events are left out. */
  more: Map<string, number>;
}

export function digest<E>(events: E[], dayOf: (e: E) => string, perDay: number, limit: number): Digest<E> {
  if (events.length <= limit) return { shown: events, more: new Map() };
  const kept = new Map<string, number>();
  const more = new Map<string, number>();
  const shown: E[] = [];
  for (const e of events) {
    const day = dayOf(e);
    const n = kept.get(day) ?? 0;
    if (n < perDay) {
      kept.set(day, n + 1);
      shown.push(e);
    } else more.set(day, (more.get(day) ?? 0) + 1);
  }
  return { shown, more };
}

/** The calendar day of an instant in `timeZone`, or the date itself for an all-day start. */
export function dayIn(timeZone: string): (start: string, allDay: boolean) => string {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return (start, allDay) => (allDay ? start.slice(0, 10) : fmt.format(new Date(start)));
}
