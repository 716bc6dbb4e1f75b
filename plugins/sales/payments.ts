/**
 * The hook on payments: a payment is a positive amount in its order's currency, on an order that is
 * not cancelled, and stays on its order; the order's paid_amount and payment_status are recomputed
 * from all its payments and written IN THE SAME BATCH, guarded by the order's version (read before
 * the payments), so concurrent payments cannot leave a wrong sum.
 */
import {
  addMoney,
  cond,
  findByIds,
  findRows,
  updateEffect,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type HookRecord,
  type Stmt,
} from "../../worker/plugin-sdk";
import { linkBump, linkId, money, readAmount, salesSettings } from "./values";

export function paymentStatus(paid: number, total: number): "unpaid" | "partially_paid" | "paid" {
  if (paid <= 0) return "unpaid";
  return paid >= total ? "paid" : "partially_paid";
}

export async function beforePayments(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  const problems: HookProblem[] = [];
  const problem = (record: HookRecord, field: string, code: string, message: string) =>
    problems.push({ record, field, code, message });
  const orderOf = new Map<HookRecord, number>();
  for (const rec of ctx.records) {
    const was = rec.before ? linkId(rec.before.order) : null;
    const now = ctx.op === "delete" ? was : linkId(rec.after.order);
    if (ctx.op === "update" && rec.written("order") && now !== was)
      problem(rec, "order", "payment_moved", "A payment stays on its order; delete it and record it on the other one");
    else if (now === null && ctx.op === "create") problem(rec, "order", "required", "A payment needs its order");
    else if (now !== null) orderOf.set(rec, now);
  }
  if (problems.length) return { problems };

  const ordersT = ctx.table("orders");
  const settings = await salesSettings(ctx);
  const orders = new Map(
    (
      await findByIds(
        ctx,
        ordersT,
        [...new Set(orderOf.values())],
        ["status", "currency", "total", "paid_amount", "payment_status"],
      )
    ).map((r) => [r.id, r]),
  );
  for (const [rec, id] of orderOf) {
    const o = orders.get(id);
    if (!o || ctx.op === "delete") continue;
    const currency = (o.values.currency as string | null) ?? settings.defaultCurrency;
    if (o.values.status === "cancelled") problem(rec, "order", "order_cancelled", "The order is cancelled");
    const amt = readAmount(rec.after.amount);
    if (!amt) continue;
    if (amt.currency && amt.currency !== currency)
      problem(rec, "amount", "currency_mismatch", `The order is in ${currency}, not ${amt.currency}`);
    else if (amt.amount <= 0) problem(rec, "amount", "not_positive", "A payment is above zero");
    else if (!amt.currency) rec.set("amount", money(amt.amount, currency));
  }
  if (problems.length) return { problems };

  const statements: Stmt[] = [];
  const paymentsT = ctx.target;
  for (const o of orders.values()) {
    const mine = new Map([...orderOf].filter(([, id]) => id === o.id).map(([rec]) => [rec.id, rec]));
    const stored = await findRows(ctx, paymentsT, cond(paymentsT, "order", "contains", o.id), ["amount"]);
    const amounts = stored
      .filter((s) => !(ctx.op === "delete" && mine.has(s.id)))
      .map((s) => readAmount(mine.get(s.id)?.after.amount ?? s.values.amount)?.amount ?? 0);
    if (ctx.op === "create") for (const rec of mine.values()) amounts.push(readAmount(rec.after.amount)?.amount ?? 0);
    const currency = (o.values.currency as string | null) ?? settings.defaultCurrency;
    const paid = addMoney(...amounts);
    const total = readAmount(o.values.total)?.amount ?? 0;
    statements.push(
      ...updateEffect(ctx, ordersT, [
        {
          id: o.id,
          version: o.version + linkBump(ctx.op),
          before: o.values,
          set: { paid_amount: money(paid, currency), payment_status: paymentStatus(paid, total) },
        },
      ]),
    );
  }
  return { statements };
}
