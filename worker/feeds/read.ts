/**
 * A feed's rows of one table: the reader's read rule AND the feed's own conditions (a view's filter,
 * "mine") AND (start in the window, or a span reaching into it, or a source's candidates), ordered by
 * start then id, at most `limit` + 1 rows: one statement compiled by query/select.
 */
import type { TableAccess } from "../access";
import { typeSpec } from "../model/field-types";
import { column, column2 } from "../model/names";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";
import { compileList } from "../query/select";
import type { FeedWindow } from "./window";

export type Row = Record<string, unknown>;

export interface Placement {
  start: FieldMeta;
  end: FieldMeta | null;
}

const cond = (field: FieldMeta, op: "gte" | "lt" | "gt", value: string): FilterNode => ({
  kind: "cond",
  field,
  op,
  value: typeSpec(field.type).encodeOperand(value, field),
});

/** Start in [from, to), or (with an end) a span that began earlier and ends inside or after `from`. */
export function windowFilter(p: Placement, w: FeedWindow): FilterNode {
  const allDay = p.start.type === "date";
  const from = allDay ? w.fromDate : w.from;
  const to = allDay ? w.toDate : w.to;
  const inside: FilterNode = { kind: "and", children: [cond(p.start, "gte", from), cond(p.start, "lt", to)] };
  if (!p.end) return inside;
  const spans: FilterNode = {
    kind: "and",
    children: [cond(p.start, "lt", from), cond(p.end, allDay ? "gte" : "gt", from)],
  };
  return { kind: "or", children: [inside, spans] };
}

export async function readFeedRows(
  db: D1Database,
  input: {
    table: TableMeta;
    access: TableAccess;
    select: FieldMeta[];
    start: FieldMeta;
    where: (FilterNode | null)[];
    limit: number;
  },
): Promise<Row[]> {
  const parts = input.where.filter((w): w is FilterNode => w !== null);
  const stmt = compileList({
    table: input.table,
    select: input.select,
    filter: parts.length ? { kind: "and", children: parts } : null,
    rowFilter: input.access.rowFilter("read"),
    sort: [{ field: input.start, desc: false }],
    limit: input.limit,
  });
  return (
    await db
      .prepare(stmt.sql)
      .bind(...stmt.params)
      .all<Row>()
  ).results;
}

export function decodeValue(row: Row, f: FieldMeta): unknown {
  const spec = typeSpec(f.type);
  return spec.decode(spec.columns === 2 ? [row[column(f.id)], row[column2(f.id)]] : [row[column(f.id)]], f);
}
