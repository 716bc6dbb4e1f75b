import { AppError } from "../errors";
import { hashPassword, verifyDummyPassword, verifyPassword } from "./passwords";

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
  disabled: number;
}

// password_hash is selected only by checkCredentials, so no other path can leak it.
const PUBLIC_COLUMNS = "id, email, name, roles, locale, time_zone, disabled";

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
    user: { id: row.id, email: row.email, name: row.name, roles: parseRoles(row.roles), locale: row.locale, timeZone: row.time_zone },
    disabled: row.disabled !== 0,
  };
}

export async function findUserById(db: D1Database, id: string): Promise<UserAccount | null> {
  const row = await db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM sg_users WHERE id = ?`).bind(id).first<UserRow>();
  return row ? toAccount(row) : null;
}

export async function findUserByEmail(db: D1Database, email: string): Promise<UserAccount | null> {
  const row = await db.prepare(`SELECT ${PUBLIC_COLUMNS} FROM sg_users WHERE email = ?`).bind(normaliseEmail(email)).first<UserRow>();
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

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `usr_` + 12 random [a-z0-9]; bytes >= 252 are redrawn so every character is equally likely. */
export function newUserId(): string {
  let id = "";
  while (id.length < 12) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      if (byte < 252 && id.length < 12) id += ID_ALPHABET[byte % 36];
    }
  }
  return `usr_${id}`;
}

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
        "INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
      )
      .bind(user.id, user.email, user.name, passwordHash, JSON.stringify(user.roles), user.locale, user.timeZone, now, now)
      .run();
  } catch (err) {
    if (String(err).includes("UNIQUE constraint failed: sg_users.email")) {
      throw new AppError("conflict", "A user with this email already exists", [{ field: "email", code: "duplicate", message: "A user with this email already exists" }]);
    }
    throw err;
  }
  return user;
}
