/**
 * Bad input to the sales tables: every refusal is a problem+json naming the field, never a 500, and
 * nothing is written; 1,000 lines in one quote work and line 10,001 is refused clearly.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  addLines,
  cny,
  create,
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
let productId: number;

beforeAll(async () => {
  ({ admin } = await installSales());
  productId = (await product(admin, { unit_price: cny(1234), tax_rate: 1300 })).id;
});

async function refused(r: { status: number; text: string; headers: Headers; body: any }, field: string, code?: string) {
  expect(r.status, r.text).toBe(422);
  expect(r.headers.get("content-type")).toContain("application/problem+json");
  expect(r.body.errors).toEqual(
    expect.arrayContaining([expect.objectContaining({ field, ...(code ? { code } : {}) })]),
  );
}

describe("quote lines refuse", () => {
  it("a negative, zero, over-precise or non-numeric quantity", async () => {
    const q = await quote(admin);
    for (const quantity of ["-1", "0", "0.000", "1.0001", "abc", true, "1e999", null, 1.5e-7])
      await refused(
        await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity }]),
        "records/0/fields/quantity",
      );
    expect(await linesOf(admin, "quote_lines", "quote", q.id)).toHaveLength(0);
    expect((await get(admin, "quotes", q.id)).version).toBe(q.version);
  });

  it("a discount above 100% or below 0, and a negative tax rate", async () => {
    const q = await quote(admin);
    await refused(
      await addLines(admin, "quote_lines", { quote: [q.id] }, [
        { product: [productId], quantity: "1", discount: 10_001 },
      ]),
      "records/0/fields/discount",
    );
    await refused(
      await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity: "1", discount: -1 }]),
      "records/0/fields/discount",
    );
    await refused(
      await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity: "1", tax_rate: -5 }]),
      "records/0/fields/tax_rate",
    );
  });

  it("a line moved to another quote", async () => {
    const a = await quote(admin);
    const b = await quote(admin);
    const r = await addLines(admin, "quote_lines", { quote: [a.id] }, [{ product: [productId], quantity: "1" }]);
    const line = r.body.records[0];
    await refused(
      await admin.patch(`/tables/quote_lines/records/${line.id}`, { version: line.version, fields: { quote: [b.id] } }),
      "fields/quote",
      "line_moved",
    );
    expect(await linesOf(admin, "quote_lines", "quote", b.id)).toHaveLength(0);
    await expectAddsUp(admin, "quote", a.id);
  });

  it("an inactive product", async () => {
    const p = await product(admin, { active: false });
    const q = await quote(admin);
    await refused(
      await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [p.id], quantity: "1" }]),
      "records/0/fields/product",
      "inactive_product",
    );
  });

  it("a price in another currency than the quote's", async () => {
    const q = await quote(admin, { currency: "CNY" });
    await refused(
      await addLines(admin, "quote_lines", { quote: [q.id] }, [
        { product: [productId], quantity: "1", unit_price: { amount: 100, currency: "USD" } },
      ]),
      "records/0/fields/unit_price",
      "currency_mismatch",
    );
    const usd = await quote(admin, { currency: "USD" });
    // The product is priced in CNY: a USD quote cannot take its price without one given.
    await refused(
      await addLines(admin, "quote_lines", { quote: [usd.id] }, [{ product: [productId], quantity: "1" }]),
      "records/0/fields/unit_price",
      "currency_mismatch",
    );
    const ok = await addLines(admin, "quote_lines", { quote: [usd.id] }, [
      { product: [productId], quantity: "1", unit_price: 999 },
    ]);
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.records[0].fields.unit_price).toEqual({ amount: 999, currency: "USD" });
  });

  it("wrong types, unknown fields, oversize text and a line without a quote", async () => {
    const q = await quote(admin);
    const add = (fields: Record<string, unknown>) =>
      addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity: "1", ...fields }]);
    await refused(await add({ unit_price: "12.34" }), "records/0/fields/unit_price");
    await refused(await add({ discount: "10%" }), "records/0/fields/discount");
    await refused(await add({ product: "SKU-1" }), "records/0/fields/product");
    await refused(await add({ colour: "red" }), "records/0/fields/colour", "unknown_field");
    await refused(await add({ description: "x".repeat(2001) }), "records/0/fields/description");
    await refused(
      await admin.post("/tables/quote_lines/records", { fields: { product: [productId], quantity: "1" } }),
      "fields/quote",
      "required",
    );
    await refused(await add({ quote: [999_999_999] }), "records/0/fields/quote/0");
    expect(await linesOf(admin, "quote_lines", "quote", q.id)).toHaveLength(0);
  });

  it("stores injection-shaped text as text", async () => {
    const q = await quote(admin);
    const evil = `'); DROP TABLE sg_users; -- <script>alert(1)</script> =HYPERLINK("x")`;
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [productId], quantity: "1", description: evil },
    ]);
    expect(r.status, r.text).toBe(201);
    expect((await linesOf(admin, "quote_lines", "quote", q.id))[0]!.fields.description).toBe(evil);
    const f = encodeURIComponent(JSON.stringify({ field: "description", op: "eq", value: evil }));
    const found = await admin.get(`/tables/quote_lines/records?filter=${f}`);
    expect(found.status).toBe(200);
    expect(found.body.records).toHaveLength(1);
  });

  it("writes by a user without the rights, with 403 and nothing written", async () => {
    const warehouse = await signedIn(["warehouse"]);
    const rep = await signedIn(["sales_rep"]);
    const other = await signedIn(["sales_rep"]);
    const q = await quote(other.client);
    expect((await warehouse.client.post("/tables/quotes/records", { fields: {} })).status).toBe(403);
    // Another rep's quote does not exist for this rep: its lines cannot be added.
    const r = await addLines(rep.client, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity: "1" }]);
    expect([403, 422]).toContain(r.status);
    expect(await linesOf(admin, "quote_lines", "quote", q.id)).toHaveLength(0);
  });
});

describe("big quotes", () => {
  it("take 1,000 lines in one request, and refuse line 10,001 clearly", async () => {
    const q = await quote(admin);
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ product: [productId], quantity: String(i + 1) }));
    const first = await addLines(admin, "quote_lines", { quote: [q.id] }, batch(1000));
    expect(first.status, first.text.slice(0, 500)).toBe(201);
    await expectAddsUp(admin, "quote", q.id);
    const tooMany = await addLines(admin, "quote_lines", { quote: [q.id] }, batch(1001));
    expect([413, 422]).toContain(tooMany.status);
    for (let i = 1; i < 10; i++) {
      const r = await addLines(admin, "quote_lines", { quote: [q.id] }, batch(1000));
      expect(r.status, r.text.slice(0, 500)).toBe(201);
    }
    const over = await addLines(admin, "quote_lines", { quote: [q.id] }, batch(1));
    await refused(over, "records/0/fields/quote", "too_many_lines");
    expect(over.body.errors[0].message).toContain("10000");
    const doc = await get(admin, "quotes", q.id);
    // 10 x sum(1..1000) units at 12.34 with 13% tax, per line rounded: still exact, no float.
    expect(doc.fields.subtotal.amount).toBe(10 * 1234 * 500_500);
  }, 300_000);
});

describe("orders refuse", () => {
  it("editing or deleting lines of a confirmed order, and an order without lines converted", async () => {
    const o = await create(admin, "orders", {});
    const r = await addLines(admin, "order_lines", { order: [o.id] }, [{ product: [productId], quantity: "1" }]);
    const line = r.body.records[0];
    const cur = await get(admin, "orders", o.id);
    const ok = await admin.patch(`/tables/orders/records/${o.id}`, {
      version: cur.version,
      fields: { status: "confirmed" },
    });
    expect(ok.status, ok.text).toBe(200);
    await refused(
      await admin.patch(`/tables/order_lines/records/${line.id}`, { version: line.version, fields: { discount: 100 } }),
      "fields/order",
      "locked",
    );
    await refused(await admin.delete(`/tables/order_lines/records/${line.id}?version=${line.version}`), "id", "locked");
    const cur2 = await get(admin, "orders", o.id);
    await refused(
      await admin.patch(`/tables/orders/records/${o.id}`, { version: cur2.version, fields: { currency: "USD" } }),
      "fields/currency",
      "locked",
    );
    expect((await get(admin, "orders", o.id)).version).toBe(cur2.version);
  });
});
