/**
 * Compiles a record read: selected fields, filter AND row filter AND search AND keyset cursor,
 * ordered by the sort keys then id, into one parameterised statement.
 *
 * Ordering follows SQLite: NULL sorts before every value ascending and after every value descending.
 * The keyset condition spells that out per key, so ties and NULLs never skip or repeat a row.
 */
import { AppError, badRequest } from "../errors";
import { typeSpec } from "../model/field-types";
import { column, column2, q } from "../model/names";
import type { FieldMeta, TableMeta } from "../model/types";
import { Columns } from "./columns";
import { compileFilter, type FilterNode } from "./filter";
import { likeEscape, MAX_PARAMS, Params } from "./params";
import type { Stmt } from "../db/batch";

export interface SortKey {
  field: FieldMeta;
  desc: boolean;
}

export interface ReadQuery {
  table: TableMeta;
  /** Fields whose values are returned. */
  select: FieldMeta[];
  filter?: FilterNode | null;
  /** The caller's row rule, from access; same language as filters. */
  rowFilter?: FilterNode | null;
  /** Full-text search over these fields. */
  search?: { text: string; fields: FieldMeta[] } | null;
  sort?: SortKey[];
  /** Values of the last row of the previous page: one per sort key, then its id. */
  after?: unknown[] | null;
  limit?: number;
  /** Rows to skip (a grid jumping to row N); costs a scan of the skipped rows, hence capped by the caller. */
  offset?: number;
  /**
   * A constant expression returned on every row as column `probe` (SQLite evaluates it once): lets a
   * caller check something else in the same statement. Built by the caller from trusted SQL, its
   * values bound through `param`.
   */
  probe?: (param: (value: unknown) => string) => string;
}

/** The column a ReadQuery's probe is returned in. */
export const PROBE_COLUMN = "probe";

export const MAX_SORT_KEYS = 5;
/** D1 returns at most 100 columns per row; wider selections are read in groups and merged by id. */
export const MAX_RESULT_COLUMNS = 100;
const SYSTEM_RESULT_COLUMNS = 6;

/** Result columns a selection needs (links one each, currency two). */
export function resultColumns(fields: FieldMeta[]): number {
  return SYSTEM_RESULT_COLUMNS + fields.reduce((n, f) => n + Math.max(1, typeSpec(f.type).columns), 0);
}

/** Splits fields into groups that each fit in one result row. */
export function columnGroups(fields: FieldMeta[]): FieldMeta[][] {
  const groups: FieldMeta[][] = [[]];
  let width = SYSTEM_RESULT_COLUMNS;
  for (const f of fields) {
    const w = Math.max(1, typeSpec(f.type).columns);
    if (width + w > MAX_RESULT_COLUMNS) {
      groups.push([]);
      width = SYSTEM_RESULT_COLUMNS;
    }
    groups[groups.length - 1]!.push(f);
    width += w;
  }
  return groups;
}

/** Parses `-amount,name` into sort keys over fields the caller may read. */
export function parseSort(raw: string, table: TableMeta, canRead: (f: FieldMeta) => boolean): SortKey[] {
  const parts = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length > MAX_SORT_KEYS) throw badRequest("sort", `Sort by at most ${MAX_SORT_KEYS} fields`, "too_many");
  const seen = new Set<string>();
  return parts.map((part) => {
    const desc = part.startsWith("-");
    const name = desc ? part.slice(1) : part.replace(/^\+/, "");
    const field = table.fields.find((f) => (f.id === name || f.name === name) && canRead(f));
    if (!field) {
      throw new AppError("unknown_field", `Cannot sort by unknown field ${JSON.stringify(name.slice(0, 64))}`, [
        { field: "sort", code: "unknown_field", message: `No field ${JSON.stringify(name.slice(0, 64))}` },
      ]);
    }
    if (!typeSpec(field.type).sortable)
      throw badRequest("sort", `${field.type} field ${field.name} cannot be sorted`, "not_sortable");
    if (seen.has(field.id)) throw badRequest("sort", `Field ${field.name} appears twice in sort`, "duplicate");
    seen.add(field.id);
    return { field, desc };
  });
}

const SYSTEM =
  "s0.id AS id, s0.version AS version, s0.created_at AS created_at, s0.created_by AS created_by, s0.updated_at AS updated_at, s0.updated_by AS updated_by";

function selectList(cols: Columns, fields: FieldMeta[]): string {
  const parts = [SYSTEM];
  for (const f of fields) {
    if (f.type === "link") parts.push(`${cols.linkValues(f)} AS ${q(column(f.id))}`);
    else {
      parts.push(`${cols.ref(f)} AS ${q(column(f.id))}`);
      if (typeSpec(f.type).columns === 2) parts.push(`${cols.ref2(f)} AS ${q(column2(f.id))}`);
    }
  }
  return parts.join(", ");
}

