/**
 * Property: for random filter trees over one table of random rows, the ids the API returns equal
 * the ids a plain in-memory evaluator (written here, from the documented semantics) selects.
 *
 * Semantics modelled: eq exact (checkbox null counts as false); neq = not eq, nulls included;
 * lt/lte/gt/gte and between (inclusive) exclude nulls; in = in the list (never null); nin = null or
 * not in the list; text contains/not_contains/starts_with are ASCII-case-insensitive substring /
 * prefix (SQLite LIKE), not_contains includes nulls; multi_select contains = has the choice,
 * not_contains = lacks it, in = has any, nin = has none; is_empty = null ("" is stored as null, an
 * empty multi_select as null); currency compares the amount in minor units; dates compare as ISO text.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { api as directApi, userWithToken } from "./helpers";

type Client = ReturnType<typeof directApi>;
type Money = number | { amount: number; currency: string } | null;
interface Row {
  t: string | null;
  n: number | null;
  b: boolean | null;
  s: string | null;
  m: string[] | null;
  d: string | null;
  cur: Money;
}
type Cond = { field: keyof Row; op: string; value?: unknown };
type Node = Cond | { and: Node[] } | { or: Node[] };

const CHOICES_S = ["red", "green", "Blue", "Ünï"];
const CHOICES_M = ["x", "y", "z", "ß"];
const TEXT_POOL = [
  "abc",
  "ABC",
  "Abc def",
  "a%b",
  "a_b",
  "a\\b",
  "it's",
  "100%",
  "_x",
  "%",
  "\\",
  "'",
  "''",
  "ü",
  "Ü",
  "ÜBER",
  "über",
  "日本語",
  "emoji🚀x",
  " space ",
  "abc",
  "x'y_z%",
  "%_\\'",
  "O'Brien",
  "naïve",
  "NAÏVE",
  "a\nb",
];
const DATE_POOL = ["2023-12-31", "2024-01-01", "2024-02-29", "2024-06-15", "2025-01-01", "1999-09-09"];
const NUM_POOL = [-5, -1.5, -1, 0, 0.25, 1, 2, 2.5, 3, 100, 1e6];
const CUR_POOL = [-300, -1, 0, 1, 250, 1000];

const rowArb: fc.Arbitrary<Row> = fc.record({
  t: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom<string | null>(null, "") },
    { weight: 5, arbitrary: fc.constantFrom(...TEXT_POOL) },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: fc.constantFrom("a", "A", "b", "%", "_", "\\", "'", "ü", "Ü", " ", "é"),
        minLength: 1,
        maxLength: 6,
      }),
    },
  ),
  n: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constantFrom(...NUM_POOL) },
    { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }).map((x) => x / 4) },
  ),
  b: fc.constantFrom(true, false, null),
  s: fc.constantFrom(null, ...CHOICES_S),
  m: fc.oneof(
    fc.constantFrom<string[] | null>(null, []),
    fc.subarray(CHOICES_M, { minLength: 1 }),
    fc.shuffledSubarray(CHOICES_M, { minLength: 1 }),
  ),
  d: fc.constantFrom(null, ...DATE_POOL),
  cur: fc.oneof(
    fc.constant<Money>(null),
    fc.constantFrom(...CUR_POOL),
    fc.record({ amount: fc.constantFrom(...CUR_POOL), currency: fc.constant("EUR") }),
  ),
});

const N_ROWS = 150;
let c: Client;
let table: string;
let dataSeed: number;
const rows: { id: number; row: Row }[] = [];

// ---------- the model ----------

const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
/** The value as stored: "" and empty multi_select become null, currency its amount. */
function stored(row: Row, field: keyof Row): unknown {
  const v = row[field];
  if (field === "t") return v === "" ? null : v;
  if (field === "m") return Array.isArray(v) && v.length > 0 ? v : null;
  if (field === "b") return v === true;
  if (field === "cur") return v === null ? null : typeof v === "number" ? v : (v as { amount: number }).amount;
  return v;
}

