import { describe, expect, it } from "vitest";
import { SignJWT, base64url, generateKeyPair } from "jose";
import { api, createUser, login, testEnv, uniqueEmail, userWithToken } from "./helpers";
import { hashPassword, verifyPassword, PBKDF2_ITERATIONS } from "../../worker/auth/passwords";
import { signAccessToken, verifyAccessToken } from "../../worker/auth/tokens";
import { AppError } from "../../worker/errors";

const PROBLEM = "application/problem+json";
const key = (s: string) => new TextEncoder().encode(s);

/** A token like the real one but with parts overridden, to probe each check in verifyAccessToken. */
function forge(
  sub: string,
  opts: { secret?: string; issuer?: string; audience?: string; exp?: number | null; iat?: number; alg?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email: "x@test.example", name: "X", roles: ["admin"] })
    .setProtectedHeader({ alg: opts.alg ?? "HS256" })
    .setIssuer(opts.issuer ?? testEnv.TOKEN_ISSUER ?? "salesgrid")
    .setAudience(opts.audience ?? "salesgrid-api")
    .setSubject(sub)
    .setIssuedAt(opts.iat ?? now - 60);
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now + 600);
  return jwt.sign(key(opts.secret ?? testEnv.TOKEN_SECRET));
}

async function expect401(token: string, detail?: RegExp) {
  const res = await api(token).get("/auth/me");
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body.code).toBe("unauthenticated");
  if (detail) expect(res.body.detail).toMatch(detail);
  return res;
}

