/**
 * The board's pure logic, without DOM or network: which columns and swimlanes a board has, the
 * filter of one cell (column x swimlane), the aggregate request for the column totals and how to read
 * its reply, where a keyboard move goes, and the fields a move writes. Totals are taken as the
 * server sends them (exact integer minor units, per currency); nothing here adds money.
 */
import type { FieldInfo, Filter } from "../../schemas/types";
import { problemText as wordProblem } from "../i18n/field-errors";

export interface BoardChoice {
  name: string;
  color?: string;
  labels?: Record<string, string>;
}

/** The part of a field (FieldInfo, generated from schemas/) the board needs. */
export type BoardField = Pick<FieldInfo, "name" | "type" | "options"> &
  Partial<Pick<FieldInfo, "id" | "label" | "labels" | "access">>;

/** A column or swimlane key: a choice name, a user id, or null for "no value". */
export type Key = string | null;

export interface Money {
  /** Integer minor units; a digit string past 2^53. */
  amount: number | string;
  currency: string;
}

export interface Totals {
  count: number;
  /** A currency field's sum per currency, a number field's sum, or null (no sum field, no values). */
  sum: Money[] | number | null;
}

export interface AggregateGroup {
  key: Record<string, unknown>;
  values: Record<string, unknown>;
}

export interface AggregateReply {
  groups: AggregateGroup[];
  truncated: boolean;
  totals?: Record<string, unknown>;
}

/** Field types a board can put in columns or swimlanes (what the server groups a kanban by). */
export const GROUPABLE = new Set(["single_select", "user"]);
export const SUMMABLE = new Set(["currency", "number"]);

/** One string per cell, for maps: the column and the swimlane (undefined when there are none). */
export function cellKey(column: Key, lane: Key | undefined): string {
  return JSON.stringify(lane === undefined ? [column] : [column, lane]);
}

/**
 * Column keys in order: a single_select's choices in their order; for a user field the users the
 * totals name, in the server's order. "No value" comes last, and only when some record has none.
 */
export function columnKeys(field: BoardField, totals: Map<string, Totals> | null): Key[] {
  const present = (k: Key) => (totals?.get(cellKey(k, undefined))?.count ?? 0) > 0;
  const keys: Key[] =
    field.type === "single_select"
      ? (field.options.choices ?? []).map((c) => c.name)
      : [...(totals?.keys() ?? [])]
          .map((k) => (JSON.parse(k) as Key[])[0] ?? null)
          .filter((k): k is string => k !== null);
  return present(null) ? [...keys, null] : keys;
}

/** Swimlane keys in the server's order (choices in order, then users, then "no value"), each once. */
export function laneKeys(reply: AggregateReply, lane: BoardField): Key[] {
  const seen = new Set<string>();
  const out: Key[] = [];
  for (const g of reply.groups) {
    const k = (g.key[lane.name] ?? null) as Key;
    const id = JSON.stringify(k);
    if (seen.has(id) || !((g.values.count as number) > 0)) continue;
    seen.add(id);
    out.push(k);
  }
  // The server orders empty keys last; keep that even if a reply mixes them.
  return [...out.filter((k) => k !== null), ...out.filter((k) => k === null)];
}

/** The condition "field has this key" (null: is empty). */
export function keyFilter(field: BoardField, key: Key): Filter {
  return key === null ? { field: field.name, op: "is_empty" } : { field: field.name, op: "eq", value: key };
}

export function andFilters(...parts: (Filter | null | undefined)[]): Filter | null {
  const present = parts.filter((p): p is Filter => !!p);
  if (present.length === 0) return null;
  return present.length === 1 ? present[0]! : { and: present };
}

/** The records of one cell: the user's filter AND the column AND the swimlane. */
export function cellFilter(
  group: BoardField,
  column: Key,
  lane: BoardField | null,
  laneKey: Key | undefined,
  userFilter: Filter | null,
): Filter {
  return andFilters(
    userFilter,
    keyFilter(group, column),
    lane && laneKey !== undefined ? keyFilter(lane, laneKey) : null,
  )!;
}

