/**
 * The cron's housekeeping: stale sign-in failure counters and refresh tokens that can never be
 * exchanged again are deleted; live counters and tokens (used ones of a live family included) stay.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../main";
import { deleteDeadRefreshTokens } from "../../worker/auth/sessions";
import { deleteStaleLoginFailures, LOGIN_WINDOW_SECONDS } from "../../worker/auth/throttle";
import { testEnv } from "./helpers";

const DB = testEnv.DB;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const tag = () => crypto.randomUUID().slice(0, 8);

async function seed(t: string) {
  const window = LOGIN_WINDOW_SECONDS * 1000;
  const failure = (key: string, start: string) =>
    DB.prepare("INSERT INTO sg_login_failures (key, failures, window_start) VALUES (?1, 3, ?2)").bind(
      `${t}:${key}`,
      start,
    );
  const token = (id: string, expires: string, used: string | null, revoked: string | null) =>
    DB.prepare(
      "INSERT INTO sg_refresh_tokens (id, user_id, family, expires_at, used_at, revoked_at, created_at) VALUES (?1, 'usr_x', ?2, ?3, ?4, ?5, ?6)",
    ).bind(`${t}:${id}`, t, expires, used, revoked, iso(-1000));
  await DB.batch([
    failure("stale", iso(-window - 1000)),
    failure("fresh", iso(-1000)),
    token("expired", iso(-1000), null, null),
    token("revoked", iso(86_400_000), null, iso(-1000)),
    token("live", iso(86_400_000), null, null),
    token("used", iso(86_400_000), iso(-500), null),
  ]);
}

const keys = async (t: string) =>
  (
    await DB.prepare("SELECT key FROM sg_login_failures WHERE key LIKE ?1 ORDER BY key")
      .bind(`${t}:%`)
      .all<{ key: string }>()
  ).results.map((r) => r.key.split(":")[1]);
const tokens = async (t: string) =>
  (
    await DB.prepare("SELECT id FROM sg_refresh_tokens WHERE family = ?1 ORDER BY id").bind(t).all<{ id: string }>()
  ).results.map((r) => r.id.split(":")[1]);

describe("housekeeping", () => {
  it("deletes login failure counters whose window has passed, and only those", async () => {
    const t = tag();
    await seed(t);
    expect(await deleteStaleLoginFailures(DB)).toBeGreaterThanOrEqual(1);
    expect(await keys(t)).toEqual(["fresh"]);
  });

  it("deletes expired and revoked refresh tokens, keeping live and used-but-live ones", async () => {
    const t = tag();
    await seed(t);
    expect(await deleteDeadRefreshTokens(DB, new Date())).toBeGreaterThanOrEqual(2);
    expect(await tokens(t)).toEqual(["live", "used"]);
  });

  it("runs both from the scheduled handler", async () => {
    const t = tag();
    await seed(t);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(await keys(t)).toEqual(["fresh"]);
    expect(await tokens(t)).toEqual(["live", "used"]);
  });
});
