/**
 * Property: for random rows owned by different users and random callers (admin, reps with `own`,
 * a manager with `team`, a role with a rule), filters, group keys, measures, sorts and limits, the
 * aggregate the API returns equals an in-memory aggregation (written here from the documented
 * semantics) of exactly the rows that caller may see and the filter selects, and of the rows the
 * same caller gets from the records list with the same filter.
 *
 * Semantics modelled: keys in natural order with the empty key last (choices in choice order, other
 * values by value, checkbox false before true and unset = false); date buckets named by their first
 * day, ISO weeks from Monday, datetimes bucketed by their UTC day; count; sum/avg/min/max ignoring
 * empty values (null when there are none); money per currency code, summed exactly, an amount past
 * 2^53 a string of digits, avg rounded half-even with its exact sum and count; percent avg in basis
 * points, half-even; sort by count then the keys; `limit` groups with `truncated`; totals.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { api, createUser, login, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
type Money = { amount: number; currency: string } | null;
interface Row {
  id: number;
  owner: string | null;
  s: string | null;
  t: string | null;
  b: boolean;
  d: string | null;
  dt: string | null;
  amt: Money;
  n: number | null;
  p: number | null;
  r: number | null;
}
type Cond = { field: string; op: string; value?: unknown };
type Node = Cond | { and: Node[] } | { or: Node[] };
type Group = string | { field: string; by: string };
type Measure = { op: string; field?: string };

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const CHOICES = ["won", "a", "lost"];
const TEXTS = ["x", "Y", "xy", "Zed", "a b"];
const DATES = [
  "2023-12-31",
  "2024-01-01",
  "2024-01-07",
  "2024-02-29",
  "2024-03-31",
  "2024-04-01",
  "2024-12-30",
  "2025-06-15",
];
const DATETIMES = [
  "2024-01-01T00:00:00Z",
  "2024-01-01T23:30:00Z",
  "2024-01-02T01:00:00+02:00",
  "2024-03-31T23:00:00-01:00",
  "2023-12-31T23:59:59.999Z",
  "2024-07-04T12:00:00Z",
];
const AMOUNTS = [-500, 0, 1, 3, 250, 1000, 999_999, MAX_SAFE, MAX_SAFE - 1];
const NUMBERS = [-1.5, 0, 0.25, 2, 10, 3.75];
const PERCENTS = [-250, 0, 1, 2500, 3333, 10000];
const N_ROWS = 120;

let admin: Client;
let table: string;
const people: Record<string, { id: string; client: Client; sees: (r: Row) => boolean }> = {};
let rows: Row[] = [];

// ---------- the model ----------

const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

function evalCond(row: Row, c: Cond): boolean {
  const v = (row as unknown as Record<string, unknown>)[c.field];
  const x = c.value;
  if (c.field === "amt") {
    const a = row.amt?.amount ?? null;
    if (c.op === "is_empty") return a === null;
    if (c.op === "gt") return a !== null && a > (x as number);
    if (c.op === "lte") return a !== null && a <= (x as number);
  }
  switch (c.op) {
    case "eq":
      return v === x;
    case "neq":
      return v !== x;
    case "in":
      return v !== null && (x as unknown[]).includes(v);
    case "nin":
      return v === null || !(x as unknown[]).includes(v);
    case "is_empty":
      return v === null;
    case "is_not_empty":
      return v !== null;
    case "lt":
      return v !== null && (v as number | string) < (x as number | string);
    case "gte":
      return v !== null && (v as number | string) >= (x as number | string);
    case "contains":
      return v !== null && lowerAscii(v as string).includes(lowerAscii(x as string));
  }
  throw new Error(`model: ${c.op} on ${c.field}`);
}

function evalNode(row: Row, n: Node): boolean {
  if ("and" in n) return n.and.every((c) => evalNode(row, c));
  if ("or" in n) return n.or.some((c) => evalNode(row, c));
  return evalCond(row, n);
}

function bucket(v: string | null, by: string): string | null {
  if (v === null) return null;
  const day = v.slice(0, 10);
  switch (by) {
    case "day":
      return day;
    case "week": {
      const t = new Date(`${day}T00:00:00Z`);
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
      return t.toISOString().slice(0, 10);
    }
    case "month":
      return `${v.slice(0, 7)}-01`;
    case "quarter":
      return `${v.slice(0, 5)}${String(Math.floor((Number(v.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
    default:
      return `${v.slice(0, 4)}-01-01`;
  }
}

const groupField = (g: Group) => (typeof g === "string" ? g : g.field);
function keyOf(row: Row, g: Group): unknown {
  const f = groupField(g);
  const v = (row as unknown as Record<string, unknown>)[f] as string | null | boolean;
  if (f === "d" || f === "dt") return bucket(v as string | null, typeof g === "string" ? "day" : g.by);
  return v;
}

/** Natural order of one key's values; null last. */
function compareKey(g: Group, a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (groupField(g) === "s") return CHOICES.indexOf(a as string) - CHOICES.indexOf(b as string);
  if (typeof a === "boolean") return a ? 1 : -1;
  return (a as string) < (b as string) ? -1 : 1;
}