/** Only these columns (for refreshing the two columns of a move). */
export function columnsFilter(group: BoardField, columns: Key[]): Filter | null {
  const keys = [...new Set(columns)];
  if (keys.length === 0) return null;
  const named = keys.filter((k): k is string => k !== null);
  const parts: Filter[] = [];
  if (named.length) parts.push({ field: group.name, op: "in", value: named });
  if (keys.includes(null)) parts.push({ field: group.name, op: "is_empty" });
  return parts.length === 1 ? parts[0]! : { or: parts };
}

export function sumMeasureName(sum: BoardField): string {
  return `sum:${sum.name}`;
}

/** The aggregate body for totals per column (and per cell when `lane` is given). */
export function aggregateBody(
  group: BoardField,
  lane: BoardField | null,
  sum: BoardField | null,
  filter: Filter | null,
  q: string,
): Record<string, unknown> {
  return {
    groupBy: lane ? [group.name, lane.name] : [group.name],
    measures: [{ op: "count" }, ...(sum ? [{ op: "sum", field: sum.name }] : [])],
    ...(filter ? { filter } : {}),
    ...(q.trim() ? { q: q.trim() } : {}),
    limit: 1000,
    totals: !lane,
  };
}

function totalsOf(values: Record<string, unknown> | undefined, sum: BoardField | null): Totals {
  const raw = sum ? values?.[sumMeasureName(sum)] : undefined;
  return {
    count: typeof values?.count === "number" ? values.count : 0,
    sum:
      raw === undefined || raw === null
        ? null
        : Array.isArray(raw)
          ? (raw as Money[])
          : typeof raw === "number"
            ? raw
            : null,
  };
}

/** Totals per cell key from an aggregate reply (grouped by the column field, and the lane field if any). */
export function readTotals(
  reply: AggregateReply,
  group: BoardField,
  lane: BoardField | null,
  sum: BoardField | null,
): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const g of reply.groups) {
    const col = (g.key[group.name] ?? null) as Key;
    const l = lane ? ((g.key[lane.name] ?? null) as Key) : undefined;
    out.set(cellKey(col, l), totalsOf(g.values, sum));
  }
  return out;
}

export function overallTotals(reply: AggregateReply, sum: BoardField | null): Totals | null {
  return reply.totals ? totalsOf(reply.totals, sum) : null;
}

/** The column `step` places left (-1) or right (+1) of `from`, or undefined at the edge. */
export function neighbour(columns: Key[], from: Key, step: -1 | 1): Key | undefined {
  const i = columns.indexOf(from);
  if (i < 0) return undefined;
  const j = i + step;
  return j >= 0 && j < columns.length ? columns[j] : undefined;
}

/** What a move writes: the column field, and the swimlane field when the card changes lane. */
export function moveFields(
  group: BoardField,
  to: Key,
  lane: BoardField | null,
  fromLane: Key | undefined,
  toLane: Key | undefined,
): Record<string, unknown> {
  const fields: Record<string, unknown> = { [group.name]: to };
  if (lane && toLane !== undefined && toLane !== fromLane) fields[lane.name] = toLane;
  return fields;
}

/** The sum field: the view's choice if the caller may read it, else the first currency field shown on the cards. */
export function pickSumField(
  fields: BoardField[],
  configured: string | undefined,
  cardFields: string[],
): BoardField | null {
  if (configured) return fields.find((f) => f.name === configured && SUMMABLE.has(f.type)) ?? null;
  const byName = new Map(fields.map((f) => [f.name, f]));
  return cardFields.map((n) => byName.get(n)).find((f): f is BoardField => !!f && f.type === "currency") ?? null;
}

