/**
 * Token buckets kept in this isolate's memory: no storage is touched per request. A bucket holds at
 * most `burst` tokens and regains `perMinute` per minute; a request spends `cost` of them.
 */
import type { RateLimitBucket } from "../../schemas/types";

export type PolicyName = "client" | "user" | "rows";

export interface Policy extends RateLimitBucket {
  name: PolicyName;
}

/** What one spend found; enough for the RateLimit fields and a 429's Retry-After. */
export interface Spent {
  policy: Policy;
  ok: boolean;
  /** Whole tokens left after this spend (0 when in debt). */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** When refused: seconds until the spend would be allowed. */
  retryAfter: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Tokens spent here and not yet reported to the cross-isolate check (limiter.ts). */
  unreported: number;
  /** Set when the cross-isolate check refused: refuse locally until then (epoch ms). */
  blockedUntil: number;
}

const perMs = (p: Policy) => p.perMinute / 60_000;
const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

export class Buckets {
  private readonly buckets = new Map<string, Bucket>();

  /** `capacity` bounds memory; the least recently used key is forgotten first (it comes back full). */
  constructor(private readonly capacity = 20_000) {}

  /**
   * Spends `cost` tokens of `key`'s bucket. A spend is allowed while the bucket holds what it costs
   * (or is full, so a cost above `burst`, like a large bulk write, passes once and leaves a debt).
   */
  spend(policy: Policy, key: string, cost: number, now: number): Spent {
    const b = this.touch(policy, key, now);
    const needed = Math.min(cost, policy.burst);
    const blocked = b.blockedUntil > now;
    const ok = !blocked && b.tokens >= needed;
    if (ok) {
      b.tokens -= cost;
      b.unreported += cost;
    }
    const wait = blocked ? b.blockedUntil - now : (needed - b.tokens) / perMs(policy);
    return {
      policy,
      ok,
      remaining: Math.max(0, Math.floor(b.tokens)),
      resetSeconds: seconds((policy.burst - b.tokens) / perMs(policy)),
      retryAfter: ok ? 0 : Math.max(1, seconds(wait)),
    };
  }

  /** Takes up to `max` whole blocks of `size` from the key's unreported spending (for limiter.ts). */
  takeReports(policy: Policy, key: string, size: number, max: number): number {
    const b = this.buckets.get(`${policy.name}:${key}`);
    if (!b) return 0;
    const n = Math.min(max, Math.floor(b.unreported / size));
    b.unreported -= n * size;
    return n;
  }

  /** The cross-isolate check refused the key: refuse it here until `until`. */
  block(policy: Policy, key: string, until: number): void {
    const b = this.buckets.get(`${policy.name}:${key}`);
    if (b) b.blockedUntil = Math.max(b.blockedUntil, until);
  }

  private touch(policy: Policy, key: string, now: number): Bucket {
    const id = `${policy.name}:${key}`;
    let b = this.buckets.get(id);
    if (b) {
      this.buckets.delete(id);
      // Refill for the time passed; a lowered burst applies at once.
      b.tokens = Math.min(policy.burst, b.tokens + Math.max(0, now - b.at) * perMs(policy));
      b.at = now;
    } else {
      if (this.buckets.size >= this.capacity) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: policy.burst, at: now, unreported: 0, blockedUntil: 0 };
    }
    this.buckets.set(id, b);
    return b;
  }
}
