/**
 * Backorders filled later. Confirming with `allowBackorders` reserves what is there and marks the rest
 * on the line (`backordered_quantity`, reserve.ts). That rest is reserved here:
 * - when stock arrives in a warehouse (a receipt, a transfer in, a positive adjustment), in the same
 *   batch as the move, for the backordered lines of confirmed or partly shipped orders of that
 *   warehouse, oldest order date first (then the older order), up to what arrived (`fillsFor`);
 * - on request, `inventory/reserve-backorders {"order": id}`, from what is available now (a retry after
 *   a race, or stock a cancel released).
 * Reservations are ledger moves under the levels' CHECKs (levels.ts), and each line's new mark is
 * written at the version read, so two fills of one line never both land (the second is 409 and retried),
 * and a cancel, which clears the marks at the versions it read (`clearingBackorders`), never misses a
 * reservation made meanwhile.
 */
import {
  AppError,
  and,
  cond,
  findByIds,
  findRows,
  forbidden,
  invalid,
  notFound,
  or,
  permittedIds,
  runEffects,
  updateEffect,
  accessTo,
  type ActionContext,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type FoundRow,
  type Runtime,
  type Stmt,
} from "../../worker/plugin-sdk";
import { refreshLowStock } from "./low-stock";
import { levelKey, loadLevels, planMoves, type Intent, type Level } from "./levels";
import { qty, stored } from "./quantities";
import { orderLines, orderWarehouse, type OrderLine } from "./reserve";
import { defaultWarehouse, isProblem } from "./subjects";

const OPEN = new Set(["confirmed", "partially_shipped"]);
const ARRIVALS = new Set(["receipt", "transfer_in", "adjustment"]);
const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

interface Waiting {
  line: FoundRow;
  order: number;
  orderDate: string | null;
  product: number;
  backordered: bigint;
}

export interface Fills {
  /** Reservation moves, for planMoves together with the arrivals. */
  intents: Intent[];
  /** The lines' new backordered_quantity, at the versions read. */
  statements: Stmt[];
  filled: { order: number; order_line: number; quantity: string }[];
}

export const NO_FILLS: Fills = { intents: [], statements: [], filled: [] };

/** What `units` available now (per level key) reserves for waiting lines, in their order. */
function allot(rt: Runtime, waiting: Waiting[], warehouse: number, room: Map<string, bigint>): Fills {
  const out: Fills = { intents: [], statements: [], filled: [] };
  const marks: Parameters<typeof updateEffect>[2] = [];
  for (const w of waiting) {
    const k = levelKey(w.product, warehouse);
    const left = room.get(k) ?? 0n;
    const take = left < w.backordered ? left : w.backordered;
    if (take <= 0n) continue;
    room.set(k, left - take);
    out.intents.push({
      product: w.product,
      warehouse,
      kind: "reservation",
      units: take,
      order: w.order,
      orderLine: w.line.id,
      path: `order_lines/${w.line.id}/quantity`,
    });
    marks.push({
      id: w.line.id,
      version: w.line.version,
      before: w.line.values,
      set: { backordered_quantity: qty(w.backordered - take) },
    });
    out.filled.push({ order: w.order, order_line: w.line.id, quantity: qty(take) });
  }
  out.statements = updateEffect(rt, rt.table("sales/order_lines"), marks);
  return out;
}

/** Oldest order date first (an undated order last), then the older order, then the line. */
const oldestFirst = (a: Waiting, b: Waiting) =>
  a.orderDate === b.orderDate
    ? a.order - b.order || a.line.id - b.line.id
    : a.orderDate === null
      ? 1
      : b.orderDate === null
        ? -1
        : a.orderDate < b.orderDate
          ? -1
          : 1;

/**
 * The reservations that stock arriving with `moves` makes for backordered lines waiting in its
 * warehouse. Costs one read when nothing waits (lines with a backorder are found by that field).
 */
