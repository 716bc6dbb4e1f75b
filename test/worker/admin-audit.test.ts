/**
 * The audit query (filters, paging, resolved names) and restoring deleted records from the audit
 * log. Storage is shared within this file: each test acts through a fresh admin and filters on them.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const NONE = { read: "none", create: "none", update: "none", delete: "none" };
type Entry = {
  id: number;
  at: string;
  action: string;
  user: { id: string; name: string } | null;
  table: { id: string; name: string | null } | null;
  recordId: number | null;
  changes: any;
};

function expectProblem(res: ApiResponse, status: number, field?: string) {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text.slice(0, 500),
    ).toContain(field);
}

/** A fresh admin who creates a table, writes, deletes, creates a role and grants it: a known trail. */
async function trail() {
  const admin = await userWithToken(["admin"]);
  const a = api(admin.token);
  const name = uniq("aud");
  const t = await a.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "qty", type: "number" },
    ],
  });
  expect(t.status, t.text).toBe(201);
  const id = (await a.post(`/tables/${name}/records`, { fields: { title: "a", qty: 1 } })).body.record.id;
  expect((await a.patch(`/tables/${name}/records/${id}`, { version: 1, fields: { qty: 2 } })).status).toBe(200);
  expect((await a.delete(`/tables/${name}/records/${id}`)).status).toBe(200);
  const role = uniq("role");
  expect((await a.post("/admin/roles", { name: role })).status).toBe(201);
  expect((await a.request("PUT", `/admin/roles/${role}/grants/${name}`, { ...NONE, read: "all" })).status).toBe(200);
  return { admin, a, table: { name, id: t.body.table.id as string }, recordId: id as number, role };
}

const list = async (a: ReturnType<typeof api>, query: string): Promise<Entry[]> => {
  const res = await a.get(`/admin/audit?${query}`);
  expect(res.status, res.text.slice(0, 500)).toBe(200);
  return res.body.entries;
};

