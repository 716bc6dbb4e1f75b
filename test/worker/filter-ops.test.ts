/**
 * The filter language over a small fixed data set: every operator on every type that allows it
 * returns exactly the expected records (expectations written by hand below), operators a type does
 * not allow are refused, operand shapes are validated, groups nest, and q / count / fields behave.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, createUser, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
type Rec = { id: number; fields: Record<string, unknown> };
type Key = "r1" | "r2" | "r3" | "r4" | "r5" | "r6";

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

let c: Client;
let table: string;
let u1: string;
let u2: string;
let t1: number;
let t2: number;
const ids = {} as Record<Key, number>;

const ALL_OPS = [
  "eq",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
  "in",
  "nin",
  "contains",
  "not_contains",
  "starts_with",
  "is_empty",
  "is_not_empty",
  "between",
] as const;
type Op = (typeof ALL_OPS)[number];

/** The operators each type allows, as the API documents them (written here, not imported). */
const TEXT: Op[] = ["eq", "neq", "in", "nin", "contains", "not_contains", "starts_with", "is_empty", "is_not_empty"];
const ORDERED: Op[] = ["eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "between", "is_empty", "is_not_empty"];
const ALLOWED: Record<string, { field: string; ops: Op[] }> = {
  text: { field: "name", ops: TEXT },
  long_text: { field: "notes", ops: TEXT },
  email: { field: "mail", ops: TEXT },
  phone: { field: "tel", ops: TEXT },
  url: { field: "site", ops: TEXT },
  number: { field: "num", ops: ORDERED },
  currency: { field: "amt", ops: ORDERED },
  percent: { field: "pct", ops: ORDERED },
  rating: { field: "stars", ops: ORDERED },
  autonumber: { field: "no", ops: ORDERED },
  date: { field: "d", ops: ORDERED },
  datetime: { field: "dt", ops: ORDERED },
  checkbox: { field: "flag", ops: ["eq", "neq"] },
  single_select: { field: "stage", ops: ["eq", "neq", "in", "nin", "is_empty", "is_not_empty"] },
  user: { field: "assignee", ops: ["eq", "neq", "in", "nin", "is_empty", "is_not_empty"] },
  multi_select: { field: "tags", ops: ["contains", "not_contains", "in", "nin", "is_empty", "is_not_empty"] },
  link: { field: "links", ops: ["contains", "not_contains", "is_empty", "is_not_empty"] },
};

const ALL: Key[] = ["r1", "r2", "r3", "r4", "r5", "r6"];
const except = (...k: Key[]) => ALL.filter((x) => !k.includes(x));

function url(params: Record<string, unknown>): string {
  const qs = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v))}`)
    .join("&");
  return `/tables/${table}/records?${qs}`;
}

async function idsFor(filter: unknown, extra: Record<string, unknown> = {}): Promise<number[]> {
  const res = await c.get(url({ filter, limit: 1000, ...extra }));
  expect(res.status, res.text).toBe(200);
  return res.body.records.map((r: Rec) => r.id);
}

/** Expected ids in ascending id order (the default order of a list). */
const want = (keys: Key[]) => keys.map((k) => ids[k]).sort((a, b) => a - b);

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = api(admin.token);
  u1 = (await createUser()).user.id;
  u2 = (await createUser()).user.id;
  const s = sfx();
  const target = `fo_target_${s}`;
  table = `fo_main_${s}`;
  let res = await c.post("/meta/tables", { name: target, fields: [{ name: "name", type: "text" }] });
  expect(res.status, res.text).toBe(201);
  res = await c.post("/meta/tables", {
    name: table,
    fields: [
      { name: "key", type: "text" },
      { name: "name", type: "text" },
      { name: "notes", type: "long_text" },
      { name: "mail", type: "email" },
      { name: "tel", type: "phone" },
      { name: "site", type: "url" },
      { name: "num", type: "number", options: { precision: 2 } },
      { name: "amt", type: "currency", options: { currency: "USD" } },
      { name: "pct", type: "percent" },
      { name: "stars", type: "rating" },
      { name: "no", type: "autonumber" },
      { name: "d", type: "date" },
      { name: "dt", type: "datetime" },
      { name: "flag", type: "checkbox" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "new" }, { name: "won" }, { name: "lost" }] },
      },
      { name: "tags", type: "multi_select", options: { choices: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
      { name: "assignee", type: "user" },
      { name: "links", type: "link", options: { table: target } },
    ],
  });
  expect(res.status, res.text).toBe(201);
  res = await c.post(`/tables/${target}/records`, {
    records: [{ fields: { name: "T1" } }, { fields: { name: "T2" } }],
  });
  expect(res.status, res.text).toBe(201);
  [t1, t2] = res.body.records.map((r: Rec) => r.id);
  const rows: Record<string, unknown>[] = [
    {
      key: "k1",
      name: "Alpha",
      notes: "First note",
      mail: "alpha@x.example",
      tel: "+1 555 0001",
      site: "https://alpha.example",
      num: 10,
      amt: { amount: 1000, currency: "USD" },
      pct: 500,
      stars: 3,
      d: "2024-01-15",
      dt: "2024-01-15T10:00:00Z",
      flag: true,
      stage: "new",
      tags: ["a", "b"],
      assignee: u1,
      links: [t1],
    },
    {
      key: "k2",
      name: "beta",
      notes: "second NOTE",
      mail: "beta@y.example",
      tel: "+1 555 0002",
      site: "http://beta.example/x",
      num: -5.5,
      amt: 250,
      pct: 0,
      stars: 5,
      d: "2024-03-01",
      dt: "2024-03-01T00:00:00+02:00",
      flag: false,
      stage: "won",
      tags: ["b"],
      assignee: u2,
      links: [t1, t2],
    },
    {
      key: "k3",
      name: "ALPHABET",
      notes: null,
      mail: null,
      tel: null,
      site: null,
      num: 10,
      amt: { amount: 1000, currency: "EUR" },
      pct: 10000,
      stars: 1,
      d: "2023-12-31",
      dt: "2023-12-31T23:59:59.999Z",
      flag: null,
      stage: null,
      tags: ["c"],
      assignee: null,
      links: [],
    },
    { key: "k4", name: "", notes: "", mail: "", tel: "", site: "", tags: [] },
    {
      key: "k5",
      name: "gamma 100%",
      notes: "a_b",
      mail: "gamma@x.example",
      tel: "(010) 555-0005",
      site: "https://gamma.example/100%25",
      num: 0,
      amt: 0,
      pct: -250,
      stars: 2,
      d: "2024-01-15",
      dt: "2024-01-15T12:00:00+02:00",
      flag: true,
      stage: "lost",
      tags: ["a", "c"],
      assignee: u1,
      links: [t2],
    },
    {
      key: "k6",
      name: "delta_x",
      notes: "100% sure",
      mail: null,
      tel: "+44 20 7946 0958",
      site: null,
      num: 99.99,
      amt: -500,
      pct: 500,
      stars: 4,
      d: "2025-06-30",
      dt: "2025-06-30T08:00:00.000Z",
      flag: false,
      stage: "new",
      tags: ["a", "b", "c"],
      assignee: u2,
      links: [t1, t2],
    },
  ];
  res = await c.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(res.status, res.text).toBe(201);
  res.body.records.forEach((r: Rec, i: number) => {
    expect(r.fields.key).toBe(`k${i + 1}`);
    ids[`r${i + 1}` as Key] = r.id;
  });
});

// [field, op, value, expected records]
type Case = [string, Op, unknown, Key[]];

const cases: Record<string, Case[]> = {
  text: [
    ["name", "eq", "Alpha", ["r1"]],
    ["name", "eq", "alpha", []],
    ["name", "neq", "Alpha", ["r2", "r3", "r4", "r5", "r6"]],
    ["name", "in", ["Alpha", "beta", "zzz"], ["r1", "r2"]],
    ["name", "nin", ["Alpha", "beta"], ["r3", "r4", "r5", "r6"]],
    ["name", "contains", "alpha", ["r1", "r3"]],
    ["name", "contains", "%", ["r5"]],
    ["name", "contains", "_", ["r6"]],
    ["name", "contains", "A_P", []],
    ["name", "not_contains", "alpha", ["r2", "r4", "r5", "r6"]],
    ["name", "not_contains", "%", ["r1", "r2", "r3", "r4", "r6"]],
    ["name", "starts_with", "AL", ["r1", "r3"]],
    ["name", "starts_with", "%", []],
    ["name", "starts_with", "_", []],
    ["name", "starts_with", "gamma 1", ["r5"]],
    ["name", "is_empty", null, ["r4"]],
    ["name", "is_not_empty", null, except("r4")],
  ],
  long_text: [
    ["notes", "eq", "a_b", ["r5"]],
    ["notes", "neq", "a_b", except("r5")],
    ["notes", "in", ["First note", "100% sure"], ["r1", "r6"]],
    ["notes", "nin", ["First note"], except("r1")],
    ["notes", "contains", "note", ["r1", "r2"]],
    ["notes", "not_contains", "note", ["r3", "r4", "r5", "r6"]],
    ["notes", "starts_with", "100%", ["r6"]],
    ["notes", "is_empty", null, ["r3", "r4"]],
    ["notes", "is_not_empty", null, ["r1", "r2", "r5", "r6"]],
  ],
  email: [
    ["mail", "eq", "beta@y.example", ["r2"]],
    ["mail", "neq", "beta@y.example", except("r2")],
    ["mail", "in", ["beta@y.example", "gamma@x.example"], ["r2", "r5"]],
    ["mail", "nin", ["beta@y.example"], except("r2")],
    ["mail", "contains", "X.EXAMPLE", ["r1", "r5"]],
    ["mail", "not_contains", "x.example", ["r2", "r3", "r4", "r6"]],
    ["mail", "starts_with", "GAMMA", ["r5"]],
    ["mail", "is_empty", null, ["r3", "r4", "r6"]],
    ["mail", "is_not_empty", null, ["r1", "r2", "r5"]],
  ],
  phone: [
    ["tel", "eq", "+1 555 0001", ["r1"]],
    ["tel", "neq", "+1 555 0001", except("r1")],
    ["tel", "in", ["+1 555 0002", "(010) 555-0005"], ["r2", "r5"]],
    ["tel", "nin", ["+1 555 0002", "(010) 555-0005"], ["r1", "r3", "r4", "r6"]],
    ["tel", "contains", "555", ["r1", "r2", "r5"]],
    ["tel", "not_contains", "555", ["r3", "r4", "r6"]],
    ["tel", "starts_with", "+1", ["r1", "r2"]],
    ["tel", "is_empty", null, ["r3", "r4"]],
    ["tel", "is_not_empty", null, ["r1", "r2", "r5", "r6"]],
  ],
  url: [
    ["site", "eq", "http://beta.example/x", ["r2"]],
    ["site", "neq", "http://beta.example/x", except("r2")],
    ["site", "in", ["https://alpha.example", "nope"], ["r1"]],
    ["site", "nin", ["https://alpha.example"], except("r1")],
    ["site", "contains", "%25", ["r5"]],
    ["site", "not_contains", "example", ["r3", "r4", "r6"]],
    ["site", "starts_with", "https://", ["r1", "r5"]],
    ["site", "is_empty", null, ["r3", "r4", "r6"]],
    ["site", "is_not_empty", null, ["r1", "r2", "r5"]],
  ],
  number: [
    ["num", "eq", 10, ["r1", "r3"]],
    ["num", "eq", -5.5, ["r2"]],
    ["num", "neq", 10, ["r2", "r4", "r5", "r6"]],
    ["num", "lt", 0, ["r2"]],
    ["num", "lt", 0.5, ["r2", "r5"]],
    ["num", "lte", 0, ["r2", "r5"]],
    ["num", "gt", 10, ["r6"]],
    ["num", "gte", 10, ["r1", "r3", "r6"]],
    ["num", "in", [0, 99.99], ["r5", "r6"]],
    ["num", "nin", [10], ["r2", "r4", "r5", "r6"]],
    ["num", "between", [-5.5, 10], ["r1", "r2", "r3", "r5"]],
    ["num", "between", [10, -5.5], []],
    ["num", "is_empty", null, ["r4"]],
    ["num", "is_not_empty", null, except("r4")],
  ],
  currency: [
    ["amt", "eq", 1000, ["r1", "r3"]],
    ["amt", "neq", 1000, ["r2", "r4", "r5", "r6"]],
    ["amt", "lt", 0, ["r6"]],
    ["amt", "lte", 0, ["r5", "r6"]],
    ["amt", "gt", 250, ["r1", "r3"]],
    ["amt", "gte", 250, ["r1", "r2", "r3"]],
    ["amt", "in", [250, -500], ["r2", "r6"]],
    ["amt", "nin", [1000, 0], ["r2", "r4", "r6"]],
    ["amt", "between", [0, 250], ["r2", "r5"]],
    ["amt", "is_empty", null, ["r4"]],
    ["amt", "is_not_empty", null, except("r4")],
  ],
  percent: [
    ["pct", "eq", 500, ["r1", "r6"]],
    ["pct", "neq", 500, ["r2", "r3", "r4", "r5"]],
    ["pct", "lt", 0, ["r5"]],
    ["pct", "lte", 0, ["r2", "r5"]],
    ["pct", "gt", 500, ["r3"]],
    ["pct", "gte", 500, ["r1", "r3", "r6"]],
    ["pct", "in", [0, 10000], ["r2", "r3"]],
    ["pct", "nin", [500], ["r2", "r3", "r4", "r5"]],
    ["pct", "between", [-250, 0], ["r2", "r5"]],
    ["pct", "is_empty", null, ["r4"]],
    ["pct", "is_not_empty", null, except("r4")],
  ],
  rating: [
    ["stars", "eq", 3, ["r1"]],
    ["stars", "neq", 3, except("r1")],
    ["stars", "lt", 3, ["r3", "r5"]],
    ["stars", "lte", 3, ["r1", "r3", "r5"]],
    ["stars", "gt", 4, ["r2"]],
    ["stars", "gte", 4, ["r2", "r6"]],
    ["stars", "in", [1, 5], ["r2", "r3"]],
    ["stars", "nin", [1, 5], ["r1", "r4", "r5", "r6"]],
    ["stars", "between", [2, 4], ["r1", "r5", "r6"]],
    ["stars", "is_empty", null, ["r4"]],
    ["stars", "is_not_empty", null, except("r4")],
  ],
  autonumber: [
    ["no", "eq", 3, ["r3"]],
    ["no", "neq", 3, except("r3")],
    ["no", "lt", 2, ["r1"]],
    ["no", "lte", 2, ["r1", "r2"]],
    ["no", "gt", 5, ["r6"]],
    ["no", "gte", 5, ["r5", "r6"]],
    ["no", "in", [2, 4], ["r2", "r4"]],
    ["no", "nin", [2, 4], ["r1", "r3", "r5", "r6"]],
    ["no", "between", [3, 4], ["r3", "r4"]],
    ["no", "is_empty", null, []],
    ["no", "is_not_empty", null, ALL],
  ],
  date: [
    ["d", "eq", "2024-01-15", ["r1", "r5"]],
    ["d", "neq", "2024-01-15", ["r2", "r3", "r4", "r6"]],
    ["d", "lt", "2024-01-15", ["r3"]],
    ["d", "lte", "2024-01-15", ["r1", "r3", "r5"]],
    ["d", "gt", "2024-03-01", ["r6"]],
    ["d", "gte", "2024-03-01", ["r2", "r6"]],
    ["d", "in", ["2023-12-31", "2025-06-30"], ["r3", "r6"]],
    ["d", "nin", ["2024-01-15"], ["r2", "r3", "r4", "r6"]],
    ["d", "between", ["2024-01-01", "2024-12-31"], ["r1", "r2", "r5"]],
    ["d", "is_empty", null, ["r4"]],
    ["d", "is_not_empty", null, except("r4")],
  ],
  // Stored: r1 2024-01-15T10:00Z, r2 2024-02-29T22:00Z, r3 2023-12-31T23:59:59.999Z, r5 2024-01-15T10:00Z, r6
  // 2025-06-30T08:00Z.
  datetime: [
    ["dt", "eq", "2024-01-15T11:00:00+01:00", ["r1", "r5"]],
    ["dt", "neq", "2024-01-15T10:00:00Z", ["r2", "r3", "r4", "r6"]],
    ["dt", "lt", "2024-01-01T00:00:00Z", ["r3"]],
    ["dt", "lt", "2024-02-29T23:00:00+01:00", ["r1", "r3", "r5"]],
    ["dt", "lte", "2024-02-29T23:00:00+01:00", ["r1", "r2", "r3", "r5"]],
    ["dt", "gt", "2024-03-01T00:00:00+02:00", ["r6"]],
    ["dt", "gte", "2024-03-01T00:00:00+02:00", ["r2", "r6"]],
    ["dt", "in", ["2023-12-31T23:59:59.999Z", "2025-06-30T10:00:00+02:00"], ["r3", "r6"]],
    ["dt", "nin", ["2024-01-15T10:00:00Z"], ["r2", "r3", "r4", "r6"]],
    ["dt", "between", ["2024-01-15T10:00:00Z", "2024-02-29T22:00:00Z"], ["r1", "r2", "r5"]],
    ["dt", "is_empty", null, ["r4"]],
    ["dt", "is_not_empty", null, except("r4")],
  ],
  checkbox: [
    ["flag", "eq", true, ["r1", "r5"]],
    ["flag", "eq", false, ["r2", "r3", "r4", "r6"]],
    ["flag", "neq", true, ["r2", "r3", "r4", "r6"]],
    ["flag", "neq", false, ["r1", "r5"]],
  ],
  single_select: [
    ["stage", "eq", "new", ["r1", "r6"]],
    ["stage", "neq", "new", ["r2", "r3", "r4", "r5"]],
    ["stage", "in", ["won", "lost"], ["r2", "r5"]],
    ["stage", "nin", ["new"], ["r2", "r3", "r4", "r5"]],
    ["stage", "is_empty", null, ["r3", "r4"]],
    ["stage", "is_not_empty", null, ["r1", "r2", "r5", "r6"]],
  ],
  multi_select: [
    ["tags", "contains", "a", ["r1", "r5", "r6"]],
    ["tags", "not_contains", "a", ["r2", "r3", "r4"]],
    ["tags", "in", ["b", "c"], ["r1", "r2", "r3", "r5", "r6"]],
    ["tags", "in", ["b"], ["r1", "r2", "r6"]],
    ["tags", "nin", ["b"], ["r3", "r4", "r5"]],
    ["tags", "nin", ["a", "b", "c"], ["r4"]],
    ["tags", "is_empty", null, ["r4"]],
    ["tags", "is_not_empty", null, except("r4")],
  ],
  link: [
    ["links", "contains", "T1", ["r1", "r2", "r6"]],
    ["links", "not_contains", "T1", ["r3", "r4", "r5"]],
    ["links", "contains", "T2", ["r2", "r5", "r6"]],
    ["links", "is_empty", null, ["r3", "r4"]],
    ["links", "is_not_empty", null, ["r1", "r2", "r5", "r6"]],
  ],
};

/** Values that depend on ids made at setup (users, link targets) are named symbolically above. */
function resolve(field: string, value: unknown): unknown {
  const map: Record<string, unknown> = { T1: t1, T2: t2, U1: u1, U2: u2 };
  if (field === "links" || field === "assignee") {
    if (Array.isArray(value)) return value.map((v) => map[v as string] ?? v);
    return map[value as string] ?? value;
  }
  return value;
}

cases.user = [
  ["assignee", "eq", "U1", ["r1", "r5"]],
  ["assignee", "neq", "U1", ["r2", "r3", "r4", "r6"]],
  ["assignee", "in", ["U2"], ["r2", "r6"]],
  ["assignee", "nin", ["U2"], ["r1", "r3", "r4", "r5"]],
  ["assignee", "is_empty", null, ["r3", "r4"]],
  ["assignee", "is_not_empty", null, ["r1", "r2", "r5", "r6"]],
];

describe("every allowed operator returns exactly the expected records", () => {
  for (const [type, list] of Object.entries(cases)) {
    it.each(list)(`${type}: %s %s %j matches %j`, async (field, op, value, expected) => {
      const cond =
        op === "is_empty" || op === "is_not_empty" ? { field, op } : { field, op, value: resolve(field, value) };
      expect(await idsFor(cond)).toEqual(want(expected));
    });
  }

  it("the cases above cover every operator each type allows", () => {
    for (const [type, { field, ops }] of Object.entries(ALLOWED)) {
      const covered = new Set(cases[type]!.filter((x) => x[0] === field).map((x) => x[1]));
      expect([...covered].sort(), type).toEqual([...ops].sort());
    }
  });

  it("is_empty and is_not_empty accept an explicit null value", async () => {
    expect(await idsFor({ field: "num", op: "is_empty", value: null })).toEqual(want(["r4"]));
  });

  it("a condition may name the field by its id", async () => {
    const meta = await c.get(`/meta/tables/${table}`);
    const fid = meta.body.table.fields.find((f: { name: string }) => f.name === "stars").id;
    expect(await idsFor({ field: fid, op: "gte", value: 4 })).toEqual(want(["r2", "r6"]));
  });
});

describe("operators a type does not allow", () => {
  const pairs = Object.entries(ALLOWED).flatMap(([type, { field, ops }]) =>
    ALL_OPS.filter((op) => !ops.includes(op)).map((op) => [type, field, op] as const),
  );

  it.each(pairs)("%s field %s refuses %s with 400 unknown_operator", async (_type, field, op) => {
    const res = await c.get(url({ filter: { field, op, value: "x" } }));
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe("unknown_operator");
    expect(res.body.errors[0].field).toBe("filter/op");
  });

  it("an operator that does not exist is refused with 400 unknown_operator", async () => {
    for (const op of ["like", "EQ", "", 5]) {
      const res = await c.get(url({ filter: { field: "name", op, value: "x" } }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("unknown_operator");
    }
  });

  it("a disallowed operator deep in a group names its path", async () => {
    const res = await c.get(
      url({
        filter: { and: [{ field: "num", op: "eq", value: 1 }, { or: [{ field: "flag", op: "in", value: [true] }] }] },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_operator");
    expect(res.body.errors[0].field).toBe("filter/and/1/or/0/op");
  });
});

describe("operand shapes", () => {
  const bad: [string, unknown, string][] = [
    ["in with a scalar", { field: "name", op: "in", value: "Alpha" }, "filter/value"],
    ["in with an empty list", { field: "name", op: "in", value: [] }, "filter/value"],
    ["in with a wrong item type", { field: "num", op: "in", value: [1, "2"] }, "filter/value"],
    ["nin with an object", { field: "num", op: "nin", value: { a: 1 } }, "filter/value"],
    ["nin with an unknown choice", { field: "stage", op: "nin", value: ["new", "nope"] }, "filter/value"],
    ["between with one bound", { field: "num", op: "between", value: [1] }, "filter/value"],
    ["between with three bounds", { field: "num", op: "between", value: [1, 2, 3] }, "filter/value"],
    ["between with a string", { field: "num", op: "between", value: "1..2" }, "filter/value"],
    ["between with a bad bound", { field: "d", op: "between", value: ["2024-01-01", "soon"] }, "filter/value"],
    ["between with null", { field: "num", op: "between", value: null }, "filter/value"],
    ["eq without a value", { field: "num", op: "eq" }, "filter/value"],
    ["eq with a string on a number", { field: "num", op: "eq", value: "10" }, "filter/value"],
    ["eq with a float on currency", { field: "amt", op: "eq", value: 2.5 }, "filter/value"],
    ["eq with a bad date", { field: "d", op: "eq", value: "2024-02-30" }, "filter/value"],
    ["eq with a date on datetime", { field: "dt", op: "eq", value: "2024-01-15" }, "filter/value"],
    ["eq with a string on checkbox", { field: "flag", op: "eq", value: "true" }, "filter/value"],
    ["eq with an unknown choice", { field: "stage", op: "eq", value: "nope" }, "filter/value"],
    ["contains with an empty string", { field: "name", op: "contains", value: "" }, "filter/value"],
    ["contains with an unknown choice", { field: "tags", op: "contains", value: "z" }, "filter/value"],
    ["contains with a non-id on a link", { field: "links", op: "contains", value: "1" }, "filter/value"],
    [
      "a bad operand nested in groups",
      { or: [{ field: "num", op: "eq", value: 1 }, { and: [{ field: "num", op: "between", value: [1] }] }] },
      "filter/or/1/and/0/value",
    ],
  ];

  it.each(bad)("%s is refused with 422 naming the value", async (_name, filter, path) => {
    const res = await c.get(url({ filter }));
    expect(res.status, res.text).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const e of res.body.errors) expect(e.field === path || e.field.startsWith(`${path}/`), e.field).toBe(true);
  });

  it("is_empty with a value is refused with 400", async () => {
    const res = await c.get(url({ filter: { field: "num", op: "is_empty", value: 1 } }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("filter/value");
  });

  it("malformed filters are refused with 400", async () => {
    for (const filter of [
      "[1]",
      '"x"',
      '{"field":"num","op":"eq","value":1,"extra":1}',
      '{"and":{}}',
      '{"and":[],"or":[]}',
    ]) {
      const res = await c.get(`/tables/${table}/records?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
    }
    const res = await c.get(`/tables/${table}/records?filter=${encodeURIComponent("{not json")}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_json");
  });
});

describe("and/or groups", () => {
  it("an or of ands matches either branch", async () => {
    const filter = {
      or: [
        {
          and: [
            { field: "num", op: "gte", value: 10 },
            { field: "flag", op: "eq", value: true },
          ],
        },
        {
          and: [
            { field: "stage", op: "eq", value: "lost" },
            { field: "tags", op: "contains", value: "c" },
          ],
        },
      ],
    };
    expect(await idsFor(filter)).toEqual(want(["r1", "r5"]));
  });

  it("an and of ors needs every branch", async () => {
    const filter = {
      and: [
        {
          or: [
            { field: "name", op: "starts_with", value: "al" },
            { field: "name", op: "is_empty" },
            { field: "name", op: "contains", value: "_" },
          ],
        },
        {
          or: [
            { field: "num", op: "eq", value: 10 },
            { field: "num", op: "gt", value: 50 },
          ],
        },
      ],
    };
    expect(await idsFor(filter)).toEqual(want(["r1", "r3", "r6"]));
  });

  it("groups nest three levels deep", async () => {
    const filter = {
      and: [
        { field: "stars", op: "is_not_empty" },
        {
          or: [
            {
              and: [
                { field: "d", op: "lt", value: "2024-02-01" },
                { field: "assignee", op: "is_empty" },
              ],
            },
            {
              and: [
                { field: "pct", op: "eq", value: 500 },
                { field: "tags", op: "contains", value: "c" },
              ],
            },
          ],
        },
      ],
    };
    // r3: date 2023-12-31, no owner; r6: pct 500 and tag c.
    expect(await idsFor(filter)).toEqual(want(["r3", "r6"]));
  });

  it("an empty and matches every record and an empty or matches none", async () => {
    expect(await idsFor({ and: [] })).toEqual(want(ALL));
    expect(await idsFor({ or: [] })).toEqual([]);
    expect(await idsFor({ or: [{ and: [] }, { field: "num", op: "eq", value: 12345 }] })).toEqual(want(ALL));
  });

  it("nesting deeper than 8 levels is refused with 400", async () => {
    let f: unknown = { field: "num", op: "eq", value: 1 };
    for (let i = 0; i < 8; i++) f = { and: [f] };
    const res = await c.get(url({ filter: f }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe("too_deep");
  });
});

async function listIds(params: Record<string, unknown>): Promise<number[]> {
  const res = await c.get(url({ limit: 1000, ...params }));
  expect(res.status, res.text).toBe(200);
  return res.body.records.map((r: Rec) => r.id);
}

describe("q search", () => {
  it("matches any text-like field case-insensitively as a substring", async () => {
    // name Alpha / ALPHABET, mail alpha@x.example
    expect(await listIds({ q: "alpha" })).toEqual(want(["r1", "r3"]));
    // long_text notes
    expect(await listIds({ q: "NOTE" })).toEqual(want(["r1", "r2"]));
    // phone
    expect(await listIds({ q: "7946" })).toEqual(want(["r6"]));
    // url
    expect(await listIds({ q: "beta.example/x" })).toEqual(want(["r2"]));
  });

  it("searches single_select values too", async () => {
    expect(await listIds({ q: "lost" })).toEqual(want(["r5"]));
    expect(await listIds({ q: "won" })).toEqual(want(["r2"]));
  });

  it("treats % _ and \\ in the search text literally", async () => {
    expect(await listIds({ q: "100%" })).toEqual(want(["r5", "r6"]));
    expect(await listIds({ q: "a_b" })).toEqual(want(["r5"]));
    expect(await listIds({ q: "%" })).toEqual(want(["r5", "r6"]));
    expect(await listIds({ q: "\\" })).toEqual([]);
  });

  it("does not search number, date or other non-text fields", async () => {
    expect(await listIds({ q: "99.99" })).toEqual([]);
    expect(await listIds({ q: "2025-06-30" })).toEqual([]);
  });

  it("combines with a filter (both must hold)", async () => {
    expect(await listIds({ q: "alpha", filter: { field: "flag", op: "eq", value: true } })).toEqual(want(["r1"]));
    expect(await listIds({ q: "zzz-nothing" })).toEqual([]);
  });

  it("refuses search text over 200 characters with 400", async () => {
    const res = await c.get(url({ q: "x".repeat(201) }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("q");
  });
});

describe("count=true", () => {
  const filters: [unknown, Key[]][] = [
    [undefined, ALL],
    [{ field: "num", op: "eq", value: 10 }, ["r1", "r3"]],
    [{ field: "tags", op: "contains", value: "a" }, ["r1", "r5", "r6"]],
    [{ field: "name", op: "is_empty" }, ["r4"]],
    [{ field: "num", op: "gt", value: 1000 }, []],
  ];

  it.each(filters)(
    "total for %j equals the number of matching records, whatever the page size",
    async (filter, expected) => {
      for (const limit of [1, 2, 1000]) {
        const res = await c.get(url({ ...(filter ? { filter } : {}), limit, count: "true" }));
        expect(res.status, res.text).toBe(200);
        expect(res.body.total).toBe(expected.length);
        expect(res.body.records.length).toBe(Math.min(limit, expected.length));
      }
    },
  );

  it("total honours q as well", async () => {
    const res = await c.get(url({ q: "alpha", count: "true", limit: 1 }));
    expect(res.body.total).toBe(2);
  });

  it("total is absent without count=true and count must be true or false", async () => {
    const res = await c.get(url({ limit: 1 }));
    expect(res.status).toBe(200);
    expect("total" in res.body).toBe(false);
    expect((await c.get(url({ count: "yes" }))).status).toBe(400);
  });
});

describe("fields=", () => {
  it("returns only the named fields, with their values", async () => {
    const res = await c.get(url({ fields: "name,num", filter: { field: "key", op: "eq", value: "k2" } }));
    expect(res.status).toBe(200);
    expect(res.body.records).toHaveLength(1);
    expect(res.body.records[0].id).toBe(ids.r2);
    expect(res.body.records[0].fields).toEqual({ name: "beta", num: -5.5 });
  });

  it("may filter and sort on fields it does not return", async () => {
    const res = await c.get(url({ fields: "key", filter: { field: "stars", op: "gte", value: 3 }, sort: "-stars" }));
    expect(res.status).toBe(200);
    expect(res.body.records.map((r: Rec) => r.fields)).toEqual([{ key: "k2" }, { key: "k6" }, { key: "k1" }]);
  });

  it("limits fields on a single-record GET too", async () => {
    const res = await c.get(`/tables/${table}/records/${ids.r1}?fields=amt,tags,links`);
    expect(res.status).toBe(200);
    expect(res.body.record.fields).toEqual({ amt: { amount: 1000, currency: "USD" }, tags: ["a", "b"], links: [t1] });
  });
});

describe("unknown fields", () => {
  it("an unknown field in a filter is refused with 400 unknown_field", async () => {
    const res = await c.get(
      url({
        filter: {
          and: [
            { field: "num", op: "eq", value: 1 },
            { field: "nope", op: "eq", value: 1 },
          ],
        },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_field");
    expect(res.body.errors[0].field).toBe("filter/and/1/field");
  });

  it("an unknown field in sort is refused with 400 unknown_field", async () => {
    for (const sort of ["nope", "-nope", "num,nope"]) {
      const res = await c.get(url({ sort }));
      expect(res.status, sort).toBe(400);
      expect(res.body.code).toBe("unknown_field");
      expect(res.body.errors[0].field).toBe("sort");
    }
  });

  it("an unknown field in fields= is refused with 400 unknown_field", async () => {
    const res = await c.get(url({ fields: "name,nope" }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("unknown_field");
    expect(res.body.errors[0].field).toBe("fields");
    const one = await c.get(`/tables/${table}/records/${ids.r1}?fields=nope`);
    expect(one.status).toBe(400);
  });

  // `id` is the one system column a filter names (filter-id.test.ts).
  it("system columns other than id are not fields a filter may name", async () => {
    for (const field of ["created_at", "updated_at", "created_by", "version"]) {
      const res = await c.get(url({ filter: { field, op: "eq", value: 1 } }));
      expect(res.status, field).toBe(400);
      expect(res.body.code).toBe("unknown_field");
    }
  });
});
