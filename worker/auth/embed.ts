/**
 * Embed tokens: a signed, expiring bearer token for one view, read-only or editable, that an admin
 * mints to put a grid in an intranet page.
 *
 * The JWT (HS256) names its row in sg_embed_tokens (`jti`), its creator (`sub`) and its view; the row
 * is the source of truth for mode, filter, expiry and revocation, so a revoked token dies at once.
 * It is signed with a key derived from TOKEN_SECRET for embeds alone and carries its own audience
 * and `typ`, so an embed token is no access token (verifyAccessToken refuses it) and an access token
 * is no embed token. The bearer acts as the creator, re-read on every request (loadPrincipal): a
 * creator who is disabled or loses access takes the embed down with them.
 */
import { SignJWT, base64url, decodeJwt, errors, jwtVerify } from "jose";
import type { Filter } from "../../schemas/types";
import type { Env } from "../env";
import { AppError } from "../errors";
import { loadPrincipal, type Principal } from "./principal";
import { EMBED_AUDIENCE, TOKEN_AUDIENCE, issuer, secretKey } from "./tokens";
import { newId } from "../db/ids";

export const EMBED_MAX_DAYS = 365;
const EMBED_TYP = "sg-embed+jwt";
const CLOCK_TOLERANCE_SECONDS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

export type EmbedMode = "read" | "edit";

/** A row of sg_embed_tokens, decoded; `filter` refers to fields by id. */
export interface EmbedToken {
  id: string;
  viewId: string;
  createdBy: string;
  mode: EmbedMode;
  filter: Filter | null;
  label: string;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
}

interface EmbedRow {
  id: string;
  view_id: string;
  created_by: string;
  mode: string;
  filter: string | null;
  label: string;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

function decode(r: EmbedRow): EmbedToken {
  return {
    id: r.id,
    viewId: r.view_id,
    createdBy: r.created_by,
    mode: r.mode === "edit" ? "edit" : "read",
    filter: r.filter ? (JSON.parse(r.filter) as Filter) : null,
    label: r.label,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    createdAt: r.created_at,
  };
}

const keys = new Map<string, Uint8Array>();

/** HMAC(TOKEN_SECRET, "salesgrid embed tokens"): one secret to configure, separate keys in use. */
export async function embedKey(env: Env): Promise<Uint8Array> {
  const secret = secretKey(env);
  const cacheKey = base64url.encode(secret);
  const hit = keys.get(cacheKey);
  if (hit) return hit;
  const hmac = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derived = new Uint8Array(
    await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode("salesgrid embed tokens v1")),
  );
  keys.clear();
  keys.set(cacheKey, derived);
  return derived;
}

export const newEmbedId = (): string => newId("emb", 16);

/** The latest expiry a token minted at `now` may have. */
export const maxExpiry = (now: Date) => new Date(now.getTime() + EMBED_MAX_DAYS * DAY_MS);

export async function signEmbedToken(
  env: Env,
  t: Pick<EmbedToken, "id" | "viewId" | "createdBy" | "expiresAt">,
  now = new Date(),
): Promise<string> {
  return new SignJWT({ view: t.viewId })
    .setProtectedHeader({ alg: "HS256", typ: EMBED_TYP })
    .setIssuer(issuer(env))
    .setAudience(EMBED_AUDIENCE)
    .setSubject(t.createdBy)
    .setJti(t.id)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(Date.parse(t.expiresAt) / 1000))
    .sign(await embedKey(env));
}

export function insertEmbed(db: D1Database, t: EmbedToken): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO sg_embed_tokens (id, view_id, created_by, mode, filter, label, expires_at, revoked_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8)",
    )
    .bind(
      t.id,
      t.viewId,
      t.createdBy,
      t.mode,
      t.filter ? JSON.stringify(t.filter) : null,
      t.label,
      t.expiresAt,
      t.createdAt,
    );
}

