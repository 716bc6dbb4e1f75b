/**
 * The hook on quote and order lines. Every create, update or delete of lines:
 * - is refused (422 naming the line's field) for a computed amount sent by the client, a line moved to
 *   another document, a document that is not a draft (confirmed orders lock their lines), a quantity
 *   that is not above zero, an inactive product, a price in another currency, a price override the
 *   settings do not allow or below cost without the manager role;
 * - takes unit price, tax rate and description from the price list or product when not given;
 * - recomputes the document's totals from ALL its lines (totals.ts) and writes them, with every line
 *   amount that changes, IN THE SAME BATCH as the line write. The document and its lines are read in
 *   one D1 batch (one state) and the document's update is guarded by the version read: every line
 *   write bumps that version, so two concurrent line edits cannot both commit on one reading (the
 *   second gets 409) and a total never disagrees with its lines.
 */
import {
  cond,
  findMany,
  or,
  updateEffect,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type FoundRow,
  type HookProblem,
  type HookRecord,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { regradeLaterEffect } from "../customers/grade";
import { MAX_LINES, ORDER, type DocKind } from "./kinds";
import { paymentStatus } from "./payments";
import { listPrices, PRODUCT_KEYS, productFacts, type ProductFacts } from "../products/pricing";
import { computeTotals, parseQuantity, type LineInput } from "./totals";
import {
  isManager,
  linkBump,
  LINE_AMOUNT_KEYS,
  linkId,
  money,
  readAmount,
  parseSettings,
  TOTAL_KEYS,
  type SalesSettings,
} from "./values";

const DOC_KEYS = ["status", "currency", "price_list", "prices_include_tax", ...TOTAL_KEYS];
const ORDER_KEYS = [...DOC_KEYS, "paid_amount", "customer"];
const LINE_KEYS = ["position", "quantity", "unit_price", "discount", "tax_rate", ...LINE_AMOUNT_KEYS];
/** Written by the server only: the line amounts, and whether the unit price was set by hand. */
const COMPUTED_KEYS = [...LINE_AMOUNT_KEYS, "price_overridden"];

interface Doc {
  row: FoundRow;
  currency: string;
  records: HookRecord[];
  /** Its lines as stored. */
  stored: FoundRow[];
}

const isId = (v: number | null): v is number => v !== null;

export function linesHook(kind: DocKind) {
  return async (ctx: BeforeWriteContext): Promise<BeforeWriteResult> => {
    const problems: HookProblem[] = [];
    const problem = (record: HookRecord, field: string, code: string, message: string) =>
      problems.push({ record, field, code, message });

    // 1. Shape: computed amounts are the server's; a line stays on its document.
    const parentOf = new Map<HookRecord, number>();
    for (const rec of ctx.records) {
      if (ctx.op !== "delete")
        for (const k of COMPUTED_KEYS)
          if (rec.written(k))
            problem(rec, k, "computed", `${k} is computed by the server from quantity, price, discount and tax rate`);
      const was = rec.before ? linkId(rec.before[kind.parent]) : null;
      const now = ctx.op === "delete" ? was : linkId(rec.after[kind.parent]);
      if (ctx.op === "update" && rec.written(kind.parent) && now !== was)
        problem(
          rec,
          kind.parent,
          "line_moved",
          `A line stays on its ${kind.parent}; delete it and add it to the other one`,
        );
      else if (now === null && ctx.op === "create")
        problem(rec, kind.parent, "required", `A line needs its ${kind.parent}`);
      else if (now !== null) parentOf.set(rec, now);
    }
    if (problems.length) return { problems };

    // 2. One round trip: the documents, all their lines, the products named and the settings. One
    // batch reads one state; the documents' updates below are guarded by the versions read here.
    const docsT = ctx.table(kind.doc);
    const ids = [...new Set(parentOf.values())];
    const linesT = ctx.target;
    const productIds = ctx.op === "delete" ? [] : ctx.records.map((r) => linkId(r.after.product)).filter(isId);
    const chunks: number[][] = [];
    for (let i = 0; i < ids.length; i += 40) chunks.push(ids.slice(i, i + 40));
    const read = await findMany(
      ctx,
      [
        { table: docsT, ids, keys: kind === ORDER ? ORDER_KEYS : DOC_KEYS },
        { table: ctx.table("products/products"), ids: productIds, keys: PRODUCT_KEYS },
        ...chunks.map((c) => ({
          table: linesT,
          keys: [kind.parent, ...LINE_KEYS],
          filter: or(...c.map((id) => cond(linesT, kind.parent, "contains", id))),
          max: MAX_LINES + 1,
        })),
      ],
      { settings: true },
    );
    const settings = parseSettings(read.settings);
    const products = new Map(read.rows[1]!.map((r) => [r.id, productFacts(r)]));
    const docs = new Map<number, Doc>();
    for (const row of read.rows[0]!)
      docs.set(row.id, {
        row,
        currency: (row.values.currency as string | null) ?? settings.defaultCurrency,
        records: [],
        stored: [],
      });
    for (const l of read.rows.slice(2).flat()) docs.get(linkId(l.values[kind.parent]) ?? 0)?.stored.push(l);
    for (const [rec, id] of parentOf) {
      const doc = docs.get(id);
      if (!doc) continue; // a line whose document is gone: nothing to total
      const status = String(doc.row.values.status);
      if (status !== kind.editable) problem(rec, kind.parent, kind.lockedCode, kind.lockedWhy(status));
      doc.records.push(rec);
    }
    if (problems.length) return { problems };

    // 3. Each written line's own values: defaults from the catalog, then the checks.
    if (ctx.op !== "delete") await fillLines(ctx, kind, docs, products, settings, problem);
    if (problems.length) return { problems };

    // 4. Totals of every touched document from all its lines, written in this batch.
    const statements: Stmt[] = [];
    for (const doc of docs.values()) {
      if (doc.records.length === 0) continue;
      const r = await recompute(ctx, kind, doc, settings, problem);
      if (r) statements.push(...r);
    }
    if (problems.length) return { problems };
    return { statements };
  };
}

async function fillLines(
  ctx: BeforeWriteContext,
  kind: DocKind,
  docs: Map<number, Doc>,
  products: Map<number, ProductFacts>,
  settings: SalesSettings,
  problem: (record: HookRecord, field: string, code: string, message: string) => void,
) {
  const recs = [...docs.values()].flatMap((d) => d.records.map((rec) => ({ rec, doc: d })));
  const productOf = (rec: HookRecord) => linkId(rec.after.product);
  // The catalog price of each line with a product and a valid quantity (a bad quantity is reported below,
  // naming its field, and prices nothing), grouped by the document's price list.
  const list = new Map<HookRecord, ReturnType<typeof readAmount>>();
  const byList = new Map<number | null, { rec: HookRecord; product: number; quantity: string | number }[]>();
  for (const { rec, doc } of recs) {
    const p = productOf(rec);
    const quantity = rec.after.quantity;
    if (p === null || !parseQuantity(quantity)) continue;
    const l = linkId(doc.row.values.price_list);
    byList.set(l, [...(byList.get(l) ?? []), { rec, product: p, quantity: quantity as string | number }]);
  }
  for (const [l, wanted] of byList) {
    const prices = await listPrices(ctx, l, wanted);
    wanted.forEach((w, i) => list.set(w.rec, prices[i] ?? products.get(w.product)?.unitPrice ?? null));
  }
  const tracksOverride = !!ctx.target.maybeField("price_overridden");
  const overridden = (rec: HookRecord, on: boolean) => {
    if (tracksOverride && (rec.after.price_overridden === true) !== on) rec.set("price_overridden", on);
  };

  for (const { rec, doc } of recs) {
    const a = rec.after;
    const p = productOf(rec);
    const product: ProductFacts | undefined = p === null ? undefined : products.get(p);
    const productChanged = ctx.op === "create" || rec.written("product");
    if (product && productChanged && !product.active)
      problem(rec, "product", "inactive_product", `Product ${product.name ?? product.id} is inactive`);
    if (ctx.op === "create" || rec.written("quantity"))
      if (!parseQuantity(a.quantity))
        problem(rec, "quantity", "not_positive", "The quantity must be above zero, with at most 3 decimals");

    // Unit price: the caller's (in the document's currency), else the list's or product's.
    const listPrice = list.get(rec) ?? null;
    const given = readAmount(a.unit_price);
    if (given && rec.written("unit_price")) {
      if (given.currency && given.currency !== doc.currency)
        problem(
          rec,
          "unit_price",
          "currency_mismatch",
          `The ${kind.parent} is in ${doc.currency}, not ${given.currency}`,
        );
      else if (given.amount < 0) problem(rec, "unit_price", "range", "The unit price cannot be negative");
      else if (product) checkOverride(ctx, rec, doc, settings, given.amount, listPrice, product, problem);
      if (!given.currency) rec.set("unit_price", money(given.amount, doc.currency));
      // By hand = not what the catalog says at this quantity; the catalog's own price hands it back to the tiers.
      overridden(rec, !!listPrice && given.amount !== listPrice.amount);
    } else if (
      !given ||
      productChanged ||
      // Only the quantity moved: a catalog price follows the volume tiers, a price set by hand stays.
      (rec.written("quantity") && rec.before?.price_overridden !== true && listPrice?.amount !== given.amount)
    ) {
      if (listPrice && listPrice.currency && listPrice.currency !== doc.currency)
        problem(
          rec,
          "unit_price",
          "currency_mismatch",
          `The product is priced in ${listPrice.currency}, the ${kind.parent} in ${doc.currency}`,
        );
      else if (listPrice) {
        rec.set("unit_price", money(listPrice.amount, doc.currency));
        overridden(rec, false);
      } else if (!given && !(product && !parseQuantity(a.quantity)))
        problem(rec, "unit_price", "required", "A line without a product needs its unit price");
    }
    if (a.discount === null || a.discount === undefined) rec.set("discount", 0);
    else if (typeof a.discount !== "number" || a.discount < 0 || a.discount > 10_000)
      problem(rec, "discount", "range", "The discount is between 0% and 100%");
    if (a.tax_rate === null || a.tax_rate === undefined || (productChanged && !rec.written("tax_rate") && product))
      rec.set("tax_rate", product?.taxRate ?? 0);
    else if (typeof a.tax_rate !== "number" || a.tax_rate < 0)
      problem(rec, "tax_rate", "range", "The tax rate cannot be negative");
    if (product && productChanged && (a.description === null || a.description === undefined || a.description === ""))
      rec.set("description", product.name);
  }
}

function checkOverride(
  ctx: BeforeWriteContext,
  rec: HookRecord,
  doc: Doc,
  settings: SalesSettings,
  amount: number,
  listPrice: ReturnType<typeof readAmount>,
  product: ProductFacts,
  problem: (record: HookRecord, field: string, code: string, message: string) => void,
) {
  const manager = isManager(ctx);
  if (listPrice && amount !== listPrice.amount && !settings.repsMayOverridePrice && !manager)
    problem(
      rec,
      "unit_price",
      "price_override",
      "Prices come from the price list; the settings do not allow changing them",
    );
  const cost = product.cost;
  if (cost && (!cost.currency || cost.currency === doc.currency) && amount < cost.amount && !manager)
    problem(
      rec,
      "unit_price",
      "below_cost",
      "The unit price is below the product's cost; only a sales manager may do that",
    );
}

async function recompute(
  ctx: BeforeWriteContext,
  kind: DocKind,
  doc: Doc,
  settings: SalesSettings,
  problem: (record: HookRecord, field: string, code: string, message: string) => void,
): Promise<Stmt[] | null> {
  const linesT = ctx.target;
  const stored = doc.stored;
  const mine = new Map(doc.records.map((r) => [r.id, r]));
  // The document's lines after this write: stored ones (with this write's values on top) and new ones.
  type Line = { id: number; values: Values; stored: FoundRow | null; rec: HookRecord | null };
  const lines: Line[] = [];
  for (const s of stored) {
    const rec = mine.get(s.id);
    if (rec && ctx.op === "delete") continue;
    lines.push({ id: s.id, values: rec ? rec.after : s.values, stored: s, rec: rec ?? null });
  }
  let next = Math.max(0, ...stored.map((s) => (typeof s.values.position === "number" ? s.values.position : 0)));
  if (ctx.op === "create")
    for (const rec of doc.records) {
      if (typeof rec.after.position !== "number") rec.set("position", ++next);
      lines.push({ id: rec.id, values: rec.after, stored: null, rec });
    }
  if (lines.length > MAX_LINES) {
    problem(doc.records[0]!, kind.parent, "too_many_lines", `A ${kind.parent} holds at most ${MAX_LINES} lines`);
    return null;
  }
  lines.sort((a, b) => ((a.values.position as number) ?? 0) - ((b.values.position as number) ?? 0) || a.id - b.id);
  const inputs: LineInput[] = lines.map((l) => ({
    quantity: l.values.quantity as string,
    unitPrice: readAmount(l.values.unit_price)?.amount ?? 0,
    discount: (l.values.discount as number | null) ?? 0,
    taxRate: (l.values.tax_rate as number | null) ?? 0,
  }));
  const t = computeTotals(inputs, {
    rounding: settings.rounding,
    pricesIncludeTax: doc.row.values.prices_include_tax === true,
  });
  const cur = doc.currency;
  const others: { id: number; version: number; before: Values; set: Values }[] = [];
  lines.forEach((l, i) => {
    const a = t.lines[i]!;
    const set: Values = {
      line_subtotal: money(a.subtotal, cur),
      line_discount: money(a.discount, cur),
      line_tax: money(a.tax, cur),
      line_total: money(a.total, cur),
    };
    if (l.rec) for (const [k, v] of Object.entries(set)) l.rec.set(k, v);
    else if (LINE_AMOUNT_KEYS.some((k) => JSON.stringify(l.values[k] ?? null) !== JSON.stringify(set[k])))
      others.push({ id: l.id, version: l.stored!.version, before: l.stored!.values, set });
  });
  const totals: Values = {
    subtotal: money(t.subtotal, cur),
    discount_total: money(t.discountTotal, cur),
    tax_total: money(t.taxTotal, cur),
    total: money(t.total, cur),
  };
  const regrade: Stmt[] = [];
  if (kind === ORDER) {
    totals.payment_status = paymentStatus(readAmount(doc.row.values.paid_amount)?.amount ?? 0, t.total);
    // The customer's order revenue moved: their grade follows at the next tick (customers/grade.ts).
    const customer = linkId(doc.row.values.customer);
    if (customer !== null && readAmount(doc.row.values.total)?.amount !== t.total)
      regrade.push(...regradeLaterEffect(ctx, [customer]));
  }
  return [
    ...regrade,
    ...updateEffect(ctx, linesT, others),
    // Always written, even when equal: the version bump is what serialises concurrent line edits.
    ...updateEffect(ctx, ctx.table(kind.doc), [
      { id: doc.row.id, version: doc.row.version + linkBump(ctx.op), before: doc.row.values, set: totals },
    ]),
  ];
}
