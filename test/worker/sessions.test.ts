import { describe, expect, it } from "vitest";
import { Hono } from "hono";
import { api, createUser, testEnv } from "./helpers";
import { auth } from "../../worker/http/auth";
import { renderProblem } from "../../worker/http/problem";
import { hashToken } from "../../worker/auth/sessions";
import { PAIR_FREE_FAILURES } from "../../worker/auth/throttle";
import type { AppEnv } from "../../worker/env";

const PROBLEM = "application/problem+json";
const db = () => testEnv.DB;

/** Signs in and returns the whole session reply (access token, refresh token, user). */
async function signIn(email: string, password: string) {
  const res = await api().post("/auth/login", { email, password });
  expect(res.status).toBe(200);
  return res.body as { token: string; refreshToken: string; expiresIn: number; user: { id: string } };
}

async function userSession() {
  const u = await createUser(["sales_rep"]);
  return { ...u, ...(await signIn(u.email, u.password)) };
}

const refresh = (refreshToken: unknown) => api().post("/auth/refresh", { refreshToken });
const rowOf = async (token: string) =>
  db()
    .prepare("SELECT * FROM sg_refresh_tokens WHERE id = ?")
    .bind(await hashToken(token))
    .first<Record<string, string | null>>();
const auditCount = (userId: string, action: string) =>
  db()
    .prepare(
      "SELECT COUNT(*) AS n FROM sg_audit WHERE user_id = ?1 AND action = ?2 AND json_extract(changes, '$.target') = ?1",
    )
    .bind(userId, action)
    .first<number>("n");

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  if (field !== undefined) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

