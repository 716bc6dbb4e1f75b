/**
 * Saved views: definitions checked against the view schema and the table, stored by field id,
 * listed only to the roles they name (and only when the caller may read the table and every field
 * the view filters on), records read through a view that a caller's filter can narrow but not widen.
 * Storage is shared between tests in this file: every table and view name is unique.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;

let admin: ReturnType<typeof api>;
let rep: ReturnType<typeof api>;
let warehouse: ReturnType<typeof api>;
let table: { id: string; name: string; fields: { id: string; name: string }[] };
const fieldId = (name: string) => table.fields.find((f) => f.name === name)!.id;

const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body.status).toBe(status);
  expect(Array.isArray(res.body.errors)).toBe(true);
}

async function schemaVersion(): Promise<number> {
  return Number(
    (await DB.prepare("SELECT value FROM sg_settings WHERE key = 'schema_version'").first<{ value: string }>())!.value,
  );
}

async function auditCount(action: string, viewId?: string): Promise<number> {
  const row = await DB.prepare(
    "SELECT COUNT(*) AS n FROM sg_audit WHERE action = ?1 AND (?2 IS NULL OR changes LIKE '%' || ?2 || '%')",
  )
    .bind(action, viewId ?? null)
    .first<{ n: number }>();
  return row!.n;
}

async function viewCount(): Promise<number> {
  return (await DB.prepare("SELECT COUNT(*) AS n FROM sg_views").first<{ n: number }>())!.n;
}

async function createView(body: Record<string, unknown>) {
  const res = await admin.post("/meta/views", { table: table.name, type: "grid", ...body });
  expect(res.status, res.text).toBe(201);
  return res.body.view as { id: string; name: string; version: number; [k: string]: any };
}

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  rep = api((await userWithToken(["sales_rep"])).token);
  warehouse = api((await userWithToken(["warehouse"])).token);
  const res = await admin.post("/meta/tables", {
    name: uniq("deals"),
    fields: [
      { name: "title", type: "text" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "open" }, { name: "won" }, { name: "lost" }] },
      },
      { name: "amount", type: "number" },
      { name: "secret", type: "text" },
      { name: "due", type: "date" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  table = res.body.table;
  // Reps read the table, but not its `secret` field; the warehouse role has no grant on it.
  await DB.batch([
    DB.prepare(
      'INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (\'sales_rep\', ?1, \'{"read":"all","create":"none","update":"none","delete":"none"}\', ?2, \'write\', ?3)',
    ).bind(table.id, JSON.stringify({ [fieldId("secret")]: "hidden" }), new Date().toISOString()),
    DB.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'"),
  ]);
  const rows = [
    { title: "Alpha", stage: "open", amount: 100, secret: "s1", due: "2026-03-01" },
    { title: "Beta", stage: "won", amount: 300, secret: "s2", due: "2026-03-02" },
    { title: "Gamma", stage: "open", amount: 200, secret: "s3", due: "2026-03-03" },
    { title: "Delta", stage: "lost", amount: 50, secret: "s4", due: "2026-03-04" },
  ];
  const created = await admin.post(`/tables/${table.name}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
});

describe("creating views", () => {
  it("stores field references as ids, replies with names, and audits and bumps the schema version in one change", async () => {
    const before = await schemaVersion();
    const view = await createView({
      name: uniq("open_deals"),
      label: "Open deals",
      labels: { "zh-CN": "进行中" },
      roles: ["sales_rep"],
      filter: { field: "stage", op: "eq", value: "open" },
      sort: [{ field: "amount", direction: "desc" }],
      fields: ["title", "amount"],
      layout: { columnWidths: { title: 240 }, frozenColumns: 1 },
    });
    expect(view.id).toMatch(/^viw_[a-z0-9]{12}$/);
    expect(view).toMatchObject({
      table: table.name,
      tableId: table.id,
      type: "grid",
      label: "Open deals",
      roles: ["sales_rep"],
      version: 1,
      filter: { field: "stage", op: "eq", value: "open" },
      sort: [{ field: "amount", direction: "desc" }],
      fields: ["title", "amount"],
      layout: { columnWidths: { title: 240 }, frozenColumns: 1 },
    });
    const row = await DB.prepare("SELECT table_id, definition, roles FROM sg_views WHERE id = ?1")
      .bind(view.id)
      .first<{ table_id: string; definition: string; roles: string }>();
    const def = JSON.parse(row!.definition);
    expect(row!.table_id).toBe(table.id);
    expect(def.filter.field).toBe(fieldId("stage"));
    expect(def.sort).toEqual([{ field: fieldId("amount"), direction: "desc" }]);
    expect(def.fields).toEqual([fieldId("title"), fieldId("amount")]);
    expect(def.layout.columnWidths).toEqual({ [fieldId("title")]: 240 });
    expect(await auditCount("view.create", view.id)).toBe(1);
    expect(await schemaVersion()).toBe(before + 1);
  });

  it("keeps a view working after a field it uses is renamed", async () => {
    const t = await admin.post("/meta/tables", { name: uniq("renamed"), fields: [{ name: "code", type: "text" }] });
    const view = await createView({
      name: uniq("by_code"),
      table: t.body.table.name,
      fields: ["code"],
      sort: [{ field: "code" }],
    });
    expect((await admin.patch(`/meta/tables/${t.body.table.name}/fields/code`, { name: "sku" })).status).toBe(200);
    const res = await admin.get(`/meta/views/${view.id}`);
    expect(res.body.view.fields).toEqual(["sku"]);
    expect(res.body.view.sort).toEqual([{ field: "sku", direction: "asc" }]);
  });

  it("refuses a second view of the same name on the same table with 409", async () => {
    const name = uniq("twice");
    await createView({ name });
    const res = await admin.post("/meta/views", { name, table: table.name, type: "grid" });
    expectProblem(res, 409);
  });

  it("checks kanban grouping and calendar dates against the field types", async () => {
    expect(
      (await admin.post("/meta/views", { name: uniq("board"), table: table.name, type: "kanban", groupBy: "stage" }))
        .status,
    ).toBe(201);
    const textGroup = await admin.post("/meta/views", {
      name: uniq("board"),
      table: table.name,
      type: "kanban",
      groupBy: "title",
    });
    expectProblem(textGroup, 422);
    expect(textGroup.body.errors.map((e: any) => e.field)).toContain("groupBy");
    expectProblem(await admin.post("/meta/views", { name: uniq("board"), table: table.name, type: "kanban" }), 422);
    const cal = await admin.post("/meta/views", {
      name: uniq("cal"),
      table: table.name,
      type: "calendar",
      layout: { dateField: "due" },
    });
    expect(cal.status, cal.text).toBe(201);
    expect(cal.body.view.layout.dateField).toBe("due");
    expectProblem(
      await admin.post("/meta/views", {
        name: uniq("cal"),
        table: table.name,
        type: "calendar",
        layout: { dateField: "amount" },
      }),
      422,
    );
  });
});

describe("bad view definitions write nothing", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a name of the wrong type", { name: 5 }, "name"],
    ["an unknown view type", { type: "table" }, "type"],
    ["fields that are not a list", { fields: "title" }, "fields"],
    ["an unknown top-level key", { colour: "red" }, ""],
    ["an unknown table", { table: "no_such_table" }, "table"],
    ["an unknown field in the column list", { fields: ["title", "nope"] }, "fields/1"],
    ["an unknown sort field", { sort: [{ field: "nope" }] }, "sort/0/field"],
    ["a filter on an unknown field", { filter: { field: "nope", op: "eq", value: 1 } }, "filter/field"],
    [
      "a filter operator the type does not allow",
      { filter: { field: "amount", op: "contains", value: "1" } },
      "filter/op",
    ],
    ["an unknown role", { roles: ["sales_rep", "pirate"] }, "roles/1"],
    ["a SQL-shaped name", { name: "x'; DROP TABLE sg_views; --" }, "name"],
    ["a path-shaped field", { fields: ["../../etc/passwd"] }, "fields/0"],
  ];
  for (const [what, patch, path] of cases) {
    it(`rejects ${what} with 422 naming ${path || "the body"}`, async () => {
      const name = uniq("bad");
      const [views, audits] = [await viewCount(), await auditCount("view.create")];
      const res = await admin.post("/meta/views", { name, table: table.name, type: "grid", ...patch });
      expectProblem(res, 422);
      if (path) expect(res.body.errors.map((e: any) => e.field)).toContain(path);
      expect(await viewCount()).toBe(views);
      expect(await auditCount("view.create")).toBe(audits);
    });
  }

  it("answers 400 to malformed JSON and 413 to a body over 64 KB", async () => {
    expectProblem(await admin.post("/meta/views", "{not json"), 400);
    const views = await viewCount();
    expectProblem(
      await admin.post("/meta/views", {
        name: uniq("big"),
        table: table.name,
        type: "grid",
        label: "x".repeat(70 * 1024),
      }),
      413,
    );
    expect(await viewCount()).toBe(views);
  });

  it("stores HTML- and SQL-shaped labels and filter values as plain data", async () => {
    const label = "<img src=x onerror=alert(1)>'; DROP TABLE sg_views; --";
    const view = await createView({
      name: uniq("odd"),
      label,
      roles: ["sales_rep"],
      filter: { field: "title", op: "eq", value: "' OR '1'='1" },
    });
    expect(view.label).toBe(label);
    const res = await rep.get(`/meta/views/${view.id}/records`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.records).toEqual([]);
    expect(await viewCount()).toBeGreaterThan(0);
    expectProblem(await admin.get(`/meta/views/${encodeURIComponent("1' OR '1'='1")}`), 404);
    expectProblem(await admin.get(`/meta/views/${encodeURIComponent("..%2F..%2Fetc")}/records`), 404);
  });
});

describe("who may change views", () => {
  it("answers 403 naming the action when a non-admin creates, changes or deletes a view", async () => {
    const view = await createView({ name: uniq("guarded"), roles: ["sales_rep"] });
    const create = await rep.post("/meta/views", { name: uniq("mine"), table: table.name, type: "grid" });
    expectProblem(create, 403);
    expect(create.body.errors[0].field).toBe("create views");
    const change = await rep.patch(`/meta/views/${view.id}`, { version: 1, label: "Hijacked" });
    expectProblem(change, 403);
    expect(change.body.errors[0].field).toBe("change views");
    const del = await rep.delete(`/meta/views/${view.id}`);
    expectProblem(del, 403);
    expect(del.body.errors[0].field).toBe("delete views");
    const row = await DB.prepare("SELECT definition, version FROM sg_views WHERE id = ?1")
      .bind(view.id)
      .first<{ definition: string; version: number }>();
    expect(row!.version).toBe(1);
    expect(JSON.parse(row!.definition).label).not.toBe("Hijacked");
  });
});

describe("changing and deleting views", () => {
  it("changes a view at the version it read, audits it, and removes a key sent as null", async () => {
    const view = await createView({ name: uniq("change"), filter: { field: "stage", op: "eq", value: "open" } });
    const res = await admin.patch(`/meta/views/${view.id}`, {
      version: 1,
      label: "Renamed",
      filter: null,
      fields: ["title"],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.view).toMatchObject({ label: "Renamed", fields: ["title"], version: 2 });
    expect(res.body.view.filter).toBeUndefined();
    expect(await auditCount("view.update", view.id)).toBe(1);
  });

  it("answers 409 with the current view to a stale version and writes nothing", async () => {
    const view = await createView({ name: uniq("stale") });
    expect((await admin.patch(`/meta/views/${view.id}`, { version: 1, label: "First" })).status).toBe(200);
    const res = await admin.patch(`/meta/views/${view.id}`, { version: 1, label: "Second" });
    expectProblem(res, 409);
    expect(res.body.current).toMatchObject({ id: view.id, label: "First", version: 2 });
    expectProblem(await admin.delete(`/meta/views/${view.id}?version=1`), 409);
    expect(await auditCount("view.update", view.id)).toBe(1);
  });

  it("requires the version and refuses unknown keys and bad values in a change", async () => {
    const view = await createView({ name: uniq("patch") });
    expectProblem(await admin.patch(`/meta/views/${view.id}`, { label: "No version" }), 422);
    expectProblem(await admin.patch(`/meta/views/${view.id}`, { version: "1", label: "x" }), 422);
    expectProblem(await admin.patch(`/meta/views/${view.id}`, { version: 1, colour: "red" }), 422);
    expectProblem(await admin.patch(`/meta/views/${view.id}`, { version: 1, fields: ["nope"] }), 422);
    expectProblem(await admin.patch(`/meta/views/${view.id}`, { version: 1, name: null }), 422);
    const row = await DB.prepare("SELECT version FROM sg_views WHERE id = ?1")
      .bind(view.id)
      .first<{ version: number }>();
    expect(row!.version).toBe(1);
  });

  it("deletes a view with an audit row; it is then gone", async () => {
    const view = await createView({ name: uniq("gone") });
    const res = await admin.delete(`/meta/views/${view.id}?version=1`);
    expect(res.status, res.text).toBe(200);
    expect(await auditCount("view.delete", view.id)).toBe(1);
    expectProblem(await admin.get(`/meta/views/${view.id}`), 404);
    const kept = await createView({ name: uniq("kept") });
    expectProblem(await admin.delete(`/meta/views/${kept.id}?version=abc`), 422);
    expectProblem(await admin.delete(`/meta/views/${kept.id}?version=${encodeURIComponent("1 OR 1=1")}`), 422);
    expect((await admin.get(`/meta/views/${kept.id}`)).status).toBe(200);
  });
});

describe("who sees which views", () => {
  it("lists a view granted to sales_rep for a rep but not for a warehouse user", async () => {
    const view = await createView({ name: uniq("reps"), roles: ["sales_rep"] });
    const managers = await createView({ name: uniq("managers"), roles: ["sales_manager"] });
    const repList = await rep.get(`/meta/views?table=${table.name}`);
    expect(repList.status, repList.text).toBe(200);
    const repIds = repList.body.views.map((v: any) => v.id);
    expect(repIds).toContain(view.id);
    expect(repIds).not.toContain(managers.id);
    const whList = await warehouse.get("/meta/views");
    expect(whList.body.views.map((v: any) => v.id)).not.toContain(view.id);
    const byName = await rep.get(`/meta/views/${view.name}`);
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.view.id).toBe(view.id);
    expectProblem(await warehouse.get(`/meta/views/${view.id}`), 404);
    expectProblem(await warehouse.get(`/meta/views/${view.name}`), 404);
    expectProblem(await warehouse.get(`/meta/views/${view.id}/records`), 404);
    expectProblem(await warehouse.get(`/meta/views?table=${table.name}`), 404);
    const adminIds = (await admin.get("/meta/views")).body.views.map((v: any) => v.id);
    expect(adminIds).toEqual(expect.arrayContaining([view.id, managers.id]));
  });

  it("drops fields hidden from the caller from the view's columns", async () => {
    const view = await createView({
      name: uniq("cols"),
      roles: ["sales_rep"],
      fields: ["title", "secret"],
      layout: { columnWidths: { secret: 80, title: 100 } },
    });
    const res = await rep.get(`/meta/views/${view.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.view.fields).toEqual(["title"]);
    expect(res.body.view.layout.columnWidths).toEqual({ title: 100 });
    const records = await rep.get(`/meta/views/${view.id}/records`);
    expect(records.body.records.every((r: any) => Object.keys(r.fields).join() === "title")).toBe(true);
    expectProblem(await rep.get(`/meta/views/${view.id}/records?fields=secret`), 400);
  });

  it("does not let a role open a view whose filter or sort uses a field hidden from it", async () => {
    const filtered = await createView({
      name: uniq("by_secret"),
      roles: ["sales_rep"],
      filter: { field: "secret", op: "eq", value: "s1" },
    });
    const sorted = await createView({ name: uniq("sort_secret"), roles: ["sales_rep"], sort: [{ field: "secret" }] });
    const listed = (await rep.get(`/meta/views?table=${table.name}`)).body.views.map((v: any) => v.id);
    expect(listed).not.toContain(filtered.id);
    expect(listed).not.toContain(sorted.id);
    expectProblem(await rep.get(`/meta/views/${filtered.id}`), 404);
    expectProblem(await rep.get(`/meta/views/${filtered.id}/records`), 404);
    const asAdmin = await admin.get(`/meta/views/${filtered.id}/records`);
    expect(asAdmin.body.records.map((r: any) => r.fields.title)).toEqual(["Alpha"]);
  });
});

describe("records through a view", () => {
  it("applies the view's filter, sort and columns", async () => {
    const view = await createView({
      name: uniq("open"),
      roles: ["sales_rep"],
      filter: { field: "stage", op: "eq", value: "open" },
      sort: [{ field: "amount", direction: "desc" }],
      fields: ["title", "amount"],
    });
    const res = await rep.get(`/meta/views/${view.id}/records?count=true`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.records.map((r: any) => r.fields)).toEqual([
      { title: "Gamma", amount: 200 },
      { title: "Alpha", amount: 100 },
    ]);
    expect(res.body.total).toBe(2);
    const resorted = await rep.get(`/meta/views/${view.id}/records?sort=amount&fields=title`);
    expect(resorted.body.records.map((r: any) => r.fields)).toEqual([{ title: "Alpha" }, { title: "Gamma" }]);
    const page = await rep.get(`/meta/views/${view.id}/records?limit=1`);
    const next = await rep.get(`/meta/views/${view.id}/records?limit=1&cursor=${page.body.nextCursor}`);
    expect([...page.body.records, ...next.body.records].map((r: any) => r.fields.title)).toEqual(["Gamma", "Alpha"]);
  });

  it("narrows with the caller's filter but never widens past the view's", async () => {
    const view = await createView({
      name: uniq("narrow"),
      roles: ["sales_rep"],
      filter: { field: "stage", op: "eq", value: "open" },
      sort: [{ field: "amount" }],
    });
    const narrowed = await rep.get(
      `/meta/views/${view.id}/records?filter=${encodeURIComponent(JSON.stringify({ field: "amount", op: "gt", value: 150 }))}`,
    );
    expect(narrowed.body.records.map((r: any) => r.fields.title)).toEqual(["Gamma"]);
    const widen = {
      or: [
        { field: "stage", op: "eq", value: "won" },
        { field: "stage", op: "eq", value: "lost" },
        { field: "stage", op: "is_not_empty" },
      ],
    };
    const widened = await rep.get(`/meta/views/${view.id}/records?filter=${encodeURIComponent(JSON.stringify(widen))}`);
    expect(widened.status, widened.text).toBe(200);
    expect(widened.body.records.map((r: any) => r.fields.title)).toEqual(["Alpha", "Gamma"]);
    expectProblem(await rep.get(`/meta/views/${view.id}/records?filter=${encodeURIComponent("{oops")}`), 400);
    expectProblem(
      await rep.get(
        `/meta/views/${view.id}/records?filter=${encodeURIComponent(JSON.stringify({ field: "secret", op: "eq", value: "s1" }))}`,
      ),
      400,
    );
  });
});
