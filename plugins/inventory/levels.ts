/**
 * Moves stock: a list of intended moves becomes ONE batch's statements: the ledger rows and the
 * level changes. Quantities change in place (`addEffect`: on_hand, reserved and available each add
 * their delta to what the row holds when the batch runs), and the CHECKs on those columns (decimal
 * `min: 0` in plugin.json) refuse the whole batch when any would fall below zero, so no two
 * requests can both take the last unit, whatever they read before. What is read here only words
 * the answer (which line is short, by how much) and prices the move (moving average cost).
 */
import {
  AppError,
  addEffect,
  cond,
  findRows,
  insertEffect,
  type FieldError,
  type FoundRow,
  type Runtime,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { TOUCHES, type MoveKind } from "./kinds";
import { perUnit, qty, stored, valueOf } from "./quantities";
import { levelName } from "./level-names";
import { loadProducts, loadWarehouses } from "./subjects";

export interface Intent {
  product: number;
  warehouse: number;
  kind: MoveKind;
  /** Signed units: what the move adds to the balances it touches. */
  units: bigint;
  /** Receipts: minor units per unit; sets the moving average. */
  unitCost?: bigint;
  order?: number;
  orderLine?: number;
  shipment?: number;
  reference?: string;
  reason?: string;
  /** Where the request named this move, for problems ("lines/0/quantity"). */
  path: string;
  /** The product's name for messages. */
  label?: string;
}

export interface Level {
  id: number;
  version: number;
  key: string;
  onHand: bigint;
  reserved: bigint;
  available: bigint;
  averageCost: bigint;
  stockValue: bigint;
  /** The level may go below zero (its warehouse allows negative stock). */
  allowNegative: boolean;
  /** Whether a move may change its low-stock flag: it has a reorder point or is flagged. */
  watched: boolean;
}

export const levelKey = (product: number, warehouse: number) => `${product}:${warehouse}`;

const amountOf = (v: unknown): bigint =>
  v && typeof v === "object" && typeof (v as { amount?: unknown }).amount === "number"
    ? BigInt((v as { amount: number }).amount)
    : 0n;

/** The levels of these (product, warehouse) pairs, by key; a pair without stock has none. */
export async function loadLevels(rt: Runtime, keys: string[]): Promise<Map<string, Level>> {
  const t = rt.table("stock_levels");
  const unique = [...new Set(keys)];
  // A workspace installed before negative stock has no flag: its levels never go below zero.
  const flag = t.maybeField("allow_negative") ? ["allow_negative"] : [];
  const out = new Map<string, Level>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows: FoundRow[] = await findRows(rt, t, cond(t, "key", "in", unique.slice(i, i + 90)), [
      "key",
      "on_hand",
      "reserved",
      "available",
      "average_cost",
      "stock_value",
      "reorder_point",
      "low_stock",
      ...flag,
    ]);
    for (const r of rows)
      out.set(String(r.values.key), {
        id: r.id,
        version: r.version,
        key: String(r.values.key),
        onHand: stored(r.values.on_hand),
        reserved: stored(r.values.reserved),
        available: stored(r.values.available),
        averageCost: amountOf(r.values.average_cost),
        stockValue: amountOf(r.values.stock_value),
        allowNegative: r.values.allow_negative === true,
        watched:
          (r.values.reorder_point !== null && r.values.reorder_point !== undefined) || r.values.low_stock === true,
      });
  }
  return out;
}

/** Levels read ahead, while other reads of the same request run (planMoves takes them once). */
const preloaded = new WeakMap<Runtime, { keys: Set<string>; levels: Promise<Map<string, Level>> }>();

export function preload(rt: Runtime, keys: string[]): Promise<Map<string, Level>> {
  const levels = loadLevels(rt, keys);
  preloaded.set(rt, { keys: new Set(keys), levels });
  return levels;
}

export interface Short {
  intent: Intent;
  available: bigint;
}

/** The 409 for lines short of stock: one problem per line naming product, requested and available. */
export function insufficient(shorts: Short[]): AppError {
  const errors: FieldError[] = shorts.map(({ intent, available }) => ({
    field: intent.path,
    code: "insufficient_stock",
    message: `${intent.label ?? `Product ${intent.product}`}: ${qty(abs(intent.units))} requested, ${qty(available)} available`,
    params: { product: intent.product, requested: qty(abs(intent.units)), available: qty(available) },
  }));
  const first = errors[0]?.message ?? "Not enough stock";
  return new AppError(
    "insufficient_stock",
    shorts.length === 1 ? `Not enough stock: ${first}` : `Not enough stock for ${shorts.length} lines`,
    errors,
  );
}