describe("POST /api/auth/refresh", () => {
  it("stores only the SHA-256 of a refresh token, with a 30-day expiry", async () => {
    const s = await userSession();
    expect(s.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.expiresIn).toBe(900);
    const row = await rowOf(s.refreshToken);
    expect(row).toMatchObject({ user_id: s.user.id, used_at: null, revoked_at: null });
    const days = (Date.parse(row!.expires_at!) - Date.parse(row!.created_at!)) / 86_400_000;
    expect(days).toBe(30);
    const plain = await db()
      .prepare("SELECT COUNT(*) AS n FROM sg_refresh_tokens WHERE id = ?")
      .bind(s.refreshToken)
      .first<number>("n");
    expect(plain).toBe(0);
  });

  it("rotates without an access token: a new pair that works, in the same family, and the old token then fails", async () => {
    const s = await userSession();
    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body.user.id).toBe(s.user.id);
    expect(r.body.refreshToken).not.toBe(s.refreshToken);
    expect((await api(r.body.token).get("/auth/me")).body.user.id).toBe(s.user.id);
    const [oldRow, newRow] = [await rowOf(s.refreshToken), await rowOf(r.body.refreshToken)];
    expect(oldRow!.used_at).not.toBeNull();
    expect(newRow!.family).toBe(oldRow!.family);
    expectProblem(await refresh(s.refreshToken), 401, "refreshToken");
  });

  it("treats reuse of a used token as theft: the whole family, newest token included, is revoked", async () => {
    const s = await userSession();
    const other = await signIn(s.email, s.password); // a second sign-in: another family
    const second = (await refresh(s.refreshToken)).body.refreshToken as string;
    const third = (await refresh(second)).body.refreshToken as string;
    const reuse = await refresh(s.refreshToken);
    expectProblem(reuse, 401);
    expect(reuse.body.detail).toMatch(/already used/);
    expectProblem(await refresh(third), 401);
    expect((await rowOf(third))!.revoked_at).not.toBeNull();
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it("lets exactly one of two concurrent refreshes with one token succeed; the other counts as reuse", async () => {
    const s = await userSession();
    const results = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!.body.refreshToken as string;
    expectProblem(await refresh(winner), 401);
  });

  it("refuses an expired refresh token", async () => {
    const { user } = await createUser();
    const token = "expired-token-" + crypto.randomUUID();
    await db()
      .prepare("INSERT INTO sg_refresh_tokens (id, user_id, family, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(
        await hashToken(token),
        user.id,
        crypto.randomUUID(),
        "2025-01-01T00:00:00.000Z",
        "2024-12-01T00:00:00.000Z",
      )
      .run();
    const res = await refresh(token);
    expectProblem(res, 401);
    expect(res.body.detail).toMatch(/expired/);
    expect((await rowOf(token))!.used_at).toBeNull();
  });

  it("refuses unknown, injection-shaped and path-shaped tokens with 401, never 500", async () => {
    for (const t of [
      "A".repeat(43),
      "' OR 1=1 --",
      "x'); DELETE FROM sg_refresh_tokens; --",
      "../../etc/passwd",
      "<img src=x onerror=alert(1)>",
    ]) {
      expectProblem(await refresh(t), 401);
    }
    expect(await db().prepare("SELECT COUNT(*) AS n FROM sg_refresh_tokens").first<number>("n")).toBeGreaterThan(0);
  });

  it("refuses a disabled user's token, and one created before sessions_valid_after", async () => {
    const a = await userSession();
    await db().prepare("UPDATE sg_users SET disabled = 1 WHERE id = ?").bind(a.user.id).run();
    expectProblem(await refresh(a.refreshToken), 401);
    const b = await userSession();
    // As an admin action would: sessions end without touching the refresh token rows.
    await db()
      .prepare("UPDATE sg_users SET sessions_valid_after = ? WHERE id = ?")
      .bind(new Date(Date.now() + 1000).toISOString(), b.user.id)
      .run();
    expectProblem(await refresh(b.refreshToken), 401);
  });

  it.each([
    ["a missing token", {}, "refreshToken"],
    ["a numeric token", { refreshToken: 42 }, "refreshToken"],
    ["an empty token", { refreshToken: "" }, "refreshToken"],
    ["an unknown property", { refreshToken: "abc", userId: "usr_x" }, "userId"],
    ["an array body", ["abc"], ""],
  ])("answers %s with 422 naming the field", async (_n, body, field) => {
    expectProblem(await api().post("/auth/refresh", body), 422, field);
  });

  it("refuses an oversize body with 413 before reading it", async () => {
    expectProblem(await api().post("/auth/refresh", { refreshToken: "x".repeat(20_000) }), 413);
  });
});

describe("POST /api/auth/logout", () => {
  it("revokes the presented token's family and leaves the user's other sessions alone", async () => {
    const s = await userSession();
    const other = await signIn(s.email, s.password);
    const res = await api(s.token).post("/auth/logout", { refreshToken: s.refreshToken });
    expect(res.status).toBe(204);
    expectProblem(await refresh(s.refreshToken), 401);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it("does not revoke another user's refresh token", async () => {
    const [a, b] = [await userSession(), await userSession()];
    expect((await api(a.token).post("/auth/logout", { refreshToken: b.refreshToken })).status).toBe(204);
    expect((await rowOf(b.refreshToken))!.revoked_at).toBeNull();
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });

  it("everywhere: existing access and refresh tokens stop working at once, a new sign-in works, and it is audited", async () => {
    const s = await userSession();
    const other = await signIn(s.email, s.password);
    expect((await api(other.token).get("/auth/me")).status).toBe(200);
    expect((await api(s.token).post("/auth/logout", { everywhere: true })).status).toBe(204);
    for (const token of [s.token, other.token]) expectProblem(await api(token).get("/auth/me"), 401);
    for (const token of [s.refreshToken, other.refreshToken]) expectProblem(await refresh(token), 401);
    expect(await auditCount(s.user.id, "session.logout_all")).toBe(1);
    const again = await signIn(s.email, s.password);
    expect((await api(again.token).get("/auth/me")).status).toBe(200);
    expect((await refresh(again.refreshToken)).status).toBe(200);
  });

  it("requires an access token", async () => {
    const s = await userSession();
    expectProblem(await api().post("/auth/logout", { refreshToken: s.refreshToken }), 401);
    expect((await rowOf(s.refreshToken))!.revoked_at).toBeNull();
  });

  it.each([
    ["nothing to end", {}, "refreshToken"],
    ["everywhere false alone", { everywhere: false }, "refreshToken"],
    ["a string everywhere", { everywhere: "true" }, "everywhere"],
    ["a numeric token", { refreshToken: 1 }, "refreshToken"],
    ["an unknown property", { everywhere: true, userId: "usr_other" }, "userId"],
  ])("answers %s with 422 and ends nothing", async (_n, body, field) => {
    const s = await userSession();
    expectProblem(await api(s.token).post("/auth/logout", body), 422, field);
    expect((await api(s.token).get("/auth/me")).status).toBe(200);
    expect(await auditCount(s.user.id, "session.logout_all")).toBe(0);
  });

  it("treats an injection-shaped token as unknown: 204, nothing revoked", async () => {
    const s = await userSession();
    expect(
      (
        await api(s.token).post("/auth/logout", {
          refreshToken: "' OR 1=1; UPDATE sg_refresh_tokens SET revoked_at = 'x' --",
        })
      ).status,
    ).toBe(204);
    expect((await rowOf(s.refreshToken))!.revoked_at).toBeNull();
  });
});

describe("POST /api/auth/password", () => {
  const NEXT = "Brand-new horse battery 42";

  it("changes the password, ends every other session, returns a fresh pair and audits in the same batch", async () => {
    const s = await userSession();
    const other = await signIn(s.email, s.password);
    const res = await api(s.token).post("/auth/password", { current: s.password, next: NEXT });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(s.user.id);
    expect((await api(res.body.token).get("/auth/me")).status).toBe(200);
    expect((await refresh(res.body.refreshToken)).status).toBe(200);
    for (const token of [s.token, other.token]) expectProblem(await api(token).get("/auth/me"), 401);
    for (const token of [s.refreshToken, other.refreshToken]) expectProblem(await refresh(token), 401);
    expect(await auditCount(s.user.id, "user.password")).toBe(1);
    expect((await api().post("/auth/login", { email: s.email, password: s.password })).status).toBe(401);
    await signIn(s.email, NEXT);
  });

  it("answers a wrong current password with 403 naming current, and changes nothing", async () => {
    const s = await userSession();
    const res = await api(s.token).post("/auth/password", { current: "not-my-password", next: NEXT });
    expectProblem(res, 403, "current");
    expect(res.body.code).toBe("forbidden");
    expect((await api(s.token).get("/auth/me")).status).toBe(200);
    expect(await auditCount(s.user.id, "user.password")).toBe(0);
    await signIn(s.email, s.password);
  });

  it("throttles wrong current passwords like sign-ins (per account and client), so a stolen access token cannot guess it", async () => {
    const s = await userSession();
    const headers = { "cf-connecting-ip": "198.51.100.77" };
    for (let i = 0; i < PAIR_FREE_FAILURES; i++)
      expect((await api(s.token).post("/auth/password", { current: `guess-${i}`, next: NEXT }, headers)).status).toBe(
        403,
      );
    const res = await api(s.token).post("/auth/password", { current: s.password, next: NEXT }, headers);
    expectProblem(res, 429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it.each([
    ["a too short next", { next: "short" }, "next"],
    ["a next equal to current", { next: "__current__" }, "next"],
    ["a common next", { next: "my password is password" }, "next"],
    ["a numeric next", { next: 1234567890123 }, "next"],
    ["a missing current", { current: undefined }, "current"],
    ["an unknown property", { userId: "usr_someone_else" }, "userId"],
  ])("answers %s with 422 naming the field, and changes nothing", async (_n, patch, field) => {
    const s = await userSession();
    const body: Record<string, unknown> = { current: s.password, next: NEXT, ...patch };
    if (body.next === "__current__") body.next = s.password;
    expectProblem(await api(s.token).post("/auth/password", body), 422, field);
    expect((await api(s.token).get("/auth/me")).status).toBe(200);
    await signIn(s.email, s.password);
  });

  it("stores an HTML/SQL-shaped new password as an opaque hash", async () => {
    const s = await userSession();
    const odd = `<script>alert(1)</script>' OR 1=1 -- ../../x`;
    expect((await api(s.token).post("/auth/password", { current: s.password, next: odd })).status).toBe(200);
    await signIn(s.email, odd);
  });

  it("refuses an oversize body with 413", async () => {
    const s = await userSession();
    expectProblem(await api(s.token).post("/auth/password", { current: s.password, next: "x".repeat(20_000) }), 413);
  });

  it("refuses an embed token with 403 naming the action, for password and logout alike", async () => {
    const s = await userSession();
    const principal = {
      userId: s.user.id,
      email: s.email,
      name: "E",
      roles: [],
      isAdmin: false,
      teams: [],
      teamMembers: [s.user.id],
      timeZone: "UTC",
      embed: { tokenId: "emb_1", viewId: "v1", mode: "read" as const },
    };
    const app = new Hono<AppEnv>()
      .use("*", async (c, next) => {
        c.set("principal", principal);
        await next();
      })
      .route("/api/auth", auth);
    app.onError((err, c) => renderProblem(err, c));
    const call = (path: string, body: unknown) =>
      app.fetch(
        new Request(`http://x/api/auth/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        testEnv,
      );
    for (const [path, body, action] of [
      ["password", { current: s.password, next: NEXT }, "change the password"],
      ["logout", { everywhere: true }, "sign out"],
    ] as const) {
      const res = await call(path, body);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).errors[0].field).toBe(action);
    }
    expect((await api(s.token).get("/auth/me")).status).toBe(200);
    await signIn(s.email, s.password);
  });
});

it("documents the session endpoints in the OpenAPI document, with refresh reachable without a token", async () => {
  const doc = (await api().get("/openapi.json")).body;
  for (const path of ["/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/auth/password"])
    expect(Object.keys(doc.paths[path])).toEqual(["post"]);
  expect(doc.paths["/api/auth/refresh"].post.security).toEqual([]);
  expect(doc.paths["/api/auth/logout"].post.security).toBeUndefined();
});
