import type { Principal } from "./auth/principal";
import type { RequestLimits } from "./http/rate-limit";

/** Bindings and vars from wrangler.toml and secrets (.dev.vars locally). */
export interface Env {
  DB: D1Database;
  /** HMAC secret for access tokens; a Worker secret in production, generated into .dev.vars locally. */
  TOKEN_SECRET: string;
  TOKEN_ISSUER: string;
  CORS_ORIGINS: string;
  /** "1" only in local development: allows the demo workspace to be seeded. */
  DEV_SEED?: string;
  /** Single sign-on (worker/auth/oidc.ts): the IdP's issuer URL; empty means SSO is off. */
  OIDC_ISSUER?: string;
  /** The client id the IdP issued to Salesgrid; ID tokens must name it in `aud`. */
  OIDC_AUDIENCE?: string;
  /** The ID token claim holding the user's groups; "groups" when empty. */
  OIDC_GROUPS_CLAIM?: string;
  /** JSON object, IdP group -> role name (or list of them), e.g. {"sales-team":"sales_rep"}. */
  OIDC_ROLE_MAP?: string;
  /** JSON array of roles every SSO user gets, e.g. ["viewer"]; [] when empty. */
  OIDC_DEFAULT_ROLES?: string;
  /** The grid's licence key, public config for the page (GET /api/config). */
  HANDSONTABLE_LICENSE_KEY?: string;
  /** "1" only in development and tests: webhooks may then use http:// and local or private hosts. */
  WEBHOOK_ALLOW_LOCAL?: string;
  /** Workers Rate Limiting: the cross-isolate check of the API rate limits (worker/ratelimit/limiter.ts). */
  RATE_LIMITER?: RateLimit;
}

/** What middleware puts on the Hono context, typed once. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** What the request was counted for by the rate limits (http/rate-limit.ts). */
    rateLimit: RequestLimits;
  };
}
