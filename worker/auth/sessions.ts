/**
 * Sessions: rotating refresh tokens and the ways a session ends.
 *
 * A refresh token is 32 random bytes (base64url); only its SHA-256 is stored, so a leak of the table
 * yields nothing usable. Each sign-in starts a family; every refresh marks the presented token used and
 * issues the next one in the same family, in one batch. Presenting a used token again means two parties
 * hold it (theft), so the whole family is revoked. "Everywhere" endings also move the user's
 * sessions_valid_after, which verifyAccessToken and rotate() both honour, so access tokens already
 * handed out die on their next request instead of living out their 15 minutes.
 */
import { base64url } from "jose";
import { AppError } from "../errors";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const TOKEN_BYTES = 32;

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export interface MintedToken {
  token: string;
  insert: D1PreparedStatement;
}

/** A new refresh token and the statement that stores it; the caller puts the statement in its batch. */
export async function mintRefreshToken(db: D1Database, userId: string, family: string, at: Date): Promise<MintedToken> {
  const token = base64url.encode(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
  const expires = new Date(at.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString();
  const insert = db
    .prepare(
      "INSERT INTO sg_refresh_tokens (id, user_id, family, expires_at, used_at, revoked_at, created_at) VALUES (?1, ?2, ?3, ?4, NULL, NULL, ?5)",
    )
    .bind(await hashToken(token), userId, family, expires, at.toISOString());
  return { token, insert };
}

export const newFamily = () => crypto.randomUUID();

function refused(detail: string): AppError {
  return new AppError("unauthenticated", detail, [{ field: "refreshToken", code: "invalid_token", message: detail }]);
}

const revokeFamily = (db: D1Database, family: string, at: string) =>
  db.prepare("UPDATE sg_refresh_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL").bind(family, at);

interface RefreshRow {
  user_id: string;
  family: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
  disabled: number | null;
  sessions_valid_after: string | null;
}

/**
 * Exchanges a refresh token for the next one in its family. Throws 401 for unknown, used (and then
 * revokes the family), revoked, expired, disabled-user and ended-session tokens.
 */
export async function rotateRefreshToken(
  db: D1Database,
  presented: string,
  at: Date,
): Promise<{ userId: string; refreshToken: string }> {
  const id = await hashToken(presented);
  const now = at.toISOString();
  const row = await db
    .prepare(
      `SELECT t.user_id, t.family, t.expires_at, t.used_at, t.revoked_at, t.created_at, u.disabled, u.sessions_valid_after
       FROM sg_refresh_tokens t LEFT JOIN sg_users u ON u.id = t.user_id WHERE t.id = ?1`,
    )
    .bind(id)
    .first<RefreshRow>();
  if (!row) throw refused("The refresh token is not recognised; sign in again");
  if (row.used_at !== null) {
    // Checked before revoked/expired: even an old used token signals that the family's secret leaked.
    await revokeFamily(db, row.family, now).run();
    throw refused("The refresh token was already used; every session from that sign-in has been ended");
  }
  if (row.revoked_at !== null) throw refused("The refresh token has been revoked; sign in again");
  if (row.expires_at <= now) throw refused("The refresh token has expired; sign in again");
  if (row.disabled !== 0) throw refused("The account no longer exists or is disabled");
  if (row.sessions_valid_after !== null && row.created_at < row.sessions_valid_after) {
    throw refused("This session has been ended (signed out everywhere or password changed); sign in again");
  }
  const next = await mintRefreshToken(db, row.user_id, row.family, at);
  try {
    await db.batch([
      db
        .prepare("UPDATE sg_refresh_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL AND revoked_at IS NULL")
        .bind(id, now),
      // A concurrent refresh (or revocation) got there between our read and this write: abort the batch.
      db.prepare("INSERT INTO sg_guard (reason) SELECT 'stale' WHERE changes() <> 1"),
      next.insert,
    ]);
  } catch (err) {
    if (!/CHECK constraint failed: stale/.test(String(err))) throw err;
    // Two presentations of one token: the same signal as reuse, so the family ends.
    await revokeFamily(db, row.family, now).run();
    throw refused("The refresh token was already used; every session from that sign-in has been ended");
  }
  return { userId: row.user_id, refreshToken: next.token };
}

/** Ends the family of one of the user's refresh tokens; someone else's token is left alone. */
export async function revokeOwnFamily(db: D1Database, userId: string, presented: string, at: Date): Promise<number> {
  const res = await db
    .prepare(
      `UPDATE sg_refresh_tokens SET revoked_at = ?3
       WHERE family = (SELECT family FROM sg_refresh_tokens WHERE id = ?1 AND user_id = ?2) AND revoked_at IS NULL`,
    )
    .bind(await hashToken(presented), userId, at.toISOString())
    .run();
  return res.meta.changes ?? 0;
}

/** Statements that end every session of a user: all refresh tokens revoked, older access tokens refused. */
export function endAllSessions(db: D1Database, userId: string, at: Date): D1PreparedStatement[] {
  const now = at.toISOString();
  return [
    db
      .prepare("UPDATE sg_refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL")
      .bind(userId, now),
    // updated_at is left alone: ending sessions is not an edit of the user's profile.
    db.prepare("UPDATE sg_users SET sessions_valid_after = ?2 WHERE id = ?1").bind(userId, now),
  ];
}

/**
 * For the cron: refresh tokens that can never be exchanged again. Expired and revoked ones answer 401
 * whether their row exists or not; a used token whose family is still live is kept until it expires,
 * so presenting it again still ends the family.
 */
export async function deleteDeadRefreshTokens(db: D1Database, at: Date): Promise<number> {
  const [expired, revoked] = await db.batch([
    db.prepare("DELETE FROM sg_refresh_tokens WHERE expires_at <= ?1").bind(at.toISOString()),
    db.prepare("DELETE FROM sg_refresh_tokens WHERE revoked_at IS NOT NULL"),
  ]);
  return (expired!.meta.changes ?? 0) + (revoked!.meta.changes ?? 0);
}
