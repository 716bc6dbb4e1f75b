/**
 * Compiles a calendar's read: the records whose start (or span) falls in a range, under the caller's
 * row rule and the view's filter, ordered by start then id, with a per-row `editable` flag (the
 * caller's update rule tested in the same statement), as one parameterised statement.
 */
import type { Stmt } from "../db/batch";
import { typeSpec } from "../model/field-types";
import { column, column2, q } from "../model/names";
import type { FieldMeta, TableMeta } from "../model/types";
import { Columns } from "./columns";
import { compileFilter, type FilterNode } from "./filter";
import { MAX_PARAMS, Params } from "./params";
import { badRequest } from "../errors";

export interface EventsQuery {
  table: TableMeta;
  /** Fields returned (scalar fields; links come back as a JSON array of ids). */
  select: FieldMeta[];
  start: FieldMeta;
  /** The caller's read rule, the view's (and an embed's) filter, the range: AND-ed. */
  where: (FilterNode | null)[];
  /** Rows the caller may update: null = none may be, "all" = every row, else the update rule. */
  editable: FilterNode | "all" | null;
  limit: number;
}

/** The column `editable` comes back in (1 or 0). */
export const EDITABLE_COLUMN = "editable";

export function compileEvents(query: EventsQuery): Stmt {
  const cols = new Columns(query.table);
  const params = new Params();
  const parts = ["s0.id AS id", "s0.version AS version"];
  for (const f of query.select) {
    if (f.type === "link") parts.push(`${cols.linkValues(f)} AS ${q(column(f.id))}`);
    else {
      parts.push(`${cols.ref(f)} AS ${q(column(f.id))}`);
      if (typeSpec(f.type).columns === 2) parts.push(`${cols.ref2(f)} AS ${q(column2(f.id))}`);
    }
  }
  const editable =
    query.editable === null
      ? "0"
      : query.editable === "all"
        ? "1"
        : `CASE WHEN ${compileFilter(query.editable, cols, params)} THEN 1 ELSE 0 END`;
  parts.push(`${editable} AS ${EDITABLE_COLUMN}`);
  const where = query.where.filter((w): w is FilterNode => w !== null).map((w) => compileFilter(w, cols, params));
  const limit = params.add(query.limit + 1);
  if (params.values.length > MAX_PARAMS)
    throw badRequest("filter", `The calendar's query needs too many values (limit ${MAX_PARAMS})`, "too_complex");
  const sql =
    `SELECT ${parts.join(", ")} FROM ${cols.from()}` +
    (where.length ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY ${cols.ref(query.start)} ASC, s0.id ASC LIMIT ${limit}`;
  return { sql, params: params.values };
}
