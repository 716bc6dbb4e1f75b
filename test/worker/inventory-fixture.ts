/** Shared set-up of the inventory tests: sales and inventory installed, a warehouse, stocked products. */
import { expect } from "vitest";
import { create, installSales, product, signedIn, uniq, type Client } from "./sales-fixture";

export { create, product, signedIn, uniq, type Client };

/** Sales and inventory installed; the admin and a warehouse clerk signed in. */
export async function installInventory(): Promise<{ admin: Client; clerk: Client }> {
  const { admin } = await installSales();
  const r = await admin.post(`/admin/plugins/inventory/install`);
  expect(r.status, r.text).toBe(200);
  return { admin, clerk: (await signedIn(["warehouse"])).client };
}

export async function warehouse(admin: Client, fields: Record<string, unknown> = {}) {
  return create(admin, "warehouses", { code: uniq("W").replace(/\s/g, "-"), name: uniq("Warehouse"), ...fields });
}

export function act(client: Client, action: string, body: unknown) {
  return client.post(`/actions/inventory/${action}`, body);
}

/** The level of a product in a warehouse, read through the API (null when there is none). */
export async function level(client: Client, productId: number, warehouseId: number) {
  const filter = encodeURIComponent(JSON.stringify({ field: "key", op: "eq", value: `${productId}:${warehouseId}` }));
  const r = await client.get(`/tables/stock_levels/records?filter=${filter}`);
  expect(r.status, r.text).toBe(200);
  return (r.body.records[0]?.fields ?? null) as Record<string, any> | null;
}

export async function receive(
  client: Client,
  productId: number,
  warehouseId: number,
  quantity: string | number,
  amount = 100,
) {
  const r = await act(client, "receive", {
    product: productId,
    warehouse: warehouseId,
    quantity,
    unit_cost: { amount },
  });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

/** A draft order with one line per entry of `lines` (product id, quantity). */
export async function order(client: Client, fields: Record<string, unknown>, lines: [number, string][]) {
  const o = await create(client, "orders", fields);
  const r = await client.post(`/tables/order_lines/records`, {
    records: lines.map(([p, quantity], i) => ({ fields: { order: [o.id], product: [p], quantity, position: i } })),
  });
  expect(r.status, r.text).toBe(201);
  return { order: o, lines: r.body.records as { id: number }[] };
}

export async function setStatus(client: Client, id: number, status: string) {
  const cur = await client.get(`/tables/orders/records/${id}`);
  expect(cur.status, cur.text).toBe(200);
  return client.patch(`/tables/orders/records/${id}`, { version: cur.body.record.version, fields: { status } });
}
