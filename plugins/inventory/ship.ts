/**
 * inventory/ship: a shipment of a confirmed (or partly shipped) order, in ONE batch: the shipment and
 * its lines, the ledger's shipment moves, reserved and on_hand taken down in place (their CHECKs hold),
 * each line's shipped_quantity and the order's status (partially_shipped or shipped), both at the
 * versions read, so a cancel racing it makes one of the two answer 409 and never both land.
 */
import {
  accessTo,
  findByIds,
  insertEffect,
  invalid,
  permittedIds,
  requireOperation,
  runEffects,
  updateEffect,
  notFound,
  type ActionContext,
  type FieldError,
} from "../../worker/plugin-sdk";
import { refreshLowStock } from "./low-stock";
import { planMoves, type Intent } from "./levels";
import { qty, requestQuantity } from "./quantities";
import { heldByLine, orderLines, orderWarehouse } from "./reserve";
import { isProblem, loadProducts } from "./subjects";

export const SHIP_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["order"],
  properties: {
    order: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    lines: {
      type: "array",
      minItems: 1,
      maxItems: 1000,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["order_line", "quantity"],
        properties: {
          order_line: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          quantity: { type: ["string", "number"], maxLength: 40 },
        },
      },
    },
    carrier: { type: "string", maxLength: 200 },
    tracking_no: { type: "string", maxLength: 200 },
  },
};

interface ShipInput {
  order: number;
  lines?: { order_line: number; quantity: unknown }[];
  carrier?: string;
  tracking_no?: string;
}

export async function ship(ctx: ActionContext) {
  const input = ctx.input as unknown as ShipInput;
  requireOperation(accessTo(ctx, ctx.table("shipments")), "create");
  requireOperation(accessTo(ctx, ctx.table("stock_moves")), "create");
  const orders = ctx.table("sales/orders");
  if (!(await permittedIds(ctx, orders, "read", [input.order])).has(input.order))
    throw notFound(`order ${input.order}`);
  const [order] = await findByIds(ctx, orders, [input.order], ["status", "warehouse", "number"]);
  if (!order) throw notFound(`order ${input.order}`);
  const status = String(order.values.status);
  if (status !== "confirmed" && status !== "partially_shipped")
    throw invalid([{ field: "order", code: "not_shippable", message: `A ${status} order does not ship` }]);

  const lines = await orderLines(ctx, order.id);
  const byId = new Map(lines.map((l) => [l.id, l]));
  const held = await heldByLine(ctx, order.id);
  const products = await loadProducts(
    ctx,
    lines.map((l) => l.product).filter((x): x is number => x !== null),
  );
  const tracked = (productId: number | null) => productId !== null && products.get(productId)?.trackStock === true;
  const errors: FieldError[] = [];
  const wanted = new Map<number, bigint>();
  if (input.lines) {
    input.lines.forEach((l, i) => {
      const path = `lines/${i}`;
      const q = requestQuantity(l.quantity, `${path}/quantity`);
      const line = byId.get(l.order_line);
      if (!line)
        errors.push({
          field: `${path}/order_line`,
          code: "not_in_order",
          message: `Line ${l.order_line} is not a line of this order`,
        });
      if (isProblem(q)) errors.push(q);
      if (!line || isProblem(q)) return;
      if (wanted.has(line.id))
        errors.push({ field: `${path}/order_line`, code: "duplicate", message: "Line named twice" });
      wanted.set(line.id, q.units);
    });
  } else {
    // Everything outstanding that is reserved (a backordered part waits for stock).
    for (const l of lines) {
      const outstanding = l.quantity - l.shipped;
      const reservedHere = held.get(l.id)?.units ?? 0n;
      const q = tracked(l.product) && reservedHere < outstanding ? reservedHere : outstanding;
      if (q > 0n) wanted.set(l.id, q);
    }
  }
  if (!errors.length && wanted.size === 0)
    errors.push({ field: "lines", code: "nothing_to_ship", message: "Everything of this order has shipped" });
  input.lines?.forEach((l, i) => {
    const line = byId.get(l.order_line);
    const q = wanted.get(l.order_line);
    if (!line || q === undefined) return;
    const outstanding = line.quantity - line.shipped;
    const reserved = held.get(line.id)?.units ?? 0n;
    if (q > outstanding)
      errors.push({
        field: `lines/${i}/quantity`,
        code: "over_shipping",
        message: `Only ${qty(outstanding)} of this line is left to ship`,
        params: { limit: qty(outstanding) },
      });
    else if (tracked(line.product) && q > reserved)
      errors.push({
        field: `lines/${i}/quantity`,
        code: "over_reserved",
        message: `Only ${qty(reserved)} of this line is reserved`,
        params: { limit: qty(reserved) },
      });
  });
  if (errors.length) throw invalid(errors);

  const warehouse = await orderWarehouse(ctx, order.values.warehouse, "order");
  if (isProblem(warehouse)) throw invalid([warehouse]);
  const shipments = await insertEffect(ctx, ctx.table("shipments"), [
    {
      order: [order.id],
      warehouse: [held.values().next().value?.warehouse ?? warehouse],
      status: "shipped",
      shipped_at: ctx.at,
      carrier: input.carrier ?? null,
      tracking_no: input.tracking_no ?? null,
    },
  ]);
  const shipmentId = shipments.ids[0]!;
  const lineRows = [...wanted].map(([lineId, q]) => ({
    shipment: [shipmentId],
    order_line: [lineId],
    product: byId.get(lineId)!.product === null ? null : [byId.get(lineId)!.product!],
    quantity: qty(q),
  }));
  const intents: Intent[] = [...wanted]
    .filter(([lineId]) => tracked(byId.get(lineId)!.product))
    .map(([lineId, q]) => ({
      product: byId.get(lineId)!.product!,
      warehouse: held.get(lineId)?.warehouse ?? warehouse,
      kind: "shipment",
      units: -q,
      order: order.id,
      orderLine: lineId,
      shipment: shipmentId,
      path: `lines/${lineId}/quantity`,
      label: products.get(byId.get(lineId)!.product!)!.label,
    }));
  const plan = await planMoves(ctx, intents);
  const lineTable = ctx.table("sales/order_lines");
  const done = lines.every((l) => l.shipped + (wanted.get(l.id) ?? 0n) >= l.quantity);
  const next = done ? "shipped" : "partially_shipped";
  const statements = [
    ...shipments.statements,
    ...(await insertEffect(ctx, ctx.table("shipment_lines"), lineRows)).statements,
    ...plan.statements,
    ...updateEffect(
      ctx,
      lineTable,
      [...wanted].map(([lineId, q]) => {
        const l = byId.get(lineId)!;
        return { id: l.id, version: l.version, before: l.values, set: { shipped_quantity: qty(l.shipped + q) } };
      }),
    ),
    ...updateEffect(ctx, orders, [
      { id: order.id, version: order.version, before: order.values, set: { status: next } },
    ]),
  ];
  await runEffects(ctx.db, statements, { onCheck: plan.onCheck });
  await refreshLowStock(ctx, plan.levelIds);
  return {
    shipment: shipmentId,
    status: next,
    lines: [...wanted].map(([lineId, q]) => ({ order_line: lineId, quantity: qty(q) })),
  };
}