describe("audit query", () => {
  it("filters by user, newest first, with the user's and the table's names resolved", async () => {
    const { admin, a, table } = await trail();
    const entries = await list(a, `user=${admin.user.id}`);
    expect(entries.map((e) => e.action)).toEqual([
      "grant.set",
      "role.create",
      "delete",
      "update",
      "create",
      "table.create",
    ]);
    expect(entries.every((e) => e.user?.id === admin.user.id && e.user?.name === "Test User")).toBe(true);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((x, y) => y - x));
    expect(entries[0]!.table).toEqual({ id: table.id, name: table.name });
  });

  it("filters by table (id or name), action prefix and target", async () => {
    const { admin, a, table, role } = await trail();
    const byName = await list(a, `user=${admin.user.id}&table=${table.name}`);
    expect(byName.map((e) => e.action)).toEqual(["grant.set", "delete", "update", "create", "table.create"]);
    expect(await list(a, `user=${admin.user.id}&table=${table.id}`)).toEqual(byName);
    expect((await list(a, `user=${admin.user.id}&action=grant.`)).map((e) => e.action)).toEqual(["grant.set"]);
    expect((await list(a, `user=${admin.user.id}&action=role`)).map((e) => e.action)).toEqual(["role.create"]);
    expect((await list(a, `target=${role}`)).map((e) => e.action)).toEqual(["grant.set", "role.create"]);
    expect(await list(a, `user=${admin.user.id}&action=user.`)).toEqual([]);
  });

  it("shows record changes by field name, under the field's current name", async () => {
    const { admin, a, table, recordId } = await trail();
    expect((await a.patch(`/meta/tables/${table.name}/fields/qty`, { name: "quantity" })).status).toBe(200);
    const [update] = await list(a, `user=${admin.user.id}&action=update`);
    expect(update).toMatchObject({ recordId, changes: { quantity: { before: 1, after: 2 } } });
    const [deletion] = await list(a, `user=${admin.user.id}&action=delete`);
    expect(deletion!.changes).toEqual({ title: { before: "a", after: null }, quantity: { before: 2, after: null } });
  });

  it("filters by time range (inclusive) and pages by id with before", async () => {
    const { admin, a } = await trail();
    const all = await list(a, `user=${admin.user.id}&limit=500`);
    const mid = all[2]!.at;
    const from = await list(a, `user=${admin.user.id}&from=${encodeURIComponent(mid)}`);
    expect(from.length).toBeGreaterThanOrEqual(3);
    expect(from.every((e) => e.at >= mid)).toBe(true);
    const to = await list(a, `user=${admin.user.id}&to=${encodeURIComponent(mid)}`);
    expect(to.every((e) => e.at <= mid)).toBe(true);
    expect(from.length + to.length).toBeGreaterThanOrEqual(all.length);
    expect(await list(a, `user=${admin.user.id}&from=2999-01-01`)).toEqual([]);
    expect((await list(a, `user=${admin.user.id}&from=2000-01-01&to=2999-01-01T00:00:00Z`)).length).toBe(all.length);
    const page1 = await a.get(`/admin/audit?user=${admin.user.id}&limit=4`);
    expect(page1.body.entries).toHaveLength(4);
    const page2 = await a.get(`/admin/audit?user=${admin.user.id}&limit=4&before=${page1.body.nextBefore}`);
    expect(page2.body.nextBefore).toBeNull();
    expect([...page1.body.entries, ...page2.body.entries].map((e: Entry) => e.id)).toEqual(all.map((e) => e.id));
  });

  it("records permission changes: user, role, team and grant actions all appear", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const other = await userWithToken(["viewer"]);
    const team = await a.post("/admin/teams", { name: uniq("team") });
    await a.request("PUT", `/admin/teams/${team.body.team.id}/members`, [{ user: other.user.id }]);
    await a.patch(`/admin/users/${other.user.id}`, { roles: ["sales_rep"] });
    const role = uniq("role");
    await a.post("/admin/roles", { name: role });
    await a.patch(`/admin/roles/${role}`, { label: "Changed" });
    await a.delete(`/admin/roles/${role}`);
    const actions = (await list(a, `user=${admin.user.id}`)).map((e) => e.action);
    expect(actions).toEqual([
      "role.delete",
      "role.update",
      "role.create",
      "user.update",
      "team.members",
      "team.create",
    ]);
    const [userUpdate] = await list(a, `user=${admin.user.id}&action=user.update`);
    expect(userUpdate!.changes).toEqual({
      target: other.user.id,
      before: { roles: ["viewer"] },
      after: { roles: ["sales_rep"] },
    });
  });

  it("refuses bad parameters with 400 naming them, and an unknown table with 404", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      ["limit=ten", "limit"],
      ["before=abc", "before"],
      ["before=1%20OR%201=1", "before"],
      ["from=yesterday", "from"],
      ["to=2020-13-45", "to"],
      ["from=2026-02-01&to=2026-01-01", "from"],
      ["user=x'%20OR%20'1'='1", "user"],
      ["action=%25", "action"],
      ["action=%3Cscript%3E", "action"],
      ["sort=at", "sort"],
    ];
    for (const [q, field] of cases) expectProblem(await a.get(`/admin/audit?${q}`), 400, field);
    expectProblem(await a.get("/admin/audit?table=..%2F..%2Fetc"), 404, "table");
  });

  it("is for admins only: 403 naming the action", async () => {
    const mgr = await userWithToken(["sales_manager"]);
    expectProblem(await api(mgr.token).get("/admin/audit"), 403, "read the audit log");
  });
});

