/// <reference types="vite/client" />
/**
 * Sales lines priced by the products plugin's one pricing module (no copy in sales), re-priced when
 * only the quantity crosses a volume tier (unless the price was set by hand: `price_overridden`), and
 * the shipping address an order takes from its customer on quote-to-order.
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

const salesSources = import.meta.glob<string>("../../plugins/sales/**/*.ts", {
  query: "?raw",
  import: "default",
  eager: true,
});

let admin: Client;
let productId: number;
let listId: number;
let customerId: number;

beforeAll(async () => {
  ({ admin } = await installSales());
  productId = (await product(admin, { unit_price: cny(12_000), cost_price: cny(5_000), tax_rate: 1300 })).id;
  listId = (await create(admin, "price_lists", { name: "Tiers", currency: "CNY" })).id;
  const items = await admin.post("/tables/price_list_items/records", {
    records: [
      [null, 11_000],
      ["10", 10_000],
      ["100.5", 9_000],
    ].map(([min, amount]) => ({
      fields: { price_list: [listId], product: [productId], min_quantity: min, unit_price: cny(amount as number) },
    })),
  });
  expect(items.status, items.text).toBe(201);
  customerId = (await customer(admin, { price_list: [listId] })).id;
});

async function line(client: Client, q: number, fields: Record<string, unknown>) {
  const r = await addLines(client, "quote_lines", { quote: [q] }, [{ product: [productId], ...fields }]);
  expect(r.status, r.text).toBe(201);
  return r.body.records[0];
}

const patchLine = (client: Client, l: { id: number; version: number }, fields: Record<string, unknown>) =>
  client.patch(`/tables/quote_lines/records/${l.id}`, { version: l.version, fields });

describe("one pricing module", () => {
  it("sales keeps no copy of the catalog's pricing: it prices through plugins/products/pricing.ts", () => {
    const files = Object.keys(salesSources).map((p) => p.replace(/^\.\.\/\.\.\//, ""));
    expect(files).toContain("plugins/sales/lines.ts");
    expect(files).not.toContain("plugins/sales/pricing.ts");
    for (const [path, text] of Object.entries(salesSources)) {
      expect(text, path).not.toMatch(/function\s+(customerPriceList|listPrices|cmpQuantity|loadPriceList|priceFor)\b/);
      expect(text, path).not.toMatch(/const\s+(cmpQuantity|listPrices|customerPriceList)\s*=/);
    }
    expect(salesSources["../../plugins/sales/lines.ts"]).toMatch(/from "\.\.\/products\/pricing"/);
    expect(salesSources["../../plugins/sales/documents.ts"]).toMatch(/from "\.\.\/products\/pricing"/);
  });

  it("a line costs what the products plugin's price action answers, at every tier", async () => {
    const q = await quote(admin, { customer: [customerId] });
    expect(q.fields.price_list).toEqual([listId]);
    for (const quantity of ["1", "9.999", "10", "100.499", "100.5", "5000"]) {
      const price = await admin.post("/actions/products/price", {
        product: productId,
        customer: customerId,
        quantity,
      });
      expect(price.status, price.text).toBe(200);
      const l = await line(admin, q.id, { quantity });
      expect(l.fields.unit_price, quantity).toEqual(price.body.price.unitPrice);
    }
    await expectAddsUp(admin, "quote", q.id);
  });

  it("a bad quantity on a priced line is a 422 naming quantity, never a 500", async () => {
    const q = await quote(admin, { price_list: [listId] });
    for (const quantity of ["0", "-2", "1.0001"]) {
      const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [{ product: [productId], quantity }]);
      expect(r.status, `${quantity}: ${r.text}`).toBe(422);
      expect(r.headers.get("content-type")).toMatch(/problem\+json/);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain("records/0/fields/quantity");
    }
    const ok = await line(admin, q.id, { quantity: "3" });
    const r = await patchLine(admin, ok, { quantity: "-1" });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain("fields/quantity");
  });
});

describe("re-pricing across volume tiers", () => {
  it("a catalog-priced line takes the new tier's price when only its quantity changes, and the totals follow", async () => {
    const q = await quote(admin, { price_list: [listId] });
    let l = await line(admin, q.id, { quantity: "2" });
    expect(l.fields).toMatchObject({ unit_price: cny(11_000), price_overridden: false });
    const steps: [string, number][] = [
      ["10", 10_000],
      ["101", 9_000],
      ["100.499", 10_000],
      ["3", 11_000],
    ];
    for (const [quantity, amount] of steps) {
      const r = await patchLine(admin, l, { quantity });
      expect(r.status, r.text).toBe(200);
      l = r.body.record;
      expect(l.fields.unit_price, quantity).toEqual(cny(amount));
      const doc = await expectAddsUp(admin, "quote", q.id);
      expect(doc.fields.subtotal.amount).toBe(l.fields.line_subtotal.amount);
    }
  });

  it("a price set by hand stays when the quantity crosses a tier; writing the list price hands it back", async () => {
    const rep = await signedIn(["sales_rep"]);
    const q = await quote(rep.client, { price_list: [listId] });
    let l = await line(rep.client, q.id, { quantity: "2", unit_price: cny(10_500) });
    expect(l.fields).toMatchObject({ unit_price: cny(10_500), price_overridden: true });
    let r = await patchLine(rep.client, l, { quantity: "20" });
    expect(r.status, r.text).toBe(200);
    l = r.body.record;
    expect(l.fields).toMatchObject({ unit_price: cny(10_500), price_overridden: true, quantity: "20.000" });
    // The list's price at this quantity, written by hand, is no override: tiers apply again.
    r = await patchLine(rep.client, l, { unit_price: cny(10_000) });
    expect(r.status, r.text).toBe(200);
    l = r.body.record;
    expect(l.fields.price_overridden).toBe(false);
    r = await patchLine(rep.client, l, { quantity: "200" });
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields.unit_price).toEqual(cny(9_000));
    await expectAddsUp(rep.client, "quote", q.id);
  });

  it("price_overridden is the server's: a client writing it gets 422 naming it", async () => {
    const q = await quote(admin, { price_list: [listId] });
    const r = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { product: [productId], quantity: "1", price_overridden: true },
    ]);
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: "records/0/fields/price_overridden", code: "computed" });
  });

  it("converted and revised documents keep whether a line was overridden", async () => {
    const q = await quote(admin, { price_list: [listId], customer: [customerId] });
    await line(admin, q.id, { quantity: "1", unit_price: cny(10_900) });
    await line(admin, q.id, { quantity: "1" });
    let cur = await get(admin, "quotes", q.id);
    for (const status of ["sent", "accepted"]) {
      const m = await admin.patch(`/tables/quotes/records/${q.id}`, { version: cur.version, fields: { status } });
      expect(m.status, m.text).toBe(200);
      cur = m.body.record;
    }
    const r = await admin.post("/actions/sales/quote-to-order", { quote: q.id });
    expect(r.status, r.text).toBe(200);
    const lines = await linesOf(admin, "order_lines", "order", r.body.order.id);
    expect(lines.map((l) => l.fields.price_overridden)).toEqual([true, false]);
  });
});

