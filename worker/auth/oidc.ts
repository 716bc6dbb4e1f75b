/**
 * Single sign-on with OpenID Connect ID tokens: configuration, provider discovery, token verification
 * and the claims -> identity -> roles mapping. The account a verified identity signs in to is created
 * or updated by worker/http/oidc.ts.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Env } from "../env";
import { AppError } from "../errors";
import { normaliseEmail } from "./users";

export interface OidcConfig {
  issuer: string;
  /** The client id the IdP issued to Salesgrid: ID tokens must be addressed to it. */
  audience: string;
  groupsClaim: string;
  /** IdP group -> Salesgrid roles. */
  roleMap: Map<string, string[]>;
  defaultRoles: string[];
}

/** What a verified ID token says about the person. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
  groups: string[];
}

// Only asymmetric algorithms: an HS* token would be "signed" with something the client can know
// (e.g. a public key's bytes), and `none` is not signed at all.
const ALGORITHMS = ["RS256", "ES256"];
const CLOCK_TOLERANCE_SECONDS = 30;
// An ID token is exchanged right after the IdP issued it; an old one is more likely replayed.
const MAX_TOKEN_AGE_SECONDS = 10 * 60;
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_DISCOVERY_BYTES = 256 * 1024;
const MAX_GROUPS = 1000;

const rejected = (reason: string) =>
  new AppError(
    "unauthenticated",
    reason,
    [{ field: "idToken", code: "invalid_token", message: reason }],
    {},
    { "WWW-Authenticate": 'Bearer realm="salesgrid", error="invalid_token"' },
  );

/** The IdP could not be asked; a 401 the client can show ("try again later"), never a 500. */
const unreachable = (why: string) => rejected(`The identity provider is unreachable (${why}); try again later`);

/** A bad server setting is the operator's to fix: logged with its name, reported without details. */
function misconfigured(setting: string, why: string): AppError {
  console.error(`Single sign-on: ${setting} ${why}`);
  return new AppError("internal", "Single sign-on is misconfigured on this server");
}

function parseJson(setting: string, raw: string | undefined, fallback: unknown): unknown {
  if (raw === undefined || raw.trim() === "") return fallback;
  try {
    return JSON.parse(raw);
  } catch {
    throw misconfigured(setting, "is not valid JSON");
  }
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

/** The IdP's base URL must be https (plain http only for an IdP on this machine, in development). */
function isAllowedUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      url.protocol === "https:" ||
      (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname))
    );
  } catch {
    return false;
  }
}

/** The OIDC settings, or null when single sign-on is off (OIDC_ISSUER empty). */
export function oidcConfig(env: Env): OidcConfig | null {
  const issuer = (env.OIDC_ISSUER ?? "").trim();
  if (issuer === "") return null;
  if (!isAllowedUrl(issuer)) throw misconfigured("OIDC_ISSUER", "must be an https URL");
  const audience = (env.OIDC_AUDIENCE ?? "").trim();
  if (audience === "") throw misconfigured("OIDC_AUDIENCE", "must be the client id when OIDC_ISSUER is set");
  const map = parseJson("OIDC_ROLE_MAP", env.OIDC_ROLE_MAP, {});
  if (typeof map !== "object" || map === null || Array.isArray(map))
    throw misconfigured("OIDC_ROLE_MAP", 'must be an object like {"group": "role"}');
  const roleMap = new Map<string, string[]>();
  for (const [group, roles] of Object.entries(map)) {
    if (typeof roles === "string") roleMap.set(group, [roles]);
    else if (isStringArray(roles)) roleMap.set(group, roles);
    else
      throw misconfigured(
        "OIDC_ROLE_MAP",
        `maps ${JSON.stringify(group)} to something that is not a role name or a list of them`,
      );
  }
  const defaultRoles = parseJson("OIDC_DEFAULT_ROLES", env.OIDC_DEFAULT_ROLES, []);
  if (!isStringArray(defaultRoles)) throw misconfigured("OIDC_DEFAULT_ROLES", "must be a JSON array of role names");
  return { issuer, audience, groupsClaim: (env.OIDC_GROUPS_CLAIM ?? "").trim() || "groups", roleMap, defaultRoles };
}

// ---- Discovery and keys, cached per isolate. ----

interface Provider {
  issuer: string;
  jwksUri: string;
  keys: JWTVerifyGetKey;
  expires: number;
}

// Only settled results are kept: on Workers a promise shared with another request's I/O can hang or
// warn when that request ends (jose's remote key set avoids sharing for the same reason).
const providers = new Map<string, Provider>();

async function fetchDiscovery(issuer: string): Promise<{ issuer: string; jwks_uri: string }> {
  // OIDC Discovery 4: the document lives under the issuer with any trailing slash removed.
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw unreachable("discovery request failed");
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw unreachable(`discovery answered ${res.status}`);
  }
  const text = await res.text().catch(() => null);
  if (text === null || text.length > MAX_DISCOVERY_BYTES) throw unreachable("discovery document unreadable");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw unreachable("discovery document is not JSON");
  }
  const { issuer: named, jwks_uri } = (doc ?? {}) as Record<string, unknown>;
  if (typeof jwks_uri !== "string" || !isAllowedUrl(jwks_uri))
    throw unreachable("discovery document has no https jwks_uri");
  // OIDC Discovery 4.3: the document must name the issuer it was fetched for, else it is someone else's.
  if (typeof named !== "string" || named.replace(/\/+$/, "") !== issuer.replace(/\/+$/, "")) {
    console.error(
      `Single sign-on: OIDC_ISSUER ${issuer} differs from the issuer its discovery document names (${JSON.stringify(String(named).slice(0, 200))})`,
    );
    throw rejected("The identity provider's discovery document names a different issuer than this server trusts");
  }
  return { issuer: named, jwks_uri };
}

