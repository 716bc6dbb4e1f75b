/**
 * Percent fields keep to the range they declare (options min/max in percent; values in basis points):
 * the pipeline's probability is 0-100%, refused outside it with 422 naming the field; a percent field
 * without a range keeps taking any value.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { installSalesPlugins, uniq, type Client } from "./plugins-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSalesPlugins());
});

const createDeal = (fields: Record<string, unknown>) =>
  admin.post("/tables/deals/records", { fields: { name: uniq("Deal"), ...fields } });

describe("percent range", () => {
  it("the pipeline's probability declares 0-100%", async () => {
    const r = await admin.get("/meta/tables/deals");
    expect(r.status, r.text).toBe(200);
    const f = r.body.table.fields.find((x: { name: string }) => x.name === "probability");
    expect(f.options).toMatchObject({ min: 0, max: 100 });
  });

  it("refuses 150% with 422 naming the field and the limit, and writes nothing", async () => {
    const r = await createDeal({ probability: 15000, amount: { amount: 1000, currency: "CNY" } });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ field: "fields/probability", code: "maximum", params: { limit: 100, unit: "%" } }),
    ]);
  });

  it("refuses a negative probability on an update too", async () => {
    const c = await createDeal({});
    expect(c.status, c.text).toBe(201);
    const d = c.body.record;
    const r = await admin.patch(`/tables/deals/records/${d.id}`, { version: d.version, fields: { probability: -1 } });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ field: "fields/probability", code: "minimum", params: { limit: 0, unit: "%" } }),
    ]);
    expect((await admin.get(`/tables/deals/records/${d.id}`)).body.record.version).toBe(d.version);
  });

  it("accepts 100% and 0%", async () => {
    const r = await createDeal({ probability: 10000, amount: { amount: 1000, currency: "CNY" } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.record.fields).toMatchObject({ probability: 10000, weighted_amount: { amount: 1000 } });
    expect((await createDeal({ probability: 0 })).status).toBe(201);
  });

  it("a percent field without min/max still takes any value", async () => {
    const name = `pct_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const t = await admin.post("/meta/tables", { name, fields: [{ name: "rate", type: "percent" }] });
    expect(t.status, t.text).toBe(201);
    for (const rate of [15000, -300]) {
      const r = await admin.post(`/tables/${name}/records`, { fields: { rate } });
      expect(r.status, r.text).toBe(201);
      expect(r.body.record.fields.rate).toBe(rate);
    }
  });

  it("refuses a range whose min is above its max", async () => {
    const name = `pct_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const t = await admin.post("/meta/tables", {
      name,
      fields: [{ name: "rate", type: "percent", options: { min: 50, max: 10 } }],
    });
    expect(t.status, t.text).toBe(422);
    expect(t.body.errors).toEqual([expect.objectContaining({ field: "fields/0/options/min", code: "range" })]);
  });
});
