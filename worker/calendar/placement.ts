/**
 * How records become events, for calendars and feeds alike: the filter that places a record in a
 * range by its start (or its span to an end), the exclusive end of an event, a title's text, a
 * stored value decoded, and a CalendarSource's records built from rows by the plugin's keys.
 */
import { shiftDate } from "../model/dates";
import { typeSpec } from "../model/field-types";
import { column, column2 } from "../model/names";
import type { FieldMeta } from "../model/types";
import type { CalendarRecord } from "../plugins/types";
import type { FilterNode } from "../query/filter";
import type { FoundSource } from "./source";

export type Row = Record<string, unknown>;

/**
 * A range both as instants (datetime fields) and dates (date fields), [from, to): a calendar's
 * (`range.ts`) and a feed's window (`feeds/window.ts`) alike.
 */
export interface PlacedRange {
  /** Instants, ISO 8601 UTC (as datetime fields are stored). */
  from: string;
  to: string;
  /** Dates, `YYYY-MM-DD`; `toDate` exclusive. */
  fromDate: string;
  toDate: string;
}

const cond = (field: FieldMeta, op: "gte" | "lt" | "gt", value: string): FilterNode => ({
  kind: "cond",
  field,
  op,
  value: typeSpec(field.type).encodeOperand(value, field),
});

/** Start in [from, to), or (with an end) a span that began earlier and reaches `from`. */
export function rangeFilter(p: { start: FieldMeta; end: FieldMeta | null }, r: PlacedRange): FilterNode {
  const allDay = p.start.type === "date";
  const from = allDay ? r.fromDate : r.from;
  const to = allDay ? r.toDate : r.to;
  const inside: FilterNode = { kind: "and", children: [cond(p.start, "gte", from), cond(p.start, "lt", to)] };
  if (!p.end) return inside;
  // A date end is the last day, inclusive: it reaches the range when it is on or after `from`.
  const spans: FilterNode = {
    kind: "and",
    children: [cond(p.start, "lt", from), cond(p.end, allDay ? "gte" : "gt", from)],
  };
  return { kind: "or", children: [inside, spans] };
}

/**
 * What a read for a range selects: the range filter, OR-ed with a CalendarSource's `candidates` (a
 * series that began earlier) when the table has one.
 */
export function placedFilter(
  p: { start: FieldMeta; end: FieldMeta | null },
  r: PlacedRange,
  found: FoundSource | null,
): FilterNode {
  const placed = rangeFilter(p, r);
  const candidates = found?.source.candidates?.(found.runtime, { from: r.from, to: r.to }) ?? null;
  return candidates ? { kind: "or", children: [placed, candidates] } : placed;
}

/** The fields a read selects: the layout's, and with a source every readable field it has a key for. */
export function placedSelect(
  layout: (FieldMeta | null)[],
  found: FoundSource | null,
  canRead: (f: FieldMeta) => boolean,
): FieldMeta[] {
  const own = layout.filter((f): f is FieldMeta => f !== null);
  const keyed = found ? found.table.fields.filter((f) => canRead(f) && found.keys.has(f.id)) : [];
  return [...new Set([...own, ...keyed])];
}

/** An exclusive end: a date end is the last day (inclusive), so the next day; an end before the start is none. */
export function endOf(allDay: boolean, start: string, v: unknown): string | null {
  if (typeof v !== "string" || v < start) return null;
  if (!allDay) return v === start ? null : v;
  const next = shiftDate(v, 1);
  return next.ok ? next.value : null;
}

/** A title field's value as text; none for an empty one or a value that is not text, a number or yes/no. */
export function titleText(v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/** A field's stored value, decoded as the API answers it. */
export function decodeValue(row: Row, f: FieldMeta): unknown {
  const spec = typeSpec(f.type);
  return spec.decode(spec.columns === 2 ? [row[column(f.id)], row[column2(f.id)]] : [row[column(f.id)]], f);
}

/** A source's records as CalendarRecords: the selected (readable) values only, by the plugin's keys. */
export function sourceRecords(found: FoundSource, rows: Row[], select: FieldMeta[]): CalendarRecord[] {
  return rows.map((row) => {
    const values: Record<string, unknown> = {};
    for (const f of select) {
      const key = found.keys.get(f.id);
      if (key) values[key] = decodeValue(row, f);
    }
    return { id: row.id as number, version: row.version as number, values };
  });
}
