/**
 * A board's counts and sums, always the server's (the aggregate endpoint of the view, table or
 * embed, under the viewer's permissions; exact minor units, never added up here). Per column, per
 * cell and per swimlane when there are swimlanes, per stage kind (open, won, lost: the server sums
 * the columns of each kind through a filter) and overall. While a move is on its way the counts
 * follow it by one and the sums of the two columns show as stale until the server's come back.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { Filter } from "../../schemas/types";
import { currencyDigits, currentLocale, formatMoney, formatNumber } from "../i18n/index";
import type { BoardSource } from "./board-data";
import {
  aggregateBody,
  andFilters,
  cellKey,
  columnsFilter,
  laneKeys,
  minorToDecimal,
  overallTotals,
  readTotals,
  type BoardField,
  type Key,
  type Money,
  type Totals,
} from "./board-model";
import { KINDS, columnsByKind, type StageKind } from "./stage-kinds";

/** What the totals are of: the board's source, fields and the user's filter and search. */
export interface TotalsQuery {
  source: BoardSource;
  table: string;
  group: BoardField;
  lane: BoardField | null;
  sum: BoardField | null;
  filter: Filter | null;
  q: string;
  /** Each column's stage kind, where the board knows it (stage-kinds.ts). */
  kinds: Map<string, StageKind>;
}

/** The group's choices of one kind, in choice order. */
function namesOfKind(q: TotalsQuery, kind: StageKind): string[] {
  return columnsByKind(
    (q.group.options.choices ?? []).map((c) => c.name),
    q.kinds,
  )[kind];
}

/** The body for one kind's totals: the user's filter AND "column is one of this kind's". */
function kindBody(q: TotalsQuery, names: string[]): Record<string, unknown> {
  const filter = andFilters(q.filter, { field: q.group.name, op: "in", value: names });
  return { ...aggregateBody(q.group, null, q.sum, filter, q.q), groupBy: [], totals: true };
}

/** The body for the swimlanes' totals: grouped by the lane field alone. */
function laneBody(q: TotalsQuery, lane: BoardField): Record<string, unknown> {
  return { ...aggregateBody(lane, null, q.sum, q.filter, q.q), totals: false };
}

const staleKey = (k: Key) => (k === null ? "\u0000none" : k);

export class BoardTotalsController implements ReactiveController {
  /** By cellKey(column, undefined). */
  columns = new Map<string, Totals>();
  /** By cellKey(column, lane); the column totals when there are no swimlanes. */
  cells = new Map<string, Totals>();
  overall: Totals | null = null;
  /** By stage kind; empty when the board knows no kinds. */
  kinds = new Map<StageKind, Totals>();
  /** By cellKey(lane, undefined): each swimlane's own totals. */
  lanes = new Map<string, Totals>();
  private stale = new Set<string>();
  private gen = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Every total afresh; the swimlane keys the server has records for (null when a newer load took over). */
  async load(q: TotalsQuery): Promise<{ lanes: (Key | undefined)[] } | null> {
    const gen = ++this.gen;
    this.stale.clear();
    this.kinds = new Map();
    this.lanes = new Map();
    const [colReply, laneReply] = await Promise.all([
      q.source.aggregate(q.table, aggregateBody(q.group, null, q.sum, q.filter, q.q)),
      q.lane ? q.source.aggregate(q.table, aggregateBody(q.group, q.lane, q.sum, q.filter, q.q)) : null,
      this.loadKinds(q, KINDS, gen),
      this.loadLanes(q, gen),
    ]);
    if (gen !== this.gen) return null;
    this.columns = readTotals(colReply, q.group, null, q.sum);
    this.overall = overallTotals(colReply, q.sum);
    this.cells = q.lane && laneReply ? readTotals(laneReply, q.group, q.lane, q.sum) : this.columns;
    return { lanes: q.lane && laneReply ? laneKeys(laneReply, q.lane) : [undefined] };
  }

  /** The totals by kind again (once the kinds are known). */
  reloadKinds(q: TotalsQuery): Promise<void> {
    return this.loadKinds(q, KINDS, this.gen);
  }

  /** The totals of these kinds (those with columns), each from the server through a filter. */
  private async loadKinds(q: TotalsQuery, kinds: readonly StageKind[], gen: number): Promise<void> {
    const wanted = kinds.map((k) => [k, namesOfKind(q, k)] as const).filter(([, names]) => names.length);
    const replies = await Promise.all(wanted.map(([, names]) => q.source.aggregate(q.table, kindBody(q, names))));
    if (gen !== this.gen) return;
    wanted.forEach(([kind], i) => this.kinds.set(kind, overallTotals(replies[i]!, q.sum) ?? { count: 0, sum: null }));
    this.host.requestUpdate();
  }

