/**
 * Deferred freshness for list reads: one D1 round trip instead of three.
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
  /** Set when loadPrincipal answered from its cache: whose rows, and a fingerprint of them. */
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
export function deferringDb(db: D1Database, reverify: () => Promise<Principal>): { db: D1Database; pending: PendingCheck } {
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

/** Statements that re-read what the caches answered; their results go to `settle`, in order. */
export function checkStatements(db: D1Database, pending: PendingCheck, principalStatements: (db: D1Database, userId: string) => D1PreparedStatement[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  if (pending.principal) out.push(...principalStatements(db, pending.principal.userId));
  if (pending.schemaVersion !== null) out.push(db.prepare("SELECT value FROM sg_settings WHERE key = 'schema_version'"));
  return out;
}

/** Compares the fresh rows with what was answered; marks the check done either way. */
export function settle(pending: PendingCheck, results: D1Result<Record<string, unknown>>[], fingerprint: (users: unknown[], teams: unknown[]) => string): Settled {
  let i = 0;
  let principalStale = false;
  if (pending.principal) {
    principalStale = fingerprint(results[i]!.results, results[i + 1]!.results) !== pending.principal.key;
    i += 2;
  }
  let schemaStale = false;
  if (pending.schemaVersion !== null) schemaStale = Number(results[i]?.results[0]?.value ?? 0) !== pending.schemaVersion;
  pending.settled = true;
  return { principalStale, schemaStale };
}
