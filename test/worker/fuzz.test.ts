/**
 * Fuzz: random record bodies (create and update, one and many), filters, sorts and other list
 * parameters against a table with one field of every type. Whatever is sent, the answer is never a
 * 5xx and never carries a stack trace; a refusal is problem+json naming what is wrong.
 * Runs are bounded so the file takes well under a minute.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_TYPES } from "../../worker/model/field-types";
import type { FieldType } from "../../worker/model/types";
import { api, userWithToken, type ApiResponse } from "./helpers";

type Client = ReturnType<typeof api>;

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);
const CHOICES = ["open", "won", "__proto__", "toString"];
const OPTIONS: Partial<Record<FieldType, Record<string, unknown>>> = {
  text: { maxLength: 50 },
  number: { min: -1000, max: 1000, precision: 2 },
  currency: { currency: "USD" },
  rating: { max: 5 },
  single_select: { choices: CHOICES.map((name) => ({ name })) },
  multi_select: { choices: CHOICES.map((name) => ({ name })) },
};
const TYPES = Object.keys(FIELD_TYPES) as FieldType[];
/** Field names: `f_<type>`, plus `constructor` (a text field) to keep prototype keys in play. */
const NAMES = [...TYPES.map((t) => `f_${t}`), "constructor"];
const OPS = [
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
];
const ODD_KEYS = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "", "id", "nope"];

let c: Client;
let table: string;
let ids: number[] = [];
let targetIds: number[] = [];
let userId: string;

/** Never a 5xx, never a stack trace; refusals are problem+json naming what is wrong. */
function expectSound(res: ApiResponse, what: string) {
  expect(res.status, `${what} -> ${res.text.slice(0, 500)}`).toBeLessThan(500);
  expect(res.text, what).not.toMatch(/\bat \S+\.(ts|js|mjs):\d+/);
  expect(res.text, what).not.toMatch(/\b[A-Z][a-zA-Z]*Error:/);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), what).toContain("application/problem+json");
    expect(Array.isArray(res.body?.errors) && res.body.errors.length > 0, `${what} -> ${res.text.slice(0, 300)}`).toBe(
      true,
    );
  }
}

/** Values near every type's edges, odd strings and arbitrary JSON. */
const odd = fc.oneof(
  fc.constantFrom(
    null,
    "",
    " ",
    "x",
    "open",
    "won",
    "__proto__",
    "toString",
    "constructor",
    "2026-02-28",
    "2027-02-30",
    "2026-13-01",
    "1899-12-31",
    "2026-01-01T10:00:00Z",
    "2026-12-31T23:59:60Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T10:00:00+25:00",
    "2026-01-01t10:00:00.1234567z",
    "a\ud800b",
    "\udfff",
    "😀",
    "x@y.example",
    "https://a.example/",
    "+86 138 0013 8000",
    "usr_abcdefghijkl",
    "'; DROP TABLE x;--",
    "%_\\",
    0,
    -0,
    1,
    -1,
    5,
    6,
    1.5,
    0.125,
    999.99,
    1e15,
    1e16,
    2 ** 53,
    -(2 ** 53),
    1e308,
    -1e308,
    true,
    false,
    [],
    [1],
    [1, 1],
    ["open"],
    ["open", "open"],
    ["__proto__", "toString"],
    {},
    { amount: 100 },
    { amount: 100, currency: "EUR" },
    { amount: 1.5 },
    { amount: 1, currency: "XXX" },
    { amount: 1, currency: "usd" },
    { amount: 2 ** 60 },
    { currency: "USD" },
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Mostly values a field takes (so bodies often get past validation to encoding and SQL), some odd. */
function valueFor(type: FieldType): fc.Arbitrary<unknown> {
  const instant = fc.date({
    min: new Date("1890-01-01T00:00:00Z"),
    max: new Date("9999-12-31T23:59:59Z"),
    noInvalidDate: true,
  });
  const valid: Record<FieldType, fc.Arbitrary<unknown>> = {
    text: fc.string({ maxLength: 50 }),
    long_text: fc.string({ maxLength: 200 }),
    email: fc.constantFrom("x@y.example", "a.b+c@d.example"),
    phone: fc.constantFrom("+86 138 0013 8000", "(030) 123-456"),
    url: fc.constantFrom("https://a.example/x?y=1", "http://b.example"),
    number: fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: -100000, max: 100000 }).map((n) => n / 100),
    ),
    currency: fc.oneof(
      fc.maxSafeInteger(),
      fc.record(
        { amount: fc.maxSafeInteger(), currency: fc.constantFrom("USD", "EUR", "JPY") },
        { requiredKeys: ["amount"] },
      ),
    ),
    percent: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    rating: fc.integer({ min: 1, max: 5 }),
    decimal: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => (n / 100).toFixed(2)) },
      { weight: 1, arbitrary: fc.constantFrom("0.1", "1.2345", "-0", "99999999999999999", 0.5, "1e3") },
    ),
    date: fc.oneof(
      { weight: 4, arbitrary: instant.map((d) => d.toISOString().slice(0, 10)) },
      { weight: 2, arbitrary: fc.constantFrom("2024-02-29", "2027-02-30", "2026-13-01", "9999-12-31", "1900-01-01") },
    ),
    datetime: fc.oneof(
      { weight: 4, arbitrary: instant.map((d) => d.toISOString()) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "2026-12-31T23:59:60Z",
          "2027-01-01T07:59:60+08:00",
          "2026-01-01T24:00:00Z",
          "2026-01-01T10:00:00+25:00",
          "9999-12-31T23:00:00-05:00",
          "1900-01-01T00:00:00+01:00",
          "2026-01-01t10:00:00.123456z",
        ),
      },
    ),
    checkbox: fc.boolean(),
    single_select: fc.constantFrom(...CHOICES),
    multi_select: fc.subarray(CHOICES),
    user: fc.constant("__user__"),
    link: fc.constant("__links__"),
    autonumber: fc.integer({ min: 1, max: 10 }),
  };
  return fc.oneof(
    { weight: 12, arbitrary: valid[type] },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: odd },
  );
}