describe("restoring deleted records", () => {
  async function setup() {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const target = uniq("tgt");
    expect((await a.post("/meta/tables", { name: target, fields: [{ name: "label", type: "text" }] })).status).toBe(
      201,
    );
    const t1 = (await a.post(`/tables/${target}/records`, { fields: { label: "one" } })).body.record.id;
    const t2 = (await a.post(`/tables/${target}/records`, { fields: { label: "two" } })).body.record.id;
    const name = uniq("rst");
    const t = await a.post("/meta/tables", {
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "qty", type: "number" },
        { name: "price", type: "currency", options: { currency: "USD" } },
        { name: "tags", type: "multi_select", options: { choices: [{ name: "hot" }, { name: "new" }] } },
        { name: "done", type: "checkbox" },
        { name: "due", type: "date" },
        { name: "owner", type: "user" },
        { name: "refs", type: "link", options: { table: target, inverseName: `back_${name}` } },
        { name: "note", type: "long_text" },
      ],
    });
    expect(t.status, t.text).toBe(201);
    const fields = {
      title: "Deal <b>1</b>",
      qty: 3.5,
      price: { amount: 12345, currency: "EUR" },
      tags: ["hot", "new"],
      done: true,
      due: "2026-03-01",
      owner: admin.user.id,
      refs: [t1, t2],
      note: "keep",
    };
    const rec = await a.post(`/tables/${name}/records`, { fields });
    expect(rec.status, rec.text).toBe(201);
    return { admin, a, name, target, t1, t2, fields, record: rec.body.record };
  }

  it("brings a deleted record back with the same id, values and links, and audits the restore", async () => {
    const { a, name, target, t1, fields, record } = await setup();
    expect((await a.patch(`/tables/${name}/records/${record.id}`, { version: 1, fields: { qty: 4 } })).status).toBe(
      200,
    );
    expect((await a.delete(`/tables/${name}/records/${record.id}`)).status).toBe(200);
    expectProblem(await a.get(`/tables/${name}/records/${record.id}`), 404);
    const res = await a.post(`/admin/tables/${name}/records/${record.id}/restore`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.skipped).toEqual([]);
    const back = await a.get(`/tables/${name}/records/${record.id}`);
    expect(back.status).toBe(200);
    expect(back.body.record.fields).toEqual({ ...fields, qty: 4 });
    expect(back.body.record.version).toBeGreaterThan(2);
    expect(back.body.record.createdAt).toBe(record.createdAt);
    const other = await a.get(`/tables/${target}/records/${t1}`);
    expect(other.body.record.fields[`back_${name}`]).toEqual([record.id]);
    const history = await a.get(`/tables/${name}/records/${record.id}/history`);
    expect(history.body.history[0]).toMatchObject({
      action: "restore",
      changes: { title: { before: null, after: fields.title } },
    });
    expectProblem(await a.post(`/admin/tables/${name}/records/${record.id}/restore`), 409, "id");
  });

  it("restores only fields that still exist and link targets that still exist, saying what was left out", async () => {
    const { a, name, target, t2, record } = await setup();
    expect((await a.delete(`/tables/${name}/records/${record.id}`)).status).toBe(200);
    expect((await a.delete(`/meta/tables/${name}/fields/note`)).status).toBe(200);
    expect((await a.delete(`/tables/${target}/records/${t2}`)).status).toBe(200);
    const res = await a.post(`/admin/tables/${name}/records/${record.id}/restore`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.record.fields.note).toBeUndefined();
    expect(res.body.record.fields.refs).toEqual([record.fields.refs[0]]);
    expect(res.body.record.fields.title).toBe(record.fields.title);
    expect(res.body.skipped.map((s: { field: string }) => s.field)).toEqual(["refs"]);
  });

  it("restores a record of a table spread over two slots, with values in both", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = uniq("wide");
    const t = await a.post("/meta/tables", {
      name,
      fields: Array.from({ length: 100 }, (_, i) => ({ name: `f${i}`, type: "text" })),
    });
    expect(t.status, t.text).toBe(201);
    const rec = await a.post(`/tables/${name}/records`, { fields: { f0: "first", f99: "last" } });
    expect((await a.delete(`/tables/${name}/records/${rec.body.record.id}`)).status).toBe(200);
    expect((await a.post(`/admin/tables/${name}/records/${rec.body.record.id}/restore`)).status).toBe(200);
    const back = await a.get(`/tables/${name}/records/${rec.body.record.id}?fields=f0,f99,f50`);
    expect(back.body.record.fields).toEqual({ f0: "first", f99: "last", f50: null });
  });

  it("answers 404 when there is no deletion in the history, 400 for bad ids, 404 for unknown tables", async () => {
    const { a, name, record } = await setup();
    expectProblem(await a.post(`/admin/tables/${name}/records/999999/restore`), 404, "id");
    expectProblem(await a.post(`/admin/tables/${name}/records/${record.id}/restore`), 409, "id");
    for (const bad of ["abc", "1 OR 1=1", "-1", "0"])
      expectProblem(await a.post(`/admin/tables/${name}/records/${encodeURIComponent(bad)}/restore`), 400, "id");
    expectProblem(
      await a.post(`/admin/tables/${encodeURIComponent("x'; DROP TABLE sg_tables;--")}/records/1/restore`),
      404,
      "table",
    );
  });

  it("is for admins only, even for a role that may create and delete the table's records", async () => {
    const { a, name, record } = await setup();
    const role = uniq("role");
    expect((await a.post("/admin/roles", { name: role })).status).toBe(201);
    expect(
      (
        await a.request("PUT", `/admin/roles/${role}/grants/${name}`, {
          read: "all",
          create: "all",
          update: "all",
          delete: "all",
        })
      ).status,
    ).toBe(200);
    const u = await userWithToken([role]);
    expect((await a.delete(`/tables/${name}/records/${record.id}`)).status).toBe(200);
    expectProblem(
      await api(u.token).post(`/admin/tables/${name}/records/${record.id}/restore`),
      403,
      "restore records",
    );
    expectProblem(await a.get(`/tables/${name}/records/${record.id}`), 404);
    const restores = await DB.prepare(
      "SELECT COUNT(*) AS n FROM sg_audit WHERE action = 'restore' AND record_id = ?1 AND table_id = (SELECT id FROM sg_tables WHERE name = ?2)",
    )
      .bind(record.id, name)
      .first<{ n: number }>();
    expect(restores!.n).toBe(0);
  });
});
