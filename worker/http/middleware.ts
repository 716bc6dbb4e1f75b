import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { verifyAccessToken } from "../auth/tokens";
import { deferringDb, pendingCheck } from "../auth/freshness";
import { settleFreshnessNow } from "../auth/principal";

/** Gives every request an id (the caller's X-Request-Id when sane) and echoes it back. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header("x-request-id");
    const id = given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.res.headers.set("x-request-id", id);
  };
}

/** Refuses bodies over `maxBytes` with 413 before they are read whole. */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new Error("limitBody: maxBytes must be a positive integer");
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes`);
    },
  });
}

/** CORS for the origins listed in CORS_ORIGINS (comma-separated); others get no CORS headers. */
export function corsFromEnv(): MiddlewareHandler<AppEnv> {
  return async function corsMiddleware(c, next) {
    const allowed = (c.env.CORS_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (allowed.length === 0) return next();
    return cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"],
      maxAge: 600,
    })(c, next);
  };
}

/** Requires `Authorization: Bearer <token>` on every path but the listed ones. */
export function requireAuth(options: { except: string[] }): MiddlewareHandler<AppEnv> {
  const open = new Set(options.except);
  return async function authMiddleware(c, next) {
    if (open.has(c.req.path) || c.req.method === "OPTIONS") return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match?.[1]) {
      throw new AppError(
        "unauthenticated",
        "Send a token as `Authorization: Bearer <token>`; get one from POST /api/auth/login",
        [],
        {},
        { "WWW-Authenticate": 'Bearer realm="salesgrid"' },
      );
    }
    const token = match[1];
    if (c.req.method !== "GET" || !DEFERRED_CHECK.test(c.req.path)) {
      c.set("principal", await verifyAccessToken(c.env, token));
      return next();
    }
    // A list read: user and schema come from this isolate's caches and are proven current inside the
    // read's own batch (auth/freshness.ts). The handler sees a D1 handle that carries the check.
    const env = c.env;
    const deferred = deferringDb(env.DB, () => verifyAccessToken(env, token));
    const requestEnv = { ...env, DB: deferred.db };
    try {
      c.set("principal", await verifyAccessToken(requestEnv, token));
    } catch {
      // Refusals are never made on cached rows: verify afresh, and read without deferral.
      c.set("principal", await verifyAccessToken(env, token));
      return next();
    }
    c.env = requestEnv;
    await next();
    // A handler that never ran the check (it failed before its batch): run it before anything leaves.
    if (pendingCheck(deferred.db)) await settleFreshnessNow(deferred.db);
  };
}

/** Requests whose handler runs the freshness check in its own batch: lists of records. */
const DEFERRED_CHECK = /^\/api\/tables\/[^/]+\/records$/;
