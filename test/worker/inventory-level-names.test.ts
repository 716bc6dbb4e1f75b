/**
 * A stock level is called by its product's SKU and its warehouse's code wherever it is linked (the
 * product's and the warehouse's stock_levels), never by the ids in its key; renaming the SKU or the
 * code renames the levels in the same write, and nobody else writes the name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { act, installInventory, product, receive, uniq, warehouse, type Client } from "./inventory-fixture";

let admin: Client;
let clerk: Client;

beforeAll(async () => {
  ({ admin, clerk } = await installInventory());
}, 60_000);

async function levelNamesOf(table: "products" | "warehouses", id: number) {
  const r = await admin.get(`/tables/${table}/records/${id}?expand=stock_levels`);
  expect(r.status, r.text).toBe(200);
  return (r.body.record.fields.stock_levels as { id: number; primary?: string }[]).map((l) => l.primary).sort();
}

const sku = () => uniq("SKU").replace(/\s/g, "-");
const code = () => uniq("W").replace(/\s/g, "-");

describe("stock level names", () => {
  it("a level is named SKU · code on the product and the warehouse, and a transfer's new level too", async () => {
    const p = await product(admin, { track_stock: true, sku: sku() });
    const [w1, w2] = [await warehouse(admin, { code: code() }), await warehouse(admin, { code: code() })];
    await receive(clerk, p.id, w1.id, "5");
    const moved = await act(clerk, "transfer", { product: p.id, from: w1.id, to: w2.id, quantity: "2" });
    expect(moved.status, moved.text).toBe(200);
    const names = await levelNamesOf("products", p.id);
    expect(names).toEqual([`${p.fields.sku} · ${w1.fields.code}`, `${p.fields.sku} · ${w2.fields.code}`].sort());
    expect(await levelNamesOf("warehouses", w2.id)).toEqual([`${p.fields.sku} · ${w2.fields.code}`]);
    expect(names.join()).not.toContain(`${p.id}:`);
  });

  it("a new SKU or warehouse code renames the levels in the same write", async () => {
    const p = await product(admin, { track_stock: true, sku: sku() });
    const other = await product(admin, { track_stock: true, sku: sku() });
    const w = await warehouse(admin, { code: code() });
    await receive(clerk, p.id, w.id, "1");
    await receive(clerk, other.id, w.id, "1");

    const newSku = sku();
    const r1 = await admin.patch(`/tables/products/records/${p.id}`, { version: p.version, fields: { sku: newSku } });
    expect(r1.status, r1.text).toBe(200);
    expect(await levelNamesOf("products", p.id)).toEqual([`${newSku} · ${w.fields.code}`]);
    // The other product's level keeps its name.
    expect(await levelNamesOf("products", other.id)).toEqual([`${other.fields.sku} · ${w.fields.code}`]);

    const newCode = code();
    const r2 = await admin.patch(`/tables/warehouses/records/${w.id}`, {
      version: w.version,
      fields: { code: newCode },
    });
    expect(r2.status, r2.text).toBe(200);
    expect(await levelNamesOf("warehouses", w.id)).toEqual(
      [`${newSku} · ${newCode}`, `${other.fields.sku} · ${newCode}`].sort(),
    );
  });

  it("a SKU change refused by its own checks renames nothing", async () => {
    const p = await product(admin, { track_stock: true, sku: sku() });
    const taken = await product(admin, { sku: sku() });
    const w = await warehouse(admin, { code: code() });
    await receive(clerk, p.id, w.id, "1");
    const r = await admin.patch(`/tables/products/records/${p.id}`, {
      version: p.version,
      fields: { sku: String(taken.fields.sku).toLowerCase() },
    });
    expect(r.status, r.text).toBe(409);
    expect(await levelNamesOf("products", p.id)).toEqual([`${p.fields.sku} · ${w.fields.code}`]);
  });

  it("nobody writes a level's name through the API, admins included", async () => {
    const p = await product(admin, { track_stock: true, sku: sku() });
    const w = await warehouse(admin, { code: code() });
    await receive(clerk, p.id, w.id, "1");
    const [l] = (await admin.get(`/tables/products/records/${p.id}?expand=stock_levels`)).body.record.fields
      .stock_levels as { id: number }[];
    const cur = (await admin.get(`/tables/stock_levels/records/${l!.id}`)).body.record;
    const r = await admin.patch(`/tables/stock_levels/records/${l!.id}`, {
      version: cur.version,
      fields: { name: "'; DROP TABLE sg_users; --" },
    });
    expect(r.status, r.text).toBe(403);
    expect((await admin.get(`/tables/stock_levels/records/${l!.id}`)).body.record.fields.name).toBe(
      `${p.fields.sku} · ${w.fields.code}`,
    );
  });
});
