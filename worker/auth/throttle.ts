/**
 * Failed sign-in throttling that cannot be turned against a user. Three counters, all in
 * `sg_login_failures`:
 * - the account and client together (`pair:<client>|<email>`): 3 free failures, then each attempt
 *   waits a delay that doubles per failure (2 s, 4 s, ... up to 15 minutes); remembered for an hour
 *   after the pair's last failure. Someone who knows a colleague's email slows only their own client.
 * - the client across accounts (`ip:<client>`, password spraying): 20 failures per 15 minutes.
 * - the account across clients (`acct:<email>`): a ceiling of 100 failures per 15 minutes, five
 *   times what one client may try, that refuses only clients that have already failed on the
 *   account: the right password from a client that has not failed is always checked.
 *
 * Race safety: `reserveAttempt` decides and counts in ONE batch before the password is checked (a
 * batch runs as one transaction, so parallel guesses are decided one after another, each seeing the
 * others' counts). A refused attempt counts nothing (so a client hammering while refused neither
 * lengthens its own wait nor pushes the account to its ceiling) and costs no PBKDF2.
 * `successStatements` then undoes the reservation for a correct password: the pair is forgotten,
 * the client and account counters get their one reserved failure back.
 */
import { AppError } from "../errors";
import { normaliseEmail } from "./users";

/** The window of the client and account counters. */
export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** How long after its last failure a pair's failures still count. */
export const PAIR_MEMORY_SECONDS = 60 * 60;
/** Failures of one account from one client that are checked without delay. */
export const PAIR_FREE_FAILURES = 3;
/** The delay after the free failures; it doubles with each further failure, up to the cap. */
export const PAIR_BASE_DELAY_MS = 2000;
export const PAIR_MAX_DELAY_MS = 15 * 60 * 1000;
/** Failures one client may have across all accounts per window (password spraying). */
export const MAX_CLIENT_FAILURES = 20;
/** Failures per window across clients after which clients that have failed on the account wait. */
export const ACCOUNT_CEILING = 100;

export interface Reservation {
  pairKey: string;
  clientKey: string;
  accountKey: string;
  /** window_start of the counters the attempt was counted in (so the refund hits the same window). */
  clientWindow: string;
  accountWindow: string;
}

