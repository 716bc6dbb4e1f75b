import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../main";
import { DEMO_USERS } from "../../worker/demo/users";
import { api, login } from "./helpers";

async function seed(devSeed: string, body = "{}") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://x/api/dev/seed", { method: "POST", headers: { "content-type": "application/json" }, body }),
    { ...env, DEV_SEED: devSeed } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

const demo = (role: string, n = 0) => DEMO_USERS.filter((u) => u.role === role)[n]!;

describe("demo workspace seeding", () => {
  it("does not exist unless DEV_SEED is 1", async () => {
    expect((await seed("")).status).toBe(404);
    expect((await seed("0")).status).toBe(404);
  });

  it("creates the users, tables and grants once, and a second call creates nothing", async () => {
    const first = await seed("1");
    expect(first.status).toBe(200);
    expect(first.body.seeded).toBe(true);
    expect(first.body.users.map((u: any) => u.email)).toEqual(DEMO_USERS.map((u) => u.email));
    const tables = await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE deleted_at IS NULL").first<{
      n: number;
    }>();
    const again = await seed("1");
    expect(again.body.seeded).toBe(false);
    expect(
      await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE deleted_at IS NULL").first<{ n: number }>(),
    ).toEqual(tables);

    // Each demo role sees its role's rows: a rep their own deals, the manager the team's, warehouse no deals.
    const admin = api(await login(demo("admin").email, demo("admin").password));
    const ids = Object.fromEntries(first.body.users.map((u: any) => [u.email, u.id]));
    const rep1 = ids[demo("sales_rep", 0).email];
    const rep2 = ids[demo("sales_rep", 1).email];
    const outsider = ids[demo("admin").email];
    const made = await admin.post("/tables/deals/records", {
      records: [rep1, rep1, rep2, outsider].map((owner, i) => ({
        fields: { name: `Deal ${i}`, stage: "quote", owner },
      })),
    });
    expect(made.status, made.text).toBe(201);
    const dealIds = made.body.records.map((r: any) => r.id);
    const seen = async (u: (typeof DEMO_USERS)[number]) => {
      const r = await api(await login(u.email, u.password)).get("/tables/deals/records?limit=1000");
      return r.status === 200
        ? r.body.records.map((x: any) => x.id).filter((id: number) => dealIds.includes(id))
        : r.status;
    };
    expect(await seen(demo("sales_rep", 0))).toEqual(dealIds.slice(0, 2));
    expect(await seen(demo("sales_rep", 1))).toEqual([dealIds[2]]);
    expect(await seen(demo("sales_manager"))).toEqual(dealIds.slice(0, 3));
    expect(await seen(demo("warehouse"))).toBe(403);
  });

  it("seeds the product catalog and price lists once, the same every time", async () => {
    await seed("1");
    const admin = api(await login(demo("admin").email, demo("admin").password));
    const all = async (table: string) => {
      const out: any[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const r = await admin.get(`/tables/${table}/records?limit=1000${q}`);
        expect(r.status, r.text).toBe(200);
        out.push(...r.body.records);
        cursor = r.body.nextCursor;
      } while (cursor);
      return out;
    };
    const products = await all("products");
    expect(products.length).toBeGreaterThanOrEqual(200);
    expect(products.length).toBeLessThanOrEqual(500);
    expect(new Set(products.map((p) => p.fields.category)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(products.map((p) => p.fields.unit)).size).toBeGreaterThanOrEqual(5);
    expect(products.some((p) => /[\u4e00-\u9fff]/.test(p.fields.name))).toBe(true);
    expect(products.some((p) => /^[A-Za-z]/.test(p.fields.name))).toBe(true);
    expect(products.every((p) => p.fields.unit_price?.amount > 0 && p.fields.tax_rate >= 0)).toBe(true);
    const lists = await all("price_lists");
    expect(lists.length).toBeGreaterThanOrEqual(2);
    expect((await all("price_list_items")).length).toBeGreaterThan(0);
    // Deterministic: the same SKUs, names and prices as the catalog module makes.
    const { demoCatalog } = await import("../../worker/demo/catalog");
    const want = demoCatalog();
    const bySku = new Map(products.map((p) => [p.fields.sku, p.fields]));
    expect(bySku.size).toBe(want.products.length);
    for (const p of want.products)
      expect(bySku.get(p.sku)).toMatchObject({ name: p.name, unit_price: p.unit_price, category: p.category });
    // A second seed adds nothing.
    await seed("1");
    expect((await all("products")).length).toBe(products.length);
  });
});