/** filter AND row filter AND search, shared by lists, counts and aggregates. */
export function whereParts(query: ReadQuery, cols: Columns, params: Params): string[] {
  const where: string[] = [];
  if (query.rowFilter) where.push(compileFilter(query.rowFilter, cols, params));
  if (query.filter) where.push(compileFilter(query.filter, cols, params));
  if (query.search && query.search.fields.length > 0) {
    const pattern = params.add(`%${likeEscape(query.search.text)}%`);
    // multi_select holds a JSON array: match its choices, not the JSON punctuation.
    const match = (f: FieldMeta) =>
      f.type === "multi_select"
        ? `EXISTS (SELECT 1 FROM json_each(${cols.ref(f)}) WHERE value LIKE ${pattern} ESCAPE '\\')`
        : `${cols.ref(f)} LIKE ${pattern} ESCAPE '\\'`;
    where.push(`(${query.search.fields.map(match).join(" OR ")})`);
  } else if (query.search) {
    where.push("0");
  }
  return where;
}

function checkParams(params: Params): void {
  if (params.values.length > MAX_PARAMS) {
    throw badRequest(
      "filter",
      `The query needs ${params.values.length} values; simplify the filter (limit ${MAX_PARAMS})`,
      "too_complex",
    );
  }
}

export function compileList(query: ReadQuery): Stmt {
  const cols = new Columns(query.table);
  const params = new Params();
  const sort = query.sort ?? [];
  const list = selectList(cols, query.select);
  const where = whereParts(query, cols, params);
  const keys = sort.map((k) => ({ expr: cols.ref(k.field), desc: k.desc }));
  // The id tie-break follows the last key's direction so a one-column index serves the ORDER BY.
  const idDesc = sort.length > 0 ? sort[sort.length - 1]!.desc : false;
  if (query.after) where.push(keyset([...keys, { expr: "s0.id", desc: idDesc }], query.after, params));
  const order = [...keys.map((k) => `${k.expr} ${k.desc ? "DESC" : "ASC"}`), `s0.id ${idDesc ? "DESC" : "ASC"}`].join(
    ", ",
  );
  const limit = params.add((query.limit ?? 50) + 1);
  const offset = query.offset ? ` OFFSET ${params.add(query.offset)}` : "";
  const probe = query.probe ? `, (${query.probe((v) => params.add(v))}) AS ${PROBE_COLUMN}` : "";
  checkParams(params);
  const sql = `SELECT ${list}${probe} FROM ${cols.from()}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ${limit}${offset}`;
  return { sql, params: params.values };
}

export function compileCount(query: ReadQuery): Stmt {
  const cols = new Columns(query.table);
  const params = new Params();
  const where = whereParts(query, cols, params);
  checkParams(params);
  return {
    sql: `SELECT COUNT(*) AS n FROM ${cols.from()}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`,
    params: params.values,
  };
}

/** Rows strictly after `values` in the (expr, desc) order, NULLs first ascending. */
function keyset(keys: { expr: string; desc: boolean }[], values: unknown[], params: Params): string {
  const ors: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const ands: string[] = [];
    for (let j = 0; j < i; j++) ands.push(equalTo(keys[j]!.expr, values[j], params));
    const after = afterValue(keys[i]!, values[i], params);
    if (after === null) continue;
    ands.push(after);
    ors.push(`(${ands.join(" AND ")})`);
  }
  const first = keys[0]!;
  // A redundant bound on the first key lets SQLite seek the index instead of scanning to the cursor.
  const bound = values[0] !== null && !first.desc ? `${first.expr} >= ${params.add(values[0])} AND ` : "";
  return ors.length ? `${bound}(${ors.join(" OR ")})` : "0";
}

function equalTo(expr: string, v: unknown, params: Params): string {
  return v === null ? `${expr} IS NULL` : `${expr} = ${params.add(v)}`;
}

function afterValue(key: { expr: string; desc: boolean }, v: unknown, params: Params): string | null {
  if (!key.desc) return v === null ? `${key.expr} IS NOT NULL` : `${key.expr} > ${params.add(v)}`;
  return v === null ? null : `(${key.expr} < ${params.add(v)} OR ${key.expr} IS NULL)`;
}

export function compileGet(table: TableMeta, select: FieldMeta[], ids: number[], rowFilter?: FilterNode | null): Stmt {
  const cols = new Columns(table);
  const params = new Params();
  const list = selectList(cols, select);
  const where = [`s0.id IN (SELECT value FROM json_each(${params.add(JSON.stringify(ids))}))`];
  if (rowFilter) where.push(compileFilter(rowFilter, cols, params));
  return {
    sql: `SELECT ${list} FROM ${cols.from()} WHERE ${where.join(" AND ")} ORDER BY s0.id`,
    params: params.values,
  };
}
