/** Shared set-up of the sales tests: the four plugins installed, and short ways to make documents. */
import { expect } from "vitest";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

export { signedIn, uniq, type Client };

export async function installSales(): Promise<{ admin: Client; adminId: string }> {
  const base = await installSalesPlugins();
  for (const name of ["products", "sales"]) {
    const r = await base.admin.post(`/admin/plugins/${name}/install`);
    expect(r.status, r.text).toBe(200);
  }
  return base;
}

export const cny = (amount: number) => ({ amount, currency: "CNY" });

export async function create(client: Client, table: string, fields: Record<string, unknown>) {
  const r = await client.post(`/tables/${table}/records`, { fields });
  expect(r.status, `${table}: ${r.text}`).toBe(201);
  return r.body.record;
}

export async function product(admin: Client, fields: Record<string, unknown> = {}) {
  return create(admin, "products", {
    sku: uniq("SKU").replace(/\s/g, "-"),
    name: uniq("Product"),
    unit_price: cny(10_000),
    cost_price: cny(6_000),
    tax_rate: 1300,
    active: true,
    ...fields,
  });
}

export async function customer(client: Client, fields: Record<string, unknown> = {}) {
  return create(client, "customers", { name: uniq("Customer"), ...fields });
}

export async function quote(client: Client, fields: Record<string, unknown> = {}) {
  return create(client, "quotes", fields);
}

/** Adds lines to a document ({quote} or {order} link key) in one request; returns the reply. */
export function addLines(
  client: Client,
  table: "quote_lines" | "order_lines",
  parent: Record<string, unknown>,
  lines: Record<string, unknown>[],
) {
  return client.post(`/tables/${table}/records`, { records: lines.map((l) => ({ fields: { ...parent, ...l } })) });
}

export async function get(client: Client, table: string, id: number) {
  const r = await client.get(`/tables/${table}/records/${id}`);
  expect(r.status, r.text).toBe(200);
  return r.body.record;
}

export async function linesOf(
  client: Client,
  table: "quote_lines" | "order_lines",
  parent: "quote" | "order",
  id: number,
) {
  const filter = encodeURIComponent(JSON.stringify({ field: parent, op: "contains", value: id }));
  const r = await client.get(`/tables/${table}/records?filter=${filter}&sort=position&limit=1000`);
  expect(r.status, r.text).toBe(200);
  return r.body.records as { id: number; version: number; fields: Record<string, any> }[];
}

/** The document's totals equal the sums of its lines' amounts (the invariant every test checks). */
export async function expectAddsUp(client: Client, kind: "quote" | "order", id: number) {
  const doc = await get(client, `${kind}s`, id);
  const lines = await linesOf(client, `${kind}_lines`, kind, id);
  const sum = (k: string) => lines.reduce((s, l) => s + (l.fields[k]?.amount ?? 0), 0);
  expect({
    subtotal: doc.fields.subtotal.amount,
    discount_total: doc.fields.discount_total.amount,
    tax_total: doc.fields.tax_total.amount,
    total: doc.fields.total.amount,
  }).toEqual({
    subtotal: sum("line_subtotal"),
    discount_total: sum("line_discount"),
    tax_total: sum("line_tax"),
    total: sum("line_total"),
  });
  return doc;
}
