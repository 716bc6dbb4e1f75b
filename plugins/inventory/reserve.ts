/**
 * Reservation on the order's lifecycle (sales' lifecycle.ts decides which moves are allowed; sales'
 * own hook refuses the others before this one runs). This hook on sales/orders joins the order's
 * write batch: draft -> confirmed reserves every stock-tracked line in the order's warehouse (the
 * default one when empty), all lines or none, 409 insufficient_stock naming each short line;
 * cancelling releases what the order still holds. The balances move in place under their CHECKs, so
 * concurrent confirmations can never reserve more than is there.
 */
import {
  cond,
  findRows,
  invalid,
  updateEffect,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type FieldError,
  type HookRecord,
  type Runtime,
  type Stmt,
} from "../../worker/plugin-sdk";
import { refreshLowStock } from "./low-stock";
import { levelKey, planMoves, preload, type Intent } from "./levels";
import { qty, stored, units } from "./quantities";
import { activeWarehouse, defaultWarehouse, isProblem, loadProducts, loadWarehouses } from "./subjects";
import { TOUCHES, type MoveKind } from "./kinds";

const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

/** The warehouse an order reserves and ships from: its own, else the default; checked active. */
export async function orderWarehouse(rt: Runtime, link: unknown, field: string): Promise<number | FieldError> {
  const own = linkId(link);
  if (own === null) {
    const d = await defaultWarehouse(rt);
    if (!d) return { field, code: "required", message: "The order names no warehouse and there is no default one" };
    if (!d.active) return { field, code: "inactive", message: `The default warehouse ${d.label} is not active` };
    return d.id;
  }
  const w = activeWarehouse(await loadWarehouses(rt, [own]), own, field);
  return isProblem(w) ? w : w.id;
}

export interface OrderLine {
  id: number;
  version: number;
  values: Record<string, unknown>;
  product: number | null;
  quantity: bigint;
  shipped: bigint;
  backordered: bigint;
}

export async function orderLines(rt: Runtime, orderId: number): Promise<OrderLine[]> {
  const t = rt.table("sales/order_lines");
  const rows = await findRows(rt, t, cond(t, "order", "contains", orderId), [
    "product",
    "quantity",
    "shipped_quantity",
    ...(t.maybeField("backordered_quantity") ? ["backordered_quantity"] : []),
  ]);
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    values: r.values,
    product: linkId(r.values.product),
    quantity: stored(r.values.quantity),
    shipped: stored(r.values.shipped_quantity),
    backordered: stored(r.values.backordered_quantity),
  }));
}

export interface Held {
  product: number;
  warehouse: number;
  units: bigint;
}

/** What each line of the order still holds reserved, from the ledger (reservations - releases - shipments). */
export async function heldByLine(rt: Runtime, orderId: number): Promise<Map<number, Held>> {
  const t = rt.table("stock_moves");
  const rows = await findRows(rt, t, cond(t, "order", "eq", orderId), [
    "order_line",
    "kind",
    "quantity",
    "product",
    "warehouse",
  ]);
  const out = new Map<number, Held>();
  for (const r of rows) {
    const kind = r.values.kind as MoveKind;
    if (!TOUCHES[kind]?.reserved) continue;
    const line = Number(r.values.order_line);
    const h = out.get(line) ?? { product: Number(r.values.product), warehouse: Number(r.values.warehouse), units: 0n };
    h.units += units(r.values.quantity) ?? 0n;
    out.set(line, h);
  }
  return out;
}

/** What confirming reserves, and on a backorder workspace what each line marks backordered. */
interface Reservation {
  intents: Intent[];
  /** Lines whose backordered_quantity changes (backorders allowed), with what it becomes. */
  backorders: { line: OrderLine; units: bigint }[];
}

