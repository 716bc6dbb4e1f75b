import { checkStatements, pendingCheck, settle } from "./freshness";

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

interface UserRow {
  id: string;
  email: string;
  name: string;
  roles: string;
  time_zone: string;
  disabled: number;
  sessions_valid_after: string | null;
}

/** The two lookups a principal is made of (the same ones re-run by a deferred freshness check). */
export function principalStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [
    db.prepare("SELECT id, email, name, roles, time_zone, disabled, sessions_valid_after FROM sg_users WHERE id = ?1").bind(userId),
    db.prepare("SELECT t.team_id, m.user_id FROM sg_team_members t JOIN sg_team_members m ON m.team_id = t.team_id WHERE t.user_id = ?1 ORDER BY t.team_id, m.user_id").bind(userId),
  ];
}

/** Everything a principal is built from, as one string: equal rows, equal principal. */
function fingerprint(users: unknown[], teams: unknown[]): string {
  return JSON.stringify([users, teams]);
}

type Loaded = { principal: Principal; disabled: boolean; sessionsValidAfter: string | null };

/** Last rows seen per user in this isolate; only ever used behind a deferred check. */
const cache = new Map<string, { key: string; loaded: Loaded | null }>();
const CACHE_MAX = 1000;

function remember(userId: string, key: string, loaded: Loaded | null): void {
  cache.delete(userId);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(userId, { key, loaded });
}

function build(users: unknown[], teams: unknown[]): Loaded | null {
  const row = users[0] as UserRow | undefined;
  if (!row) return null;
  const memberships = teams as { team_id: string; user_id: string }[];
  const roles = JSON.parse(row.roles) as string[];
  return {
    principal: {
      userId: row.id,
      email: row.email,
      name: row.name,
      roles,
      isAdmin: roles.includes("admin"),
      teams: [...new Set(memberships.map((m) => m.team_id))],
      teamMembers: [...new Set([row.id, ...memberships.map((m) => m.user_id)])],
      timeZone: row.time_zone,
    },
    disabled: row.disabled === 1,
    sessionsValidAfter: row.sessions_valid_after,
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
  const [users, teams] = await db.batch<Record<string, unknown>>(principalStatements(db, userId));
  const loaded = build(users!.results, teams!.results);
  remember(userId, fingerprint(users!.results, teams!.results), loaded);
  return loaded;
}

/** The statements of `db`'s pending freshness check, to run first in the caller's batch ([] if none). */
export function freshnessStatements(db: D1Database): D1PreparedStatement[] {
  const pending = pendingCheck(db);
  return pending ? checkStatements(db, pending, principalStatements) : [];
}

/**
 * Settles `db`'s pending check with the results of `freshnessStatements`. A changed user is verified
 * again from fresh rows, which throws 401 when the account was disabled or the session ended; the
 * fresh principal is returned so the caller can redo its work with it.
 */
export async function settleFreshness(db: D1Database, results: D1Result<Record<string, unknown>>[]): Promise<{ principal: Principal | null; schemaStale: boolean }> {
  const pending = pendingCheck(db);
  if (!pending) return { principal: null, schemaStale: false };
  const found = settle(pending, results, fingerprint);
  // reverify reads the user afresh, which also refreshes this isolate's copy.
  return { principal: found.principalStale ? await pending.reverify() : null, schemaStale: found.schemaStale };
}

/** Runs and settles `db`'s pending check on its own (one round trip; none when nothing is pending). */
export async function settleFreshnessNow(db: D1Database): ReturnType<typeof settleFreshness> {
  const stmts = freshnessStatements(db);
  return settleFreshness(db, stmts.length ? await db.batch<Record<string, unknown>>(stmts) : []);
}
