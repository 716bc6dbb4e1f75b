/**
 * A feed's rows of one table: the reader's read rule AND the feed's own conditions (a view's filter,
 * "mine") AND (start in the window, or a span reaching into it, or a source's candidates), ordered by
 * start then id, at most `limit` + 1 rows: one statement compiled by query/select.
 */
import type { TableAccess } from "../access";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";
import { compileList } from "../query/select";
import type { Row } from "../calendar/placement";
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