async function reserveIntents(ctx: BeforeWriteContext, rec: HookRecord, path: string): Promise<Reservation> {
  // Independent reads overlap: each is a round trip to D1.
  const [w, lines, settings] = await Promise.all([
    orderWarehouse(ctx, rec.after.warehouse, `${path}/warehouse`),
    orderLines(ctx, rec.id),
    ctx.settings(),
  ]);
  if (isProblem(w)) throw invalid([w]);
  const ids = lines.map((l) => l.product).filter((x): x is number => x !== null);
  const [products, levels] = await Promise.all([
    loadProducts(ctx, ids),
    preload(
      ctx,
      ids.map((p) => levelKey(p, w)),
    ),
  ]);
  const stocked = lines.filter((l) => l.product !== null && products.get(l.product)?.trackStock && l.quantity > 0n);
  const intent = (l: OrderLine, units: bigint): Intent => ({
    product: l.product!,
    warehouse: w,
    kind: "reservation" as const,
    units,
    order: rec.id,
    orderLine: l.id,
    path: `order_lines/${l.id}/quantity`,
    label: products.get(l.product!)!.label,
  });
  if (settings.allowBackorders !== true) return { intents: stocked.map((l) => intent(l, l.quantity)), backorders: [] };
  // Backorders: each line takes what is still available as read (lines of one product in turn), the
  // rest is marked. The CHECKs still decide: a concurrent confirmation that took it first fails this batch.
  const left = new Map<string, bigint>();
  const intents: Intent[] = [];
  const backorders: Reservation["backorders"] = [];
  for (const l of stocked) {
    const k = levelKey(l.product!, w);
    const have = left.get(k) ?? levels.get(k)?.available ?? 0n;
    const take = have < 0n ? 0n : have < l.quantity ? have : l.quantity;
    left.set(k, have - take);
    if (take > 0n) intents.push(intent(l, take));
    if (take < l.quantity || l.backordered !== 0n) backorders.push({ line: l, units: l.quantity - take });
  }
  return { intents, backorders };
}

async function releaseIntents(ctx: BeforeWriteContext, rec: HookRecord): Promise<Intent[]> {
  const held = await heldByLine(ctx, rec.id);
  return [...held]
    .filter(([, h]) => h.units > 0n)
    .map(([line, h]) => ({
      product: h.product,
      warehouse: h.warehouse,
      kind: "release" as const,
      units: -h.units,
      order: rec.id,
      orderLine: line,
      path: `order_lines/${line}/quantity`,
    }));
}

export async function beforeOrders(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op !== "update") return {};
  const intents: Intent[] = [];
  const backorders: Reservation["backorders"] = [];
  const errors: FieldError[] = [];
  for (const rec of ctx.records) {
    const from = String(rec.before?.status);
    const to = String(rec.after.status);
    const path = ctx.records.length === 1 ? "fields" : `records/${rec.index}/fields`;
    if (from !== "draft" && rec.written("warehouse") && linkId(rec.after.warehouse) !== linkId(rec.before?.warehouse))
      errors.push({
        field: `${path}/warehouse`,
        code: "fixed",
        message: "The warehouse of a confirmed order is fixed: its stock is reserved there",
      });
    if (!rec.written("status") || from === to) continue;
    if (from === "draft" && to === "confirmed") {
      const r = await reserveIntents(ctx, rec, path);
      intents.push(...r.intents);
      backorders.push(...r.backorders);
    } else if (to === "cancelled" && from !== "draft") intents.push(...(await releaseIntents(ctx, rec)));
  }
  if (errors.length) throw invalid(errors);
  const marks = backorderEffect(ctx, backorders);
  if (intents.length === 0) return marks.length ? { statements: marks } : {};
  const plan = await planMoves(ctx, intents);
  if (pendingLevels.size > 1000) pendingLevels.clear(); // entries of batches that failed
  pendingLevels.set(`${ctx.requestId}|${ctx.at}`, plan.levelIds);
  return { statements: [...plan.statements, ...marks] as Stmt[], onCheck: plan.onCheck };
}

/** Each line's backordered_quantity, at the version read, in the order's batch. */
function backorderEffect(rt: Runtime, marks: Reservation["backorders"]): Stmt[] {
  if (marks.length === 0) return [];
  return updateEffect(
    rt,
    rt.table("sales/order_lines"),
    marks.map(({ line, units }) => ({
      id: line.id,
      version: line.version,
      before: line.values,
      set: { backordered_quantity: qty(units) },
    })),
  );
}

/** Levels a request's order write touched, for the low-stock check once its batch committed. */
const pendingLevels = new Map<string, number[]>();

export async function afterOrders(ctx: Runtime): Promise<void> {
  const key = `${ctx.requestId}|${ctx.at}`;
  const ids = pendingLevels.get(key);
  pendingLevels.delete(key);
  if (ids) await refreshLowStock(ctx, ids);
}
