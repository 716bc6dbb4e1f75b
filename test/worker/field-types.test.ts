/**
 * Every field type round-trips through create -> get -> list exactly, invalid values are refused
 * with 422 naming the field's path, and empty values read back as null / [].
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
type Rec = { id: number; version: number; fields: Record<string, unknown> };

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

let c: Client;
let adminId: string;
let main: string;
let target: string;
let targetIds: { acme: number; globex: number; initech: number };

async function createTable(body: unknown) {
  const res = await c.post("/meta/tables", body);
  expect(res.status, res.text).toBe(201);
  return res.body.table as {
    id: string;
    name: string;
    fields: { name: string; type: string; options: Record<string, any> }[];
  };
}

async function create(fields: Record<string, unknown>, table = main): Promise<Rec> {
  const res = await c.post(`/tables/${table}/records`, { fields });
  expect(res.status, res.text).toBe(201);
  return res.body.record;
}

async function getOne(id: number, query = "", table = main): Promise<Rec> {
  const res = await c.get(`/tables/${table}/records/${id}${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.record;
}

async function listAll(query = "", table = main): Promise<Rec[]> {
  const res = await c.get(`/tables/${table}/records?limit=1000${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.records;
}

async function count(table = main): Promise<number> {
  const res = await c.get(`/tables/${table}/records?limit=1&count=true`);
  expect(res.status, res.text).toBe(200);
  return res.body.total;
}

/** Creates `input`, then checks the create reply, GET and list all hold exactly `expected` for those fields. */
async function roundTrip(input: Record<string, unknown>, expected: Record<string, unknown>): Promise<Rec> {
  const created = await create(input);
  const got = await getOne(created.id);
  const listed = (await listAll()).find((r) => r.id === created.id);
  expect(listed, "created record appears in the list").toBeDefined();
  for (const [label, rec] of [
    ["create reply", created],
    ["get", got],
    ["list", listed!],
  ] as const) {
    const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, rec.fields[k]]));
    expect(picked, label).toEqual(expected);
  }
  return created;
}

/** 422 validation_failed whose every error lies at `path` or under it. */
function expectRefusedAt(res: { status: number; body: any; text: string }, path: string) {
  expect(res.status, res.text).toBe(422);
  expect(res.body.code).toBe("validation_failed");
  const fields: string[] = res.body.errors.map((e: { field: string }) => e.field);
  expect(fields.length).toBeGreaterThan(0);
  for (const f of fields) expect(f === path || f.startsWith(`${path}/`), `error at ${f}, expected ${path}`).toBe(true);
}

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = api(admin.token);
  adminId = admin.user.id;
  const s = sfx();
  target = `ft_target_${s}`;
  main = `ft_main_${s}`;
  await createTable({
    name: target,
    fields: [
      { name: "name", type: "text" },
      { name: "city", type: "text" },
    ],
  });
  await createTable({
    name: main,
    fields: [
      { name: "title", type: "text", options: { maxLength: 20 } },
      { name: "notes", type: "long_text" },
      { name: "amount", type: "number", options: { precision: 2 } },
      { name: "qty", type: "number", options: { precision: 0 } },
      { name: "price", type: "currency", options: { currency: "USD" } },
      { name: "fee", type: "currency" },
      { name: "rate", type: "percent" },
      { name: "due", type: "date" },
      { name: "seen_at", type: "datetime" },
      { name: "done", type: "checkbox" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "new", color: "#ff0000" }, { name: "won" }] },
      },
      {
        name: "tags",
        type: "multi_select",
        options: { choices: [{ name: "a", color: "#00aa00" }, { name: "b" }, { name: "c", color: "#0000FF" }] },
      },
      { name: "mail", type: "email" },
      { name: "tel", type: "phone" },
      { name: "site", type: "url" },
      { name: "stars", type: "rating" },
      { name: "assignee", type: "user" },
      { name: "account", type: "link", options: { table: target, multiple: false, inverseName: "main_one" } },
      { name: "contacts", type: "link", options: { table: target, inverseName: "main_many" } },
      { name: "seq", type: "autonumber" },
    ],
  });
  const t = await c.post(`/tables/${target}/records`, {
    records: [
      { fields: { name: "Acme", city: "Berlin" } },
      { fields: { name: "Globex", city: "Paris" } },
      { fields: { name: "Initech" } },
    ],
  });
  expect(t.status, t.text).toBe(201);
  const [acme, globex, initech] = t.body.records.map((r: Rec) => r.id);
  targetIds = { acme, globex, initech };
});