/** Revokes one live token; `changes()` tells the caller whether it was live (guard it in the batch). */
export function revokeEmbed(db: D1Database, id: string, at: string): D1PreparedStatement {
  return db.prepare("UPDATE sg_embed_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL").bind(id, at);
}

export async function loadEmbed(db: D1Database, id: string): Promise<EmbedToken | null> {
  if (id.length > 64) return null;
  const row = await db.prepare("SELECT * FROM sg_embed_tokens WHERE id = ?1").bind(id).first<EmbedRow>();
  return row ? decode(row) : null;
}

/** Newest first, at most `limit`; all views' tokens when `viewId` is null. */
export async function listEmbeds(db: D1Database, viewId: string | null, limit: number): Promise<EmbedToken[]> {
  const stmt =
    viewId === null
      ? db.prepare("SELECT * FROM sg_embed_tokens ORDER BY created_at DESC, id DESC LIMIT ?1").bind(limit)
      : db
          .prepare("SELECT * FROM sg_embed_tokens WHERE view_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2")
          .bind(viewId, limit);
  const { results } = await stmt.all<EmbedRow>();
  return results.map(decode);
}

function rejected(reason: string): AppError {
  return new AppError(
    "unauthenticated",
    reason,
    [],
    {},
    { "WWW-Authenticate": `Bearer realm="salesgrid-embed", error="invalid_token"` },
  );
}

function reasonFor(err: unknown, token: string): string {
  if (err instanceof errors.JWTExpired) return "The embed token has expired; ask an admin for a new one";
  if (err instanceof errors.JOSEAlgNotAllowed)
    return "The embed token is signed with an algorithm this API does not accept";
  let aud: unknown;
  try {
    aud = decodeJwt(token).aud;
  } catch {
    return "The embed token is malformed";
  }
  // Worded by the unverified claim, decided by the verification above: a sign-in token never passes here.
  if (aud === TOKEN_AUDIENCE) return "A sign-in token is not accepted by /api/embed; send an embed token";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "The embed token has an invalid signature";
  if (err instanceof errors.JWTClaimValidationFailed) return `The embed token's "${err.claim}" claim is not accepted`;
  return "The embed token is malformed";
}

export interface EmbedSession {
  embed: EmbedToken;
  /** The creator as they are now, marked as acting through this embed. */
  principal: Principal;
}

/**
 * Signature (HS256 only, so `none` and other algorithms fail before any key is used), typ, issuer,
 * audience, expiry, then the row (exists, same view and creator, not revoked, not expired) and the
 * creator (exists, enabled). Everything fails as 401 with a reason, never with the secret's details.
 */
export async function verifyEmbedToken(env: Env, token: string, now = new Date()): Promise<EmbedSession> {
  let payload: { sub?: unknown; jti?: unknown; view?: unknown };
  try {
    ({ payload } = await jwtVerify(token, await embedKey(env), {
      algorithms: ["HS256"],
      typ: EMBED_TYP,
      issuer: issuer(env),
      audience: EMBED_AUDIENCE,
      requiredClaims: ["sub", "jti", "exp", "iat", "view"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw rejected(reasonFor(err, token));
  }
  const { sub, jti, view } = payload;
  if (typeof sub !== "string" || typeof jti !== "string" || typeof view !== "string")
    throw rejected("The embed token is malformed");
  const embed = await loadEmbed(env.DB, jti);
  if (!embed || embed.viewId !== view || embed.createdBy !== sub) throw rejected("The embed token is not recognised");
  if (embed.revokedAt !== null) throw rejected("The embed token has been revoked");
  if (!(embed.expiresAt > now.toISOString())) throw rejected("The embed token has expired; ask an admin for a new one");
  const loaded = await loadPrincipal(env.DB, embed.createdBy);
  if (!loaded || loaded.disabled) throw rejected("The embed token's creator no longer exists or is disabled");
  return {
    embed,
    principal: { ...loaded.principal, embed: { tokenId: embed.id, viewId: embed.viewId, mode: embed.mode } },
  };
}
