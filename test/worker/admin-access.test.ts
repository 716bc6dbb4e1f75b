/**
 * Admin access API: roles, teams and members, grants per role and table, owner fields. Behaviour is
 * checked through the records API as the affected users see it. Storage is shared within this file:
 * every role, team and table name is unique, and grants go to roles made for the test.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const NONE = { read: "none", create: "none", update: "none", delete: "none" };

let admin: Awaited<ReturnType<typeof userWithToken>>;
let a: ReturnType<typeof api>;
const put = (client: ReturnType<typeof api>, path: string, body: unknown) => client.request("PUT", path, body);

beforeAll(async () => {
  admin = await userWithToken(["admin"]);
  a = api(admin.token);
});

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

const one = async <T>(sql: string, ...params: unknown[]) =>
  DB.prepare(sql)
    .bind(...params)
    .first<T>();
const version = async () =>
  Number((await one<{ value: string }>("SELECT value FROM sg_settings WHERE key = 'schema_version'"))!.value);
const audits = async (action: string, target: string) =>
  (
    await DB.prepare("SELECT * FROM sg_audit WHERE action = ?1 AND json_extract(changes, '$.target') = ?2 ORDER BY id")
      .bind(action, target)
      .all<{ changes: string; table_id: string }>()
  ).results;

async function makeRole(): Promise<string> {
  const name = uniq("role");
  const res = await a.post("/admin/roles", { name, label: `Role ${name}` });
  expect(res.status, res.text).toBe(201);
  return name;
}

/** A table with owner and assignee user fields, and rows owned by `owners` in order. */
async function makeTable(owners: string[]) {
  const name = uniq("acc");
  const res = await a.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "owner", type: "user" },
      { name: "assignee", type: "user" },
      { name: "amount", type: "number" },
      { name: "secret", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const ids: number[] = [];
  for (const [i, owner] of owners.entries()) {
    const r = await a.post(`/tables/${name}/records`, {
      fields: { title: `row ${i}`, owner, assignee: owners[owners.length - 1 - i], amount: i, secret: `s${i}` },
    });
    expect(r.status, r.text).toBe(201);
    ids.push(r.body.record.id);
  }
  return {
    name,
    id: res.body.table.id as string,
    ids,
    fields: res.body.table.fields as { id: string; name: string }[],
  };
}

const titles = (res: ApiResponse) => res.body.records.map((r: { fields: { title: string } }) => r.fields.title).sort();

