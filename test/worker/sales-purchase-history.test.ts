/**
 * POST /api/actions/sales/purchase-history {customer, limit?, cursor?}: a customer's orders newest
 * first (paged), totals per year and currency (exact minor units, cancelled orders left out), the last
 * order and the open quotes, all read as the caller: row rules apply, and a role that may not read
 * amounts (the warehouse) gets none. Bad input: wrong types, unknown fields, rights, oversize bodies,
 * injection-shaped values, concurrent calls.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { addLines, create, customer, installSales, quote, signedIn, type Client } from "./sales-fixture";

let admin: Client;
let rep: { client: Client; id: string };
let customerId: number;
/** Order ids newest first (by order_date). */
let newestFirst: number[];
let cancelledId: number;

const history = (client: Client, body: unknown) => client.post("/actions/sales/purchase-history", body);

async function order(client: Client, c: number, date: string, currency: string, amounts: number[]) {
  const o = await create(client, "orders", { customer: [c], order_date: date, currency });
  const r = await addLines(
    client,
    "order_lines",
    { order: [o.id] },
    amounts.map((amount, i) => ({
      description: `Item ${i}`,
      quantity: "1",
      unit_price: { amount, currency },
      tax_rate: 0,
    })),
  );
  expect(r.status, r.text).toBe(201);
  return o;
}

beforeAll(async () => {
  ({ admin } = await installSales());
  rep = await signedIn(["sales_rep"]);
  customerId = (await customer(rep.client)).id;
  const a = await order(rep.client, customerId, "2025-03-01", "CNY", [10_001, 2]);
  const b = await order(rep.client, customerId, "2026-01-10", "CNY", [33_333]);
  const c = await order(rep.client, customerId, "2026-02-01", "USD", [999]);
  // Another rep's order for the same customer: the customer's rep reads it through the customer.
  const d = await order(admin, customerId, "2026-02-15", "CNY", [50_000]);
  const x = await order(rep.client, customerId, "2026-03-01", "CNY", [70_000]);
  const m = await rep.client.patch(`/tables/orders/records/${x.id}`, {
    version: (await rep.client.get(`/tables/orders/records/${x.id}`)).body.record.version,
    fields: { status: "cancelled" },
  });
  expect(m.status, m.text).toBe(200);
  cancelledId = x.id;
  newestFirst = [x.id, d.id, c.id, b.id, a.id];
  await quote(rep.client, { customer: [customerId] });
});

