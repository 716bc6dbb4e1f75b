/**
 * The products plugin through the HTTP API against a real D1: the catalog's SKU is unique ignoring
 * case (also under concurrent creates), defaults and bad input, what each role may see (the warehouse
 * reads products without prices), and price resolution (the customer's valid price list, the highest
 * min_quantity not above the quantity, else the product's price, with its tax rate).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSalesPlugins());
  const r = await admin.post("/admin/plugins/products/install");
  expect(r.status, r.text).toBe(200);
});

const sku = () => `SKU-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
const product = (fields: Record<string, unknown> = {}, c = admin) =>
  c.post("/tables/products/records", {
    fields: {
      sku: sku(),
      name: uniq("Widget 零件"),
      unit: "pcs",
      unit_price: { amount: 10000, currency: "CNY" },
      ...fields,
    },
  });
const price = (body: Record<string, unknown>, c = admin) => c.post("/actions/products/price", body);

function problem(r: { status: number; text: string; headers: Headers; body: any }, status: number, field: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toContain("application/problem+json");
  expect(
    r.body.errors.map((e: { field: string }) => e.field),
    r.text,
  ).toContain(field);
  expect(r.text).not.toMatch(/SQLITE|D1_ERROR|at .*\.ts:\d+/);
}

describe("products", () => {
  it("get the workspace's default tax rate (13%) and are active unless they say otherwise", async () => {
    const r = await product();
    expect(r.status, r.text).toBe(201);
    expect(r.body.record.fields).toMatchObject({ tax_rate: 1300, active: true, track_stock: false });
    const zero = await product({ tax_rate: 0, active: false });
    expect(zero.body.record.fields).toMatchObject({ tax_rate: 0, active: false });
  });

  it("follow the default tax rate setting", async () => {
    const s = await admin.request("PUT", "/admin/plugins/products/settings", { default_tax_rate: 900 });
    expect(s.status, s.text).toBe(200);
    try {
      expect((await product()).body.record.fields.tax_rate).toBe(900);
    } finally {
      await admin.request("PUT", "/admin/plugins/products/settings", { default_tax_rate: 1300 });
    }
  });
});

describe("SKU uniqueness", () => {
  it("refuses a SKU that differs only in case, 409 naming sku, and writes nothing", async () => {
    const code = sku();
    expect((await product({ sku: code })).status).toBe(201);
    const again = await product({ sku: code.toLowerCase(), name: "copy" });
    problem(again, 409, "fields/sku");
    expect(again.body.errors[0].code).toBe("duplicate");
    const f = encodeURIComponent(JSON.stringify({ field: "name", op: "eq", value: "copy" }));
    expect((await admin.get(`/tables/products/records?filter=${f}`)).body.records).toEqual([]);
  });

  it("refuses changing a SKU into another product's", async () => {
    const a = sku();
    expect((await product({ sku: a })).status).toBe(201);
    const b = await product();
    const r = await admin.patch(`/tables/products/records/${b.body.record.id}`, {
      version: b.body.record.version,
      fields: { sku: ` ${a.toLowerCase()} ` },
    });
    problem(r, 409, "fields/sku");
  });

  it("lets exactly one of concurrent creates of one SKU win", async () => {
    const code = sku();
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => product({ sku: i % 2 ? code : code.toLowerCase() })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 201)) problem(r, 409, "fields/sku");
    const f = encodeURIComponent(JSON.stringify({ field: "sku", op: "starts_with", value: code }));
    expect((await admin.get(`/tables/products/records?filter=${f}`)).body.records).toHaveLength(1);
  });

  it("refuses two records of one SKU in one request", async () => {
    const code = sku();
    const r = await admin.post("/tables/products/records", {
      records: [code, code.toLowerCase()].map((s) => ({ fields: { sku: s, name: "pair" } })),
    });
    expect(r.status, r.text).toBe(409);
  });
});

describe("the unique option on any table", () => {
  it("cannot be turned on while values repeat, and holds once on", async () => {
    const name = `u_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const t = await admin.post("/meta/tables", { name, fields: [{ name: "code", type: "text" }] });
    expect(t.status, t.text).toBe(201);
    const field = t.body.table.fields[0].id;
    for (const code of ["A1", "a1"])
      expect((await admin.post(`/tables/${name}/records`, { fields: { code } })).status).toBe(201);
    problem(
      await admin.patch(`/meta/tables/${name}/fields/${field}`, { options: { unique: true } }),
      409,
      "options/unique",
    );
    const meta = await admin.get(`/meta/tables/${name}`);
    expect(meta.body.table.fields[0].options.unique).toBeUndefined();
    const rows = (await admin.get(`/tables/${name}/records`)).body.records;
    const second = rows.find((r: { fields: { code: string } }) => r.fields.code === "a1");
    expect((await admin.delete(`/tables/${name}/records/${second.id}`, { version: second.version })).status).toBe(200);
    expect((await admin.patch(`/meta/tables/${name}/fields/${field}`, { options: { unique: true } })).status).toBe(200);
    problem(await admin.post(`/tables/${name}/records`, { fields: { code: "a1" } }), 409, "fields/code");
    expect((await admin.post(`/tables/${name}/records`, { fields: { code: null } })).status).toBe(201);
    expect((await admin.post(`/tables/${name}/records`, { fields: { code: null } })).status).toBe(201);
  });
});

describe("bad input", () => {
  it("wrong types are 422 naming each field", async () => {
    const r = await product({ unit_price: "a lot", tax_rate: "13%", active: "yes", unit: "barrel" });
    problem(r, 422, "fields/unit_price");
    for (const f of ["fields/tax_rate", "fields/active", "fields/unit"])
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(f);
  });

  it("an unknown field is 422 naming it", async () => problem(await product({ colour: "red" }), 422, "fields/colour"));
  it("a negative price is 422 naming it", async () =>
    problem(await product({ cost_price: { amount: -1, currency: "CNY" } }), 422, "fields/cost_price"));
  it("a tax rate above 100% is 422", async () => problem(await product({ tax_rate: 10001 }), 422, "fields/tax_rate"));
  it("a blank SKU is 422", async () => problem(await product({ sku: "   " }), 422, "fields/sku"));
  it("an oversize name is 422", async () => problem(await product({ name: "名".repeat(201) }), 422, "fields/name"));
  it("an oversize description is 422 naming it, a body past 5 MB is 413", async () => {
    problem(await product({ description: "x".repeat(5001) }), 422, "fields/description");
    const r = await product({ description: "x".repeat(6_000_000) });
    expect(r.status).toBe(413);
  });

  it("injection-shaped values are values", async () => {
    const evil = "x'); DROP TABLE sg_users; --";
    const r = await product({ sku: `${sku()}'--`, name: evil, description: "<script>alert(1)</script>" });
    expect(r.status, r.text).toBe(201);
    const back = await admin.get(`/tables/products/records/${r.body.record.id}`);
    expect(back.body.record.fields.name).toBe(evil);
    expect((await admin.get("/auth/me")).status).toBe(200);
  });

  it("a price list ending before it starts is 422 naming valid_to", async () =>
    problem(
      await admin.post("/tables/price_lists/records", {
        fields: { name: uniq("PL"), currency: "CNY", valid_from: "2026-05-01", valid_to: "2026-04-30" },
      }),
      422,
      "fields/valid_to",
    ));
});

describe("who may do what", () => {
  it("reps read products and price lists but cannot edit them nor see costs", async () => {
    const { client: rep } = await signedIn(["sales_rep"]);
    const p = await product({ cost_price: { amount: 5000, currency: "CNY" } });
    const r = await rep.get(`/tables/products/records/${p.body.record.id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields.unit_price).toEqual({ amount: 10000, currency: "CNY" });
    expect(r.body.record.fields).not.toHaveProperty("cost_price");
    expect((await rep.get("/tables/price_lists/records")).status).toBe(200);
    expect((await product({}, rep)).status).toBe(403);
    const edit = await rep.patch(`/tables/products/records/${p.body.record.id}`, {
      version: p.body.record.version,
      fields: { name: "mine" },
    });
    expect(edit.status).toBe(403);
  });

  it("managers edit the catalog", async () => {
    const { client: manager } = await signedIn(["sales_manager"]);
    const r = await product({}, manager);
    expect(r.status, r.text).toBe(201);
    const pl = await manager.post("/tables/price_lists/records", { fields: { name: uniq("PL"), currency: "CNY" } });
    expect(pl.status, pl.text).toBe(201);
  });

  it("the warehouse reads products without any price, and no price lists", async () => {
    const { client: wh } = await signedIn(["warehouse"]);
    const p = await product({ cost_price: { amount: 5000, currency: "CNY" }, track_stock: true });
    const r = await wh.get(`/tables/products/records/${p.body.record.id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields).toMatchObject({ sku: p.body.record.fields.sku, track_stock: true });
    expect(r.body.record.fields).not.toHaveProperty("unit_price");
    expect(r.body.record.fields).not.toHaveProperty("cost_price");
    const f = encodeURIComponent(JSON.stringify({ field: "unit_price", op: "gt", value: 0 }));
    expect((await wh.get(`/tables/products/records?filter=${f}`)).status).toBe(400);
    expect((await wh.get("/tables/price_lists/records")).status).toBe(403);
    expect((await price({ product: p.body.record.id }, wh)).status).toBe(403);
  });

  it("ships the catalog and by-category views", async () => {
    const r = await admin.get("/meta/views?table=products");
    expect(r.status, r.text).toBe(200);
    const names = (r.body.views as { name: string }[]).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(["catalog", "by_category"]));
  });
});

describe("price resolution", () => {
  let productId: number;
  let customerId: number;
  let listId: number;

  beforeAll(async () => {
    const p = await product({ unit_price: { amount: 12000, currency: "CNY" }, tax_rate: 600 });
    productId = p.body.record.id;
    const pl = await admin.post("/tables/price_lists/records", {
      fields: {
        name: uniq("VIP"),
        currency: "CNY",
        valid_from: "2026-01-01",
        valid_to: "2026-12-31",
        prices_include_tax: true,
      },
    });
    expect(pl.status, pl.text).toBe(201);
    listId = pl.body.record.id;
    const items = await admin.post("/tables/price_list_items/records", {
      records: [
        [null, 11000],
        ["10", 10000],
        ["100.5", 9000],
      ].map(([min, amount]) => ({
        fields: {
          price_list: [listId],
          product: [productId],
          min_quantity: min,
          unit_price: { amount, currency: "CNY" },
        },
      })),
    });
    expect(items.status, items.text).toBe(201);
    const c = await admin.post("/tables/customers/records", {
      fields: { name: uniq("客户 Pricing"), price_list: [listId] },
    });
    expect(c.status, c.text).toBe(201);
    customerId = c.body.record.id;
  });

  const priced = async (body: Record<string, unknown>) => {
    const r = await price({ product: productId, customer: customerId, at: "2026-06-01", ...body });
    expect(r.status, r.text).toBe(200);
    return r.body.price;
  };

  it("takes the highest min_quantity not above the quantity, exactly", async () => {
    expect(await priced({ quantity: "1" })).toMatchObject({
      unitPrice: { amount: 11000, currency: "CNY" },
      taxRate: 600,
      source: "price_list",
      priceList: listId,
      pricesIncludeTax: true,
    });
    expect((await priced({ quantity: "9.999" })).unitPrice.amount).toBe(11000);
    expect((await priced({ quantity: "10" })).unitPrice.amount).toBe(10000);
    expect((await priced({ quantity: 100.49 })).unitPrice.amount).toBe(10000);
    expect((await priced({ quantity: "100.500" })).unitPrice.amount).toBe(9000);
    expect((await priced({ quantity: "5000" })).unitPrice.amount).toBe(9000);
  });

  it("uses the product's price outside the list's validity, or without a list", async () => {
    expect(await priced({ quantity: "50", at: "2027-01-01" })).toMatchObject({
      unitPrice: { amount: 12000 },
      taxRate: 600,
      source: "product",
      priceList: null,
    });
    expect((await priced({ quantity: "50", at: "2025-12-31" })).source).toBe("product");
    const r = await price({ product: productId, quantity: "50", at: "2026-06-01" });
    expect(r.body.price).toMatchObject({ source: "product", unitPrice: { amount: 12000 } });
  });

  it("falls back to the product for a product the list does not price", async () => {
    const other = await product({ unit_price: { amount: 777, currency: "CNY" } });
    const r = await price({ product: other.body.record.id, customer: customerId, at: "2026-06-01" });
    expect(r.body.price).toMatchObject({ source: "product", unitPrice: { amount: 777 }, taxRate: 1300 });
  });

  it("refuses bad queries: unknown product, unknown key, bad quantity, bad date", async () => {
    problem(await price({ product: 999_999_999 }), 404, "product");
    problem(await price({ product: productId, colour: 1 }), 422, "colour");
    problem(await price({ product: productId, quantity: "-1" }), 422, "quantity");
    problem(await price({ product: productId, at: "2026-02-30" }), 422, "at");
  });

  it("refuses a list item in another currency than its list, and a negative minimum", async () => {
    const r = await admin.post("/tables/price_list_items/records", {
      fields: {
        price_list: [listId],
        product: [productId],
        min_quantity: "-1",
        unit_price: { amount: 1, currency: "USD" },
      },
    });
    problem(r, 422, "fields/unit_price");
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain("fields/min_quantity");
  });
});
