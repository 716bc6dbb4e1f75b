/**
 * Aggregates: parse a request (schemas/aggregate.schema.json, then fields the caller may use and
 * the types each operation allows) and compile it to ONE parameterised statement.
 *
 * The statement has two levels. The inner query groups the rows (row filter AND filter AND search)
 * by the group keys and, for every currency field measured, by its currency code too, so amounts of
 * different currencies are never added. The outer query folds those partial groups back into one
 * row per key (counts and sums add up, minima and maxima fold) and carries each currency's partial
 * sums as a JSON array of exact integers (as text, so nothing passes through a double), then sorts
 * and limits the groups. Every aggregate is decomposable this way, so the result equals aggregating
 * the visible rows directly.
 */
import aggregateSchema from "../../schemas/aggregate.schema.json";
import type { AggregateInput } from "../../schemas/types";
import { AppError, badRequest, invalid } from "../errors";
import { DEFAULT_CURRENCY } from "../model/money";
import type { FieldMeta, FieldType, TableMeta } from "../model/types";
import { validate } from "../model/validate";
import { Columns } from "./columns";
import { parseFilter, type FilterNode } from "./filter";
import { MAX_PARAMS, Params } from "./params";
import type { Stmt } from "../db/batch";
import { whereParts } from "./select";

export type Bucket = "day" | "week" | "month" | "quarter" | "year";
export type MeasureOp = "count" | "sum" | "avg" | "min" | "max";

export interface GroupKey {
  field: FieldMeta;
  /** Date and datetime keys are always bucketed (day by default); null for other types. */
  by: Bucket | null;
}

export interface Measure {
  op: MeasureOp;
  field: FieldMeta | null;
  /** `count` or `op:fieldName`: the measure's key in the reply. */
  name: string;
}

export interface AggregateSort {
  kind: "key" | "measure";
  /** Index into groupBy or measures. */
  index: number;
  desc: boolean;
}

export interface AggregateRequest {
  groupBy: GroupKey[];
  measures: Measure[];
  filter: FilterNode | null;
  q: string | null;
  sort: AggregateSort[];
  limit: number;
  totals: boolean;
}

export interface AggregateQuery {
  table: TableMeta;
  groupBy: GroupKey[];
  measures: Measure[];
  filter: FilterNode | null;
  /** The caller's row rule, from access. */
  rowFilter: FilterNode | null;
  search: { text: string; fields: FieldMeta[] } | null;
  sort: AggregateSort[];
  /** Groups to return (one more is fetched to tell whether there are more); null for totals. */
  limit: number | null;
}

export const MAX_GROUP_KEYS = 3;
/** The filter is checked by parseFilter, which names the exact condition at fault (as for lists). */
const BODY_SCHEMA = { ...aggregateSchema, properties: { ...aggregateSchema.properties, filter: {} } };
export const DEFAULT_GROUP_LIMIT = 1000;

const GROUPABLE = new Set<FieldType>([
  "single_select",
  "user",
  "checkbox",
  "text",
  "email",
  "phone",
  "url",
  "date",
  "datetime",
]);
const BUCKETED = new Set<FieldType>(["date", "datetime"]);
const SUMMABLE = new Set<FieldType>(["number", "currency", "percent", "rating", "decimal"]);
const ORDERED = new Set<FieldType>([...SUMMABLE, "autonumber", "date", "datetime"]);
const ALLOWED: Record<Exclude<MeasureOp, "count">, Set<FieldType>> = {
  sum: SUMMABLE,
  avg: SUMMABLE,
  min: ORDERED,
  max: ORDERED,
};

function unknownField(table: TableMeta, ref: string, path: string): AppError {
  const shown = JSON.stringify(ref.slice(0, 64));
  return new AppError("unknown_field", `Table ${table.name} has no field ${shown}`, [
    { field: path, code: "unknown_field", message: `No field ${shown}` },
  ]);
}

/**
 * Checks a request body. `canUse` says which fields the caller may group, measure, filter and
 * search on; others are unknown to them, as in the records list (a hidden field does not exist).
 */
