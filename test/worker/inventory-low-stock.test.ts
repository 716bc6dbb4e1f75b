/** Low stock: flagged and notified once per crossing below the reorder point; the Low stock view lists it. */
import { beforeAll, describe, expect, it } from "vitest";
import { act, installInventory, level, product, receive, signedIn, warehouse, type Client } from "./inventory-fixture";

let admin: Client;
let clerk: Client;

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
}, 60_000);

async function lowNotices(client: Client) {
  const r = await client.get("/notifications?limit=100");
  expect(r.status, r.text).toBe(200);
  return (r.body.notifications as any[]).filter((n) => n.kind === "low_stock");
}

describe("low stock", () => {
  it("notifies the warehouse manager and picked users once per crossing, clears when restocked", async () => {
    const manager = await signedIn(["warehouse"]);
    const buyer = await signedIn(["sales_manager"]);
    const put = await admin.request("PUT", "/admin/plugins/inventory/settings", { lowStockRecipients: [buyer.id] });
    expect(put.status, put.text).toBe(200);
    const p = await product(admin, { track_stock: true });
    const w = await warehouse(admin, { manager: manager.id });
    await receive(clerk, p.id, w.id, "10");
    const f = encodeURIComponent(JSON.stringify({ field: "key", op: "eq", value: `${p.id}:${w.id}` }));
    const lv = (await clerk.get(`/tables/stock_levels/records?filter=${f}`)).body.records[0];
    const set = await clerk.patch(`/tables/stock_levels/records/${lv.id}`, {
      version: lv.version,
      fields: { reorder_point: "5", reorder_quantity: "20" },
    });
    expect(set.status, set.text).toBe(200);
    const notMine = await clerk.patch(`/tables/stock_levels/records/${lv.id}`, {
      version: set.body.record.version,
      fields: { available: "50" },
    });
    expect(notMine.status).toBe(403);
    const drop = (q: string) => act(clerk, "adjust", { product: p.id, warehouse: w.id, quantity: q, reason: "count" });
    expect((await drop("-6")).status).toBe(200); // 4 < 5: crossing
    expect((await drop("-1")).status).toBe(200); // 3: still below, no second notice
    expect(await lowNotices(manager.client)).toHaveLength(1);
    expect(await lowNotices(buyer.client)).toHaveLength(1);
    expect((await level(admin, p.id, w.id))!.low_stock).toBe(true);
    const view = await admin.get("/meta/views");
    const lowView = (view.body.views as any[]).find((v) => v.name === "low_stock" || v.label === "Low stock");
    expect(lowView).toBeDefined();
    await receive(clerk, p.id, w.id, "10"); // 13: back above
    expect((await level(admin, p.id, w.id))!.low_stock).toBe(false);
    expect((await drop("-10")).status).toBe(200); // 3 again: a second crossing
    expect(await lowNotices(manager.client)).toHaveLength(2);
    const notice = (await lowNotices(manager.client))[0];
    expect(notice.body.en).toContain("suggested reorder 20.000");
  });
});