describe("round trip of every field type through create, get and list", () => {
  it("text keeps unicode exactly and long_text keeps newlines", async () => {
    await roundTrip(
      { title: "你好, world 🚀 'x'", notes: "line one\nline two\t— 长文本 %_\\" },
      { title: "你好, world 🚀 'x'", notes: "line one\nline two\t— 长文本 %_\\" },
    );
  });

  it("number keeps decimals up to the field's precision and integers in a precision-0 field", async () => {
    await roundTrip({ amount: 1234.56, qty: 3 }, { amount: 1234.56, qty: 3 });
    await roundTrip({ amount: -0.1, qty: -1000000 }, { amount: -0.1, qty: -1000000 });
    await roundTrip({ amount: 7, qty: 0 }, { amount: 7, qty: 0 });
  });

  it("currency stores integer minor units with an explicit code, and a bare integer takes the field's default currency", async () => {
    await roundTrip({ price: { amount: 1999, currency: "EUR" } }, { price: { amount: 1999, currency: "EUR" } });
    await roundTrip({ price: 500 }, { price: { amount: 500, currency: "USD" } });
    await roundTrip({ price: { amount: -25 } }, { price: { amount: -25, currency: "USD" } });
    // A currency field without a currency option defaults to CNY.
    await roundTrip({ fee: 7 }, { fee: { amount: 7, currency: "CNY" } });
    await roundTrip({ fee: { amount: 0, currency: "JPY" } }, { fee: { amount: 0, currency: "JPY" } });
    await roundTrip({ price: null, fee: null }, { price: null, fee: null });
  });

  it("percent stores basis points as integers", async () => {
    await roundTrip({ rate: 1250 }, { rate: 1250 });
    await roundTrip({ rate: -300 }, { rate: -300 });
    await roundTrip({ rate: 0 }, { rate: 0 });
  });

  it("date keeps YYYY-MM-DD, including a leap day", async () => {
    await roundTrip({ due: "2024-02-29" }, { due: "2024-02-29" });
    await roundTrip({ due: "1999-12-31" }, { due: "1999-12-31" });
  });

  it("datetime is normalised to UTC ISO 8601 with milliseconds", async () => {
    await roundTrip({ seen_at: "2024-03-05T10:20:30+02:00" }, { seen_at: "2024-03-05T08:20:30.000Z" });
    await roundTrip({ seen_at: "2024-12-31T23:59:59.5Z" }, { seen_at: "2024-12-31T23:59:59.500Z" });
    await roundTrip({ seen_at: "2024-01-01T00:00:00-05:30" }, { seen_at: "2024-01-01T05:30:00.000Z" });
    await roundTrip({ seen_at: "2024-06-01T12:00:00.123Z" }, { seen_at: "2024-06-01T12:00:00.123Z" });
  });

  it("checkbox reads true/false, and null or an omitted value reads false", async () => {
    await roundTrip({ done: true }, { done: true });
    await roundTrip({ done: false }, { done: false });
    await roundTrip({ done: null }, { done: false });
    await roundTrip({ title: "no checkbox given" }, { done: false });
  });

  it("single_select keeps the chosen choice name", async () => {
    await roundTrip({ stage: "won" }, { stage: "won" });
    await roundTrip({ stage: "new" }, { stage: "new" });
    await roundTrip({ stage: null }, { stage: null });
  });

  it("multi_select keeps the chosen names in the order written", async () => {
    await roundTrip({ tags: ["b", "a"] }, { tags: ["b", "a"] });
    await roundTrip({ tags: ["c"] }, { tags: ["c"] });
    await roundTrip({ tags: ["a", "b", "c"] }, { tags: ["a", "b", "c"] });
  });

  it("select choices keep the colours given and get a palette colour and an id otherwise", async () => {
    const res = await c.get(`/meta/tables/${main}`);
    expect(res.status).toBe(200);
    const byName = (n: string) => res.body.table.fields.find((f: { name: string }) => f.name === n);
    const tags = byName("tags").options.choices;
    expect(tags.map((x: { name: string }) => x.name)).toEqual(["a", "b", "c"]);
    expect(tags[0].color).toBe("#00aa00");
    expect(tags[2].color).toBe("#0000FF");
    expect(tags[1].color).toMatch(/^#[0-9a-fA-F]{6}$/);
    for (const ch of tags) expect(ch.id).toMatch(/^[a-z0-9]{1,16}$/);
    const stage = byName("stage").options.choices;
    expect(stage[0]).toMatchObject({ name: "new", color: "#ff0000" });
    expect(stage[1].color).toMatch(/^#[0-9a-fA-F]{6}$/);
  });

  it("email, phone and url keep their text exactly", async () => {
    await roundTrip(
      {
        mail: "Ann.Lee+sales@Example.co.uk",
        tel: "+86 (10) 1234-5678",
        site: "https://example.com/a/b?q=1&r=%20#frag",
      },
      {
        mail: "Ann.Lee+sales@Example.co.uk",
        tel: "+86 (10) 1234-5678",
        site: "https://example.com/a/b?q=1&r=%20#frag",
      },
    );
    await roundTrip(
      { tel: "010.555.0101", site: "http://localhost:8787/x" },
      { tel: "010.555.0101", site: "http://localhost:8787/x" },
    );
  });

  it("rating keeps whole stars from 1 to the maximum", async () => {
    await roundTrip({ stars: 1 }, { stars: 1 });
    await roundTrip({ stars: 5 }, { stars: 5 });
  });

  it("user keeps the id of an existing user", async () => {
    await roundTrip({ assignee: adminId }, { assignee: adminId });
    await roundTrip({ assignee: null }, { assignee: null });
  });

  it("a user or linked record that does not exist is refused naming each place, and nothing of the batch is written", async () => {
    const before = (await listAll()).length;
    const { acme } = targetIds;
    const res = await c.post(`/tables/${main}/records`, {
      records: [
        { fields: { title: "ok", assignee: adminId, contacts: [acme] } },
        { fields: { title: "bad user", assignee: "usr_nosuchuser01" } },
        { fields: { title: "bad links", account: [999_999_001], contacts: [acme, 999_999_002] } },
      ],
    });
    expect(res.status, res.text).toBe(422);
    const places = res.body.errors.map((e: { field: string; code: string }) => `${e.field} ${e.code}`).sort();
    expect(places).toEqual([
      "records/1/fields/assignee unknown_user",
      "records/2/fields/account/0 unknown_record",
      "records/2/fields/contacts/1 unknown_record",
    ]);
    expect((await listAll()).length).toBe(before);
  });

  it("problems carry the values their message names (params), so clients can word them in their own language", async () => {
    const res = await c.post(`/tables/${main}/records`, {
      records: [{ fields: { title: "x".repeat(21) } }, { fields: { amount: "many" } }, { fields: { amount: 1.234 } }],
    });
    expect(res.status, res.text).toBe(422);
    const byField = Object.fromEntries(
      res.body.errors.map((e: { field: string; code: string; params?: unknown }) => [
        e.field,
        { code: e.code, params: e.params },
      ]),
    );
    expect(byField["records/0/fields/title"]).toEqual({ code: "maxLength", params: { limit: 20 } });
    expect(byField["records/1/fields/amount"]).toEqual({ code: "type", params: { expected: "number" } });
    expect(byField["records/2/fields/amount"]).toEqual({ code: "precision", params: { limit: 2 } });
  });

  it("link fields keep one or many target ids", async () => {
    const { acme, globex, initech } = targetIds;
    await roundTrip({ account: [globex] }, { account: [globex] });
    await roundTrip({ contacts: [acme, globex, initech] }, { contacts: [acme, globex, initech] });
    await roundTrip({ account: null, contacts: [] }, { account: [], contacts: [] });
  });

  it("a record with every type set at once round-trips exactly", async () => {
    const { acme, initech } = targetIds;
    const input = {
      title: "Everything",
      notes: "all\nfields",
      amount: 99.99,
      qty: 12,
      price: { amount: 123456, currency: "GBP" },
      fee: 42,
      rate: 875,
      due: "2025-07-04",
      seen_at: "2025-07-04T09:30:00+08:00",
      done: true,
      stage: "won",
      tags: ["c", "a"],
      mail: "x@y.example",
      tel: "+1 555 0100",
      site: "https://salesgrid.example/",
      stars: 3,
      assignee: adminId,
      account: [initech],
      contacts: [acme, initech],
    };
    const expected = {
      ...input,
      price: { amount: 123456, currency: "GBP" },
      fee: { amount: 42, currency: "CNY" },
      seen_at: "2025-07-04T01:30:00.000Z",
    };
    const rec = await roundTrip(input, expected);
    expect(Object.keys(rec.fields).sort()).toEqual([...Object.keys(input), "seq"].sort());
    expect(rec.version).toBe(1);
  });
});

describe("empty values", () => {
  it("an empty string in text and long_text reads back as null", async () => {
    await roundTrip({ title: "", notes: "" }, { title: null, notes: null });
  });

  it("an empty string in email, phone and url reads back as null", async () => {
    await roundTrip({ mail: "", tel: "", site: "" }, { mail: null, tel: null, site: null });
  });

  it("[] in multi_select and link reads back as [], and omitted fields read as null / [] / false", async () => {
    const rec = await roundTrip({ tags: [], contacts: [], account: [] }, { tags: [], contacts: [], account: [] });
    expect(rec.fields).toMatchObject({
      title: null,
      notes: null,
      amount: null,
      qty: null,
      price: null,
      fee: null,
      rate: null,
      due: null,
      seen_at: null,
      done: false,
      stage: null,
      tags: [],
      mail: null,
      tel: null,
      site: null,
      stars: null,
      assignee: null,
      account: [],
      contacts: [],
    });
  });

  it("a PATCH with empty string and [] clears the values", async () => {
    const { acme } = targetIds;
    const rec = await create({
      title: "full",
      notes: "n",
      tags: ["a"],
      contacts: [acme],
      account: [acme],
      mail: "a@b.example",
    });
    const res = await c.patch(`/tables/${main}/records/${rec.id}`, {
      version: rec.version,
      fields: { title: "", notes: "", tags: [], contacts: [], account: null, mail: "" },
    });
    expect(res.status, res.text).toBe(200);
    const got = await getOne(rec.id);
    expect(got.version).toBe(2);
    expect(got.fields).toMatchObject({ title: null, notes: null, tags: [], contacts: [], account: [], mail: null });
  });
});

describe("links: inverse field and expand", () => {
  it("the inverse fields appear on the target table as link fields back to the source", async () => {
    const res = await c.get(`/meta/tables/${target}`);
    expect(res.status).toBe(200);
    const fields = res.body.table.fields as { name: string; type: string; options: { table: string } }[];
    const mainTable = (await c.get(`/meta/tables/${main}`)).body.table;
    for (const name of ["main_one", "main_many"]) {
      const f = fields.find((x) => x.name === name);
      expect(f, name).toBeDefined();
      expect(f!.type).toBe("link");
      expect(f!.options.table).toBe(mainTable.id);
    }
  });

  it("the inverse field shows the reverse links of one-valued and many-valued links", async () => {
    // Fresh target rows so earlier tests' links do not interfere.
    const t = await c.post(`/tables/${target}/records`, {
      records: [{ fields: { name: "T1" } }, { fields: { name: "T2" } }, { fields: { name: "T3" } }],
    });
    expect(t.status).toBe(201);
    const [t1, t2, t3] = t.body.records.map((r: Rec) => r.id);
    const a = await create({ title: "A", account: [t1], contacts: [t1, t2] });
    const b = await create({ title: "B", account: [t1], contacts: [t2] });
    const cc = await create({ title: "C", account: [t2] });
    const g1 = await getOne(t1, "", target);
    const g2 = await getOne(t2, "", target);
    const g3 = await getOne(t3, "", target);
    expect(g1.fields.main_one).toEqual([a.id, b.id]);
    expect(g1.fields.main_many).toEqual([a.id]);
    expect(g2.fields.main_one).toEqual([cc.id]);
    expect(g2.fields.main_many).toEqual([a.id, b.id]);
    expect(g3.fields.main_one).toEqual([]);
    expect(g3.fields.main_many).toEqual([]);
    const listed = await listAll("", target);
    expect(listed.find((r) => r.id === t2)!.fields.main_many).toEqual([a.id, b.id]);
    // Changing the source side moves the reverse link.
    const res = await c.patch(`/tables/${main}/records/${b.id}`, { version: b.version, fields: { contacts: [t3] } });
    expect(res.status, res.text).toBe(200);
    expect((await getOne(t2, "", target)).fields.main_many).toEqual([a.id]);
    expect((await getOne(t3, "", target)).fields.main_many).toEqual([b.id]);
  });

  it("writing the inverse side of a one-valued link keeps each source record at one target", async () => {
    const t = await c.post(`/tables/${target}/records`, {
      records: [{ fields: { name: "U1" } }, { fields: { name: "U2" } }],
    });
    const [u1, u2] = t.body.records.map((r: Rec) => r.id);
    const a = await create({ title: "moves", account: [u1] });
    const tgt = await getOne(u2, "", target);
    const res = await c.patch(`/tables/${target}/records/${u2}`, {
      version: tgt.version,
      fields: { main_one: [a.id] },
    });
    expect(res.status, res.text).toBe(200);
    expect((await getOne(a.id)).fields.account).toEqual([u2]);
    expect((await getOne(u1, "", target)).fields.main_one).toEqual([]);
  });

  it("?expand=field returns [{id, primary}] on get and list", async () => {
    const { acme, globex } = targetIds;
    const rec = await create({ title: "expand me", account: [globex], contacts: [acme, globex] });
    const got = await getOne(rec.id, "?expand=contacts,account");
    expect(got.fields.contacts).toEqual([
      { id: acme, primary: "Acme" },
      { id: globex, primary: "Globex" },
    ]);
    expect(got.fields.account).toEqual([{ id: globex, primary: "Globex" }]);
    const listed = (await listAll("&expand=contacts")).find((r) => r.id === rec.id)!;
    expect(listed.fields.contacts).toEqual([
      { id: acme, primary: "Acme" },
      { id: globex, primary: "Globex" },
    ]);
    // Not expanded: plain ids.
    expect(listed.fields.account).toEqual([globex]);
  });

  it("?expand on a field that is not a link is refused with 400", async () => {
    const rec = await create({ title: "x" });
    const res = await c.get(`/tables/${main}/records/${rec.id}?expand=title`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("expand");
  });
});

describe("autonumber", () => {
  it("is assigned consecutive numbers starting at 1 on a new table, in bulk order", async () => {
    const name = `ft_auto_${sfx()}`;
    await createTable({
      name,
      fields: [
        { name: "label", type: "text" },
        { name: "no", type: "autonumber" },
      ],
    });
    const one = await create({ label: "first" }, name);
    expect(one.fields.no).toBe(1);
    const bulk = await c.post(`/tables/${name}/records`, {
      records: [{ fields: { label: "b" } }, { fields: { label: "c" } }, { fields: {} }],
    });
    expect(bulk.status, bulk.text).toBe(201);
    expect(bulk.body.records.map((r: Rec) => r.fields.no)).toEqual([2, 3, 4]);
    const listed = await listAll("&sort=no", name);
    expect(listed.map((r) => [r.fields.label, r.fields.no])).toEqual([
      ["first", 1],
      ["b", 2],
      ["c", 3],
      [null, 4],
    ]);
    expect((await getOne(bulk.body.records[1].id, "", name)).fields.no).toBe(3);
  });

  it("is read-only: writing it on create or update is refused naming the field, and updates keep it", async () => {
    const before = await count();
    const refused = (r: any) => {
      expect(r.status, r.text).toBe(403);
      expect(r.body.errors).toContainEqual(expect.objectContaining({ field: "fields/seq", code: "read_only" }));
    };
    refused(await c.post(`/tables/${main}/records`, { fields: { title: "x", seq: 99 } }));
    expect(await count()).toBe(before);
    const rec = await create({ title: "keep seq" });
    const seq = rec.fields.seq as number;
    expect(Number.isInteger(seq) && seq > 0).toBe(true);
    refused(await c.patch(`/tables/${main}/records/${rec.id}`, { version: rec.version, fields: { seq: 1 } }));
    const ok = await c.patch(`/tables/${main}/records/${rec.id}`, {
      version: rec.version,
      fields: { title: "renamed" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.record.fields).toMatchObject({ title: "renamed", seq });
  });
});

describe("invalid values are refused with 422 naming the field", () => {
  const cases: [string, string, unknown][] = [
    ["text", "title", "x".repeat(21)],
    ["text", "title", 123],
    ["text", "title", ["a"]],
    ["long_text", "notes", { a: 1 }],
    ["number", "amount", "12"],
    ["number", "amount", 1.005],
    ["number", "amount", 2e16],
    ["number", "qty", 3.5],
    ["currency", "price", 12.5],
    ["currency", "price", "100"],
    ["currency", "price", { amount: 1.5, currency: "USD" }],
    ["currency", "price", { amount: 100, currency: "usd" }],
    ["currency", "price", { currency: "USD" }],
    ["currency", "price", { amount: 100, currency: "USD", rate: 1 }],
    ["percent", "rate", 12.5],
    ["percent", "rate", "10%"],
    ["date", "due", "2023-02-29"],
    ["date", "due", "2024-1-5"],
    ["date", "due", "2024-01-05T00:00:00Z"],
    ["date", "due", 20240105],
    ["datetime", "seen_at", "2024-03-05"],
    ["datetime", "seen_at", "2024-13-01T00:00:00Z"],
    ["datetime", "seen_at", "yesterday"],
    ["datetime", "seen_at", 1709630430000],
    ["checkbox", "done", "yes"],
    ["checkbox", "done", 1],
    ["single_select", "stage", "lost"],
    ["single_select", "stage", ["won"]],
    ["multi_select", "tags", ["x"]],
    ["multi_select", "tags", ["a", "a"]],
    ["multi_select", "tags", "a"],
    ["email", "mail", "not-an-email"],
    ["email", "mail", "a@"],
    ["phone", "tel", "call me"],
    ["phone", "tel", "12"],
    ["url", "site", "ftp://example.com"],
    ["url", "site", "example.com"],
    ["url", "site", "javascript:alert(1)"],
    ["rating", "stars", 0],
    ["rating", "stars", 6],
    ["rating", "stars", 2.5],
    ["user", "assignee", "bob"],
    ["user", "assignee", "usr_zzzzzzzzzzzz"],
    ["link", "account", [1, 2]],
    ["link", "contacts", [999999]],
    ["link", "contacts", [0]],
    ["link", "contacts", ["1"]],
    ["link", "contacts", 5],
    ["unknown field", "nope", "x"],
  ];

  it.each(cases)(
    "%s field %s refuses %j in a single create and in a bulk create, writing nothing",
    async (_type, name, value) => {
      const before = await count();
      expectRefusedAt(
        await c.post(`/tables/${main}/records`, { fields: { title: "ok", [name]: value } }),
        `fields/${name}`,
      );
      const bulk = await c.post(`/tables/${main}/records`, {
        records: [{ fields: { title: "ok" } }, { fields: { title: "ok too", [name]: value } }],
      });
      expectRefusedAt(bulk, `records/1/fields/${name}`);
      expect(await count()).toBe(before);
    },
  );

  it("an invalid value in an update is refused naming the field and leaves the record unchanged", async () => {
    const rec = await create({ title: "stable", stars: 2 });
    expectRefusedAt(
      await c.patch(`/tables/${main}/records/${rec.id}`, { version: rec.version, fields: { stars: 9 } }),
      "fields/stars",
    );
    const bulk = await c.patch(`/tables/${main}/records`, {
      records: [{ id: rec.id, version: rec.version, fields: { title: "x", due: "tomorrow" } }],
    });
    expectRefusedAt(bulk, "records/0/fields/due");
    const got = await getOne(rec.id);
    expect(got.version).toBe(1);
    expect(got.fields).toMatchObject({ title: "stable", stars: 2, due: null });
  });

  it("an invalid email, phone or url is reported as a format or pattern error, not as a failed empty-string match", async () => {
    const res = await c.post(`/tables/${main}/records`, {
      fields: { mail: "nope", tel: "x", site: "ftp://a.example" },
    });
    expect(res.status).toBe(422);
    const byField = Object.fromEntries(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(byField).toEqual({ "fields/mail": "format", "fields/tel": "pattern", "fields/site": "pattern" });
  });

  it("reports every invalid field of every record in one reply", async () => {
    const res = await c.post(`/tables/${main}/records`, {
      records: [{ fields: { stars: 7 } }, { fields: { title: "fine" } }, { fields: { rate: 0.5, stage: "nope" } }],
    });
    expect(res.status).toBe(422);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(["records/0/fields/stars", "records/2/fields/rate", "records/2/fields/stage"]);
  });
});
