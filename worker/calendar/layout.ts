/**
 * A calendar view as a reader sees it, for the events API and published feeds alike: the layout's
 * start, end, title and colour fields they may read, and the view's filter as theirs.
 */
import type { Principal } from "../auth/principal";
import type { FieldMeta, TableMeta } from "../model/types";
import type { ViewMeta } from "../model/views";
import { parseFilter, type FilterNode } from "../query/filter";

export interface ViewLayout {
  start: FieldMeta;
  /** Only an end of the start's type (a date start, a date end). */
  end: FieldMeta | null;
  /** The view's title field, else the table's primary field unless it is a link. */
  title: FieldMeta | null;
  color: FieldMeta | null;
}

/** The layout fields `canRead` allows; null when the start is not a readable date or datetime (nothing to place). */
export function readableLayout(
  view: ViewMeta,
  table: TableMeta,
  canRead: (f: FieldMeta) => boolean,
): ViewLayout | null {
  const l = view.definition.layout ?? {};
  const field = (id: string | undefined) => {
    const f = id ? table.fields.find((x) => x.id === id) : undefined;
    return f && canRead(f) ? f : null;
  };
  const start = field(l.dateField);
  if (!start || (start.type !== "date" && start.type !== "datetime")) return null;
  const end = field(l.endField);
  const primary = table.fields.find((f) => f.id === table.primaryFieldId);
  const title = field(l.titleField) ?? (primary && primary.type !== "link" ? field(primary.id) : null);
  return { start, end: end?.type === start.type ? end : null, title, color: field(l.colorField) };
}

/**
 * The view's filter as `reader` opens it: $user and $today mean them and their day. canOpenView has
 * checked that they may read every field it names.
 */
export function viewFilterFor(view: ViewMeta, table: TableMeta, reader: Principal): FilterNode | null {
  const filter = view.definition.filter;
  if (!filter) return null;
  return parseFilter(
    filter,
    table,
    { canRead: () => true, user: reader.userId, timeZone: reader.timeZone },
    "view/filter",
  );
}
