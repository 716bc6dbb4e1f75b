/**
 * What a product costs a customer: `priceFor(rt, {customer, product, quantity, at})`. The customer's
 * price list when it is valid on the date (valid_from <= at <= valid_to, an empty end open) and has
 * an item for the product whose min_quantity is not above the quantity (the highest such wins), else
 * the product's own unit price; with the product's tax rate. Read as the system: prices are catalog
 * facts. A caller-facing route must check the caller may read the product (see server.ts `price`).
 */
import { and, compareDecimals, cond, findByIds, findRows, type Money, type Runtime } from "../../worker/plugin-sdk";

export interface PriceQuery {
  customer: number | null;
  product: number;
  /** A decimal string ("2.500") or number; compared exactly. */
  quantity: string | number;
  /** YYYY-MM-DD: the day the price applies on. */
  at: string;
}

export interface Price {
  unitPrice: Money | null;
  /** Basis points (1300 = 13%); null when the product has none. */
  taxRate: number | null;
  /** Where the price came from. */
  source: "price_list" | "product";
  priceList: number | null;
  /** The price list's prices include tax (false for a product's own price). */
  pricesIncludeTax: boolean;
  minQuantity: string | null;
}

const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

function money(v: unknown): Money | null {
  if (v && typeof v === "object" && typeof (v as Money).amount === "number")
    return { amount: (v as Money).amount, currency: (v as Money).currency };
  return null;
}

/** The price list in force for a customer on a day, or null. */
export async function customerPriceList(
  rt: Runtime,
  customer: number | null,
  at: string,
): Promise<{ id: number; pricesIncludeTax: boolean } | null> {
  const customers = rt.maybeTable("customers/customers");
  if (customer === null || !customers?.maybeField("price_list")) return null;
  const [c] = await findByIds(rt, customers, [customer], ["price_list"]);
  const listId = c ? linkId(c.values.price_list) : null;
  if (listId === null) return null;
  const [list] = await findByIds(
    rt,
    rt.table("price_lists"),
    [listId],
    ["valid_from", "valid_to", "prices_include_tax"],
  );
  if (!list) return null;
  const from = list.values.valid_from as string | null;
  const to = list.values.valid_to as string | null;
  // Dates are YYYY-MM-DD, so text order is date order.
  if ((from && from > at) || (to && to < at)) return null;
  return { id: listId, pricesIncludeTax: list.values.prices_include_tax === true };
}

export async function priceFor(rt: Runtime, q: PriceQuery): Promise<Price | null> {
  const products = rt.table("products");
  const [p] = await findByIds(rt, products, [q.product], ["unit_price", "tax_rate"]);
  if (!p) return null;
  const taxRate = typeof p.values.tax_rate === "number" ? p.values.tax_rate : null;
  const list = await customerPriceList(rt, q.customer, q.at);
  if (list) {
    const items = rt.table("price_list_items");
    const rows = await findRows(
      rt,
      items,
      and(cond(items, "price_list", "contains", list.id), cond(items, "product", "contains", q.product)),
      ["unit_price", "min_quantity"],
    );
    let best: { price: Money | null; min: string } | null = null;
    for (const r of rows) {
      const min = typeof r.values.min_quantity === "string" ? r.values.min_quantity : "0";
      if (compareDecimals(min, q.quantity) > 0) continue;
      if (!best || compareDecimals(min, best.min) > 0) best = { price: money(r.values.unit_price), min };
    }
    if (best?.price)
      return {
        unitPrice: best.price,
        taxRate,
        source: "price_list",
        priceList: list.id,
        pricesIncludeTax: list.pricesIncludeTax,
        minQuantity: best.min,
      };
  }
  return {
    unitPrice: money(p.values.unit_price),
    taxRate,
    source: "product",
    priceList: null,
    pricesIncludeTax: false,
    minQuantity: null,
  };
}