function evalCond(row: Row, cond: Cond): boolean {
  const v = stored(row, cond.field);
  const x = cond.value;
  if (cond.field === "m") {
    const set = (v as string[] | null) ?? [];
    switch (cond.op) {
      case "contains":
        return set.includes(x as string);
      case "not_contains":
        return !set.includes(x as string);
      case "in":
        return (x as string[]).some((c) => set.includes(c));
      case "nin":
        return !(x as string[]).some((c) => set.includes(c));
      case "is_empty":
        return v === null;
      case "is_not_empty":
        return v !== null;
    }
    throw new Error(`model: ${cond.op} on m`);
  }
  switch (cond.op) {
    case "eq":
      return v === x;
    case "neq":
      return v !== x;
    case "lt":
      return v !== null && (v as number | string) < (x as number | string);
    case "lte":
      return v !== null && (v as number | string) <= (x as number | string);
    case "gt":
      return v !== null && (v as number | string) > (x as number | string);
    case "gte":
      return v !== null && (v as number | string) >= (x as number | string);
    case "between": {
      const [lo, hi] = x as (number | string)[];
      return v !== null && (v as number | string) >= lo! && (v as number | string) <= hi!;
    }
    case "in":
      return v !== null && (x as unknown[]).includes(v);
    case "nin":
      return v === null || !(x as unknown[]).includes(v);
    case "contains":
      return v !== null && lowerAscii(v as string).includes(lowerAscii(x as string));
    case "not_contains":
      return v === null || !lowerAscii(v as string).includes(lowerAscii(x as string));
    case "starts_with":
      return v !== null && lowerAscii(v as string).startsWith(lowerAscii(x as string));
    case "is_empty":
      return v === null;
    case "is_not_empty":
      return v !== null;
  }
  throw new Error(`model: unknown op ${cond.op}`);
}

function evalNode(row: Row, node: Node): boolean {
  if ("and" in node) return node.and.every((n) => evalNode(row, n));
  if ("or" in node) return node.or.some((n) => evalNode(row, n));
  return evalCond(row, node);
}

// ---------- filter generators ----------

/** Code-point-safe slices of the text values in the data, plus literals outside it. */
function textOperands(): string[] {
  const out = new Set<string>([
    "%",
    "_",
    "\\",
    "'",
    "A",
    "a",
    "ü",
    "Ü",
    "zzz",
    "%%",
    "a%",
    "_b",
    "\\'",
    "日",
    "Ï",
    "ï",
  ]);
  for (const { row } of rows) {
    if (!row.t) continue;
    const cps = Array.from(row.t);
    out.add(row.t);
    out.add(cps.slice(0, 1 + (cps.length > 1 ? 1 : 0)).join(""));
    out.add(cps.slice(Math.floor(cps.length / 2)).join(""));
    out.add(row.t.toUpperCase());
  }
  return [...out].filter((s) => s.length > 0);
}

function condArb(): fc.Arbitrary<Cond> {
  const texts = textOperands();
  const textOp = fc.constantFrom(...texts);
  const list = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: 1, maxLength: 4 });
  const pair = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a);
  const num = fc.oneof(
    fc.constantFrom(...NUM_POOL),
    fc.integer({ min: -30, max: 30 }).map((x) => x / 4),
    fc.constantFrom(-1000, 7, 999999),
  );
  const cur = fc.oneof(fc.constantFrom(...CUR_POOL), fc.integer({ min: -400, max: 1200 }));
  const date = fc.oneof(
    fc.constantFrom(...DATE_POOL),
    fc.constantFrom("2000-01-01", "2024-01-15", "2024-12-31", "2030-05-05"),
  );
  const sChoice = fc.constantFrom(...CHOICES_S);
  const mChoice = fc.constantFrom(...CHOICES_M);
  const noValue = (field: keyof Row) => fc.constantFrom<Cond>({ field, op: "is_empty" }, { field, op: "is_not_empty" });
  const ordered = (field: keyof Row, a: fc.Arbitrary<unknown>) =>
    fc.oneof(
      fc.record({ field: fc.constant(field), op: fc.constantFrom("eq", "neq", "lt", "lte", "gt", "gte"), value: a }),
      fc.record({ field: fc.constant(field), op: fc.constantFrom("in", "nin"), value: list(a) }),
      fc.record({ field: fc.constant(field), op: fc.constant("between"), value: pair(a) }),
      noValue(field),
    ) as fc.Arbitrary<Cond>;
  const w = (weight: number, arbitrary: fc.Arbitrary<Cond>) => ({ weight, arbitrary });
  return fc.oneof(
    // Text has the most operators and the subtlest semantics (case, LIKE metacharacters): weigh it up.
    w(
      6,
      fc.record({
        field: fc.constant("t" as const),
        op: fc.constantFrom("eq", "neq", "contains", "not_contains", "starts_with"),
        value: textOp,
      }),
    ),
    w(
      1,
      fc.record({
        field: fc.constant("t" as const),
        op: fc.constantFrom("in", "nin"),
        value: list(fc.oneof(textOp, fc.constant(""))),
      }),
    ),
    w(1, noValue("t")),
    w(3, ordered("n", num)),
    w(1, fc.record({ field: fc.constant("b" as const), op: fc.constantFrom("eq", "neq"), value: fc.boolean() })),
    w(
      2,
      fc.oneof(
        fc.record({ field: fc.constant("s" as const), op: fc.constantFrom("eq", "neq"), value: sChoice }),
        fc.record({ field: fc.constant("s" as const), op: fc.constantFrom("in", "nin"), value: list(sChoice) }),
        noValue("s"),
      ) as fc.Arbitrary<Cond>,
    ),
    w(
      2,
      fc.oneof(
        fc.record({
          field: fc.constant("m" as const),
          op: fc.constantFrom("contains", "not_contains"),
          value: mChoice,
        }),
        fc.record({ field: fc.constant("m" as const), op: fc.constantFrom("in", "nin"), value: list(mChoice) }),
        noValue("m"),
      ) as fc.Arbitrary<Cond>,
    ),
    w(3, ordered("d", date)),
    w(3, ordered("cur", cur)),
  );
}

