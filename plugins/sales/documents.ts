/**
 * The hooks on quotes and orders themselves: defaults on create (draft, currency and price list from
 * the customer's price list, validity, order date, zero totals), computed values refused from clients,
 * status moves only along lifecycle.ts (422 naming the allowed ones; an order's move runs the handlers
 * other plugins registered, their statements in this batch), and only drafts change otherwise.
 */
import {
  auditEffect,
  cond,
  deleteEffect,
  findRows,
  relativeDate,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type HookRecord,
  type Stmt,
} from "../../worker/plugin-sdk";
import { regradeLaterEffect } from "../customers/grade";
import { ORDER, QUOTE, type DocKind } from "./kinds";
import { allowedMoves, ORDER_TRANSITIONS, QUOTE_TRANSITIONS, transitionHandlers } from "./lifecycle";
import { customerPriceLists, loadPriceLists, type PriceList } from "../products/pricing";
import { linkBump, linkId, money, salesSettings, TOTAL_KEYS } from "./values";

const ORDER_COMPUTED = [...TOTAL_KEYS, "paid_amount", "payment_status"];
/** What a non-draft order may no longer change: what its lines were priced by. */
const ORDER_FIXED = ["customer", "currency", "price_list", "prices_include_tax"];
/** What moves a customer's order revenue besides the totals (the lines hook covers those). */
const ORDER_REVENUE = ["customer", "status", "order_date", "currency"];
/** What a quote may change after draft: its status (along the lifecycle) only. */
const QUOTE_MOVABLE = new Set(["status"]);

