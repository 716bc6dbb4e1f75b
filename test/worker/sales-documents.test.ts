/**
 * The sales plugin through the records API: quotes and their lines with totals kept by the server in
 * the line write's own batch, prices from the catalog, drafts only, the order lifecycle, payments.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  addLines,
  cny,
  create,
  customer,
  expectAddsUp,
  get,
  installSales,
  linesOf,
  product,
  quote,
  signedIn,
  type Client,
} from "./sales-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSales());
});

describe("quotes", () => {
  it("start as a numbered draft with zero totals, revision 1 and a validity", async () => {
    const q = await quote(admin, { customer: [(await customer(admin)).id] });
    expect(q.fields).toMatchObject({
      status: "draft",
      revision: 1,
      currency: "CNY",
      subtotal: cny(0),
      discount_total: cny(0),
      tax_total: cny(0),
      total: cny(0),
    });
    expect(q.fields.number).toMatch(new RegExp(`^Q-${new Date().getUTCFullYear()}-\\d{5}$`));
    expect(q.fields.valid_until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("total their lines exactly: price and tax from the product, discount, tax on the discounted amount", async () => {
    const p = await product(admin, { unit_price: cny(1999), tax_rate: 1300 });
    const q = await quote(admin);
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "3", discount: 1500 },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.records[0].fields).toMatchObject({
      unit_price: cny(1999),
      tax_rate: 1300,
      description: p.fields.name,
      position: 1,
      line_subtotal: cny(5997),
      line_discount: cny(900),
      line_tax: cny(663),
      line_total: cny(5760),
    });
    const doc = await expectAddsUp(admin, "quote", q.id);
    expect(doc.fields.total).toEqual(cny(5760));
  });

  it("add 0.1 and 0.2 of a unit exactly", async () => {
    const p = await product(admin, { unit_price: cny(1000), tax_rate: 0 });
    const q = await quote(admin);
    await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "0.1" },
      { product: [p.id], quantity: "0.2" },
    ]);
    expect((await expectAddsUp(admin, "quote", q.id)).fields.total).toEqual(cny(300));
  });

  it("take the price list's volume price: the highest min_quantity not above the quantity", async () => {
    const p = await product(admin, { unit_price: cny(10_000) });
    const list = await create(admin, "price_lists", { name: "Volume", currency: "CNY" });
    await create(admin, "price_list_items", {
      price_list: [list.id],
      product: [p.id],
      unit_price: cny(9000),
      min_quantity: "1",
    });
    await create(admin, "price_list_items", {
      price_list: [list.id],
      product: [p.id],
      unit_price: cny(8000),
      min_quantity: "10",
    });
    const q = await quote(admin, { price_list: [list.id] });
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "9.999" },
      { product: [p.id], quantity: "10" },
    ]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.records.map((x: any) => x.fields.unit_price.amount)).toEqual([9000, 8000]);
  });

  it("take the customer's price list while it is valid, with its currency and tax mode", async () => {
    const p = await product(admin, { unit_price: cny(10_000), tax_rate: 1300 });
    const list = await create(admin, "price_lists", {
      name: "Key accounts",
      currency: "CNY",
      prices_include_tax: true,
    });
    await create(admin, "price_list_items", { price_list: [list.id], product: [p.id], unit_price: cny(11_300) });
    const c = await customer(admin, { price_list: [list.id] });
    const q = await quote(admin, { customer: [c.id] });
    expect(q.fields).toMatchObject({ price_list: [list.id], prices_include_tax: true, currency: "CNY" });
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: "1" }]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.records[0].fields).toMatchObject({
      unit_price: cny(11_300),
      line_tax: cny(1300),
      line_total: cny(11_300),
    });
    const expired = await create(admin, "price_lists", { name: "Old", currency: "CNY", valid_to: "2020-12-31" });
    const c2 = await customer(admin, { price_list: [expired.id] });
    expect((await quote(admin, { customer: [c2.id] })).fields.price_list).toEqual([]);
  });

  it("recompute on every line edit and delete, in the same write", async () => {
    const p = await product(admin, { unit_price: cny(500), tax_rate: 600 });
    const q = await quote(admin);
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "1" },
      { product: [p.id], quantity: "2" },
    ]);
    const [a, b] = r.body.records;
    const e = await admin.patch(`/tables/quote_lines/records/${a.id}`, {
      version: a.version,
      fields: { quantity: "4", discount: 5000 },
    });
    expect(e.status, e.text).toBe(200);
    expect(e.body.record.fields.line_total).toEqual(cny(1060)); // 4 x 5.00 = 20.00, half off 10.00, 6% tax 0.60
    await expectAddsUp(admin, "quote", q.id);
    const d = await admin.delete(`/tables/quote_lines/records/${b.id}?version=${b.version}`);
    expect(d.status, d.text).toBe(200);
    expect((await expectAddsUp(admin, "quote", q.id)).fields.total).toEqual(cny(1060));
  });

  it("take their lines with them when a draft is deleted", async () => {
    const p = await product(admin);
    const q = await quote(admin);
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "1" },
      { product: [p.id], quantity: "2" },
    ]);
    const cur = await get(admin, "quotes", q.id);
    const d = await admin.delete(`/tables/quotes/records/${q.id}?version=${cur.version}`);
    expect(d.status, d.text).toBe(200);
    for (const l of r.body.records) expect((await admin.get(`/tables/quote_lines/records/${l.id}`)).status).toBe(404);
  });

  it("refuse computed amounts from the client with 422 naming them", async () => {
    const q = await quote(admin);
    const r1 = await admin.post("/tables/quotes/records", { fields: { total: cny(1) } });
    expect(r1.status).toBe(422);
    expect(r1.body.errors).toEqual([expect.objectContaining({ field: "fields/total", code: "computed" })]);
    const p = await product(admin);
    const r2 = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "1", line_total: cny(5) },
    ]);
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([
      expect.objectContaining({ field: "records/0/fields/line_total", code: "computed" }),
    ]);
    const again = await get(admin, "quotes", q.id);
    const r3 = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: again.version,
      fields: { subtotal: cny(0) },
    });
    expect(r3.status).toBe(422);
    expect(r3.body.errors[0]).toMatchObject({ field: "fields/subtotal", code: "computed" });
  });

  it("keep totals right under concurrent line writes: each commits whole or answers 409", async () => {
    const p = await product(admin, { unit_price: cny(333), tax_rate: 1300 });
    const q = await quote(admin);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: String(i + 1) }]),
      ),
    );
    expect(
      results.every((r) => r.status === 201 || r.status === 409),
      results.map((r) => r.text).join("\n"),
    ).toBe(true);
    const written = results.filter((r) => r.status === 201).length;
    expect(written).toBeGreaterThan(0);
    expect(await linesOf(admin, "quote_lines", "quote", q.id)).toHaveLength(written);
    await expectAddsUp(admin, "quote", q.id);
  });

  it("round per document when the workspace says so: tax on the summed net per rate", async () => {
    const p = await product(admin, { unit_price: cny(10), tax_rate: 500 });
    const set = (rounding: string) =>
      admin.request("PUT", "/admin/plugins/sales/settings", {
        rounding,
        repsMayOverridePrice: true,
        defaultCurrency: "CNY",
        quoteValidDays: 30,
      });
    expect((await set("document")).status).toBe(200);
    try {
      const q = await quote(admin);
      await addLines(
        admin,
        "quote_lines",
        { quote: [q.id] },
        [1, 2, 3].map(() => ({ product: [p.id], quantity: "1" })),
      );
      const doc = await expectAddsUp(admin, "quote", q.id);
      expect(doc.fields.tax_total).toEqual(cny(2)); // 3 x 0.005 = 0.015 -> 0.02 (per line it would be 0.03)
    } finally {
      expect((await set("line")).status).toBe(200);
    }
  });

  it("change only while draft, and move only along their lifecycle", async () => {
    const p = await product(admin);
    const q = await quote(admin);
    await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: "1" }]);
    let cur = await get(admin, "quotes", q.id);
    const jump = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: cur.version,
      fields: { status: "accepted" },
    });
    expect(jump.status).toBe(422);
    expect(jump.body.errors[0]).toMatchObject({ field: "fields/status", code: "invalid_transition" });
    expect(jump.body.errors[0].message).toContain("sent");
    const sent = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: cur.version,
      fields: { status: "sent" },
    });
    expect(sent.status, sent.text).toBe(200);
    cur = sent.body.record;
    const terms = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: cur.version,
      fields: { terms: "Net 30" },
    });
    expect(terms.status).toBe(422);
    expect(terms.body.errors[0]).toMatchObject({ field: "fields/terms", code: "not_draft" });
    const line = await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: "1" }]);
    expect(line.status).toBe(422);
    expect(line.body.errors[0]).toMatchObject({ field: "records/0/fields/quote", code: "not_draft" });
    const conv = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: cur.version,
      fields: { status: "converted" },
    });
    expect(conv.status).toBe(422);
  });
});

describe("orders", () => {
  async function draftOrder() {
    const p = await product(admin, { unit_price: cny(2000), tax_rate: 1300 });
    const o = await create(admin, "orders", {});
    const r = await addLines(admin, "order_lines", { order: [o.id] }, [{ product: [p.id], quantity: "5" }]);
    expect(r.status, r.text).toBe(201);
    return { o: await expectAddsUp(admin, "order", o.id), p };
  }
  const move = (o: { id: number; version: number }, status: string) =>
    admin.patch(`/tables/orders/records/${o.id}`, { version: o.version, fields: { status } });

  it("start as unpaid drafts dated today, with an SO number", async () => {
    const { o } = await draftOrder();
    expect(o.fields).toMatchObject({
      status: "draft",
      payment_status: "unpaid",
      paid_amount: cny(0),
      total: cny(11_300),
    });
    expect(o.fields.number).toMatch(/^SO-\d{4}-\d{5}$/);
  });

  it("move only along the lifecycle, 422 naming the allowed moves, and lock lines once confirmed", async () => {
    const { o, p } = await draftOrder();
    const bad = await move(o, "shipped");
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: "fields/status", code: "invalid_transition" });
    expect(bad.body.errors[0].message).toContain("confirmed, cancelled");
    const ok = await move(o, "confirmed");
    expect(ok.status, ok.text).toBe(200);
    const [line] = await linesOf(admin, "order_lines", "order", o.id);
    const edit = await admin.patch(`/tables/order_lines/records/${line!.id}`, {
      version: line!.version,
      fields: { quantity: "6" },
    });
    expect(edit.status).toBe(422);
    expect(edit.body.errors[0]).toMatchObject({ field: "fields/order", code: "locked" });
    const add = await addLines(admin, "order_lines", { order: [o.id] }, [{ product: [p.id], quantity: "1" }]);
    expect(add.status).toBe(422);
    let cur = ok.body.record;
    for (const s of ["partially_shipped", "shipped", "delivered", "closed"]) {
      const r = await move(cur, s);
      expect(r.status, r.text).toBe(200);
      cur = r.body.record;
    }
    const back = await move(cur, "draft");
    expect(back.status).toBe(422);
    expect(back.body.errors[0].message).toContain("no other status");
  });

  it("roll payments up into paid_amount and payment_status in the payment's write", async () => {
    const { o } = await draftOrder();
    const p1 = await create(admin, "payments", { order: [o.id], amount: cny(1300), received_on: "2026-03-01" });
    expect((await get(admin, "orders", o.id)).fields).toMatchObject({
      paid_amount: cny(1300),
      payment_status: "partially_paid",
    });
    await create(admin, "payments", { order: [o.id], amount: 10_000 });
    expect((await get(admin, "orders", o.id)).fields).toMatchObject({
      paid_amount: cny(11_300),
      payment_status: "paid",
    });
    const del = await admin.delete(`/tables/payments/records/${p1.id}?version=${p1.version}`);
    expect(del.status, del.text).toBe(200);
    expect((await get(admin, "orders", o.id)).fields).toMatchObject({
      paid_amount: cny(10_000),
      payment_status: "partially_paid",
    });
    const usd = await admin.post("/tables/payments/records", {
      fields: { order: [o.id], amount: { amount: 5, currency: "USD" } },
    });
    expect(usd.status).toBe(422);
    expect(usd.body.errors[0]).toMatchObject({ field: "fields/amount", code: "currency_mismatch" });
    const paid = await admin.patch(`/tables/orders/records/${o.id}`, {
      version: (await get(admin, "orders", o.id)).version,
      fields: { paid_amount: cny(1) },
    });
    expect(paid.status).toBe(422);
    expect(paid.body.errors[0]).toMatchObject({ field: "fields/paid_amount", code: "computed" });
  });
});

describe("payments at once", () => {
  it("each commit whole or answer 409, and the order's paid amount is the sum of the payments stored", async () => {
    const p = await product(admin, { unit_price: cny(10_000), tax_rate: 0 });
    const o = await create(admin, "orders", {});
    await addLines(admin, "order_lines", { order: [o.id] }, [{ product: [p.id], quantity: "1" }]);
    const rs = await Promise.all(
      [1000, 2000, 3000, 4000].map((amount) =>
        admin.post("/tables/payments/records", { fields: { order: [o.id], amount } }),
      ),
    );
    expect(
      rs.every((r) => r.status === 201 || r.status === 409),
      rs.map((r) => r.text).join("\n"),
    ).toBe(true);
    const f = encodeURIComponent(JSON.stringify({ field: "order", op: "contains", value: o.id }));
    const stored = (await admin.get(`/tables/payments/records?filter=${f}`)).body.records;
    expect(stored).toHaveLength(rs.filter((r) => r.status === 201).length);
    const paid = stored.reduce((s: number, x: any) => s + x.fields.amount.amount, 0);
    const order = await get(admin, "orders", o.id);
    expect(order.fields.paid_amount).toEqual(cny(paid));
    expect(order.fields.payment_status).toBe(paid >= 10_000 ? "paid" : "partially_paid");
  });
});

describe("prices and permissions", () => {
  it("allow a rep's own price only when the settings do, and never below cost without the manager role", async () => {
    const rep = await signedIn(["sales_rep"]);
    const manager = await signedIn(["sales_manager"]);
    const p = await product(admin, { unit_price: cny(10_000), cost_price: cny(6000) });
    const q = await quote(rep.client);
    const below = await addLines(rep.client, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "1", unit_price: cny(5000) },
    ]);
    expect(below.status).toBe(422);
    expect(below.body.errors[0]).toMatchObject({ field: "records/0/fields/unit_price", code: "below_cost" });
    const above = await addLines(rep.client, "quote_lines", { quote: [q.id] }, [
      { product: [p.id], quantity: "1", unit_price: cny(9000) },
    ]);
    expect(above.status, above.text).toBe(201);
    const set = (v: boolean) =>
      admin.request("PUT", "/admin/plugins/sales/settings", {
        rounding: "line",
        repsMayOverridePrice: v,
        defaultCurrency: "CNY",
        quoteValidDays: 30,
      });
    expect((await set(false)).status).toBe(200);
    try {
      const no = await addLines(rep.client, "quote_lines", { quote: [q.id] }, [
        { product: [p.id], quantity: "1", unit_price: cny(9000) },
      ]);
      expect(no.status).toBe(422);
      expect(no.body.errors[0]).toMatchObject({ field: "records/0/fields/unit_price", code: "price_override" });
      const mq = await quote(manager.client);
      const m = await addLines(manager.client, "quote_lines", { quote: [mq.id] }, [
        { product: [p.id], quantity: "1", unit_price: cny(5000) },
      ]);
      expect(m.status, m.text).toBe(201);
    } finally {
      expect((await set(true)).status).toBe(200);
    }
  });

  it("let a manager see and work on the team's quotes and orders, and not another team's", async () => {
    const manager = await signedIn(["sales_manager"]);
    const rep = await signedIn(["sales_rep"]);
    const outsider = await signedIn(["sales_rep"]);
    const team = `sales_${crypto.randomUUID().slice(0, 8)}`;
    const t = await admin.post("/admin/teams", {
      name: team,
      label: "East",
      members: [{ user: manager.id, lead: true }, { user: rep.id }],
    });
    expect(t.status, t.text).toBe(201);
    const q = await quote(rep.client);
    const o = await create(rep.client, "orders", {});
    const other = await quote(outsider.client);
    const ids = (await manager.client.get("/tables/quotes/records?limit=1000")).body.records.map((r: any) => r.id);
    expect(ids).toContain(q.id);
    expect(ids).not.toContain(other.id);
    expect((await manager.client.get(`/tables/orders/records/${o.id}`)).status).toBe(200);
    const p = await product(admin);
    const line = await addLines(manager.client, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: "2" }]);
    expect(line.status, line.text).toBe(201);
    await expectAddsUp(rep.client, "quote", q.id);
    const denied = await addLines(manager.client, "quote_lines", { quote: [other.id] }, [
      { product: [p.id], quantity: "1" },
    ]);
    expect([403, 422]).toContain(denied.status);
  });

  it("let reps see their own and their customers' quotes, and the warehouse read orders without prices", async () => {
    const rep = await signedIn(["sales_rep"]);
    const other = await signedIn(["sales_rep"]);
    const warehouse = await signedIn(["warehouse"]);
    const c = await customer(rep.client);
    const mine = await quote(rep.client, { customer: [c.id] });
    const onMyCustomer = await quote(admin, { customer: [c.id], owner: other.id });
    const notMine = await quote(other.client);
    const list = await rep.client.get("/tables/quotes/records?limit=1000");
    const ids = list.body.records.map((r: any) => r.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, onMyCustomer.id]));
    expect(ids).not.toContain(notMine.id);
    expect((await rep.client.get(`/tables/quotes/records/${notMine.id}`)).status).toBe(404);
    const p = await product(admin);
    const o = await create(admin, "orders", {});
    await addLines(admin, "order_lines", { order: [o.id] }, [{ product: [p.id], quantity: "2" }]);
    const wo = await warehouse.client.get(`/tables/orders/records/${o.id}`);
    expect(wo.status, wo.text).toBe(200);
    expect(wo.body.record.fields.total).toBeUndefined();
    expect(wo.body.record.fields.number).toBeTruthy();
    const wl = await linesOf(warehouse.client, "order_lines", "order", o.id);
    expect(wl[0]!.fields.quantity).toBe("2.000");
    expect(wl[0]!.fields.unit_price).toBeUndefined();
    expect(wl[0]!.fields.line_total).toBeUndefined();
    expect((await warehouse.client.get("/tables/quotes/records")).status).toBe(403);
    expect((await warehouse.client.post("/tables/orders/records", { fields: {} })).status).toBe(403);
  });
});
