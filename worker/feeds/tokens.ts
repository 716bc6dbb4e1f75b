/**
 * Feed tokens (sg_feed_tokens): a long random token in the feed's URL, shown once; only its SHA-256
 * is stored. A personal feed belongs to its user (one active: turning on again revokes the old one in
 * the same batch); a published view's feed is read as the admin who published it (one active per
 * view). The lookup is one statement by the hash's unique index, whatever the token looks like, and
 * brings the reader's user rows with it (auth/principal's one-statement read).
 */
import { principalSql, buildPrincipal, type LoadedPrincipal } from "../auth/principal";
import { newId, randomId } from "../db/ids";

/** 43 characters of [a-z0-9]: about 222 random bits. */
export const TOKEN_LENGTH = 43;

export type FeedKind = "personal" | "view";

export interface FeedRow {
  id: string;
  kind: FeedKind;
  userId: string;
  viewId: string | null;
  createdAt: string;
}

export function newFeedToken(): string {
  return randomId(TOKEN_LENGTH);
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface Row {
  id: string;
  kind: FeedKind;
  user_id: string;
  view_id: string | null;
  created_at: string;
}
const feedRow = (r: Row): FeedRow => ({
  id: r.id,
  kind: r.kind,
  userId: r.user_id,
  viewId: r.view_id,
  createdAt: r.created_at,
});

/**
 * The active feed a token opens, with its reader's current user rows; null for any token that opens
 * none (guessed, revoked, replaced, malformed): the same statement runs for each of them.
 */
export async function findFeed(
  db: D1Database,
  token: string,
): Promise<{ feed: FeedRow; reader: LoadedPrincipal | null } | null> {
  const hash = await hashToken(token);
  const row = await db
    .prepare(
      `SELECT f.id, f.kind, f.user_id, f.view_id, f.created_at, (${principalSql("f.user_id")}) AS p
       FROM sg_feed_tokens f WHERE f.token_hash = ?1 AND f.revoked_at IS NULL`,
    )
    .bind(hash)
    .first<Row & { p: string | null }>();
  if (!row) return null;
  return { feed: feedRow(row), reader: buildPrincipal(row.p) };
}

/** Statements that make `hash` the active feed of (kind, owner or view), revoking the one before. */
export function activateStatements(
  db: D1Database,
  input: { kind: FeedKind; userId: string; viewId: string | null; hash: string; at: string },
): { id: string; statements: D1PreparedStatement[] } {
  const id = newId("feed");
  const revoke =
    input.kind === "personal"
      ? db
          .prepare(
            "UPDATE sg_feed_tokens SET revoked_at = ?2 WHERE kind = 'personal' AND user_id = ?1 AND revoked_at IS NULL",
          )
          .bind(input.userId, input.at)
      : db
          .prepare(
            "UPDATE sg_feed_tokens SET revoked_at = ?2 WHERE kind = 'view' AND view_id = ?1 AND revoked_at IS NULL",
          )
          .bind(input.viewId, input.at);
  const insert = db
    .prepare(
      "INSERT INTO sg_feed_tokens (id, kind, token_hash, user_id, view_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(id, input.kind, input.hash, input.userId, input.viewId, input.at);
  return { id, statements: [revoke, insert] };
}

/** Revokes the active personal feed of a user, or the active feed of a view. */
export function revokeStatement(db: D1Database, kind: FeedKind, ownerOrView: string, at: string): D1PreparedStatement {
  return kind === "personal"
    ? db
        .prepare(
          "UPDATE sg_feed_tokens SET revoked_at = ?2 WHERE kind = 'personal' AND user_id = ?1 AND revoked_at IS NULL",
        )
        .bind(ownerOrView, at)
    : db
        .prepare(
          "UPDATE sg_feed_tokens SET revoked_at = ?2 WHERE kind = 'view' AND view_id = ?1 AND revoked_at IS NULL",
        )
        .bind(ownerOrView, at);
}

export async function activePersonalFeed(db: D1Database, userId: string): Promise<FeedRow | null> {
  const row = await db
    .prepare(
      "SELECT id, kind, user_id, view_id, created_at FROM sg_feed_tokens WHERE kind = 'personal' AND user_id = ?1 AND revoked_at IS NULL",
    )
    .bind(userId)
    .first<Row>();
  return row ? feedRow(row) : null;
}

/** Every published view feed that is active, newest first, with its publisher's name. */
export async function activeViewFeeds(db: D1Database): Promise<(FeedRow & { publisherName: string | null })[]> {
  const { results } = await db
    .prepare(
      `SELECT f.id, f.kind, f.user_id, f.view_id, f.created_at, u.name AS publisher_name
       FROM sg_feed_tokens f LEFT JOIN sg_users u ON u.id = f.user_id
       WHERE f.kind = 'view' AND f.revoked_at IS NULL ORDER BY f.created_at DESC, f.id LIMIT 1000`,
    )
    .all<Row & { publisher_name: string | null }>();
  return results.map((r) => ({ ...feedRow(r), publisherName: r.publisher_name }));
}

export async function activeViewFeed(db: D1Database, viewId: string): Promise<FeedRow | null> {
  const row = await db
    .prepare(
      "SELECT id, kind, user_id, view_id, created_at FROM sg_feed_tokens WHERE kind = 'view' AND view_id = ?1 AND revoked_at IS NULL",
    )
    .bind(viewId)
    .first<Row>();
  return row ? feedRow(row) : null;
}
