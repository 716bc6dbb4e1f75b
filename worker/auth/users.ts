import { AppError } from "../errors";
import { hashPassword, verifyDummyPassword, verifyPassword } from "./passwords";
import { newId } from "../db/ids";

/** What the API may show about a user; never includes the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
  locale: string;
  timeZone: string;
}

/** A user plus the account state that callers need but must not echo to clients as-is. */
export interface UserAccount {
  user: PublicUser;
  disabled: boolean;
  /** False while the time zone is the default nobody chose (the app then offers the browser's). */
  timeZoneChosen: boolean;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: string[];
  locale?: string;
  timeZone?: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  roles: string;
  locale: string;
  time_zone: string;
  time_zone_chosen: number;
  disabled: number;
}

// password_hash is selected only by checkCredentials, so no other path can leak it.
const PUBLIC_COLUMNS = "id, email, name, roles, locale, time_zone, time_zone_chosen, disabled";

/** Emails are stored and looked up in one form, so `Ann@X.com ` and `ann@x.com` are one account. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

function parseRoles(json: string): string[] {
  try {
    const roles: unknown = JSON.parse(json);
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return []; // a corrupt roles cell grants nothing rather than failing every request
  }
}

function toAccount(row: Omit<UserRow, "password_hash">): UserAccount {
  return {
    user: {
      id: row.id,
      email: row.email,
      name: row.name,
      roles: parseRoles(row.roles),
      locale: row.locale,
      timeZone: row.time_zone,
    },
    disabled: row.disabled !== 0,
    timeZoneChosen: row.time_zone_chosen === 1,
  };
}

export async function findUserById(db: D1Database, id: string): Promise<UserAccount | null> {
  const row = await db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM sg_users WHERE id = ?`).bind(id).first<UserRow>();
  return row ? toAccount(row) : null;
}

export async function findUserByEmail(db: D1Database, email: string): Promise<UserAccount | null> {
  const row = await db
    .prepare(`SELECT ${PUBLIC_COLUMNS} FROM sg_users WHERE email = ?`)
    .bind(normaliseEmail(email))
    .first<UserRow>();
  return row ? toAccount(row) : null;
}

/**
 * The user for a correct email and password of an enabled account, else null. Every path does one
 * PBKDF2 run, so unknown, password-less and disabled accounts take as long as a wrong password.
 */
export async function checkCredentials(db: D1Database, email: string, password: string): Promise<PublicUser | null> {
  const row = await db
    .prepare(`SELECT ${PUBLIC_COLUMNS}, password_hash FROM sg_users WHERE email = ?`)
    .bind(normaliseEmail(email))
    .first<UserRow>();
  if (!row?.password_hash) return verifyDummyPassword(password).then(() => null);
  const ok = await verifyPassword(password, row.password_hash);
  const account = toAccount(row);
  return ok && !account.disabled ? account.user : null;
}

/** `usr_` + 12 random [a-z0-9]; bytes >= 252 are redrawn so every character is equally likely. */
export const newUserId = (): string => newId("usr");

export async function createUser(db: D1Database, input: NewUser): Promise<PublicUser> {
  const now = new Date().toISOString();
  const user: PublicUser = {
    id: newUserId(),
    email: normaliseEmail(input.email),
    name: input.name,
    roles: [...input.roles],
    locale: input.locale ?? "en",
    timeZone: input.timeZone ?? "UTC",
  };
  const passwordHash = await hashPassword(input.password);
  try {
    await db
      .prepare(
        "INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, time_zone_chosen, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
      )
      .bind(
        user.id,
        user.email,
        user.name,
        passwordHash,
        JSON.stringify(user.roles),
        user.locale,
        user.timeZone,
        input.timeZone === undefined ? 0 : 1,
        now,
        now,
      )
      .run();
  } catch (err) {
    if (String(err).includes("UNIQUE constraint failed: sg_users.email")) {
      throw new AppError("conflict", "A user with this email already exists", [
        { field: "email", code: "duplicate", message: "A user with this email already exists" },
      ]);
    }
    throw err;
  }
  return user;
}

// ---- Administration: listing and the statements admin changes put in their batches. ----

export interface Membership {
  team: string;
  name: string;
  lead: boolean;
}

/** A user as the admin API shows it: account state and team memberships, never the hash. */
export interface AdminUser extends PublicUser {
  disabled: boolean;
  teams: Membership[];
  createdAt: string;
  updatedAt: string;
}

interface AdminRow extends Omit<UserRow, "password_hash"> {
  created_at: string;
  updated_at: string;
}

/**
 * Users ordered by email, `limit` after the email `after` (keyset), or exactly those in `ids`; each
 * with its teams, read in the same round trip.
 */