const fieldsArb = fc
  .tuple(
    fc.record(
      Object.fromEntries([
        ...TYPES.filter((t) => t !== "autonumber").map((t) => [`f_${t}`, valueFor(t)]),
        ["constructor", valueFor("text")],
      ]),
      { requiredKeys: [] },
    ),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ODD_KEYS, "f_autonumber"), odd) },
    ),
  )
  .map(([fields, extra]) => {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(fields))
      out[k] = v === "__user__" ? userId : v === "__links__" ? targetIds.slice(0, 1 + (k.length % 2)) : v;
    if (extra)
      Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    return out;
  });

/**
 * A condition on a field of `type`: mostly well-shaped (an operator the type allows, an operand of its
 * type and the op's arity) so filters reach operand encoding and SQL, else junk in any part.
 */
const condOn = (type: FieldType) => {
  const v = valueFor(type).map((x) => (x === "__user__" ? userId : x === "__links__" ? targetIds[0] : x));
  const field = `f_${type}`;
  const shaped = fc.constantFrom(...FIELD_TYPES[type].ops).chain((op) => {
    const value: fc.Arbitrary<unknown> =
      op === "in" || op === "nin"
        ? fc.array(v, { minLength: 1, maxLength: 3 })
        : op === "between"
          ? fc.tuple(v, v)
          : op === "is_empty" || op === "is_not_empty"
            ? fc.constant(undefined)
            : v;
    return value.map((val) => (val === undefined ? { field, op } : { field, op, value: val }));
  });
  const junk = fc.record(
    {
      field: fc.oneof(
        { weight: 4, arbitrary: fc.constant(field) },
        fc.constantFrom(...ODD_KEYS),
        fc.jsonValue({ maxDepth: 0 }),
      ),
      op: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...OPS) }, fc.constantFrom("like", "__proto__", 3)),
      value: fc.oneof(v, fc.array(v, { maxLength: 3 }), odd),
    },
    { requiredKeys: ["field", "op"] },
  );
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: junk });
};
const condArb = fc.constantFrom(...TYPES).chain(condOn);
/**
 * Mostly an AND of conditions on a few distinct fields, so every type's operands are reached often; also nested trees
 * and junk.
 */
const filterArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .shuffledSubarray(TYPES, { minLength: 1, maxLength: 4 })
      .chain((types) => fc.tuple(...types.map(condOn)))
      .map((and) => ({ and })),
  },
  {
    weight: 2,
    arbitrary: fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        condArb,
        fc.record({ and: fc.array(tie("node"), { maxLength: 3 }) }),
        fc.record({ or: fc.array(tie("node"), { maxLength: 3 }) }),
      ),
    })).node,
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const sortArb = fc.oneof(
  fc
    .array(fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...ODD_KEYS))), { maxLength: 4 })
    .map((keys) => keys.map(([d, n]) => `${d ? "-" : ""}${n}`).join(",")),
  fc.string({ maxLength: 20 }),
);

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = api(admin.token);
  userId = admin.user.id;
  const target = `fuzz_target_${sfx()}`;
  expect((await c.post("/meta/tables", { name: target, fields: [{ name: "name", type: "text" }] })).status).toBe(201);
  table = `fuzz_${sfx()}`;
  const fields = TYPES.map((type) => ({
    name: `f_${type}`,
    type,
    options: type === "link" ? { table: target, inverseName: `back_${sfx()}` } : (OPTIONS[type] ?? {}),
  }));
  const res = await c.post("/meta/tables", { name: table, fields: [...fields, { name: "constructor", type: "text" }] });
  expect(res.status, res.text).toBe(201);
  const t = await c.post(`/tables/${target}/records`, {
    records: [{ fields: { name: "a" } }, { fields: { name: "b" } }],
  });
  expect(t.status, t.text).toBe(201);
  targetIds = t.body.records.map((r: { id: number }) => r.id);
  const seeded = await c.post(`/tables/${table}/records`, {
    records: [
      {
        fields: {
          f_text: "one",
          f_number: 1.5,
          f_date: "2026-01-01",
          f_datetime: "2026-01-01T10:00:00Z",
          f_single_select: "open",
          f_multi_select: ["won"],
          f_user: userId,
          f_link: [t.body.records[0].id],
          constructor: "c",
        },
      },
      {
        fields: {
          f_text: "two",
          f_currency: { amount: 100, currency: "EUR" },
          f_rating: 3,
          f_checkbox: true,
          f_percent: 2500,
        },
      },
      { fields: {} },
    ],
  });
  expect(seeded.status, seeded.text).toBe(201);
  ids = seeded.body.records.map((r: { id: number }) => r.id);
});

