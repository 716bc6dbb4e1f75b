/**
 * One spend against a rate limit: this isolate's token bucket first (memory only), then, where the
 * Workers Rate Limiting binding is bound, a check across isolates.
 *
 * The binding counts calls per key against a fixed number per period (wrangler.toml), while an
 * admin's limits change at run time. So isolates report what they spend in blocks: one call per
 * `blockSize` tokens, sized so that BINDING_LIMIT calls are what one key may spend within a period
 * (a full bucket plus the period's refill). A key that spreads its requests over many isolates, each
 * with a full bucket of its own, is refused once their reports together pass that. Without the binding
 * (or when it fails) the local bucket alone decides.
 */
import { Buckets, type Policy, type Spent } from "./buckets";

/** `simple.limit` and `simple.period` of the RATE_LIMITER binding in wrangler.toml. */
export const BINDING_LIMIT = 100;
export const BINDING_PERIOD_SECONDS = 60;
/** Reports one spend may make (a bulk write can cost several blocks); the rest wait for the next spend. */
const MAX_REPORTS = 8;

/** What the Workers Rate Limiting binding offers (workers-types `RateLimit`). */
export interface CrossIsolateCheck {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Tokens per report: what one key may spend in a binding period, over the calls the binding allows. */
export function blockSize(p: Policy): number {
  return Math.max(1, Math.ceil((p.burst + (p.perMinute * BINDING_PERIOD_SECONDS) / 60) / BINDING_LIMIT));
}

/** This isolate's buckets. */
export const isolateBuckets = new Buckets();

export async function spend(
  local: Buckets,
  cross: CrossIsolateCheck | undefined,
  policy: Policy,
  key: string,
  cost: number,
  now: number,
): Promise<Spent> {
  const spent = local.spend(policy, key, cost, now);
  if (!spent.ok || !cross) return spent;
  const reports = local.takeReports(policy, key, blockSize(policy), MAX_REPORTS);
  if (reports === 0) return spent;
  let outcomes: { success: boolean }[];
  try {
    outcomes = await Promise.all(Array.from({ length: reports }, () => cross.limit({ key: `${policy.name}:${key}` })));
  } catch (err) {
    // An outage of the shared counter must not take the API down with it.
    console.error(`rate limit binding failed: ${String(err)}`);
    return spent;
  }
  if (outcomes.every((o) => o.success)) return spent;
  // Refused across isolates: refuse here too until the binding's period ends, without asking again.
  const period = BINDING_PERIOD_SECONDS * 1000;
  const until = (Math.floor(now / period) + 1) * period;
  local.block(policy, key, until);
  return { ...spent, ok: false, remaining: 0, retryAfter: Math.max(1, Math.ceil((until - now) / 1000)) };
}
