/**
 * A decimal field's `min` (what stock levels are built on): a 422 naming the field for a client's
 * write, and a named CHECK on the column that no statement gets past; fixed once created.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, testEnv, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
let admin: Client;
let table: string;

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  table = `min_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const r = await admin.post("/meta/tables", {
    name: table,
    fields: [{ name: "qty", type: "decimal", options: { scale: 3, min: 0 } }],
  });
  expect(r.status, r.text).toBe(201);
});

describe("decimal min", () => {
  it("refuses a value below min from a client (422 minimum naming the field)", async () => {
    const r = await admin.post(`/tables/${table}/records`, { fields: { qty: "-0.001" } });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: "fields/qty", code: "minimum" });
    expect((await admin.post(`/tables/${table}/records`, { fields: { qty: "0" } })).status).toBe(201);
  });

  it("is a CHECK on the column: even SQL that skips validation cannot store less", async () => {
    const meta = (await admin.get(`/meta/tables/${table}`)).body;
    const t = meta.table ?? meta;
    const f = t.fields.find((x: { name: string }) => x.name === "qty");
    const phys = `t_${String(t.id).replace(/^tbl_/, "")}`;
    const col = `c_${String(f.id).replace(/^fld_/, "")}`;
    await expect(testEnv.DB.prepare(`UPDATE "${phys}" SET "${col}" = -1`).run()).rejects.toThrow(
      /CHECK constraint failed: m_/,
    );
  });

  it("keeps min fixed once created (422 fixed)", async () => {
    const meta = (await admin.get(`/meta/tables/${table}`)).body;
    const t = meta.table ?? meta;
    const f = t.fields.find((x: { name: string }) => x.name === "qty");
    const r = await admin.patch(`/meta/tables/${table}/fields/${f.id}`, { options: { scale: 3, min: -5 } });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors[0].code).toBe("fixed");
  });
});
