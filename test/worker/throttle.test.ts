/**
 * Sign-in throttling (issue 12, point 4): per account and client together with growing delays, per
 * client across accounts (password spraying), and an account-wide ceiling that never refuses the
 * right password from a client that has not failed on the account. Each test uses its own client
 * addresses and accounts, so counters of other tests do not interfere.
 */
import { describe, expect, it } from "vitest";
import {
  ACCOUNT_CEILING,
  clientOf,
  deleteStaleLoginFailures,
  MAX_CLIENT_FAILURES,
  PAIR_FREE_FAILURES,
  reserveAttempt,
} from "../../worker/auth/throttle";
import { AppError } from "../../worker/errors";
import { api, createUser, testEnv, uniqueEmail } from "./helpers";

const PROBLEM = "application/problem+json";
const attempt = (email: string, password: string, ip: string) =>
  api().post("/auth/login", { email, password }, { "cf-connecting-ip": ip });
let nextIp = 1;
/** A client address no other test uses. */
const freshIp = () => `198.18.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

/** The 429 a reservation throws at `now`, or null when the attempt may go on to the password check. */
async function refusal(email: string, ip: string, now: number): Promise<AppError | null> {
  try {
    await reserveAttempt(testEnv.DB, email, ip, now);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(429);
    return err as AppError;
  }
}
const retryAfter = (err: AppError | null) => Number(err?.headers["Retry-After"]);

function expectThrottled(res: Awaited<ReturnType<typeof attempt>>) {
  expect(res.status, res.text).toBe(429);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body.code).toBe("too_many_requests");
  const retry = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThan(0);
  expect(res.text).not.toContain("token");
  return retry;
}

describe("sign-in throttling that cannot be turned against a user", () => {
  it("50 wrong passwords from client A: the right password from client B succeeds at once, client A gets 429 with Retry-After", async () => {
    const { email, password } = await createUser();
    const [a, b] = [freshIp(), freshIp()];
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await attempt(email, `wrong-${i}`, a)).status);
    expect(statuses.slice(0, PAIR_FREE_FAILURES)).toEqual(Array(PAIR_FREE_FAILURES).fill(401));
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const fromB = await attempt(email, password, b);
    expect(fromB.status, fromB.text).toBe(200);
    expect(fromB.body.user.email).toBe(email);
    expectThrottled(await attempt(email, password, a));
    // A's refused attempts did not count as guesses against the account: a third client that
    // mistypes once is answered 401, not throttled by the account-wide ceiling.
    expect((await attempt(email, "typo", freshIp())).status).toBe(401);
  });

  it("answers the same for an unknown account, so a 429 does not tell whether the account exists", async () => {
    const ip = freshIp();
    const known = await createUser();
    const unknown = uniqueEmail("nobody");
    const replies: { status: number; detail: string }[][] = [[], []];
    for (const [i, email] of [known.email, unknown].entries()) {
      for (let n = 0; n <= PAIR_FREE_FAILURES; n++) {
        const res = await attempt(email, "wrong", ip);
        replies[i]!.push({ status: res.status, detail: res.body.detail });
      }
    }
    expect(replies[0]!.map((r) => r.status)).toEqual([...Array(PAIR_FREE_FAILURES).fill(401), 429]);
    expect(replies[1]).toEqual(replies[0]);
  });

  it("counts an email however it is written (case, surrounding spaces) as the same account", async () => {
    const { email, password } = await createUser();
    const ip = freshIp();
    const spellings = [email.toUpperCase(), ` ${email} `, email];
    for (const spelled of spellings) expect((await attempt(spelled, "wrong", ip)).status).toBe(401);
    expectThrottled(await attempt(` ${email.toUpperCase()}`, password, ip));
  });

  it("delays an account and client pair after 3 failures, doubling per failure up to a cap", async () => {
    const { email } = await createUser();
    const ip = freshIp();
    let now = Date.parse("2030-01-01T00:00:00Z");
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect(await refusal(email, ip, now)).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const refused = await refusal(email, ip, now);
      expect(refused?.message).toMatch(/try again in \d+ seconds/);
      const wait = retryAfter(refused);
      waits.push(wait);
      // One millisecond early is still refused; at the time said, the attempt goes through.
      expect(retryAfter(await refusal(email, ip, now + wait * 1000 - 1))).toBe(1);
      now += wait * 1000;
      expect(await refusal(email, ip, now)).toBeNull();
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
  });

  it("refuses one client after 20 failures across accounts (spraying); other clients are unaffected", async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_CLIENT_FAILURES; i++)
      expect((await attempt(uniqueEmail("spray"), "Winter2026!", ip)).status).toBe(401);
    const { email, password } = await createUser();
    const res = await attempt(email, password, ip);
    expectThrottled(res);
    expect(res.body.detail).toMatch(/network/);
    expect((await attempt(email, password, freshIp())).status).toBe(200);
  });

  it("has an account-wide ceiling far above one client's share, which still lets the right password in from a client that has not failed", async () => {
    const { email, password } = await createUser();
    expect(ACCOUNT_CEILING).toBeGreaterThanOrEqual(10 * PAIR_FREE_FAILURES);
    // Guesses from many clients, each below its free attempts (so no pair delay), reach the ceiling.
    const now = Date.now();
    const guessers: string[] = [];
    for (let n = 0; n < ACCOUNT_CEILING; n++) {
      if (n % (PAIR_FREE_FAILURES - 1) === 0) guessers.push(freshIp());
      expect(await refusal(email, guessers.at(-1)!, now)).toBeNull();
    }
    // A client that has failed on the account is refused now, even with the right password.
    const failed = guessers[0]!;
    const res = await attempt(email, password, failed);
    expectThrottled(res);
    expect(res.body.detail).toMatch(/this account/);
    // A client that has not failed gets its password checked: right -> signed in, wrong -> 401 ...
    expect((await attempt(email, password, freshIp())).status).toBe(200);
    const newcomer = freshIp();
    expect((await attempt(email, "wrong", newcomer)).status).toBe(401);
    // ... after which it has failed, so the ceiling refuses it too.
    expectThrottled(await attempt(email, password, newcomer));
  });

  it("counts a burst of parallel guesses before any is checked, so only the free attempts reach the password check", async () => {
    const { email } = await createUser();
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(email, `guess-${i}`, ip)));
    expect(results.filter((r) => r.status === 401).length).toBe(PAIR_FREE_FAILURES);
    expect(results.filter((r) => r.status === 429).length).toBe(10 - PAIR_FREE_FAILURES);
  });

  it("forgets a pair's failures when it signs in, so its next mistakes start over", async () => {
    const { email, password } = await createUser();
    const ip = freshIp();
    for (let i = 0; i < PAIR_FREE_FAILURES - 1; i++) expect((await attempt(email, "wrong", ip)).status).toBe(401);
    expect((await attempt(email, password, ip)).status).toBe(200);
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await attempt(email, "wrong", ip)).status).toBe(401);
    expectThrottled(await attempt(email, password, ip));
  });

  it("lets a pair start over once its failures are an hour old", async () => {
    const { email } = await createUser();
    const ip = freshIp();
    const start = Date.parse("2031-01-01T00:00:00Z");
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect(await refusal(email, ip, start)).toBeNull();
    expect(await refusal(email, ip, start + 1000)).not.toBeNull();
    expect(await refusal(email, ip, start + 60 * 60_000 + 1000)).toBeNull();
  });

  it("keeps a pair's failures for the cron for an hour, the client and account counters for their 15-minute window", async () => {
    const { email } = await createUser();
    const ip = freshIp();
    const start = Date.now() - 20 * 60_000;
    expect(await refusal(email, ip, start)).toBeNull();
    const keys = async () =>
      (
        await testEnv.DB.prepare("SELECT key FROM sg_login_failures WHERE key LIKE ?1 OR key LIKE ?2 ORDER BY key")
          .bind(`%${email}`, `ip:${ip}`)
          .all<{ key: string }>()
      ).results.map((r) => r.key.split(":")[0]);
    expect(await keys()).toEqual(["acct", "ip", "pair"]);
    await deleteStaleLoginFailures(testEnv.DB);
    expect(await keys()).toEqual(["pair"]);
    await deleteStaleLoginFailures(testEnv.DB, start + 60 * 60_000 + 1000);
    expect(await keys()).toEqual([]);
  });

  it("does not count malformed requests as failures", async () => {
    const { email, password } = await createUser();
    const ip = freshIp();
    for (let i = 0; i < 8; i++)
      expect((await api().post("/auth/login", { email, password: i }, { "cf-connecting-ip": ip })).status).toBe(422);
    expect((await attempt(email, password, ip)).status).toBe(200);
  });

  it("keys clients by IPv4 address or IPv6 /64, and lumps anything else together", () => {
    expect(clientOf("2001:db8:0:1::a")).toBe(clientOf("2001:DB8:0:1:ffff:1:2:b"));
    expect(clientOf("2001:db8:0:1::a")).not.toBe(clientOf("2001:db8:0:2::a"));
    expect(clientOf("::ffff:198.51.100.7")).toBe("198.51.100.7");
    for (const junk of [undefined, "", "999.1.1.1", "1::2::3", "'; DROP TABLE sg_login_failures; --", "../../etc"])
      expect(clientOf(junk)).toBe("unknown");
  });
});