const abs = (u: bigint) => (u < 0n ? -u : u);

interface Delta {
  onHand: bigint;
  reserved: bigint;
  value: bigint;
  /** A receipt reprices the level: set its average cost and value at the version read. */
  reprice: boolean;
}

/**
 * What the intents would take below zero, judged on the levels read (the answer's wording). Where
 * negative stock is allowed (`loose`: level keys) only a reservation is held to available >= 0.
 */
export function shortsOf(intents: Intent[], levels: Map<string, Level>, loose: Set<string> = new Set()): Short[] {
  const deltas = new Map<string, { onHand: bigint; reserved: bigint }>();
  for (const i of intents) {
    const k = levelKey(i.product, i.warehouse);
    const d = deltas.get(k) ?? { onHand: 0n, reserved: 0n };
    if (TOUCHES[i.kind].onHand) d.onHand += i.units;
    if (TOUCHES[i.kind].reserved) d.reserved += i.units;
    deltas.set(k, d);
  }
  const short = new Set<string>();
  for (const [k, d] of deltas) {
    const l = levels.get(k);
    const onHand = (l?.onHand ?? 0n) + d.onHand;
    const reserved = (l?.reserved ?? 0n) + d.reserved;
    const negativeOk = loose.has(k) || levels.get(k)?.allowNegative === true;
    if (reserved < 0n) short.add(k);
    else if (negativeOk ? d.reserved > 0n && onHand - reserved < 0n : onHand < 0n || onHand - reserved < 0n)
      short.add(k);
  }
  return intents
    .filter((i) => short.has(levelKey(i.product, i.warehouse)) && i.units < 0n !== (i.kind === "reservation"))
    .map((i) => ({ intent: i, available: levels.get(levelKey(i.product, i.warehouse))?.available ?? 0n }));
}

export interface Planned {
  statements: Stmt[];
  /**
   * Level ids touched that have a reorder point or the low flag (for the low-stock check after the
   * batch); a level with neither cannot cross, and the check would cost a round trip.
   */
  levelIds: number[];
  /** For runBatch / a hook: the same wording when the CHECK refused the batch. */
  onCheck: (message: string) => Promise<AppError | null>;
}

/**
 * The batch's statements for `intents`: ledger rows (one per intent) and one level change per
 * (product, warehouse). Throws insufficient_stock when the levels read already say it is short.
 */
