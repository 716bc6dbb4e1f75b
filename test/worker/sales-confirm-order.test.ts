/**
 * `sales/confirm-order {order, version?}`: the caller's own draft -> confirmed, with inventory's
 * reservation in the same batch (all lines or none; 409 insufficient_stock naming each short line and
 * nothing changed), under the caller's rights; bad input is a 422 naming the field; concurrent calls
 * never oversell and never confirm one order twice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  act,
  installInventory,
  level,
  order,
  product,
  receive,
  signedIn,
  warehouse,
  type Client,
} from "./inventory-fixture";
import { customer } from "./sales-fixture";

let admin: Client;
let clerk: Client;
let rep: Client;

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
  rep = (await signedIn(["sales_rep"])).client;
}, 60_000);

const confirm = (client: Client, body: unknown) => client.post("/actions/sales/confirm-order", body);

async function reservations(orderId: number): Promise<number> {
  const f = encodeURIComponent(
    JSON.stringify({
      and: [
        { field: "order", op: "eq", value: orderId },
        { field: "kind", op: "eq", value: "reservation" },
      ],
    }),
  );
  const r = await admin.get(`/tables/stock_moves/records?filter=${f}&limit=1000`);
  expect(r.status, r.text).toBe(200);
  return r.body.records.length;
}

/** A stocked product with `units` received into a new warehouse (or `into`). */
async function stocked(units: string, into?: { id: number }) {
  const p = await product(admin, { track_stock: true });
  const w = into ?? (await warehouse(admin));
  await receive(clerk, p.id, w.id, units);
  return { p, w };
}

/** The rep's draft order from `w` with these lines. */
async function repOrder(w: { id: number }, lines: [number, string][]) {
  const c = await customer(rep);
  return order(rep, { customer: [c.id], warehouse: [w.id] }, lines);
}

describe("sales/confirm-order", () => {
  it("a rep confirms their own draft: status confirmed and every stocked line reserved", async () => {
    const { p, w } = await stocked("10");
    const { p: p2 } = await stocked("3", w);
    const { order: o } = await repOrder(w, [
      [p.id, "4"],
      [p2.id, "2.5"],
    ]);
    const r = await confirm(rep, { order: o.id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.order.fields.status).toBe("confirmed");
    expect((await level(admin, p.id, w.id))!.reserved).toBe("4.000");
    expect((await level(admin, p2.id, w.id))!.available).toBe("0.500");
    expect(await reservations(o.id)).toBe(2);
  });

  it("short of stock: 409 insufficient_stock naming the short line, requested and available; nothing changes", async () => {
    const { p, w } = await stocked("2");
    const { p: other } = await stocked("5", w);
    const { order: o, lines } = await repOrder(w, [
      [other.id, "1"],
      [p.id, "3"],
    ]);
    const r = await confirm(rep, { order: o.id });
    expect(r.status, r.text).toBe(409);
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(r.body.code).toBe("insufficient_stock");
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        field: `order_lines/${lines[1]!.id}/quantity`,
        code: "insufficient_stock",
        params: { product: p.id, requested: "3.000", available: "2.000" },
      }),
    ]);
    expect((await admin.get(`/tables/orders/records/${o.id}`)).body.record.fields.status).toBe("draft");
    expect((await level(admin, other.id, w.id))!.reserved).toBe("0.000");
    expect(await reservations(o.id)).toBe(0);
  });

  it("bad input is a 422 naming the field; an oversize body 413; injection-shaped values are refused", async () => {
    const bad: [unknown, string][] = [
      [{}, "order"],
      [{ order: "1" }, "order"],
      [{ order: 1.5 }, "order"],
      [{ order: 0 }, "order"],
      [{ order: -3 }, "order"],
      [{ order: null }, "order"],
      [{ order: "1 OR 1=1" }, "order"],
      [{ order: 1, version: "2" }, "version"],
      [{ order: 1, status: "shipped" }, "status"],
      [[1], ""],
    ];
    for (const [body, field] of bad) {
      const r = await confirm(rep, body);
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(422);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(
        r.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    const huge = await rep.post("/actions/sales/confirm-order", "x".repeat(6 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect((await admin.get("/auth/me")).status).toBe(200);
  });

  it("rights: another rep's order is not there (404), the clerk may not change orders (403), a confirmed one is no draft (409)", async () => {
    const { p, w } = await stocked("5");
    const { order: o } = await repOrder(w, [[p.id, "1"]]);
    const stranger = (await signedIn(["sales_rep"])).client;
    expect((await confirm(stranger, { order: o.id })).status).toBe(404);
    const byClerk = await confirm(clerk, { order: o.id });
    expect(byClerk.status, byClerk.text).toBe(403);
    expect((await confirm(rep, { order: 999_999_999 })).status).toBe(404);
    expect(await reservations(o.id)).toBe(0);
    expect((await confirm(rep, { order: o.id })).status).toBe(200);
    const again = await confirm(rep, { order: o.id });
    expect(again.status, again.text).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ field: "order", code: "not_draft" });
    expect(await reservations(o.id)).toBe(1);
  });

  it("a stale version is a 409 and changes nothing", async () => {
    const { p, w } = await stocked("5");
    const { order: o } = await repOrder(w, [[p.id, "1"]]);
    const r = await confirm(rep, { order: o.id, version: 1 });
    expect(r.status, r.text).toBe(409);
    expect((await admin.get(`/tables/orders/records/${o.id}`)).body.record.fields.status).toBe("draft");
    expect(await reservations(o.id)).toBe(0);
  });

  it("concurrent calls: 20 one-unit orders against 5 units confirm exactly 5; one order confirmed five times at once is confirmed once", async () => {
    const { p, w } = await stocked("5");
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push((await repOrder(w, [[p.id, "1"]])).order);
    const replies = await Promise.all(orders.map((o) => confirm(rep, { order: o.id })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(15);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.code).toBe("insufficient_stock");
    const l = (await level(admin, p.id, w.id))!;
    expect([l.reserved, l.available]).toEqual(["5.000", "0.000"]);

    const { p: q, w: w2 } = await stocked("3");
    const { order: one } = await repOrder(w2, [[q.id, "1"]]);
    const same = await Promise.all(Array.from({ length: 5 }, () => confirm(rep, { order: one.id })));
    expect(same.filter((r) => r.status === 200)).toHaveLength(1);
    expect(same.filter((r) => r.status === 409)).toHaveLength(4);
    expect(await reservations(one.id)).toBe(1);
    expect((await level(admin, q.id, w2.id))!.reserved).toBe("1.000");
    expect((await act(admin, "verify", {})).body.differences).toEqual([]);
  });
});