describe("purchase history", () => {
  it("fills the customers plugin's page with the customer's orders, newest first, as the caller reads them", async () => {
    const r = await rep.client.post("/actions/customers/overview", { id: customerId });
    expect(r.status, r.text).toBe(200);
    expect(r.body.purchases.map((o: { id: number }) => o.id)).toEqual(newestFirst);
    const other = await signedIn(["sales_rep"]);
    const o = await other.client.post("/actions/customers/overview", { id: customerId });
    expect(o.status).toBe(404);
  });

  it("answers the orders newest first, totals per year and currency, the last order and open quotes", async () => {
    const r = await history(rep.client, { customer: customerId });
    expect(r.status, r.text).toBe(200);
    expect(r.body.orders.map((o: { id: number }) => o.id)).toEqual(newestFirst);
    expect(r.body.amountsHidden).toBe(false);
    expect(r.body.totalsByYear).toEqual([
      { year: "2026", currency: "CNY", count: 2, amount: 83_333 },
      { year: "2026", currency: "USD", count: 1, amount: 999 },
      { year: "2025", currency: "CNY", count: 1, amount: 10_003 },
    ]);
    // The last order is the newest one not cancelled.
    expect(r.body.lastOrder.id).toBe(newestFirst[1]);
    expect(r.body.lastOrder.fields).toMatchObject({ order_date: "2026-02-15", total: { amount: 50_000 } });
    expect(r.body.openQuotes).toHaveLength(1);
    expect(r.body.openQuotes[0].fields.status).toBe("draft");
    expect(r.body.orders.find((o: { id: number }) => o.id === cancelledId).fields.status).toBe("cancelled");
  });

  it("pages the orders with a cursor, the summary coming with the first page only", async () => {
    const seen: number[] = [];
    let body: Record<string, unknown> = { customer: customerId, limit: 2 };
    for (let i = 0; i < 5; i++) {
      const r = await history(rep.client, body);
      expect(r.status, r.text).toBe(200);
      expect(r.body.orders.length).toBeLessThanOrEqual(2);
      if (i === 0) expect(r.body.totalsByYear).toHaveLength(3);
      else expect(r.body.totalsByYear).toBeUndefined();
      seen.push(...r.body.orders.map((o: { id: number }) => o.id));
      if (!r.body.nextCursor) break;
      body = { customer: customerId, limit: 2, cursor: r.body.nextCursor };
    }
    expect(seen).toEqual(newestFirst);
  });

  it("sums exactly past 2^53 minor units", async () => {
    const c = (await customer(admin)).id;
    const big = 4_000_000_000_000_000;
    for (const date of ["2026-01-01", "2026-01-02", "2026-01-03"]) await order(admin, c, date, "CNY", [big]);
    const r = await history(admin, { customer: c });
    expect(r.status, r.text).toBe(200);
    expect(r.body.totalsByYear).toEqual([{ year: "2026", currency: "CNY", count: 3, amount: "12000000000000000" }]);
  });

  it("reads as the caller: another rep sees none of it, the warehouse sees orders but no amount", async () => {
    const other = await signedIn(["sales_rep"]);
    const hidden = await history(other.client, { customer: customerId });
    expect(hidden.status, hidden.text).toBe(404);
    expect(hidden.headers.get("content-type")).toMatch(/problem\+json/);
    const warehouse = await signedIn(["warehouse"]);
    const w = await history(warehouse.client, { customer: customerId });
    expect(w.status, w.text).toBe(200);
    expect(w.body.amountsHidden).toBe(true);
    expect(w.body.totalsByYear).toBeNull();
    expect(w.body.openQuotes).toBeNull();
    expect(w.body.orders.map((o: { id: number }) => o.id)).toEqual(newestFirst);
    for (const key of ["total", "subtotal", "tax_total", "discount_total", "paid_amount", "amount"])
      expect(w.text, key).not.toContain(`"${key}"`);
    expect(w.text).not.toContain("83333");
    const nobody = await signedIn([]);
    expect([403, 404]).toContain((await history(nobody.client, { customer: customerId })).status);
  });

  it("refuses wrong types, unknown fields, bad limits and injection-shaped values, naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ customer: String(customerId) }, "customer"],
      [{ customer: 1.5 }, "customer"],
      [{ customer: "1 OR 1=1" }, "customer"],
      [{}, "customer"],
      [{ customer: customerId, colour: "red" }, "colour"],
      [{ customer: customerId, limit: 0 }, "limit"],
      [{ customer: customerId, limit: 101 }, "limit"],
      [{ customer: customerId, limit: "10" }, "limit"],
      [{ customer: customerId, cursor: 7 }, "cursor"],
      [{ customer: customerId, cursor: "x".repeat(1001) }, "cursor"],
    ];
    for (const [body, field] of cases) {
      const r = await history(rep.client, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.headers.get("content-type")).toMatch(/problem\+json/);
      expect(JSON.stringify(r.body.errors), JSON.stringify(body)).toContain(field);
    }
    const cursor = await history(rep.client, { customer: customerId, cursor: "'; DROP TABLE sg_users; --" });
    expect([400, 422]).toContain(cursor.status);
    expect(cursor.body.code).toBeTruthy();
    expect((await history(rep.client, { customer: 999_999_999 })).status).toBe(404);
    const still = await history(rep.client, { customer: customerId });
    expect(still.body.orders).toHaveLength(newestFirst.length);
  });

  it("refuses an oversize body before it runs (413)", async () => {
    const r = await history(rep.client, { customer: customerId, cursor: "x".repeat(6 * 1024 * 1024) });
    expect(r.status).toBe(413);
  });

  it("gives concurrent callers the same answer", async () => {
    const rs = await Promise.all(Array.from({ length: 8 }, () => history(rep.client, { customer: customerId })));
    for (const r of rs) expect(r.status, r.text).toBe(200);
    expect(new Set(rs.map((r) => JSON.stringify(r.body.totalsByYear))).size).toBe(1);
    expect(new Set(rs.map((r) => r.body.orders.length))).toEqual(new Set([newestFirst.length]));
  });
});
