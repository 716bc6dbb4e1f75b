/**
 * Autonumbers with a format (prefix, year, zero padding): document numbers such as Q-2026-00042,
 * counted per year when the format holds the year, reserved from the field's counter before the
 * write's batch (db/reserve.ts), unique under concurrent creates.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, testEnv, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
let admin: Client;
let table: string;
let numberField: string;
const year = new Date().getUTCFullYear();
const YEAR_BASE = 1_000_000_000;

const uniqName = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
const create = (fields: Record<string, unknown> = {}, t = table) => admin.post(`/tables/${t}/records`, { fields });

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  table = uniqName("quotes");
  const r = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "title", type: "text" },
      { name: "number", type: "autonumber", options: { format: { prefix: "Q-", year: true, padding: 5 } } },
      { name: "seq", type: "autonumber" },
    ],
  });
  expect(r.status, r.text).toBe(201);
  numberField = r.body.table.fields.find((f: { name: string }) => f.name === "number").id;
});

describe("formatted autonumbers", () => {
  it("numbers a record with prefix, year and padding; a plain autonumber stays a number", async () => {
    const r = await create({ title: "first" });
    expect(r.status, r.text).toBe(201);
    expect(r.body.record.fields.number).toBe(`Q-${year}-00001`);
    expect(r.body.record.fields.seq).toBe(1);
    const back = await admin.get(`/tables/${table}/records/${r.body.record.id}`);
    expect(back.body.record.fields.number).toBe(`Q-${year}-00001`);
  });

  it("is unique and gap-free under concurrent creates and bulk creates", async () => {
    const before = (await admin.get(`/tables/${table}/records?limit=500`)).body.records.length as number;
    const single = Array.from({ length: 12 }, (_, i) => create({ title: `c${i}` }));
    const bulk = Array.from({ length: 3 }, (_, i) =>
      admin.post(`/tables/${table}/records`, {
        records: [0, 1, 2, 3].map((k) => ({ fields: { title: `b${i}${k}` } })),
      }),
    );
    const replies = await Promise.all([...single, ...bulk]);
    for (const r of replies) expect(r.status, r.text).toBe(201);
    const all = (await admin.get(`/tables/${table}/records?limit=500&sort=number`)).body.records as {
      fields: { number: string };
    }[];
    const numbers = all.map((x) => x.fields.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.length).toBe(before + 24);
    expect(numbers).toEqual(numbers.map((_, i) => `Q-${year}-${String(i + 1).padStart(5, "0")}`));
  });

  it("starts each year at 1 and never moves back a year", async () => {
    const t = uniqName("years");
    const r = await admin.post("/meta/tables", {
      name: t,
      fields: [{ name: "no", type: "autonumber", options: { format: { prefix: "Q-", year: true, padding: 5 } } }],
    });
    expect(r.status, r.text).toBe(201);
    const id = r.body.table.fields[0].id as string;
    const setCounter = (value: number) =>
      testEnv.DB.prepare("UPDATE sg_fields SET next_number = ?1 WHERE id = ?2").bind(value, id).run();
    await setCounter((year - 1) * YEAR_BASE + 77); // the counter last counted in the previous year
    expect((await create({}, t)).body.record.fields.no).toBe(`Q-${year}-00001`);
    expect((await create({}, t)).body.record.fields.no).toBe(`Q-${year}-00002`);
    await setCounter((year + 1) * YEAR_BASE + 7); // another isolate already counts in the next year
    expect((await create({}, t)).body.record.fields.no).toBe(`Q-${year + 1}-00007`);
    await setCounter((year + 1) * YEAR_BASE + 123456); // past its padding it widens rather than wraps
    expect((await create({}, t)).body.record.fields.no).toBe(`Q-${year + 1}-123456`);
  });

  it("filters by its text", async () => {
    const f = encodeURIComponent(JSON.stringify({ field: "number", op: "eq", value: `Q-${year}-00001` }));
    const r = await admin.get(`/tables/${table}/records?filter=${f}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.records.map((x: { fields: { title: string } }) => x.fields.title)).toEqual(["first"]);
  });

  it("is found by the search box (q)", async () => {
    const r = await admin.get(`/tables/${table}/records?q=${encodeURIComponent(`Q-${year}-00001`)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.records.map((x: { fields: { title: string } }) => x.fields.title)).toEqual(["first"]);
  });

  it("a format without the year counts on: SO-000001", async () => {
    const t = uniqName("orders");
    const r = await admin.post("/meta/tables", {
      name: t,
      fields: [{ name: "no", type: "autonumber", options: { format: { prefix: "SO-", padding: 6 } } }],
    });
    expect(r.status, r.text).toBe(201);
    expect((await create({}, t)).body.record.fields.no).toBe("SO-000001");
    expect((await create({}, t)).body.record.fields.no).toBe("SO-000002");
  });

  it("numbers existing records when added to a table that has some", async () => {
    const t = uniqName("later");
    expect((await admin.post("/meta/tables", { name: t, fields: [{ name: "title", type: "text" }] })).status).toBe(201);
    for (const title of ["a", "b"]) expect((await create({ title }, t)).status).toBe(201);
    const f = await admin.post(`/meta/tables/${t}/fields`, {
      name: "ref",
      type: "autonumber",
      options: { format: { prefix: "R/", year: true, padding: 3 } },
    });
    expect(f.status, f.text).toBe(201);
    const rows = (await admin.get(`/tables/${t}/records`)).body.records as { fields: { ref: string } }[];
    expect(rows.map((x) => x.fields.ref)).toEqual([`R/${year}-001`, `R/${year}-002`]);
    expect((await create({ title: "c" }, t)).body.record.fields.ref).toBe(`R/${year}-003`);
  });
});

describe("bad autonumber input", () => {
  it("refuses a value sent by a client", async () => {
    const r = await create({ number: "Q-1999-00001" });
    expect([403, 422]).toContain(r.status);
    expect(r.body.errors[0].field).toBe("fields/number");
  });

  it("keeps its format once created", async () => {
    const r = await admin.patch(`/meta/tables/${table}/fields/${numberField}`, {
      options: { format: { prefix: "X-", year: true, padding: 5 } },
    });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: "options/format", code: "fixed" })]);
  });

  it("refuses a prefix that is not letters, digits or _./-, padding out of range, an unknown time zone", async () => {
    for (const [format, field] of [
      [{ prefix: "Q'; --" }, "fields/0/options/format/prefix"],
      [{ padding: 13 }, "fields/0/options/format/padding"],
      [{ year: true, timeZone: "Mars/Base" }, "fields/0/options/format/timeZone"],
      [{ suffix: "x" }, "fields/0/options/format/suffix"],
    ] as const) {
      const r = await admin.post("/meta/tables", {
        name: uniqName("bad"),
        fields: [{ name: "no", type: "autonumber", options: { format } }],
      });
      expect(r.status, r.text).toBe(422);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it("takes the year in the format's time zone", async () => {
    const t = uniqName("tz");
    const r = await admin.post("/meta/tables", {
      name: t,
      fields: [{ name: "no", type: "autonumber", options: { format: { year: true, timeZone: "Asia/Shanghai" } } }],
    });
    expect(r.status, r.text).toBe(201);
    const shanghaiYear = Number(new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format());
    expect((await create({}, t)).body.record.fields.no).toBe(`${shanghaiYear}-00001`);
  });
});