describe("shipping address on quote-to-order", () => {
  async function accepted(client: Client, c: number) {
    const q = await quote(client, { customer: [c] });
    await line(client, q.id, { quantity: "1" });
    let cur = await get(client, "quotes", q.id);
    for (const status of ["sent", "accepted"]) {
      const m = await client.patch(`/tables/quotes/records/${q.id}`, { version: cur.version, fields: { status } });
      expect(m.status, m.text).toBe(200);
      cur = m.body.record;
    }
    return cur;
  }

  it("takes the customer's default shipping address, formatted, when the order has none", async () => {
    const rep = await signedIn(["sales_rep"]);
    const c = await customer(rep.client);
    for (const fields of [
      { address: "1 Billing Rd", kind: "billing", is_default: true, city: "Beijing" },
      { address: "9 Old Dock", kind: "shipping", is_default: false, city: "Tianjin" },
      {
        address: "张江路 88 号",
        kind: "shipping",
        is_default: true,
        city: "上海",
        province: "上海市",
        postcode: "201203",
        country: "中国",
      },
    ])
      await create(rep.client, "customer_addresses", { customer: [c.id], ...fields });
    const q = await accepted(rep.client, c.id);
    const r = await rep.client.post("/actions/sales/quote-to-order", { quote: q.id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.order.fields.shipping_address).toBe("张江路 88 号\n上海, 上海市 201203\n中国");
  });

  it("falls back to any address of the customer, and leaves it empty when there is none", async () => {
    const c = await customer(admin);
    await create(admin, "customer_addresses", { customer: [c.id], address: "5 Office Park", kind: "office" });
    let r = await admin.post("/actions/sales/quote-to-order", { quote: (await accepted(admin, c.id)).id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.order.fields.shipping_address).toBe("5 Office Park");
    const bare = await customer(admin);
    r = await admin.post("/actions/sales/quote-to-order", { quote: (await accepted(admin, bare.id)).id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.order.fields.shipping_address ?? null).toBeNull();
  });
});
