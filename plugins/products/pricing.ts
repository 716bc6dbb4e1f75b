/**
 * THE pricing module of the workspace: what a product costs, for the `price` action and for every
 * quote and order line the sales plugin prices (it imports these; it keeps no copy).
 * - `customerPriceList`: the customer's price list when it is valid on the day (valid_from <= day <=
 *   valid_to, an empty end open).
 * - `listPrices`: for many (product, quantity) at once, the list's item with the highest min_quantity
 *   not above the quantity, compared exactly (decimal strings, never floats).
 * - `priceFor`: one product for one customer: the list's price, else the product's own, with its tax rate.
 * Read as the system: prices are catalog facts. A caller-facing route must check the caller may read
 * the product (see server.ts `price`). Tables are named by full key (`products/...`), so the same code
 * runs with the products plugin's runtime or a dependent's (sales).
 */
import {
  and,
  compareDecimals,
  cond,
  findByIds,
  findRows,
  type FoundRow,
  type Money,
  type Runtime,
} from "../../worker/plugin-sdk";

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

export interface PriceList {
  id: number;
  currency: string | null;
  pricesIncludeTax: boolean;
}

/** What a line needs of its product. */
export interface ProductFacts {
  id: number;
  active: boolean;
  name: string | null;
  unitPrice: Money | null;
  cost: Money | null;
  taxRate: number | null;
}

export const PRODUCT_KEYS = ["active", "name", "unit_price", "cost_price", "tax_rate"];
const LIST_KEYS = ["currency", "prices_include_tax", "valid_from", "valid_to"];

const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

function money(v: unknown): Money | null {
  if (v && typeof v === "object" && typeof (v as Money).amount === "number")
    return { amount: (v as Money).amount, currency: (v as Money).currency };
  return null;
}

/** A product row read with PRODUCT_KEYS, as the facts a line is priced and checked by. */
export function productFacts(r: FoundRow): ProductFacts {
  return {
    id: r.id,
    active: r.values.active === true,
    name: typeof r.values.name === "string" ? r.values.name : null,
    unitPrice: money(r.values.unit_price),
    cost: money(r.values.cost_price),
    taxRate: typeof r.values.tax_rate === "number" ? r.values.tax_rate : null,
  };
}

const listOf = (row: FoundRow): PriceList => ({
  id: row.id,
  currency: typeof row.values.currency === "string" ? row.values.currency : null,
  pricesIncludeTax: row.values.prices_include_tax === true,
});

/** A price list by id (whatever its dates: a document keeps the list it was priced by), or null. */
export async function loadPriceList(rt: Runtime, id: number | null): Promise<PriceList | null> {
  return id === null ? null : ((await loadPriceLists(rt, [id])).get(id) ?? null);
}

/** Price lists by id, in one read (a bulk write of documents asks for each one's). */
export async function loadPriceLists(rt: Runtime, ids: number[]): Promise<Map<number, PriceList>> {
  const rows = await findByIds(rt, rt.table("products/price_lists"), [...new Set(ids)], LIST_KEYS);
  return new Map(rows.map((r) => [r.id, listOf(r)]));
}

/** The price list in force for a customer on a day, or null. */
export async function customerPriceList(rt: Runtime, customer: number | null, at: string): Promise<PriceList | null> {
  return customer === null ? null : ((await customerPriceLists(rt, [customer], at)).get(customer) ?? null);
}

/** The price list in force on a day for each of `customers` that has one: two reads for any number. */
export async function customerPriceLists(
  rt: Runtime,
  customers: number[],
  at: string,
): Promise<Map<number, PriceList>> {
  const table = rt.maybeTable("customers/customers");
  const out = new Map<number, PriceList>();
  if (customers.length === 0 || !table?.maybeField("price_list")) return out;
  const listOfCustomer = new Map<number, number>();
  for (const c of await findByIds(rt, table, [...new Set(customers)], ["price_list"])) {
    const listId = linkId(c.values.price_list);
    if (listId !== null) listOfCustomer.set(c.id, listId);
  }
  if (listOfCustomer.size === 0) return out;
  const lists = await findByIds(
    rt,
    rt.table("products/price_lists"),
    [...new Set(listOfCustomer.values())],
    [...LIST_KEYS],
  );
  const inForce = new Map(
    lists
      .filter((row) => {
        const from = row.values.valid_from as string | null;
        const to = row.values.valid_to as string | null;
        // Dates are YYYY-MM-DD, so text order is date order.
        return !((from && from > at) || (to && to < at));
      })
      .map((row) => [row.id, listOf(row)]),
  );
  for (const [customer, listId] of listOfCustomer) {
    const list = inForce.get(listId);
    if (list) out.set(customer, list);
  }
  return out;
}

/** A list item as stored: an empty min_quantity is 0. */
interface Item {
  min: string;
  price: Money | null;
}

/** The item with the highest min_quantity not above `quantity` (a valid decimal), or null. */
function bestItem(items: Item[], quantity: string | number): Item | null {
  let best: Item | null = null;
  for (const it of items) {
    if (compareDecimals(it.min, quantity) > 0) continue;
    if (!best || compareDecimals(it.min, best.min) > 0) best = it;
  }
  return best;
}

const itemOf = (r: FoundRow): Item => ({
  min: typeof r.values.min_quantity === "string" ? r.values.min_quantity : "0",
  price: money(r.values.unit_price),
});

/**
 * The list price of each (product, quantity) from the price list `listId`, read in one statement;
 * null when the list has no item for the product at that quantity. Quantities must be valid decimals
 * (the caller checks them first and reports a bad one naming its field): an invalid one throws.
 */
export async function listPrices(
  rt: Runtime,
  listId: number | null,
  wanted: { product: number; quantity: string | number }[],
): Promise<(Money | null)[]> {
  if (listId === null || wanted.length === 0) return wanted.map(() => null);
  const t = rt.table("products/price_list_items");
  const rows = await findRows(rt, t, cond(t, "price_list", "contains", listId), [
    "product",
    "unit_price",
    "min_quantity",
  ]);
  const byProduct = new Map<number, Item[]>();
  for (const r of rows) {
    const p = linkId(r.values.product);
    if (p !== null) byProduct.set(p, [...(byProduct.get(p) ?? []), itemOf(r)]);
  }
  return wanted.map(({ product, quantity }) => bestItem(byProduct.get(product) ?? [], quantity)?.price ?? null);
}

export async function priceFor(rt: Runtime, q: PriceQuery): Promise<Price | null> {
  const [p] = await findByIds(rt, rt.table("products/products"), [q.product], ["unit_price", "tax_rate"]);
  if (!p) return null;
  const taxRate = typeof p.values.tax_rate === "number" ? p.values.tax_rate : null;
  const list = await customerPriceList(rt, q.customer, q.at);
  if (list) {
    const items = rt.table("products/price_list_items");
    const rows = await findRows(
      rt,
      items,
      and(cond(items, "price_list", "contains", list.id), cond(items, "product", "contains", q.product)),
      ["unit_price", "min_quantity"],
    );
    const best = bestItem(rows.map(itemOf), q.quantity);
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
