import { checkCondition, checkStatement, pendingCheck, settle, settleCondition } from "./freshness";

/** Who is calling: resolved from a verified token by the auth middleware. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  /** Admins change schemas and bypass grants. */
  isAdmin: boolean;
  /** Teams the user belongs to (as member or lead). */
  teams: string[];
  /** Everyone in those teams, the user included: the rows a `team` grant reaches. */
  teamMembers: string[];
  timeZone: string;
  /** Set when the caller holds an embed token: they act as its creator, limited to one view. */
  embed?: { tokenId: string; viewId: string; mode: "read" | "edit" };
}

/**
 * Everything a principal is built from, read as one JSON string by SQLite: the user's row and the
 * user's team memberships with every member of those teams. One statement (not a batch of two),
 * and the string itself is the fingerprint a deferred freshness check compares. `user` is the id's placeholder.
 */
export const principalSql = (
  user: string,
) => `SELECT json_array(u.id, u.email, u.name, u.roles, u.time_zone, u.disabled, u.sessions_valid_after,
  (SELECT json_group_array(json_array(t.team_id, m.user_id)) FROM sg_team_members t JOIN sg_team_members m ON m.team_id = t.team_id WHERE t.user_id = u.id))
  FROM sg_users u WHERE u.id = ${user}`;

type PrincipalTuple = [string, string, string, string, string, number, string | null, string | [string, string][]];

type Loaded = { principal: Principal; disabled: boolean; sessionsValidAfter: string | null };
export type LoadedPrincipal = Loaded;

/** Last rows seen per user in this isolate; only ever used behind a deferred check. */
const cache = new Map<string, { key: string; loaded: Loaded | null }>();
const CACHE_MAX = 1000;

function remember(userId: string, key: string, loaded: Loaded | null): void {
  cache.delete(userId);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(userId, { key, loaded });
}

/** A principal from the JSON string `principalSql` reads (null: no such user). */
export function buildPrincipal(raw: string | null): Loaded | null {
  if (raw === null) return null;
  const [id, email, name, rolesJson, timeZone, disabled, sessionsValidAfter, teamsJson] = JSON.parse(
    raw,
  ) as PrincipalTuple;
  // A subquery's JSON reaches json_array as text.
  const memberships = (typeof teamsJson === "string" ? JSON.parse(teamsJson) : teamsJson) as [string, string][];
  const roles = JSON.parse(rolesJson) as string[];
  return {
    principal: {
      userId: id,
      email,
      name,
      roles,
      isAdmin: roles.includes("admin"),
      teams: [...new Set(memberships.map(([team]) => team))].sort(),
      teamMembers: [...new Set([id, ...memberships.map(([, user]) => user).sort()])],
      timeZone,
    },
    disabled: disabled === 1,
    sessionsValidAfter,
  };
}

/**
 * Loads the current state of a user (roles, teams, disabled) in one round trip, so that a role change
 * or a disabled account takes effect on the next request rather than when a token expires. On a
 * request handle with a deferred check (auth/freshness.ts) it answers from the isolate's last copy
 * instead, and the check proves that copy current before anything is returned.
 */
export async function loadPrincipal(db: D1Database, userId: string): Promise<Loaded | null> {
  const pending = pendingCheck(db);
  // Only a copy that lets the user in answers early: a refusal is always made on fresh rows.
  const hit = pending && !pending.principal ? cache.get(userId) : undefined;
  if (pending && hit?.loaded && !hit.loaded.disabled) {
    pending.principal = { userId, key: hit.key };
    return hit.loaded;
  }
  const raw =
    (
      await db
        .prepare(`SELECT (${principalSql("?1")}) AS p`)
        .bind(userId)
        .first<{ p: string | null }>()
    )?.p ?? null;
  const loaded = buildPrincipal(raw);
  remember(userId, raw ?? "", loaded);
  return loaded;
}

/** The statements of `db`'s pending freshness check, to run first in the caller's batch ([] if none). */
export function freshnessStatements(db: D1Database): D1PreparedStatement[] {
  const pending = pendingCheck(db);
  return pending ? [checkStatement(db, pending, principalSql)] : [];
}

/**
 * `db`'s pending check as a condition for a read's own statement (query/select.ts `probe`), or
 * undefined when nothing is pending. Settle it with `settleFreshnessProbe`.
 */
export function freshnessProbe(db: D1Database): ((param: (value: unknown) => string) => string) | undefined {
  const pending = pendingCheck(db);
  return pending ? (param) => checkCondition(pending, principalSql, param) : undefined;
}

/** Settles `db`'s pending check with the probe's value, as settleFreshness does with statement results. */
export async function settleFreshnessProbe(db: D1Database, passed: boolean): ReturnType<typeof settleFreshness> {
  const pending = pendingCheck(db);
  if (!pending) return { principal: null, schemaStale: false };
  const found = settleCondition(pending, passed);
  return { principal: found.principalStale ? await pending.reverify() : null, schemaStale: found.schemaStale };
}

/**
 * Settles `db`'s pending check with the results of `freshnessStatements`. A changed user is verified
 * again from fresh rows, which throws 401 when the account was disabled or the session ended; the
 * fresh principal is returned so the caller can redo its work with it.
 */
export async function settleFreshness(
  db: D1Database,
  results: D1Result<Record<string, unknown>>[],
): Promise<{ principal: Principal | null; schemaStale: boolean }> {
  const pending = pendingCheck(db);
  if (!pending) return { principal: null, schemaStale: false };
  const found = settle(pending, results[0]?.results[0] as Parameters<typeof settle>[1]);
  // reverify reads the user afresh, which also refreshes this isolate's copy.
  return { principal: found.principalStale ? await pending.reverify() : null, schemaStale: found.schemaStale };
}

/** Runs and settles `db`'s pending check on its own (one round trip; none when nothing is pending). */
export async function settleFreshnessNow(db: D1Database): ReturnType<typeof settleFreshness> {
  const stmts = freshnessStatements(db);
  return settleFreshness(db, stmts.length ? await db.batch<Record<string, unknown>>(stmts) : []);
}
