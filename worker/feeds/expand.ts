/**
 * Rows -> feed events. A plain table's record is one event placed by start, end and title fields. A
 * CalendarSource's record that recurs becomes its series (RRULE, EXDATE, overrides with RECURRENCE-ID,
 * whole), the others the occurrences the source gives in the window. UIDs are fixed per record (an
 * override shares its series' UID, as RFC 5545 wants), per occurrence when a record without a
 * series yields several; SEQUENCE is the record's version, LAST-MODIFIED its updated time.
 */
import { shiftDate } from "../model/dates";
import type { FieldMeta, TableMeta } from "../model/types";
import type { CalendarOccurrence, CalendarRecord } from "../plugins/types";
import type { FeedEvent } from "./ics";
import { decodeValue, endOf, titleText, type PlacedRange, type Row } from "../calendar/placement";
import type { FoundSource } from "../calendar/source";

export interface Expanded {
  events: FeedEvent[];
  truncated: boolean;
}

export function uidOf(table: TableMeta, recordId: number, host: string, occurrence?: string): string {
  return `${table.id}-${recordId}${occurrence ? `-${occurrence.replace(/[^0-9A-Za-z]/g, "")}` : ""}@${host}`;
}

/** Records of a plain table (no CalendarSource), placed by the view's fields. */
export function plainEvents(
  rows: Row[],
  place: { table: TableMeta; start: FieldMeta; end: FieldMeta | null; title: FieldMeta | null },
  host: string,
): FeedEvent[] {
  const allDay = place.start.type === "date";
  const events: FeedEvent[] = [];
  for (const row of rows) {
    const start = decodeValue(row, place.start);
    if (typeof start !== "string") continue;
    events.push({
      uid: uidOf(place.table, row.id as number, host),
      summary: (place.title && titleText(decodeValue(row, place.title))) ?? place.table.label,
      start,
      end: place.end ? endOf(allDay, start, decodeValue(row, place.end)) : null,
      allDay,
      sequence: row.version as number,
      modified: row.updated_at as string,
    });
  }
  return events;
}

/**
 * A CalendarSource's records as events: series whole, other records through `occurrences` in the
 * window; `title` is the key whose value names an event (the view's title field, else the source's).
 */
export async function sourceEvents(
  found: FoundSource,
  records: CalendarRecord[],
  rows: Row[],
  w: PlacedRange,
  budget: number,
  host: string,
  titleKey: string | null,
): Promise<Expanded> {
  const modified = new Map(rows.map((r) => [r.id as number, r.updated_at as string]));
  const label = found.table.label;
  const title = (rec: CalendarRecord, o?: CalendarOccurrence) =>
    (titleKey && o?.values && titleKey in o.values ? titleText(o.values[titleKey]) : null) ??
    (titleKey ? titleText(rec.values[titleKey]) : null) ??
    label;
  const events: FeedEvent[] = [];
  const singles: CalendarRecord[] = [];
  let truncated = false;
  for (const rec of records) {
    const series = found.source.series ? await found.source.series(found.runtime, rec) : null;
    if (!series) {
      singles.push(rec);
      continue;
    }
    if (events.length + 1 + series.overrides.length > budget) {
      truncated = true;
      break;
    }
    const uid = uidOf(found.table, rec.id, host);
    const base = { sequence: rec.version, modified: modified.get(rec.id)!, timeZone: series.timeZone };
    const endOfSeries =
      series.durationMinutes > 0 ? afterMinutes(series.start, series.durationMinutes, series.allDay) : null;
    events.push({
      ...base,
      uid,
      summary: title(rec),
      start: series.start,
      end: endOfSeries,
      allDay: series.allDay,
      rrule: series.rrule,
      exdates: series.exdates,
    });
    for (const o of series.overrides)
      events.push({
        ...base,
        uid,
        summary: title(rec, o),
        start: o.start,
        end: o.end,
        allDay: o.allDay,
        recurrenceId: o.occurrenceOf ?? o.start,
      });
  }
  const left = budget - events.length;
  if (singles.length && left > 0) {
    const out = await found.source.occurrences(found.runtime, singles, { from: w.from, to: w.to }, left);
    truncated ||= out.truncated || out.occurrences.length > left;
    const byId = new Map(singles.map((r) => [r.id, r]));
    const counts = new Map<number, number>();
    for (const o of out.occurrences) counts.set(o.recordId, (counts.get(o.recordId) ?? 0) + 1);
    for (const o of out.occurrences.slice(0, left)) {
      const rec = byId.get(o.recordId);
      if (!rec) continue; // never an event for a record the reader was not given
      events.push({
        uid: uidOf(found.table, rec.id, host, counts.get(rec.id)! > 1 ? o.start : undefined),
        summary: title(rec, o),
        start: o.start,
        end: o.end,
        allDay: o.allDay,
        sequence: rec.version,
        modified: modified.get(rec.id)!,
      });
    }
  } else if (singles.length) truncated = true;
  return { events, truncated };
}

function afterMinutes(start: string, minutes: number, allDay: boolean): string {
  if (!allDay) return new Date(new Date(start).getTime() + minutes * 60_000).toISOString();
  const days = Math.max(1, Math.ceil(minutes / 1440));
  const next = shiftDate(start.slice(0, 10), days);
  return next.ok ? next.value : start;
}