export async function listUsers(
  db: D1Database,
  opts: { limit: number; after?: string; ids?: string[] },
): Promise<AdminUser[]> {
  const users = opts.ids
    ? db
        .prepare(
          `SELECT ${PUBLIC_COLUMNS}, created_at, updated_at FROM sg_users WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY email`,
        )
        .bind(JSON.stringify(opts.ids))
    : db
        .prepare(
          `SELECT ${PUBLIC_COLUMNS}, created_at, updated_at FROM sg_users WHERE email > ?1 ORDER BY email LIMIT ?2`,
        )
        .bind(opts.after ?? "", opts.limit);
  const rows = (await users.all<AdminRow>()).results;
  if (rows.length === 0) return [];
  const { results: members } = await db
    .prepare(
      "SELECT m.user_id, m.team_id, t.name, m.lead FROM sg_team_members m JOIN sg_teams t ON t.id = m.team_id WHERE m.user_id IN (SELECT value FROM json_each(?1)) ORDER BY t.name",
    )
    .bind(JSON.stringify(rows.map((r) => r.id)))
    .all<{ user_id: string; team_id: string; name: string; lead: number }>();
  return rows.map((r) => {
    const { user, disabled } = toAccount(r);
    const teams = members
      .filter((m) => m.user_id === r.id)
      .map((m) => ({ team: m.team_id, name: m.name, lead: m.lead === 1 }));
    return { ...user, disabled, teams, createdAt: r.created_at, updatedAt: r.updated_at };
  });
}

export async function findAdminUser(db: D1Database, id: string): Promise<AdminUser | null> {
  return (await listUsers(db, { limit: 1, ids: [id] }))[0] ?? null;
}

/** `timeZoneChosen`: false when the time zone is only the default (the app offers the browser's). */
export function insertUser(
  db: D1Database,
  user: PublicUser,
  passwordHash: string,
  at: string,
  timeZoneChosen = true,
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, time_zone_chosen, disabled, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, 0, ?8, ?8)",
    )
    .bind(
      user.id,
      normaliseEmail(user.email),
      user.name,
      passwordHash,
      JSON.stringify(user.roles),
      user.locale,
      user.timeZone,
      at,
      timeZoneChosen ? 1 : 0,
    );
}

export interface UserChanges {
  name?: string;
  roles?: string[];
  locale?: string;
  timeZone?: string;
  disabled?: boolean;
}

// Column names come from this fixed map, never from a request.
const CHANGE_COLUMNS: Record<keyof UserChanges, string> = {
  name: "name",
  roles: "roles",
  locale: "locale",
  timeZone: "time_zone",
  disabled: "disabled",
};

/** One UPDATE for the changed profile columns (updated_at always moves; a time zone set is a chosen one). */
export function updateUser(db: D1Database, id: string, changes: UserChanges, at: string): D1PreparedStatement {
  const sets = ["updated_at = ?2"];
  const params: unknown[] = [id, at];
  for (const key of Object.keys(CHANGE_COLUMNS) as (keyof UserChanges)[]) {
    const value = changes[key];
    if (value === undefined) continue;
    params.push(key === "roles" ? JSON.stringify(value) : key === "disabled" ? (value ? 1 : 0) : value);
    sets.push(`${CHANGE_COLUMNS[key]} = ?${params.length}`);
  }
  if (changes.timeZone !== undefined) sets.push("time_zone_chosen = 1");
  return db.prepare(`UPDATE sg_users SET ${sets.join(", ")} WHERE id = ?1`).bind(...params);
}

/**
 * Ends every session of a user at once: refresh tokens revoked, and access tokens issued before `at`
 * refused (verifyAccessToken compares their iat with sessions_valid_after).
 */
export function disableUser(db: D1Database, id: string, at: string): D1PreparedStatement[] {
  return [
    db
      .prepare("UPDATE sg_users SET disabled = 1, sessions_valid_after = ?2, updated_at = ?2 WHERE id = ?1")
      .bind(id, at),
    db.prepare("UPDATE sg_refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL").bind(id, at),
  ];
}

/** A new password ends the user's sessions too: whoever knew the old one is signed out. */
export function setPassword(db: D1Database, id: string, passwordHash: string, at: string): D1PreparedStatement[] {
  return [
    db
      .prepare("UPDATE sg_users SET password_hash = ?2, sessions_valid_after = ?3, updated_at = ?3 WHERE id = ?1")
      .bind(id, passwordHash, at),
    db.prepare("UPDATE sg_refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL").bind(id, at),
  ];
}

/** Replaces a user's team memberships (team ids, already checked to exist). */
export function replaceMemberships(
  db: D1Database,
  userId: string,
  teams: { team: string; lead: boolean }[],
): D1PreparedStatement[] {
  const out = [db.prepare("DELETE FROM sg_team_members WHERE user_id = ?1").bind(userId)];
  if (teams.length) {
    out.push(
      db
        .prepare(
          "INSERT INTO sg_team_members (team_id, user_id, lead) SELECT json_extract(value, '$.team'), ?1, json_extract(value, '$.lead') FROM json_each(?2)",
        )
        .bind(userId, JSON.stringify(teams.map((t) => ({ team: t.team, lead: t.lead ? 1 : 0 })))),
    );
  }
  return out;
}

/** A password nobody chose: 20 characters from a 57-symbol alphabet (about 116 bits). */
export function generatePassword(): string {
  // No 0/O, 1/l/I, so it can be read out or typed from paper.
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  // Bytes at or above the largest multiple of the alphabet size are redrawn, so no symbol is favoured.
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < 20) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < limit && out.length < 20) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
