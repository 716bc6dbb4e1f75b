/**
 * Deferred freshness for list reads: one D1 round trip instead of three, and one statement in it.
 *
 * A list request would cost a user lookup (enabled? roles? teams?), a schema-version check and the
 * query. For `GET /api/tables/{table}/records` the auth middleware instead hands the handler a
 * per-request D1 handle carrying a pending check: loadPrincipal and loadRegistry answer from their
 * per-isolate caches and note what they answered with, and the read pipeline runs the very same
 * lookups inside its own batch. When the rows differ from what the caches said, the token is verified
 * again against fresh rows (401 for a disabled user or a session ended meanwhile) and the read is
 * repeated with the fresh principal and registry. No record leaves before the check has passed; a
 * handler that never ran it is checked by the middleware before the reply goes out.
 */
import type { Principal } from "./principal";

export interface PendingCheck {
  /** Verifies the token again against fresh rows (throws 401) and returns the fresh principal. */
  reverify: () => Promise<Principal>;
  /** Set when loadPrincipal answered from its cache: whose rows, and the string they were read as. */
  principal: { userId: string; key: string } | null;
  /** Set when loadRegistry answered from its cache: the schema version it had. */
  schemaVersion: number | null;
  settled: boolean;
}

/** What a settled check found. */
export interface Settled {
  principalStale: boolean;
  schemaStale: boolean;
}

const pendingByDb = new WeakMap<D1Database, PendingCheck>();

/** A D1 handle for one request that carries `pending`; statements run on the real database. */
export function deferringDb(
  db: D1Database,
  reverify: () => Promise<Principal>,
): { db: D1Database; pending: PendingCheck } {
  const pending: PendingCheck = { reverify, principal: null, schemaVersion: null, settled: false };
  const handle = {
    prepare: (query: string) => db.prepare(query),
    batch: <T = unknown>(statements: D1PreparedStatement[]) => db.batch<T>(statements),
    exec: (query: string) => db.exec(query),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint as never),
  } as unknown as D1Database;
  pendingByDb.set(handle, pending);
  return { db: handle, pending };
}

/** The check still to run on this handle, if caches answered for it. */
export function pendingCheck(db: D1Database): PendingCheck | null {
  const p = pendingByDb.get(db);
  return p && !p.settled ? p : null;
}

/**
 * One statement that re-reads what the caches answered: the user's rows as one string (the same
 * string the cache was keyed by, see principal.ts) and the schema version. Always exactly one row.
 */
export function checkStatement(
  db: D1Database,
  pending: PendingCheck,
  principalSql: (user: string) => string,
): D1PreparedStatement {
  const principal = pending.principal ? `(${principalSql("?1")})` : "NULL";
  const version =
    pending.schemaVersion !== null ? "(SELECT value FROM sg_settings WHERE key = 'schema_version')" : "NULL";
  const stmt = db.prepare(`SELECT ${principal} AS principal, ${version} AS schema_version`);
  return pending.principal ? stmt.bind(pending.principal.userId) : stmt;
}

/** Compares the fresh row with what was answered; marks the check done either way. */
export function settle(
  pending: PendingCheck,
  row: { principal: unknown; schema_version: unknown } | undefined,
): Settled {
  const principalStale = pending.principal !== null && row?.principal !== pending.principal.key;
  const schemaStale = pending.schemaVersion !== null && Number(row?.schema_version ?? 0) !== pending.schemaVersion;
  pending.settled = true;
  return { principalStale, schemaStale };
}

/**
 * The same check as one SQL condition, true when nothing moved, for a read to carry as a column of its
 * own statement (select.ts `probe`). Values are bound through `param`.
 */
export function checkCondition(
  pending: PendingCheck,
  principalSql: (user: string) => string,
  param: (value: unknown) => string,
): string {
  const parts: string[] = [];
  if (pending.principal)
    parts.push(`(${principalSql(param(pending.principal.userId))}) IS ${param(pending.principal.key)}`);
  if (pending.schemaVersion !== null)
    parts.push(
      `(SELECT CAST(value AS INTEGER) FROM sg_settings WHERE key = 'schema_version') IS ${param(pending.schemaVersion)}`,
    );
  return parts.length ? parts.join(" AND ") : "1";
}

/** Settles a check from its condition's value: when it failed, whatever was cached is treated as stale. */
export function settleCondition(pending: PendingCheck, passed: boolean): Settled {
  pending.settled = true;
  return passed
    ? { principalStale: false, schemaStale: false }
    : { principalStale: pending.principal !== null, schemaStale: pending.schemaVersion !== null };
}
