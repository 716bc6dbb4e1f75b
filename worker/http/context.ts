import type { Context } from "hono";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import type { SchemaContext } from "../model/plan";

/** Context for schema changes: who, when, which request. */
export function schemaContext(c: Context<AppEnv>): SchemaContext {
  return {
    db: c.env.DB,
    userId: c.get("principal").userId,
    requestId: c.get("requestId") ?? null,
    at: new Date().toISOString(),
  };
}

/** A record id from the path: a positive integer, nothing else. */
export function recordId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw badRequest("id", "A record id is a positive integer", "type");
  return Number(raw);
}

export function purgeFlag(c: Context<AppEnv>): boolean {
  const v = c.req.query("purge");
  if (v === undefined || v === "false") return false;
  if (v === "true") return true;
  throw badRequest("purge", "purge is true or false", "type");
}
