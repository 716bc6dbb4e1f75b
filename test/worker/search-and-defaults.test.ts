import { describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const uniq = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

describe("search over multi_select", () => {
  it("matches choice names, never the JSON punctuation around them", async () => {
    const a = api((await userWithToken(["admin"])).token);
    const name = `srch_${uniq()}`;
    await a.post("/meta/tables", {
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "tags", type: "multi_select", options: { choices: [{ name: "vip" }, { name: "new" }] } },
      ],
    });
    const r = await a.post(`/tables/${name}/records`, {
      records: [{ fields: { title: "x", tags: ["vip", "new"] } }, { fields: { title: "y", tags: [] } }],
    });
    const [tagged] = r.body.records.map((x: any) => x.id);
    const ids = async (q: string) =>
      (await a.get(`/tables/${name}/records?q=${encodeURIComponent(q)}`)).body.records.map((x: any) => x.id);
    expect(await ids("vi")).toEqual([tagged]);
    for (const q of ["[", '"', ",", 'p","n']) expect(await ids(q), q).toEqual([]);
  });
});

describe("checkbox added to a table with rows", () => {
  it("reads existing rows as false and sorts them with the other false rows", async () => {
    const a = api((await userWithToken(["admin"])).token);
    const name = `cb_${uniq()}`;
    await a.post("/meta/tables", { name, fields: [{ name: "t", type: "text" }] });
    await a.post(`/tables/${name}/records`, { records: [{ fields: { t: "a-old1" } }, { fields: { t: "a-old2" } }] });
    expect((await a.post(`/meta/tables/${name}/fields`, { name: "flag", type: "checkbox" })).status).toBe(201);
    await a.post(`/tables/${name}/records`, {
      records: [{ fields: { t: "z-new", flag: false } }, { fields: { t: "new-true", flag: true } }],
    });
    const list = await a.get(`/tables/${name}/records?sort=flag,-t`);
    expect(list.body.records.map((x: any) => x.fields.t)).toEqual(["z-new", "a-old2", "a-old1", "new-true"]);
    expect(list.body.records.map((x: any) => x.fields.flag)).toEqual([false, false, false, true]);
  });
});

describe("currency codes on records", () => {
  it("refuses a value in a currency that does not exist, naming the path", async () => {
    const a = api((await userWithToken(["admin"])).token);
    const name = `cur_${uniq()}`;
    await a.post("/meta/tables", { name, fields: [{ name: "amount", type: "currency" }] });
    const bad = await a.post(`/tables/${name}/records`, { fields: { amount: { amount: 1, currency: "ZZZ" } } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ field: "fields/amount/currency", code: "unknown_currency" }),
    );
    const good = await a.post(`/tables/${name}/records`, { fields: { amount: { amount: 1, currency: "JPY" } } });
    expect(good.body.record.fields.amount).toEqual({ amount: 1, currency: "JPY" });
  });
});
