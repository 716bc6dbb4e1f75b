/**
 * inventory/receive, inventory/adjust and inventory/transfer: each one batch of ledger rows and level
 * changes (levels.ts), for callers whose role may create stock moves (the warehouse role).
 */
import {
  accessTo,
  invalid,
  requireOperation,
  runEffects,
  AppError,
  type ActionContext,
  type FieldError,
} from "../../worker/plugin-sdk";
import { NO_FILLS, fillsFor } from "./backorders";
import { refreshLowStock } from "./low-stock";
import { levelKey, loadLevels, planMoves, type Intent } from "./levels";
import { qty, requestQuantity } from "./quantities";
import { activeWarehouse, isProblem, loadProducts, loadWarehouses, stockProduct } from "./subjects";

const id = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const quantity = { type: ["string", "number"], maxLength: 40 };
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max });

export const RECEIVE_INPUT = {
  type: "object",
  additionalProperties: false,
  // unit_cost may be left out by a role that may not see costs: the receipt is then booked at the
  // level's current average cost, so the average stays as it was.
  required: ["product", "warehouse", "quantity"],
  properties: {
    product: id,
    warehouse: id,
    quantity,
    unit_cost: {
      type: "object",
      additionalProperties: false,
      required: ["amount"],
      properties: {
        amount: { type: "integer", minimum: 0, maximum: 1e12 },
        currency: { type: "string", pattern: "^[A-Z]{3}$" },
      },
    },
    reference: text(200),
  },
};

export const ADJUST_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["product", "warehouse", "quantity", "reason"],
  properties: { product: id, warehouse: id, quantity, reason: text(1000), reference: text(200) },
};

export const TRANSFER_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["product", "from", "to", "quantity"],
  properties: { product: id, from: id, to: id, quantity, reference: text(200), reason: text(1000) },
};

interface Common {
  product: number;
  reference?: string;
  reason?: string;
}

/** Checks the caller may move stock, the product and warehouses; returns the product's label. */
async function subjects(ctx: ActionContext, product: number, warehouses: [string, number][], errors: FieldError[]) {
  requireOperation(accessTo(ctx, ctx.table("stock_moves")), "create");
  const p = stockProduct(await loadProducts(ctx, [product]), product, "product");
  if (isProblem(p)) errors.push(p);
  const ws = await loadWarehouses(
    ctx,
    warehouses.map(([, w]) => w),
  );
  for (const [field, w] of warehouses) {
    const x = activeWarehouse(ws, w, field);
    if (isProblem(x)) errors.push(x);
  }
  return isProblem(p) ? undefined : p.label;
}

/** Tries with backorders filled; the last try lands the move alone (inventory/reserve-backorders fills later). */
const ATTEMPTS = 4;

async function run(ctx: ActionContext, intents: Intent[]) {
  // A receipt reprices at the version read, and a fill writes its lines at theirs: a concurrent move
  // to the same level or a fill of the same line retries it.
  for (let attempt = 1; ; attempt++) {
    const fills = attempt < ATTEMPTS ? await fillsFor(ctx, intents) : NO_FILLS;
    const plan = await planMoves(ctx, [...intents, ...fills.intents]);
    try {
      await runEffects(ctx.db, [...plan.statements, ...fills.statements], { onCheck: plan.onCheck });
      await refreshLowStock(ctx, plan.levelIds);
      return {
        moves: intents.map((i) => ({ kind: i.kind, warehouse: i.warehouse, quantity: qty(i.units) })),
        backorders_filled: fills.filled,
      };
    } catch (err) {
      const raced =
        err instanceof AppError &&
        (err.code === "conflict" || (fills.intents.length > 0 && err.code === "insufficient_stock"));
      if (!raced || attempt >= ATTEMPTS) throw err;
    }
  }
}

export async function receive(ctx: ActionContext) {
  const input = ctx.input as unknown as Common & {
    warehouse: number;
    quantity: unknown;
    unit_cost?: { amount: number; currency?: string };
  };
  const errors: FieldError[] = [];
  const q = requestQuantity(input.quantity, "quantity");
  if (isProblem(q)) errors.push(q);
  const currency = String(ctx.table("stock_levels").field("average_cost").options.currency ?? "CNY");
  if (input.unit_cost?.currency && input.unit_cost.currency !== currency)
    errors.push({ field: "unit_cost/currency", code: "currency_mismatch", message: `Stock is valued in ${currency}` });
  const label = await subjects(ctx, input.product, [["warehouse", input.warehouse]], errors);
  if (errors.length || isProblem(q)) throw invalid(errors);
  return run(ctx, [
    {
      product: input.product,
      warehouse: input.warehouse,
      kind: "receipt",
      units: q.units,
      unitCost: input.unit_cost
        ? BigInt(input.unit_cost.amount)
        : await averageCost(ctx, { product: input.product, from: input.warehouse }),
      reference: input.reference,
      reason: input.reason,
      path: "quantity",
      label,
    },
  ]);
}

export async function adjust(ctx: ActionContext) {
  const input = ctx.input as unknown as Common & { warehouse: number; quantity: unknown; reason: string };
  const errors: FieldError[] = [];
  const q = requestQuantity(input.quantity, "quantity", true);
  if (isProblem(q)) errors.push(q);
  if (!input.reason.trim()) errors.push({ field: "reason", code: "required", message: "An adjustment says why" });
  const label = await subjects(ctx, input.product, [["warehouse", input.warehouse]], errors);
  if (errors.length || isProblem(q)) throw invalid(errors);
  return run(ctx, [
    {
      product: input.product,
      warehouse: input.warehouse,
      kind: "adjustment",
      units: q.units,
      reference: input.reference,
      reason: input.reason.trim(),
      path: "quantity",
      label,
    },
  ]);
}

export async function transfer(ctx: ActionContext) {
  const input = ctx.input as unknown as Common & { from: number; to: number; quantity: unknown };
  const errors: FieldError[] = [];
  const q = requestQuantity(input.quantity, "quantity");
  if (isProblem(q)) errors.push(q);
  if (input.from === input.to)
    errors.push({ field: "to", code: "same_warehouse", message: "from and to are the same warehouse" });
  const label = await subjects(
    ctx,
    input.product,
    [
      ["from", input.from],
      ["to", input.to],
    ],
    errors,
  );
  if (errors.length || isProblem(q)) throw invalid(errors);
  const common = { product: input.product, reference: input.reference, reason: input.reason, path: "quantity", label };
  // Both moves in one batch: out of `from` at its average cost, into `to` at that cost.
  return run(ctx, [
    { ...common, warehouse: input.from, kind: "transfer_out", units: -q.units },
    { ...common, warehouse: input.to, kind: "transfer_in", units: q.units, unitCost: await averageCost(ctx, input) },
  ]);
}

async function averageCost(ctx: ActionContext, input: { product: number; from: number }): Promise<bigint> {
  const key = levelKey(input.product, input.from);
  return (await loadLevels(ctx, [key])).get(key)?.averageCost ?? 0n;
}
