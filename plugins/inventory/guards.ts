/**
 * The ledger is append-only and levels are the ledger's to change: no client, admins included,
 * creates, updates or deletes a move or a level through the records API (403); the actions write
 * them as system effects, which run no hooks. Shipments are made only by inventory/ship; a clerk may
 * still fill in carrier and tracking number.
 */
import {
  AppError,
  addEffect,
  cond,
  findRows,
  forbidden,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type Stmt,
} from "../../worker/plugin-sdk";
import { renameLevelsOf } from "./level-names";

export function readOnly(what: string, why: string) {
  return (ctx: BeforeWriteContext) => {
    throw forbidden(`${ctx.op} ${what}`, why);
  };
}

const EDITABLE = new Set(["carrier", "tracking_no"]);
/** What people set on a level: when to reorder and how much; the balances are the ledger's. */
const PLANNING = new Set(["reorder_point", "reorder_quantity"]);

/** Levels: only their reorder point and quantity change through the API; nothing creates or deletes one. */
export function beforeLevels(ctx: BeforeWriteContext) {
  const why = "Stock levels change only with their moves (receive, adjust, transfer, ship)";
  if (ctx.op !== "update") throw forbidden(`${ctx.op} stock levels`, why);
  const fixed = ctx.target.keys().filter((k) => !PLANNING.has(k));
  for (const r of ctx.records)
    for (const k of fixed) if (r.written(k)) throw forbidden(`change ${k} of stock levels`, why);
}

export function onlyByShipAction(what: string) {
  return (ctx: BeforeWriteContext) => {
    if (ctx.op !== "update")
      throw forbidden(`${ctx.op} ${what}`, `${what} are made by inventory/ship and never deleted`);
    const fixed = ctx.target.keys().filter((k) => !EDITABLE.has(k));
    for (const r of ctx.records)
      for (const k of fixed)
        if (r.written(k))
          throw forbidden(`change ${k} of ${what}`, `Only carrier and tracking number of ${what} change`);
  };
}

/**
 * New warehouses are active unless the request says otherwise. Changing allow_negative_stock copies it
 * onto every level of the warehouse in the same batch (the level's CHECK reads its own copy); turning it
 * off while a level is below zero fails that CHECK, and the whole change answers 409. A new code renames
 * the warehouse's levels.
 */
export async function beforeWarehouses(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "create") for (const r of ctx.records) if (!r.written("active")) r.set("active", true);
  // A new code renames the warehouse's levels (level-names.ts).
  const statements: Stmt[] = await renameLevelsOf(ctx, "code", "warehouse");
  if (ctx.op !== "update" || !ctx.target.maybeField("allow_negative_stock")) return { statements };
  const changed = ctx.records.filter(
    (r) =>
      r.written("allow_negative_stock") &&
      (r.after.allow_negative_stock === true) !== (r.before?.allow_negative_stock === true),
  );
  if (changed.length === 0) return { statements };
  const levels = ctx.table("stock_levels");
  for (const r of changed) {
    const rows = await findRows(ctx, levels, cond(levels, "warehouse", "contains", r.id), ["key"]);
    const on = r.after.allow_negative_stock === true;
    statements.push(
      ...addEffect(
        ctx,
        levels,
        rows.map((l) => ({ id: l.id, set: { allow_negative: on } })),
      ),
    );
  }
  const path = (i: number) => (ctx.records.length === 1 ? "fields" : `records/${i}/fields`);
  return {
    statements,
    onCheck: async (message) =>
      /CHECK constraint failed: m_/.test(message)
        ? new AppError(
            "conflict",
            "Stock is below zero in this warehouse: bring it to zero before disallowing negative stock",
            changed.map((r) => ({
              field: `${path(r.index)}/allow_negative_stock`,
              code: "negative_stock",
              message: "Some products are below zero here; adjust or receive them first",
            })),
          )
        : null,
  };
}

/** Order lines: backordered_quantity is what confirming could not reserve; only inventory sets it. */
export function beforeOrderLines(ctx: BeforeWriteContext) {
  if (ctx.op === "delete") return;
  for (const r of ctx.records)
    if (r.written("backordered_quantity"))
      throw forbidden("change backordered_quantity of order lines", "It is set when the order is confirmed");
}
