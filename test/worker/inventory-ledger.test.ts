/** Inventory: receipts at exact quantities and moving average cost, adjustments, transfers, the append-only ledger. */
import { beforeAll, describe, expect, it } from "vitest";
import { act, installInventory, level, product, receive, warehouse, type Client } from "./inventory-fixture";

let admin: Client;
let clerk: Client;

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
}, 60_000);

describe("inventory ledger", () => {
  it("receives 0.1 + 0.2 units as exactly 0.3 and keeps the moving average cost exact", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "0.1", 1000);
    await receive(clerk, p.id, w.id, 0.2, 2500);
    const l = await level(admin, p.id, w.id);
    expect(l).toMatchObject({ on_hand: "0.300", reserved: "0.000", available: "0.300" });
    // 0.1 x 10.00 + 0.2 x 25.00 = 6.00 over 0.3 units = 20.00 each
    expect(l!.stock_value.amount).toBe(600);
    expect(l!.average_cost.amount).toBe(2000);
    const v = await act(admin, "verify", {});
    expect(v.status, v.text).toBe(200);
    expect(v.body.differences).toEqual([]);
  });

  it("adjusts with a reason, never below zero (409 insufficient_stock naming product, requested, available)", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "5");
    const noReason = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "-1" });
    expect(noReason.status).toBe(422);
    const ok = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "-1.5", reason: "count" });
    expect(ok.status, ok.text).toBe(200);
    const over = await act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: "-4", reason: "count" });
    expect(over.status, over.text).toBe(409);
    expect(over.body.code).toBe("insufficient_stock");
    expect(over.body.errors[0].params).toEqual({ product: p.id, requested: "4.000", available: "3.500" });
    expect((await level(admin, p.id, w.id))!.on_hand).toBe("3.500");
  });

  it("transfers both moves in one batch; two transfers draining one warehouse: one lands, one 409", async () => {
    const p = await product(admin, { track_stock: true });
    const [a, b, c] = [await warehouse(admin), await warehouse(admin), await warehouse(admin)];
    await receive(clerk, p.id, a.id, "10", 300);
    const [x, y] = await Promise.all([
      act(clerk, "transfer", { product: p.id, from: a.id, to: b.id, quantity: "7" }),
      act(clerk, "transfer", { product: p.id, from: a.id, to: c.id, quantity: "7" }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const lost = x.status === 409 ? x : y;
    expect(lost.body.code).toBe("insufficient_stock");
    const levels = [await level(admin, p.id, a.id), await level(admin, p.id, b.id), await level(admin, p.id, c.id)];
    expect(levels[0]!.on_hand).toBe("3.000");
    expect(
      levels
        .slice(1)
        .map((l) => l?.on_hand ?? "0.000")
        .sort(),
    ).toEqual(["0.000", "7.000"]);
    const moved = levels.slice(1).find((l) => l?.on_hand === "7.000")!;
    expect(moved.average_cost.amount).toBe(300);
    const v = await act(admin, "verify", {});
    expect(v.body.differences).toEqual([]);
  });

  it("nobody edits or deletes a move or a level, admins included (403)", async () => {
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin);
    await receive(clerk, p.id, w.id, "2");
    const moves = await admin.get(
      `/tables/stock_moves/records?filter=${encodeURIComponent(JSON.stringify({ field: "product", op: "eq", value: p.id }))}`,
    );
    expect(moves.status, moves.text).toBe(200);
    const m = moves.body.records[0];
    const edit = await admin.patch(`/tables/stock_moves/records/${m.id}`, {
      version: m.version,
      fields: { quantity: "9" },
    });
    expect(edit.status, edit.text).toBe(403);
    const del = await admin.delete(`/tables/stock_moves/records/${m.id}?version=${m.version}`);
    expect(del.status, del.text).toBe(403);
    const made = await admin.post(`/tables/stock_moves/records`, { fields: { product: p.id, quantity: "1" } });
    expect(made.status, made.text).toBe(403);
    const l = await admin.get(
      `/tables/stock_levels/records?filter=${encodeURIComponent(JSON.stringify({ field: "key", op: "eq", value: `${p.id}:${w.id}` }))}`,
    );
    const lv = l.body.records[0];
    const bump = await admin.patch(`/tables/stock_levels/records/${lv.id}`, {
      version: lv.version,
      fields: { on_hand: "100" },
    });
    expect(bump.status, bump.text).toBe(403);
  });
});
