/**
 * A bulk create answers with records decoded from the values it wrote instead of reading them back.
 * The reply must be exactly what reading the records afterwards returns, for every field type, for
 * absent and empty values, and for callers with hidden fields or a read rule (who get read-backs).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
let a: ReturnType<typeof api>;
let adminId: string;

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  a = api(admin.token);
  adminId = admin.user.id;
});

const FIELDS = [
  { name: "title", type: "text", options: { maxLength: 40 } },
  { name: "notes", type: "long_text" },
  { name: "amount", type: "number", options: { precision: 2 } },
  { name: "price", type: "currency", options: { currency: "USD" } },
  { name: "fee", type: "currency" },
  { name: "rate", type: "percent" },
  { name: "due", type: "date" },
  { name: "seen_at", type: "datetime" },
  { name: "done", type: "checkbox" },
  { name: "stage", type: "single_select", options: { choices: [{ name: "new" }, { name: "won" }] } },
  { name: "tags", type: "multi_select", options: { choices: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
  { name: "mail", type: "email" },
  { name: "tel", type: "phone" },
  { name: "site", type: "url" },
  { name: "stars", type: "rating" },
  { name: "owner", type: "user" },
  { name: "seq", type: "autonumber" },
];

async function table() {
  const name = uniq("reply");
  const res = await a.post("/meta/tables", { name, fields: FIELDS });
  expect(res.status, res.text).toBe(201);
  return name;
}

describe("bulk create reply", () => {
  it("equals what a read returns afterwards, for every field type and for absent values", async () => {
    const name = await table();
    const records = [
      {
        fields: {
          title: 'Ünïcode ✓ "quoted" \\ back',
          notes: "line 1\nline 2",
          amount: 1234.56,
          price: 1999,
          fee: { amount: 250, currency: "EUR" },
          rate: 1250,
          due: "2026-02-28",
          seen_at: "2026-02-28T10:11:12.345Z",
          done: true,
          stage: "won",
          tags: ["c", "a"],
          mail: "x@example.com",
          tel: "+86 21 1234 5678",
          site: "https://example.com/a?b=c",
          stars: 4,
          owner: adminId,
        },
      },
      { fields: { title: "", amount: 0, done: false, tags: [], stage: null, fee: null, amount_ignored: undefined } },
      { fields: {} },
      { fields: { amount: -0.5, price: 0, rate: 0, stars: 1 } },
    ].map((r) => ({ fields: Object.fromEntries(Object.entries(r.fields).filter(([, v]) => v !== undefined)) }));
    const created = await a.post(`/tables/${name}/records`, { records });
    expect(created.status, created.text).toBe(201);
    const ids = created.body.records.map((r: { id: number }) => r.id);
    const listed = await a.get(`/tables/${name}/records?sort=seq&limit=10`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.records.map((r: { id: number }) => r.id)).toEqual(ids);
    expect(created.body.records).toEqual(listed.body.records);
    // Key order too: the JSON text is the same, not just the values.
    expect(JSON.stringify(created.body.records)).toBe(JSON.stringify(listed.body.records));

    const one = await a.post(`/tables/${name}/records`, { fields: { title: "single", tags: ["b"] } });
    expect(one.status, one.text).toBe(201);
    expect(one.body.record).toEqual((await a.get(`/tables/${name}/records/${one.body.record.id}`)).body.record);
  });

  it("a caller whose read rule hides rows they may create gets only the rows they can read", async () => {
    const name = await table();
    const role = uniq("role");
    expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    const grant = await a.request("PUT", `/admin/roles/${role}/grants/${name}`, {
      read: "own",
      create: "all",
      update: "none",
      delete: "none",
      fields: { notes: "hidden" },
    });
    expect(grant.status, grant.text).toBe(200);
    const rep = await userWithToken([role]);
    const res = await api(rep.token).post(`/tables/${name}/records`, {
      records: [{ fields: { title: "mine" } }, { fields: { title: "theirs", owner: adminId } }],
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.records.map((r: { fields: { title: string } }) => r.fields.title)).toEqual(["mine"]);
    expect(res.body.records[0].fields).not.toHaveProperty("notes");
    expect(res.body.records[0].fields.owner).toBe(rep.user.id);
  });

  it("hidden fields are left out of the reply when no read rule applies", async () => {
    const name = await table();
    const role = uniq("role");
    expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    const grant = await a.request("PUT", `/admin/roles/${role}/grants/${name}`, {
      read: "all",
      create: "all",
      update: "none",
      delete: "none",
      fields: { notes: "hidden" },
    });
    expect(grant.status, grant.text).toBe(200);
    const rep = await userWithToken([role]);
    const r = api(rep.token);
    const res = await r.post(`/tables/${name}/records`, { records: [{ fields: { title: "t", amount: 1.5 } }] });
    expect(res.status, res.text).toBe(201);
    expect(res.body.records[0].fields).not.toHaveProperty("notes");
    expect(res.body.records).toEqual((await r.get(`/tables/${name}/records`)).body.records);
  });
});