describe("grants", () => {
  it("a rep granted read: own sees only their own rows right after the admin PUTs the grant", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const other = await userWithToken(["viewer"]);
    const t = await makeTable([rep.user.id, other.user.id, rep.user.id]);
    const r = api(rep.token);
    expectProblem(await r.get(`/tables/${t.name}/records`), 403);
    const before = await version();
    const res = await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "own" });
    expect(res.status, res.text).toBe(200);
    expect(await version()).toBe(before + 1);
    expect(titles(await r.get(`/tables/${t.name}/records`))).toEqual(["row 0", "row 2"]);
    const [audit] = await audits("grant.set", role);
    expect(audit!.table_id).toBe(t.id);
    expect(JSON.parse(audit!.changes)).toMatchObject({ before: null, after: { ops: { read: "own" } } });
  });

  it("stores rule and field references by id, hides hidden fields, and survives a field rename", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const other = await userWithToken(["viewer"]);
    const t = await makeTable([other.user.id, rep.user.id]); // assignees reversed: rep is assignee of row 0
    const res = await put(a, `/admin/roles/${role}/grants/${t.id}`, {
      ...NONE,
      read: { rule: { field: "assignee", op: "eq", value: "$user.id" } },
      fields: { secret: "hidden" },
      defaultField: "read",
    });
    expect(res.status, res.text).toBe(200);
    const fid = (n: string) => t.fields.find((f) => f.name === n)!.id;
    const row = await one<{ ops: string; fields: string }>(
      "SELECT ops, fields FROM sg_grants WHERE role = ?1 AND table_id = ?2",
      role,
      t.id,
    );
    expect(JSON.parse(row!.ops).read.rule.field).toBe(fid("assignee"));
    expect(JSON.parse(row!.fields)).toEqual({ [fid("secret")]: "hidden" });
    const seen = await api(rep.token).get(`/tables/${t.name}/records`);
    expect(titles(seen)).toEqual(["row 0"]);
    expect(seen.body.records[0].fields.secret).toBeUndefined();
    expect(seen.body.records[0].fields.amount).toBe(0);
    expect((await a.patch(`/meta/tables/${t.name}/fields/assignee`, { name: "handler" })).status).toBe(200);
    expect(titles(await api(rep.token).get(`/tables/${t.name}/records`))).toEqual(["row 0"]);
    const shown = await a.get(`/admin/roles/${role}/grants/${t.name}`);
    expect(shown.body.grant).toMatchObject({
      role,
      table: { id: t.id, name: t.name },
      read: { rule: { field: "handler", op: "eq", value: "$user.id" } },
      fields: { secret: "hidden" },
      defaultField: "read",
    });
    const listed = await a.get(`/admin/roles/${role}/grants`);
    expect(listed.body.grants.map((g: { table: { name: string } }) => g.table.name)).toEqual([t.name]);
  });

  it("deleting a grant takes the access away at once, is audited, and a second delete is 404", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const t = await makeTable([rep.user.id]);
    expect((await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "all" })).status).toBe(200);
    expect(titles(await api(rep.token).get(`/tables/${t.name}/records`))).toEqual(["row 0"]);
    expect((await a.delete(`/admin/roles/${role}/grants/${t.name}`)).status).toBe(200);
    expectProblem(await api(rep.token).get(`/tables/${t.name}/records`), 403);
    expect(await audits("grant.delete", role)).toHaveLength(1);
    expectProblem(await a.delete(`/admin/roles/${role}/grants/${t.name}`), 404);
    expectProblem(await a.get(`/admin/roles/${role}/grants/${t.name}`), 404);
  });

  it("refuses grants that do not fit the schema or the table with 422 naming the place, writing nothing", async () => {
    const role = await makeRole();
    const t = await makeTable([]);
    const before = await version();
    const cases: [unknown, string][] = [
      [{ ...NONE, read: "sometimes" }, "read"],
      [{ read: "all", create: "none", update: "none" }, "delete"],
      [{ ...NONE, extra: 1 }, "extra"],
      [{ ...NONE, fields: { nope: "read" } }, "fields/nope"],
      [{ ...NONE, fields: { secret: "maybe" } }, "fields/secret"],
      [{ ...NONE, fields: { "x'; DROP TABLE sg_grants;--": "read" } }, "fields/x'; DROP TABLE sg_grants;--"],
      [{ ...NONE, defaultField: 3 }, "defaultField"],
      [{ ...NONE, read: { rule: { field: "ghost", op: "eq", value: 1 } } }, "read/rule/field"],
      [{ ...NONE, update: { rule: { field: "amount", op: "contains", value: "x" } } }, "update/rule/op"],
      [{ ...NONE, read: { rule: { field: "owner", op: "eq", value: "$user.teams" } } }, "read/rule/value"],
      [
        { ...NONE, read: { rule: { and: [{ field: "amount", op: "gt", value: "<script>" }] } } },
        "read/rule/and/0/value",
      ],
      [{ ...NONE, read: { rule: "1 OR 1=1" } }, "read"],
      [JSON.stringify("../../etc/passwd"), ""], // a JSON string, not an object
    ];
    for (const [body, field] of cases)
      expectProblem(await put(a, `/admin/roles/${role}/grants/${t.name}`, body), 422, field);
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE role = ?1", role)).toBeNull();
    expect(await audits("grant.set", role)).toHaveLength(0);
    expect(await version()).toBe(before);
  });

  it("stores an injection-shaped rule value as data: it matches no row", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const t = await makeTable([rep.user.id]);
    const res = await put(a, `/admin/roles/${role}/grants/${t.name}`, {
      ...NONE,
      read: { rule: { field: "title", op: "eq", value: "' OR 1=1 --" } },
    });
    expect(res.status, res.text).toBe(200);
    expect((await api(rep.token).get(`/tables/${t.name}/records`)).body.records).toEqual([]);
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE role = 'admin' OR role = ?1", role)).not.toBeNull();
  });

  it("answers 404 for unknown roles and tables, including injection-shaped ones", async () => {
    const role = await makeRole();
    const t = await makeTable([]);
    for (const bad of ["ghost_role", "x' OR '1'='1", "..%2F..%2Fetc"]) {
      expectProblem(await put(a, `/admin/roles/${encodeURIComponent(bad)}/grants/${t.name}`, NONE), 404, "role");
      expectProblem(await put(a, `/admin/roles/${role}/grants/${encodeURIComponent(bad)}`, NONE), 404, "table");
      expectProblem(await a.get(`/admin/roles/${encodeURIComponent(bad)}/grants`), 404, "role");
    }
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE role = ?1", role)).toBeNull();
  });

  it("refuses a body over the admin limit with 413", async () => {
    const role = await makeRole();
    const t = await makeTable([]);
    const fields = Object.fromEntries(
      Array.from({ length: 12000 }, (_, i) => [`field_${i}_${"x".repeat(10)}`, "read"]),
    );
    expectProblem(await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, fields }), 413);
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE role = ?1", role)).toBeNull();
  });
});