describe("fuzzing the records API never answers 5xx", () => {
  it("the table has one field of every type", async () => {
    const meta = await c.get(`/meta/tables/${table}`);
    expect(meta.status, meta.text).toBe(200);
    expect(new Set(meta.body.table.fields.map((f: { type: string }) => f.type))).toEqual(new Set(TYPES));
  });

  it("creates: one record or many, with random fields", async () => {
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fieldsArb.map((fields) => ({ fields })),
          fc
            .array(
              fieldsArb.map((fields) => ({ fields })),
              { minLength: 1, maxLength: 3 },
            )
            .map((records) => ({ records })),
        ),
        async (body) => {
          const res = await c.post(`/tables/${table}/records`, body);
          statuses.push(res.status);
          expectSound(res, `POST ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 200 },
    );
    // Enough bodies pass validation for encoding and SQL to be fuzzed too, not only the validator.
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(10);
  });

  it("updates: one record or many, with random fields and versions", async () => {
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ids),
        fieldsArb,
        fc.oneof({ weight: 4, arbitrary: fc.constant("current") }, { weight: 1, arbitrary: odd }),
        fc.boolean(),
        async (id, fields, v, bulk) => {
          const version = v === "current" ? (await c.get(`/tables/${table}/records/${id}`)).body.record.version : v;
          const res = bulk
            ? await c.patch(`/tables/${table}/records`, { records: [{ id, version, fields }] })
            : await c.patch(`/tables/${table}/records/${id}`, { version, fields });
          statuses.push(res.status);
          expectSound(res, `PATCH ${id} ${JSON.stringify({ version, fields })}`);
        },
      ),
      { numRuns: 150 },
    );
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(15);
  });

  it("raw bodies with prototype keys and odd JSON", async () => {
    const raw = fc.oneof(
      fc.constantFrom(
        '{"fields":{"__proto__":{"f_text":"x"}}}',
        '{"__proto__":{"fields":{}}}',
        '{"records":[{"fields":{"constructor":{"__proto__":1}}}]}',
        '{"fields":{"f_text":"\\ud800"}}',
        '{"fields":null}',
        "[]",
        '"x"',
        "1e999",
      ),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        expectSound(await c.post(`/tables/${table}/records`, text), `POST raw ${text}`);
      }),
      { numRuns: 60 },
    );
  });

  it("filters, sorts and list parameters", async () => {
    const params = fc.record(
      {
        filter: fc.oneof(
          { weight: 6, arbitrary: filterArb.map((f) => JSON.stringify(f)) },
          fc.string({ maxLength: 20 }),
        ),
        sort: sortArb,
        fields: fc
          .array(fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...ODD_KEYS)), { maxLength: 3 })
          .map((a) => a.join(",")),
        expand: fc.constantFrom("f_link", "f_text", "__proto__", "constructor", ""),
        q: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("%", "_", "\\", "😀")),
        limit: fc.oneof(fc.integer({ min: -1, max: 1001 }).map(String), fc.constantFrom("", "1e3", "abc")),
        cursor: fc.oneof(
          fc.constant(undefined),
          fc.base64String({ maxLength: 40 }).map((s) => s.replace(/=+$/, "")),
          fc.string({ maxLength: 10 }),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const qs = Object.entries(p)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
          .join("&");
        expectSound(await c.get(`/tables/${table}/records?${qs}`), `GET ?${qs}`);
      }),
      { numRuns: 400 },
    );
  });

  it("aggregates with random filters, groups and measures", async () => {
    const key = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...ODD_KEYS));
    const body = fc.record(
      {
        filter: filterArb,
        groupBy: fc.array(
          fc.oneof(
            key,
            fc.record({ field: key, by: fc.constantFrom("day", "week", "month", "quarter", "year", "hour") }),
          ),
          { maxLength: 3 },
        ),
        measures: fc.array(
          fc.record(
            { op: fc.constantFrom("count", "sum", "avg", "min", "max", "median"), field: key },
            { requiredKeys: ["op"] },
          ),
          { maxLength: 3 },
        ),
        sort: fc.array(
          fc.record({ key: fc.oneof(key, fc.constant("count")), direction: fc.constantFrom("asc", "desc") }),
          { maxLength: 2 },
        ),
        limit: fc.integer({ min: -1, max: 2000 }),
      },
      { requiredKeys: ["measures"] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        expectSound(await c.post(`/tables/${table}/aggregate`, b), `POST aggregate ${JSON.stringify(b)}`);
      }),
      { numRuns: 120 },
    );
  });
});