export function documentHook(kind: DocKind) {
  const computed = kind === ORDER ? ORDER_COMPUTED : [...TOTAL_KEYS];
  const moves = kind === QUOTE ? QUOTE_TRANSITIONS : ORDER_TRANSITIONS;
  return async (ctx: BeforeWriteContext): Promise<BeforeWriteResult> => {
    const problems: HookProblem[] = [];
    const problem = (record: HookRecord, field: string, code: string, message: string) =>
      problems.push({ record, field, code, message });
    const statements: Stmt[] = [];
    const settings = await salesSettings(ctx);
    const today = relativeDate(0, ctx.principal.timeZone || "UTC");
    // New documents' price lists, for all of them at once (a bulk create would read two per record).
    let lists: Promise<{ byCustomer: Map<number, PriceList>; byId: Map<number, PriceList> }> | undefined;
    const createLists = async (rt: BeforeWriteContext, day: string) => {
      const [byCustomer, byId] = await Promise.all([
        customerPriceLists(
          rt,
          rt.records
            .filter((r) => linkId(r.after.price_list) === null && !r.written("price_list"))
            .map((r) => linkId(r.after.customer))
            .filter((x): x is number => x !== null),
          day,
        ),
        loadPriceLists(
          rt,
          rt.records.map((r) => linkId(r.after.price_list)).filter((x): x is number => x !== null),
        ),
      ]);
      return { byCustomer, byId };
    };

    for (const rec of ctx.records) {
      const b = rec.before;
      const a = rec.after;
      // The grades of the customers whose order revenue this write may move follow at the next tick.
      if (kind === ORDER && (ctx.op === "delete" || (ctx.op === "update" && ORDER_REVENUE.some((k) => rec.written(k)))))
        statements.push(
          ...regradeLaterEffect(
            ctx,
            [linkId(b?.customer), ctx.op === "delete" ? null : linkId(a.customer)].filter(
              (x): x is number => x !== null,
            ),
          ),
        );
      if (ctx.op === "delete") {
        const s = String(b?.status);
        if (s !== "draft" && !(kind === ORDER && s === "cancelled"))
          problem(rec, "status", kind.lockedCode, `Only draft ${kind.doc} are deleted; this one is ${s}`);
        else statements.push(...(await deleteLines(ctx, kind, rec, problem)));
        continue;
      }
      for (const k of computed)
        if (rec.written(k)) problem(rec, k, "computed", `${k} is computed by the server and cannot be written`);

      if (ctx.op === "create") {
        if (a.status !== null && a.status !== undefined && a.status !== "draft")
          problem(rec, "status", "invalid_transition", `A new ${kind.parent} starts as draft`);
        rec.set("status", "draft");
        const { byCustomer, byId } = await (lists ??= createLists(ctx, today));
        const listId = linkId(a.price_list);
        let list: PriceList | null = null;
        if (listId === null && !rec.written("price_list")) {
          list = byCustomer.get(linkId(a.customer) ?? -1) ?? null;
          if (list) rec.set("price_list", [list.id]);
        } else if (listId !== null) list = byId.get(listId) ?? null;
        const currency = (a.currency as string | null) ?? list?.currency ?? settings.defaultCurrency;
        if (list?.currency && list.currency !== currency)
          problem(rec, "currency", "currency_mismatch", `The price list is in ${list.currency}, not ${currency}`);
        if (!a.currency) rec.set("currency", currency);
        if (!rec.written("prices_include_tax")) rec.set("prices_include_tax", list?.pricesIncludeTax ?? false);
        for (const k of TOTAL_KEYS) rec.set(k, money(0, currency));
        if (kind === QUOTE) {
          if (a.revision === null || a.revision === undefined) rec.set("revision", 1);
          if (!a.valid_until)
            rec.set("valid_until", relativeDate(settings.quoteValidDays, ctx.principal.timeZone || "UTC"));
        } else {
          rec.set("paid_amount", money(0, currency));
          rec.set("payment_status", "unpaid");
          if (!a.order_date) rec.set("order_date", today);
        }
        continue;
      }

      // Update: a status move along the lifecycle, nothing else once past draft.
      const from = String(b!.status);
      if (rec.written("status") && a.status !== from) {
        const allowed = allowedMoves(moves, from);
        if (!allowed.includes(String(a.status)))
          problem(
            rec,
            "status",
            "invalid_transition",
            `A ${from} ${kind.parent} moves to ${allowed.length ? allowed.join(", ") : "no other status"}, not ${String(a.status)}`,
          );
        else if (kind === ORDER)
          for (const h of transitionHandlers(String(a.status))) {
            const r = await h({ ctx, record: rec, from, to: String(a.status) });
            if (r?.problem) problem(rec, r.problem.field, r.problem.code, r.problem.message);
            if (r?.statements) statements.push(...r.statements);
          }
      }
      if (from !== "draft") {
        const fixed = kind === QUOTE ? ctx.target.keys().filter((k) => !QUOTE_MOVABLE.has(k)) : ORDER_FIXED;
        for (const k of fixed)
          if (rec.written(k) && JSON.stringify(a[k] ?? null) !== JSON.stringify(b![k] ?? null))
            problem(rec, k, kind.lockedCode, kind.lockedWhy(from));
      }
      // What the lines were priced in stays while there are lines.
      const repriced = ["currency", "prices_include_tax"].filter(
        (k) => rec.written(k) && JSON.stringify(a[k] ?? null) !== JSON.stringify(b![k] ?? null),
      );
      if (repriced.length && from === "draft") {
        const lines = ctx.table(kind.lines);
        const any = await findRows(ctx, lines, cond(lines, kind.parent, "contains", rec.id), [], 1);
        if (any.length)
          for (const k of repriced)
            problem(rec, k, "has_lines", `${k} cannot change while the ${kind.parent} has lines`);
      }
    }
    if (problems.length) return { problems };
    return { statements };
  };
}

/**
 * A deleted document takes its lines with it, in the same batch. The delete has already unlinked
 * them by then, bumping each line's version once (linkBump), so they are deleted at the version read
 * plus one: a line changed meanwhile fails the whole delete. An order with payments is not deleted.
 */
async function deleteLines(
  ctx: BeforeWriteContext,
  kind: DocKind,
  rec: HookRecord,
  problem: (record: HookRecord, field: string, code: string, message: string) => void,
): Promise<Stmt[]> {
  const lines = ctx.table(kind.lines);
  const rows = await findRows(ctx, lines, cond(lines, kind.parent, "contains", rec.id), []);
  if (kind === ORDER) {
    const payments = ctx.table("payments");
    if ((await findRows(ctx, payments, cond(payments, "order", "contains", rec.id), [], 1)).length) {
      problem(rec, "status", "in_use", "The order has payments; cancel it instead");
      return [];
    }
  }
  if (rows.length === 0) return [];
  return [
    ...deleteEffect(
      lines.meta,
      rows.map((r) => ({ id: r.id, version: r.version + linkBump("delete") })),
    ),
    ...auditEffect(
      ctx,
      lines.meta.id,
      rows.map((r): [string, number, string] => ["delete", r.id, JSON.stringify({ [kind.parent]: [rec.id] })]),
    ),
  ];
}
