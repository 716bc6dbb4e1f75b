/**
 * POST /api/embed/aggregate: an embedded kanban's column counts and sums, narrowed exactly as the
 * embed's records are (the view's filter AND the token's AND the creator's row rule; only the view's
 * fields plus the kanban's column, swimlane and sum fields), so the sums always match the cards. Embed
 * tokens only; bad bodies are refused naming the field; a revoked token or a creator who lost the view
 * stops it at once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, testEnv, userWithToken } from "./helpers";

type Api = ReturnType<typeof api>;
const DB = testEnv.DB;
const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

let admin: Api;
let creatorApi: Api;
let creatorToken: string;
let creatorId: string;
let table: string;
let boardId: string;
const role = uniq("ea_rep");

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/at .*\.ts:\d+|SQLITE|D1_ERROR/);
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text,
    ).toContain(field);
}

async function mint(body: Record<string, unknown> = {}, as: Api = creatorApi) {
  const res = await as.post("/admin/embed-tokens", { view: boardId, mode: "read", expiresInDays: 30, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as { token: string; embed: { id: string } };
}

const byStage = (res: { body: any }) =>
  Object.fromEntries(
    (res.body.groups as { key: { stage: string }; values: Record<string, unknown> }[]).map((g) => [
      g.key.stage,
      g.values,
    ]),
  );

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
  // The creator is an admin (to mint) who is also a rep: dropping `admin` leaves the rep's rule.
  const c = await userWithToken(["admin", role]);
  creatorApi = api(c.token);
  creatorToken = c.token;
  creatorId = c.user.id;
  table = uniq("ea_deals");
  const res = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "title", type: "text" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "lead" }, { name: "quote" }, { name: "won" }, { name: "lost" }] },
      },
      { name: "owner", type: "user" },
      { name: "amount", type: "currency", options: { currency: "CNY" } },
      { name: "region", type: "text" },
      { name: "secret", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  // The rep reads only rows whose region is not "hidden-region", and never `secret`.
  const grant = await admin.request("PUT", `/admin/roles/${role}/grants/${table}`, {
    read: { rule: { field: "region", op: "neq", value: "hidden-region" } },
    create: "none",
    update: "all",
    delete: "none",
    defaultField: "write",
    fields: { secret: "hidden" },
  });
  expect(grant.status, grant.text).toBe(200);
  const rows = [
    { title: "a", stage: "lead", owner: creatorId, amount: 1000, region: "north", secret: "s" },
    { title: "b", stage: "lead", owner: creatorId, amount: 2500, region: "south", secret: "s" },
    { title: "c", stage: "quote", owner: null, amount: 7001, region: "north", secret: "s" },
    { title: "d", stage: "quote", owner: creatorId, amount: 9_007_199_254_740_000, region: "north", secret: "s" },
    { title: "e", stage: "lost", owner: creatorId, amount: 50, region: "north", secret: "s" },
    { title: "f", stage: "lead", owner: creatorId, amount: 400, region: "hidden-region", secret: "s" },
  ];
  const created = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  // Lost deals left out by the view; the card fields leave out stage and owner.
  const view = await admin.post("/meta/views", {
    name: uniq("board"),
    table,
    type: "kanban",
    groupBy: "stage",
    roles: [role],
    fields: ["title", "amount"],
    filter: { field: "stage", op: "neq", value: "lost" },
    layout: { sumField: "amount", swimlaneField: "owner" },
  });
  expect(view.status, view.text).toBe(201);
  boardId = view.body.view.id;
});

describe("POST /api/embed/aggregate", () => {
  it("counts and sums exactly over the view's filter AND the token's AND the creator's row rule", async () => {
    const { token } = await mint();
    const all = await api(token).post("/embed/aggregate", {
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      totals: true,
    });
    expect(all.status, all.text).toBe(200);
    // As admin the creator reads row f too; the view still leaves out the lost deal.
    expect(byStage(all)).toEqual({
      lead: { count: 3, "sum:amount": [{ amount: 3900, currency: "CNY" }] },
      // Past 2^53 an amount travels as a digit string, exact.
      quote: { count: 2, "sum:amount": [{ amount: "9007199254747001", currency: "CNY" }] },
    });
    expect(all.body.totals).toEqual({ count: 5, "sum:amount": [{ amount: "9007199254750901", currency: "CNY" }] });

    await DB.prepare("UPDATE sg_users SET roles = ?1 WHERE id = ?2")
      .bind(JSON.stringify([role]), creatorId)
      .run();
    try {
      const ruled = await api(token).post("/embed/aggregate", {
        groupBy: ["stage"],
        measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      });
      expect(ruled.status, ruled.text).toBe(200);
      // The creator as a plain rep: the row rule hides row f.
      expect(byStage(ruled).lead).toEqual({ count: 2, "sum:amount": [{ amount: 3500, currency: "CNY" }] });
    } finally {
      await DB.prepare("UPDATE sg_users SET roles = ?1 WHERE id = ?2")
        .bind(JSON.stringify(["admin", role]), creatorId)
        .run();
    }
  });

  it("applies the token's filter and groups by the swimlane field the card fields leave out", async () => {
    const { token } = await mint({ filter: { field: "region", op: "eq", value: "north" } });
    const res = await api(token).post("/embed/aggregate", { groupBy: ["stage", "owner"], measures: [{ op: "count" }] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups).toHaveLength(3);
    expect(res.body.groups).toEqual(
      expect.arrayContaining([
        { key: { stage: "lead", owner: creatorId }, values: { count: 1 } },
        { key: { stage: "quote", owner: creatorId }, values: { count: 1 } },
        { key: { stage: "quote", owner: null }, values: { count: 1 } },
      ]),
    );
    // A caller's filter narrows further, never widens: lost stays out.
    const lost = await api(token).post("/embed/aggregate", {
      filter: { field: "stage", op: "eq", value: "lost" },
      measures: [{ op: "count" }],
    });
    expect(lost.body.groups).toEqual([{ key: {}, values: { count: 0 } }]);
  });

  it("shows the kanban's arranging fields in GET /api/embed/view and lets an edit embed move a card", async () => {
    const { token } = await mint({ mode: "edit" });
    const view = await api(token).get("/embed/view");
    expect(view.status, view.text).toBe(200);
    expect(view.body.view).toMatchObject({
      type: "kanban",
      groupBy: "stage",
      layout: { sumField: "amount", swimlaneField: "owner" },
      fields: ["title", "amount", "stage", "owner"],
    });
    expect(view.body.table.fields.find((f: { name: string }) => f.name === "stage").access).toBe("write");
    const list = await api(token).get(
      `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "title", op: "eq", value: "c" }))}`,
    );
    const rec = list.body.records[0];
    expect(rec.fields.stage).toBe("quote");
    const moved = await api(token).patch("/embed/records", {
      records: [{ id: rec.id, version: rec.version, fields: { stage: "won" } }],
    });
    expect(moved.status, moved.text).toBe(200);
    const after = byStage(
      await api(token).post("/embed/aggregate", { groupBy: ["stage"], measures: [{ op: "count" }] }),
    );
    expect(after.won).toEqual({ count: 1 });
    // Moving it out of the view (to lost) is refused whole.
    const out = await api(token).patch("/embed/records", {
      records: [{ id: rec.id, version: moved.body.records[0].version, fields: { stage: "lost" } }],
    });
    expectProblem(out, 403);
  });

  it("knows only the view's fields: hidden and unlisted fields are unknown", async () => {
    const { token } = await mint();
    expectProblem(
      await api(token).post("/embed/aggregate", { groupBy: ["region"], measures: [{ op: "count" }] }),
      400,
      "groupBy/0",
    );
    expectProblem(
      await api(token).post("/embed/aggregate", { measures: [{ op: "max", field: "secret" }] }),
      400,
      "measures/0/field",
    );
    expectProblem(
      await api(token).post("/embed/aggregate", {
        filter: { field: "region", op: "eq", value: "north" },
        measures: [{ op: "count" }],
      }),
      400,
      "filter/field",
    );
  });

  it("refuses wrong types, unknown keys, oversize bodies and query parameters, naming the field", async () => {
    const { token } = await mint();
    const e = api(token);
    expectProblem(await e.post("/embed/aggregate", { measures: "count" }), 422, "measures");
    expectProblem(await e.post("/embed/aggregate", { measures: [{ op: "count" }], groupBy: "stage" }), 422, "groupBy");
    expectProblem(await e.post("/embed/aggregate", { measures: [{ op: "count" }], extra: 1 }), 422, "extra");
    expectProblem(await e.post("/embed/aggregate", { measures: [{ op: "count" }], limit: "10" }), 422, "limit");
    expectProblem(await e.post("/embed/aggregate", "{not json"), 400);
    expectProblem(await e.post("/embed/aggregate", { measures: [{ op: "count" }], q: "x".repeat(70 * 1024) }), 413);
    expectProblem(await e.request("POST", "/embed/aggregate?view=other", { measures: [{ op: "count" }] }), 400, "view");
  });

  it("treats injection-shaped values as data", async () => {
    const { token } = await mint();
    const res = await api(token).post("/embed/aggregate", {
      filter: { field: "title", op: "eq", value: "x' OR 1=1 --" },
      q: '"; DROP TABLE sg_users; --',
      measures: [{ op: "count" }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.groups).toEqual([{ key: {}, values: { count: 0 } }]);
    expectProblem(
      await api(token).post("/embed/aggregate", {
        groupBy: ["stage; DROP TABLE sg_users"],
        measures: [{ op: "count" }],
      }),
      400,
      "groupBy/0",
    );
    expect((await admin.get("/auth/me")).status).toBe(200);
  });

  it("takes embed tokens only, and stops when the token is revoked or the creator loses the view", async () => {
    const body = { groupBy: ["stage"], measures: [{ op: "count" }] };
    expectProblem(await api().post("/embed/aggregate", body), 401);
    expectProblem(await api(creatorToken).post("/embed/aggregate", body), 401);
    const { token, embed } = await mint();
    expectProblem(await api(token).post(`/tables/${table}/aggregate`, body), 401);
    expect((await api(token).post("/embed/aggregate", body)).status).toBe(200);
    await DB.prepare("UPDATE sg_users SET roles = '[]' WHERE id = ?1").bind(creatorId).run();
    try {
      expectProblem(await api(token).post("/embed/aggregate", body), 403);
    } finally {
      await DB.prepare("UPDATE sg_users SET roles = ?1 WHERE id = ?2")
        .bind(JSON.stringify(["admin", role]), creatorId)
        .run();
    }
    expect((await creatorApi.delete(`/admin/embed-tokens/${embed.id}`)).status).toBe(200);
    expectProblem(await api(token).post("/embed/aggregate", body), 401);
  });
});
