/**
 * List reads take the caller's user rows and the registry from per-isolate caches and prove them
 * current inside the list's own batch (worker/auth/freshness.ts). Changes are written straight into
 * D1 here, as another isolate would, so this isolate's caches are stale when the next list arrives:
 * every change must still show on that very next request.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, testEnv, userWithToken, type ApiResponse } from "./helpers";
import { loadPrincipal } from "../../worker/auth/principal";

const DB = () => testEnv.DB;
const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const NONE = { read: "none", create: "none", update: "none", delete: "none" };
const exec = (sql: string, ...params: unknown[]) =>
  DB()
    .prepare(sql)
    .bind(...params)
    .run();
const bumpSchema = () => exec("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'");

let a: ReturnType<typeof api>;
beforeAll(async () => {
  a = api((await userWithToken(["admin"])).token);
});

/** A table with rows owned by `owners`, and a fresh role granted `read` on it. */
async function setup(owners: string[], read: string) {
  const name = uniq("fresh");
  const res = await a.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "owner", type: "user" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  for (const [i, owner] of owners.entries())
    expect((await a.post(`/tables/${name}/records`, { fields: { title: `r${i}`, owner } })).status).toBe(201);
  const role = uniq("role");
  expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
  if (read !== "none")
    expect((await a.request("PUT", `/admin/roles/${role}/grants/${name}`, { ...NONE, read })).status).toBe(200);
  return { name, id: res.body.table.id as string, role };
}

const titles = (res: ApiResponse) => {
  expect(res.status, res.text).toBe(200);
  return res.body.records.map((r: { fields: { title: string } }) => r.fields.title).sort();
};

