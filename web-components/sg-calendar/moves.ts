/**
 * What a drag or a resize writes: the calendar's start (and end) field values for the event's new
 * place, in each field's own form. A date field holds the day (an all-day event's exclusive end is
 * the day after its last, so the stored end is one day earlier); a datetime field an instant.
 */
export interface Placed {
  start: Date;
  /** Exclusive end, or null when the event has none. */
  end: Date | null;
  /** FullCalendar's own strings in the calendar's zone (`YYYY-MM-DD` for all-day events). */
  startStr: string;
  endStr: string;
}

export interface MoveFields {
  start: { name: string; type: string };
  end: { name: string; type: string } | null;
}

/** The day before a `YYYY-MM-DD` date (an exclusive end as the last day). */
export function dayBefore(date: string): string {
  const t = Date.parse(`${date.slice(0, 10)}T12:00:00Z`) - 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The PATCH fields for an event placed at `p`; the end is written only when the view has an end field. */
export function moveValues(fields: MoveFields, p: Placed): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields.start.type === "date") out[fields.start.name] = p.startStr.slice(0, 10);
  else out[fields.start.name] = p.start.toISOString();
  if (fields.end && p.end) {
    out[fields.end.name] = fields.end.type === "date" ? dayBefore(p.endStr) : p.end.toISOString();
  }
  return out;
}

/** The start value a new record gets from a clicked slot. */
export function slotValue(type: string, date: Date, dateStr: string): string {
  return type === "date" ? dateStr.slice(0, 10) : date.toISOString();
}
