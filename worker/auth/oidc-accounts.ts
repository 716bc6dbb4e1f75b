/**
 * The accounts single sign-on creates and updates: a user found by (issuer, subject) or linked by
 * email on first sign-in, with roles from the identity provider's groups, audited in the same batch.
 */
import { AppError } from "../errors";
import { auditRow, type AdminContext } from "../audit/log";
import { newUserId } from "./users";
import type { OidcIdentity } from "./oidc";

/** A sign-in refused for a reason about the ID token or its account. */
export const rejected = (reason: string) =>
  new AppError("unauthenticated", reason, [{ field: "idToken", code: "rejected", message: reason }]);

interface AccountRow {
  id: string;
  name: string;
  roles: string;
  disabled: number;
  oidc_subject: string | null;
}

const COLUMNS = "id, name, roles, disabled, oidc_subject";

function storedRoles(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === "string").sort() : [];
  } catch {
    return [];
  }
}

/** The mapped roles that exist; a map entry naming a deleted role grants nothing rather than failing sign-in. */
export async function knownRoles(db: D1Database, roles: string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const { results } = await db
    .prepare("SELECT name FROM sg_roles WHERE name IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(roles))
    .all<{ name: string }>();
  const known = new Set(results.map((r) => r.name));
  const missing = roles.filter((r) => !known.has(r));
  if (missing.length)
    console.warn(
      `Single sign-on: OIDC_ROLE_MAP / OIDC_DEFAULT_ROLES name roles that do not exist: ${missing.join(", ")}`,
    );
  return roles.filter((r) => known.has(r));
}

// Aborts the batch when a role was deleted between our check and the write (sg_guard's CHECK 'missing').
const rolesStillExist = (db: D1Database, roles: string[]) =>
  db
    .prepare(
      "INSERT INTO sg_guard (reason) SELECT 'missing' WHERE (SELECT COUNT(*) FROM sg_roles WHERE name IN (SELECT value FROM json_each(?1))) <> ?2",
    )
    .bind(JSON.stringify(roles), roles.length);

/**
 * Creates or updates the account for `who` and returns its id. Linked by issuer + subject; else an
 * existing account with the same email is linked to this identity (once: an account linked to another
 * subject is refused). Each change is one batch with its audit row.
 */
async function upsertAccount(
  db: D1Database,
  who: OidcIdentity,
  roles: string[],
  requestId: string | null,
): Promise<string> {
  const bySubject = await db
    .prepare(`SELECT ${COLUMNS} FROM sg_users WHERE oidc_issuer = ?1 AND oidc_subject = ?2`)
    .bind(who.issuer, who.subject)
    .first<AccountRow>();
  const row =
    bySubject ??
    (await db.prepare(`SELECT ${COLUMNS} FROM sg_users WHERE email = ?1`).bind(who.email).first<AccountRow>());
  const at = new Date().toISOString();
  if (!row) {
    const id = newUserId();
    const ctx: AdminContext = { db, userId: id, requestId, at };
    await db.batch([
      db
        .prepare(
          "INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, disabled, created_at, updated_at, oidc_issuer, oidc_subject) VALUES (?1, ?2, ?3, NULL, ?4, 'en', 'UTC', 0, ?5, ?5, ?6, ?7)",
        )
        .bind(id, who.email, who.name, JSON.stringify(roles), at, who.issuer, who.subject),
      rolesStillExist(db, roles),
      auditRow(ctx, "user.sso_create", {
        target: id,
        after: { email: who.email, name: who.name, roles },
        issuer: who.issuer,
        subject: who.subject,
      }),
    ]);
    return id;
  }
  if (row.disabled !== 0) throw rejected("This account is disabled; ask an administrator");
  if (!bySubject && row.oidc_subject !== null)
    throw rejected("An account with this email is linked to a different single sign-on identity; ask an administrator");
  const before = { name: row.name, roles: storedRoles(row.roles) };
  const linking = row.oidc_subject === null;
  if (!linking && before.name === who.name && JSON.stringify(before.roles) === JSON.stringify(roles)) return row.id;
  const ctx: AdminContext = { db, userId: row.id, requestId, at };
  await db.batch([
    // The WHERE re-checks what we read, so an account disabled or linked meanwhile is not changed...
    db
      .prepare(
        "UPDATE sg_users SET name = ?2, roles = ?3, oidc_issuer = ?4, oidc_subject = ?5, updated_at = ?6 WHERE id = ?1 AND disabled = 0 AND (oidc_subject IS NULL OR (oidc_issuer = ?4 AND oidc_subject = ?5))",
      )
      .bind(row.id, who.name, JSON.stringify(roles), who.issuer, who.subject, at),
    // ...and this aborts the batch (audit row included) when it was.
    db.prepare("INSERT INTO sg_guard (reason) SELECT 'stale' WHERE changes() <> 1"),
    rolesStillExist(db, roles),
    auditRow(ctx, "user.sso_update", {
      target: row.id,
      before,
      after: { name: who.name, roles },
      ...(linking ? { linked: { issuer: who.issuer, subject: who.subject } } : {}),
    }),
  ]);
  return row.id;
}

const RACE = /UNIQUE constraint failed|CHECK constraint failed: (stale|missing)/;

/** A concurrent first sign-in (UNIQUE) or change (guard) means our read was stale: read again, once. */
export async function upsertWithRetry(
  db: D1Database,
  who: OidcIdentity,
  roles: string[],
  requestId: string | null,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upsertAccount(db, who, roles, requestId);
    } catch (err) {
      if (!RACE.test(String(err))) throw err;
      if (attempt === 2)
        throw new AppError("conflict", "The account changed while signing in; nothing was written. Try again.");
    }
  }
}