function treeArb(): fc.Arbitrary<Node> {
  const cond = condArb();
  const level = (depth: number): fc.Arbitrary<Node> =>
    depth === 0
      ? cond
      : fc.oneof(
          { weight: 2, arbitrary: cond },
          { weight: 1, arbitrary: fc.array(level(depth - 1), { minLength: 0, maxLength: 3 }).map((and) => ({ and })) },
          { weight: 1, arbitrary: fc.array(level(depth - 1), { minLength: 0, maxLength: 3 }).map((or) => ({ or })) },
        );
  return level(3);
}

// ---------- setup ----------

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = directApi(admin.token);
  table = `fp_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const res = await c.post("/meta/tables", {
    name: table,
    fields: [
      { name: "t", type: "text" },
      { name: "n", type: "number", options: { precision: 2 } },
      { name: "b", type: "checkbox" },
      { name: "s", type: "single_select", options: { choices: CHOICES_S.map((name) => ({ name })) } },
      { name: "m", type: "multi_select", options: { choices: CHOICES_M.map((name) => ({ name })) } },
      { name: "d", type: "date" },
      { name: "cur", type: "currency", options: { currency: "USD" } },
    ],
  });
  expect(res.status, res.text).toBe(201);
  dataSeed = Date.now() ^ 0x5eed;
  const data = fc.sample(rowArb, { numRuns: N_ROWS, seed: dataSeed });
  const created = await c.post(`/tables/${table}/records`, { records: data.map((fields) => ({ fields })) });
  expect(created.status, `data seed ${dataSeed}: ${created.text}`).toBe(201);
  created.body.records.forEach((r: { id: number }, i: number) => rows.push({ id: r.id, row: data[i]! }));
  expect(rows).toHaveLength(N_ROWS);
}, 60_000);

async function apiIds(filter: Node): Promise<{ ids: number[]; total: number }> {
  const res = await c.get(
    `/tables/${table}/records?limit=1000&count=true&fields=t&filter=${encodeURIComponent(JSON.stringify(filter))}`,
  );
  if (res.status !== 200) throw new Error(`filter ${JSON.stringify(filter)} -> ${res.status} ${res.text}`);
  return { ids: res.body.records.map((r: { id: number }) => r.id), total: res.body.total };
}

const modelIds = (filter: Node) => rows.filter((r) => evalNode(r.row, filter)).map((r) => r.id);

describe("filter property", () => {
  it("the data set holds nulls, empty strings, ties and LIKE metacharacters", () => {
    const ts = rows.map((r) => r.row.t);
    expect(ts.some((t) => t === null)).toBe(true);
    expect(ts.some((t) => t === "")).toBe(true);
    expect(ts.some((t) => t !== null && /[%_\\']/.test(t))).toBe(true);
    expect(new Set(rows.map((r) => r.row.n)).size).toBeLessThan(N_ROWS / 2);
    expect(rows.some((r) => Array.isArray(r.row.m) && r.row.m.length === 0)).toBe(true);
  });

  it("the API read every row back as written, so the model starts from the same data", async () => {
    const res = await c.get(`/tables/${table}/records?limit=1000`);
    expect(res.status).toBe(200);
    const byId = new Map(
      res.body.records.map((r: { id: number; fields: Record<string, unknown> }) => [r.id, r.fields]),
    );
    for (const { id, row } of rows) {
      const f = byId.get(id) as Record<string, unknown>;
      expect(f.t, `id ${id}`).toBe(stored(row, "t"));
      expect(f.n).toBe(row.n);
      expect(f.b).toBe(row.b === true);
      expect(f.m).toEqual(row.m ?? []);
      expect(f.d).toBe(row.d);
      expect(f.cur === null ? null : (f.cur as { amount: number }).amount).toBe(stored(row, "cur"));
    }
  });

  it("random filter trees select exactly the rows the in-memory evaluator selects", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(), async (filter) => {
        const got = await apiIds(filter);
        const want = modelIds(filter);
        expect(got.ids, `data seed ${dataSeed}; filter ${JSON.stringify(filter)}`).toEqual(want);
        expect(got.total).toBe(want.length);
      }),
      { numRuns: 100, interruptAfterTimeLimit: 45_000 },
    );
  }, 90_000);

  it("a sweep of every op on every field over operands drawn from the data and outside it agrees with the evaluator", async () => {
    const texts = textOperands();
    const conds: Cond[] = [];
    for (const op of ["eq", "neq", "contains", "not_contains", "starts_with"])
      for (const v of texts) conds.push({ field: "t", op, value: v });
    conds.push(
      { field: "t", op: "in", value: texts.slice(0, 5) },
      { field: "t", op: "nin", value: ["", ...texts.slice(5, 9)] },
    );
    const ordered: [keyof Row, unknown[]][] = [
      ["n", [...NUM_POOL, -100, 0.5, 1e7]],
      ["d", [...DATE_POOL, "2000-01-01", "2024-03-01"]],
      ["cur", [...CUR_POOL, -1000, 500, 5000]],
    ];
    for (const [field, vals] of ordered) {
      for (const op of ["eq", "neq", "lt", "lte", "gt", "gte"])
        for (const v of vals) conds.push({ field, op, value: v });
      for (let i = 0; i + 1 < vals.length; i++) {
        conds.push(
          { field, op: "between", value: [vals[i], vals[i + 1]] },
          { field, op: "between", value: [vals[i + 1], vals[i]] },
        );
        conds.push(
          { field, op: "in", value: [vals[i], vals[i + 1]] },
          { field, op: "nin", value: [vals[i], vals[i + 1]] },
        );
      }
    }
    for (const v of [true, false]) conds.push({ field: "b", op: "eq", value: v }, { field: "b", op: "neq", value: v });
    for (const v of CHOICES_S)
      conds.push(
        { field: "s", op: "eq", value: v },
        { field: "s", op: "neq", value: v },
        { field: "s", op: "in", value: [v] },
        { field: "s", op: "nin", value: [v, "red"] },
      );
    for (const v of CHOICES_M)
      conds.push(
        { field: "m", op: "contains", value: v },
        { field: "m", op: "not_contains", value: v },
        { field: "m", op: "in", value: [v, "x"] },
        { field: "m", op: "nin", value: [v] },
      );
    for (const field of ["t", "n", "s", "m", "d", "cur"] as const)
      conds.push({ field, op: "is_empty" }, { field, op: "is_not_empty" });
    let nonTrivial = 0;
    for (const cond of conds) {
      const want = modelIds(cond);
      if (want.length > 0 && want.length < N_ROWS) nonTrivial++;
      expect((await apiIds(cond)).ids, `data seed ${dataSeed}; filter ${JSON.stringify(cond)}`).toEqual(want);
    }
    // The sweep must discriminate: most conditions select some rows but not all.
    expect(nonTrivial).toBeGreaterThan(conds.length / 2);
  });

  it("single conditions of every op on every field agree with the evaluator", async () => {
    await fc.assert(
      fc.asyncProperty(condArb(), async (cond) => {
        const got = await apiIds(cond);
        expect(got.ids, `data seed ${dataSeed}; filter ${JSON.stringify(cond)}`).toEqual(modelIds(cond));
      }),
      { numRuns: 100, interruptAfterTimeLimit: 30_000 },
    );
  }, 60_000);
});
