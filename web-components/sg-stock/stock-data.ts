/**
 * What the stock screens read: warehouses by name, the product category choices, and the stock levels of
 * a page of products in one request (a filter `product contains` per id, OR-ed: one statement).
 */
import type { ApiClient, ApiRecord, FieldInfo } from "../api/client";

export interface Warehouse {
  id: number;
  code: string;
  name: string;
  active: boolean;
  /** The warehouse an order without its own reserves from (sg-quote shows its stock then). */
  isDefault: boolean;
}

export interface Level {
  onHand: string;
  reserved: string;
  available: string;
  low: boolean;
  /** Only when asked for (`more`): the caller reads what its role may; the server withholds hidden fields. */
  reorderPoint?: string | null;
  averageCost?: Money | null;
  stockValue?: Money | null;
}

/** A currency value as the API answers it: integer minor units and the currency code. */
export interface Money {
  amount: number;
  currency: string;
}

/**
 * Level fields a reader may ask for beyond the quantities: only those the caller may read (a hidden
 * field is unknown to them).
 */
export type LevelExtra = "reorder_point" | "average_cost" | "stock_value";

/** Products per page: one level read of at most this many ids stays under D1's 100 parameters. */
export const PAGE = 40;

export async function loadWarehouses(api: ApiClient): Promise<Warehouse[]> {
  const page = await api.listRecords("warehouses", {
    fields: ["code", "name", "active", "is_default"],
    sort: ["code"],
    limit: 200,
  });
  return page.records.map((r) => ({
    id: r.id,
    code: String(r.fields.code ?? ""),
    name: String(r.fields.name ?? ""),
    active: r.fields.active === true,
    isDefault: r.fields.is_default === true,
  }));
}

export interface Choice {
  name: string;
  label?: string;
  labels?: Record<string, string>;
}

/** The category field's choices, from the products table's definition. */
export async function loadCategories(api: ApiClient): Promise<{ field?: FieldInfo; choices: Choice[] }> {
  const { table } = await api.table("products");
  const field = table.fields.find((f) => f.name === "category");
  const choices = ((field?.options as { choices?: Choice[] } | undefined)?.choices ?? []) as Choice[];
  return { field, choices };
}

const linkId = (v: unknown): number | undefined => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : undefined);

const money = (v: unknown): Money | null =>
  v && typeof v === "object" && "amount" in v && "currency" in v ? (v as Money) : null;

/** Levels of these products, by `${product}/${warehouse}`; `more` adds those fields to each level. */
export async function loadLevels(
  api: ApiClient,
  productIds: number[],
  more: LevelExtra[] = [],
): Promise<Map<string, Level>> {
  const out = new Map<string, Level>();
  if (!productIds.length) return out;
  const filter = { or: productIds.map((id) => ({ field: "product", op: "contains", value: id })) };
  let cursor: string | null = null;
  do {
    const page: { records: ApiRecord[]; nextCursor: string | null } = await api.listRecords("stock_levels", {
      filter,
      fields: ["product", "warehouse", "on_hand", "reserved", "available", "low_stock", ...more],
      limit: 1000,
      cursor,
    });
    for (const r of page.records) {
      const p = linkId(r.fields.product);
      const w = linkId(r.fields.warehouse);
      if (p === undefined || w === undefined) continue;
      out.set(`${p}/${w}`, {
        onHand: String(r.fields.on_hand ?? "0"),
        reserved: String(r.fields.reserved ?? "0"),
        available: String(r.fields.available ?? "0"),
        low: r.fields.low_stock === true,
        ...(more.includes("reorder_point") ? { reorderPoint: (r.fields.reorder_point as string | null) ?? null } : {}),
        ...(more.includes("average_cost") ? { averageCost: money(r.fields.average_cost) } : {}),
        ...(more.includes("stock_value") ? { stockValue: money(r.fields.stock_value) } : {}),
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