  /** Each swimlane's own totals (grouped by the lane field alone). */
  private async loadLanes(q: TotalsQuery, gen: number): Promise<void> {
    if (!q.lane) return;
    const reply = await q.source.aggregate(q.table, laneBody(q, q.lane));
    if (gen !== this.gen) return;
    this.lanes = readTotals(reply, q.lane, null, q.sum);
    this.host.requestUpdate();
  }

  /** Counts and sums of some columns again, from the server (after a move or a change elsewhere). */
  async refresh(q: TotalsQuery, cols: Key[], lanes: (Key | undefined)[]): Promise<void> {
    const gen = this.gen;
    const filter = andFilters(q.filter, columnsFilter(q.group, cols));
    const [colReply, laneReply] = await Promise.all([
      q.source.aggregate(q.table, { ...aggregateBody(q.group, null, q.sum, filter, q.q), totals: false }),
      q.lane ? q.source.aggregate(q.table, aggregateBody(q.group, q.lane, q.sum, filter, q.q)) : null,
      this.loadKinds(q, touchedKinds(q, cols), gen),
      this.loadLanes(q, gen),
    ]);
    if (gen !== this.gen) return;
    const fresh = readTotals(colReply, q.group, null, q.sum);
    for (const c of cols)
      this.columns.set(cellKey(c, undefined), fresh.get(cellKey(c, undefined)) ?? { count: 0, sum: null });
    if (q.lane && laneReply) {
      const cells = readTotals(laneReply, q.group, q.lane, q.sum);
      for (const c of cols)
        for (const l of lanes) this.cells.set(cellKey(c, l), cells.get(cellKey(c, l)) ?? { count: 0, sum: null });
    } else this.cells = this.columns;
    for (const c of cols) this.stale.delete(staleKey(c));
    this.host.requestUpdate();
  }

  column(c: Key): Totals | undefined {
    return this.columns.get(cellKey(c, undefined));
  }

  /** A swimlane's own totals. */
  lane(l: Key): Totals | undefined {
    return this.lanes.get(cellKey(l, undefined));
  }

  cell(c: Key, lane: Key | undefined): Totals | undefined {
    return this.cells.get(cellKey(c, lane));
  }

  /** Adjusts a count by one while the server decides (counts are integers; sums are left alone). */
  bump(column: Key, lane: Key | undefined, hasLanes: boolean, by: 1 | -1): void {
    const adjust = (m: Map<string, Totals>, key: string) => {
      const t = m.get(key);
      m.set(key, { count: Math.max(0, (t?.count ?? 0) + by), sum: t?.sum ?? null });
    };
    adjust(this.columns, cellKey(column, undefined));
    if (hasLanes) adjust(this.cells, cellKey(column, lane));
  }

  isStale(c: Key): boolean {
    return this.stale.has(staleKey(c));
  }

  setStale(c: Key, stale: boolean): void {
    if (stale) this.stale.add(staleKey(c));
    else this.stale.delete(staleKey(c));
  }
}

/** The kinds of these columns. */
function touchedKinds(q: TotalsQuery, cols: Key[]): StageKind[] {
  return KINDS.filter((k) => cols.some((c) => c !== null && q.kinds.get(c) === k));
}

function money(m: Money): string {
  if (typeof m.amount === "number") return formatMoney(m.amount, m.currency);
  // Past 2^53 the server sends digits; Intl formats the exact decimal string.
  const digits = currencyDigits(m.currency);
  try {
    const nf = new Intl.NumberFormat(currentLocale(), {
      style: "currency",
      currency: m.currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    return nf.format(minorToDecimal(m.amount, digits) as Intl.StringNumericLiteral);
  } catch {
    return `${minorToDecimal(m.amount, digits)} ${m.currency}`;
  }
}

/** A total's sum as shown: one amount per currency (never added across currencies), or a number. */
export function sumText(field: BoardField | null, t: Totals | undefined): string {
  if (!field) return "";
  const s = t?.sum;
  if (Array.isArray(s))
    return s.length
      ? s.map((m) => money(m)).join(" · ")
      : money({ amount: 0, currency: field.options.currency ?? "CNY" });
  if (typeof s === "number") return formatNumber(s);
  return field.type === "currency" ? money({ amount: 0, currency: field.options.currency ?? "CNY" }) : formatNumber(0);
}
