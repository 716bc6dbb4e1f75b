/**
 * API rate limits as middleware: `limitClients` counts every API request per client address (signed
 * in or not, sign-in and embeds included), `limitUsers` every signed-in request per user, and
 * `chargeRows` a write's records per user (or embed token) once the records route has parsed its body.
 * A refusal is 429 with Retry-After; every counted answer carries the RateLimit-Policy and RateLimit
 * fields of draft-ietf-httpapi-ratelimit-headers (one item per policy that counted it).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { clientOf } from "../auth/throttle";
import type { Policy, PolicyName, Spent } from "../ratelimit/buckets";
import { isolateBuckets, spend } from "../ratelimit/limiter";
import { currentLimits } from "../ratelimit/settings";
import type { RateLimits } from "../../schemas/types";

/** What a request has been counted for so far (set by limitClients). */
export interface RequestLimits {
  limits: RateLimits;
  spent: Spent[];
}

const MESSAGES: Record<PolicyName, string> = {
  client: "Too many requests from your network",
  user: "Too many requests for your account",
  rows: "Too many records written",
};

/** `"user";q=600;w=12`: the bucket's size and the seconds it takes to fill. */
const policyItem = (p: Policy) => `"${p.name}";q=${p.burst};w=${Math.max(1, Math.ceil((p.burst * 60) / p.perMinute))}`;
/** `"user";r=587;t=1`: tokens left and the seconds until the bucket is full again. */
const limitItem = (s: Spent) => `"${s.policy.name}";r=${s.remaining};t=${s.resetSeconds}`;

function fields(spent: Spent[]): Record<string, string> {
  return {
    "RateLimit-Policy": spent.map((s) => policyItem(s.policy)).join(", "),
    RateLimit: spent.map(limitItem).join(", "),
  };
}

function deferTo(c: Context<AppEnv>): ((work: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (work) => ctx.waitUntil(work);
  } catch {
    return undefined;
  }
}

async function charge(
  c: Context<AppEnv>,
  state: RequestLimits,
  name: PolicyName,
  key: string,
  cost: number,
): Promise<void> {
  const policy: Policy = { name, ...state.limits[name] };
  const spent = await spend(isolateBuckets, c.env.RATE_LIMITER, policy, key, cost, Date.now());
  state.spent.push(spent);
  if (spent.ok) return;
  const message = `${MESSAGES[name]}; try again in ${spent.retryAfter} seconds`;
  throw new AppError(
    "too_many_requests",
    message,
    [],
    { retryAfter: spent.retryAfter, policy: name },
    { "Retry-After": String(spent.retryAfter), ...fields(state.spent) },
  );
}

/** Every API request, per client address; mounted first, it also writes the fields on the reply. */
export function limitClients(): MiddlewareHandler<AppEnv> {
  return async function clientRateLimit(c, next) {
    const limits = await currentLimits(c.env.DB, Date.now(), deferTo(c));
    const state: RequestLimits = { limits, spent: [] };
    c.set("rateLimit", state);
    await charge(c, state, "client", clientOf(c.req.header("cf-connecting-ip")), 1);
    await next();
    // Also on a refusal further in (which already carries the same fields) and on any other error.
    for (const [name, value] of Object.entries(fields(state.spent))) c.res.headers.set(name, value);
  };
}

/** Every signed-in request, per user; mounted after requireAuth. */
export function limitUsers(): MiddlewareHandler<AppEnv> {
  return async function userRateLimit(c, next) {
    const state = c.get("rateLimit");
    const principal = c.get("principal");
    if (state && principal) await charge(c, state, "user", principal.userId, 1);
    await next();
  };
}

/**
 * Charges a write's records to the writer's row budget: `{records: [...]}` costs one per record, any
 * other body one. Called by the write routes with the body they parsed, before the write runs.
 */
export async function chargeRows(c: Context<AppEnv>, body: unknown): Promise<void> {
  const state = c.get("rateLimit");
  const principal = c.get("principal");
  if (!state || !principal) return;
  const records =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as { records?: unknown }).records
      : undefined;
  const rows = Array.isArray(records) ? Math.max(1, records.length) : 1;
  await charge(c, state, "rows", principal.embed ? `embed:${principal.embed.tokenId}` : principal.userId, rows);
}
