/**
 * The aggregate pipeline: access (may read? which fields, which rows) -> parse the body against the
 * fields the caller may use -> compile one statement -> D1 -> shape the groups. Totals fold from the
 * groups; only when `limit` cut groups off does a second statement compute them.
 *
 * Money stays exact: sums arrive from SQL as integer text and are added (across the partial groups
 * of a second currency field) and divided (avg, half-even) as BigInt. An amount is a JSON number up
 * to 2^53 and a string of digits beyond it; past SQLite's 2^63 the request is refused with 422.
 */
import { callerAccess, requireOperation } from "../access";
import { AppError } from "../errors";
import { isSearchable } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import {
  compileAggregate,
  defaultCurrency,
  parseAggregate,
  statsOf,
  type AggregateQuery,
  type GroupKey,
  type Measure,
  type MeasureOp,
  type Stat,
} from "../query/aggregate";
import { scaleOf, unitsToString } from "../model/decimal";
import type { FilterNode } from "../query/filter";
import type { ReadContext } from "./read";

/** An aggregate body is a query, not data: 64 KB holds a 100-condition filter with long lists. */
export const MAX_AGGREGATE_BYTES = 64 * 1024;

/** What a view fixes: its filter (AND'ed with the caller's) and, when it lists any, its fields. */
export interface AggregateScope {
  filter?: FilterNode | null;
  fields?: Set<string> | null;
}

export type Amount = number | string;
export interface MoneyValue {
  amount: Amount;
  currency: string;
}
export interface MoneyAverage extends MoneyValue {
  /** The exact sum and the number of amounts the average (rounded half-even) divides. */
  sum: Amount;
  count: number;
}

type Row = Record<string, unknown>;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Exact integers travel as numbers while a double holds them, as digit strings beyond. */
export function amount(n: bigint): Amount {
  return n > MAX_SAFE || n < -MAX_SAFE ? n.toString() : Number(n);
}

/** n / d rounded to the nearest integer, ties to the even one; d > 0. */
export function divideHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < d) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (twice > d) return away;
  return q % 2n === 0n ? q : away;
}

/** An integer sum as SQLite renders it ("12", or "12.0" if a column ever held a real). */
function bigint(v: unknown): bigint {
  const text = String(v);
  const m = /^(-?\d+)(?:\.0+)?$/.exec(text);
  if (!m) throw new Error(`aggregate: ${JSON.stringify(text.slice(0, 40))} is not an integer sum`);
  return BigInt(m[1]!);
}

function and(a: FilterNode | null, b: FilterNode | null): FilterNode | null {
  return a && b ? { kind: "and", children: [a, b] } : (a ?? b);
}

function overflow(measures: Measure[]): AppError {
  const message = "The sum exceeds the exact integer range of the database (2^63); narrow the filter or group further";
  const errors = measures.flatMap((m, i) =>
    (m.op === "sum" || m.op === "avg") && m.field?.type !== "number"
      ? [{ field: `measures/${i}`, code: "overflow", message }]
      : [],
  );
  return new AppError("validation_failed", message, errors);
}

