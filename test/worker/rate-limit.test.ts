/**
 * API rate limits (issue 12, point 5): token buckets per user and per client address, bulk writes
 * counted by their records, 429 with Retry-After and the RateLimit-Policy / RateLimit fields of
 * draft-ietf-httpapi-ratelimit-headers, limits an admin changes at /api/admin/settings/rate-limits.
 * Tests that lower a limit put the defaults back afterwards. A lowered limit also clamps the buckets of
 * everyone, so every test has its own admin and client addresses.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimits } from "../../schemas/types";
import { Buckets, type Policy } from "../../worker/ratelimit/buckets";
import { BINDING_LIMIT, blockSize, spend } from "../../worker/ratelimit/limiter";
import { currentLimits, DEFAULT_LIMITS, LIMITS_TTL_MS, rememberLimits } from "../../worker/ratelimit/settings";
import { api, testEnv, userWithToken, type ApiResponse } from "./helpers";

const PROBLEM = "application/problem+json";
let nextIp = 1;
/** A client address no other test uses. */
const freshIp = () => `198.19.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;
const from = (ip: string) => ({ "cf-connecting-ip": ip });
const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

let admin: Awaited<ReturnType<typeof userWithToken>>;
/** The admin API from a fresh address each call, so a lowered client limit never stops it. */
const asAdmin = () => ({
  get: (path: string) => api(admin.token).get(path, from(freshIp())),
  put: (path: string, body: unknown) => api(admin.token).request("PUT", path, body, from(freshIp())),
});
const withLimits = (patch: Partial<RateLimits>) => ({ ...DEFAULT_LIMITS, ...patch });

async function setLimits(limits: RateLimits, token = admin.token) {
  const res = await api(token).request("PUT", "/admin/settings/rate-limits", limits, from(freshIp()));
  expect(res.status, res.text).toBe(200);
}

beforeEach(async () => {
  admin = await userWithToken(["admin"]);
});

afterEach(async () => {
  // A new admin, whose bucket no lowered limit has drained.
  await setLimits(DEFAULT_LIMITS, (await userWithToken(["admin"])).token);
});

function expectRefused(res: ApiResponse, policy: string) {
  expect(res.status, res.text).toBe(429);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body.code).toBe("too_many_requests");
  expect(res.body.policy).toBe(policy);
  const retry = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retry) && retry >= 1).toBe(true);
  expect(res.body.retryAfter).toBe(retry);
  // A request policy is empty; the row budget may hold fewer than a write needs.
  expect(res.headers.get("ratelimit")).toMatch(new RegExp(`"${policy}";r=${policy === "rows" ? "\\d+" : "0"};t=\\d+`));
  return retry;
}

/** Sends `send()` until it is refused (at most `max` times); returns the replies. */
async function until429(send: () => Promise<ApiResponse>, max: number): Promise<ApiResponse[]> {
  const replies: ApiResponse[] = [];
  while (replies.length < max) {
    const res = await send();
    replies.push(res);
    if (res.status === 429) break;
  }
  return replies;
}

async function makeTable(): Promise<string> {
  const name = uniq("rl");
  const res = await api(admin.token).post(
    "/meta/tables",
    { name, fields: [{ name: "title", type: "text" }] },
    from(freshIp()),
  );
  expect(res.status, res.text).toBe(201);
  return name;
}
const rows = (n: number, tag = "r") => ({
  records: Array.from({ length: n }, (_, i) => ({ fields: { title: `${tag}-${i}` } })),
});
const countRows = async (table: string) =>
  (await api(admin.token).get(`/tables/${table}/records?limit=1&count=true`, from(freshIp()))).body.total as number;

describe("per-user rate limit", () => {
  it("serves a user's burst, then answers 429 with Retry-After and the RateLimit fields, and serves again after the wait", async () => {
    const u = await userWithToken(["admin"]);
    const ip = freshIp();
    const table = await makeTable();
    const { burst, perMinute } = DEFAULT_LIMITS.user;
    // More requests from one token at once than the bucket holds (the cheapest signed-in request:
    // one D1 statement). Each is counted on arrival, so how fast they are then served does not matter.
    const extra = 60;
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: burst + extra }, () => api(u.token).get(`/tables/${table}/records?limit=1`, from(ip))),
    );
    const seconds = (Date.now() - started) / 1000;
    const served = replies.filter((r) => r.status === 200).length;
    const refused = replies.filter((r) => r.status === 429);
    expect(served + refused.length, `${served} served in ${seconds} s`).toBe(burst + extra);
    expect(served).toBeGreaterThanOrEqual(burst);
    expect(served).toBeLessThanOrEqual(burst + Math.ceil((seconds * perMinute) / 60));
    expect(refused.length).toBeGreaterThan(0);
    const retry = expectRefused(refused[0]!, "user");
    expect(retry).toBeLessThanOrEqual(2);
    expect(refused[0]!.headers.get("ratelimit-policy")).toBe(`"client";q=4000;w=20, "user";q=2000;w=40`);
    expect(refused[0]!.body.detail).toMatch(/for your account; try again in \d+ seconds/);
    await new Promise((r) => setTimeout(r, retry * 1000));
    expect((await api(u.token).get(`/tables/${table}/records?limit=1`, from(ip))).status).toBe(200);
  }, 180_000);

  it("keeps users apart: one user's exhausted bucket does not slow another on the same address", async () => {
    await setLimits(withLimits({ user: { burst: 5, perMinute: 6 } }));
    const [a, b] = [await userWithToken(), await userWithToken()];
    const ip = freshIp();
    const replies = await until429(() => api(a.token).get("/auth/me", from(ip)), 10);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expectRefused(replies.at(-1)!, "user");
    expect((await api(b.token).get("/auth/me", from(ip))).status).toBe(200);
  });
});

describe("RateLimit fields", () => {
  const POLICY = /^"client";q=\d+;w=\d+(, "user";q=\d+;w=\d+)?$/;
  const LIMIT = /^"client";r=\d+;t=\d+(, "user";r=\d+;t=\d+)?$/;

  it("are sent on every counted answer: signed in or not, success or error, the hot list read included", async () => {
    const u = await userWithToken(["admin"]);
    const ip = freshIp();
    const table = await makeTable();
    const replies = {
      me: await api(u.token).get("/auth/me", from(ip)),
      list: await api(u.token).get(`/tables/${table}/records`, from(ip)),
      notFound: await api(u.token).get("/tables/no_such_table/records", from(ip)),
      noToken: await api().get("/auth/me", from(ip)),
      badLogin: await api().post("/auth/login", { email: "nobody@test.example", password: "wrong" }, from(ip)),
      health: await api().get("/health", from(ip)),
    };
    expect(Object.fromEntries(Object.entries(replies).map(([k, r]) => [k, r.status]))).toEqual({
      me: 200,
      list: 200,
      notFound: 404,
      noToken: 401,
      badLogin: 401,
      health: 200,
    });
    for (const [name, res] of Object.entries(replies)) {
      expect(res.headers.get("ratelimit-policy"), name).toMatch(POLICY);
      expect(res.headers.get("ratelimit"), name).toMatch(LIMIT);
      expect(res.headers.get("ratelimit")!.includes('"user"'), name).toBe(["me", "list", "notFound"].includes(name));
    }
    expect(replies.me.headers.get("ratelimit-policy")).toBe(`"client";q=4000;w=20, "user";q=2000;w=40`);
  });
});

describe("per-client rate limit", () => {
  it("counts every request from one address, signed in or not and across users; other addresses are unaffected", async () => {
    await setLimits(withLimits({ client: { burst: 8, perMinute: 6 } }));
    const [a, b] = [await userWithToken(), await userWithToken()];
    const ip = freshIp();
    const sends = [
      () => api(a.token).get("/auth/me", from(ip)),
      () => api(b.token).get("/auth/me", from(ip)),
      () => api().get("/health", from(ip)),
      () => api().post("/auth/login", { email: a.email, password: a.password }, from(ip)),
    ];
    let i = 0;
    const replies = await until429(() => sends[i++ % sends.length]!(), 12);
    expect(replies.length).toBe(9);
    expectRefused(replies.at(-1)!, "client");
    expect(replies.at(-1)!.body.detail).toMatch(/from your network/);
    expect((await api(a.token).get("/auth/me", from(freshIp()))).status).toBe(200);
  });
});

describe("rows", () => {
  it("counts a bulk write by its records and refuses one the row budget cannot cover, writing nothing", async () => {
    const table = await makeTable();
    await setLimits(withLimits({ rows: { burst: 100, perMinute: 6 } }));
    const ip = freshIp();
    const me = api(admin.token);
    const first = await me.post(`/tables/${table}/records`, rows(80), from(ip));
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("ratelimit")).toMatch(/"rows";r=20;t=\d+$/);
    expect(first.headers.get("ratelimit-policy")).toMatch(/"rows";q=100;w=1000$/);
    const tooMany = await me.post(`/tables/${table}/records`, rows(30, "late"), from(ip));
    const retry = expectRefused(tooMany, "rows");
    // 10 more records regain at 6 a minute: 100 seconds.
    expect(retry).toBeGreaterThanOrEqual(99);
    expect(retry).toBeLessThanOrEqual(100);
    expect(await countRows(table)).toBe(80);
    // One record costs one; an update and a delete of many count their records too.
    const one = await me.post(`/tables/${table}/records`, { fields: { title: "one" } }, from(ip));
    expect(one.status, one.text).toBe(201);
    expect(one.headers.get("ratelimit")).toMatch(/"rows";r=19;/);
    const ids = first.body.records.map((r: { id: number; version: number }) => ({ id: r.id, version: r.version }));
    const update = await me.patch(
      `/tables/${table}/records`,
      { records: ids.slice(0, 10).map((r: object) => ({ ...r, fields: { title: "x" } })) },
      from(ip),
    );
    expect(update.status, update.text).toBe(200);
    expect(update.headers.get("ratelimit")).toMatch(/"rows";r=9;/);
    expectRefused(await me.delete(`/tables/${table}/records`, { records: ids.slice(10, 20) }, from(ip)), "rows");
    expect(await countRows(table)).toBe(81);
  });

  it("lets a write larger than the whole budget through once when the bucket is full", async () => {
    const table = await makeTable();
    await setLimits(withLimits({ rows: { burst: 50, perMinute: 6 } }));
    const ip = freshIp();
    const big = await api(admin.token).post(`/tables/${table}/records`, rows(120), from(ip));
    expect(big.status, big.text).toBe(201);
    expectRefused(await api(admin.token).post(`/tables/${table}/records`, rows(1), from(ip)), "rows");
  });
});

describe("generous defaults", () => {
  it("never stop a grid scrolled fast or an import of 10 000 records", async () => {
    const table = await makeTable();
    const ip = freshIp();
    const me = api(admin.token);
    for (let i = 0; i < 10; i++)
      expect((await me.post(`/tables/${table}/records`, rows(1000, `imp${i}`), from(ip))).status).toBe(201);
    // 300 pages, 30 at a time: far faster than any grid scrolls.
    for (let round = 0; round < 10; round++) {
      const pages = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          me.get(`/tables/${table}/records?limit=100&offset=${(round * 30 + i) * 10}`, from(ip)),
        ),
      );
      expect(pages.map((p) => p.status)).toEqual(Array(30).fill(200));
    }
    expect(await countRows(table)).toBe(10_000);
  });
});

describe("admin settings: rate limits", () => {
  it("shows the limits in force and the defaults; an admin's change is audited and applies at once", async () => {
    const shown = await asAdmin().get("/admin/settings/rate-limits");
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body).toEqual({ rateLimits: DEFAULT_LIMITS, defaults: DEFAULT_LIMITS });
    const lowered = withLimits({ user: { burst: 3, perMinute: 6 } });
    const put = await asAdmin().put("/admin/settings/rate-limits", lowered);
    expect(put.status, put.text).toBe(200);
    expect(put.body.rateLimits).toEqual(lowered);
    expect((await asAdmin().get("/admin/settings/rate-limits")).body.rateLimits).toEqual(lowered);
    const audit = await testEnv.DB.prepare(
      "SELECT user_id, changes FROM sg_audit WHERE action = 'settings.rate_limits' ORDER BY id DESC LIMIT 1",
    ).first<{ user_id: string; changes: string }>();
    expect(audit!.user_id).toBe(admin.user.id);
    expect(JSON.parse(audit!.changes)).toEqual({ target: "rate_limits", before: DEFAULT_LIMITS, after: lowered });
    const u = await userWithToken();
    const replies = await until429(() => api(u.token).get("/auth/me", from(freshIp())), 10);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(replies.at(-1)!.headers.get("ratelimit-policy")).toContain(`"user";q=3;w=30`);
  });

  it.each([
    ["a string for a number", { user: { burst: "600", perMinute: 3000 } }, "user/burst"],
    ["zero", { client: { burst: 10, perMinute: 0 } }, "client/perMinute"],
    ["a fraction", { rows: { burst: 1.5, perMinute: 10 } }, "rows/burst"],
    ["a number past the maximum", { rows: { burst: 1e12, perMinute: 10 } }, "rows/burst"],
    ["null for a bucket", { user: null }, "user"],
    ["an unknown bucket field", { user: { burst: 5, perMinute: 5, perHour: 100 } }, "user/perHour"],
  ])("refuses %s with 422 naming the field, and changes nothing", async (_name, patch, field) => {
    const res = await asAdmin().put("/admin/settings/rate-limits", { ...DEFAULT_LIMITS, ...patch });
    expect(res.status, res.text).toBe(422);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await asAdmin().get("/admin/settings/rate-limits")).body.rateLimits).toEqual(DEFAULT_LIMITS);
  });

  it("refuses an unknown top-level field and a missing bucket, naming each", async () => {
    const unknown = await asAdmin().put("/admin/settings/rate-limits", {
      ...DEFAULT_LIMITS,
      embeds: { burst: 1, perMinute: 1 },
    });
    expect(unknown.status, unknown.text).toBe(422);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toContain("embeds");
    const { rows: _rows, ...missing } = DEFAULT_LIMITS;
    const res = await asAdmin().put("/admin/settings/rate-limits", missing);
    expect(res.status, res.text).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("rows");
  });

  it("refuses non-admins with 403, an oversize body with 413 and malformed JSON with 400", async () => {
    const u = await userWithToken();
    for (const res of [
      await api(u.token).get("/admin/settings/rate-limits", from(freshIp())),
      await api(u.token).request("PUT", "/admin/settings/rate-limits", DEFAULT_LIMITS, from(freshIp())),
    ]) {
      expect(res.status, res.text).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    const oversize = await asAdmin().put(
      "/admin/settings/rate-limits",
      JSON.stringify({ ...DEFAULT_LIMITS, pad: "x".repeat(8 * 1024) }),
    );
    expect(oversize.status, oversize.text).toBe(413);
    expect((await asAdmin().put("/admin/settings/rate-limits", '{"user":')).status).toBe(400);
    expect((await asAdmin().get("/admin/settings/rate-limits")).body.rateLimits).toEqual(DEFAULT_LIMITS);
  });

  it("reaches other isolates within the TTL, with no D1 read per request meanwhile", async () => {
    const db = testEnv.DB;
    let reads = 0;
    const counting = { prepare: (sql: string) => (reads++, db.prepare(sql)) } as unknown as D1Database;
    const now = Date.now();
    rememberLimits(DEFAULT_LIMITS, now);
    // Another isolate stores a change (its own copy changes at once; ours does not know yet).
    const changed = withLimits({ user: { burst: 7, perMinute: 70 } });
    await db
      .prepare(
        "INSERT INTO sg_settings (key, value) VALUES ('rate_limits', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .bind(JSON.stringify(changed))
      .run();
    for (let i = 0; i < 50; i++) expect(await currentLimits(counting, now + i * 100)).toEqual(DEFAULT_LIMITS);
    expect(reads).toBe(0);
    expect(await currentLimits(counting, now + LIMITS_TTL_MS)).toEqual(changed);
    expect(reads).toBe(1);
  });
});

describe("across isolates (the Workers Rate Limiting binding)", () => {
  it("refuses a key whose spending over several isolates passes the limit, though each isolate's bucket has tokens", async () => {
    const binding = testEnv.RATE_LIMITER;
    expect(binding, "wrangler.toml binds RATE_LIMITER").toBeDefined();
    // The binding counts per minute: stay inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    const policy: Policy = { name: "user", burst: 1000, perMinute: 60 };
    const block = blockSize(policy);
    expect(block).toBe(Math.ceil(1060 / BINDING_LIMIT));
    const key = `iso-${crypto.randomUUID()}`;
    const [one, two] = [new Buckets(), new Buckets()];
    const now = Date.now();
    let allowed = 0;
    for (let i = 0; i < 600; i++) if ((await spend(one, binding, policy, key, 1, now)).ok) allowed++;
    expect(allowed).toBe(600);
    let refusedAt = -1;
    for (let i = 0; i < 600 && refusedAt < 0; i++) {
      const s = await spend(two, binding, policy, key, 1, now);
      if (s.ok) allowed++;
      else refusedAt = i;
    }
    // Refused once the reports of both passed what the binding allows, with its own bucket still 40% full.
    expect(refusedAt).toBeGreaterThan(0);
    // (Each isolate may hold less than a block it has not reported yet.)
    expect(allowed).toBeLessThanOrEqual((BINDING_LIMIT + 2) * block);
    expect(allowed).toBeGreaterThanOrEqual(1000);
    // Refused locally from then on, without asking the binding again; other keys are unaffected.
    expect((await spend(two, binding, policy, key, 1, now + 1000)).ok).toBe(false);
    expect((await spend(two, binding, policy, `${key}-other`, 1, now)).ok).toBe(true);
  });
});
