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

/**
 * Loads the current state of a user (roles, teams, disabled) in one round trip, so that a role change
 * or a disabled account takes effect on the next request rather than when a token expires.
 */
export async function loadPrincipal(db: D1Database, userId: string): Promise<{ principal: Principal; disabled: boolean; sessionsValidAfter: string | null } | null> {
  const [users, teams] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT id, email, name, roles, time_zone, disabled, sessions_valid_after FROM sg_users WHERE id = ?1").bind(userId),
    db.prepare("SELECT t.team_id, m.user_id FROM sg_team_members t JOIN sg_team_members m ON m.team_id = t.team_id WHERE t.user_id = ?1").bind(userId),
  ]);
  const row = users!.results[0] as UserRow | undefined;
  if (!row) return null;
  const memberships = teams!.results as { team_id: string; user_id: string }[];
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
