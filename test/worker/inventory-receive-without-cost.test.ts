/**
 * A receipt from a role that may not see costs (the warehouse clerk's receive form has no cost field)
 * leaves unit_cost out: it is booked at the level's current average cost, so the average is unchanged.
 */
import { beforeAll, expect, it } from "vitest";
import { act, installInventory, level, product, receive, warehouse, type Client } from "./inventory-fixture";

let admin: Client;
let clerk: Client;

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
}, 60_000);

it("books a receipt without unit_cost at the current average cost; the average stays", async () => {
  const p = await product(admin, { track_stock: true });
  const w = await warehouse(admin);
  await receive(admin, p.id, w.id, "10", 500);
  const r = await act(clerk, "receive", { product: p.id, warehouse: w.id, quantity: "5", reference: "PO-7" });
  expect(r.status, r.text).toBe(200);
  const l = (await level(admin, p.id, w.id))!;
  expect(l.on_hand).toBe("15.000");
  expect(l.average_cost.amount).toBe(500);
  expect(l.stock_value.amount).toBe(7500);
});

it("still refuses a unit cost in another currency when one is sent", async () => {
  const p = await product(admin, { track_stock: true });
  const w = await warehouse(admin);
  const r = await act(clerk, "receive", {
    product: p.id,
    warehouse: w.id,
    quantity: "1",
    unit_cost: { amount: 1, currency: "ZZZ" },
  });
  expect(r.status, r.text).toBe(422);
  expect(JSON.stringify(r.body.errors)).toContain("unit_cost/currency");
});
