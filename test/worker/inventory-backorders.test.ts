/**
 * Backorders (the workspace setting `allowBackorders`): confirming reserves what is there and marks the
 * rest on the line (`backordered_quantity`) instead of 409; shipping ships only what is reserved; the
 * level never goes below zero, concurrency included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  act,
  installInventory,
  level,
  order,
  product,
  receive,
  setStatus,
  warehouse,
  type Client,
} from "./inventory-fixture";
import { customer } from "./sales-fixture";

let admin: Client;
let clerk: Client;

async function backorders(on: boolean) {
  const r = await admin.request("PUT", `/admin/plugins/inventory/settings`, {
    lowStockRecipients: [],
    allowBackorders: on,
  });
  expect(r.status, r.text).toBe(200);
}

beforeAll(async () => {
  const s = await installInventory();
  admin = s.admin;
  clerk = s.clerk.client;
  await backorders(true);
}, 60_000);
afterAll(async () => backorders(false));

const line = async (id: number) => (await admin.get(`/tables/order_lines/records/${id}`)).body.record.fields;

describe("backorders", () => {
  it("refuses a backorder setting that is not a boolean (422 naming it)", async () => {
    const r = await admin.request("PUT", `/admin/plugins/inventory/settings`, { allowBackorders: "yes" });
    expect(r.status, r.text).toBe(422);
    expect(JSON.stringify(r.body.errors)).toContain("allowBackorders");
  });

  it("confirming reserves what is there and backorders the rest; shipping ships only what is reserved", async () => {
    const [p1, p2, p3] = [
      await product(admin, { track_stock: true }),
      await product(admin, { track_stock: true }),
      await product(admin, { track_stock: true }),
    ];
    const w = await warehouse(admin);
    await receive(clerk, p1.id, w.id, "3");
    await receive(clerk, p2.id, w.id, "10");
    const c = await customer(admin);
    const { order: o, lines } = await order(admin, { customer: [c.id], warehouse: [w.id] }, [
      [p1.id, "5"],
      [p2.id, "2"],
      [p3.id, "4"], // no stock at all in this warehouse
    ]);
    const r = await setStatus(admin, o.id, "confirmed");
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields.status).toBe("confirmed");
    expect((await line(lines[0]!.id)).backordered_quantity).toBe("2.000");
    expect((await line(lines[1]!.id)).backordered_quantity ?? "0.000").toBe("0.000");
    expect((await line(lines[2]!.id)).backordered_quantity).toBe("4.000");
    expect(await level(admin, p1.id, w.id)).toMatchObject({ on_hand: "3.000", reserved: "3.000", available: "0.000" });
    expect(await level(admin, p2.id, w.id)).toMatchObject({ reserved: "2.000", available: "8.000" });

    const shipped = await act(clerk, "ship", { order: o.id });
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.status).toBe("partially_shipped");
    expect(shipped.body.lines).toEqual([
      { order_line: lines[0]!.id, quantity: "3.000" },
      { order_line: lines[1]!.id, quantity: "2.000" },
    ]);
    expect(await level(admin, p1.id, w.id)).toMatchObject({ on_hand: "0.000", reserved: "0.000" });
    // Nothing reserved is left: another ship without lines has nothing to ship (422).
    const again = await act(clerk, "ship", { order: o.id });
    expect(again.status, again.text).toBe(422);
    expect((await act(admin, "verify", {})).body.differences).toEqual([]);
  });

  it("a client cannot write backordered_quantity (403)", async () => {
    const p = await product(admin, { track_stock: true });
    const c = await customer(admin);
    const { lines } = await order(admin, { customer: [c.id] }, [[p.id, "1"]]);
    const cur = (await admin.get(`/tables/order_lines/records/${lines[0]!.id}`)).body.record;
    const r = await admin.patch(`/tables/order_lines/records/${cur.id}`, {
      version: cur.version,
      fields: { backordered_quantity: "1" },
    });
    expect(r.status, r.text).toBe(403);
  });

  it("with the setting off, a short confirmation is still 409 and nothing changes", async () => {
    await backorders(false);
    try {
      const p = await product(admin, { track_stock: true });
      const w = await warehouse(admin);
      await receive(clerk, p.id, w.id, "1");
      const c = await customer(admin);
      const { order: o, lines } = await order(admin, { customer: [c.id], warehouse: [w.id] }, [[p.id, "2"]]);
      const r = await setStatus(admin, o.id, "confirmed");
      expect(r.status, r.text).toBe(409);
      expect(r.body.code).toBe("insufficient_stock");
      expect((await line(lines[0]!.id)).backordered_quantity ?? null).toBeNull();
    } finally {
      await backorders(true);
    }
  });

  it("60 concurrent confirmations of 2 units against 25: never more reserved than there is, every confirmed line whole", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "25");
    const c = await customer(admin);
    const made = await admin.post(`/tables/orders/records`, {
      records: Array.from({ length: 60 }, () => ({ fields: { customer: [c.id], warehouse: [w.id] } })),
    });
    expect(made.status, made.text).toBe(201);
    const orders = made.body.records as { id: number }[];
    const ls = await admin.post(`/tables/order_lines/records`, {
      records: orders.map((o) => ({ fields: { order: [o.id], product: [p.id], quantity: "2", position: 0 } })),
    });
    expect(ls.status, ls.text).toBe(201);
    const current = await Promise.all(orders.map((o) => admin.get(`/tables/orders/records/${o.id}`)));
    const replies = await Promise.all(
      current.map((o) =>
        admin.patch(`/tables/orders/records/${o.body.record.id}`, {
          version: o.body.record.version,
          fields: { status: "confirmed" },
        }),
      ),
    );
    // Under contention a confirmation whose reading of the level was overtaken is refused whole (409).
    for (const r of replies) expect([200, 409], r.text).toContain(r.status);
    const confirmedIds = new Set(replies.filter((r) => r.status === 200).map((r) => r.body.record.id as number));
    expect(confirmedIds.size).toBeGreaterThan(0);
    const f = encodeURIComponent(
      JSON.stringify({
        and: [
          { field: "product", op: "eq", value: p.id },
          { field: "warehouse", op: "eq", value: w.id },
        ],
      }),
    );
    const moves = (await admin.get(`/tables/stock_moves/records?filter=${f}&limit=1000`)).body.records.map(
      (m: any) => m.fields,
    );
    const held = new Map<number, number>();
    for (const m of moves.filter((m: any) => m.kind === "reservation"))
      held.set(m.order, (held.get(m.order) ?? 0) + Number(m.quantity));
    // Only confirmed orders hold stock; each confirmed line is reserved + backordered = 2.
    expect([...held.keys()].every((id) => confirmedIds.has(id))).toBe(true);
    const lineRows = (
      await admin.get(
        `/tables/order_lines/records?limit=1000&filter=${encodeURIComponent(JSON.stringify({ field: "product", op: "contains", value: p.id }))}`,
      )
    ).body.records;
    for (const l of lineRows) {
      const orderId = l.fields.order[0]?.id ?? l.fields.order[0];
      const back = Number(l.fields.backordered_quantity ?? 0);
      if (confirmedIds.has(orderId)) expect((held.get(orderId) ?? 0) + back).toBe(2);
      else expect(back).toBe(0);
    }
    const reserved = [...held.values()].reduce((a, b) => a + b, 0);
    expect(reserved).toBeLessThanOrEqual(25);
    expect(await level(admin, p.id, w.id)).toMatchObject({
      on_hand: "25.000",
      reserved: `${reserved}.000`,
      available: `${25 - reserved}.000`,
    });
    expect((await act(admin, "verify", {})).body.differences).toEqual([]);
  }, 120_000);
});
