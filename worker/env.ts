import type { Principal } from "./auth/principal";

/** Bindings and vars from wrangler.toml and secrets (.dev.vars locally). */
export interface Env {
  DB: D1Database;
  /** HMAC secret for access tokens; a Worker secret in production, generated into .dev.vars locally. */
  TOKEN_SECRET: string;
  TOKEN_ISSUER: string;
  CORS_ORIGINS: string;
  /** "1" only in local development: allows the demo workspace to be seeded. */
  DEV_SEED?: string;
}

/** What middleware puts on the Hono context, typed once. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