export async function fillsFor(rt: Runtime, moves: Intent[]): Promise<Fills> {
  const lines = rt.table("sales/order_lines");
  if (!lines.maybeField("backordered_quantity")) return NO_FILLS;
  const arrived = new Map<string, { product: number; warehouse: number; units: bigint }>();
  for (const m of moves) {
    if (!ARRIVALS.has(m.kind) || m.units <= 0n) continue;
    const k = levelKey(m.product, m.warehouse);
    const a = arrived.get(k) ?? { product: m.product, warehouse: m.warehouse, units: 0n };
    a.units += m.units;
    arrived.set(k, a);
  }
  if (arrived.size === 0) return NO_FILLS;
  const products = [...new Set([...arrived.values()].map((a) => a.product))];
  const found = await findRows(
    rt,
    lines,
    and(
      cond(lines, "backordered_quantity", "gt", "0"),
      or(...products.map((p) => cond(lines, "product", "contains", p))),
    ),
    ["order", "product", "backordered_quantity"],
  );
  if (found.length === 0) return NO_FILLS;
  const orders = new Map(
    (
      await findByIds(
        rt,
        rt.table("sales/orders"),
        [...new Set(found.map((l) => linkId(l.values.order)).filter((x): x is number => x !== null))],
        ["status", "warehouse", "order_date"],
      )
    ).map((o) => [o.id, o]),
  );
  // An order naming no warehouse reserves in the default one (as when it was confirmed).
  const fallback = [...orders.values()].some((o) => linkId(o.values.warehouse) === null)
    ? ((await defaultWarehouse(rt))?.id ?? null)
    : null;
  const waiting = new Map<number, Waiting[]>();
  for (const l of found) {
    const o = orders.get(linkId(l.values.order) ?? 0);
    const product = linkId(l.values.product);
    if (!o || product === null || !OPEN.has(String(o.values.status))) continue;
    const warehouse = linkId(o.values.warehouse) ?? fallback;
    if (warehouse === null || !arrived.has(levelKey(product, warehouse))) continue;
    const list = waiting.get(warehouse) ?? [];
    list.push({
      line: l,
      order: o.id,
      orderDate: typeof o.values.order_date === "string" ? o.values.order_date : null,
      product,
      backordered: stored(l.values.backordered_quantity),
    });
    waiting.set(warehouse, list);
  }
  if (waiting.size === 0) return NO_FILLS;
  // Up to what arrived, and never past what is available after it (a warehouse below zero fills less).
  const levels = await loadLevels(rt, [...arrived.keys()]);
  const room = new Map(
    [...arrived].map(([k, a]) => {
      const after = (levels.get(k)?.available ?? 0n) + a.units;
      return [k, after < a.units ? (after < 0n ? 0n : after) : a.units];
    }),
  );
  const all = [...waiting].map(([warehouse, list]) => allot(rt, list.sort(oldestFirst), warehouse, room));
  return {
    intents: all.flatMap((f) => f.intents),
    statements: all.flatMap((f) => f.statements),
    filled: all.flatMap((f) => f.filled),
  };
}

/**
 * Cancelling a confirmed order clears its lines' backordered marks, at the versions read, in the
 * cancel's batch. The lines are read before `inner` (reserve.ts) reads what the ledger says the order
 * holds: a backorder filled in between moved the line's version, so the cancel answers 409 instead of
 * releasing less than the order holds.
 */
