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
  signedIn,
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
  ({ admin, clerk } = await installInventory());
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

/** What each line of the order holds reserved, from the ledger (reservations - releases - shipments). */
async function heldByLine(orderId: number) {
  const f = encodeURIComponent(JSON.stringify({ field: "order", op: "eq", value: orderId }));
  const r = await admin.get(`/tables/stock_moves/records?filter=${f}&limit=1000`);
  expect(r.status, r.text).toBe(200);
  const held = new Map<number, number>();
  for (const { fields: m } of r.body.records)
    if (["reservation", "release", "shipment"].includes(m.kind))
      held.set(m.order_line, (held.get(m.order_line) ?? 0) + Number(m.quantity));
  return held;
}

/** A confirmed order of one line (quantity `q` of `p` from `w`), everything the warehouse lacks backordered. */
async function confirmedOrder(p: { id: number }, w: { id: number }, q: string, fields: Record<string, unknown> = {}) {
  const c = await customer(admin);
  const made = await order(admin, { customer: [c.id], warehouse: [w.id], ...fields }, [[p.id, q]]);
  const r = await setStatus(admin, made.order.id, "confirmed");
  expect(r.status, r.text).toBe(200);
  return { id: made.order.id as number, line: made.lines[0]!.id };
}

const verifyClean = async () => expect((await act(admin, "verify", {})).body.differences).toEqual([]);

