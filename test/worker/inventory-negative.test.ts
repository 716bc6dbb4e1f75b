/**
 * Negative stock per warehouse (`allow_negative_stock`): on_hand may go below zero only in such a
 * warehouse, by a conditional CHECK on the level row (its `allow_negative`, kept in step with the
 * warehouse in the same batch); a reservation still never takes `available` below zero.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "./helpers";
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

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
}, 60_000);

async function setNegative(id: number, on: boolean) {
  const cur = (await admin.get(`/tables/warehouses/records/${id}`)).body.record;
  return admin.patch(`/tables/warehouses/records/${id}`, {
    version: cur.version,
    fields: { allow_negative_stock: on },
  });
}

const adjust = (product: number, w: number, quantity: string) =>
  act(clerk, "adjust", { product, warehouse: w, quantity, reason: "count" });

describe("negative stock per warehouse", () => {
  it("goes below zero only where the warehouse allows it; a reservation never takes available below zero", async () => {
    const p = await product(admin, { track_stock: true });
    const strict = await warehouse(admin);
    const loose = await warehouse(admin, { allow_negative_stock: true });
    const refused = await adjust(p.id, strict.id, "-5");
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe("insufficient_stock");

    const r = await adjust(p.id, loose.id, "-5");
    expect(r.status, r.text).toBe(200);
    expect(await level(admin, p.id, loose.id)).toMatchObject({
      on_hand: "-5.000",
      reserved: "0.000",
      available: "-5.000",
      allow_negative: true,
    });
    const c = await customer(admin);
    const { order: o } = await order(admin, { customer: [c.id], warehouse: [loose.id] }, [[p.id, "1"]]);
    const short = await setStatus(admin, o.id, "confirmed");
    expect(short.status, short.text).toBe(409);
    expect(short.body.code).toBe("insufficient_stock");
    await receive(clerk, p.id, loose.id, "8");
    const ok = await setStatus(admin, o.id, "confirmed");
    expect(ok.status, ok.text).toBe(200);
    expect(await level(admin, p.id, loose.id)).toMatchObject({
      on_hand: "3.000",
      reserved: "1.000",
      available: "2.000",
    });
    // A transfer out may take it below zero there too (both moves in one batch).
    const t = await act(clerk, "transfer", { product: p.id, from: loose.id, to: strict.id, quantity: "4" });
    expect(t.status, t.text).toBe(200);
    expect(await level(admin, p.id, loose.id)).toMatchObject({
      on_hand: "-1.000",
      reserved: "1.000",
      available: "-2.000",
    });
    expect((await act(admin, "verify", {})).body.differences).toEqual([]);
  });

  it("keeps the levels' flag in step with the warehouse; turning it off while below zero is refused (409)", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "2");
    expect((await level(admin, p.id, w.id))!.allow_negative).toBeFalsy();
    const on = await setNegative(w.id, true);
    expect(on.status, on.text).toBe(200);
    expect((await level(admin, p.id, w.id))!.allow_negative).toBe(true);
    expect((await adjust(p.id, w.id, "-3")).status).toBe(200);
    const off = await setNegative(w.id, false);
    expect(off.status, off.text).toBe(409);
    expect(off.body.errors[0]).toMatchObject({ field: "fields/allow_negative_stock", code: "negative_stock" });
    const still = (await admin.get(`/tables/warehouses/records/${w.id}`)).body.record.fields;
    expect(still.allow_negative_stock).toBe(true);
    expect((await level(admin, p.id, w.id))!.allow_negative).toBe(true);
    expect((await adjust(p.id, w.id, "1")).status).toBe(200);
    expect((await setNegative(w.id, false)).status).toBe(200);
    expect((await level(admin, p.id, w.id))!.allow_negative).toBe(false);
    const again = await adjust(p.id, w.id, "-0.001");
    expect(again.status, again.text).toBe(409);
  });

  it("the level's CHECK is in the database: SQL that skips the plugin cannot store a negative on_hand in a strict level", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "1");
    const meta = (await admin.get(`/meta/tables/stock_levels`)).body;
    const t = meta.table ?? meta;
    const col = (name: string) => `c_${String(t.fields.find((f: any) => f.name === name).id).replace(/^fld_/, "")}`;
    const phys = `t_${String(t.id).replace(/^tbl_/, "")}`;
    const key = `${p.id}:${w.id}`;
    await expect(
      testEnv.DB.prepare(`UPDATE "${phys}" SET "${col("on_hand")}" = -1000 WHERE "${col("key")}" = ?`)
        .bind(key)
        .run(),
    ).rejects.toThrow(/CHECK constraint failed: m_/);
    // Allowed: on_hand below zero; but a reservation-flagged row with available below zero is not.
    await testEnv.DB.prepare(
      `UPDATE "${phys}" SET "${col("allow_negative")}" = 1, "${col("on_hand")}" = -1000, "${col("available")}" = -1000 WHERE "${col("key")}" = ?`,
    )
      .bind(key)
      .run();
    await expect(
      testEnv.DB.prepare(`UPDATE "${phys}" SET "${col("reserving")}" = 1 WHERE "${col("key")}" = ?`)
        .bind(key)
        .run(),
    ).rejects.toThrow(/CHECK constraint failed: m_/);
    await testEnv.DB.prepare(
      `UPDATE "${phys}" SET "${col("allow_negative")}" = 1, "${col("on_hand")}" = 1000, "${col("available")}" = 1000 WHERE "${col("key")}" = ?`,
    )
      .bind(key)
      .run();
  });

  it("30 concurrent one-unit confirmations against 10 units in a negative-stock warehouse: exactly 10 confirmed", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin, { allow_negative_stock: true });
    await receive(clerk, p.id, w.id, "10");
    const c = await customer(admin);
    const made = await admin.post(`/tables/orders/records`, {
      records: Array.from({ length: 30 }, () => ({ fields: { customer: [c.id], warehouse: [w.id] } })),
    });
    expect(made.status, made.text).toBe(201);
    const orders = made.body.records as { id: number; version: number }[];
    const ls = await admin.post(`/tables/order_lines/records`, {
      records: orders.map((o) => ({ fields: { order: [o.id], product: [p.id], quantity: "1", position: 0 } })),
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
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(20);
    expect(await level(admin, p.id, w.id)).toMatchObject({ on_hand: "10.000", reserved: "10.000", available: "0.000" });
    expect((await act(admin, "verify", {})).body.differences).toEqual([]);
  }, 120_000);
});

describe("a decimal min with minUnless (the platform's conditional CHECK)", () => {
  let table: string;
  beforeAll(async () => {
    table = `neg_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const r = await admin.post("/meta/tables", {
      name: table,
      fields: [
        { name: "loose", type: "checkbox" },
        { name: "qty", type: "decimal", options: { scale: 2, min: 0, minUnless: { loose: true } } },
      ],
    });
    expect(r.status, r.text).toBe(201);
  });

  it("holds min unless the named checkbox of the same row says otherwise", async () => {
    const meta = (await admin.get(`/meta/tables/${table}`)).body;
    const t = meta.table ?? meta;
    const f = (n: string) => t.fields.find((x: any) => x.name === n);
    expect(f("qty").options.minUnless).toEqual({ [f("loose").id]: true });
    const phys = `t_${String(t.id).replace(/^tbl_/, "")}`;
    const col = (n: string) => `c_${String(f(n).id).replace(/^fld_/, "")}`;
    const a = await admin.post(`/tables/${table}/records`, { fields: { qty: "1", loose: false } });
    const b = await admin.post(`/tables/${table}/records`, { fields: { qty: "1", loose: true } });
    expect([a.status, b.status]).toEqual([201, 201]);
    const set = (id: number) =>
      testEnv.DB.prepare(`UPDATE "${phys}" SET "${col("qty")}" = -100 WHERE id = ?`)
        .bind(id)
        .run();
    await expect(set(a.body.record.id)).rejects.toThrow(/CHECK constraint failed: m_/);
    await set(b.body.record.id);
  });

  it("refuses a minUnless naming an unknown field, a field that is not a checkbox, or without min (422)", async () => {
    const bad = async (options: Record<string, unknown>, extra: object[] = []) =>
      admin.post("/meta/tables", {
        name: `neg_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`,
        fields: [
          { name: "label", type: "text" },
          ...extra,
          { name: "qty", type: "decimal", options: { scale: 2, ...options } },
        ],
      });
    for (const [options, code] of [
      [{ min: 0, minUnless: { nope: true } }, "unknown_field"],
      [{ min: 0, minUnless: { label: true } }, "type"],
      [{ minUnless: { label: true } }, "required"],
      [{ min: 0, minUnless: { label: "yes" } }, null],
    ] as const) {
      const r = await bad(options);
      expect(r.status, r.text).toBe(422);
      if (code) expect(r.body.errors.map((e: any) => e.code)).toContain(code);
      expect(JSON.stringify(r.body.errors)).toContain("minUnless");
    }
  });
});
