/**
 * Kanban options of a view: `layout.sumField` (a currency or number field the columns sum) and
 * `layout.swimlaneField` (a single_select or user field that splits the board), stored by field id,
 * shown by name; a kanban reaches its column, swimlane and sum fields even when its card fields leave
 * them out; a viewer who cannot read the swimlane field cannot open the board, one who cannot read
 * the sum field gets the board without sums. Bad options are refused naming the option.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, createUser, login, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

let admin: Client;
let table: string;
let repId: string;
let rep: Client;
let blind: Client;
let poor: Client;
const roles = { rep: `kb_rep_${sfx()}`, blind: `kb_blind_${sfx()}`, poor: `kb_poor_${sfx()}` };

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field?: string,
  code?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/at .*\.ts:\d+|SQLITE|D1_ERROR/);
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text,
    ).toContain(field);
  if (code !== undefined)
    expect(
      res.body.errors.map((e: { code: string }) => e.code),
      res.text,
    ).toContain(code);
}

const board = (extra: Record<string, unknown> = {}) => ({
  name: `board_${sfx()}`,
  table,
  type: "kanban",
  groupBy: "stage",
  roles: Object.values(roles),
  fields: ["title", "amount"],
  layout: { sumField: "amount", swimlaneField: "owner" },
  ...extra,
});

async function setGrant(role: string, grant: Record<string, unknown>) {
  const res = await admin.request("PUT", `/admin/roles/${role}/grants/${table}`, {
    create: "none",
    update: "all",
    delete: "none",
    defaultField: "write",
    read: "all",
    ...grant,
  });
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  for (const name of Object.values(roles)) expect((await admin.post("/admin/roles", { name })).status).toBe(201);
  table = `kb_${sfx()}`;
  const res = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "title", type: "text" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "lead" }, { name: "quote" }, { name: "won" }] },
      },
      { name: "owner", type: "user" },
      { name: "amount", type: "currency", options: { currency: "CNY" } },
      { name: "units", type: "number" },
      { name: "region", type: "single_select", options: { choices: [{ name: "north" }, { name: "south" }] } },
      { name: "note", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const make = async (role: string) => {
    const u = await createUser([role]);
    return { id: u.user.id, client: api(await login(u.email, u.password)) };
  };
  const r = await make(roles.rep);
  repId = r.id;
  rep = r.client;
  blind = (await make(roles.blind)).client;
  poor = (await make(roles.poor)).client;
  await setGrant(roles.rep, {});
  await setGrant(roles.blind, { fields: { owner: "hidden" } });
  await setGrant(roles.poor, { fields: { amount: "hidden" } });
  const rows = [
    { title: "a", stage: "lead", owner: repId, amount: 1050, region: "north" },
    { title: "b", stage: "lead", owner: repId, amount: 2075, region: "south" },
    { title: "c", stage: "quote", owner: null, amount: 999_999_999_99, region: "north" },
    { title: "d", stage: "won", owner: repId, amount: null, region: "north" },
  ];
  const created = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
});

describe("kanban options in a view definition", () => {
  it("stores the sum and swimlane fields by id and shows them by name, also after a rename", async () => {
    const res = await admin.post("/meta/views", board());
    expect(res.status, res.text).toBe(201);
    expect(res.body.view).toMatchObject({
      type: "kanban",
      groupBy: "stage",
      layout: { sumField: "amount", swimlaneField: "owner" },
    });
    const t = (await admin.get(`/meta/tables/${table}`)).body.table;
    const amount = t.fields.find((f: { name: string }) => f.name === "amount");
    const renamed = await admin.patch(`/meta/tables/${table}/fields/${amount.id}`, { name: "value" });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await admin.get(`/meta/views/${res.body.view.id}`)).body.view.layout.sumField).toBe("value");
    const back = await admin.patch(`/meta/tables/${table}/fields/${amount.id}`, { name: "amount" });
    expect(back.status, back.text).toBe(200);
    expect((await admin.get(`/meta/views/${res.body.view.id}`)).body.view.layout.sumField).toBe("amount");
  });

  it("accepts a number sum field and a single_select swimlane field; keeps other layout keys", async () => {
    const res = await admin.post(
      "/meta/views",
      board({ layout: { sumField: "units", swimlaneField: "region", frozenColumns: 1 } }),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.view.layout).toEqual({ sumField: "units", swimlaneField: "region", frozenColumns: 1 });
  });

  it("refuses a sum field that is not currency or number, and a swimlane field that is not single_select or user", async () => {
    expectProblem(
      await admin.post("/meta/views", board({ layout: { sumField: "title" } })),
      422,
      "layout/sumField",
      "kanban_sum",
    );
    expectProblem(
      await admin.post("/meta/views", board({ layout: { swimlaneField: "amount" } })),
      422,
      "layout/swimlaneField",
      "kanban_swimlane",
    );
    expectProblem(
      await admin.post("/meta/views", board({ layout: { swimlaneField: "stage" } })),
      422,
      "layout/swimlaneField",
      "kanban_swimlane",
    );
  });

  it("refuses kanban options on other view types", async () => {
    expectProblem(
      await admin.post("/meta/views", board({ type: "grid", groupBy: undefined, layout: { sumField: "amount" } })),
      422,
      "layout/sumField",
      "kanban_only",
    );
    expectProblem(
      await admin.post(
        "/meta/views",
        board({ type: "calendar", groupBy: undefined, layout: { dateField: "title", swimlaneField: "owner" } }),
      ),
      422,
      "layout/swimlaneField",
      "kanban_only",
    );
  });

  it("refuses unknown fields, wrong types, unknown keys and injection-shaped names, naming the option", async () => {
    expectProblem(
      await admin.post("/meta/views", board({ layout: { sumField: "nope" } })),
      422,
      "layout/sumField",
      "unknown_field",
    );
    expectProblem(
      await admin.post("/meta/views", board({ layout: { sumField: 'amount"; DROP TABLE sg_views; --' } })),
      422,
      "layout/sumField",
      "unknown_field",
    );
    expectProblem(
      await admin.post("/meta/views", board({ layout: { swimlaneField: "owner' OR 1=1 --" } })),
      422,
      "layout/swimlaneField",
      "unknown_field",
    );
    const typed = await admin.post("/meta/views", board({ layout: { sumField: 12 } }));
    expect(typed.status, typed.text).toBeGreaterThanOrEqual(400);
    expect(typed.status).toBeLessThan(500);
    expect(typed.text).toContain("layout/sumField");
    const extra = await admin.post("/meta/views", board({ layout: { sumField: "amount", swimlanes: "owner" } }));
    expect(extra.status).toBeGreaterThanOrEqual(400);
    expect(extra.status).toBeLessThan(500);
    expect(extra.text).toContain("swimlanes");
    expect((await admin.get("/meta/views")).text).not.toContain("DROP TABLE");
  });

  it("lets only admins set them, within the view body limit", async () => {
    const res = await rep.post("/meta/views", board());
    expectProblem(res, 403);
    const big = await admin.post("/meta/views", { ...board(), label: "x".repeat(70 * 1024) });
    expectProblem(big, 413);
  });

  it("changes and removes them with PATCH", async () => {
    const v = (await admin.post("/meta/views", board())).body.view;
    const changed = await admin.patch(`/meta/views/${v.id}`, { version: v.version, layout: { sumField: "units" } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.view.layout).toEqual({ sumField: "units" });
    const wrong = await admin.patch(`/meta/views/${v.id}`, {
      version: changed.body.view.version,
      layout: { sumField: "region" },
    });
    expectProblem(wrong, 422, "layout/sumField", "kanban_sum");
  });
});

describe("what a kanban view reaches", () => {
  it("lists and aggregates by its column and swimlane fields even when its card fields leave them out", async () => {
    const v = (await admin.post("/meta/views", board())).body.view;
    const list = await rep.get(
      `/meta/views/${v.id}/records?filter=${encodeURIComponent(JSON.stringify({ field: "stage", op: "eq", value: "lead" }))}&sort=title`,
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.records.map((r: { fields: Record<string, unknown> }) => r.fields)).toEqual([
      { title: "a", stage: "lead", owner: repId, amount: { amount: 1050, currency: "CNY" } },
      { title: "b", stage: "lead", owner: repId, amount: { amount: 2075, currency: "CNY" } },
    ]);
    // region is neither a card field nor an arranging field: still out of reach.
    expectProblem(await rep.get(`/meta/views/${v.id}/records?fields=region`), 400);
    const agg = await rep.post(`/meta/views/${v.id}/aggregate`, {
      groupBy: ["stage", "owner"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
    });
    expect(agg.status, agg.text).toBe(200);
    expect(agg.body.groups).toEqual([
      { key: { stage: "lead", owner: repId }, values: { count: 2, "sum:amount": [{ amount: 3125, currency: "CNY" }] } },
      {
        key: { stage: "quote", owner: null },
        values: { count: 1, "sum:amount": [{ amount: 999_999_999_99, currency: "CNY" }] },
      },
      { key: { stage: "won", owner: repId }, values: { count: 1, "sum:amount": [] } },
    ]);
    expectProblem(
      await rep.post(`/meta/views/${v.id}/aggregate`, { groupBy: ["region"], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
    );
  });

  it("does not stretch a grid view's fields to its groupBy", async () => {
    const v = await admin.post("/meta/views", {
      name: `grid_${sfx()}`,
      table,
      type: "grid",
      groupBy: "stage",
      roles: [roles.rep],
      fields: ["title"],
    });
    expect(v.status, v.text).toBe(201);
    expectProblem(
      await rep.post(`/meta/views/${v.body.view.id}/aggregate`, { groupBy: ["stage"], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
    );
  });

  it("is closed to a viewer who cannot read the swimlane field, and shows no sum field to one who cannot read it", async () => {
    const v = (await admin.post("/meta/views", board())).body.view;
    expectProblem(await blind.get(`/meta/views/${v.id}`), 404);
    expectProblem(
      await blind.post(`/meta/views/${v.id}/aggregate`, { groupBy: ["stage"], measures: [{ op: "count" }] }),
      404,
    );
    const seen = await poor.get(`/meta/views/${v.id}`);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body.view.layout).toEqual({ swimlaneField: "owner" });
    expectProblem(
      await poor.post(`/meta/views/${v.id}/aggregate`, {
        groupBy: ["stage"],
        measures: [{ op: "sum", field: "amount" }],
      }),
      400,
      "measures/0/field",
    );
    const counts = await poor.post(`/meta/views/${v.id}/aggregate`, {
      groupBy: ["stage"],
      measures: [{ op: "count" }],
    });
    expect(counts.body.groups.map((g: { values: { count: number } }) => g.values.count)).toEqual([2, 1, 1]);
  });
});
