import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { SignJWT, base64url, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../main";
import type { Env } from "../../worker/env";
import { api, createUser, testEnv, uniqueEmail } from "./helpers";

/*
 * The identity providers here are served inside the test: the Worker's own outbound fetch (discovery
 * and JWKS, through jose's remote key set) is answered by a stub of the global fetch for the fake IdP
 * hosts. vitest-pool-workers 0.15 no longer ships `fetchMock`; the code under test is not changed.
 */
const AUDIENCE = "salesgrid-client";
const ROLE_MAP = JSON.stringify({ "sales-team": "sales_rep", "it-admins": "admin", ghosts: "no_such_role" });
const PROBLEM = "application/problem+json";
const db = () => testEnv.DB;
const now = () => Math.floor(Date.now() / 1000);

interface Key {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  jwk: JWK;
}

async function makeKey(alg: "RS256" | "ES256"): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg}-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

class FakeIdp {
  readonly issuer = `https://idp-${crypto.randomUUID().slice(0, 8)}.test.example`;
  published: Key[] = [];
  down: "no" | "all" | "jwks" = "no";
  discoveryStatus = 200;
  hits = { discovery: 0, jwks: 0 };

  answer(url: string): Response {
    if (this.down === "all" || (this.down === "jwks" && url.endsWith("/jwks")))
      throw new TypeError("Network connection lost.");
    if (url === `${this.issuer}/.well-known/openid-configuration`) {
      this.hits.discovery++;
      return Response.json({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks` }, { status: this.discoveryStatus });
    }
    if (url === `${this.issuer}/jwks`) {
      this.hits.jwks++;
      return Response.json({ keys: this.published.map((k) => k.jwk) });
    }
    return new Response("not found", { status: 404 });
  }

  env(extra: Partial<Env> = {}): Env {
    return {
      ...testEnv,
      OIDC_ISSUER: this.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_ROLE_MAP: ROLE_MAP,
      OIDC_DEFAULT_ROLES: '["viewer"]',
      ...extra,
    };
  }

  /** An ID token for `claims`; `opts` bends the registered claims or the header. */
  sign(
    key: Key,
    claims: Record<string, unknown>,
    opts: { iss?: string; aud?: string | string[]; iat?: number; exp?: number; nbf?: number; kid?: string } = {},
  ) {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: opts.kid ?? key.kid, typ: "JWT" })
      .setIssuer(opts.iss ?? this.issuer)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt(opts.iat ?? now())
      .setExpirationTime(opts.exp ?? now() + 300);
    if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
    return jwt.sign(key.privateKey);
  }
}

const idps = new Map<string, FakeIdp>();
async function newIdp(alg: "RS256" | "ES256" = "RS256") {
  const idp = new FakeIdp();
  const key = await makeKey(alg);
  idp.published = [key];
  idps.set(new URL(idp.issuer).origin, idp);
  return { idp, key };
}

beforeAll(() => {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input as RequestInfo, init).url;
    const idp = idps.get(new URL(url).origin);
    return idp ? idp.answer(url) : realFetch(input as RequestInfo, init);
  });
});
afterAll(() => vi.restoreAllMocks());

const person = (over: Record<string, unknown> = {}) => ({
  sub: `sub-${crypto.randomUUID()}`,
  email: uniqueEmail("sso"),
  name: "Sso Person",
  groups: ["sales-team"],
  ...over,
});

/** POST /api/auth/oidc against the Worker with the given env (the IdP settings live there). */
async function signIn(
  env: Env,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  const req = new Request("http://x/api/auth/oidc", {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, env as never, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as any) : null };
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, detail?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  if (detail) expect(res.body.detail).toMatch(detail);
}

const userRow = (email: string) =>
  db()
    .prepare("SELECT id, roles, password_hash, oidc_issuer, oidc_subject FROM sg_users WHERE email = ?")
    .bind(email)
    .first<Record<string, string | null>>();
const audits = async (userId: string) =>
  (
    await db()
      .prepare("SELECT action, changes FROM sg_audit WHERE user_id = ?1 AND action LIKE 'user.sso_%' ORDER BY id")
      .bind(userId)
      .all<{ action: string; changes: string }>()
  ).results.map((r) => ({ action: r.action, ...JSON.parse(r.changes) }));

describe("POST /api/auth/oidc: accounts", () => {
  it("answers 404 problem+json when single sign-on is off (no OIDC_ISSUER)", async () => {
    const { idp, key } = await newIdp();
    // Explicitly empty, whatever a local .dev.vars says; wrangler.toml ships it empty too.
    const res = await signIn({ ...idp.env(), OIDC_ISSUER: "" }, { idToken: await idp.sign(key, person()) });
    expectProblem(res, 404, /not enabled/);
    expect(idp.hits.discovery).toBe(0);
  });

  it("first sign-in creates the user with mapped roles (unknown groups ignored) and its token works", async () => {
    const { idp, key } = await newIdp();
    const who = person({ groups: ["sales-team", "unknown-group", "ghosts"], name: "Mei Chen" });
    const res = await signIn(idp.env(), { idToken: await idp.sign(key, who) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: "Bearer",
      expiresIn: 900,
      user: { email: who.email, name: "Mei Chen", roles: ["sales_rep", "viewer"] },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const me = await api(res.body.token).get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: res.body.user.id, email: who.email, roles: ["sales_rep", "viewer"] });
    expect(await userRow(who.email)).toMatchObject({
      password_hash: null,
      oidc_issuer: idp.issuer,
      oidc_subject: who.sub,
    });
    expect(await audits(res.body.user.id)).toEqual([
      expect.objectContaining({
        action: "user.sso_create",
        target: res.body.user.id,
        after: { email: who.email, name: "Mei Chen", roles: ["sales_rep", "viewer"] },
      }),
    ]);
  });

  it("later sign-ins take name and roles from the IdP, auditing only real changes", async () => {
    const { idp, key } = await newIdp();
    const who = person();
    const first = await signIn(idp.env(), { idToken: await idp.sign(key, who) });
    const second = await signIn(idp.env(), {
      idToken: await idp.sign(key, { ...who, name: "Renamed", groups: ["it-admins"] }),
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body.user).toMatchObject({ id: first.body.user.id, name: "Renamed", roles: ["admin", "viewer"] });
    const third = await signIn(idp.env(), {
      idToken: await idp.sign(key, { ...who, name: "Renamed", groups: ["it-admins"] }),
    });
    expect(third.status).toBe(200);
    const log = await audits(first.body.user.id);
    expect(log.map((a) => a.action)).toEqual(["user.sso_create", "user.sso_update"]);
    expect(log[1]).toMatchObject({
      before: { name: "Sso Person", roles: ["sales_rep", "viewer"] },
      after: { name: "Renamed", roles: ["admin", "viewer"] },
    });
    expect((await api(third.body.token).get("/auth/me")).body.user.roles).toEqual(["admin", "viewer"]);
  });

  it("accepts ES256 ID tokens", async () => {
    const { idp, key } = await newIdp("ES256");
    const who = person({ groups: [] });
    const res = await signIn(idp.env({ OIDC_DEFAULT_ROLES: "[]" }), { idToken: await idp.sign(key, who) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ email: who.email, roles: [] });
  });

  it("links an existing local account by email once, and refuses a second identity for it", async () => {
    const { idp, key } = await newIdp();
    const local = await createUser(["warehouse"]);
    const who = person({ email: local.email.toUpperCase(), groups: ["sales-team"] });
    const res = await signIn(idp.env(), { idToken: await idp.sign(key, who) });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({ id: local.user.id, roles: ["sales_rep", "viewer"] });
    expect(await audits(local.user.id)).toEqual([
      expect.objectContaining({
        action: "user.sso_update",
        before: { name: "Test User", roles: ["warehouse"] },
        linked: { issuer: idp.issuer, subject: who.sub },
      }),
    ]);
    const other = await signIn(idp.env(), { idToken: await idp.sign(key, person({ email: local.email })) });
    expectProblem(other, 401, /different single sign-on identity/);
    expect((await userRow(local.email))!.oidc_subject).toBe(who.sub);
  });

  it("concurrent first sign-ins of one person create one account with one audit row", async () => {
    const { idp, key } = await newIdp();
    const who = person();
    const replies = await Promise.all(
      [1, 2, 3].map(async () => signIn(idp.env(), { idToken: await idp.sign(key, who) })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(replies.map((r) => r.body.user.id)).size).toBe(1);
    expect((await audits(replies[0]!.body.user.id)).map((a) => a.action)).toEqual(["user.sso_create"]);
  });

  it("refuses a disabled account without changing it", async () => {
    const { idp, key } = await newIdp();
    const who = person();
    const first = await signIn(idp.env(), { idToken: await idp.sign(key, who) });
    await db().prepare("UPDATE sg_users SET disabled = 1 WHERE id = ?").bind(first.body.user.id).run();
    const res = await signIn(idp.env(), { idToken: await idp.sign(key, { ...who, groups: ["it-admins"] }) });
    expectProblem(res, 401, /disabled/);
    expect(JSON.parse((await userRow(who.email))!.roles!)).toEqual(["sales_rep", "viewer"]);
    expect((await audits(first.body.user.id)).map((a) => a.action)).toEqual(["user.sso_create"]);
  });
});

describe("POST /api/auth/oidc: keys and verification", () => {
  it("follows key rotation: the new kid verifies after a refetch, the retired key's tokens are refused", async () => {
    const { idp, key: oldKey } = await newIdp();
    expect((await signIn(idp.env(), { idToken: await idp.sign(oldKey, person()) })).status).toBe(200);
    const newKey = await makeKey("RS256");
    idp.published = [newKey];
    // jose refetches a key set for an unknown kid at most every 30 s; move the clock past that.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      const who = person();
      const fresh = await signIn(idp.env(), { idToken: await idp.sign(newKey, who) });
      expect(fresh.status, fresh.text).toBe(200);
      expect((await api(fresh.body.token).get("/auth/me")).body.user.email).toBe(who.email);
      const retired = person();
      expectProblem(await signIn(idp.env(), { idToken: await idp.sign(oldKey, retired) }), 401, /unknown kid/);
      expect(await userRow(retired.email)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    expect(idp.hits).toEqual({ discovery: 1, jwks: 2 });
  });

  it("refuses every token that fails verification with 401 problem+json, writing nothing", async () => {
    const { idp, key } = await newIdp();
    const stranger = await makeKey("RS256");
    const valid = async (who: Record<string, unknown>) => idp.sign(key, who);
    const cases: [string, RegExp, (who: Record<string, unknown>) => Promise<string>][] = [
      ["wrong issuer", /"iss"/, (w) => idp.sign(key, w, { iss: "https://evil.test.example" })],
      ["wrong audience", /"aud"/, (w) => idp.sign(key, w, { aud: "another-client" })],
      ["several audiences without azp", /"azp"/, (w) => idp.sign(key, w, { aud: [AUDIENCE, "another-client"] })],
      ["expired", /expired/, (w) => idp.sign(key, w, { iat: now() - 7200, exp: now() - 3600 })],
      ["issued an hour ago", /issued too long ago/, (w) => idp.sign(key, w, { iat: now() - 3600, exp: now() + 3600 })],
      ["not yet valid", /"nbf"/, (w) => idp.sign(key, w, { nbf: now() + 3600, exp: now() + 7200 })],
      [
        "alg none",
        /RS256 or ES256/,
        async (w) =>
          `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url.encode(JSON.stringify({ ...w, iss: idp.issuer, aud: AUDIENCE, iat: now(), exp: now() + 300 }))}.`,
      ],
      [
        "HS256 keyed with the JWK's n",
        /RS256 or ES256/,
        (w) =>
          new SignJWT(w)
            .setProtectedHeader({ alg: "HS256", kid: key.kid })
            .setIssuer(idp.issuer)
            .setAudience(AUDIENCE)
            .setIssuedAt()
            .setExpirationTime("5m")
            .sign(new TextEncoder().encode(key.jwk.n!)),
      ],
      [
        "tampered payload",
        /signature is invalid/,
        async (w) => {
          const [h, , s] = (await valid({ ...w, email: uniqueEmail("victim") })).split(".");
          return `${h}.${base64url.encode(JSON.stringify({ ...w, iss: idp.issuer, aud: AUDIENCE, iat: now(), exp: now() + 300, groups: ["it-admins"] }))}.${s}`;
        },
      ],
      ["missing email", /"email"/, ({ email: _e, ...w }) => valid(w)],
      ["unverified email", /not verified/, (w) => valid({ ...w, email_verified: false })],
      ["missing sub", /"sub"/, ({ sub: _s, ...w }) => valid(w)],
      ["groups that are not a list", /"groups" claim/, (w) => valid({ ...w, groups: { admin: true } })],
      ["unknown kid", /unknown kid/, (w) => idp.sign(stranger, w)],
    ];
    for (const [name, reason, make] of cases) {
      const who = person();
      const res = await signIn(idp.env(), { idToken: await make(who) });
      expect(res.status, `${name}: ${res.text}`).toBe(401);
      expect(res.headers.get("content-type"), name).toContain(PROBLEM);
      expect(res.body.detail, name).toMatch(reason);
      expect(await userRow(who.email as string), name).toBeNull();
    }
  });

  it("reports an unreachable identity provider as 401 problem+json and recovers once it answers", async () => {
    const { idp, key } = await newIdp();
    const token = () => idp.sign(key, person());
    idp.down = "all";
    expectProblem(await signIn(idp.env(), { idToken: await token() }), 401, /unreachable/);
    idp.down = "no";
    idp.discoveryStatus = 503;
    expectProblem(await signIn(idp.env(), { idToken: await token() }), 401, /unreachable \(discovery answered 503\)/);
    idp.discoveryStatus = 200;
    idp.down = "jwks";
    expectProblem(
      await signIn(idp.env(), { idToken: await token() }),
      401,
      /unreachable \(its key set could not be fetched\)/,
    );
    idp.down = "no";
    expect((await signIn(idp.env(), { idToken: await token() })).status).toBe(200);
  });
});

describe("POST /api/auth/oidc: request bodies", () => {
  it("refuses wrong types, unknown fields and empty or overlong tokens with 4xx problem+json", async () => {
    const { idp } = await newIdp();
    const cases: [unknown, number, string][] = [
      [{ idToken: 5 }, 422, "idToken"],
      [{ idToken: ["a.b.c"] }, 422, "idToken"],
      [{ idToken: "a.b.c", admin: true }, 422, "admin"],
      [{}, 422, "idToken"],
      [{ idToken: "" }, 422, "idToken"],
      [[], 422, ""],
      ["null", 422, ""],
      [{ idToken: "a".repeat(15 * 1024 + 1) }, 422, "idToken"],
      ["{not json", 400, ""],
    ];
    for (const [body, status, field] of cases) {
      const res = await signIn(idp.env(), body);
      expectProblem(res, status);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body).slice(0, 80),
      ).toContain(field);
    }
    expectProblem(await signIn(idp.env(), { idToken: "x".repeat(20_000) }), 413);
    expectProblem(
      await signIn(idp.env(), "idToken=a.b.c", { "content-type": "application/x-www-form-urlencoded" }),
      415,
    );
    expect(idp.hits.discovery).toBe(0);
  });

  it("treats injection-shaped tokens as malformed (401), leaving the users table intact", async () => {
    const { idp } = await newIdp();
    const before = await db().prepare("SELECT COUNT(*) AS n FROM sg_users").first<number>("n");
    for (const idToken of [
      "' OR 1=1 --",
      "<script>alert(1)</script>",
      "../../etc/passwd",
      "a.b.c'; DROP TABLE sg_users; --",
      "eyJhbGciOiJub25lIn0.e30.<img src=x>",
      "a.b.c",
    ]) {
      const res = await signIn(idp.env(), { idToken });
      expectProblem(res, 401, /malformed/);
    }
    expect(await db().prepare("SELECT COUNT(*) AS n FROM sg_users").first<number>("n")).toBe(before);
  });
});