export async function planMoves(rt: Runtime, intents: Intent[]): Promise<Planned> {
  const keys = intents.map((i) => levelKey(i.product, i.warehouse));
  const early = preloaded.get(rt);
  preloaded.delete(rt);
  const levels = early && keys.every((k) => early.keys.has(k)) ? await early.levels : await loadLevels(rt, keys);
  const { loose, names } = await newLevelFacts(rt, keys, levels);
  const shorts = shortsOf(intents, levels, loose);
  if (shorts.length) throw insufficient(shorts);
  const currency = String(rt.table("stock_levels").field("average_cost").options.currency ?? "CNY");
  const money = (amount: bigint) => ({ amount: Number(amount), currency });

  const deltas = new Map<string, Delta>();
  const moveRows: Values[] = [];
  for (const i of intents) {
    const k = levelKey(i.product, i.warehouse);
    const l = levels.get(k);
    const d = deltas.get(k) ?? { onHand: 0n, reserved: 0n, value: 0n, reprice: false };
    const touches = TOUCHES[i.kind];
    if (touches.onHand) d.onHand += i.units;
    if (touches.reserved) d.reserved += i.units;
    let unitCost: bigint | undefined;
    if (touches.onHand) {
      // In at its own cost (receipt) or the level's average; out at the level's average.
      unitCost = i.unitCost ?? l?.averageCost ?? 0n;
      d.value += valueOf(i.units, unitCost);
      if (i.unitCost !== undefined && i.units > 0n) d.reprice = true;
    }
    deltas.set(k, d);
    moveRows.push({
      product: i.product,
      warehouse: i.warehouse,
      kind: i.kind,
      quantity: qty(i.units),
      unit_cost: unitCost !== undefined ? money(unitCost) : null,
      order: i.order ?? null,
      order_line: i.orderLine ?? null,
      shipment: i.shipment ?? null,
      reference: i.reference ?? null,
      reason: i.reason ?? null,
      at: rt.at,
      by: rt.principal.userId || null,
    });
  }

  const statements: Stmt[] = [];
  const flags = rt.table("stock_levels").maybeField("reserving") !== null;
  // A workspace installed before level names has no such field.
  const named = rt.table("stock_levels").maybeField("name") !== null;
  const adds: Parameters<typeof addEffect>[2] = [];
  const created: Values[] = [];
  for (const [k, d] of deltas) {
    const l = levels.get(k);
    if (!l) {
      const [product, warehouse] = k.split(":").map(Number) as [number, number];
      const value = d.value < 0n ? 0n : d.value;
      created.push({
        product: [product],
        warehouse: [warehouse],
        key: k,
        ...(named ? { name: names.get(k) } : {}),
        on_hand: qty(d.onHand),
        reserved: qty(d.reserved),
        available: qty(d.onHand - d.reserved),
        average_cost: money(perUnit(value, d.onHand)),
        stock_value: money(value),
        low_stock: false,
        ...(flags ? { allow_negative: loose.has(k), reserving: d.reserved > 0n } : {}),
      });
      continue;
    }
    const add: Values = {};
    // Every move says whether it reserves: the CHECK on available holds a reservation even where stock may go negative.
    const mark: Values = flags ? { reserving: d.reserved > 0n } : {};
    if (d.onHand !== 0n) add.on_hand = qty(d.onHand);
    if (d.reserved !== 0n) add.reserved = qty(d.reserved);
    if (d.onHand - d.reserved !== 0n) add.available = qty(d.onHand - d.reserved);
    if (d.reprice) {
      // The moving average: (value held + value received) / units after, at the version read.
      const onHand = l.onHand + d.onHand;
      const value = onHand <= 0n ? 0n : l.stockValue + d.value;
      adds.push({
        id: l.id,
        version: l.version,
        add,
        set: {
          ...mark,
          average_cost: money(onHand <= 0n ? l.averageCost : perUnit(value, onHand)),
          stock_value: money(value),
        },
      });
    } else {
      if (d.value !== 0n) add.stock_value = money(d.value);
      adds.push({ id: l.id, add, set: mark });
    }
  }
  statements.push(...addEffect(rt, rt.table("stock_levels"), adds));
  const newLevels = await insertEffect(rt, rt.table("stock_levels"), created);
  statements.push(...newLevels.statements);
  statements.push(...(await insertEffect(rt, rt.table("stock_moves"), moveRows)).statements);
  return {
    statements,
    levelIds: [...levels.values()].filter((l) => l.watched && deltas.has(l.key)).map((l) => l.id),
    onCheck: async (message) => {
      if (!/CHECK constraint failed/.test(message)) return null;
      const now = await loadLevels(
        rt,
        intents.map((i) => levelKey(i.product, i.warehouse)),
      );
      const late = shortsOf(intents, now, loose);
      const all = intents.map((intent) => ({
        intent,
        available: now.get(levelKey(intent.product, intent.warehouse))?.available ?? 0n,
      }));
      return insufficient(late.length ? late : all);
    },
  };
}

/**
 * What the levels this move creates take from their product and warehouse: their name (SKU and
 * warehouse code, see levelName) and whether the warehouse allows negative stock (the new row copies
 * its flag). Read only for levels not there yet, so a move on existing levels reads nothing more.
 */
async function newLevelFacts(
  rt: Runtime,
  keys: string[],
  levels: Map<string, Level>,
): Promise<{ loose: Set<string>; names: Map<string, string> }> {
  const missing = [...new Set(keys)].filter((k) => !levels.has(k));
  if (missing.length === 0) return { loose: new Set(), names: new Map() };
  const pairs = missing.map((k) => k.split(":").map(Number) as [number, number]);
  const [products, warehouses] = await Promise.all([
    loadProducts(
      rt,
      pairs.map(([p]) => p),
    ),
    loadWarehouses(
      rt,
      pairs.map(([, w]) => w),
    ),
  ]);
  const names = new Map<string, string>();
  const loose = new Set<string>();
  missing.forEach((k, i) => {
    const [p, w] = pairs[i]!;
    const warehouse = warehouses.get(w);
    names.set(k, levelName(products.get(p)?.sku ?? String(p), warehouse?.code ?? String(w)));
    if (warehouse?.allowNegative) loose.add(k);
  });
  return { loose, names };
}
