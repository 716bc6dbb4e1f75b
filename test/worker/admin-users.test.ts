/**
 * Admin users API: list, create (with a given or a generated password), change (profile, roles,
 * teams, disabled) and set passwords. Storage is shared within this file: every email is unique.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, login, uniqueEmail, userWithToken, type ApiResponse } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const HOSTILE = ["x'; DROP TABLE sg_users;--", "1 OR 1=1", "<script>alert(1)</script>", "../../etc/passwd"];
const STRONG = "Tangerine-Orbit-4471";

let admin: Awaited<ReturnType<typeof userWithToken>>;
let a: ReturnType<typeof api>;

beforeAll(async () => {
  admin = await userWithToken(["admin"]);
  a = api(admin.token);
});

function expectProblem(res: ApiResponse, status: number, field?: string) {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  if (field !== undefined) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

const count = async (sql: string, ...params: unknown[]) =>
  (await DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;
const auditFor = (target: string, action: string) =>
  DB.prepare("SELECT * FROM sg_audit WHERE action = ?1 AND json_extract(changes, '$.target') = ?2 ORDER BY id")
    .bind(action, target)
    .all<{ changes: string; user_id: string }>();

async function makeTeam(name = `t_${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  const res = await a.post("/admin/teams", { name, label: name });
  expect(res.status, res.text).toBe(201);
  return res.body.team.id;
}

describe("creating users", () => {
  it("creates a user with roles, teams and a password they can sign in with, and audits it", async () => {
    const team = await makeTeam();
    const email = uniqueEmail("new");
    const res = await a.post("/admin/users", {
      email,
      name: "Li Na",
      roles: ["sales_rep"],
      teams: [{ team, lead: true }],
      locale: "zh-CN",
      timeZone: "Asia/Shanghai",
      password: STRONG,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(res.body.user).toMatchObject({
      email,
      name: "Li Na",
      roles: ["sales_rep"],
      locale: "zh-CN",
      timeZone: "Asia/Shanghai",
      disabled: false,
    });
    expect(res.body.user.teams).toEqual([{ team, name: expect.any(String), lead: true }]);
    expect(res.text).not.toContain("pbkdf2");
    const token = await login(email, STRONG);
    expect((await api(token).get("/auth/me")).body.user.email).toBe(email);
    const audit = (await auditFor(res.body.user.id, "user.create")).results;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.user_id).toBe(admin.user.id);
    expect(JSON.parse(audit[0]!.changes).after).toMatchObject({
      email,
      roles: ["sales_rep"],
      teams: [{ team, lead: true }],
    });
    expect(audit[0]!.changes).not.toContain(STRONG);
  });

  it("generates a one-time password when none is given, returns it once and it works", async () => {
    const email = uniqueEmail("gen");
    const res = await a.post("/admin/users", { email, name: "Generated" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(typeof res.body.password).toBe("string");
    expect(res.body.password.length).toBeGreaterThanOrEqual(20);
    await login(email, res.body.password);
    const listed = await a.get(`/admin/users/${res.body.user.id}`);
    expect(listed.text).not.toContain(res.body.password);
  });

  it("refuses unknown roles, unknown teams and unreal time zones with 422 naming each, writing nothing", async () => {
    const email = uniqueEmail("bad");
    const res = await a.post("/admin/users", {
      email,
      name: "X",
      roles: ["sales_rep", "wizard"],
      timeZone: "Mars/Olympus",
      password: STRONG,
    });
    expectProblem(res, 422, "roles/1");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("timeZone");
    const teams = await a.post("/admin/users", {
      email,
      name: "X",
      teams: [{ team: "no_such_team" }],
      password: STRONG,
    });
    expectProblem(teams, 422, "teams/0/team");
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(0);
  });

  it("refuses wrong types and unknown properties with 422 naming them", async () => {
    const email = uniqueEmail("types");
    const cases: [unknown, string][] = [
      [{ email, name: 5 }, "name"],
      [{ email, name: "X", roles: "admin" }, "roles"],
      [{ email, name: "X", teams: [{ team: 1 }] }, "teams/0/team"],
      [{ email, name: "X", isAdmin: true }, "isAdmin"],
      [{ email, name: "X", locale: "fr" }, "locale"],
      [{ email, name: "   " }, "name"],
      [{ name: "X" }, "email"],
      [[{ email, name: "X" }], ""],
    ];
    for (const [body, field] of cases) expectProblem(await a.post("/admin/users", body), 422, field);
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(0);
  });

  it("refuses a weak password with 422 naming password", async () => {
    const email = uniqueEmail("weak");
    expectProblem(await a.post("/admin/users", { email, name: "X", password: "password1" }), 422, "password");
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(0);
  });

  it("refuses a second user with the same email (any case) with 409", async () => {
    const email = uniqueEmail("dup");
    expect((await a.post("/admin/users", { email, name: "One", password: STRONG })).status).toBe(201);
    expectProblem(
      await a.post("/admin/users", { email: email.toUpperCase(), name: "Two", password: STRONG }),
      409,
      "email",
    );
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(1);
  });

  it("stores injection-shaped names verbatim and refuses them as emails or roles", async () => {
    for (const bad of HOSTILE) {
      expectProblem(await a.post("/admin/users", { email: bad, name: "X" }), 422, "email");
      expectProblem(await a.post("/admin/users", { email: uniqueEmail("h"), name: "X", roles: [bad] }), 422, "roles/0");
      expectProblem(
        await a.post("/admin/users", { email: uniqueEmail("h"), name: "X", teams: [{ team: bad }] }),
        422,
        "teams/0/team",
      );
    }
    const email = uniqueEmail("html");
    const res = await a.post("/admin/users", { email, name: HOSTILE.join(" "), password: STRONG });
    expect(res.status).toBe(201);
    expect((await a.get(`/admin/users/${res.body.user.id}`)).body.user.name).toBe(HOSTILE.join(" "));
    expect(await count("SELECT COUNT(*) AS n FROM sg_users")).toBeGreaterThan(1);
  });

  it("refuses a body over the admin limit with 413", async () => {
    const email = uniqueEmail("big");
    const res = await a.post("/admin/users", { email, name: "x".repeat(300 * 1024) });
    expectProblem(res, 413);
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(0);
  });
});

describe("listing users", () => {
  it("lists users with roles and teams, paged by email", async () => {
    const team = await makeTeam();
    const prefix = `aaa${crypto.randomUUID().slice(0, 6)}`;
    const emails = [`${prefix}-1@test.example`, `${prefix}-2@test.example`, `${prefix}-3@test.example`];
    for (const email of emails)
      expect(
        (await a.post("/admin/users", { email, name: email, roles: ["viewer"], teams: [{ team }], password: STRONG }))
          .status,
      ).toBe(201);
    const all = await a.get("/admin/users?limit=1000");
    expect(all.status).toBe(200);
    const mine = all.body.users.filter((u: { email: string }) => u.email.startsWith(prefix));
    expect(mine.map((u: { email: string }) => u.email)).toEqual(emails);
    expect(mine[0]).toMatchObject({ roles: ["viewer"], teams: [{ team, lead: false }], disabled: false });
    const first = await a.get(`/admin/users?limit=2&after=${encodeURIComponent(`${prefix}-0`)}`);
    expect(first.body.users.map((u: { email: string }) => u.email)).toEqual(emails.slice(0, 2));
    const next = await a.get(`/admin/users?limit=2&after=${encodeURIComponent(first.body.nextAfter)}`);
    expect(next.body.users[0].email).toBe(emails[2]);
  });

  it("refuses bad paging parameters with 400 naming them", async () => {
    expectProblem(await a.get("/admin/users?limit=0"), 400, "limit");
    expectProblem(await a.get("/admin/users?limit=1%20OR%201=1"), 400, "limit");
    expectProblem(await a.get("/admin/users?sort=email"), 400, "sort");
  });
});

describe("changing users", () => {
  it("changes name, roles, teams, locale and time zone; the new roles apply on the next request; the audit has before and after", async () => {
    const u = await userWithToken(["viewer"]);
    const team = await makeTeam();
    expectProblem(await api(u.token).get("/admin/users"), 403, "list users");
    const res = await a.patch(`/admin/users/${u.user.id}`, {
      name: "Renamed",
      roles: ["admin"],
      teams: [{ team, lead: true }],
      locale: "zh-CN",
      timeZone: "Europe/Berlin",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({
      name: "Renamed",
      roles: ["admin"],
      locale: "zh-CN",
      timeZone: "Europe/Berlin",
      teams: [{ team, lead: true }],
    });
    expect((await api(u.token).get("/admin/users?limit=1")).status).toBe(200);
    const [audit] = (await auditFor(u.user.id, "user.update")).results;
    expect(JSON.parse(audit!.changes)).toMatchObject({
      before: { name: "Test User", roles: ["viewer"], teams: [] },
      after: { name: "Renamed", roles: ["admin"], teams: [{ team, lead: true }] },
    });
  });

  it("disabling a user refuses their very next request with 401 and revokes their refresh tokens", async () => {
    const u = await userWithToken(["sales_rep"]);
    await DB.prepare(
      "INSERT INTO sg_refresh_tokens (id, user_id, family, expires_at, created_at) VALUES (?1, ?2, 'fam', '2999-01-01T00:00:00.000Z', ?3)",
    )
      .bind(`test-${crypto.randomUUID()}`, u.user.id, new Date().toISOString())
      .run();
    expect((await api(u.token).get("/auth/me")).status).toBe(200);
    const res = await a.patch(`/admin/users/${u.user.id}`, { disabled: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user.disabled).toBe(true);
    expectProblem(await api(u.token).get("/auth/me"), 401);
    expect(
      await count("SELECT COUNT(*) AS n FROM sg_refresh_tokens WHERE user_id = ?1 AND revoked_at IS NULL", u.user.id),
    ).toBe(0);
    expect(
      await count("SELECT COUNT(*) AS n FROM sg_users WHERE id = ?1 AND sessions_valid_after IS NOT NULL", u.user.id),
    ).toBe(1);
    expect((await api().post("/auth/login", { email: u.email, password: u.password })).status).toBe(401);
    // Re-enabling lets them sign in again (a fresh session), not revive the old token.
    expect((await a.patch(`/admin/users/${u.user.id}`, { disabled: false })).status).toBe(200);
    expect((await api(await login(u.email, u.password)).get("/auth/me")).status).toBe(200);
  });

  it("an admin cannot disable themselves or drop their own admin role (409), and nothing changes", async () => {
    const me = await userWithToken(["admin"]);
    expectProblem(await api(me.token).patch(`/admin/users/${me.user.id}`, { disabled: true }), 409, "disabled");
    expectProblem(
      await api(me.token).patch(`/admin/users/${me.user.id}`, { roles: ["viewer"], name: "Changed" }),
      409,
      "roles",
    );
    const after = await a.get(`/admin/users/${me.user.id}`);
    expect(after.body.user).toMatchObject({ roles: ["admin"], disabled: false, name: "Test User" });
    expect((await auditFor(me.user.id, "user.update")).results).toHaveLength(0);
  });

  it("refuses wrong types, unknown properties, empty bodies and unknown roles with 422, writing nothing", async () => {
    const u = await userWithToken(["viewer"]);
    const cases: [unknown, string][] = [
      [{ disabled: "yes" }, "disabled"],
      [{ roles: [1] }, "roles/0"],
      [{ email: "new@x.example" }, "email"],
      [{}, ""],
      [{ roles: ["viewer", "ghost"] }, "roles/1"],
      [{ teams: [{ team: HOSTILE[0] }] }, "teams/0/team"],
      [{ timeZone: HOSTILE[3] }, "timeZone"],
    ];
    for (const [body, field] of cases) expectProblem(await a.patch(`/admin/users/${u.user.id}`, body), 422, field);
    expect((await a.get(`/admin/users/${u.user.id}`)).body.user).toMatchObject({
      roles: ["viewer"],
      disabled: false,
      timeZone: "UTC",
    });
    expect((await auditFor(u.user.id, "user.update")).results).toHaveLength(0);
  });

  it("answers 404 for unknown or injection-shaped user ids", async () => {
    for (const id of ["usr_000000000000", "x' OR '1'='1", "..%2F..%2Fetc"]) {
      expectProblem(await a.patch(`/admin/users/${encodeURIComponent(id)}`, { name: "X" }), 404);
      expectProblem(await a.get(`/admin/users/${encodeURIComponent(id)}`), 404);
    }
  });
});

describe("setting passwords", () => {
  it("sets a password: the new one works, the old one and the old token do not, and it is audited", async () => {
    const u = await userWithToken(["viewer"]);
    const res = await a.post(`/admin/users/${u.user.id}/password`, { password: STRONG });
    expect(res.status, res.text).toBe(200);
    expect((await api().post("/auth/login", { email: u.email, password: u.password })).status).toBe(401);
    expectProblem(await api(u.token).get("/auth/me"), 401);
    await login(u.email, STRONG);
    expect(
      await count("SELECT COUNT(*) AS n FROM sg_users WHERE id = ?1 AND sessions_valid_after IS NOT NULL", u.user.id),
    ).toBe(1);
    expect((await auditFor(u.user.id, "user.password")).results).toHaveLength(1);
    expect(JSON.stringify((await auditFor(u.user.id, "user.password")).results)).not.toContain(STRONG);
  });

  it("enforces the password rules with 422 naming password, and refuses other shapes", async () => {
    const u = await createUserViaApi();
    for (const password of ["short", "aaaaaaaaaaaaaaaa", `${u.email.split("@")[0]}-Zq9!x`]) {
      expectProblem(await a.post(`/admin/users/${u.id}/password`, { password }), 422, "password");
    }
    expectProblem(await a.post(`/admin/users/${u.id}/password`, { password: 12345678901 }), 422, "password");
    expectProblem(await a.post(`/admin/users/${u.id}/password`, { password: STRONG, extra: 1 }), 422, "extra");
    expectProblem(await a.post(`/admin/users/${u.id}/password`, "not json"), 400);
    expectProblem(await a.post("/admin/users/usr_000000000000/password", { password: STRONG }), 404);
    expect((await auditFor(u.id, "user.password")).results).toHaveLength(0);
  });
});

async function createUserViaApi() {
  const email = uniqueEmail("pw");
  const res = await a.post("/admin/users", { email, name: "Pw", password: STRONG });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, email };
}

describe("non-admins", () => {
  it("get 403 problem+json naming the action on every users route, and nothing is written", async () => {
    const rep = await userWithToken(["sales_manager"]);
    const r = api(rep.token);
    const email = uniqueEmail("sneaky");
    const calls: [Promise<ApiResponse>, string][] = [
      [r.get("/admin/users"), "list users"],
      [r.post("/admin/users", { email, name: "X", roles: ["admin"] }), "create users"],
      [r.get(`/admin/users/${rep.user.id}`), "view users"],
      [r.patch(`/admin/users/${rep.user.id}`, { roles: ["admin"] }), "change users"],
      [r.post(`/admin/users/${admin.user.id}/password`, { password: STRONG }), "set passwords"],
    ];
    for (const [call, action] of calls) expectProblem(await call, 403, action);
    expect(await count("SELECT COUNT(*) AS n FROM sg_users WHERE email = ?1", email)).toBe(0);
    expect((await a.get(`/admin/users/${rep.user.id}`)).body.user.roles).toEqual(["sales_manager"]);
    await login(admin.email, admin.password);
  });

  it("get 401 without a token", async () => {
    expectProblem(await api().get("/admin/users"), 401);
  });
});