/** A refused write in the UI's language: the first field problem, else the code (i18n/field-errors.ts). */
export const problemText = (problem: Parameters<typeof wordProblem>[0], fallback: string): string =>
  wordProblem(problem, fallback);

/** Whether a token is an embed token (by its unverified audience claim; the server verifies it). */
export function isEmbedToken(token: string): boolean {
  const part = token.split(".")[1];
  if (!part) return false;
  try {
    const json = atob(
      part
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(part.length / 4) * 4, "="),
    );
    const aud = (JSON.parse(json) as { aud?: unknown }).aud;
    return aud === "salesgrid-embed" || (Array.isArray(aud) && aud.includes("salesgrid-embed"));
  } catch {
    return false;
  }
}

/** Integer minor units (number or digit string) as an exact decimal string: ("123456", 2) -> "1234.56". */
export function minorToDecimal(amount: number | string, digits: number): string {
  const text = typeof amount === "number" ? String(Math.trunc(amount)) : amount;
  const m = /^(-?)(\d+)$/.exec(text);
  if (!m) return text;
  const s = m[2]!.padStart(digits + 1, "0");
  const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return `${m[1]}${body}`;
}

/** Link fields of a board worth expanding: those the cards (or their titles) show. */
export function expandFields(fields: (BoardField | null | undefined)[]): string[] {
  return [...new Set(fields.filter((f): f is BoardField => !!f && f.type === "link").map((f) => f.name))];
}

/** User ids a board shows: in user fields of its cards, and as column or swimlane keys. */
export function userIdsOf(
  records: { fields: Record<string, unknown> }[],
  userFields: BoardField[],
  keys: Key[] = [],
): string[] {
  const out = new Set<string>();
  for (const k of keys) if (k) out.add(k);
  for (const r of records)
    for (const f of userFields) {
      const v = r.fields[f.name];
      if (typeof v === "string") out.add(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === "string") out.add(x);
    }
  return [...out];
}

function linkIds(v: unknown): number[] | null {
  if (!Array.isArray(v)) return null;
  const ids = v.map((x) =>
    typeof x === "number"
      ? x
      : x && typeof x === "object" && typeof (x as { id?: unknown }).id === "number"
        ? (x as { id: number }).id
        : NaN,
  );
  return ids.every((n) => Number.isInteger(n)) ? ids : null;
}

/**
 * A write's reply carries links as bare ids; where they are the same records the card already shows
 * expanded ({id, primary}), the expanded values stay, so a moved card keeps its customer's name.
 */
export function keepExpanded(shown: Record<string, unknown>, saved: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...shown, ...saved };
  for (const [k, v] of Object.entries(saved)) {
    const before = shown[k];
    if (!Array.isArray(before) || !before.some((x) => x && typeof x === "object")) continue;
    const a = linkIds(before);
    const b = linkIds(v);
    if (a && b && a.length === b.length && a.every((id, i) => id === b[i])) out[k] = before;
  }
  return out;
}

/**
 * Where a record saved elsewhere belongs on the board: its column (and lane) from its values. A field
 * the record does not carry keeps the card's current place; a value the board has no column or lane
 * for gives null (the card leaves the board).
 */
export function placeOf(
  fields: Record<string, unknown>,
  group: BoardField,
  columns: Key[],
  lane: BoardField | null,
  lanes: (Key | undefined)[],
  current?: { column: Key; lane: Key | undefined },
): { column: Key; lane: Key | undefined } | null {
  const keyOf = (f: BoardField, was: Key | undefined): Key | undefined => {
    if (!(f.name in fields)) return was;
    const v = fields[f.name];
    return typeof v === "string" && v !== "" ? v : null;
  };
  const column = keyOf(group, current?.column);
  if (column === undefined || !columns.includes(column)) return null;
  if (!lane) return { column, lane: undefined };
  const l = keyOf(lane, current?.lane);
  if (l === undefined || !lanes.includes(l)) return null;
  return { column, lane: l };
}
