/**
 * Admin settings under /api/admin/settings. `rate-limits`: the API's rate limits
 * (schemas/rate-limits.schema.json), read and replaced whole; a change is one batch with its audit
 * row and applies at once in this isolate, within worker/ratelimit/settings.ts's TTL in the others.
 */
import { Hono } from "hono";
import schema from "../../schemas/rate-limits.schema.json";
import type { RateLimits } from "../../schemas/types";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { auditRow, checkQuery } from "../audit/log";
import { runBatch } from "../db/batch";
import { invalid } from "../errors";
import { validate } from "../model/validate";
import { DEFAULT_LIMITS, readLimits, rememberLimits, storeLimits } from "../ratelimit/settings";
import { readJson } from "./body";
import { schemaContext } from "./context";
import { limitBody } from "./middleware";

function parseLimits(body: unknown): RateLimits {
  const errors = validate(schema, body, "");
  if (errors.length) throw invalid(errors, "The rate limits are invalid");
  return body as RateLimits;
}

/** Six small numbers: a body past this is not a settings change. */
export const SETTINGS_BODY_LIMIT = 4 * 1024;

export const adminSettings = new Hono<AppEnv>()
  .use("*", limitBody(SETTINGS_BODY_LIMIT))
  .get("/rate-limits", async (c) => {
    requireAdmin(c.get("principal"), "read the rate limits");
    checkQuery(c.req.query(), []);
    return c.json({ rateLimits: await readLimits(c.env.DB), defaults: DEFAULT_LIMITS });
  })
  .put("/rate-limits", async (c) => {
    requireAdmin(c.get("principal"), "change the rate limits");
    checkQuery(c.req.query(), []);
    const limits = parseLimits(await readJson(c));
    const ctx = schemaContext(c);
    const before = await readLimits(ctx.db);
    await runBatch(
      ctx.db,
      [
        storeLimits(ctx.db, limits),
        auditRow(ctx, "settings.rate_limits", { target: "rate_limits", before, after: limits }),
      ],
      { what: "The rate limit change" },
    );
    rememberLimits(limits);
    return c.json({ rateLimits: limits, defaults: DEFAULT_LIMITS });
  });
