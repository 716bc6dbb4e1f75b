/**
 * A calendar view's events for a range, under the caller's access (an embed's narrowing included):
 * the view's records whose start, or span from start to end, reaches [from, to), at most `limit`
 * with a `truncated` flag. A plain table is one D1 statement. When a plugin gives the table a
 * CalendarSource, its `candidates` (a series that began earlier) are OR-ed into the range and its
 * `occurrences` expand the records into the events of the range. The reply's shape is
 * schemas/calendar-events.schema.json (the OpenAPI document and <sg-calendar> use it too).
 */
import { callerAccess, requireOperation, type TableAccess } from "../access";
import { AppError, badRequest, notFound } from "../errors";
import { column } from "../model/names";
import { findTable } from "../model/registry";
import type { CalendarEvent, CalendarEvents } from "../../schemas/types";
import type { FieldMeta, TableMeta } from "../model/types";
import type { ViewMeta } from "../model/views";
import { compileEvents, EDITABLE_COLUMN } from "../query/events";
import type { ReadContext } from "../records/read";
import {
  decodeValue,
  endOf,
  placedFilter,
  placedSelect,
  sourceRecords,
  titleText,
  type PlacedRange,
} from "./placement";
import { readableLayout, viewFilterFor, type ViewLayout } from "./layout";
import { calendarSourceFor, type FoundSource } from "./source";
import { parseRange } from "./range";

/** Enough for a busy month (the bench shows 5,000 in a month); past it the reply says `truncated`. */
export const MAX_EVENTS = 5000;

export interface EventsQueryParams {
  from?: string;
  to?: string;
  limit?: string;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return MAX_EVENTS;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_EVENTS)
    throw badRequest("limit", `limit is a whole number from 1 to ${MAX_EVENTS}`, "range");
  return Number(raw);
}

/** The view's layout fields the caller may read; an unreadable start has no events to give. */
function layoutOf(view: ViewMeta, table: TableMeta, access: TableAccess): ViewLayout {
  if (view.definition.type !== "calendar")
    throw badRequest("view", `View ${view.name} is a ${view.definition.type}, not a calendar`, "not_calendar");
  const layout = readableLayout(view, table, (f) => access.canRead(f));
  if (!layout) throw new AppError("forbidden", `You may not read the field that places the events of ${view.name}`);
  return layout;
}

function colorOf(f: FieldMeta | null, v: unknown): string | null {
  if (!f || typeof v !== "string") return null;
  return f.options.choices?.find((c) => c.name === v)?.color ?? null;
}

export async function calendarEvents(
  ctx: ReadContext,
  view: ViewMeta,
  params: EventsQueryParams,
): Promise<CalendarEvents> {
  const table = findTable(ctx.reg, view.tableId);
  if (!table) throw notFound(`Table of view ${view.name}`, "view");
  const access = callerAccess(ctx, table);
  requireOperation(access, "read");
  const l = layoutOf(view, table, access);
  const range = parseRange(params.from, params.to);
  const limit = parseLimit(params.limit);
  const source = await calendarSourceFor(ctx, table);
  const viewFilter = viewFilterFor(view, table, ctx.principal);
  const where = [access.rowFilter("read"), viewFilter, placedFilter(l, range, source)];
  const movable = access.may("update") && access.canWrite(l.start) && (!l.end || access.canWrite(l.end));
  const editable = movable ? (access.rowFilter("update") ?? "all") : null;
  // A plugin's occurrences see the record's readable values by key; a plain table only its layout.
  const select = placedSelect([l.start, l.end, l.title, l.color], source, (f) => access.canRead(f));
  const stmt = compileEvents({ table, select, start: l.start, where, editable, limit });
  // Read as arrays (no per-row objects in the D1 client), then one plain loop makes the rows.
  const raw = await ctx.db
    .prepare(stmt.sql)
    .bind(...stmt.params)
    .raw({ columnNames: true });
  const names = (raw[0] ?? []) as string[];
  const rows: Record<string, unknown>[] = new Array(Math.max(0, raw.length - 1));
  for (let r = 1; r < raw.length; r++) {
    const values = raw[r]!;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    rows[r - 1] = row;
  }
  const truncated = rows.length > limit;
  const page = truncated ? rows.slice(0, limit) : rows;
  if (source) return expand(source, l, page, range, limit, truncated, select);
  const events: CalendarEvent[] = [];
  for (const row of page) {
    const start = row[column(l.start.id)];
    if (typeof start !== "string") continue;
    events.push({
      record: row.id as number,
      version: row.version as number,
      occurrence: null,
      start,
      end: l.end ? endOf(l.start.type === "date", start, row[column(l.end.id)]) : null,
      allDay: l.start.type === "date",
      title: l.title ? titleText(decodeValue(row, l.title)) : null,
      color: colorOf(l.color, row[l.color ? column(l.color.id) : ""]),
      editable: row[EDITABLE_COLUMN] === 1,
    });
  }
  return { events, truncated };
}

/** The records of a CalendarSource's table expanded into their occurrences in the range. */
async function expand(
  found: FoundSource,
  l: ViewLayout,
  rows: Record<string, unknown>[],
  range: PlacedRange,
  limit: number,
  truncatedRows: boolean,
  select: FieldMeta[],
): Promise<CalendarEvents> {
  const records = sourceRecords(found, rows, select);
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  const out = await found.source.occurrences(found.runtime, records, { from: range.from, to: range.to }, limit);
  const key = (f: FieldMeta | null) => (f ? found.keys.get(f.id) : undefined);
  const events: CalendarEvent[] = [];
  for (const o of out.occurrences.slice(0, limit)) {
    const row = byId.get(o.recordId);
    if (!row) continue; // never an event for a record the caller was not given
    const titleKey = key(l.title);
    const colorKey = key(l.color);
    const title =
      titleKey && o.values && titleKey in o.values
        ? titleText(o.values[titleKey])
        : l.title
          ? titleText(decodeValue(row, l.title))
          : null;
    const colorValue =
      colorKey && o.values && colorKey in o.values ? o.values[colorKey] : l.color ? row[column(l.color.id)] : null;
    events.push({
      record: o.recordId,
      version: row.version as number,
      occurrence: o.occurrenceOf,
      start: o.start,
      end: o.end,
      allDay: o.allDay,
      title,
      color: colorOf(l.color, colorValue),
      editable: row[EDITABLE_COLUMN] === 1,
    });
  }
  return { events, truncated: truncatedRows || out.truncated || out.occurrences.length > limit };
}
