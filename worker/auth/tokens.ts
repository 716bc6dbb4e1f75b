import { SignJWT, decodeJwt, errors, jwtVerify } from "jose";
import type { Env } from "../env";
import { AppError } from "../errors";
import { loadPrincipal, type Principal } from "./principal";
import type { PublicUser } from "./users";

/** Short-lived: a stolen access token is worth 15 minutes; refresh tokens (sessions.ts) carry the session. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const TOKEN_AUDIENCE = "salesgrid-api";
/** Embed tokens (embed.ts) name this audience and are signed with a key derived for them alone. */
export const EMBED_AUDIENCE = "salesgrid-embed";
// `iat` carries milliseconds, while jose compares it with a clock floored to the second: without a
// little tolerance a token would be "issued in the future" for the rest of the second it was made in.
const CLOCK_TOLERANCE_SECONDS = 5;
const MIN_SECRET_LENGTH = 32;
const encoder = new TextEncoder();

/** Checked per call rather than at import, so a missing secret is a logged 500, not a Worker that won't start. */
export function secretKey(env: Env): Uint8Array {
  const secret = env.TOKEN_SECRET;
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    console.error(
      `TOKEN_SECRET is ${secret ? "shorter than 32 characters" : "not set"}; set it with \`wrangler secret put TOKEN_SECRET\` (or in .dev.vars locally)`,
    );
    throw new AppError("internal", "Sign-in is not configured on this server");
  }
  return encoder.encode(secret);
}

/** The HMAC key, imported once per isolate and secret rather than on every request. */
let imported: { secret: string; key: Promise<CryptoKey> } | null = null;
function verifyKey(env: Env): Promise<CryptoKey> {
  const raw = secretKey(env);
  if (imported?.secret !== env.TOKEN_SECRET) {
    imported = {
      secret: env.TOKEN_SECRET,
      key: crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
    };
  }
  return imported.key;
}

export const issuer = (env: Env) => env.TOKEN_ISSUER || "salesgrid";

/**
 * `iat` has millisecond precision (RFC 7519 allows non-integer NumericDates) so that a token signed
 * right after "sign out everywhere" or a password change, in the same second, is not mistaken for
 * one issued before it (see verifyAccessToken).
 */
export async function signAccessToken(
  env: Env,
  user: Pick<PublicUser, "id" | "email" | "name" | "roles">,
): Promise<string> {
  return new SignJWT({ email: user.email, name: user.name, roles: user.roles })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(issuer(env))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(user.id)
    .setIssuedAt(Date.now() / 1000)
    .setExpirationTime(Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(secretKey(env));
}

function rejected(reason: string): AppError {
  return new AppError(
    "unauthenticated",
    reason,
    [],
    {},
    { "WWW-Authenticate": `Bearer realm="salesgrid", error="invalid_token"` },
  );
}

/** Tells the caller why a token failed without revealing anything about the secret. */
function reasonFor(err: unknown, token: string): string {
  // Read unverified only to word the message: an embed token is refused here whatever it says.
  if (isEmbedToken(token)) return "An embed token is accepted only by /api/embed; sign in for the rest of the API";
  if (err instanceof errors.JWTExpired) return "The token has expired; sign in again";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "The token has an invalid signature";
  if (err instanceof errors.JOSEAlgNotAllowed) return "The token is signed with an algorithm this API does not accept";
  if (err instanceof errors.JWTClaimValidationFailed) return `The token's "${err.claim}" claim is not accepted`;
  return "The token is malformed";
}

/**
 * Verifies signature, algorithm (HS256 only, so `none` and RS256 headers are refused before any key
 * is used), issuer, audience, expiry and age, then re-reads the user so that a disabled account, a role
 * change, or a "sign out everywhere" (sessions_valid_after) takes effect at once rather than at expiry.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<Principal> {
  const { sub, iat } = await verifiedClaims(env, token);
  if (typeof sub !== "string" || sub === "") throw rejected("The token is malformed");
  const loaded = await loadPrincipal(env.DB, sub);
  if (!loaded || loaded.disabled) throw rejected("The token's user no longer exists or is disabled");
  // Rounded back to whole milliseconds (the float in the token need not be exactly ms / 1000); written
  // as `!(>=)` so an unparseable cutoff fails closed.
  if (loaded.sessionsValidAfter !== null && !(Math.round(iat * 1000) >= Date.parse(loaded.sessionsValidAfter))) {
    throw rejected("This session has been ended (signed out everywhere or password changed); sign in again");
  }
  return loaded.principal;
}

/**
 * Tokens this isolate has verified, with their claims, until they expire: the signature and claims of
 * a token cannot change, so the HMAC and parsing run once per token rather than on every request.
 * What can change (the user disabled, sessions ended) is read from D1 by verifyAccessToken every time.
 */
const verified = new Map<string, { key: string; sub: unknown; iat: number; until: number }>();
const VERIFIED_MAX = 2000;

async function verifiedClaims(env: Env, token: string): Promise<{ sub: unknown; iat: number }> {
  // Bound to the secret and issuer it was verified with.
  const key = `${env.TOKEN_SECRET}\n${issuer(env)}`;
  const hit = verified.get(token);
  if (hit && hit.key === key && Date.now() / 1000 <= hit.until) return hit;
  const cryptoKey = await verifyKey(env);
  let sub: unknown;
  let iat: number;
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, cryptoKey, {
      algorithms: ["HS256"],
      issuer: issuer(env),
      audience: TOKEN_AUDIENCE,
      requiredClaims: ["sub", "iat", "exp"],
      // Refuses tokens whose own `exp` is generous (e.g. 12-hour tokens from before this limit).
      maxTokenAge: ACCESS_TOKEN_TTL_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    sub = payload.sub;
    iat = payload.iat!;
    exp = payload.exp!;
  } catch (err) {
    verified.delete(token);
    throw rejected(reasonFor(err, token));
  }
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  // The same limits jwtVerify applied: expiry and maximum age, each with the clock tolerance.
  verified.set(token, {
    key,
    sub,
    iat,
    until: Math.min(exp, iat + ACCESS_TOKEN_TTL_SECONDS) + CLOCK_TOLERANCE_SECONDS,
  });
  return { sub, iat };
}

/** Whether a token claims the embed audience (unverified; for choosing an error message only). */
export function isEmbedToken(token: string): boolean {
  try {
    const aud = decodeJwt(token).aud;
    return aud === EMBED_AUDIENCE || (Array.isArray(aud) && aud.includes(EMBED_AUDIENCE));
  } catch {
    return false;
  }
}