export function clearingBackorders(
  inner: (ctx: BeforeWriteContext) => Promise<BeforeWriteResult>,
): (ctx: BeforeWriteContext) => Promise<BeforeWriteResult> {
  return async (ctx) => {
    const cancelled =
      ctx.op === "update" &&
      ctx.target.maybeField("status") &&
      ctx.table("sales/order_lines").maybeField("backordered_quantity")
        ? ctx.records.filter(
            (r) => r.written("status") && String(r.after.status) === "cancelled" && OPEN.has(String(r.before?.status)),
          )
        : [];
    const marked = (await Promise.all(cancelled.map((r) => orderLines(ctx, r.id))))
      .flat()
      .filter((l) => l.backordered !== 0n);
    const result = await inner(ctx);
    if (marked.length === 0) return result;
    const clear = updateEffect(
      ctx,
      ctx.table("sales/order_lines"),
      marked.map((l) => ({ id: l.id, version: l.version, before: l.values, set: { backordered_quantity: qty(0n) } })),
    );
    return { ...result, statements: [...(result.statements ?? []), ...clear] };
  };
}

export const RESERVE_BACKORDERS_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["order"],
  properties: { order: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
};

/** Who may: whoever moves stock (the warehouse role, admins) or may change the order (its owner rep, their manager). */
async function mayReserve(ctx: ActionContext, orderId: number): Promise<void> {
  const orders = ctx.table("sales/orders");
  // An order the caller may not read answers as one that does not exist.
  if (!(await permittedIds(ctx, orders, "read", [orderId])).has(orderId)) throw notFound(`order ${orderId}`);
  if (accessTo(ctx, ctx.table("stock_moves")).may("create")) return;
  if ((await permittedIds(ctx, orders, "update", [orderId])).has(orderId)) return;
  throw forbidden(
    `reserve stock for order ${orderId}`,
    "Only the warehouse role, admins and those who may change the order reserve its backorders",
  );
}

/** inventory/reserve-backorders: what is available now, for the order's backordered lines, in line order. */
export async function reserveBackorders(ctx: ActionContext) {
  const { order: orderId } = ctx.input as unknown as { order: number };
  await mayReserve(ctx, orderId);
  for (let attempt = 1; ; attempt++) {
    const [order] = await findByIds(ctx, ctx.table("sales/orders"), [orderId], ["status", "warehouse"]);
    if (!order) throw notFound(`order ${orderId}`);
    const status = String(order.values.status);
    if (!OPEN.has(status))
      throw invalid([{ field: "order", code: "not_confirmed", message: `A ${status} order reserves no stock` }]);
    const waiting = (await orderLines(ctx, orderId)).filter((l) => l.backordered > 0n && l.product !== null);
    if (waiting.length === 0) return { order: orderId, lines: [] };
    const warehouse = await orderWarehouse(ctx, order.values.warehouse, "order");
    if (isProblem(warehouse)) throw invalid([warehouse]);
    const keys = waiting.map((l) => levelKey(l.product!, warehouse));
    const levels: Map<string, Level> = await loadLevels(ctx, keys);
    const room = new Map(keys.map((k) => [k, levels.get(k)?.available ?? 0n] as const));
    const fills = allot(ctx, waiting.map(asWaiting(orderId)), warehouse, room);
    if (fills.intents.length === 0) return { order: orderId, lines: [] };
    try {
      const plan = await planMoves(ctx, fills.intents);
      await runEffects(ctx.db, [...plan.statements, ...fills.statements], { onCheck: plan.onCheck });
      await refreshLowStock(ctx, plan.levelIds);
      const left = new Map(waiting.map((l) => [l.id, l.backordered]));
      return {
        order: orderId,
        lines: fills.filled.map((f) => ({
          order_line: f.order_line,
          reserved: f.quantity,
          backordered: qty(left.get(f.order_line)! - fills.intents.find((i) => i.orderLine === f.order_line)!.units),
        })),
      };
    } catch (err) {
      // Another request took the stock or filled the line first: read again (it may leave nothing to do).
      const raced = err instanceof AppError && (err.code === "conflict" || err.code === "insufficient_stock");
      if (!raced || attempt >= 3) throw err;
    }
  }
}

const asWaiting =
  (order: number) =>
  (l: OrderLine): Waiting => ({
    line: { id: l.id, version: l.version, values: l.values },
    order,
    orderDate: null,
    product: l.product!,
    backordered: l.backordered,
  });