export function parseAggregate(
  body: unknown,
  table: TableMeta,
  canUse: (f: FieldMeta) => boolean,
  /** The caller's id, for `$user` in the filter (query/filter.ts ParseOptions.user). */
  user?: string,
  /** The caller's time zone, for `{"$today": n}` (ParseOptions.timeZone). */
  timeZone?: string,
): AggregateRequest {
  const errors = validate(BODY_SCHEMA, body, "");
  if (errors.length) throw invalid(errors, "The aggregate request is invalid");
  const input = body as AggregateInput;
  const field = (ref: string, path: string): FieldMeta => {
    const f = table.fields.find((x) => (x.id === ref || x.name === ref) && canUse(x));
    if (!f) throw unknownField(table, ref, path);
    return f;
  };

  const groupBy = (input.groupBy ?? []).map((g, i): GroupKey => {
    const path = typeof g === "string" ? `groupBy/${i}` : `groupBy/${i}/field`;
    const f = field(typeof g === "string" ? g : g.field, path);
    if (!GROUPABLE.has(f.type))
      throw badRequest(
        path,
        `${f.type} field ${f.name} cannot be a group key; group by ${[...GROUPABLE].join(", ")}`,
        "not_groupable",
      );
    const by = typeof g === "string" ? undefined : g.by;
    if (by && !BUCKETED.has(f.type))
      throw badRequest(
        `groupBy/${i}/by`,
        `Only date and datetime fields are bucketed; ${f.name} is ${f.type}`,
        "not_bucketable",
      );
    return { field: f, by: BUCKETED.has(f.type) ? (by ?? "day") : null };
  });
  groupBy.forEach((g, i) => {
    if (groupBy.findIndex((x) => x.field.id === g.field.id) !== i)
      throw badRequest(`groupBy/${i}`, `Field ${g.field.name} is grouped on twice`, "duplicate");
  });

  const measures = input.measures.map((m, i): Measure => {
    if (m.op === "count") return { op: "count", field: null, name: "count" };
    const f = field(m.field!, `measures/${i}/field`);
    if (!ALLOWED[m.op].has(f.type)) {
      throw badRequest(
        `measures/${i}/op`,
        `${m.op} does not apply to ${f.type} field ${f.name}; ${m.op} takes ${[...ALLOWED[m.op]].join(", ")}`,
        "operator_not_allowed",
      );
    }
    return { op: m.op, field: f, name: `${m.op}:${f.name}` };
  });
  measures.forEach((m, i) => {
    if (measures.findIndex((x) => x.name === m.name) !== i)
      throw badRequest(`measures/${i}`, `Measure ${m.name} is asked for twice`, "duplicate");
  });

  const filter =
    input.filter !== undefined ? parseFilter(input.filter, table, { canRead: canUse, user, timeZone }) : null;

  const sort = (input.sort ?? []).map((s, i): AggregateSort => {
    const desc = s.direction === "desc";
    if ("key" in s) {
      const index = groupBy.findIndex((g) => g.field.name === s.key || g.field.id === s.key);
      if (index < 0)
        throw badRequest(
          `sort/${i}/key`,
          `${JSON.stringify(s.key.slice(0, 64))} is not one of the group keys`,
          "unknown_key",
        );
      return { kind: "key", index, desc };
    }
    const index = measures.findIndex(
      (m) => m.name === s.measure || (m.field !== null && `${m.op}:${m.field.id}` === s.measure),
    );
    if (index < 0) {
      throw badRequest(
        `sort/${i}/measure`,
        `${JSON.stringify(s.measure.slice(0, 80))} is not one of the measures (${measures.map((m) => m.name).join(", ")})`,
        "unknown_measure",
      );
    }
    return { kind: "measure", index, desc };
  });
  sort.forEach((s, i) => {
    if (sort.findIndex((x) => x.kind === s.kind && x.index === s.index) !== i)
      throw badRequest(`sort/${i}`, "The same sort key appears twice", "duplicate");
  });

  return {
    groupBy,
    measures,
    filter,
    q: input.q ? input.q : null,
    sort,
    limit: input.limit ?? DEFAULT_GROUP_LIMIT,
    totals: input.totals === true,
  };
}

