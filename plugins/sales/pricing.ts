/**
 * What a line costs when the rep does not say: the document's price list (the item with the highest
 * min_quantity not above the quantity), else the product's own unit price; and the product's tax
 * rate and cost. Read as the system: prices are facts of the catalog, not rows shown to the caller.
 */
import { and, cond, findByIds, findRows, type FoundRow, type Runtime } from "../../worker/plugin-sdk";
import { parseQuantity } from "./totals";
import { linkId, readAmount, type Amount } from "./values";

export interface ProductFacts {
  id: number;
  active: boolean;
  name: string | null;
  unitPrice: Amount | null;
  cost: Amount | null;
  taxRate: number | null;
}

export const PRODUCT_KEYS = ["active", "name", "unit_price", "cost_price", "tax_rate"];

export function productFacts(r: FoundRow): ProductFacts {
  return {
    id: r.id,
    active: r.values.active === true,
    name: typeof r.values.name === "string" ? r.values.name : null,
    unitPrice: readAmount(r.values.unit_price),
    cost: readAmount(r.values.cost_price),
    taxRate: typeof r.values.tax_rate === "number" ? r.values.tax_rate : null,
  };
}

export interface PriceList {
  id: number;
  currency: string | null;
  pricesIncludeTax: boolean;
}

export async function loadPriceList(rt: Runtime, id: number | null): Promise<PriceList | null> {
  if (id === null) return null;
  const t = rt.table("products/price_lists");
  const [row] = await findByIds(rt, t, [id], ["currency", "prices_include_tax"]);
  if (!row) return null;
  return {
    id,
    currency: typeof row.values.currency === "string" ? row.values.currency : null,
    pricesIncludeTax: row.values.prices_include_tax === true,
  };
}

/**
 * The customer's price list when the products plugin gave customers one and it is valid on `day`
 * (valid_from <= day <= valid_to, an empty end open); else null.
 */
export async function customerPriceList(rt: Runtime, customerId: number | null, day: string): Promise<number | null> {
  const t = rt.table("customers/customers");
  if (customerId === null || !t.maybeField("price_list")) return null;
  const [row] = await findByIds(rt, t, [customerId], ["price_list"]);
  const id = row ? linkId(row.values.price_list) : null;
  if (id === null) return null;
  const [list] = await findByIds(rt, rt.table("products/price_lists"), [id], ["valid_from", "valid_to"]);
  const from = list?.values.valid_from as string | null | undefined;
  const to = list?.values.valid_to as string | null | undefined;
  // Dates are YYYY-MM-DD: text order is date order.
  return !list || (from && from > day) || (to && to < day) ? null : id;
}

const cmpQuantity = (a: unknown, b: unknown): number => {
  const x = parseQuantity(a) ?? { units: 0n, scale: 0 };
  const y = parseQuantity(b) ?? { units: 0n, scale: 0 };
  const l = x.units * 10n ** BigInt(y.scale);
  const r = y.units * 10n ** BigInt(x.scale);
  return l < r ? -1 : l > r ? 1 : 0;
};

/**
 * The list price of each (product, quantity) from the price list `listId`: the item with the highest
 * min_quantity not above the quantity; null when the list has no item for the product.
 */
export async function listPrices(
  rt: Runtime,
  listId: number | null,
  wanted: { product: number; quantity: unknown }[],
): Promise<(Amount | null)[]> {
  if (listId === null || wanted.length === 0) return wanted.map(() => null);
  const t = rt.table("products/price_list_items");
  const items = await findRows(rt, t, and(cond(t, "price_list", "contains", listId)), [
    "product",
    "unit_price",
    "min_quantity",
  ]);
  const byProduct = new Map<number, { min: unknown; price: Amount | null }[]>();
  for (const it of items) {
    const p = linkId(it.values.product);
    if (p === null) continue;
    byProduct.set(p, [
      ...(byProduct.get(p) ?? []),
      { min: it.values.min_quantity ?? "0", price: readAmount(it.values.unit_price) },
    ]);
  }
  return wanted.map(({ product, quantity }) => {
    const fits = (byProduct.get(product) ?? []).filter((i) => cmpQuantity(i.min, quantity) <= 0);
    fits.sort((a, b) => cmpQuantity(b.min, a.min));
    return fits[0]?.price ?? null;
  });
}
