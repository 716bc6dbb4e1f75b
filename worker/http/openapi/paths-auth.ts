/** OpenAPI paths: Open routes, sign-in, the user directory. */
import { json, problems, errors, session, q, object } from "./parts";

export const authPaths = {
  "/api/health": {
    get: {
      operationId: "getHealth",
      security: [],
      summary: "Liveness and the database schema version",
      responses: {
        200: {
          description: "{status, schemaVersion}",
          ...json(object({ status: { const: "ok" }, schemaVersion: { type: "integer" } }, ["status", "schemaVersion"])),
        },
        ...problems(429),
      },
    },
  },
  "/api/config": {
    get: {
      operationId: "getConfig",
      security: [],
      summary:
        "What the web page needs that is not a secret: the grid's licence key, the UI languages, whether single sign-on is on",
      responses: {
        200: {
          description: "{handsontableLicenseKey, locales, sso}",
          ...json(
            object(
              {
                handsontableLicenseKey: { type: "string" },
                locales: { type: "array", items: { type: "string" } },
                sso: object({ oidc: { type: "boolean" } }, ["oidc"]),
              },
              ["handsontableLicenseKey", "locales", "sso"],
            ),
          ),
        },
        ...problems(400, 404, 429),
      },
    },
  },
  "/api/openapi.json": {
    get: {
      operationId: "getOpenApiDocument",
      security: [],
      summary: "This document",
      responses: { 200: { description: "The OpenAPI document", ...json({ type: "object" }) }, ...problems(429) },
    },
  },
  "/api/auth/login": {
    post: {
      operationId: "login",
      security: [],
      summary:
        "Sign in. Failures are throttled per account and client (3 free, then a delay doubling per failure up to 15 minutes), per client across accounts (20 in 15 minutes) and per account (100 in 15 minutes, for clients that have failed on it): 429 with Retry-After. The right password from a client that has not failed is always checked.",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["email", "password"],
        properties: { email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 1024 } },
      }),
      responses: { 200: session, ...errors },
    },
  },
  "/api/auth/refresh": {
    post: {
      operationId: "refreshSession",
      security: [],
      summary: "Exchange a refresh token for a new pair (rotation); reusing a used token ends its whole sign-in",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["refreshToken"],
        properties: { refreshToken: { type: "string", maxLength: 512 } },
      }),
      responses: { 200: session, ...errors },
    },
  },
  "/api/auth/logout": {
    post: {
      operationId: "logout",
      summary: "End the refresh token's sign-in, or every session of the user with everywhere: true",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        properties: { refreshToken: { type: "string", maxLength: 512 }, everywhere: { type: "boolean" } },
      }),
      responses: { 204: { description: "Signed out" }, ...errors },
    },
  },
  "/api/auth/password": {
    post: {
      operationId: "changePassword",
      summary: "Change your own password; ends every other session and returns a fresh pair",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        required: ["current", "next"],
        properties: {
          current: { type: "string", maxLength: 1024 },
          next: { type: "string", minLength: 10, maxLength: 256 },
        },
      }),
      responses: { 200: session, ...errors },
    },
  },
  "/api/auth/me": {
    get: {
      operationId: "getCurrentUser",
      summary: "The signed-in user, and whether their time zone was chosen (false: still the default)",
      responses: { 200: { description: "{user, timeZoneChosen}" }, ...errors },
    },
    patch: {
      operationId: "updateOwnProfile",
      summary: "Change your own time zone and/or language (audited as user.profile)",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        minProperties: 1,
        properties: {
          timeZone: { type: "string", maxLength: 64, description: "IANA time zone" },
          locale: { enum: ["en", "zh-CN"] },
        },
      }),
      responses: { 200: { description: "{user, timeZoneChosen}" }, ...errors },
    },
  },
  "/api/auth/oidc": {
    post: {
      operationId: "loginWithOidc",
      security: [],
      summary:
        "Sign in with an OpenID Connect ID token (404 unless OIDC_ISSUER is set); roles come from the IdP's groups",
      requestBody: json(object({ idToken: { type: "string" } }, ["idToken"])),
      responses: { 200: session, ...errors },
    },
  },
  "/api/users": {
    get: {
      operationId: "listDirectoryUsers",
      summary:
        "The user directory for signed-in users (not embed tokens): active users by name with ?q= (prefix of the name, a word of it, or the email), or the users named by ?ids= (a disabled one with its name only, active: false). Never roles or credentials.",
      parameters: [
        q("q", "Prefix to search, at most 100 characters"),
        q("limit", "1-200, default 50", { type: "integer" }),
        q("cursor", "nextCursor of the previous page"),
        q("ids", "Up to 100 user ids separated by commas; not with q, limit or cursor"),
      ],
      responses: {
        200: {
          description: "{users: [{id, name, email}], nextCursor} or, with ids, {users: [{id, name, email?, active}]}",
          ...json({
            type: "object",
            properties: {
              users: {
                type: "array",
                items: object(
                  {
                    id: { type: "string" },
                    name: { type: "string" },
                    email: { type: "string" },
                    active: { type: "boolean" },
                  },
                  ["id", "name"],
                ),
              },
              nextCursor: { type: ["string", "null"] },
            },
          }),
        },
        ...errors,
      },
    },
  },
};
