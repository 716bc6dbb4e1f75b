/**
 * POST /api/tables/{table}/aggregate and POST /api/meta/views/{id}/aggregate over a small fixed data
 * set whose expected aggregates are worked out by hand below: every measure on every type that allows
 * it, group keys (choice order, users, checkboxes, text, date buckets), money per currency and exact,
 * permissions (row rules, hidden fields, no read), views, and bad input of every kind.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, findTable } from "../../worker/model/registry";
import { parseFilter } from "../../worker/query/filter";
import { aggregateRecords, divideHalfEven } from "../../worker/records/aggregate";
import type { TableAccess } from "../../worker/access";
import { api, createUser, login, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
const DB = (env as unknown as { DB: D1Database }).DB;
const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

let admin: Client;
let adminId: string;
let table: string;
let moneyTable: string;
const users = {} as Record<"repA" | "repB" | "mgr" | "ruled" | "noread", { id: string; client: Client }>;
const roles = {
  rep: `ag_rep_${sfx()}`,
  mgr: `ag_mgr_${sfx()}`,
  ruled: `ag_ruled_${sfx()}`,
  noread: `ag_none_${sfx()}`,
};

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field?: string,
  code?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/at .*\.ts:\d+|SQLITE|D1_ERROR/);
  if (field !== undefined) expect(res.body.errors[0]?.field, res.text).toBe(field);
  if (code !== undefined) expect(res.body.errors[0]?.code, res.text).toBe(code);
}

const agg = (c: Client, body: unknown, t = table) => c.post(`/tables/${t}/aggregate`, body);

async function ok(c: Client, body: unknown, t = table) {
  const res = await agg(c, body, t);
  expect(res.status, res.text).toBe(200);
  return res.body as {
    groups: { key: Record<string, unknown>; values: Record<string, any> }[];
    truncated: boolean;
    totals?: Record<string, any>;
  };
}

async function setGrant(role: string, t: string, grant: Record<string, unknown>) {
  const res = await admin.request("PUT", `/admin/roles/${role}/grants/${t}`, {
    create: "none",
    update: "none",
    delete: "none",
    defaultField: "write",
    ...grant,
  });
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  const a = await userWithToken(["admin"]);
  admin = api(a.token);
  adminId = a.user.id;
  for (const name of Object.values(roles)) expect((await admin.post("/admin/roles", { name })).status).toBe(201);
  const make = async (role: string) => {
    const u = await createUser([role]);
    return { id: u.user.id, client: api(await login(u.email, u.password)) };
  };
  users.repA = await make(roles.rep);
  users.repB = await make(roles.rep);
  users.mgr = await make(roles.mgr);
  users.ruled = await make(roles.ruled);
  users.noread = await make(roles.noread);
  const team = await admin.post("/admin/teams", {
    name: `ag_team_${sfx()}`,
    members: [{ user: users.mgr.id, lead: true }, { user: users.repA.id }, { user: users.repB.id }],
  });
  expect(team.status, team.text).toBe(201);

  table = `ag_${sfx()}`;
  let res = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "name", type: "text" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "lead" }, { name: "quote" }, { name: "won" }, { name: "lost" }] },
      },
      { name: "owner", type: "user" },
      { name: "amount", type: "currency", options: { currency: "USD" } },
      { name: "num", type: "number", options: { precision: 2 } },
      { name: "pct", type: "percent" },
      { name: "stars", type: "rating" },
      { name: "no", type: "autonumber" },
      { name: "d", type: "date" },
      { name: "dt", type: "datetime" },
      { name: "flag", type: "checkbox" },
      { name: "city", type: "text" },
      { name: "mail", type: "email" },
      { name: "secret", type: "text" },
      { name: "cost", type: "number" },
      { name: "tags", type: "multi_select", options: { choices: [{ name: "x" }, { name: "y" }] } },
      { name: "notes", type: "long_text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const A = users.repA.id,
    B = users.repB.id,
    O = adminId;
  const rows = [
    {
      name: "a1",
      stage: "lead",
      owner: A,
      amount: { amount: 1000, currency: "USD" },
      num: 1.5,
      pct: 2500,
      stars: 3,
      d: "2024-01-01",
      dt: "2024-01-01T23:30:00Z",
      flag: true,
      city: "Shanghai",
      secret: "s1",
      cost: 10,
      tags: ["x"],
    },
    {
      name: "a2",
      stage: "quote",
      owner: A,
      amount: 2500,
      num: 2.5,
      pct: 5000,
      stars: 4,
      d: "2024-01-07",
      dt: "2024-01-07T00:00:00Z",
      flag: false,
      city: "Beijing",
      secret: "s2",
      cost: 20,
    },
    {
      name: "b1",
      stage: "won",
      owner: B,
      amount: { amount: 7000, currency: "CNY" },
      num: -1,
      pct: 10000,
      stars: 5,
      d: "2024-03-31",
      dt: "2024-03-31T12:00:00Z",
      flag: true,
      city: "Shanghai",
      secret: "s3",
      cost: 30,
    },
    {
      name: "b2",
      stage: "lead",
      owner: B,
      amount: 3,
      num: null,
      pct: 3333,
      stars: 1,
      d: "2024-04-01",
      dt: "2024-04-01T08:00:00+09:00",
      flag: null,
      city: null,
      secret: "s4",
      cost: 40,
    },
    {
      name: "o1",
      stage: null,
      owner: O,
      amount: null,
      num: 10,
      pct: null,
      stars: null,
      d: "2023-12-31",
      dt: null,
      flag: true,
      city: "Beijing",
      secret: "s5",
      cost: 50,
    },
    {
      name: "o2",
      stage: "lost",
      owner: O,
      amount: { amount: 4, currency: "USD" },
      num: 0,
      pct: 0,
      stars: 2,
      d: null,
      dt: "2023-12-31T23:59:59Z",
      flag: false,
      city: "Shanghai",
      secret: "s6",
      cost: 60,
    },
  ];
  res = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(res.status, res.text).toBe(201);

  await setGrant(roles.rep, table, { read: "own", fields: { secret: "hidden", cost: "hidden" } });
  await setGrant(roles.mgr, table, { read: "team" });
  await setGrant(roles.ruled, table, { read: { rule: { field: "stage", op: "in", value: ["won", "lost"] } } });

  moneyTable = `agm_${sfx()}`;
  res = await admin.post("/meta/tables", {
    name: moneyTable,
    fields: [
      { name: "grp", type: "text" },
      { name: "amt", type: "currency", options: { currency: "CNY" } },
      { name: "pct", type: "percent" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const money: [string, number, number | null][] = [
    ["h1", 1, 1],
    ["h1", 2, 2],
    ["h2", 1, null],
    ["h2", 4, null],
    ["h3", -1, null],
    ["h3", -2, null],
    ["h4", -1, null],
    ["h4", -4, null],
    ["h5", 1, null],
    ["h5", 1, null],
    ["h5", 2, null],
    ["big", MAX_SAFE, null],
    ["big", MAX_SAFE, null],
  ];
  res = await admin.post(`/tables/${moneyTable}/records`, {
    records: money.map(([grp, amt, pct]) => ({ fields: { grp, amt, pct } })),
  });
  expect(res.status, res.text).toBe(201);
});

const ALL_MEASURES = [
  { op: "count" },
  ...["num", "amount", "pct", "stars"].flatMap((field) => ["sum", "avg", "min", "max"].map((op) => ({ op, field }))),
  ...["no", "d", "dt"].flatMap((field) => ["min", "max"].map((op) => ({ op, field }))),
];

describe("measures", () => {
  it("computes every measure on every type that allows it", async () => {
    const r = await ok(admin, { measures: ALL_MEASURES });
    expect(r.truncated).toBe(false);
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]!.key).toEqual({});
    expect(r.groups[0]!.values).toEqual({
      count: 6,
      "sum:num": 13,
      "avg:num": 2.6,
      "min:num": -1,
      "max:num": 10,
      "sum:amount": [
        { amount: 7000, currency: "CNY" },
        { amount: 3507, currency: "USD" },
      ],
      // 3507 / 4 = 876.75 -> 877
      "avg:amount": [
        { amount: 7000, currency: "CNY", sum: 7000, count: 1 },
        { amount: 877, currency: "USD", sum: 3507, count: 4 },
      ],
      "min:amount": [
        { amount: 7000, currency: "CNY" },
        { amount: 3, currency: "USD" },
      ],
      "max:amount": [
        { amount: 7000, currency: "CNY" },
        { amount: 2500, currency: "USD" },
      ],
      // basis points: 20833 / 5 = 4166.6 -> 4167
      "sum:pct": 20833,
      "avg:pct": 4167,
      "min:pct": 0,
      "max:pct": 10000,
      "sum:stars": 15,
      "avg:stars": 3,
      "min:stars": 1,
      "max:stars": 5,
      "min:no": 1,
      "max:no": 6,
      "min:d": "2023-12-31",
      "max:d": "2024-04-01",
      "min:dt": "2023-12-31T23:59:59.000Z",
      "max:dt": "2024-03-31T23:00:00.000Z",
    });
  });

  it("a measure over no values is null (or no money entries) while count is 0", async () => {
    const r = await ok(admin, { filter: { field: "name", op: "eq", value: "nobody" }, measures: ALL_MEASURES });
    expect(r.groups).toHaveLength(1);
    const v = r.groups[0]!.values;
    expect(v.count).toBe(0);
    for (const [k, x] of Object.entries(v)) if (k !== "count") expect(x, k).toEqual(k.includes(":amount") ? [] : null);
  });

  it("refuses an operation a type does not allow with 400 naming the measure", async () => {
    const refused: [string, string][] = [
      ["sum", "name"],
      ["avg", "stage"],
      ["sum", "owner"],
      ["sum", "d"],
      ["avg", "dt"],
      ["sum", "flag"],
      ["sum", "no"],
      ["avg", "no"],
      ["min", "name"],
      ["max", "stage"],
      ["min", "flag"],
      ["max", "owner"],
      ["min", "tags"],
      ["sum", "tags"],
      ["max", "notes"],
      ["min", "mail"],
    ];
    for (const [op, field] of refused) {
      expectProblem(
        await agg(admin, { measures: [{ op: "count" }, { op, field }] }),
        400,
        "measures/1/op",
        "operator_not_allowed",
      );
    }
  });

  it("keeps half-even rounding exact for money and basis points", async () => {
    const r = await ok(
      admin,
      {
        groupBy: ["grp"],
        measures: [
          { op: "avg", field: "amt" },
          { op: "avg", field: "pct" },
          { op: "sum", field: "amt" },
        ],
      },
      moneyTable,
    );
    const avg = Object.fromEntries(r.groups.map((g) => [g.key.grp, g.values["avg:amt"][0]]));
    expect(avg.h1).toEqual({ amount: 2, currency: "CNY", sum: 3, count: 2 }); // 1.5 -> 2
    expect(avg.h2.amount).toBe(2); // 2.5 -> 2
    expect(avg.h3.amount).toBe(-2); // -1.5 -> -2
    expect(avg.h4.amount).toBe(-2); // -2.5 -> -2
    expect(avg.h5.amount).toBe(1); // 4/3
    expect(r.groups.find((g) => g.key.grp === "h1")!.values["avg:pct"]).toBe(2); // 1.5 bp -> 2
    // Past 2^53 an amount is a string of digits, exact; the average fits again.
    const big = r.groups.find((g) => g.key.grp === "big")!.values;
    expect(big["sum:amt"]).toEqual([{ amount: "18014398509481982", currency: "CNY" }]);
    expect(big["avg:amt"]).toEqual([{ amount: MAX_SAFE, currency: "CNY", sum: "18014398509481982", count: 2 }]);
  });

  it("divides half-even for every sign and remainder", () => {
    const cases: [bigint, bigint, bigint][] = [
      [5n, 2n, 2n],
      [7n, 2n, 4n],
      [-5n, 2n, -2n],
      [-7n, 2n, -4n],
      [1n, 3n, 0n],
      [2n, 3n, 1n],
      [-1n, 3n, 0n],
      [-2n, 3n, -1n],
      [0n, 7n, 0n],
      [10n, 5n, 2n],
      [15n, 10n, 2n],
      [25n, 10n, 2n],
      [26n, 10n, 3n],
      [-25n, 10n, -2n],
      [2n ** 80n + 1n, 2n, 2n ** 79n],
    ];
    for (const [n, d, want] of cases) expect(divideHalfEven(n, d), `${n}/${d}`).toBe(want);
  });

  it("refuses a sum past 2^63 with 422 rather than a wrong number", async () => {
    const t = `ago_${sfx()}`;
    expect(
      (
        await admin.post("/meta/tables", {
          name: t,
          fields: [
            { name: "grp", type: "text" },
            { name: "amt", type: "currency" },
            { name: "pct", type: "percent" },
          ],
        })
      ).status,
    ).toBe(201);
    // 1025 x (2^53 - 1) > 2^63 - 1 >= 1024 x (2^53 - 1): each group's sum fits, the whole does not.
    for (const [n, grp] of [
      [1000, "a"],
      [25, "b"],
    ] as const) {
      const res = await admin.post(`/tables/${t}/records`, {
        records: Array.from({ length: n }, () => ({ fields: { grp, amt: MAX_SAFE } })),
      });
      expect(res.status, res.text).toBe(201);
    }
    const sum = [{ op: "count" }, { op: "sum", field: "amt" }];
    expectProblem(await agg(admin, { measures: sum }, t), 422, "measures/1", "overflow");
    const grouped = await ok(admin, { groupBy: ["grp"], measures: sum }, t);
    expect(grouped.groups.map((g) => g.values["sum:amt"][0].amount)).toEqual([
      (1000n * BigInt(MAX_SAFE)).toString(),
      (25n * BigInt(MAX_SAFE)).toString(),
    ]);
    // Totals folded from every group, and totals computed by a second statement when groups were cut off.
    expectProblem(
      await agg(admin, { groupBy: ["grp"], measures: sum, totals: true }, t),
      422,
      "measures/1",
      "overflow",
    );
    expectProblem(
      await agg(admin, { groupBy: ["grp"], measures: sum, totals: true, limit: 1 }, t),
      422,
      "measures/1",
      "overflow",
    );
    expect(
      (await ok(admin, { measures: [{ op: "count" }, { op: "max", field: "amt" }] }, t)).groups[0]!.values,
    ).toEqual({ count: 1025, "max:amt": [{ amount: MAX_SAFE, currency: "CNY" }] });
  });
});

describe("group keys", () => {
  it("single_select: choices in choice order, then the empty group", async () => {
    const r = await ok(admin, { groupBy: ["stage"], measures: [{ op: "count" }, { op: "sum", field: "amount" }] });
    expect(r.groups).toEqual([
      { key: { stage: "lead" }, values: { count: 2, "sum:amount": [{ amount: 1003, currency: "USD" }] } },
      { key: { stage: "quote" }, values: { count: 1, "sum:amount": [{ amount: 2500, currency: "USD" }] } },
      { key: { stage: "won" }, values: { count: 1, "sum:amount": [{ amount: 7000, currency: "CNY" }] } },
      { key: { stage: "lost" }, values: { count: 1, "sum:amount": [{ amount: 4, currency: "USD" }] } },
      { key: { stage: null }, values: { count: 1, "sum:amount": [] } },
    ]);
  });

  it("user, checkbox and text keys, by value with the empty group last", async () => {
    const byOwner = await ok(admin, { groupBy: ["owner"], measures: [{ op: "count" }] });
    const owners = [users.repA.id, users.repB.id, adminId].sort();
    expect(byOwner.groups).toEqual(owners.map((owner) => ({ key: { owner }, values: { count: 2 } })));
    const byFlag = await ok(admin, { groupBy: ["flag"], measures: [{ op: "count" }, { op: "sum", field: "stars" }] });
    // b2 never set its checkbox: it counts as false, as filters treat it.
    expect(byFlag.groups).toEqual([
      { key: { flag: false }, values: { count: 3, "sum:stars": 7 } },
      { key: { flag: true }, values: { count: 3, "sum:stars": 8 } },
    ]);
    const byCity = await ok(admin, { groupBy: ["city"], measures: [{ op: "count" }] });
    expect(byCity.groups).toEqual([
      { key: { city: "Beijing" }, values: { count: 2 } },
      { key: { city: "Shanghai" }, values: { count: 3 } },
      { key: { city: null }, values: { count: 1 } },
    ]);
  });

  it.each([
    [
      "day",
      [
        ["2023-12-31", 1],
        ["2024-01-01", 1],
        ["2024-01-07", 1],
        ["2024-03-31", 1],
        ["2024-04-01", 1],
        [null, 1],
      ],
    ],
    [
      "week",
      [
        ["2023-12-25", 1],
        ["2024-01-01", 2],
        ["2024-03-25", 1],
        ["2024-04-01", 1],
        [null, 1],
      ],
    ],
    [
      "month",
      [
        ["2023-12-01", 1],
        ["2024-01-01", 2],
        ["2024-03-01", 1],
        ["2024-04-01", 1],
        [null, 1],
      ],
    ],
    [
      "quarter",
      [
        ["2023-10-01", 1],
        ["2024-01-01", 3],
        ["2024-04-01", 1],
        [null, 1],
      ],
    ],
    [
      "year",
      [
        ["2023-01-01", 1],
        ["2024-01-01", 4],
        [null, 1],
      ],
    ],
  ] as const)("date buckets by %s, named by their first day", async (by, want) => {
    const r = await ok(admin, { groupBy: [{ field: "d", by }], measures: [{ op: "count" }] });
    expect(r.groups).toEqual(want.map(([d, count]) => ({ key: { d }, values: { count } })));
  });

  it("datetime buckets are UTC days; a date without `by` groups by day", async () => {
    const day = await ok(admin, { groupBy: [{ field: "dt", by: "day" }], measures: [{ op: "count" }] });
    // b2 is 2024-04-01T08:00+09:00, i.e. 2024-03-31T23:00Z.
    expect(day.groups.map((g) => [g.key.dt, g.values.count])).toEqual([
      ["2023-12-31", 1],
      ["2024-01-01", 1],
      ["2024-01-07", 1],
      ["2024-03-31", 2],
      [null, 1],
    ]);
    const month = await ok(admin, { groupBy: [{ field: "dt", by: "month" }], measures: [{ op: "count" }] });
    expect(month.groups.map((g) => [g.key.dt, g.values.count])).toEqual([
      ["2023-12-01", 1],
      ["2024-01-01", 2],
      ["2024-03-01", 2],
      [null, 1],
    ]);
    const plain = await ok(admin, { groupBy: ["d"], measures: [{ op: "count" }] });
    expect(plain.groups).toHaveLength(6);
  });

  it("two keys make swimlanes: stage in choice order, then owner", async () => {
    const r = await ok(admin, {
      groupBy: ["stage", "owner"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
    });
    const A = users.repA.id,
      B = users.repB.id;
    const lead = [
      [A, 1000],
      [B, 3],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(r.groups).toEqual([
      ...lead.map(([owner, amount]) => ({
        key: { stage: "lead", owner },
        values: { count: 1, "sum:amount": [{ amount, currency: "USD" }] },
      })),
      { key: { stage: "quote", owner: A }, values: { count: 1, "sum:amount": [{ amount: 2500, currency: "USD" }] } },
      { key: { stage: "won", owner: B }, values: { count: 1, "sum:amount": [{ amount: 7000, currency: "CNY" }] } },
      { key: { stage: "lost", owner: adminId }, values: { count: 1, "sum:amount": [{ amount: 4, currency: "USD" }] } },
      { key: { stage: null, owner: adminId }, values: { count: 1, "sum:amount": [] } },
    ]);
  });

  it("three keys at most; only groupable types; buckets only on dates; a key once", async () => {
    expectProblem(
      await agg(admin, { groupBy: ["stage", "owner", "flag", "city"], measures: [{ op: "count" }] }),
      422,
      "groupBy",
    );
    for (const f of ["num", "amount", "pct", "tags", "notes", "no"])
      expectProblem(await agg(admin, { groupBy: [f], measures: [{ op: "count" }] }), 400, "groupBy/0", "not_groupable");
    expectProblem(
      await agg(admin, { groupBy: [{ field: "stage", by: "month" }], measures: [{ op: "count" }] }),
      400,
      "groupBy/0/by",
      "not_bucketable",
    );
    expectProblem(
      await agg(admin, { groupBy: [{ field: "d", by: "decade" }], measures: [{ op: "count" }] }),
      422,
      "groupBy/0",
    );
    expectProblem(
      await agg(admin, { groupBy: ["d", { field: "d", by: "year" }], measures: [{ op: "count" }] }),
      400,
      "groupBy/1",
      "duplicate",
    );
  });
});

describe("sort, limit, totals", () => {
  it("sorts by a measure, keeps key order as tie-break, limits and says so", async () => {
    const r = await ok(admin, {
      groupBy: ["stage"],
      measures: [{ op: "count" }],
      sort: [{ measure: "count", direction: "desc" }],
      limit: 2,
    });
    expect(r.groups).toEqual([
      { key: { stage: "lead" }, values: { count: 2 } },
      { key: { stage: "quote" }, values: { count: 1 } },
    ]);
    expect(r.truncated).toBe(true);
    const all = await ok(admin, {
      groupBy: ["stage"],
      measures: [{ op: "count" }],
      sort: [{ key: "stage", direction: "desc" }],
    });
    expect(all.groups.map((g) => g.key.stage)).toEqual(["lost", "won", "quote", "lead", null]);
    expect(all.truncated).toBe(false);
  });

  it("sorts by a money measure in the field's default currency only", async () => {
    const r = await ok(admin, {
      groupBy: ["stage"],
      measures: [{ op: "sum", field: "amount" }],
      sort: [{ measure: "sum:amount", direction: "desc" }],
    });
    // USD sums: quote 2500, lead 1003, lost 4; won has only CNY and null has none: they sort last.
    expect(r.groups.map((g) => g.key.stage)).toEqual(["quote", "lead", "lost", "won", null]);
  });

  it("folds totals from all groups or, when groups were cut off, computes them apart: the same either way", async () => {
    const body = { groupBy: ["stage", "flag"], measures: ALL_MEASURES, totals: true };
    const whole = await ok(admin, body);
    const cut = await ok(admin, { ...body, limit: 1 });
    const flat = await ok(admin, { measures: ALL_MEASURES });
    expect(whole.truncated).toBe(false);
    expect(cut.truncated).toBe(true);
    expect(whole.totals).toEqual(flat.groups[0]!.values);
    expect(cut.totals).toEqual(flat.groups[0]!.values);
  });

  it("returns totals over every matching record beside the groups", async () => {
    const r = await ok(admin, {
      groupBy: ["stage"],
      filter: { field: "flag", op: "eq", value: true },
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      totals: true,
      limit: 1,
    });
    expect(r.groups).toHaveLength(1);
    expect(r.totals).toEqual({
      count: 3,
      "sum:amount": [
        { amount: 7000, currency: "CNY" },
        { amount: 1000, currency: "USD" },
      ],
    });
  });

  it("searches with q like the records list", async () => {
    expect((await ok(admin, { q: "shang", measures: [{ op: "count" }] })).groups[0]!.values.count).toBe(3);
  });
});

describe("permissions", () => {
  it("a rep with an own rule sees sums of their own rows only", async () => {
    const r = await ok(users.repA.client, {
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      totals: true,
    });
    expect(r.groups).toEqual([
      { key: { stage: "lead" }, values: { count: 1, "sum:amount": [{ amount: 1000, currency: "USD" }] } },
      { key: { stage: "quote" }, values: { count: 1, "sum:amount": [{ amount: 2500, currency: "USD" }] } },
    ]);
    expect(r.totals).toEqual({ count: 2, "sum:amount": [{ amount: 3500, currency: "USD" }] });
    // A filter cannot widen the row rule.
    const widened = await ok(users.repA.client, {
      filter: {
        or: [
          { field: "owner", op: "eq", value: users.repB.id },
          { field: "owner", op: "is_not_empty" },
        ],
      },
      measures: [{ op: "count" }],
    });
    expect(widened.groups[0]!.values.count).toBe(2);
  });

  it("a manager sees the team's sums; a rule-based role its rule's rows", async () => {
    const m = await ok(users.mgr.client, {
      groupBy: ["owner"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
    });
    const byOwner = Object.fromEntries(m.groups.map((g) => [g.key.owner, g.values]));
    expect(Object.keys(byOwner).sort()).toEqual([users.repA.id, users.repB.id].sort());
    expect(byOwner[users.repA.id]).toEqual({ count: 2, "sum:amount": [{ amount: 3500, currency: "USD" }] });
    expect(byOwner[users.repB.id]).toEqual({
      count: 2,
      "sum:amount": [
        { amount: 7000, currency: "CNY" },
        { amount: 3, currency: "USD" },
      ],
    });
    const ruled = await ok(users.ruled.client, { groupBy: ["stage"], measures: [{ op: "count" }] });
    expect(ruled.groups).toEqual([
      { key: { stage: "won" }, values: { count: 1 } },
      { key: { stage: "lost" }, values: { count: 1 } },
    ]);
  });

  it("a role with no read gets 403 naming the action", async () => {
    expectProblem(
      await agg(users.noread.client, { measures: [{ op: "count" }] }),
      403,
      `read records of ${table}`,
      "forbidden",
    );
  });

  it("a hidden field cannot be grouped, measured, filtered, sorted or searched: it does not exist for the caller", async () => {
    const secretId = (await admin.get(`/meta/tables/${table}`)).body.table.fields.find(
      (f: any) => f.name === "secret",
    ).id;
    const c = users.repA.client;
    expectProblem(
      await agg(c, { groupBy: ["secret"], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
      "unknown_field",
    );
    expectProblem(
      await agg(c, { groupBy: [secretId], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
      "unknown_field",
    );
    expectProblem(await agg(c, { measures: [{ op: "sum", field: "cost" }] }), 400, "measures/0/field", "unknown_field");
    expectProblem(await agg(c, { measures: [{ op: "max", field: "cost" }] }), 400, "measures/0/field", "unknown_field");
    expectProblem(
      await agg(c, { filter: { field: "secret", op: "eq", value: "s1" }, measures: [{ op: "count" }] }),
      400,
      "filter/field",
      "unknown_field",
    );
    expectProblem(
      await agg(c, { filter: { and: [{ field: "secret", op: "is_not_empty" }] }, measures: [{ op: "count" }] }),
      400,
      "filter/and/0/field",
      "unknown_field",
    );
    expectProblem(
      await agg(c, { groupBy: ["stage"], sort: [{ key: "secret" }], measures: [{ op: "count" }] }),
      400,
      "sort/0/key",
      "unknown_key",
    );
    // The same request the admin may make: the field exists.
    expect(
      (await ok(admin, { filter: { field: "secret", op: "eq", value: "s1" }, measures: [{ op: "count" }] })).groups[0]!
        .values.count,
    ).toBe(1);
    // q does not search hidden fields: no count leaks their values.
    expect((await ok(admin, { q: "s1", measures: [{ op: "count" }] })).groups[0]!.values.count).toBe(1);
    expect((await ok(c, { q: "s1", measures: [{ op: "count" }] })).groups[0]!.values.count).toBe(0);
  });

  it("a narrowed access (as an embed token gets) bounds fields and rows of the aggregate", async () => {
    const reg = await loadRegistry(DB);
    const t = findTable(reg, table)!;
    const principal = {
      userId: adminId,
      email: "a@x",
      name: "A",
      roles: ["admin"],
      isAdmin: true,
      teams: [],
      teamMembers: [adminId],
      timeZone: "UTC",
    };
    const only = parseFilter({ field: "stage", op: "eq", value: "lead" }, t, { canRead: () => true });
    const shown = new Set(["stage", "amount"]);
    const narrow = (a: TableAccess): TableAccess => ({
      ...a,
      canRead: (f) => shown.has(f.name) && a.canRead(f),
      rowFilter: (op) => ({ kind: "and", children: [only, ...(a.rowFilter(op) ? [a.rowFilter(op)!] : [])] }),
    });
    const ctx = { db: DB, principal, reg, narrow };
    const r = await aggregateRecords(ctx, t, {
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      totals: true,
    });
    expect(r.groups).toEqual([
      { key: { stage: "lead" }, values: { count: 2, "sum:amount": [{ amount: 1003, currency: "USD" }] } },
    ]);
    expect(r.totals).toEqual({ count: 2, "sum:amount": [{ amount: 1003, currency: "USD" }] });
    await expect(aggregateRecords(ctx, t, { measures: [{ op: "sum", field: "num" }] })).rejects.toMatchObject({
      code: "unknown_field",
    });
    await expect(
      aggregateRecords(ctx, t, { filter: { field: "name", op: "eq", value: "o1" }, measures: [{ op: "count" }] }),
    ).rejects.toMatchObject({ code: "unknown_field" });
  });
});

describe("bad input", () => {
  const count = [{ op: "count" }];
  it.each([
    ["a body that is an array", [], ""],
    ["a body that is a string", '"count"', ""],
    ["no measures", {}, "measures"],
    ["empty measures", { measures: [] }, "measures"],
    ["measures not a list", { measures: { op: "count" } }, "measures"],
    ["an unknown operation", { measures: [{ op: "median", field: "num" }] }, "measures/0/op"],
    ["an operation of the wrong type", { measures: [{ op: 5 }] }, "measures/0/op"],
    ["count naming a field", { measures: [{ op: "count", field: "num" }] }, "measures/0"],
    ["sum without a field", { measures: [{ op: "sum" }] }, "measures/0/field"],
    ["a field that is a number", { measures: [{ op: "sum", field: 5 }] }, "measures/0/field"],
    ["a field name too long", { measures: [{ op: "sum", field: "x".repeat(65) }] }, "measures/0/field"],
    ["an unknown key", { measures: count, having: { count: 2 } }, "having"],
    ["an unknown key in a measure", { measures: [{ op: "count", as: "n" }] }, "measures/0/as"],
    ["limit 0", { measures: count, limit: 0 }, "limit"],
    ["limit 1001", { measures: count, limit: 1001 }, "limit"],
    ["limit as text", { measures: count, limit: "10" }, "limit"],
    ["limit fractional", { measures: count, limit: 1.5 }, "limit"],
    ["q too long", { measures: count, q: "x".repeat(201) }, "q"],
    ["q not text", { measures: count, q: 5 }, "q"],
    ["totals not boolean", { measures: count, totals: "yes" }, "totals"],
    ["groupBy not a list", { measures: count, groupBy: "stage" }, "groupBy"],
    ["a group key of the wrong type", { measures: count, groupBy: [5] }, "groupBy/0"],
    [
      "sort with both key and measure",
      { measures: count, groupBy: ["stage"], sort: [{ key: "stage", measure: "count" }] },
      "sort/0/key",
    ],
    [
      "sort with a bad direction",
      { measures: count, groupBy: ["stage"], sort: [{ key: "stage", direction: "up" }] },
      "sort/0/direction",
    ],
    ["too many measures", { measures: Array.from({ length: 31 }, () => ({ op: "count" })) }, "measures"],
  ])("%s -> 422 naming it", async (_name, body, field) => {
    const res = await admin.request("POST", `/tables/${table}/aggregate`, body as never);
    expectProblem(res, 422);
    expect(
      res.body.errors.map((e: any) => e.field),
      res.text,
    ).toContain(field);
  });

  it("unknown and injection-shaped fields are unknown (400), naming where", async () => {
    const evil = 'amount" FROM sg_users; --';
    expectProblem(
      await agg(admin, { measures: [{ op: "sum", field: "nope" }] }),
      400,
      "measures/0/field",
      "unknown_field",
    );
    expectProblem(
      await agg(admin, { measures: [{ op: "sum", field: evil }] }),
      400,
      "measures/0/field",
      "unknown_field",
    );
    expectProblem(await agg(admin, { groupBy: [evil], measures: count }), 400, "groupBy/0", "unknown_field");
    expectProblem(
      await agg(admin, { groupBy: [{ field: "c_1) OR 1=1 --", by: "day" }], measures: count }),
      400,
      "groupBy/0/field",
      "unknown_field",
    );
    expectProblem(
      await agg(admin, { filter: { field: evil, op: "eq", value: 1 }, measures: count }),
      400,
      "filter/field",
      "unknown_field",
    );
    expectProblem(
      await agg(admin, { groupBy: ["stage"], sort: [{ measure: "count; DROP TABLE sg_users" }], measures: count }),
      400,
      "sort/0/measure",
      "unknown_measure",
    );
    expectProblem(
      await agg(admin, { groupBy: ["stage"], sort: [{ measure: "sum:amount" }], measures: count }),
      400,
      "sort/0/measure",
      "unknown_measure",
    );
    expectProblem(await agg(admin, { measures: [{ op: "count" }, { op: "count" }] }), 400, "measures/1", "duplicate");
    expectProblem(
      await agg(admin, { filter: { field: "num", op: "like", value: 1 }, measures: count }),
      400,
      "filter/op",
      "unknown_operator",
    );
    expectProblem(
      await agg(admin, { filter: { field: "flag", op: "gt", value: true }, measures: count }),
      400,
      "filter/op",
      "operator_not_allowed",
    );
    expectProblem(
      await agg(admin, { filter: { field: "num", op: "eq", value: "1 OR 1=1" }, measures: count }),
      422,
      "filter/value",
    );
    expectProblem(await agg(admin, { filter: [], measures: count }), 400, "filter", "type");
  });

  it("injection-shaped values are values: they match nothing and change nothing", async () => {
    for (const value of ["x' OR '1'='1", "'; DROP TABLE sg_users; --", "\\' OR 1=1 --", "%", "_"]) {
      expect(
        (await ok(admin, { filter: { field: "city", op: "eq", value }, measures: count })).groups[0]!.values.count,
      ).toBe(0);
      expect(
        (await ok(admin, { q: value === "%" || value === "_" ? `${value}${value}` : value, measures: count }))
          .groups[0]!.values.count,
      ).toBe(0);
    }
    expect((await ok(admin, { measures: count })).groups[0]!.values.count).toBe(6);
    expect(await DB.prepare("SELECT COUNT(*) AS n FROM sg_users").first("n")).toBeGreaterThan(0);
  });

  it("a filter needing more than 100 bound values is refused with 400", async () => {
    const filter = { and: Array.from({ length: 100 }, (_, i) => ({ field: "num", op: "neq", value: i })) };
    expectProblem(await agg(admin, { filter, measures: count }), 400, "filter", "too_complex");
  });

  it("transport errors: oversize, malformed JSON, wrong media type, no token, unknown table", async () => {
    const big = {
      measures: count,
      filter: { field: "city", op: "in", value: Array.from({ length: 1000 }, (_, i) => `city-${i}-${"x".repeat(60)}`) },
    };
    expectProblem(await agg(admin, big), 413);
    expectProblem(await admin.request("POST", `/tables/${table}/aggregate`, '{"measures": [', {}), 400);
    expectProblem(
      await admin.request("POST", `/tables/${table}/aggregate`, "measures=count", {
        "content-type": "application/x-www-form-urlencoded",
      }),
      415,
    );
    expectProblem(await api().post(`/tables/${table}/aggregate`, { measures: count }), 401);
    expectProblem(await agg(admin, { measures: count }, "no_such_table"), 404);
  });
});

describe("aggregates through a view", () => {
  let viewId: string;
  beforeAll(async () => {
    const res = await admin.post("/meta/views", {
      name: `board_${sfx()}`,
      table,
      type: "kanban",
      groupBy: "stage",
      roles: [roles.rep, roles.mgr],
      filter: { field: "stage", op: "in", value: ["lead", "quote", "won"] },
      fields: ["name", "stage", "owner", "amount"],
    });
    expect(res.status, res.text).toBe(201);
    viewId = res.body.view.id;
  });
  const vagg = (c: Client, body: unknown, id = viewId) => c.post(`/meta/views/${id}/aggregate`, body);

  it("applies the view's filter, and a caller's filter narrows it, never widens it", async () => {
    const res = await vagg(admin, {
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      totals: true,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups.map((g: any) => [g.key.stage, g.values.count])).toEqual([
      ["lead", 2],
      ["quote", 1],
      ["won", 1],
    ]);
    expect(res.body.totals["sum:amount"]).toEqual([
      { amount: 7000, currency: "CNY" },
      { amount: 3503, currency: "USD" },
    ]);
    const wider = await vagg(admin, {
      filter: {
        or: [
          { field: "stage", op: "eq", value: "lost" },
          { field: "stage", op: "is_empty" },
        ],
      },
      measures: [{ op: "count" }],
    });
    expect(wider.status, wider.text).toBe(200);
    expect(wider.body.groups[0].values.count).toBe(0);
  });

  it("uses only the view's fields", async () => {
    expectProblem(
      await vagg(admin, { measures: [{ op: "sum", field: "num" }] }),
      400,
      "measures/0/field",
      "unknown_field",
    );
    expectProblem(
      await vagg(admin, { groupBy: ["city"], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
      "unknown_field",
    );
    expectProblem(
      await vagg(admin, { filter: { field: "flag", op: "eq", value: true }, measures: [{ op: "count" }] }),
      400,
      "filter/field",
      "unknown_field",
    );
    // q searches the view's fields only: city is not one of them.
    expect((await vagg(admin, { q: "Shanghai", measures: [{ op: "count" }] })).body.groups[0].values.count).toBe(0);
  });

  it("applies the caller's own row rule under the view", async () => {
    const rep = await vagg(users.repA.client, {
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
    });
    expect(rep.status, rep.text).toBe(200);
    expect(rep.body.groups).toEqual([
      { key: { stage: "lead" }, values: { count: 1, "sum:amount": [{ amount: 1000, currency: "USD" }] } },
      { key: { stage: "quote" }, values: { count: 1, "sum:amount": [{ amount: 2500, currency: "USD" }] } },
    ]);
    const mgr = await vagg(users.mgr.client, { measures: [{ op: "count" }] });
    expect(mgr.body.groups[0].values.count).toBe(4);
  });

  it("a view the caller may not open is not found; bad bodies are refused as on the table", async () => {
    expectProblem(await vagg(users.ruled.client, { measures: [{ op: "count" }] }), 404);
    expectProblem(await vagg(admin, { measures: [{ op: "count" }] }, "viw_doesnotexist0"), 404);
    expectProblem(await vagg(admin, { measures: [] }), 422, "measures");
    expectProblem(
      await vagg(admin, {
        measures: [{ op: "count" }],
        filter: { field: "name", op: "in", value: Array.from({ length: 1000 }, () => "y".repeat(80)) },
      }),
      413,
    );
  });
});