const exact = (n: bigint): number | string =>
  n > BigInt(MAX_SAFE) || n < -BigInt(MAX_SAFE) ? n.toString() : Number(n);
function halfEven(n: bigint, d: bigint): bigint {
  // floor((2n + d) / 2d) with ties to even, written independently of the server's version.
  const q = n / d;
  const r = n - q * d;
  const cmp = 2n * (r < 0n ? -r : r) - d;
  if (cmp < 0n || (cmp === 0n && q % 2n === 0n)) return q;
  return n < 0n ? q - 1n : q + 1n;
}

function measure(m: Measure, group: Row[]): unknown {
  if (m.op === "count") return group.length;
  const f = m.field!;
  if (f === "amt") {
    const by = new Map<string, number[]>();
    for (const r of group) if (r.amt) by.set(r.amt.currency, [...(by.get(r.amt.currency) ?? []), r.amt.amount]);
    return [...by.keys()].sort().map((currency) => {
      const xs = by.get(currency)!;
      const sum = xs.reduce((s, x) => s + BigInt(x), 0n);
      if (m.op === "sum") return { amount: exact(sum), currency };
      if (m.op === "avg")
        return { amount: exact(halfEven(sum, BigInt(xs.length))), currency, sum: exact(sum), count: xs.length };
      return { amount: m.op === "min" ? Math.min(...xs) : Math.max(...xs), currency };
    });
  }
  const xs = group.map((r) => (r as unknown as Record<string, unknown>)[f]).filter((x) => x !== null) as (
    number | string
  )[];
  if (xs.length === 0) return null;
  if (m.op === "min") return xs.reduce((a, b) => (b < a ? b : a));
  if (m.op === "max") return xs.reduce((a, b) => (b > a ? b : a));
  if (f === "n") {
    const sum = (xs as number[]).reduce((a, b) => a + b, 0);
    return m.op === "sum" ? sum : sum / xs.length;
  }
  const sum = (xs as number[]).reduce((a, b) => a + BigInt(b), 0n);
  if (m.op === "sum") return exact(sum);
  return f === "p" ? exact(halfEven(sum, BigInt(xs.length))) : Number(sum) / xs.length;
}

const measureName = (m: Measure) => (m.op === "count" ? "count" : `${m.op}:${m.field}`);
const values = (measures: Measure[], group: Row[]) =>
  Object.fromEntries(measures.map((m) => [measureName(m), measure(m, group)]));

interface Query {
  filter?: Node;
  groupBy: Group[];
  measures: Measure[];
  sort?: { measure: "count"; direction: "asc" | "desc" }[];
  limit?: number;
}