export async function aggregateRecords(ctx: ReadContext, table: TableMeta, body: unknown, scope: AggregateScope = {}) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "read");
  const fields = scope.fields ?? null;
  const canUse = (f: FieldMeta) => access.canRead(f) && (!fields || fields.has(f.id));
  const req = parseAggregate(body, table, canUse, ctx.principal.userId, ctx.principal.timeZone);
  const query: AggregateQuery = {
    table,
    groupBy: req.groupBy,
    measures: req.measures,
    filter: and(scope.filter ?? null, req.filter),
    rowFilter: access.rowFilter("read"),
    search: req.q ? { text: req.q, fields: table.fields.filter((f) => canUse(f) && isSearchable(f)) } : null,
    sort: req.sort,
    limit: req.limit,
  };
  const run = async (q: AggregateQuery): Promise<Row[]> => {
    const c = compileAggregate(q);
    try {
      return (
        await ctx.db
          .prepare(c.sql)
          .bind(...c.params)
          .all<Row>()
      ).results;
    } catch (err) {
      if (/integer overflow/i.test(String(err))) throw overflow(req.measures);
      throw err;
    }
  };
  const stats = statsOf(req.measures);
  const rows = await run(query);
  const truncated = rows.length > req.limit;
  const groups = rows.slice(0, req.limit);
  let totals: Row | undefined;
  // Every partial folds, so totals come from the groups unless some were cut off: no second scan.
  if (req.totals)
    totals =
      req.groupBy.length === 0
        ? groups[0]
        : truncated
          ? (await run({ ...query, groupBy: [], sort: [], limit: null }))[0]
          : foldRows(groups, stats, req.measures);
  return {
    groups: groups.map((r) => ({ key: decodeKey(r, req.groupBy), values: decodeValues(r, req.measures, stats) })),
    truncated,
    ...(req.totals ? { totals: decodeValues(totals ?? {}, req.measures, stats) } : {}),
  };
}

const MAX_SQL_INTEGER = 2n ** 63n - 1n;

/** One row of totals from the result rows of the groups, as the database would have computed it. */
function foldRows(rows: Row[], stats: Stat[], measures: Measure[]): Row {
  const count = (col: string) => rows.reduce((n, r) => n + Number(r[col] ?? 0), 0);
  const present = (col: string) =>
    rows.map((r) => r[col]).filter((v): v is number | string => v !== null && v !== undefined);
  const out: Row = { o_n: count("o_n") };
  stats.forEach((s, j) => {
    if (s.money) {
      out[`o_m${j}`] = JSON.stringify(
        rows.flatMap(
          (r) => JSON.parse(typeof r[`o_m${j}`] === "string" ? (r[`o_m${j}`] as string) : "[]") as unknown[],
        ),
      );
      return;
    }
    if (s.sum) {
      out[`o_c${j}`] = count(`o_c${j}`);
      if (s.field.type === "number") out[`o_s${j}`] = present(`o_s${j}`).reduce((a: number, b) => a + Number(b), 0);
      else {
        const sum = present(`o_s${j}`).reduce((a: bigint, b) => a + bigint(b), 0n);
        // The same limit the database enforces on a single group's sum.
        if (sum > MAX_SQL_INTEGER || sum < -MAX_SQL_INTEGER - 1n) throw overflow(measures);
        out[`o_s${j}`] = sum.toString();
      }
    }
    if (s.min)
      out[`o_mn${j}`] = present(`o_mn${j}`).reduce<number | string | null>(
        (a, b) => (a === null || b < a ? b : a),
        null,
      );
    if (s.max)
      out[`o_mx${j}`] = present(`o_mx${j}`).reduce<number | string | null>(
        (a, b) => (a === null || b > a ? b : a),
        null,
      );
  });
  return out;
}

function decodeKey(row: Row, groupBy: GroupKey[]): Record<string, unknown> {
  return Object.fromEntries(
    groupBy.map((k, i) => {
      const v = row[`g${i}`] ?? null;
      return [k.field.name, k.field.type === "checkbox" ? v === 1 : v];
    }),
  );
}