/** What is computed per measured field; measures on the same field share it. */
export interface Stat {
  field: FieldMeta;
  /** Currency: partials per currency code, folded into a JSON array. */
  money: boolean;
  /** Sum and count of values (for sum and avg). */
  sum: boolean;
  min: boolean;
  max: boolean;
}

/**
 * Stats in first-use order. Inner partials of stat j are p_s{j}, p_c{j}, p_mn{j}, p_mx{j} (and p_k{j}, the
 * currency code); the outer result columns are o_s{j}, o_c{j}, o_mn{j}, o_mx{j} or o_m{j}.
 */
export function statsOf(measures: Measure[]): Stat[] {
  const out: Stat[] = [];
  for (const m of measures) {
    if (!m.field) continue;
    let s = out.find((x) => x.field.id === m.field!.id);
    if (!s) out.push((s = { field: m.field, money: m.field.type === "currency", sum: false, min: false, max: false }));
    if (m.op === "sum" || m.op === "avg") s.sum = true;
    if (m.op === "min") s.min = true;
    if (m.op === "max") s.max = true;
  }
  return out;
}

export const defaultCurrency = (f: FieldMeta): string => f.options.currency ?? DEFAULT_CURRENCY;

/**
 * The group key of a row. Dates are stored as YYYY-MM-DD and datetimes as ISO 8601 UTC, so the
 * first ten characters are the (UTC) day; each bucket is named by its first day.
 */
function keyExpr(k: GroupKey, cols: Columns): string {
  const col = cols.ref(k.field);
  // A checkbox never written reads as false, as filters treat it.
  if (k.field.type === "checkbox") return `COALESCE(${col}, 0)`;
  if (!k.by) return col;
  const day = `substr(${col}, 1, 10)`;
  switch (k.by) {
    case "day":
      return day;
    case "week": // back to Monday: %w is 0 on Sunday
      return `date(${day}, '-' || ((CAST(strftime('%w', ${day}) AS INTEGER) + 6) % 7) || ' days')`;
    case "month":
      return `substr(${col}, 1, 7) || '-01'`;
    case "quarter":
      return `substr(${col}, 1, 5) || printf('%02d', (CAST(substr(${col}, 6, 2) AS INTEGER) - 1) / 3 * 3 + 1) || '-01'`;
    case "year":
      return `substr(${col}, 1, 4) || '-01-01'`;
  }
}

export function compileAggregate(query: AggregateQuery): Stmt {
  const cols = new Columns(query.table);
  const params = new Params();
  const stats = statsOf(query.measures);
  const keys = query.groupBy.map((k) => keyExpr(k, cols));
  const inner = keys.map((e, i) => `${e} AS g${i}`);
  const innerGroup = keys.map((_, i) => `g${i}`);
  const outer = keys.map((_, i) => `g${i}`);
  inner.push("COUNT(*) AS n");
  outer.push("SUM(n) AS o_n");
  stats.forEach((s, j) => {
    const col = cols.ref(s.field);
    if (s.money) {
      inner.push(`${cols.ref2(s.field)} AS p_k${j}`);
      innerGroup.push(`p_k${j}`);
    }
    // number is a double: TOTAL never overflows. Integer types sum exactly (SUM raises on overflow).
    if (s.sum)
      inner.push(`${s.field.type === "number" ? "TOTAL" : "SUM"}(${col}) AS p_s${j}`, `COUNT(${col}) AS p_c${j}`);
    if (s.min) inner.push(`MIN(${col}) AS p_mn${j}`);
    if (s.max) inner.push(`MAX(${col}) AS p_mx${j}`);
    if (s.money) {
      const parts = [
        `p_k${j}`,
        s.sum ? `CAST(p_s${j} AS TEXT)` : "NULL",
        s.sum ? `p_c${j}` : "NULL",
        s.min ? `p_mn${j}` : "NULL",
        s.max ? `p_mx${j}` : "NULL",
      ];
      outer.push(`json_group_array(json_array(${parts.join(", ")})) AS o_m${j}`);
      return;
    }
    if (s.sum)
      outer.push(
        s.field.type === "number" ? `TOTAL(p_s${j}) AS o_s${j}` : `CAST(SUM(p_s${j}) AS TEXT) AS o_s${j}`,
        `SUM(p_c${j}) AS o_c${j}`,
      );
    if (s.min) outer.push(`MIN(p_mn${j}) AS o_mn${j}`);
    if (s.max) outer.push(`MAX(p_mx${j}) AS o_mx${j}`);
  });
  const where = whereParts(
    { table: query.table, select: [], filter: query.filter, rowFilter: query.rowFilter, search: query.search },
    cols,
    params,
  );
  const order = orderBy(query, stats, params);
  const limit = query.limit === null ? "" : ` LIMIT ${params.add(query.limit + 1)}`;
  if (params.values.length > MAX_PARAMS) {
    throw badRequest(
      "filter",
      `The query needs ${params.values.length} values; simplify the filter (limit ${MAX_PARAMS})`,
      "too_complex",
    );
  }
  const innerSql =
    `SELECT ${inner.join(", ")} FROM ${cols.from()}` +
    (where.length ? ` WHERE ${where.join(" AND ")}` : "") +
    (innerGroup.length ? ` GROUP BY ${innerGroup.join(", ")}` : "");
  const sql =
    `SELECT ${outer.join(", ")} FROM (${innerSql})` +
    (keys.length ? ` GROUP BY ${keys.map((_, i) => `g${i}`).join(", ")}` : "") +
    (order.length ? ` ORDER BY ${order.join(", ")}` : "") +
    limit;
  return { sql, params: params.values };
}

