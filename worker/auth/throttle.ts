/**
 * Failed sign-in throttling, per account (normalised email) and per client (CF-Connecting-IP).
 *
 * Order: `reserveAttempt` counts the attempt as a failure BEFORE the password is checked, with one
 * atomic upsert per key, and refuses with 429 when a counter is over its limit. Counting first (rather
 * than reading, verifying, then counting) means a burst of parallel guesses cannot all pass a check
 * that none of them has yet incremented; a refused attempt costs no PBKDF2 and reveals nothing.
 * `successStatements` then undoes the reservation for a correct password: the account counter is
 * cleared, the client counter gets its one reserved failure back.
 */
import { AppError } from "../errors";
import { normaliseEmail } from "./users";

export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const MAX_ACCOUNT_FAILURES = 5;
export const MAX_CLIENT_FAILURES = 20;

export interface Reservation {
  accountKey: string;
  clientKey: string;
  /** window_start of the client counter the attempt was counted in (so the refund hits the same window). */
  clientWindow: string;
}

interface Counter {
  failures: number;
  window_start: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The first 64 bits of an IPv6 address, or null: one host usually owns a whole /64 and can rotate within it. */
function ipv6Prefix(ip: string): string | null {
  if (!/^[0-9a-f:]{2,39}$/.test(ip)) return null;
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const part = (s: string | undefined) => (s ? s.split(":") : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (groups.some((g) => g.length < 1 || g.length > 4)) return null;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}

/**
 * The client part of a key. Cloudflare sets CF-Connecting-IP and overwrites any value a client sends;
 * anything that is not an address (only possible off Cloudflare) shares the "unknown" bucket.
 */
export function clientOf(header: string | undefined): string {
  const ip = (header ?? "").trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip)?.[1];
  const v4 = IPV4.exec(mapped ?? ip);
  if (v4 && v4.slice(1).every((o) => Number(o) <= 255)) return v4.slice(1).map(Number).join(".");
  return ipv6Prefix(ip) ?? "unknown";
}

function throttled(retryAfter: number, who: "account" | "client"): AppError {
  const message = who === "account"
    ? `Too many failed sign-ins for this account; try again in ${retryAfter} seconds`
    : `Too many failed sign-ins from this network; try again in ${retryAfter} seconds`;
  return new AppError("too_many_requests", message, [], { retryAfter }, { "Retry-After": String(retryAfter) });
}

/** Counts one attempt against both keys; throws 429 (with Retry-After) when either is over its limit. */
export async function reserveAttempt(db: D1Database, email: string, clientHeader: string | undefined, now = Date.now()): Promise<Reservation> {
  const accountKey = `acct:${normaliseEmail(email)}`;
  const clientKey = `ip:${clientOf(clientHeader)}`;
  const start = new Date(now).toISOString();
  const cutoff = new Date(now - LOGIN_WINDOW_SECONDS * 1000).toISOString();
  // SET expressions all see the old row, so both CASEs test the old window: a stale window restarts at 1.
  const upsert = (key: string) =>
    db
      .prepare(
        `INSERT INTO sg_login_failures (key, failures, window_start) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END,
           window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END
         RETURNING failures, window_start`,
      )
      .bind(key, start, cutoff);
  const [account, client] = (await db.batch<Counter>([upsert(accountKey), upsert(clientKey)])).map((r) => r.results[0]!);
  const wait = (c: Counter) => Math.max(1, Math.ceil((Date.parse(c.window_start) + LOGIN_WINDOW_SECONDS * 1000 - now) / 1000));
  // This attempt is already counted, so N failures allow the Nth attempt and refuse the N+1th.
  if (account!.failures > MAX_ACCOUNT_FAILURES) throw throttled(wait(account!), "account");
  if (client!.failures > MAX_CLIENT_FAILURES) throw throttled(wait(client!), "client");
  return { accountKey, clientKey, clientWindow: client!.window_start };
}

/** For the batch that completes a successful sign-in: forget the account's failures, refund the client's reservation. */
export function successStatements(db: D1Database, r: Reservation): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM sg_login_failures WHERE key = ?1").bind(r.accountKey),
    db.prepare("UPDATE sg_login_failures SET failures = failures - 1 WHERE key = ?1 AND window_start = ?2 AND failures > 0").bind(r.clientKey, r.clientWindow),
  ];
}

/** For the cron: counters whose window has passed count for nothing (the next attempt restarts them). */
export async function deleteStaleLoginFailures(db: D1Database, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - LOGIN_WINDOW_SECONDS * 1000).toISOString();
  const res = await db.prepare("DELETE FROM sg_login_failures WHERE window_start <= ?1").bind(cutoff).run();
  return res.meta.changes ?? 0;
}
