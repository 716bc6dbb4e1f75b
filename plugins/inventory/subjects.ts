/**
 * The products and warehouses a move names, read as the system and checked: a product exists and
 * tracks stock, a warehouse exists and is active. Problems name the request's field (422).
 */
import { cond, findByIds, findRows, type FieldError, type Runtime } from "../../worker/plugin-sdk";

export interface ProductInfo {
  id: number;
  sku: string;
  label: string;
  trackStock: boolean;
}

export async function loadProducts(rt: Runtime, ids: number[]): Promise<Map<number, ProductInfo>> {
  const rows = await findByIds(rt, rt.table("products/products"), [...new Set(ids)], ["sku", "name", "track_stock"]);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        sku: String(r.values.sku ?? ""),
        label: `${String(r.values.sku ?? "")} ${String(r.values.name ?? "")}`.trim(),
        trackStock: r.values.track_stock === true,
      },
    ]),
  );
}

/** The product at `field`, or a problem: missing, or not tracking stock. */
export function stockProduct(products: Map<number, ProductInfo>, id: number, field: string): ProductInfo | FieldError {
  const p = products.get(id);
  if (!p) return { field, code: "not_found", message: `No product ${id}` };
  if (!p.trackStock) return { field, code: "not_stocked", message: `${p.label} does not track stock` };
  return p;
}

export interface WarehouseInfo {
  id: number;
  code: string;
  active: boolean;
  manager: string | null;
  label: string;
  allowNegative: boolean;
}

export async function loadWarehouses(rt: Runtime, ids: number[]): Promise<Map<number, WarehouseInfo>> {
  const t = rt.table("warehouses");
  const rows = await findByIds(rt, t, [...new Set(ids)], [...KEYS, ...(t.maybeField(NEGATIVE) ? [NEGATIVE] : [])]);
  return new Map(rows.map((r) => [r.id, info(r.id, r.values)]));
}

const info = (id: number, v: Record<string, unknown>): WarehouseInfo => ({
  id,
  code: String(v.code ?? ""),
  active: v.active === true,
  manager: typeof v.manager === "string" ? v.manager : null,
  label: String(v.name ?? v.code ?? id),
  allowNegative: v[NEGATIVE] === true,
});

const KEYS = ["code", "name", "active", "manager"];
/** A workspace installed before negative stock has no such field: no warehouse allows it. */
const NEGATIVE = "allow_negative_stock";

/** The active warehouse at `field`, or a problem. */
export function activeWarehouse(
  warehouses: Map<number, WarehouseInfo>,
  id: number,
  field: string,
): WarehouseInfo | FieldError {
  const w = warehouses.get(id);
  if (!w) return { field, code: "not_found", message: `No warehouse ${id}` };
  if (!w.active) return { field, code: "inactive", message: `Warehouse ${w.label} is not active` };
  return w;
}

/** The default warehouse (is_default and active), for orders that name none. */
export async function defaultWarehouse(rt: Runtime): Promise<WarehouseInfo | null> {
  const t = rt.table("warehouses");
  const rows = await findRows(rt, t, cond(t, "is_default", "eq", true), ["code", "name", "active", "manager"], 10);
  const r = rows.sort((a, b) => a.id - b.id)[0];
  return r ? info(r.id, r.values) : null;
}

export const isProblem = (x: unknown): x is FieldError =>
  !!x && typeof x === "object" && "code" in x && "field" in x && "message" in x;