/** The counters as they were before this attempt; null where there is none in its window. */
interface Observed {
  p_failures: number | null;
  p_next: number | null;
  c_failures: number | null;
  c_start: string | null;
  a_failures: number | null;
  a_start: string | null;
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
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
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

/** The delay (ms) a pair waits after its `n`th failure, as SQL over the SQL expression `n`. */
const delaySql = (n: string) =>
  `(CASE WHEN ${n} < ${PAIR_FREE_FAILURES} THEN 0 ELSE min(${PAIR_BASE_DELAY_MS} << min(${n} - ${PAIR_FREE_FAILURES}, 20), ${PAIR_MAX_DELAY_MS}) END)`;

/**
 * The three counters before this attempt (?1 pair, ?2 client, ?3 account keys; ?4 and ?5 the pair's
 * and the windows' cutoffs; counters older than those count as none) and the condition under which
 * the attempt may reach the password check (?6 is now in epoch ms).
 */
const OBSERVED = `FROM (SELECT 1) AS one
  LEFT JOIN sg_login_failures p ON p.key = ?1 AND p.window_start > ?4
  LEFT JOIN sg_login_failures c ON c.key = ?2 AND c.window_start > ?5
  LEFT JOIN sg_login_failures a ON a.key = ?3 AND a.window_start > ?5`;
const ALLOWED = `NOT (coalesce(p.failures, 0) >= ${PAIR_FREE_FAILURES} AND p.next_at > ?6)
  AND coalesce(c.failures, 0) < ${MAX_CLIENT_FAILURES}
  AND NOT (coalesce(p.failures, 0) > 0 AND coalesce(a.failures, 0) >= ${ACCOUNT_CEILING})`;

/** One message whether or not the account exists: the counters are kept for any email. */
function throttled(o: Observed, now: number): AppError {
  const windowEnd = (start: string | null) => (start ? Date.parse(start) + LOGIN_WINDOW_SECONDS * 1000 : now);
  const reasons: { wait: number; message: string }[] = [];
  const pairFailures = o.p_failures ?? 0;
  if (pairFailures >= PAIR_FREE_FAILURES && (o.p_next ?? 0) > now)
    reasons.push({ wait: o.p_next! - now, message: "Too many failed sign-ins for this account from your network" });
  if ((o.c_failures ?? 0) >= MAX_CLIENT_FAILURES)
    reasons.push({ wait: windowEnd(o.c_start) - now, message: "Too many failed sign-ins from your network" });
  if (pairFailures > 0 && (o.a_failures ?? 0) >= ACCOUNT_CEILING)
    reasons.push({ wait: windowEnd(o.a_start) - now, message: "Too many failed sign-ins for this account" });
  // Counters move between the batch and here only by other attempts; wait for the longest reason.
  const retryAfter = Math.max(1, ...reasons.map((r) => Math.ceil(r.wait / 1000)));
  const message = `${reasons[0]?.message ?? "Too many failed sign-ins"}; try again in ${retryAfter} seconds`;
  return new AppError("too_many_requests", message, [], { retryAfter }, { "Retry-After": String(retryAfter) });
}

/**
 * Decides and counts one attempt in one batch; throws 429 (with Retry-After) when it must wait.
 * Only an attempt that goes on to the password check is counted, against all three counters.
 */
export async function reserveAttempt(
  db: D1Database,
  email: string,
  clientHeader: string | undefined,
  now = Date.now(),
): Promise<Reservation> {
  const account = normaliseEmail(email);
  const client = clientOf(clientHeader);
  const keys = { pair: `pair:${client}|${account}`, client: `ip:${client}`, account: `acct:${account}` };
  const at = new Date(now).toISOString();
  const cutoff = new Date(now - LOGIN_WINDOW_SECONDS * 1000).toISOString();
  const pairCutoff = new Date(now - PAIR_MEMORY_SECONDS * 1000).toISOString();
  const attempt = crypto.randomUUID();
  const observed = [keys.pair, keys.client, keys.account, pairCutoff, cutoff, now] as const;
  // SET expressions all see the old row, so a stale counter restarts at 1. A pair's window_start is
  // its last failure (its memory runs from there); the others keep the start of their window.
  const pair = db
    .prepare(
      `INSERT INTO sg_login_failures (key, failures, window_start, next_at, attempt)
       SELECT ?1, 1, ?7, ?6 + ${delaySql("1")}, ?8 ${OBSERVED} WHERE ${ALLOWED}
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN window_start <= ?4 THEN 1 ELSE failures + 1 END,
         next_at = ?6 + ${delaySql("(CASE WHEN window_start <= ?4 THEN 1 ELSE failures + 1 END)")},
         window_start = ?7,
         attempt = ?8
       RETURNING failures`,
    )
    .bind(...observed, at, attempt);
  // The client and account count this attempt only when the pair statement just did.
  const counter = (key: string) =>
    db
      .prepare(
        `INSERT INTO sg_login_failures (key, failures, window_start)
         SELECT ?1, 1, ?4 WHERE (SELECT attempt FROM sg_login_failures WHERE key = ?2) = ?5
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END,
           window_start = CASE WHEN window_start <= ?3 THEN ?4 ELSE window_start END
         RETURNING window_start`,
      )
      .bind(key, keys.pair, cutoff, at, attempt);
  const [before, counted, clientRow, accountRow] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT p.failures AS p_failures, p.next_at AS p_next, c.failures AS c_failures, c.window_start AS c_start, a.failures AS a_failures, a.window_start AS a_start, ${ALLOWED} AS allowed ${OBSERVED}`,
      )
      .bind(...observed),
    pair,
    counter(keys.client),
    counter(keys.account),
  ]);
  if (!counted!.results.length) throw throttled(before!.results[0] as unknown as Observed, now);
  return {
    pairKey: keys.pair,
    clientKey: keys.client,
    accountKey: keys.account,
    clientWindow: clientRow!.results[0]!.window_start as string,
    accountWindow: accountRow!.results[0]!.window_start as string,
  };
}

/**
 * For the batch that completes a successful sign-in: forget the pair, refund the client's and the account's
 * reservation.
 */
export function successStatements(db: D1Database, r: Reservation): D1PreparedStatement[] {
  const refund = (key: string, window: string) =>
    db
      .prepare(
        "UPDATE sg_login_failures SET failures = failures - 1 WHERE key = ?1 AND window_start = ?2 AND failures > 0",
      )
      .bind(key, window);
  return [
    db.prepare("DELETE FROM sg_login_failures WHERE key = ?1").bind(r.pairKey),
    refund(r.clientKey, r.clientWindow),
    refund(r.accountKey, r.accountWindow),
  ];
}

/**
 * For the cron: counters whose window (a pair's memory) has passed count for nothing (the next attempt restarts them).
 */
export async function deleteStaleLoginFailures(db: D1Database, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - LOGIN_WINDOW_SECONDS * 1000).toISOString();
  const pairCutoff = new Date(now - PAIR_MEMORY_SECONDS * 1000).toISOString();
  const res = await db
    .prepare(
      "DELETE FROM sg_login_failures WHERE window_start <= ?2 OR (window_start <= ?1 AND substr(key, 1, 5) <> 'pair:')",
    )
    .bind(cutoff, pairCutoff)
    .run();
  return res.meta.changes ?? 0;
}
