/**
 * A user's personal feed: for every enabled plugin table whose CalendarSource says which records are
 * the user's own (`personal`), those records as the user may read them now (their read rule, their
 * readable fields only), placed by the source's fields, series whole, others in the window.
 */
import { tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import type { Registry } from "../model/registry";
import type { FieldMeta } from "../model/types";
import { sourceEvents } from "./expand";
import type { FeedCalendar, FeedEvent } from "./ics";
import { placedFilter, placedSelect, sourceRecords, type PlacedRange } from "../calendar/placement";
import { readFeedRows } from "./read";
import { calendarSources } from "../calendar/source";
import { MAX_FEED_EVENTS } from "./window";

export async function personalFeed(
  db: D1Database,
  reg: Registry,
  reader: Principal,
  w: PlacedRange,
  host: string,
  at: string,
): Promise<FeedCalendar> {
  const events: FeedEvent[] = [];
  let truncated = false;
  for (const found of await calendarSources(db, reg, reader, at)) {
    const mine = found.source.personal?.(found.runtime) ?? null;
    if (!mine) continue;
    const access = tableAccess(reader, found.table, reg);
    if (!access.may("read")) continue;
    const field = (key: string | undefined): FieldMeta | null => {
      const f = key ? found.bound.maybeField(key) : null;
      return f && access.canRead(f) ? f : null;
    };
    const start = field(found.source.fields.start);
    if (!start || (start.type !== "date" && start.type !== "datetime")) continue;
    const end = field(found.source.fields.end);
    const budget = MAX_FEED_EVENTS - events.length;
    if (budget <= 0) {
      truncated = true;
      break;
    }
    const placed = placedFilter({ start, end: end?.type === start.type ? end : null }, w, found);
    const select = placedSelect([], found, (f) => access.canRead(f));
    const rows = await readFeedRows(db, {
      table: found.table,
      access,
      select,
      start,
      where: [mine, placed],
      limit: budget,
    });
    const cut = rows.length > budget;
    const page = cut ? rows.slice(0, budget) : rows;
    const titleKey = field(found.source.fields.title) ? found.source.fields.title : null;
    const out = await sourceEvents(found, sourceRecords(found, page, select), page, w, budget, host, titleKey);
    events.push(...out.events);
    truncated ||= cut || out.truncated;
  }
  return { name: reader.name, events, truncated };
}
