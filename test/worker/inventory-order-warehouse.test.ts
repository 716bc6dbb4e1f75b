/**
 * A rep (or manager) picks the warehouse of their own order: linking one changes the warehouse's
 * `orders`, which their grant lets them write and nothing else of a warehouse; the other side's rules
 * still hold, so nobody moves or unlinks an order they may not change through the warehouse.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { create, installInventory, signedIn, warehouse, type Client } from "./inventory-fixture";
import { customer } from "./sales-fixture";

let admin: Client;
let rep: Client;
let other: Client;

beforeAll(async () => {
  ({ admin } = await installInventory());
  rep = (await signedIn(["sales_rep"])).client;
  other = (await signedIn(["sales_rep"])).client;
}, 60_000);

const orderOf = async (client: Client, fields: Record<string, unknown> = {}) =>
  create(client, "orders", { customer: [(await customer(client)).id], ...fields });

describe("the warehouse of a rep's order", () => {
  it("a rep creates an order from a warehouse and moves their order to another", async () => {
    const [w1, w2] = [await warehouse(admin), await warehouse(admin)];
    const o = await orderOf(rep, { warehouse: [w1.id] });
    expect(o.fields.warehouse).toEqual([w1.id]);
    const moved = await rep.patch(`/tables/orders/records/${o.id}`, {
      version: o.version,
      fields: { warehouse: [w2.id] },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.record.fields.warehouse).toEqual([w2.id]);
    const w1Now = (await admin.get(`/tables/warehouses/records/${w1.id}`)).body.record.fields.orders;
    expect(w1Now).toEqual([]);
  });

  it("nothing else of a warehouse: its name is not the rep's to change (403)", async () => {
    const w = await warehouse(admin);
    const r = await rep.patch(`/tables/warehouses/records/${w.id}`, {
      version: w.version,
      fields: { name: "Mine now" },
    });
    expect(r.status, r.text).toBe(403);
    expect((await admin.get(`/tables/warehouses/records/${w.id}`)).body.record.fields.name).toBe(w.fields.name);
  });

  it("through the warehouse a rep neither unlinks nor takes another rep's order (403), and the order keeps its warehouse", async () => {
    const w = await warehouse(admin);
    const theirs = await orderOf(other, { warehouse: [w.id] });
    const mine = await orderOf(rep);
    const cur = (await admin.get(`/tables/warehouses/records/${w.id}`)).body.record;
    const swap = await rep.patch(`/tables/warehouses/records/${w.id}`, {
      version: cur.version,
      fields: { orders: [mine.id] },
    });
    expect(swap.status, swap.text).toBe(403);
    const w2 = await warehouse(admin);
    const take = await rep.patch(`/tables/warehouses/records/${w2.id}`, {
      version: w2.version,
      fields: { orders: [theirs.id] },
    });
    expect([403, 422], take.text).toContain(take.status);
    expect((await admin.get(`/tables/orders/records/${theirs.id}`)).body.record.fields.warehouse).toEqual([w.id]);
    expect((await admin.get(`/tables/orders/records/${mine.id}`)).body.record.fields.warehouse).toEqual([]);
  });

  it("another rep's order cannot be given a warehouse by this rep (404: not theirs to see)", async () => {
    const w = await warehouse(admin);
    const theirs = await orderOf(other);
    const r = await rep.patch(`/tables/orders/records/${theirs.id}`, {
      version: theirs.version,
      fields: { warehouse: [w.id] },
    });
    expect(r.status, r.text).toBe(404);
  });
});