/** Explicit sort keys, then every group key in natural order; empty keys and measures sort last. */
function orderBy(query: AggregateQuery, stats: Stat[], params: Params): string[] {
  const order: string[] = [];
  const sortedKeys = new Set<number>();
  for (const s of query.sort) {
    if (s.kind === "key") {
      sortedKeys.add(s.index);
      order.push(...keyOrder(query.groupBy[s.index]!, s.index, s.desc, params));
    } else {
      const e = measureOrder(query.measures[s.index]!, stats, params);
      order.push(`${e} IS NULL`, `${e} ${s.desc ? "DESC" : "ASC"}`);
    }
  }
  query.groupBy.forEach((k, i) => {
    if (!sortedKeys.has(i)) order.push(...keyOrder(k, i, false, params));
  });
  return order;
}

/** Natural order: single_select choices in choice order (values no longer a choice after them), others by value. */
function keyOrder(k: GroupKey, i: number, desc: boolean, params: Params): string[] {
  const g = `g${i}`;
  const dir = desc ? "DESC" : "ASC";
  if (k.field.type === "checkbox") return [`${g} ${dir}`];
  const parts = [`${g} IS NULL`];
  if (k.field.type === "single_select") {
    const choices = (k.field.options.choices ?? []).map((c) => c.name);
    parts.push(
      `COALESCE((SELECT key FROM json_each(${params.add(JSON.stringify(choices))}) WHERE value = ${g}), ${choices.length}) ${dir}`,
    );
  }
  parts.push(`${g} ${dir}`);
  return parts;
}

/**
 * A measure as an ORDER BY term of the outer query. A currency measure orders by its amount in the
 * field's default currency only: amounts in different currencies are never added, even to sort.
 */
function measureOrder(m: Measure, stats: Stat[], params: Params): string {
  if (m.op === "count") return "SUM(n)";
  const j = stats.findIndex((s) => s.field.id === m.field!.id);
  let pick = (col: string) => col;
  if (stats[j]!.money) {
    const cur = params.add(defaultCurrency(stats[j]!.field));
    pick = (col) => `CASE WHEN COALESCE(p_k${j}, ${cur}) = ${cur} THEN ${col} END`;
  }
  switch (m.op) {
    case "sum":
      return `SUM(${pick(`p_s${j}`)})`;
    case "avg":
      return `(SUM(${pick(`p_s${j}`)}) * 1.0 / SUM(${pick(`p_c${j}`)}))`;
    case "min":
      return `MIN(${pick(`p_mn${j}`)})`;
    case "max":
      return `MAX(${pick(`p_mx${j}`)})`;
  }
}
