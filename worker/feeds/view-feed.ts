/**
 * A published calendar view as a feed, read as the admin who published it, as they may read it now:
 * their read rule and readable fields, the view's filter, placed by the view's start, end and title
 * fields (the table's primary field when the view names no title). A table with a CalendarSource
 * gives its series whole and its other records' occurrences in the window. Null when the view cannot
 * be served (not a calendar, table gone, the publisher may no longer open it or read its start).
 */
import { tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { findTable, type Registry } from "../model/registry";
import { canOpenView, type ViewMeta } from "../model/views";
import { plainEvents, sourceEvents } from "./expand";
import type { FeedCalendar } from "./ics";
import { placedFilter, placedSelect, sourceRecords, type PlacedRange } from "../calendar/placement";
import { readFeedRows } from "./read";
import { readableLayout, viewFilterFor } from "../calendar/layout";
import { calendarSources } from "../calendar/source";
import { MAX_FEED_EVENTS } from "./window";

export async function viewFeed(
  db: D1Database,
  reg: Registry,
  reader: Principal,
  view: ViewMeta,
  w: PlacedRange,
  host: string,
  at: string,
): Promise<FeedCalendar | null> {
  const d = view.definition;
  const table = findTable(reg, view.tableId);
  if (d.type !== "calendar" || !table || !canOpenView(reader, reg, view)) return null;
  const access = tableAccess(reader, table, reg);
  if (!access.may("read")) return null;
  const layout = readableLayout(view, table, (f) => access.canRead(f));
  if (!layout) return null;
  const { start, end, title } = layout;
  const viewFilter = viewFilterFor(view, table, reader);
  const found = (await calendarSources(db, reg, reader, at)).find((s) => s.table.id === table.id) ?? null;
  const select = placedSelect([start, end, title], found, (f) => access.canRead(f));
  const rows = await readFeedRows(db, {
    table,
    access,
    select,
    start,
    where: [viewFilter, placedFilter({ start, end }, w, found)],
    limit: MAX_FEED_EVENTS,
  });
  const cut = rows.length > MAX_FEED_EVENTS;
  const page = cut ? rows.slice(0, MAX_FEED_EVENTS) : rows;
  const name = d.label || view.name;
  if (!found) return { name, events: plainEvents(page, { table, start, end, title }, host), truncated: cut };
  const titleKey = title ? (found.keys.get(title.id) ?? null) : null;
  const out = await sourceEvents(found, sourceRecords(found, page, select), page, w, MAX_FEED_EVENTS, host, titleKey);
  return { name, events: out.events, truncated: cut || out.truncated };
}