function model(visible: Row[], q: Query) {
  const selected = q.filter ? visible.filter((r) => evalNode(r, q.filter!)) : visible;
  const groups = new Map<string, { key: unknown[]; rows: Row[] }>();
  for (const r of selected) {
    const key = q.groupBy.map((g) => keyOf(r, g));
    const id = JSON.stringify(key);
    if (!groups.has(id)) groups.set(id, { key, rows: [] });
    groups.get(id)!.rows.push(r);
  }
  if (q.groupBy.length === 0) groups.set("[]", { key: [], rows: selected });
  const list = [...groups.values()].sort((a, b) => {
    for (const s of q.sort ?? []) {
      const d = a.rows.length - b.rows.length;
      if (d !== 0) return s.direction === "desc" ? -d : d;
    }
    for (let i = 0; i < q.groupBy.length; i++) {
      const c = compareKey(q.groupBy[i]!, a.key[i], b.key[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  const limit = q.limit ?? 1000;
  return {
    groups: list.slice(0, limit).map((g) => ({
      key: Object.fromEntries(q.groupBy.map((k, i) => [groupField(k), g.key[i]])),
      values: values(q.measures, g.rows),
    })),
    truncated: list.length > limit,
    totals: values(q.measures, selected),
  };
}

// ---------- generators ----------

function condArb(): fc.Arbitrary<Cond> {
  const owners = [...Object.values(people).map((p) => p.id)];
  const c = (field: string, ops: string[], value: fc.Arbitrary<unknown>) =>
    fc.record({ field: fc.constant(field), op: fc.constantFrom(...ops), value });
  const empty = (field: string) => fc.constantFrom<Cond>({ field, op: "is_empty" }, { field, op: "is_not_empty" });
  return fc.oneof(
    c("s", ["eq", "neq"], fc.constantFrom(...CHOICES)),
    c("s", ["in", "nin"], fc.subarray(CHOICES, { minLength: 1 })),
    empty("s"),
    c("t", ["eq", "contains"], fc.constantFrom(...TEXTS, "x", "z")),
    c("b", ["eq"], fc.boolean()),
    c("d", ["lt", "gte"], fc.constantFrom(...DATES)),
    c("amt", ["gt", "lte"], fc.constantFrom(...AMOUNTS)),
    fc.constant<Cond>({ field: "amt", op: "is_empty" }),
    c("n", ["lt", "gte"], fc.constantFrom(...NUMBERS)),
    c("owner", ["eq"], fc.constantFrom(...owners)),
    c("owner", ["in"], fc.subarray(owners, { minLength: 1 })),
    empty("owner"),
  ) as fc.Arbitrary<Cond>;
}

function filterArb(): fc.Arbitrary<Node | undefined> {
  const cond = condArb();
  const group = fc.oneof(
    cond,
    fc.array(cond, { minLength: 0, maxLength: 3 }).map((and) => ({ and })),
    fc.array(cond, { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
  );
  return fc.option(
    fc.oneof(
      group,
      fc.array(group, { minLength: 1, maxLength: 2 }).map((and) => ({ and })),
    ),
    { nil: undefined, freq: 3 },
  );
}

const BY = ["day", "week", "month", "quarter", "year"];
const groupArb: fc.Arbitrary<Group[]> = fc
  .shuffledSubarray(["s", "owner", "b", "t", "d", "dt"], { minLength: 0, maxLength: 2 })
  .chain((fields) =>
    fc.tuple(
      ...fields.map((f) =>
        f === "d" || f === "dt"
          ? fc.oneof(
              fc.constant<Group>(f),
              fc.constantFrom(...BY).map((by): Group => ({ field: f, by })),
            )
          : fc.constant<Group>(f),
      ),
    ),
  );

const MEASURES: Measure[] = [
  ...["amt", "n", "p", "r"].flatMap((field) => ["sum", "avg", "min", "max"].map((op) => ({ op, field }))),
  ...["d", "dt"].flatMap((field) => ["min", "max"].map((op) => ({ op, field }))),
];
const measuresArb: fc.Arbitrary<Measure[]> = fc
  .tuple(fc.boolean(), fc.subarray(MEASURES, { minLength: 0, maxLength: 6 }))
  .map(([count, rest]) => (count || rest.length === 0 ? [{ op: "count" }, ...rest] : rest));

const queryArb = () =>
  fc.record(
    {
      caller: fc.constantFrom(...Object.keys(people)),
      filter: filterArb(),
      groupBy: groupArb,
      measures: measuresArb,
      sort: fc.option(
        fc.constantFrom<"asc" | "desc">("asc", "desc").map((direction) => [{ measure: "count" as const, direction }]),
        { nil: undefined },
      ),
      limit: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined, freq: 2 }),
    },
    { requiredKeys: ["caller", "groupBy", "measures"] },
  );

// ---------- setup ----------

const rowArb = (owners: (string | null)[]) =>
  fc.record({
    owner: fc.constantFrom(...owners),
    s: fc.constantFrom(null, ...CHOICES),
    t: fc.constantFrom(null, ...TEXTS),
    b: fc.constantFrom(true, false, null),
    d: fc.constantFrom(null, ...DATES),
    dt: fc.constantFrom(null, ...DATETIMES),
    amt: fc.oneof(
      fc.constant(null),
      fc.constantFrom(...AMOUNTS),
      fc.record({ amount: fc.constantFrom(...AMOUNTS), currency: fc.constantFrom("CNY", "USD", "EUR") }),
    ),
    n: fc.constantFrom(null, ...NUMBERS),
    p: fc.constantFrom(null, ...PERCENTS),
    r: fc.constantFrom(null, 1, 2, 3, 4, 5),
  });

beforeAll(async () => {
  const a = await userWithToken(["admin"]);
  admin = api(a.token);
  const role = { rep: `agp_rep_${sfx()}`, mgr: `agp_mgr_${sfx()}`, ruled: `agp_rule_${sfx()}` };
  for (const name of Object.values(role)) expect((await admin.post("/admin/roles", { name })).status).toBe(201);
  const make = async (r: string) => {
    const u = await createUser([r]);
    return { id: u.user.id, client: api(await login(u.email, u.password)) };
  };
  const u1 = await make(role.rep),
    u2 = await make(role.rep),
    u3 = await make(role.rep),
    mgr = await make(role.mgr),
    ruled = await make(role.ruled);
  expect(
    (
      await admin.post("/admin/teams", {
        name: `agp_${sfx()}`,
        members: [{ user: mgr.id, lead: true }, { user: u1.id }, { user: u2.id }],
      })
    ).status,
  ).toBe(201);
  const team = new Set([mgr.id, u1.id, u2.id]);
  people.admin = { id: a.user.id, client: admin, sees: () => true };
  people.u1 = { ...u1, sees: (r) => r.owner === u1.id };
  people.u3 = { ...u3, sees: (r) => r.owner === u3.id };
  people.mgr = { ...mgr, sees: (r) => r.owner !== null && team.has(r.owner) };
  people.ruled = { ...ruled, sees: (r) => r.s === "a" || r.owner === ruled.id };

  table = `agp_${sfx()}`;
  const res = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "owner", type: "user" },
      { name: "s", type: "single_select", options: { choices: CHOICES.map((name) => ({ name })) } },
      { name: "t", type: "text" },
      { name: "b", type: "checkbox" },
      { name: "d", type: "date" },
      { name: "dt", type: "datetime" },
      { name: "amt", type: "currency", options: { currency: "CNY" } },
      { name: "n", type: "number", options: { precision: 2 } },
      { name: "p", type: "percent" },
      { name: "r", type: "rating" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const grant = (read: unknown) => ({ read, create: "none", update: "none", delete: "none", defaultField: "read" });
  for (const [r, read] of [
    [role.rep, "own"],
    [role.mgr, "team"],
    [
      role.ruled,
      {
        rule: {
          or: [
            { field: "s", op: "eq", value: "a" },
            { field: "owner", op: "eq", value: "$user.id" },
          ],
        },
      },
    ],
  ] as const) {
    const g = await admin.request("PUT", `/admin/roles/${r}/grants/${table}`, grant(read));
    expect(g.status, g.text).toBe(200);
  }
  const seed = Date.now() ^ 0x5eed;
  const input = fc.sample(rowArb([u1.id, u2.id, u3.id, mgr.id, ruled.id, a.user.id, null]), { numRuns: N_ROWS, seed });
  const created = await admin.post(`/tables/${table}/records`, { records: input.map((fields) => ({ fields })) });
  expect(created.status, `seed ${seed}: ${created.text}`).toBe(201);
  // The model works on values as stored (datetimes normalised, an unset checkbox false, amounts with their code).
  const listed = await admin.get(`/tables/${table}/records?limit=1000`);
  rows = listed.body.records.map((rec: { id: number; fields: Omit<Row, "id"> }) => ({ id: rec.id, ...rec.fields }));
  expect(rows).toHaveLength(N_ROWS);
});

describe("aggregates equal an in-memory aggregation of the rows the caller may see", () => {
  it("each caller lists exactly the rows its grant allows (the ground the property stands on)", async () => {
    for (const [name, p] of Object.entries(people)) {
      const res = await p.client.get(`/tables/${table}/records?limit=1000`);
      expect(
        res.body.records.map((r: Row) => r.id).sort((x: number, y: number) => x - y),
        name,
      ).toEqual(
        rows
          .filter(p.sees)
          .map((r) => r.id)
          .sort((x, y) => x - y),
      );
    }
  });

  it("for random callers, filters, keys, measures, sorts and limits", async () => {
    await fc.assert(
      fc.asyncProperty(queryArb(), async ({ caller, ...query }) => {
        // Sorting by count needs count among the measures (the API refuses an unknown measure).
        const q =
          query.sort && !query.measures.some((m) => m.op === "count")
            ? { ...query, measures: [{ op: "count" }, ...query.measures] }
            : query;
        const p = people[caller]!;
        const body = { ...q, totals: true };
        const res = await p.client.post(`/tables/${table}/aggregate`, body);
        expect(res.status, res.text).toBe(200);
        const visible = rows.filter(p.sees);
        expect(res.body).toEqual(model(visible, q));
        // The same aggregation over what the caller lists with the same filter.
        const qs = q.filter ? `&filter=${encodeURIComponent(JSON.stringify(q.filter))}` : "";
        const list = await p.client.get(`/tables/${table}/records?limit=1000${qs}`);
        expect(list.status, list.text).toBe(200);
        const listedIds = new Set(list.body.records.map((r: Row) => r.id));
        expect(res.body.totals).toEqual(
          model(
            rows.filter((r) => listedIds.has(r.id)),
            { ...q, filter: undefined },
          ).totals,
        );
      }),
      { numRuns: 80 },
    );
  });
});