describe("backorders filled when stock arrives", () => {
  it("a receipt reserves for backordered lines in its warehouse, oldest order date first, up to what arrived", async () => {
    const p = await product(admin, { track_stock: true });
    const [w, elsewhere] = [await warehouse(admin), await warehouse(admin)];
    // Made first but dated later: the order date decides, not the record's age.
    const later = await confirmedOrder(p, w, "4", { order_date: "2026-03-02" });
    const older = await confirmedOrder(p, w, "3", { order_date: "2026-03-01" });
    const otherWarehouse = await confirmedOrder(p, elsewhere, "2", { order_date: "2026-01-01" });
    const c = await customer(admin);
    const draft = await order(admin, { customer: [c.id], warehouse: [w.id] }, [[p.id, "2"]]);
    expect((await line(older.line)).backordered_quantity).toBe("3.000");

    await receive(clerk, p.id, w.id, "5");
    expect((await line(older.line)).backordered_quantity).toBe("0.000");
    expect((await heldByLine(older.id)).get(older.line)).toBe(3);
    expect((await line(later.line)).backordered_quantity).toBe("2.000");
    expect((await heldByLine(later.id)).get(later.line)).toBe(2);
    expect((await line(otherWarehouse.line)).backordered_quantity).toBe("2.000");
    expect(await heldByLine(draft.order.id)).toEqual(new Map());
    expect(await level(admin, p.id, w.id)).toMatchObject({ on_hand: "5.000", reserved: "5.000", available: "0.000" });

    // The filled order ships whole; the partly filled one ships what it now holds.
    const shipped = await act(clerk, "ship", { order: older.id });
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.status).toBe("shipped");
    const part = await act(clerk, "ship", { order: later.id });
    expect(part.body).toMatchObject({ status: "partially_shipped", lines: [{ quantity: "2.000" }] });
    // More arrives: the rest of the partly shipped order is reserved, and the surplus stays available.
    await receive(clerk, p.id, w.id, "10");
    expect((await line(later.line)).backordered_quantity).toBe("0.000");
    expect(await level(admin, p.id, w.id)).toMatchObject({ on_hand: "10.000", reserved: "2.000", available: "8.000" });
    expect((await act(clerk, "ship", { order: later.id })).body.status).toBe("shipped");
    await verifyClean();
  });

  it("a partial fill leaves the rest backordered; transfers in and positive adjustments fill, taking stock out does not", async () => {
    const p = await product(admin, { track_stock: true });
    const [w, source] = [await warehouse(admin), await warehouse(admin)];
    const o = await confirmedOrder(p, w, "6");
    await receive(clerk, p.id, w.id, "1");
    expect((await line(o.line)).backordered_quantity).toBe("5.000");
    expect((await heldByLine(o.id)).get(o.line)).toBe(1);

    await receive(clerk, p.id, source.id, "3");
    const t = await act(clerk, "transfer", { product: p.id, from: source.id, to: w.id, quantity: "2" });
    expect(t.status, t.text).toBe(200);
    expect((await line(o.line)).backordered_quantity).toBe("3.000");
    expect(await level(admin, p.id, source.id)).toMatchObject({ on_hand: "1.000", reserved: "0.000" });

    const up = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "4.5", reason: "count" });
    expect(up.status, up.text).toBe(200);
    expect((await line(o.line)).backordered_quantity).toBe("0.000");
    expect((await heldByLine(o.id)).get(o.line)).toBe(6);
    expect(await level(admin, p.id, w.id)).toMatchObject({ on_hand: "7.500", reserved: "6.000", available: "1.500" });
    const down = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "-1.5", reason: "broken" });
    expect(down.status, down.text).toBe(200);
    expect((await heldByLine(o.id)).get(o.line)).toBe(6);
    await verifyClean();
  });

  it("two orders with lines of two products: each product's arrival fills its own lines", async () => {
    const [p1, p2] = [await product(admin, { track_stock: true }), await product(admin, { track_stock: true })];
    const w = await warehouse(admin);
    const c = await customer(admin);
    const a = await order(admin, { customer: [c.id], warehouse: [w.id], order_date: "2026-02-01" }, [
      [p1.id, "2"],
      [p2.id, "2"],
    ]);
    const b = await order(admin, { customer: [c.id], warehouse: [w.id], order_date: "2026-02-02" }, [
      [p1.id, "2"],
      [p2.id, "2"],
    ]);
    for (const x of [a, b]) expect((await setStatus(admin, x.order.id, "confirmed")).status).toBe(200);
    await receive(clerk, p2.id, w.id, "3");
    expect((await line(a.lines[0]!.id)).backordered_quantity).toBe("2.000");
    expect((await line(a.lines[1]!.id)).backordered_quantity).toBe("0.000");
    expect((await line(b.lines[0]!.id)).backordered_quantity).toBe("2.000");
    expect((await line(b.lines[1]!.id)).backordered_quantity).toBe("1.000");
    expect(await level(admin, p1.id, w.id)).toBeNull();
    expect((await level(admin, p2.id, w.id))!.reserved).toBe("3.000");
    await verifyClean();
  });

  it("receipts racing confirmations and each other: never more reserved than on hand, no line filled twice, verify clean", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    const waiting = [await confirmedOrder(p, w, "4"), await confirmedOrder(p, w, "4")];
    const c = await customer(admin);
    const fresh = await Promise.all(
      Array.from({ length: 6 }, () => order(admin, { customer: [c.id], warehouse: [w.id] }, [[p.id, "2"]])),
    );
    const versions = await Promise.all(fresh.map((f) => admin.get(`/tables/orders/records/${f.order.id}`)));
    const replies = await Promise.all([
      ...Array.from({ length: 4 }, () => act(clerk, "receive", { product: p.id, warehouse: w.id, quantity: "3" })),
      ...versions.map((v) =>
        admin.patch(`/tables/orders/records/${v.body.record.id}`, {
          version: v.body.record.version,
          fields: { status: "confirmed" },
        }),
      ),
    ]);
    for (const r of replies) expect([200, 409], r.text).toContain(r.status);
    const received = replies.slice(0, 4).filter((r) => r.status === 200).length;
    expect(received).toBeGreaterThan(0);
    const l = (await level(admin, p.id, w.id))!;
    expect(Number(l.on_hand)).toBe(3 * received);
    expect(Number(l.reserved)).toBeLessThanOrEqual(Number(l.on_hand));
    // Every confirmed line: what it holds + what it still waits for = its quantity.
    const confirmedIds = replies
      .slice(4)
      .filter((r) => r.status === 200)
      .map((r) => r.body.record.id as number);
    const all = [
      ...waiting.map((o) => ({ ...o, q: 4 })),
      ...fresh
        .filter((f) => confirmedIds.includes(f.order.id))
        .map((f) => ({ id: f.order.id, line: f.lines[0]!.id, q: 2 })),
    ];
    let held = 0;
    for (const o of all) {
      const h = (await heldByLine(o.id)).get(o.line) ?? 0;
      held += h;
      expect(h + Number((await line(o.line)).backordered_quantity ?? 0), `order ${o.id}`).toBe(o.q);
    }
    expect(Number(l.reserved)).toBe(held);
    await verifyClean();
  }, 120_000);

  it("cancelling an order with backorders releases what it holds and clears its backordered marks", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "1");
    const o = await confirmedOrder(p, w, "3");
    expect((await line(o.line)).backordered_quantity).toBe("2.000");
    const r = await setStatus(admin, o.id, "cancelled");
    expect(r.status, r.text).toBe(200);
    expect((await line(o.line)).backordered_quantity).toBe("0.000");
    expect(await level(admin, p.id, w.id)).toMatchObject({ reserved: "0.000", available: "1.000" });
    // Stock arriving later is not reserved for the cancelled order.
    await receive(clerk, p.id, w.id, "5");
    expect(await level(admin, p.id, w.id)).toMatchObject({ reserved: "0.000", available: "6.000" });
    await verifyClean();
  });
  it("a receipt racing the cancel of a backordered order: the cancelled order ends holding nothing, verify clean", async () => {
    for (let round = 0; round < 8; round++) {
      const p = await product(admin, { track_stock: true });
      const w = await warehouse(admin);
      const o = await confirmedOrder(p, w, "3");
      const cur = (await admin.get(`/tables/orders/records/${o.id}`)).body.record;
      // The cancel starts a little later each round, so it lands at different points of the receipt's reads.
      const [received, cancelled] = await Promise.all([
        act(clerk, "receive", { product: p.id, warehouse: w.id, quantity: "2" }),
        new Promise((r) => setTimeout(r, round * 4)).then(() =>
          admin.patch(`/tables/orders/records/${o.id}`, { version: cur.version, fields: { status: "cancelled" } }),
        ),
      ]);
      expect(received.status, received.text).toBe(200);
      expect([200, 409], cancelled.text).toContain(cancelled.status);
      const status = (await admin.get(`/tables/orders/records/${o.id}`)).body.record.fields.status;
      const held = (await heldByLine(o.id)).get(o.line) ?? 0;
      if (status === "cancelled") {
        expect(held).toBe(0);
        expect(await level(admin, p.id, w.id)).toMatchObject({ reserved: "0.000", available: "2.000" });
      } else expect(held + Number((await line(o.line)).backordered_quantity)).toBe(3);
    }
    await verifyClean();
  }, 60_000);
});

