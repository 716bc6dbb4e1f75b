/**
 * Derived (owner, field) indexes: a table that some role reads by `own` or `team` gets, for every
 * field that leads a view's sort, a composite index led by the owner column, so "my rows sorted by
 * F" is one index range instead of sorting every row the user owns. They follow grants, owner-field
 * and view changes on the next request, are not made for fields no view sorts by, and never block
 * dropping a column.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";
import { findTable, loadRegistry } from "../../worker/model/registry";
import { compileList } from "../../worker/query/select";
import { column, physicalTable } from "../../worker/model/names";

const DB = (env as unknown as { DB: D1Database }).DB;
const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const NONE = { read: "none", create: "none", update: "none", delete: "none" };

let a: ReturnType<typeof api>;
beforeAll(async () => {
  a = api((await userWithToken(["admin"])).token);
});

/** Derived indexes of a physical table: name -> indexed columns. */
async function derived(tableId: string): Promise<Record<string, string[]>> {
  const rows = (
    await DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND name LIKE 'o\\_%' ESCAPE '\\'",
    )
      .bind(physicalTable(tableId))
      .all<{ name: string }>()
  ).results;
  const out: Record<string, string[]> = {};
  for (const r of rows)
    out[r.name] = (await DB.prepare(`PRAGMA index_info("${r.name}")`).all<{ name: string }>()).results.map(
      (c) => c.name,
    );
  return out;
}

async function setup(readLevel: "own" | "team" = "own") {
  const name = uniq("own_idx");
  const res = await a.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "owner", type: "user" },
      { name: "assignee", type: "user" },
      { name: "amount", type: "number", indexed: true },
      { name: "close", type: "date", indexed: true },
      { name: "note", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const id = res.body.table.id as string;
  const f = Object.fromEntries((res.body.table.fields as { id: string; name: string }[]).map((x) => [x.name, x.id]));
  const role = uniq("role");
  expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
  const grant = await a.request("PUT", `/admin/roles/${role}/grants/${name}`, { ...NONE, read: readLevel });
  expect(grant.status, grant.text).toBe(200);
  return { name, id, f, role };
}

async function view(table: string, sortField: string, direction: "asc" | "desc" = "desc"): Promise<string> {
  const res = await a.post("/meta/views", {
    name: uniq("v"),
    table,
    type: "grid",
    sort: [{ field: sortField, direction }, { field: "title" }],
  });
  expect(res.status, res.text).toBe(201);
  return res.body.view.id as string;
}

describe("derived owner indexes", () => {
  it("a table read by `own` gets (owner, F) for the field its view sorts by, and the rep's sorted page uses it", async () => {
    const t = await setup();
    await view(t.name, "amount");
    const rep = await userWithToken([t.role]);
    const other = await userWithToken(["viewer"]);
    for (let i = 0; i < 6; i++) {
      const r = await a.post(`/tables/${t.name}/records`, {
        fields: {
          title: `r${i}`,
          owner: i % 2 ? rep.user.id : other.user.id,
          amount: i * 10,
          close: `2026-01-0${i + 1}`,
        },
      });
      expect(r.status, r.text).toBe(201);
    }
    const list = await api(rep.token).get(`/tables/${t.name}/records?sort=-amount`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.records.map((r: { fields: { title: string } }) => r.fields.title)).toEqual(["r5", "r3", "r1"]);
    // Only the leading sort field of a view: not `close` (indexed, but no view sorts by it), not `title`.
    expect(Object.values(await derived(t.id))).toEqual([[column(t.f.owner!), column(t.f.amount!)]]);

    // The statement the read pipeline compiles for the rep is served by the composite, with no sort step.
    const reg = await loadRegistry(DB);
    const table = findTable(reg, t.name)!;
    const owner = table.fields.find((x) => x.name === "owner")!;
    const amount = table.fields.find((x) => x.name === "amount")!;
    const c = compileList({
      table,
      select: table.fields,
      rowFilter: { kind: "cond", field: owner, op: "in", value: [rep.user.id] },
      sort: [{ field: amount, desc: true }],
      limit: 50,
    });
    const plan = (
      await DB.prepare(`EXPLAIN QUERY PLAN ${c.sql}`)
        .bind(...c.params)
        .all<{ detail: string }>()
    ).results
      .map((r) => r.detail)
      .join("; ");
    expect(plan).toMatch(/USING INDEX o_/);
  });

  it("follows the owner field, views and the grant on the next request", async () => {
    const t = await setup("team");
    await view(t.name, "amount");
    const byClose = await view(t.name, "close", "asc");
    await a.get(`/tables/${t.name}/records`);
    expect(Object.values(await derived(t.id)).map((cols) => cols[0])).toEqual([column(t.f.owner!), column(t.f.owner!)]);

    expect((await a.request("PUT", `/admin/tables/${t.name}/owner-field`, { field: "assignee" })).status).toBe(200);
    await a.get(`/tables/${t.name}/records`);
    expect(Object.values(await derived(t.id)).map((cols) => cols[0])).toEqual([
      column(t.f.assignee!),
      column(t.f.assignee!),
    ]);

    expect((await a.delete(`/meta/views/${byClose}`)).status).toBe(200);
    await a.get(`/tables/${t.name}/records`);
    expect(Object.values(await derived(t.id))).toEqual([[column(t.f.assignee!), column(t.f.amount!)]]);

    expect((await a.delete(`/admin/roles/${t.role}/grants/${t.name}`)).status).toBe(200);
    await a.get(`/tables/${t.name}/records`);
    expect(await derived(t.id)).toEqual({});
  });

  it("a table without an owner field is indexed on created_by", async () => {
    const name = uniq("noowner");
    const res = await a.post("/meta/tables", {
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "amount", type: "number", indexed: true },
      ],
    });
    expect(res.status, res.text).toBe(201);
    const amount = (res.body.table.fields as { id: string; name: string }[]).find((x) => x.name === "amount")!.id;
    await view(name, "amount");
    const role = uniq("role");
    expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    expect((await a.request("PUT", `/admin/roles/${role}/grants/${name}`, { ...NONE, read: "own" })).status).toBe(200);
    await a.get(`/tables/${name}/records`);
    expect(Object.values(await derived(res.body.table.id)).sort()).toEqual([
      ["created_by"],
      ["created_by", column(amount)],
    ]);
  });

  it("purging a field of such a table drops its derived index with the column", async () => {
    const t = await setup();
    await view(t.name, "amount");
    await view(t.name, "close");
    await a.get(`/tables/${t.name}/records`);
    expect(Object.keys(await derived(t.id))).toHaveLength(2);
    const res = await a.delete(`/meta/tables/${t.name}/fields/amount?purge=true`);
    expect(res.status, res.text).toBe(200);
    expect(Object.values(await derived(t.id))).toEqual([[column(t.f.owner!), column(t.f.close!)]]);
    const rep = await userWithToken([t.role]);
    expect((await api(rep.token).get(`/tables/${t.name}/records?sort=close`)).status).toBe(200);
  });
});
