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
import type { FieldMeta } from "../model/types";
import { canOpenView, type ViewMeta } from "../model/views";
import { parseFilter, type FilterNode } from "../query/filter";
import { plainEvents, sourceEvents } from "./expand";
import type { FeedCalendar } from "./ics";
import { rangeFilter, sourceRecords } from "../calendar/placement";
import { readFeedRows } from "./read";
import { calendarSources } from "../calendar/source";
import { MAX_FEED_EVENTS, type FeedWindow } from "./window";

/** The layout keys a calendar view may carry (endField and titleField are optional). */
interface CalendarLayout {
  dateField?: string;
  endField?: string;
  titleField?: string;
}

export async function viewFeed(
  db: D1Database,
  reg: Registry,
  reader: Principal,
  view: ViewMeta,
  w: FeedWindow,
  host: string,
  at: string,
): Promise<FeedCalendar | null> {
  const d = view.definition;
  const table = findTable(reg, view.tableId);
  if (d.type !== "calendar" || !table || !canOpenView(reader, reg, view)) return null;
  const access = tableAccess(reader, table, reg);
  if (!access.may("read")) return null;
  const layout = (d.layout ?? {}) as CalendarLayout;
  const field = (id: string | undefined): FieldMeta | null => {
    const f = id ? table.fields.find((x) => x.id === id) : undefined;
    return f && access.canRead(f) ? f : null;
  };
  const start = field(layout.dateField);
  if (!start || (start.type !== "date" && start.type !== "datetime")) return null;
  const endField = field(layout.endField);
  const end = endField?.type === start.type ? endField : null;
  const primary = table.fields.find((f) => f.id === table.primaryFieldId);
  const title = field(layout.titleField) ?? (primary && primary.type !== "link" ? field(primary.id) : null);
  // canOpenView has checked that the reader may read every field the view filters on.
  // $user and $today mean the reader and their day, as when the view is opened.
  const viewFilter = d.filter
    ? parseFilter(
        d.filter,
        table,
        { canRead: () => true, user: reader.userId, timeZone: reader.timeZone },
        "view/filter",
      )
    : null;
  const found = (await calendarSources(db, reg, reader, at)).find((s) => s.table.id === table.id) ?? null;
  const candidates = found?.source.candidates?.(found.runtime, { from: w.from, to: w.to }) ?? null;
  const placed = rangeFilter({ start, end }, w);
  const layoutFields = [start, end, title].filter((f): f is FieldMeta => f !== null);
  const select = found
    ? [...new Set([...layoutFields, ...table.fields.filter((f) => access.canRead(f) && found.keys.has(f.id))])]
    : [...new Set(layoutFields)];
  const rows = await readFeedRows(db, {
    table,
    access,
    select,
    start,
    where: [viewFilter, candidates ? ({ kind: "or", children: [placed, candidates] } as FilterNode) : placed],
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