describe("inventory/reserve-backorders", () => {
  /** An order with 3 units backordered while 2 sit available in its warehouse (released by a cancel). */
  async function waitingWithStock(owner?: { client: Client; id: string }) {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "2");
    const holder = await confirmedOrder(p, w, "2");
    const c = await customer(admin);
    const made = await order(admin, { customer: [c.id], warehouse: [w.id], ...(owner ? { owner: owner.id } : {}) }, [
      [p.id, "3"],
    ]);
    const confirmed = await setStatus(owner?.client ?? admin, made.order.id, "confirmed");
    expect(confirmed.status, confirmed.text).toBe(200);
    expect((await line(made.lines[0]!.id)).backordered_quantity).toBe("3.000");
    expect((await setStatus(admin, holder.id, "cancelled")).status).toBe(200);
    expect(await level(admin, p.id, w.id)).toMatchObject({ reserved: "0.000", available: "2.000" });
    return { p, w, id: made.order.id as number, line: made.lines[0]!.id as number };
  }

  it("reserves what is available now for the order's backordered lines (the warehouse role, admins)", async () => {
    const o = await waitingWithStock();
    const r = await act(clerk, "reserve-backorders", { order: o.id });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ order: o.id, lines: [{ order_line: o.line, reserved: "2.000", backordered: "1.000" }] });
    expect((await line(o.line)).backordered_quantity).toBe("1.000");
    expect(await level(admin, o.p.id, o.w.id)).toMatchObject({ reserved: "2.000", available: "0.000" });
    // Nothing more is there: a second call reserves nothing and changes nothing.
    const again = await act(admin, "reserve-backorders", { order: o.id });
    expect(again.status, again.text).toBe(200);
    expect(again.body.lines).toEqual([]);
    await verifyClean();
  });

  it("the order's owner rep may call it; another rep may not (404: they cannot read the order); a viewer may not (403)", async () => {
    const rep = await signedIn(["sales_rep"]);
    const o = await waitingWithStock(rep);
    const stranger = await signedIn(["sales_rep"]);
    const refused = await act(stranger.client, "reserve-backorders", { order: o.id });
    expect(refused.status, refused.text).toBe(404);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    const viewer = await signedIn(["viewer"]);
    const looker = await act(viewer.client, "reserve-backorders", { order: o.id });
    expect(looker.status, looker.text).toBe(403);
    expect((await line(o.line)).backordered_quantity).toBe("3.000");
    const own = await act(rep.client, "reserve-backorders", { order: o.id });
    expect(own.status, own.text).toBe(200);
    expect((await line(o.line)).backordered_quantity).toBe("1.000");
    await verifyClean();
  });

  it("refuses wrong types, unknown fields, a missing or unknown order, an unconfirmed order, oversize bodies and injection-shaped values", async () => {
    const o = await waitingWithStock();
    const bad: [unknown, string][] = [
      [{}, "order"],
      [{ order: String(o.id) }, "order"],
      [{ order: -1 }, "order"],
      [{ order: 1.5 }, "order"],
      [{ order: null }, "order"],
      [{ order: [o.id] }, "order"],
      [{ order: `${o.id} OR 1=1` }, "order"],
      [{ order: o.id, lines: [] }, "lines"],
      [{ order: o.id, "'; DROP TABLE sg_users; --": 1 }, "DROP"],
    ];
    for (const [body, named] of bad) {
      const r = await act(clerk, "reserve-backorders", body);
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(422);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.stringify(r.body.errors ?? r.body), JSON.stringify(body)).toContain(named);
    }
    expect((await act(clerk, "reserve-backorders", { order: 987654321 })).status).toBe(404);
    const c = await customer(admin);
    const draft = await order(admin, { customer: [c.id], warehouse: [o.w.id] }, [[o.p.id, "1"]]);
    const notYet = await act(clerk, "reserve-backorders", { order: draft.order.id });
    expect(notYet.status, notYet.text).toBe(422);
    expect(notYet.body.errors[0]).toMatchObject({ field: "order", code: "not_confirmed" });
    const huge = await clerk.post(
      "/actions/inventory/reserve-backorders",
      `{"order":${o.id},"x":"${"x".repeat(6 * 1024 * 1024)}"}`,
    );
    expect(huge.status).toBe(413);
    expect((await line(o.line)).backordered_quantity).toBe("3.000");
    expect((await admin.get("/auth/me")).status).toBe(200);
  });

  it("concurrent calls for one order reserve it once: what was available, never more", async () => {
    const o = await waitingWithStock();
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => act(i % 2 ? clerk : admin, "reserve-backorders", { order: o.id })),
    );
    for (const r of replies) expect([200, 409], r.text).toContain(r.status);
    const reserved = replies
      .filter((r) => r.status === 200)
      .flatMap((r) => r.body.lines as { reserved: string }[])
      .reduce((s, l) => s + Number(l.reserved), 0);
    expect(reserved).toBe(2);
    expect((await heldByLine(o.id)).get(o.line)).toBe(2);
    expect((await line(o.line)).backordered_quantity).toBe("1.000");
    expect(await level(admin, o.p.id, o.w.id)).toMatchObject({
      on_hand: "2.000",
      reserved: "2.000",
      available: "0.000",
    });
    await verifyClean();
  });
});