describe("list reads with cached principal and registry", () => {
  it("a user disabled elsewhere is refused with 401 on the very next list", async () => {
    const rep = await userWithToken([]);
    const t = await setup([rep.user.id], "own");
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([t.role]));
    const r = api(rep.token);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
    await exec("UPDATE sg_users SET disabled = 1 WHERE id = ?1", rep.user.id);
    const res = await r.get(`/tables/${t.name}/records`);
    expect(res.status, res.text).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.text).not.toContain("r0");
    // Also when the list itself would fail (bad filter): the 401 wins, nothing about the table leaks.
    expect((await r.get(`/tables/${t.name}/records?filter=nope`)).status).toBe(401);
    expect((await r.get(`/tables/no_such_table_here/records`)).status).toBe(401);
    await exec("UPDATE sg_users SET disabled = 0 WHERE id = ?1", rep.user.id);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
  });

  it("the check holds on an empty page and with count=true (no rows to carry it, a batch instead)", async () => {
    const rep = await userWithToken([]);
    const t = await setup([rep.user.id], "own");
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([t.role]));
    const r = api(rep.token);
    const none = `/tables/${t.name}/records?filter=${encodeURIComponent(JSON.stringify({ field: "title", op: "eq", value: "no such title" }))}`;
    expect(titles(await r.get(none))).toEqual([]);
    expect(titles(await r.get(`/tables/${t.name}/records?count=true`))).toEqual(["r0"]);
    await exec("UPDATE sg_users SET disabled = 1 WHERE id = ?1", rep.user.id);
    expect((await r.get(none)).status).toBe(401);
    expect((await r.get(`/tables/${t.name}/records?count=true`)).status).toBe(401);
    await exec("UPDATE sg_users SET disabled = 0 WHERE id = ?1", rep.user.id);
    expect(titles(await r.get(none))).toEqual([]);
    // A role taken away elsewhere: the empty page is refused too, not answered from the stale roles.
    await exec("UPDATE sg_users SET roles = '[]' WHERE id = ?1", rep.user.id);
    expect((await r.get(none)).status).toBe(403);
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([t.role]));
    const counted = await r.get(`/tables/${t.name}/records?count=true`);
    expect(counted.body.total).toBe(1);
  });

  it("a session ended elsewhere (sessions_valid_after) refuses the old token on the next list", async () => {
    const rep = await userWithToken(["admin"]);
    const t = await setup([rep.user.id], "none");
    const r = api(rep.token);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
    await exec(
      "UPDATE sg_users SET sessions_valid_after = ?2 WHERE id = ?1",
      rep.user.id,
      new Date(Date.now() + 1000).toISOString(),
    );
    expect((await r.get(`/tables/${t.name}/records`)).status).toBe(401);
  });

  it("roles changed elsewhere apply on the next list: more rows, then 403", async () => {
    const rep = await userWithToken([]);
    const other = await userWithToken(["viewer"]);
    const own = await setup([rep.user.id, other.user.id], "own");
    const allRole = uniq("role");
    expect((await a.post("/admin/roles", { name: allRole, label: allRole })).status).toBe(201);
    expect(
      (await a.request("PUT", `/admin/roles/${allRole}/grants/${own.name}`, { ...NONE, read: "all" })).status,
    ).toBe(200);
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([own.role]));
    const r = api(rep.token);
    expect(titles(await r.get(`/tables/${own.name}/records`))).toEqual(["r0"]);
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([own.role, allRole]));
    expect(titles(await r.get(`/tables/${own.name}/records`))).toEqual(["r0", "r1"]);
    await exec("UPDATE sg_users SET roles = '[]' WHERE id = ?1", rep.user.id);
    expect((await r.get(`/tables/${own.name}/records`)).status).toBe(403);
    // ... and a role given back turns that 403 (made on the cached roles) into rows at once.
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([own.role]));
    expect(titles(await r.get(`/tables/${own.name}/records`))).toEqual(["r0"]);
  });

  it("a team joined elsewhere brings the teammate's rows on the next list", async () => {
    const rep = await userWithToken([]);
    const mate = await userWithToken(["viewer"]);
    const t = await setup([rep.user.id, mate.user.id], "team");
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([t.role]));
    const r = api(rep.token);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
    const team = uniq("team");
    await exec(
      "INSERT INTO sg_teams (id, name, label, created_at) VALUES (?1, ?1, ?1, ?2)",
      team,
      new Date().toISOString(),
    );
    await exec(
      "INSERT INTO sg_team_members (team_id, user_id) VALUES (?1, ?2), (?1, ?3)",
      team,
      rep.user.id,
      mate.user.id,
    );
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0", "r1"]);
    await exec("DELETE FROM sg_team_members WHERE team_id = ?1", team);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
  });

  it("schema and grant changes made elsewhere apply on the next list (no stale 403, 400 or 404)", async () => {
    const rep = await userWithToken([]);
    const t = await setup([rep.user.id], "none");
    await exec("UPDATE sg_users SET roles = ?2 WHERE id = ?1", rep.user.id, JSON.stringify([t.role]));
    const r = api(rep.token);
    expect((await r.get(`/tables/${t.name}/records`)).status).toBe(403);
    // A grant written by another isolate: the cached registry says "no grant", the database says own.
    await exec(
      "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (?1, ?2, ?3, '{}', 'write', ?4)",
      t.role,
      t.id,
      JSON.stringify({ ...NONE, read: "own" }),
      new Date().toISOString(),
    );
    await bumpSchema();
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["r0"]);
    // A rename elsewhere: the new name is found, not a 404 from the cached registry.
    const renamed = uniq("renamed");
    await exec("UPDATE sg_tables SET name = ?2 WHERE id = ?1", t.id, renamed);
    await bumpSchema();
    expect(titles(await r.get(`/tables/${renamed}/records`))).toEqual(["r0"]);
    // A grant narrowed elsewhere: the rows go at once.
    await exec("UPDATE sg_grants SET ops = ?3 WHERE role = ?1 AND table_id = ?2", t.role, t.id, JSON.stringify(NONE));
    await bumpSchema();
    expect((await r.get(`/tables/${renamed}/records`)).status).toBe(403);
  });

  it("loadPrincipal outside a list reads fresh rows every time", async () => {
    const u = await userWithToken(["viewer"]);
    expect((await loadPrincipal(DB(), u.user.id))!.principal.roles).toEqual(["viewer"]);
    await exec("UPDATE sg_users SET roles = '[\"sales_rep\"]', disabled = 1 WHERE id = ?1", u.user.id);
    const fresh = await loadPrincipal(DB(), u.user.id);
    expect(fresh!.principal.roles).toEqual(["sales_rep"]);
    expect(fresh!.disabled).toBe(true);
  });
});
