/**
 * POST /api/auth/oidc {idToken}: single sign-on. The ID token is verified against the configured IdP
 * (worker/auth/oidc.ts); the first sign-in creates the account, later ones bring its name and roles in
 * line with the IdP. Reached without an access token (listed in requireAuth's `except`).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError, invalid, type FieldError } from "../errors";
import { readJson } from "./body";
import { limitBody } from "./middleware";
import { oidcConfig, rolesFor, verifyIdToken } from "../auth/oidc";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "../auth/tokens";
import { findUserById } from "../auth/users";
import { knownRoles, rejected, upsertWithRetry } from "../auth/oidc-accounts";

// Same ceiling as the other sign-in routes (their middleware covers /api/auth/* too); an ID token
// with a few hundred groups still fits.
const MAX_BODY_BYTES = 16 * 1024;
const MAX_TOKEN_CHARS = 15 * 1024;

function parseBody(body: unknown): string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid([{ field: "", code: "type", message: "The body must be a JSON object with idToken" }]);
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(record)
    .filter((k) => k !== "idToken")
    .slice(0, 20)
    .map((k) => ({
      field: k.slice(0, 64),
      code: "unknown_property",
      message: "Unknown property; only idToken is accepted",
    }));
  const token = record.idToken;
  if (token === undefined) errors.push({ field: "idToken", code: "required", message: "idToken is required" });
  else if (typeof token !== "string")
    errors.push({ field: "idToken", code: "type", message: "idToken must be a string (the ID token JWT)" });
  else if (token === "") errors.push({ field: "idToken", code: "required", message: "idToken must not be empty" });
  else if (token.length > MAX_TOKEN_CHARS)
    errors.push({
      field: "idToken",
      code: "too_long",
      message: `idToken must be at most ${MAX_TOKEN_CHARS} characters`,
    });
  if (errors.length) throw invalid(errors);
  return token as string;
}

export const oidc = new Hono<AppEnv>().use("*", limitBody(MAX_BODY_BYTES)).post("/", async (c) => {
  const config = oidcConfig(c.env);
  if (!config) throw new AppError("not_found", "Single sign-on is not enabled on this server");
  const idToken = parseBody(await readJson(c));
  const who = await verifyIdToken(config, idToken);
  const roles = await knownRoles(c.env.DB, rolesFor(config, who.groups));
  const id = await upsertWithRetry(c.env.DB, who, roles, c.get("requestId") ?? null);
  const account = await findUserById(c.env.DB, id);
  if (!account || account.disabled) throw rejected("This account no longer exists or is disabled");
  // Refresh tokens (worker/auth/sessions.ts) can be minted here as /login does; for now an access token only.
  const token = await signAccessToken(c.env, account.user);
  c.header("Cache-Control", "no-store");
  return c.json({ token, tokenType: "Bearer", expiresIn: ACCESS_TOKEN_TTL_SECONDS, user: account.user });
});
