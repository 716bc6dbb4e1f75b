/** Inventory actions refuse bad input clearly (problem+json naming the field), and write nothing. */
import { beforeAll, describe, expect, it } from "vitest";
import {
  act,
  installInventory,
  level,
  order,
  product,
  receive,
  setStatus,
  signedIn,
  warehouse,
  type Client,
} from "./inventory-fixture";
import { customer } from "./sales-fixture";

let admin: Client;
let clerk: Client;
let p: { id: number };
let w: { id: number };

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
  p = await product(admin, { track_stock: true });
  w = await warehouse(admin);
  await receive(clerk, p.id, w.id, "10");
}, 60_000);

const fields = (r: { body: any }) => (r.body.errors ?? []).map((e: any) => `${e.field} ${e.code}`);

describe("inventory bad input", () => {
  it("refuses negative, zero, non-numeric and over-precise quantities (422 naming quantity)", async () => {
    for (const quantity of ["-1", "0", 0, "abc", "1.2345", "1e3", true, null, ""]) {
      const r = await act(clerk, "receive", { product: p.id, warehouse: w.id, quantity, unit_cost: { amount: 1 } });
      expect(r.status, `${JSON.stringify(quantity)}: ${r.text}`).toBe(422);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.stringify(r.body.errors)).toContain("quantity");
    }
    const zero = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "0", reason: "count" });
    expect(fields(zero)).toContain("quantity zero");
    expect((await level(admin, p.id, w.id))!.on_hand).toBe("10.000");
  });

  it("refuses a product that does not track stock and an inactive or unknown warehouse", async () => {
    const service = await product(admin, { track_stock: false });
    const closed = await warehouse(admin, { active: false });
    const a = await act(clerk, "receive", {
      product: service.id,
      warehouse: w.id,
      quantity: "1",
      unit_cost: { amount: 1 },
    });
    expect(a.status).toBe(422);
    expect(fields(a)).toContain("product not_stocked");
    const b = await act(clerk, "receive", {
      product: p.id,
      warehouse: closed.id,
      quantity: "1",
      unit_cost: { amount: 1 },
    });
    expect(fields(b)).toContain("warehouse inactive");
    const c = await act(clerk, "transfer", { product: p.id, from: w.id, to: 987654321, quantity: "1" });
    expect(fields(c)).toContain("to not_found");
    const d = await act(clerk, "transfer", { product: p.id, from: w.id, to: w.id, quantity: "1" });
    expect(fields(d)).toContain("to same_warehouse");
  });

  it("refuses wrong types, unknown fields and oversize values (422), injection-shaped text is stored as text", async () => {
    const wrong = await act(clerk, "receive", {
      product: "1; DROP TABLE sg_users",
      warehouse: w.id,
      quantity: "1",
      unit_cost: { amount: 1 },
    });
    expect(wrong.status).toBe(422);
    const unknown = await act(clerk, "receive", {
      product: p.id,
      warehouse: w.id,
      quantity: "1",
      unit_cost: { amount: 1 },
      on_hand: "999",
    });
    expect(unknown.status).toBe(422);
    const long = await act(clerk, "adjust", {
      product: p.id,
      warehouse: w.id,
      quantity: "1",
      reason: "x".repeat(1001),
    });
    expect(long.status).toBe(422);
    const cost = await act(clerk, "receive", {
      product: p.id,
      warehouse: w.id,
      quantity: "1",
      unit_cost: { amount: 1.5 },
    });
    expect(cost.status).toBe(422);
    const sneaky = `'); DROP TABLE sg_users; --`;
    const ok = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "1", reason: sneaky });
    expect(ok.status, ok.text).toBe(200);
    const f = encodeURIComponent(JSON.stringify({ field: "reason", op: "eq", value: sneaky }));
    const found = await admin.get(`/tables/stock_moves/records?filter=${f}`);
    expect(found.body.records).toHaveLength(1);
    expect((await admin.get("/auth/me")).status).toBe(200);
    const huge = await clerk.post("/actions/inventory/receive", "x".repeat(6 * 1024 * 1024));
    expect(huge.status).toBe(413);
  });

  it("refuses callers without the rights (403): reps move no stock, only admins verify", async () => {
    const rep = await signedIn(["sales_rep"]);
    const r = await act(rep.client, "receive", {
      product: p.id,
      warehouse: w.id,
      quantity: "1",
      unit_cost: { amount: 1 },
    });
    expect(r.status, r.text).toBe(403);
    const t = await act(rep.client, "transfer", { product: p.id, from: w.id, to: w.id, quantity: "1" });
    expect(t.status).toBe(403);
    expect((await act(clerk, "verify", {})).status).toBe(403);
    // The warehouse role sees quantities but no prices.
    const f = encodeURIComponent(JSON.stringify({ field: "key", op: "eq", value: `${p.id}:${w.id}` }));
    const seen = (await clerk.get(`/tables/stock_levels/records?filter=${f}`)).body.records[0].fields;
    expect(seen.on_hand).toBeDefined();
    expect(seen.average_cost).toBeUndefined();
    expect(seen.stock_value).toBeUndefined();
    const repSees = await rep.client.get(`/tables/stock_levels/records?filter=${f}`);
    expect(repSees.status).toBe(200);
    expect(repSees.body.records[0].fields.available).toBeDefined();
  });

  it("ships only lines of the order, only confirmed orders, never more than ordered (422)", async () => {
    const c = await customer(admin);
    const a = await order(admin, { customer: [c.id], warehouse: [w.id] }, [[p.id, "1"]]);
    const b = await order(admin, { customer: [c.id], warehouse: [w.id] }, [[p.id, "1"]]);
    const draft = await act(clerk, "ship", { order: a.order.id });
    expect(fields(draft)).toContain("order not_shippable");
    expect((await setStatus(admin, a.order.id, "confirmed")).status).toBe(200);
    const other = await act(clerk, "ship", {
      order: a.order.id,
      lines: [{ order_line: b.lines[0]!.id, quantity: "1" }],
    });
    expect(other.status).toBe(422);
    expect(fields(other)).toContain("lines/0/order_line not_in_order");
    const neg = await act(clerk, "ship", {
      order: a.order.id,
      lines: [{ order_line: a.lines[0]!.id, quantity: "-1" }],
    });
    expect(fields(neg)).toContain("lines/0/quantity not_positive");
    const missing = await act(clerk, "ship", { order: 987654321 });
    expect(missing.status).toBe(404);
    expect((await level(admin, p.id, w.id))!.reserved).toBe("1.000");
  });
});
