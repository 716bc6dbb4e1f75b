import { SignJWT, errors, jwtVerify } from "jose";
import type { Env } from "../env";
import { AppError } from "../errors";
import { loadPrincipal, type Principal } from "./principal";
import type { PublicUser } from "./users";

export const ACCESS_TOKEN_TTL_SECONDS = 12 * 60 * 60;
export const TOKEN_AUDIENCE = "salesgrid-api";
const MIN_SECRET_LENGTH = 32;
const encoder = new TextEncoder();

/** Checked per call rather than at import, so a missing secret is a logged 500, not a Worker that won't start. */
function secretKey(env: Env): Uint8Array {
  const secret = env.TOKEN_SECRET;
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    console.error(`TOKEN_SECRET is ${secret ? "shorter than 32 characters" : "not set"}; set it with \`wrangler secret put TOKEN_SECRET\` (or in .dev.vars locally)`);
    throw new AppError("internal", "Sign-in is not configured on this server");
  }
  return encoder.encode(secret);
}

const issuer = (env: Env) => env.TOKEN_ISSUER || "salesgrid";

export async function signAccessToken(env: Env, user: Pick<PublicUser, "id" | "email" | "name" | "roles">): Promise<string> {
  return new SignJWT({ email: user.email, name: user.name, roles: user.roles })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(issuer(env))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .setJti(crypto.randomUUID())
    .sign(secretKey(env));
}

function rejected(reason: string): AppError {
  return new AppError("unauthenticated", reason, [], {}, { "WWW-Authenticate": `Bearer realm="salesgrid", error="invalid_token"` });
}

/** Tells the caller why a token failed without revealing anything about the secret. */
function reasonFor(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "The token has expired; sign in again";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "The token has an invalid signature";
  if (err instanceof errors.JOSEAlgNotAllowed) return "The token is signed with an algorithm this API does not accept";
  if (err instanceof errors.JWTClaimValidationFailed) return `The token's "${err.claim}" claim is not accepted`;
  return "The token is malformed";
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry, then re-reads the user so that a
 * disabled account or a role change takes effect at once rather than when the token expires.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<Principal> {
  const key = secretKey(env);
  let sub: string | undefined;
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer: issuer(env), audience: TOKEN_AUDIENCE });
    sub = payload.sub;
  } catch (err) {
    throw rejected(reasonFor(err));
  }
  if (!sub) throw rejected("The token is malformed");
  const loaded = await loadPrincipal(env.DB, sub);
  if (!loaded || loaded.disabled) throw rejected("The token's user no longer exists or is disabled");
  return loaded.principal;
}
