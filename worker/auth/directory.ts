/**
 * The user directory: what any signed-in user may know about colleagues, so owners show by name and
 * a user picker can list people. Active users only, and only id, name and email: never roles, teams,
 * password hashes or sign-in state. Statements are fixed text; every request value is a bound parameter.
 */

export interface DirectoryEntry {
  id: string;
  name: string;
  email: string;
}

/** A user named by id: a disabled one keeps their name (records still show them) but not their email. */
export interface NamedUser {
  id: string;
  name: string;
  email?: string;
  active: boolean;
}

/** `%`, `_` and the escape character itself match literally inside a LIKE prefix. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Active users ordered by name (case-insensitive) then id, `limit` after the keyset position `after`;
 * with `prefix`, those whose name, a word of their name, or email starts with it.
 */
export async function searchDirectory(
  db: D1Database,
  opts: { prefix: string | null; limit: number; after: { name: string; id: string } | null },
): Promise<DirectoryEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT id, name, email FROM sg_users
       WHERE disabled = 0
         AND (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR name LIKE ('% ' || ?1) ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\')
         AND (?2 IS NULL OR name > ?2 COLLATE NOCASE OR (name = ?2 COLLATE NOCASE AND id > ?3))
       ORDER BY name COLLATE NOCASE, id
       LIMIT ?4`,
    )
    .bind(opts.prefix ? likePrefix(opts.prefix) : null, opts.after?.name ?? null, opts.after?.id ?? "", opts.limit)
    .all<DirectoryEntry>();
  return results;
}

/** The users with these ids that exist, in id order. */
export async function usersByIds(db: D1Database, ids: string[]): Promise<NamedUser[]> {
  if (!ids.length) return [];
  const { results } = await db
    .prepare("SELECT id, name, email, disabled FROM sg_users WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id")
    .bind(JSON.stringify(ids))
    .all<{ id: string; name: string; email: string; disabled: number }>();
  return results.map((r) =>
    r.disabled ? { id: r.id, name: r.name, active: false } : { id: r.id, name: r.name, email: r.email, active: true },
  );
}
