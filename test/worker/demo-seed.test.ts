import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../main";
import { DEMO_USERS } from "../../worker/demo/users";
import { api, login, request } from "./helpers";
import { seedDemoSales } from "../../scripts/demo-sales.mjs";
import { seedDemoInventory } from "../../scripts/demo-inventory.mjs";

async function seed(devSeed: string, body = "{}") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://x/api/dev/seed", { method: "POST", headers: { "content-type": "application/json" }, body }),
    { ...env, DEV_SEED: devSeed } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

const demo = (role: string, n = 0) => DEMO_USERS.filter((u) => u.role === role)[n]!;

describe("demo workspace seeding", () => {
  it("does not exist unless DEV_SEED is 1", async () => {
    expect((await seed("")).status).toBe(404);
    expect((await seed("0")).status).toBe(404);
  });

  it("creates the users, tables and grants once, and a second call creates nothing", async () => {
    const first = await seed("1");
    expect(first.status).toBe(200);
    expect(first.body.seeded).toBe(true);
    expect(first.body.users.map((u: any) => u.email)).toEqual(DEMO_USERS.map((u) => u.email));
    const tables = await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE deleted_at IS NULL").first<{
      n: number;
    }>();
    const again = await seed("1");
    expect(again.body.seeded).toBe(false);
    expect(
      await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE deleted_at IS NULL").first<{ n: number }>(),
    ).toEqual(tables);

    // Each demo role sees its role's rows: a rep their own deals, the manager the team's, warehouse no deals.
    const admin = api(await login(demo("admin").email, demo("admin").password));
    const ids = Object.fromEntries(first.body.users.map((u: any) => [u.email, u.id]));
    const rep1 = ids[demo("sales_rep", 0).email];
    const rep2 = ids[demo("sales_rep", 1).email];
    const outsider = ids[demo("admin").email];
    const made = await admin.post("/tables/deals/records", {
      records: [rep1, rep1, rep2, outsider].map((owner, i) => ({
        fields: { name: `Deal ${i}`, stage: "quote", owner },
      })),
    });
    expect(made.status, made.text).toBe(201);
    const dealIds = made.body.records.map((r: any) => r.id);
    const seen = async (u: (typeof DEMO_USERS)[number]) => {
      const r = await api(await login(u.email, u.password)).get("/tables/deals/records?limit=1000");
      return r.status === 200
        ? r.body.records.map((x: any) => x.id).filter((id: number) => dealIds.includes(id))
        : r.status;
    };
    expect(await seen(demo("sales_rep", 0))).toEqual(dealIds.slice(0, 2));
    expect(await seen(demo("sales_rep", 1))).toEqual([dealIds[2]]);
    expect(await seen(demo("sales_manager"))).toEqual(dealIds.slice(0, 3));
    expect(await seen(demo("warehouse"))).toBe(403);
  });

  it("seeds the product catalog and price lists once, the same every time", async () => {
    await seed("1");
    const admin = api(await login(demo("admin").email, demo("admin").password));
    const all = async (table: string) => {
      const out: any[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const r = await admin.get(`/tables/${table}/records?limit=1000${q}`);
        expect(r.status, r.text).toBe(200);
        out.push(...r.body.records);
        cursor = r.body.nextCursor;
      } while (cursor);
      return out;
    };
    const products = await all("products");
    expect(products.length).toBeGreaterThanOrEqual(200);
    expect(products.length).toBeLessThanOrEqual(500);
    expect(new Set(products.map((p) => p.fields.category)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(products.map((p) => p.fields.unit)).size).toBeGreaterThanOrEqual(5);
    expect(products.some((p) => /[\u4e00-\u9fff]/.test(p.fields.name))).toBe(true);
    expect(products.some((p) => /^[A-Za-z]/.test(p.fields.name))).toBe(true);
    expect(products.every((p) => p.fields.unit_price?.amount > 0 && p.fields.tax_rate >= 0)).toBe(true);
    const lists = await all("price_lists");
    expect(lists.length).toBeGreaterThanOrEqual(2);
    expect((await all("price_list_items")).length).toBeGreaterThan(0);
    // Deterministic: the same SKUs, names and prices as the catalog module makes.
    const { demoCatalog } = await import("../../worker/demo/catalog");
    const want = demoCatalog();
    const bySku = new Map(products.map((p) => [p.fields.sku, p.fields]));
    expect(bySku.size).toBe(want.products.length);
    for (const p of want.products)
      expect(bySku.get(p.sku)).toMatchObject({ name: p.name, unit_price: p.unit_price, category: p.category });
    // A second seed adds nothing.
    await seed("1");
    expect((await all("products")).length).toBe(products.length);
  });

  it("writes demo stock, then quotes and orders in every status, priced and totalled by the sales plugin, held and shipped by inventory, once", async () => {
    const first = await seed("1");
    const ids = Object.fromEntries(first.body.users.map((u: any) => [u.email, u.id]));
    const token = await login(demo("admin").email, demo("admin").password);
    const admin = api(token);
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await request(token, method, path.replace(/^\/api/, ""), body);
      if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status}: ${r.text}`);
      return r.body;
    };
    // A small stand-in for the seed script's customers and deals, owned by the two reps.
    const reps = [ids[demo("sales_rep", 0).email], ids[demo("sales_rep", 1).email]];
    const cust = await admin.post("/tables/customers/records", {
      records: Array.from({ length: 8 }, (_, i) => ({
        fields: { name: `示例客户 ${i} 有限公司`, owner: reps[i % 2] },
      })),
    });
    expect(cust.status, cust.text).toBe(201);
    const deals = await admin.post("/tables/deals/records", {
      records: Array.from({ length: 16 }, (_, i) => ({
        fields: {
          name: i % 2 ? `Deal ${i}` : `项目 ${i}`,
          stage: "quote",
          customer: [cust.body.records[i % 8].id],
          owner: reps[i % 2],
        },
      })),
    });
    expect(deals.status, deals.text).toBe(201);

    // Stock first: the orders confirm (reserve) and ship against it.
    const stock = await seedDemoInventory(call, { manager: ids[demo("warehouse").email] });
    expect(stock.warehouses).toBe(3);
    const written = await seedDemoSales(call, { perStatus: 1, inventory: true });
    // 7 quote statuses + one converted quote per order status; every converted quote gives an order.
    expect(written).toEqual({ quotes: 14, orders: 8 });
    // The seed's last step runs what the first cron tick would: quotes past their date expire.
    expect((await seed("1", JSON.stringify({ step: "data-done" }))).status).toBe(200);

    const all = async (table: string) => (await call("GET", `/api/tables/${table}/records?limit=1000`)).records;
    const quotes = await all("quotes");
    const orders = await all("orders");
    const statuses = (rows: any[]) => new Set(rows.map((r) => r.fields.status));
    for (const s of ["draft", "sent", "accepted", "rejected", "expired", "converted", "superseded"])
      expect(statuses(quotes), s).toContain(s);
    for (const s of ["draft", "confirmed", "partially_shipped", "shipped", "delivered", "closed", "cancelled"])
      expect(statuses(orders), s).toContain(s);
    const paid = new Set(orders.map((o: any) => o.fields.payment_status));
    expect([...paid].sort()).toEqual(["paid", "partially_paid", "unpaid"]);
    expect((await all("payments")).length).toBeGreaterThan(0);

    // Every document adds up from its lines as the API reads them, and is owned by its deal's rep.
    const dealOwner = new Map<number, string>(deals.body.records.map((d: any) => [d.id, d.fields.owner]));
    const quoteLines = await all("quote_lines");
    const orderLines = await all("order_lines");
    const check = (doc: any, lines: any[], key: string) => {
      const mine = lines.filter((l) => l.fields[key][0] === doc.id || l.fields[key][0]?.id === doc.id);
      expect(mine.length, `${key} ${doc.id}`).toBeGreaterThan(0);
      const sum = (k: string) => mine.reduce((n, l) => n + l.fields[k].amount, 0);
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
      expect(doc.fields.total.amount).toBeGreaterThan(0);
      const deal = doc.fields.deal?.[0]?.id ?? doc.fields.deal?.[0];
      expect(doc.fields.owner).toBe(dealOwner.get(deal));
    };
    for (const q of quotes) check(q, quoteLines, "quote");
    for (const o of orders) check(o, orderLines, "order");
    expect(quoteLines.some((l: any) => l.fields.discount > 0)).toBe(true);
    // A few customers buy on a price list.
    expect((await all("customers")).some((c: any) => (c.fields.price_list ?? []).length > 0)).toBe(true);

    await checkDemoStock(call, orders, orderLines, ids[demo("warehouse").email]);

    // A second run writes nothing.
    expect(await seedDemoInventory(call, {})).toEqual({ warehouses: 0, moves: 0, low: 0 });
    expect(await seedDemoSales(call, { perStatus: 1, inventory: true })).toEqual({ quotes: 0, orders: 0 });
    expect((await all("quotes")).length).toBe(quotes.length);
    expect((await all("orders")).length).toBe(orders.length);
  }, 400_000);
});

type Call = (method: string, path: string, body?: unknown) => Promise<any>;
const idOf = (v: any) => (Array.isArray(v) && v.length ? (typeof v[0] === "object" ? v[0].id : v[0]) : null);

/**
 * The demo stock: three warehouses (one default), a level with stock for every stocked product, a history of
 * receipts (with costs), adjustments (with reasons), transfers and shipments; some levels below their reorder
 * point with the manager notified; confirmed orders hold their lines reserved, shipped ones have shipments;
 * and the levels equal the ledger (verify finds no difference).
 */
async function checkDemoStock(call: Call, orders: any[], orderLines: any[], manager: string) {
  const every = async (table: string) => {
    const out: any[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await call("GET", `/api/tables/${table}/records?limit=1000${q}`);
      out.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };
  const warehouses = await every("warehouses");
  expect(warehouses).toHaveLength(3);
  expect(warehouses.filter((w) => w.fields.is_default)).toHaveLength(1);
  const products = (await every("products")).filter((p) => p.fields.track_stock);
  const levels = await every("stock_levels");
  const stocked = new Set(levels.filter((l) => Number(l.fields.on_hand) > 0).map((l) => idOf(l.fields.product)));
  for (const p of products) expect(stocked.has(p.id), `product ${p.fields.sku} has stock`).toBe(true);
  const moves = await every("stock_moves");
  const kinds = new Set(moves.map((m) => m.fields.kind));
  for (const k of ["receipt", "adjustment", "transfer_out", "transfer_in", "reservation", "shipment", "release"])
    expect(kinds, k).toContain(k);
  expect(moves.filter((m) => m.fields.kind === "receipt").every((m) => m.fields.unit_cost?.amount > 0)).toBe(true);
  expect(moves.filter((m) => m.fields.kind === "adjustment").every((m) => m.fields.reason?.length > 0)).toBe(true);
  // Low stock: flagged levels below their reorder point, their manager told.
  const low = levels.filter((l) => l.fields.low_stock);
  expect(low.length).toBeGreaterThan(0);
  for (const l of low) expect(Number(l.fields.available)).toBeLessThan(Number(l.fields.reorder_point));
  const notes = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM sg_notifications WHERE user_id = ? AND kind = 'low_stock'",
  )
    .bind(manager)
    .first<{ n: number }>();
  expect(notes!.n).toBeGreaterThanOrEqual(low.length);

  // Orders consistent with their status: what each line holds, from the ledger.
  const stockedIds = new Set(products.map((p) => p.id));
  const held = new Map<number, number>();
  for (const m of moves)
    if (["reservation", "release", "shipment"].includes(m.fields.kind))
      held.set(m.fields.order_line, (held.get(m.fields.order_line) ?? 0) + Number(m.fields.quantity));
  const shipments = await every("shipments");
  const shippedOrders = new Set(shipments.map((s) => idOf(s.fields.order)));
  for (const o of orders) {
    const lines = orderLines.filter((l) => idOf(l.fields.order) === o.id && stockedIds.has(idOf(l.fields.product)));
    const status = o.fields.status;
    for (const l of lines) {
      const h = held.get(l.id) ?? 0;
      const outstanding = Number(l.fields.quantity) - Number(l.fields.shipped_quantity ?? 0);
      if (status === "confirmed" || status === "partially_shipped")
        expect(h, `${status} line ${l.id}`).toBeCloseTo(outstanding, 6);
      else expect(h, `${status} line ${l.id}`).toBeCloseTo(0, 6);
    }
    if (["partially_shipped", "shipped", "delivered", "closed"].includes(status))
      expect(shippedOrders.has(o.id), `${status} order ${o.id} has a shipment`).toBe(true);
    else expect(shippedOrders.has(o.id), `${status} order ${o.id}`).toBe(false);
  }
  const v = await call("POST", "/api/actions/inventory/verify", {});
  expect(v.differences).toEqual([]);
}
