/**
 * The pipeline plugin through the records API: stage defaults and rules, probability and weighted
 * amount, configurable pipelines, and the stage history, also under rapid and concurrent moves.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSalesPlugins());
});

async function createDeal(client: Client, fields: Record<string, unknown>) {
  const r = await client.post("/tables/deals/records", { fields: { name: uniq("Deal"), ...fields } });
  expect(r.status, r.text).toBe(201);
  return r.body.record;
}

async function move(client: Client, deal: { id: number; version: number }, fields: Record<string, unknown>) {
  return client.patch(`/tables/deals/records/${deal.id}`, { version: deal.version, fields });
}

async function history(dealId: number) {
  const filter = encodeURIComponent(JSON.stringify({ field: "deal", op: "contains", value: dealId }));
  const r = await admin.get(`/tables/deal_stage_history/records?filter=${filter}&sort=entered_at&limit=1000`);
  expect(r.status, r.text).toBe(200);
  return r.body.records.map((x: any) => x.fields);
}

describe("deals", () => {
  it("start in the default pipeline's first stage with its probability, a weighted amount and an open history row", async () => {
    const d = await createDeal(admin, { amount: { amount: 1_234_567, currency: "CNY" } });
    expect(d.fields.stage).toBe("first_contact");
    expect(d.fields.pipeline).toHaveLength(1);
    expect(d.fields.probability).toBe(1000);
    // 1,234,567 x 10% = 123,456.7 -> rounded half up to 123,457 minor units
    expect(d.fields.weighted_amount).toEqual({ amount: 123_457, currency: "CNY" });
    expect(d.fields.stage_entered_at).toBeTruthy();
    const h = await history(d.id);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ stage: "first_contact", from_stage: null, left_at: null, deal: [d.id] });
  });

  it("take the stage's probability on a move unless one is written, and keep the weighted amount in step", async () => {
    const d = await createDeal(admin, { amount: { amount: 100_000, currency: "USD" } });
    const r1 = await move(admin, d, { stage: "quote" });
    expect(r1.status, r1.text).toBe(200);
    expect(r1.body.record.fields).toMatchObject({
      probability: 4000,
      weighted_amount: { amount: 40_000, currency: "USD" },
    });
    const r2 = await move(admin, r1.body.record, { stage: "negotiation", probability: 7500 });
    expect(r2.body.record.fields).toMatchObject({
      probability: 7500,
      weighted_amount: { amount: 75_000, currency: "USD" },
    });
    const r3 = await move(admin, r2.body.record, { amount: { amount: 200_001, currency: "USD" } });
    expect(r3.body.record.fields.weighted_amount).toEqual({ amount: 150_001, currency: "USD" });
    // A bare amount is in the field's currency (CNY).
    const r35 = await move(admin, r3.body.record, { amount: 300 });
    expect(r35.body.record.fields.weighted_amount).toEqual({ amount: 225, currency: "CNY" });
    const r4 = await move(admin, r35.body.record, { probability: null });
    expect(r4.body.record.fields.weighted_amount).toBeNull();
  });

  it("refuse a lost stage without a loss reason, naming the field, and write nothing", async () => {
    const d = await createDeal(admin, {});
    const r = await move(admin, d, { stage: "lost" });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: "fields/loss_reason", code: "required" })]);
    expect((await admin.get(`/tables/deals/records/${d.id}`)).body.record.version).toBe(d.version);
    expect(await history(d.id)).toHaveLength(1);
    const ok = await move(admin, d, { stage: "lost", loss_reason: "Budget cut" });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.record.fields.probability).toBe(0);
    // Clearing the reason of a lost deal is refused too.
    const clear = await move(admin, ok.body.record, { loss_reason: "" });
    expect(clear.status).toBe(422);
    expect(clear.body.errors[0].field).toBe("fields/loss_reason");
  });

  it("set the close date when won, unless one is given", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const d = await createDeal(admin, {});
    const won = await move(admin, d, { stage: "won" });
    expect(won.body.record.fields).toMatchObject({ probability: 10000 });
    // The admin's time zone is UTC; allow for a run across midnight.
    expect([today, new Date().toISOString().slice(0, 10)]).toContain(won.body.record.fields.close_date);
    const d2 = await createDeal(admin, {});
    const given = await move(admin, d2, { stage: "won", close_date: "2026-01-15" });
    expect(given.body.record.fields.close_date).toBe("2026-01-15");
  });

  it("never take a weighted amount from the caller: reps may not write it, admins' values are recomputed", async () => {
    const rep = await signedIn(["sales_rep"]);
    const r = await rep.client.post("/tables/deals/records", {
      fields: { name: uniq("Rep deal"), weighted_amount: 5 },
    });
    expect(r.status).toBe(403);
    expect(r.body.errors[0]).toMatchObject({ field: "fields/weighted_amount", code: "read_only" });
    const d = await createDeal(admin, {
      amount: { amount: 1000, currency: "CNY" },
      weighted_amount: { amount: 999_999, currency: "CNY" },
    });
    expect(d.fields.weighted_amount).toEqual({ amount: 100, currency: "CNY" });
  });
});

describe("pipelines", () => {
  const stages = (extra: object[] = []) =>
    JSON.stringify([
      { name: "lead", labels: { en: "Lead", "zh-CN": "线索" }, probability: 500, kind: "open" },
      { name: "demo_booked", labels: { en: "Demo booked", "zh-CN": "已约演示" }, probability: 3000, kind: "open" },
      ...extra,
      { name: "signed", labels: { en: "Signed", "zh-CN": "签约" }, probability: 10000, kind: "won" },
      { name: "dropped", probability: 0, kind: "lost" },
    ]);

  it("are added by an admin with their own stages, which become board columns; a deal's stage must belong to its pipeline", async () => {
    const p = await admin.post("/tables/pipelines/records", {
      fields: { name: uniq("Partner pipeline"), stages: stages() },
    });
    expect(p.status, p.text).toBe(201);
    const meta = await admin.get("/meta/tables/deals");
    const choices = meta.body.table.fields.find((f: any) => f.name === "stage").options.choices.map((c: any) => c.name);
    expect(choices).toEqual(expect.arrayContaining(["first_contact", "lead", "demo_booked", "signed", "dropped"]));
    const d = await createDeal(admin, { pipeline: [p.body.record.id] });
    expect(d.fields).toMatchObject({ stage: "lead", probability: 500 });
    const wrong = await move(admin, d, { stage: "quote" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ field: "fields/stage", code: "stage_not_in_pipeline" });
    const ok = await move(admin, d, { stage: "signed" });
    expect(ok.body.record.fields.close_date).toBeTruthy();
    // A stage in use cannot be removed. (Linking the deal moved the pipeline's version.)
    const current = (await admin.get(`/tables/pipelines/records/${p.body.record.id}`)).body.record;
    const inUse = await admin.patch(`/tables/pipelines/records/${p.body.record.id}`, {
      version: current.version,
      fields: {
        stages: JSON.stringify([
          { name: "lead", probability: 1, kind: "open" },
          { name: "won2", probability: 10000, kind: "won" },
          { name: "dropped", probability: 0, kind: "lost" },
        ]),
      },
    });
    expect(inUse.status).toBe(422);
    expect(inUse.body.errors[0]).toMatchObject({ field: "fields/stages", code: "stage_in_use" });
  });

  it("refuse a stage list that is not valid, naming the problem", async () => {
    const cases: [unknown, string][] = [
      ["not json", "invalid_json"],
      [
        JSON.stringify([
          { name: "a", probability: 1, kind: "open" },
          { name: "b", probability: 1, kind: "won" },
          { name: "c", probability: 1, kind: "open" },
        ]),
        "no_lost_stage",
      ],
      [
        JSON.stringify([
          { name: "a", probability: 1, kind: "open" },
          { name: "a", probability: 1, kind: "won" },
          { name: "c", probability: 0, kind: "lost" },
        ]),
        "duplicate",
      ],
      [JSON.stringify([{ name: "A'; DROP TABLE sg_users; --", probability: 1, kind: "open" }]), "pattern"],
      [
        JSON.stringify([
          { name: "a", probability: 20000, kind: "open" },
          { name: "b", probability: 1, kind: "won" },
          { name: "c", probability: 0, kind: "lost" },
        ]),
        "maximum",
      ],
    ];
    for (const [value, code] of cases) {
      const r = await admin.post("/tables/pipelines/records", { fields: { name: uniq("Bad"), stages: value } });
      expect(r.status, `${value}: ${r.text}`).toBe(422);
      expect(r.body.errors.map((e: any) => e.field)).toContain("fields/stages");
      expect(JSON.stringify(r.body.errors), String(value)).toContain(
        code === "pattern" || code === "maximum" ? "stages" : code,
      );
    }
    expect(
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_users WHERE 1").first<{ n: number }>())!.n,
    ).toBeGreaterThan(0);
  });
});

describe("stage history", () => {
  it("records every move with entered and left times that chain, under rapid moves", async () => {
    let d = await createDeal(admin, { amount: { amount: 500_000, currency: "CNY" } });
    const path = ["needs_discussion", "quote", "negotiation", "quote", "negotiation", "won"];
    for (const stage of path) {
      const r = await move(admin, d, { stage });
      expect(r.status, r.text).toBe(200);
      d = r.body.record;
    }
    const h = await history(d.id);
    expect(h.map((x: any) => x.stage)).toEqual(["first_contact", ...path]);
    expect(h.filter((x: any) => x.left_at === null)).toHaveLength(1);
    expect(h[h.length - 1].left_at).toBeNull();
    for (let i = 0; i < h.length - 1; i++) {
      expect(h[i].left_at).toBe(h[i + 1].entered_at);
      expect(h[i + 1].from_stage).toBe(h[i].stage);
      expect(h[i].seconds_in_stage).toBeGreaterThanOrEqual(0);
    }
  });

  it("lets exactly one of many concurrent moves of a deal win, leaving one open row", async () => {
    const d = await createDeal(admin, {});
    const stages = ["needs_discussion", "quote", "negotiation", "won", "needs_discussion", "quote"];
    const results = await Promise.all(stages.map((stage) => move(admin, d, { stage })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(stages.length - 1);
    const h = await history(d.id);
    expect(h).toHaveLength(2);
    expect(h.filter((x: any) => x.left_at === null)).toHaveLength(1);
    expect(h[1].stage).toBe(results.find((r) => r.status === 200)!.body.record.fields.stage);
  });

  it("rolls back with a write the permission engine refuses inside the batch", async () => {
    const rep = await signedIn(["sales_rep"]);
    const other = await signedIn(["sales_rep"]);
    const d = (await rep.client.post("/tables/deals/records", { fields: { name: uniq("Mine") } })).body.record;
    // Moving the stage AND handing the deal to someone else: the update rule fails inside the batch.
    const r = await move(rep.client, d, { stage: "quote", owner: other.id });
    expect(r.status, r.text).toBe(403);
    const h = await history(d.id);
    expect(h).toHaveLength(1);
    expect(h[0].left_at).toBeNull();
    expect((await admin.get(`/tables/deals/records/${d.id}`)).body.record.fields.stage).toBe("first_contact");
    // The rep reads the history of their own deal only.
    const own = await rep.client.get("/tables/deal_stage_history/records?limit=1000");
    expect(own.status).toBe(200);
    expect(own.body.records.every((x: any) => x.fields.owner === rep.id)).toBe(true);
    expect((await rep.client.post("/tables/deal_stage_history/records", { fields: { stage: "won" } })).status).toBe(
      403,
    );
  });

  it("feeds a stage report with time in stage and conversion", async () => {
    let d = await createDeal(admin, {});
    for (const stage of ["needs_discussion", "quote"]) d = (await move(admin, d, { stage })).body.record;
    const r = await admin.post("/actions/pipeline/stage-report", {});
    expect(r.status, r.text).toBe(200);
    const first = r.body.stages.find((s: any) => s.stage === "first_contact");
    expect(first.entered).toBeGreaterThan(0);
    expect(first.advanced).toBeGreaterThan(0);
    expect(first.conversionBasisPoints).toBeGreaterThan(0);
    expect(first.averageSecondsInStage).toBeGreaterThanOrEqual(0);
    expect((await admin.post("/actions/pipeline/stage-report", { pipeline: "1" })).status).toBe(422);
    expect((await admin.post("/actions/pipeline/stage-report", { nope: 1 })).status).toBe(422);
    const warehouse = await signedIn(["warehouse"]);
    expect((await warehouse.client.post("/actions/pipeline/stage-report", {})).status).toBe(403);
  });
});
