/**
 * The rate limits an admin sets, stored as JSON in `sg_settings` under `rate_limits` (absent: the
 * defaults). Read per isolate and kept for LIMITS_TTL_MS, then refreshed in the background after a
 * reply, so no request waits for D1 to learn them except an isolate's first. A change applies at once
 * in the isolate that made it and within the TTL everywhere else: a limit may lag a little, a list
 * read may not gain a statement (the registry's version check rides on the read itself; this one
 * runs before any handler, where there is no read to ride on).
 */
import schema from "../../schemas/rate-limits.schema.json";
import type { RateLimits } from "../../schemas/types";
import { validate } from "../model/validate";

/**
 * Generous: a grid scrolled fast asks for a few pages a second and an import writes 1000 records per
 * request, far below these; the burst also covers the test suite's busiest file (about 1400 requests
 * of one user in a few seconds). A user may send 2000 requests at once and 50 a second after that; a
 * client address (an office behind one NAT, sign-ins and embeds included) twice the burst and four
 * times the rate; a user's writes may touch 100 000 records at once and 1000 a second after that.
 */
export const DEFAULT_LIMITS: RateLimits = {
  user: { burst: 2000, perMinute: 3000 },
  client: { burst: 4000, perMinute: 12_000 },
  rows: { burst: 100_000, perMinute: 60_000 },
};

export const LIMITS_KEY = "rate_limits";
export const LIMITS_TTL_MS = 30_000;

let cached: { limits: RateLimits; loadedAt: number } | null = null;
let refreshing: Promise<void> | null = null;

/** The stored limits, or the defaults when none are stored (or the stored value no longer fits the schema). */
export async function readLimits(db: D1Database): Promise<RateLimits> {
  const row = await db
    .prepare("SELECT value FROM sg_settings WHERE key = ?1")
    .bind(LIMITS_KEY)
    .first<{ value: string }>();
  if (!row) return DEFAULT_LIMITS;
  try {
    const value: unknown = JSON.parse(row.value);
    if (validate(schema, value, "").length === 0) return value as RateLimits;
  } catch {
    // fall through
  }
  console.error("sg_settings rate_limits does not fit schemas/rate-limits.schema.json; using the defaults");
  return DEFAULT_LIMITS;
}

/**
 * The limits for a request at `now`: this isolate's copy, read once and refreshed through `defer`
 * (the request's waitUntil) once it is older than the TTL.
 */
export async function currentLimits(
  db: D1Database,
  now: number,
  defer?: (work: Promise<unknown>) => void,
): Promise<RateLimits> {
  if (!cached) {
    rememberLimits(await readLimits(db), now);
  } else if (now - cached.loadedAt >= LIMITS_TTL_MS && !refreshing) {
    refreshing = readLimits(db)
      .then((limits) => rememberLimits(limits, Date.now()))
      .catch((err) => console.error(`could not refresh the rate limits: ${String(err)}`))
      .finally(() => (refreshing = null));
    if (defer) defer(refreshing);
    else await refreshing;
  }
  return cached!.limits;
}

/** This isolate's copy, set by a load or by the admin change this isolate just made. */
export function rememberLimits(limits: RateLimits, now = Date.now()): void {
  cached = { limits, loadedAt: now };
}

/** The statement that stores `limits` (in the admin change's batch, beside its audit row). */
export function storeLimits(db: D1Database, limits: RateLimits): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO sg_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(LIMITS_KEY, JSON.stringify(limits));
}