describe("owner field", () => {
  it("sets which user field owns rows, so `own` follows it; only user fields qualify", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const other = await userWithToken(["viewer"]);
    const t = await makeTable([rep.user.id, other.user.id]); // assignee: row 0 other, row 1 rep
    expect((await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "own" })).status).toBe(200);
    expect(titles(await api(rep.token).get(`/tables/${t.name}/records`))).toEqual(["row 0"]);
    expectProblem(await put(a, `/admin/tables/${t.name}/owner-field`, { field: "title" }), 422, "field");
    expectProblem(await put(a, `/admin/tables/${t.name}/owner-field`, { field: "ghost" }), 422, "field");
    expectProblem(await put(a, `/admin/tables/${t.name}/owner-field`, { field: 5 }), 422, "field");
    expectProblem(await put(a, `/admin/tables/${t.name}/owner-field`, { field: "assignee", x: 1 }), 422, "x");
    const res = await put(a, `/admin/tables/${t.name}/owner-field`, { field: "assignee" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.ownerField).toMatchObject({ field: { name: "assignee" }, explicit: true });
    expect(titles(await api(rep.token).get(`/tables/${t.name}/records`))).toEqual(["row 1"]);
    const audit = await DB.prepare("SELECT * FROM sg_audit WHERE action = 'table.owner_field' AND table_id = ?1")
      .bind(t.id)
      .all();
    expect(audit.results).toHaveLength(1);
    expect((await a.get(`/admin/tables/${t.name}/owner-field`)).body.ownerField.field.name).toBe("assignee");
  });
});