/**
 * Errors from fetching the key set mean the IdP could not be asked; errors about the keys themselves
 * (no key with this kid) pass through so that they are reported as what they are.
 */
function keyResolver(jwksUri: string): JWTVerifyGetKey {
  // jose refetches the set when a token names an unknown kid (at most every 30 s), which picks up
  // rotated keys without a restart; a set older than 10 minutes is refetched on next use.
  const remote = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (
        err instanceof errors.JWKSNoMatchingKey ||
        err instanceof errors.JWKSMultipleMatchingKeys ||
        err instanceof errors.JOSENotSupported
      )
        throw err;
      throw unreachable("its key set could not be fetched");
    }
  };
}

async function provider(issuer: string): Promise<Provider> {
  const cached = providers.get(issuer);
  if (cached && cached.expires > Date.now()) return cached;
  const doc = await fetchDiscovery(issuer);
  const fresh: Provider = {
    issuer: doc.issuer,
    jwksUri: doc.jwks_uri,
    // Same key set URL after a refresh: keep its cached keys instead of fetching them again.
    keys: cached && cached.jwksUri === doc.jwks_uri ? cached.keys : keyResolver(doc.jwks_uri),
    expires: Date.now() + DISCOVERY_TTL_MS,
  };
  providers.set(issuer, fresh);
  return fresh;
}

// ---- Verification. ----

/** Why a token failed, in words a sign-in page can show; the signature or key material never leaks. */
function reasonFor(err: unknown): string {
  if (err instanceof errors.JWTExpired)
    return `The ID token has expired (${err.claim === "iat" ? "issued too long ago" : "exp passed"}); sign in again`;
  if (err instanceof errors.JOSEAlgNotAllowed) return `The ID token must be signed with ${ALGORITHMS.join(" or ")}`;
  if (err instanceof errors.JWKSNoMatchingKey)
    return "The ID token is signed with a key the identity provider does not publish (unknown kid)";
  if (err instanceof errors.JWKSMultipleMatchingKeys)
    return "The ID token names no key id and the identity provider publishes several keys";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "The ID token's signature is invalid";
  if (err instanceof errors.JWTClaimValidationFailed)
    return `The ID token's "${err.claim}" claim is not accepted (${err.reason})`;
  return "The ID token is malformed";
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
// Control characters in a display name would garble logs and the UI; the IdP may send anything.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

function claimString(payload: JWTPayload, name: string, max: number): string | undefined {
  const v = payload[name];
  return typeof v === "string" && v.trim() !== "" ? v.replace(CONTROL, " ").trim().slice(0, max) : undefined;
}

function identityFrom(payload: JWTPayload, config: OidcConfig, issuer: string): OidcIdentity {
  const subject = payload.sub;
  if (typeof subject !== "string" || subject === "" || subject.length > 255)
    throw rejected('The ID token\'s "sub" claim is missing or longer than 255 characters');
  const email = payload.email;
  if (typeof email !== "string" || email.length > 320 || !EMAIL.test(email.trim()))
    throw rejected('The ID token has no usable "email" claim; let the identity provider release the email scope');
  // Some IdPs send the string "false"; an absent claim is accepted (many enterprise IdPs omit it).
  if (payload.email_verified === false || payload.email_verified === "false")
    throw rejected("The identity provider has not verified this email address");
  // OIDC Core 2: with several audiences, azp must name us, so a token issued to another client is refused.
  if ((Array.isArray(payload.aud) && payload.aud.length > 1) || payload.azp !== undefined) {
    if (payload.azp !== config.audience) throw rejected('The ID token\'s "azp" claim does not name this application');
  }
  const raw = payload[config.groupsClaim];
  let groups: string[] = [];
  if (typeof raw === "string") groups = [raw];
  else if (isStringArray(raw) && raw.length <= MAX_GROUPS) groups = raw;
  else if (raw !== undefined && raw !== null)
    throw rejected(`The ID token's "${config.groupsClaim}" claim must be a list of group names`);
  const joined = [claimString(payload, "given_name", 100), claimString(payload, "family_name", 100)]
    .filter(Boolean)
    .join(" ");
  const name =
    claimString(payload, "name", 200) ??
    (joined || undefined) ??
    claimString(payload, "preferred_username", 200) ??
    normaliseEmail(email).split("@")[0]!;
  return { issuer, subject, email: normaliseEmail(email), name, groups };
}

/** Verifies an ID token against the configured IdP and returns who it names; any failure is a 401. */
export async function verifyIdToken(config: OidcConfig, idToken: string): Promise<OidcIdentity> {
  // Cheap shape check first: a string that cannot be a signed JWT costs no discovery request.
  if (!COMPACT_JWS.test(idToken))
    throw rejected("The ID token is malformed (expected a signed JWT: header.payload.signature)");
  const idp = await provider(config.issuer);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, idp.keys, {
      algorithms: ALGORITHMS,
      issuer: idp.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "email", "iat", "exp"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
    }));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw rejected(reasonFor(err));
  }
  return identityFrom(payload, config, idp.issuer);
}

/** The roles the groups map to, plus the default roles; unknown groups give nothing. Sorted, unique. */
export function rolesFor(config: OidcConfig, groups: string[]): string[] {
  const roles = new Set(config.defaultRoles);
  for (const g of groups) for (const r of config.roleMap.get(g) ?? []) roles.add(r);
  return [...roles].sort();
}