describe("passwords", () => {
  it("hashes in the documented format and verifies round trip", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(
      new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`),
    );
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
    expect(await hashPassword("correct horse")).not.toBe(stored); // random salt
  });

  it("treats unparseable or out-of-range stored values as a mismatch, not an error", async () => {
    for (const bad of [
      "",
      "plain",
      "pbkdf2-sha256$x$a$b",
      "pbkdf2-sha256$1000000$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43),
      "md5$1$a$b",
    ]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
    }
  });
});

describe("POST /api/auth/login", () => {
  it("returns a bearer token that works on GET /api/auth/me", async () => {
    const { email, password, user } = await createUser(["sales_rep"]);
    const res = await api().post("/auth/login", { email: `  ${email.toUpperCase()} `, password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, refreshExpiresIn: 30 * 86400, user });
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).not.toContain("pbkdf2");
    expect(user.id).toMatch(/^usr_[a-z0-9]{12}$/);
    const me = await api(res.body.token).get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user, timeZoneChosen: false });
  });

  it("gives the same 401 for a wrong password and an unknown email", async () => {
    const { email } = await createUser();
    const wrong = await api().post("/auth/login", { email, password: "not-the-password" });
    const unknown = await api().post("/auth/login", { email: uniqueEmail("nobody"), password: "whatever" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get("content-type")).toContain(PROBLEM);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.errors).toEqual(unknown.body.errors);
  });

  it("refuses a disabled user with the same 401", async () => {
    const { email, password, user } = await createUser();
    await testEnv.DB.prepare("UPDATE sg_users SET disabled = 1 WHERE id = ?").bind(user.id).run();
    const res = await api().post("/auth/login", { email, password });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("The email or password is incorrect");
  });

  it("answers an SQL-injection-shaped email with 401, not 500", async () => {
    for (const email of ["' OR 1=1 --", "a@b.c' OR '1'='1", 'x"); DROP TABLE sg_users; --']) {
      const res = await api().post("/auth/login", { email, password: "' OR '1'='1" });
      expect(res.status).toBe(401);
    }
    expect((await api().get("/health")).status).toBe(200);
  });

  it("rejects malformed JSON with 400 invalid_json", async () => {
    const res = await api().post("/auth/login", '{"email": "a@b.c", ');
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(res.body.code).toBe("invalid_json");
  });

  it("refuses an oversize body with 413 before any password work", async () => {
    const res = await api().post("/auth/login", { email: "a@b.c", password: "x".repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
  });

  it("rejects a non-JSON content type with 415", async () => {
    const res = await api().post("/auth/login", "email=a&password=b", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
  });

  it.each([
    ["a non-object body", ["a@b.c", "pw"], ""],
    ["a null body", null, ""],
    ["a numeric email", { email: 42, password: "pw" }, "email"],
    ["a missing password", { email: "a@b.c" }, "password"],
    ["an empty email", { email: "", password: "pw" }, "email"],
    ["an unknown property", { email: "a@b.c", password: "pw", admin: true }, "admin"],
    ["an over-long password", { email: "a@b.c", password: "x".repeat(2000) }, "password"],
  ])("answers %s with 422 naming the field", async (_name, body, field) => {
    const res = await api().post("/auth/login", JSON.stringify(body));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe("access tokens", () => {
  it("requires an Authorization header", async () => {
    const res = await api().get("/auth/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("rejects a tampered token", async () => {
    const { token } = await userWithToken();
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
    const tampered = base64url.encode(JSON.stringify({ ...claims, roles: ["admin"] }));
    await expect401(`${h}.${tampered}.${s}`, /signature/);
  });

  it("rejects a token signed with another secret", async () => {
    const { user } = await userWithToken();
    await expect401(await forge(user.id, { secret: "another-secret-that-is-also-32-chars-long" }), /signature/);
  });

  it("rejects an alg:none token", async () => {
    const { user } = await userWithToken();
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: user.id, iss: "salesgrid", aud: "salesgrid-api", iat: now, exp: now + 3600 };
    await expect401(`${enc({ alg: "none", typ: "JWT" })}.${enc(payload)}.`);
  });

  it("rejects an expired token", async () => {
    const { user } = await userWithToken();
    await expect401(await forge(user.id, { exp: Math.floor(Date.now() / 1000) - 60 }), /expired/);
  });

  it("rejects a wrong issuer or audience", async () => {
    const { user } = await userWithToken();
    await expect401(await forge(user.id, { issuer: "someone-else" }), /iss/);
    await expect401(await forge(user.id, { audience: "other-api" }), /aud/);
  });

  it("rejects a token whose header claims RS256, however it is signed", async () => {
    const { token, user } = await userWithToken();
    const [, p] = token.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "RS256", typ: "JWT" }));
    // The classic confusion: an HMAC over the new header with the shared secret, presented as RS256.
    const mac = await crypto.subtle.sign(
      "HMAC",
      await crypto.subtle.importKey("raw", key(testEnv.TOKEN_SECRET), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]),
      key(`${header}.${p}`),
    );
    await expect401(`${header}.${p}.${base64url.encode(new Uint8Array(mac))}`, /algorithm/);
    const { privateKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    const rsa = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer("salesgrid")
      .setAudience("salesgrid-api")
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    await expect401(rsa, /algorithm/);
  });

  it("rejects HS512 even with the right secret", async () => {
    const { user } = await userWithToken();
    await expect401(await forge(user.id, { alg: "HS512" }), /algorithm/);
  });

  it("rejects a token without exp, and one older than the access-token lifetime whatever its exp", async () => {
    const { user } = await userWithToken();
    const now = Math.floor(Date.now() / 1000);
    await expect401(await forge(user.id, { exp: null }), /exp/);
    await expect401(await forge(user.id, { iat: now - 16 * 60, exp: now + 3600 }), /expired/);
  });

  it("rejects a token issued before the user's sessions_valid_after, and accepts one issued after", async () => {
    const { user } = await userWithToken();
    const now = Math.floor(Date.now() / 1000);
    await testEnv.DB.prepare("UPDATE sg_users SET sessions_valid_after = ? WHERE id = ?")
      .bind(new Date((now - 30) * 1000).toISOString(), user.id)
      .run();
    await expect401(await forge(user.id, { iat: now - 60 }), /session has been ended/);
    expect((await api(await forge(user.id, { iat: now - 10 })).get("/auth/me")).status).toBe(200);
  });

  it("issues access tokens that live 15 minutes with a millisecond iat", async () => {
    const { token } = await userWithToken();
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1]!)));
    expect(claims.exp - Math.floor(claims.iat)).toBe(900);
    expect(Math.abs(claims.iat * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it("rejects a garbage token as malformed", async () => {
    await expect401("not.a.jwt", /malformed/);
  });

  it("rejects the token of a user disabled after sign-in", async () => {
    const { token, user } = await userWithToken();
    expect((await api(token).get("/auth/me")).status).toBe(200);
    await testEnv.DB.prepare("UPDATE sg_users SET disabled = 1 WHERE id = ?").bind(user.id).run();
    await expect401(token, /disabled/);
  });

  it("rejects a valid token for a user that does not exist", async () => {
    await expect401(await forge("usr_doesnotexist"), /no longer exists/);
  });

  it("takes roles from the database, so a role change applies at once", async () => {
    const { token, user } = await userWithToken(["sales_rep"]);
    expect((await verifyAccessToken(testEnv, token)).isAdmin).toBe(false);
    await testEnv.DB.prepare("UPDATE sg_users SET roles = ? WHERE id = ?")
      .bind(JSON.stringify(["admin"]), user.id)
      .run();
    const principal = await verifyAccessToken(testEnv, token);
    expect(principal).toMatchObject({ userId: user.id, roles: ["admin"], isAdmin: true });
  });

  it("a token verified once is refused after the secret or issuer changes (the verified-token cache is bound to both)", async () => {
    const { token, user } = await userWithToken();
    expect((await verifyAccessToken(testEnv, token)).userId).toBe(user.id);
    await expect(
      verifyAccessToken({ ...testEnv, TOKEN_SECRET: "another-secret-of-at-least-32-characters!" }, token),
    ).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(verifyAccessToken({ ...testEnv, TOKEN_ISSUER: "someone-else" }, token)).rejects.toMatchObject({
      code: "unauthenticated",
    });
    // And a rejection does not poison the token for the real secret.
    expect((await verifyAccessToken(testEnv, token)).userId).toBe(user.id);
  });

  it("a token that expired since it was verified is refused", async () => {
    const { user } = await userWithToken();
    const now = Math.floor(Date.now() / 1000);
    const token = await forge(user.id, { iat: now - 5, exp: now + 2 });
    expect((await verifyAccessToken(testEnv, token)).userId).toBe(user.id);
    // exp is 3 s away and the clock tolerance 5 s: wait it out.
    await new Promise((r) => setTimeout(r, 8100));
    await expect(verifyAccessToken(testEnv, token)).rejects.toMatchObject({ code: "unauthenticated" });
  }, 15_000);

  it("fails as an internal error, not a crash, when TOKEN_SECRET is missing or short", async () => {
    const user = { id: "usr_x", email: "x@test.example", name: "X", roles: [] };
    for (const TOKEN_SECRET of ["", "too-short"]) {
      const bad = { ...testEnv, TOKEN_SECRET };
      await expect(signAccessToken(bad, user)).rejects.toMatchObject({ code: "internal" });
      await expect(verifyAccessToken(bad, "a.b.c")).rejects.toBeInstanceOf(AppError);
    }
  });
});

// Failed sign-in throttling is tested in throttle.test.ts.

// login() is the helper other suites use; keep it honest.
it("login helper returns a token", async () => {
  const { email, password } = await createUser();
  expect(await login(email, password)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
});