describe("roles", () => {
  it("creates, lists, relabels and refuses duplicates; built-in roles cannot be renamed or deleted", async () => {
    const name = await makeRole();
    const list = await a.get("/admin/roles");
    expect(list.body.roles.find((r: { name: string }) => r.name === name)).toMatchObject({
      builtin: false,
      users: 0,
      label: `Role ${name}`,
    });
    expect(list.body.roles.find((r: { name: string }) => r.name === "admin")).toMatchObject({ builtin: true });
    expectProblem(await a.post("/admin/roles", { name }), 409, "name");
    expect((await a.patch("/admin/roles/viewer", { labels: { en: "Viewer", "zh-CN": "只读用户" } })).status).toBe(200);
    expectProblem(await a.patch("/admin/roles/viewer", { name: uniq("viewer") }), 409, "name");
    expectProblem(await a.delete("/admin/roles/admin"), 409, "role");
    expectProblem(await a.delete("/admin/roles/sales_rep"), 409, "role");
    expect((await a.get("/admin/roles/admin")).status).toBe(200);
    expect(await audits("role.create", name)).toHaveLength(1);
  });

  it("refuses bad role bodies with 422 and writes nothing", async () => {
    const name = uniq("r");
    const cases: [unknown, string][] = [
      [{ name: "Bad Name" }, "name"],
      [{ name: "<script>alert(1)</script>" }, "name"],
      [{ name: "x'; DROP TABLE sg_roles;--" }, "name"],
      [{ name, label: 5 }, "label"],
      [{ name, builtin: true }, "builtin"],
      [{ label: "no name" }, "name"],
      [{ name: "x".repeat(70) }, "name"],
    ];
    for (const [body, field] of cases) expectProblem(await a.post("/admin/roles", body), 422, field);
    expectProblem(await a.patch("/admin/roles/viewer", {}), 422);
    expect(await one("SELECT 1 AS x FROM sg_roles WHERE name = ?1", name)).toBeNull();
  });

  it("renaming a custom role carries its users and grants along", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role]);
    const t = await makeTable([rep.user.id]);
    expect((await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "all" })).status).toBe(200);
    const renamed = uniq("renamed");
    const res = await a.patch(`/admin/roles/${role}`, { name: renamed });
    expect(res.status, res.text).toBe(200);
    expect(res.body.role).toMatchObject({ name: renamed, users: 1 });
    expect((await a.get(`/admin/users/${rep.user.id}`)).body.user.roles).toEqual([renamed]);
    expect(titles(await api(rep.token).get(`/tables/${t.name}/records`))).toEqual(["row 0"]);
    expectProblem(await a.get(`/admin/roles/${role}`), 404);
  });

  it("deleting a custom role removes it from users, views and its grants in one go", async () => {
    const role = await makeRole();
    const rep = await userWithToken([role, "viewer"]);
    const t = await makeTable([rep.user.id]);
    expect((await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "all" })).status).toBe(200);
    const viewId = uniq("view");
    await DB.prepare(
      "INSERT INTO sg_views (id, name, table_id, definition, roles, created_at, updated_at) VALUES (?1, ?1, ?2, '{}', ?3, 'now', 'now')",
    )
      .bind(viewId, t.id, JSON.stringify([role, "viewer"]))
      .run();
    const res = await a.delete(`/admin/roles/${role}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ deleted: role, users: [rep.user.id] });
    expect((await a.get(`/admin/users/${rep.user.id}`)).body.user.roles).toEqual(["viewer"]);
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE role = ?1", role)).toBeNull();
    expect(
      JSON.parse((await one<{ roles: string }>("SELECT roles FROM sg_views WHERE id = ?1", viewId))!.roles),
    ).toEqual(["viewer"]);
    expectProblem(await api(rep.token).get(`/tables/${t.name}/records`), 403);
    const [audit] = await audits("role.delete", role);
    expect(JSON.parse(audit!.changes).before.grants).toHaveLength(1);
    expectProblem(await a.delete(`/admin/roles/${role}`), 404);
  });
});

describe("teams", () => {
  it("creates a team, sets its members, renames and deletes it, auditing each step", async () => {
    const u1 = await userWithToken(["viewer"]);
    const u2 = await userWithToken(["viewer"]);
    const name = uniq("team");
    const created = await a.post("/admin/teams", { name, label: "East", members: [{ user: u1.user.id, lead: true }] });
    expect(created.status, created.text).toBe(201);
    const id = created.body.team.id;
    expect(created.body.team.members).toEqual([{ user: u1.user.id, name: "Test User", email: u1.email, lead: true }]);
    const members = await put(a, `/admin/teams/${name}/members`, [
      { user: u1.user.id },
      { user: u2.user.id, lead: true },
    ]);
    expect(members.status, members.text).toBe(200);
    expect(members.body.team.members.map((m: { user: string; lead: boolean }) => [m.user, m.lead])).toEqual([
      [u2.user.id, true],
      [u1.user.id, false],
    ]);
    expect((await a.get(`/admin/users/${u2.user.id}`)).body.user.teams).toEqual([{ team: id, name, lead: true }]);
    const renamed = uniq("team");
    expect((await a.patch(`/admin/teams/${id}`, { name: renamed })).body.team.name).toBe(renamed);
    expect(
      (await a.get("/admin/teams")).body.teams.some(
        (t: { id: string; name: string }) => t.id === id && t.name === renamed,
      ),
    ).toBe(true);
    expect((await a.delete(`/admin/teams/${renamed}`)).status).toBe(200);
    expectProblem(await a.get(`/admin/teams/${id}`), 404);
    expect((await a.get(`/admin/users/${u1.user.id}`)).body.user.teams).toEqual([]);
    for (const action of ["team.create", "team.members", "team.update", "team.delete"])
      expect(await audits(action, id)).toHaveLength(1);
  });

  it("a `team` grant reaches a teammate's rows once the admin puts both in one team", async () => {
    const role = await makeRole();
    const lead = await userWithToken([role]);
    const mate = await userWithToken(["viewer"]);
    const t = await makeTable([lead.user.id, mate.user.id]);
    expect((await put(a, `/admin/roles/${role}/grants/${t.name}`, { ...NONE, read: "team" })).status).toBe(200);
    expect(titles(await api(lead.token).get(`/tables/${t.name}/records`))).toEqual(["row 0"]);
    const team = await a.post("/admin/teams", { name: uniq("team") });
    expect(
      (
        await put(a, `/admin/teams/${team.body.team.id}/members`, [
          { user: lead.user.id, lead: true },
          { user: mate.user.id },
        ])
      ).status,
    ).toBe(200);
    expect(titles(await api(lead.token).get(`/tables/${t.name}/records`))).toEqual(["row 0", "row 1"]);
  });

  it("refuses bad team bodies, unknown or repeated members and duplicate names, writing nothing", async () => {
    const u = await userWithToken(["viewer"]);
    const name = uniq("team");
    const cases: [unknown, string][] = [
      [{ name: "Bad Name" }, "name"],
      [{ name: "x'; DROP TABLE sg_teams;--" }, "name"],
      [{ name, label: "" }, "label"],
      [{ name, members: [{ user: "usr_000000000000" }] }, "members/0/user"],
      [{ name, members: [{ user: u.user.id }, { user: u.user.id }] }, "members/1/user"],
      [{ name, members: "all" }, "members"],
      [{ name, boss: u.user.id }, "boss"],
    ];
    for (const [body, field] of cases) expectProblem(await a.post("/admin/teams", body), 422, field);
    expect(await one("SELECT 1 AS x FROM sg_teams WHERE name = ?1", name)).toBeNull();
    expect((await a.post("/admin/teams", { name })).status).toBe(201);
    expectProblem(await a.post("/admin/teams", { name }), 409, "name");
    expectProblem(await put(a, `/admin/teams/${name}/members`, [{ user: "<script>" }]), 422, "0/user");
    expectProblem(await put(a, `/admin/teams/${name}/members`, { members: [] }), 422, "");
    expectProblem(await put(a, "/admin/teams/no_such_team/members", []), 404, "team");
    expect((await a.get(`/admin/teams/${name}`)).body.team.members).toEqual([]);
  });
});

describe("non-admins", () => {
  it("get 403 problem+json naming the action on every access route, and nothing is written", async () => {
    const role = await makeRole();
    const t = await makeTable([]);
    const team = (await a.post("/admin/teams", { name: uniq("team") })).body.team.id;
    const mgr = await userWithToken(["sales_manager"]);
    const m = api(mgr.token);
    const before = await version();
    const calls: [Promise<ApiResponse>, string][] = [
      [m.get("/admin/roles"), "list roles"],
      [m.post("/admin/roles", { name: uniq("r") }), "create roles"],
      [m.get(`/admin/roles/${role}`), "view roles"],
      [m.patch(`/admin/roles/${role}`, { label: "x" }), "change roles"],
      [m.delete(`/admin/roles/${role}`), "delete roles"],
      [m.get(`/admin/roles/${role}/grants`), "view grants"],
      [m.get(`/admin/roles/${role}/grants/${t.name}`), "view grants"],
      [put(m, `/admin/roles/sales_manager/grants/${t.name}`, { ...NONE, read: "all" }), "set grants"],
      [m.delete(`/admin/roles/${role}/grants/${t.name}`), "delete grants"],
      [m.get("/admin/teams"), "list teams"],
      [m.post("/admin/teams", { name: uniq("t") }), "create teams"],
      [m.get(`/admin/teams/${team}`), "view teams"],
      [m.patch(`/admin/teams/${team}`, { label: "x" }), "change teams"],
      [m.delete(`/admin/teams/${team}`), "delete teams"],
      [put(m, `/admin/teams/${team}/members`, [{ user: mgr.user.id }]), "change team members"],
      [m.get(`/admin/tables/${t.name}/owner-field`), "view owner fields"],
      [put(m, `/admin/tables/${t.name}/owner-field`, { field: "owner" }), "set owner fields"],
    ];
    for (const [call, action] of calls) expectProblem(await call, 403, action);
    expect(await version()).toBe(before);
    expect(await one("SELECT 1 AS x FROM sg_grants WHERE table_id = ?1", t.id)).toBeNull();
    expect((await a.get(`/admin/teams/${team}`)).body.team.members).toEqual([]);
    expect((await a.get(`/admin/roles/${role}`)).status).toBe(200);
  });
});