function decodeValues(row: Row, measures: Measure[], stats: Stat[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const money = new Map<number, [string, MoneyPart][]>();
  for (const m of measures) {
    if (m.op === "count") {
      out[m.name] = Number(row.o_n ?? 0);
      continue;
    }
    const j = stats.findIndex((s) => s.field.id === m.field!.id);
    const f = stats[j]!.field;
    if (stats[j]!.money) {
      if (!money.has(j)) money.set(j, moneyParts(row[`o_m${j}`], f, measures));
      out[m.name] = moneyMeasure(m, money.get(j)!);
      continue;
    }
    const count = Number(row[`o_c${j}`] ?? 0);
    if (f.type === "decimal") {
      out[m.name] = decimalMeasure(m.op, row, j, count, scaleOf(f.options));
      continue;
    }
    switch (m.op) {
      case "sum":
        out[m.name] =
          count === 0 ? null : f.type === "number" ? (row[`o_s${j}`] as number) : amount(bigint(row[`o_s${j}`]));
        break;
      case "avg":
        if (count === 0) out[m.name] = null;
        else if (f.type === "number") out[m.name] = (row[`o_s${j}`] as number) / count;
        // Percentages stay integer basis points.
        else if (f.type === "percent") out[m.name] = amount(divideHalfEven(bigint(row[`o_s${j}`]), BigInt(count)));
        else out[m.name] = Number(bigint(row[`o_s${j}`])) / count;
        break;
      case "min":
        out[m.name] = row[`o_mn${j}`] ?? null;
        break;
      case "max":
        out[m.name] = row[`o_mx${j}`] ?? null;
        break;
    }
  }
  return out;
}

/** A decimal field's sum, average (half-even at its scale), minimum or maximum, as decimal text like its values. */
function decimalMeasure(op: Exclude<MeasureOp, "count">, row: Row, j: number, count: number, scale: number) {
  if (count === 0) return null;
  if (op === "sum") return unitsToString(bigint(row[`o_s${j}`]), scale);
  if (op === "avg") return unitsToString(divideHalfEven(bigint(row[`o_s${j}`]), BigInt(count)), scale);
  return unitsToString(row[op === "min" ? `o_mn${j}` : `o_mx${j}`] ?? null, scale);
}

interface MoneyPart {
  sum: bigint;
  count: number;
  min: number | null;
  max: number | null;
}

/** Folds the per-currency partials of one group ([code, sum, count, min, max] each) by currency code. */
function moneyParts(json: unknown, f: FieldMeta, measures: Measure[]): [string, MoneyPart][] {
  const byCode = new Map<string, MoneyPart>();
  for (const [code, sum, count, min, max] of JSON.parse(typeof json === "string" ? json : "[]") as [
    string | null,
    string | null,
    number | null,
    number | null,
    number | null,
  ][]) {
    // Rows without an amount have no currency either: nothing to fold.
    if (!count && min === null && max === null) continue;
    const key = code ?? defaultCurrency(f);
    const p = byCode.get(key) ?? { sum: 0n, count: 0, min: null, max: null };
    if (sum !== null) p.sum += bigint(sum);
    p.count += count ?? 0;
    if (min !== null) p.min = p.min === null ? min : Math.min(p.min, min);
    if (max !== null) p.max = p.max === null ? max : Math.max(p.max, max);
    // Folding partials (totals, a second currency field) keeps the database's limit on a sum.
    if (p.sum > MAX_SQL_INTEGER || p.sum < -MAX_SQL_INTEGER - 1n) throw overflow(measures);
    byCode.set(key, p);
  }
  return [...byCode].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** One entry per currency that has amounts, in currency code order. */
function moneyMeasure(m: Measure, parts: [string, MoneyPart][]): MoneyValue[] | MoneyAverage[] {
  switch (m.op) {
    case "sum":
      return parts.filter(([, p]) => p.count > 0).map(([currency, p]) => ({ amount: amount(p.sum), currency }));
    case "avg":
      return parts
        .filter(([, p]) => p.count > 0)
        .map(([currency, p]) => ({
          amount: amount(divideHalfEven(p.sum, BigInt(p.count))),
          currency,
          sum: amount(p.sum),
          count: p.count,
        }));
    case "min":
      return parts.filter(([, p]) => p.min !== null).map(([currency, p]) => ({ amount: p.min!, currency }));
    default:
      return parts.filter(([, p]) => p.max !== null).map(([currency, p]) => ({ amount: p.max!, currency }));
  }
}
