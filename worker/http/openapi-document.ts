/**
 * The OpenAPI document, built from the same JSON Schemas that validate requests. Plain data with no
 * Worker bindings, so Node tools (the lint test) build the very document the Worker serves.
 */
import fieldSchema from "../../schemas/field.schema.json";
import tableSchema from "../../schemas/table.schema.json";
import filterSchema from "../../schemas/filter.schema.json";
import viewSchema from "../../schemas/view.schema.json";
import roleSchema from "../../schemas/role.schema.json";
import grantSchema from "../../schemas/grant.schema.json";
import aggregateSchema from "../../schemas/aggregate.schema.json";
import rateLimitsSchema from "../../schemas/rate-limits.schema.json";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
/** The shared problem+json answers (components.responses), by status; every operation refers to some of them. */
const PROBLEMS = {
  400: ["BadRequest", "The request is malformed: bad JSON, an unknown field or operator, a bad query parameter"],
  401: ["Unauthenticated", "No valid token, or the credentials are wrong"],
  403: ["Forbidden", "Signed in, but not allowed to do this"],
  404: ["NotFound", "No such route, or no such thing the caller may see"],
  409: ["Conflict", "A stale version, or a clash with existing data; nothing was written"],
  413: ["PayloadTooLarge", "The body is larger than this route accepts"],
  422: ["ValidationFailed", "Values that break the schema or a rule; `errors` names each field"],
  429: [
    "TooManyRequests",
    "Over a rate limit (the `policy` member names it: client, user or rows), or too many failed sign-ins; Retry-After says how many seconds to wait",
  ],
} as const;
type ProblemStatus = keyof typeof PROBLEMS;
const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const problems = (...statuses: ProblemStatus[]) =>
  Object.fromEntries(statuses.map((s) => [s, { $ref: `#/components/responses/${PROBLEMS[s][0]}` }]));
/** What any signed-in route may answer besides success; every API request is rate limited (http/rate-limit.ts). */
const errors = problems(400, 401, 403, 404, 409, 413, 422, 429);
const HEADERS = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 1 } },
  "WWW-Authenticate": { description: "The Bearer challenge (RFC 6750)", schema: { type: "string" } },
  RateLimit: {
    description:
      'Tokens left and seconds until full, per policy that counted the request (draft-ietf-httpapi-ratelimit-headers), e.g. `"user";r=1987;t=1`',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'Each counting policy\'s bucket size and fill time in seconds, e.g. `"user";q=2000;w=40`',
    schema: { type: "string" },
  },
};
const header = (name: keyof typeof HEADERS) => ({ [name]: { $ref: `#/components/headers/${name}` } });
/** components.responses: one per status in PROBLEMS, all with the Problem schema. */
function problemResponses() {
  const out: Record<string, object> = {};
  for (const [status, [name, description]] of Object.entries(PROBLEMS)) {
    out[name] = {
      ...problemResponse(description),
      ...(status === "401" ? { headers: header("WWW-Authenticate") } : {}),
      ...(status === "429"
        ? { headers: { ...header("Retry-After"), ...header("RateLimit"), ...header("RateLimit-Policy") } }
        : {}),
    };
  }
  return out;
}

/** Tags group operations by the first segments of their path (longest prefix wins). */
const TAGS: [prefix: string, name: string, description: string][] = [
  ["/api/health", "service", "Health, public settings for the web page and this document; no token needed"],
  ["/api/config", "service", ""],
  ["/api/openapi.json", "service", ""],
  ["/api/auth", "auth", "Sign in (password or OpenID Connect), refresh, sign out, change your password"],
  ["/api/meta/tables", "tables", "Tables and their fields (changes are for admins)"],
  ["/api/meta/views", "views", "Saved views (grid, kanban) and the records and measures through them"],
  [
    "/api/tables",
    "records",
    "Records of a table: list, read, write, history and grouped measures, within the caller's grants and row rules",
  ],
  ["/api/users", "users", "The user directory: colleagues' names for signed-in users"],
  [
    "/api/admin",
    "admin",
    "Users, roles, grants, teams, plugins, embed tokens, rate limits and the audit log (admin only)",
  ],
  ["/api/actions", "actions", "Named actions of installed plugins"],
  ["/api/embed", "embed", "One view shown through an embed token"],
];
const tagOf = (path: string) =>
  TAGS.filter(([prefix]) => path === prefix || path.startsWith(`${prefix}/`)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0]![1];
const tagList = () =>
  TAGS.filter(([, , description]) => description).map(([, name, description]) => ({ name, description }));
/** Sets each operation's tag from its path. */
function tagged<T extends Record<string, Record<string, unknown>>>(paths: T): T {
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item))
      if (method !== "parameters") (op as { tags?: string[] }).tags = [tagOf(path)];
  }
  return paths;
}
const session = {
  description: "An access token, a refresh token and the user",
  ...json({
    type: "object",
    properties: {
      token: { type: "string" },
      tokenType: { const: "Bearer" },
      expiresIn: { type: "integer", description: "Access token lifetime in seconds (900)" },
      refreshToken: { type: "string" },
      refreshExpiresIn: { type: "integer" },
      user: { type: "object" },
    },
  }),
};
const tableParam = {
  name: "table",
  in: "path",
  required: true,
  description: "Table id or API name",
  schema: { type: "string" },
};
const fieldParam = {
  name: "field",
  in: "path",
  required: true,
  description: "Field id or API name",
  schema: { type: "string" },
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const q = (name: string, description: string, schema: object = { type: "string" }) => ({
  name,
  in: "query",
  description,
  schema,
});
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const ok = (description: string) => ({ 200: { description }, ...errors });
const object = (properties: Record<string, object>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
const listParams = [
  q("filter", "JSON filter, see Filter", { type: "string" }),
  q("sort", "Comma-separated field names, - for descending"),
  q("limit", "1-1000, default 50", { type: "integer" }),
  q("cursor", "nextCursor of the previous page"),
  q("fields", "Comma-separated fields to return"),
  q("q", "Search text fields"),
  q("count", "true to include the total", { type: "boolean" }),
];
const embedSecurity = [{ embed: [] }];
/** Money: integer minor units per ISO 4217 code; an amount past 2^53 is a string of digits so it stays exact. */
const AMOUNT = { oneOf: [{ type: "integer" }, { type: "string", pattern: "^-?[0-9]+$" }] };
const MONEY = object({ amount: AMOUNT, currency: { type: "string", pattern: "^[A-Z]{3}$" } }, ["amount", "currency"]);
const MEASURES = {
  type: "object",
  description:
    "By measure name. count: integer. sum/avg/min/max of number, percent (basis points; avg rounded half-even) and rating: a number, null without values; min/max of date, datetime: a string. Currency: one entry per currency code present, in code order, never added across codes; avg entries add the exact sum and count, amount rounded half-even. A sum past 2^63 is refused with 422.",
  additionalProperties: {
    oneOf: [
      { type: "null" },
      { type: "number" },
      { type: "string" },
      {
        type: "array",
        items: {
          ...MONEY,
          properties: { ...MONEY.properties, sum: AMOUNT, count: { type: "integer" } },
          required: ["amount", "currency"],
        },
      },
    ],
  },
};
const AGGREGATE_RESULT = object(
  {
    groups: {
      type: "array",
      items: object(
        {
          key: {
            type: "object",
            description:
              "Group field name -> value (null for the empty group; a date bucket as its first day YYYY-MM-DD; a checkbox as true/false)",
          },
          values: MEASURES,
        },
        ["key", "values"],
      ),
    },
    truncated: { type: "boolean", description: "More groups exist than `limit`" },
    totals: { ...MEASURES, description: "With totals: true, the measures over every matching record" },
  },
  ["groups", "truncated"],
);
const PROFILE = {
  name: { type: "string", minLength: 1, maxLength: 200 },
  roles: { type: "array", items: { type: "string" } },
  teams: { type: "array", items: object({ team: { type: "string" }, lead: { type: "boolean" } }, ["team"]) },
  locale: { enum: ["en", "zh-CN"] },
  timeZone: { type: "string", description: "IANA time zone" },
};
const MEMBERS = {
  type: "array",
  maxItems: 1000,
  items: object({ user: { type: "string", pattern: "^usr_[a-z0-9]{12}$" }, lead: { type: "boolean" } }, ["user"]),
};

/** $refs between our schema files become component refs. */
function component(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema)
      .replace(
        /"\$ref":"(\w+)\.schema\.json"/g,
        (_, n: string) => `"$ref":"#/components/schemas/${n[0]!.toUpperCase()}${n.slice(1)}"`,
      )
      .replace(/"\$ref":"#"/g, '"$ref":"#/components/schemas/Filter"')
      .replace(/"\$ref":"#\/\$defs\//g, '"$ref":"#/components/schemas/'),
  );
}

export function openApiDocument() {
  const defs = {
    ...(fieldSchema as { $defs: object }).$defs,
    ...(filterSchema as { $defs: object }).$defs,
    ...(grantSchema as { $defs: object }).$defs,
    ...(rateLimitsSchema as { $defs: object }).$defs,
  };
  const strip = ({ $schema: _s, $id: _i, $defs: _d, ...rest }: Record<string, unknown>) => rest;
  return {
    openapi: "3.1.0",
    info: {
      title: "Salesgrid API",
      version: "1",
      description:
        'Tables, fields and records of a Salesgrid workspace. Authenticate with POST /api/auth/login and send `Authorization: Bearer <token>`. Requests are rate limited per client address, per signed-in user and, for writes, by the records they touch (token buckets an admin sets at /api/admin/settings/rate-limits); every counted answer carries the `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers (e.g. `"user";q=2000;w=40` and `"user";r=1987;t=1`), and a refusal is 429 with Retry-After. Every failure is application/problem+json (RFC 9457) with a stable `code` and `errors` naming each field at fault.',
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: "/", description: "The Worker that serves this document" }],
    tags: tagList(),
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token from /api/auth/login, /api/auth/refresh or /api/auth/oidc",
        },
        embed: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An embed token from POST /api/admin/embed-tokens; accepted only under /api/embed",
        },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, component(v as object)])),
        Field: component(strip(fieldSchema)),
        Table: component(strip(tableSchema)),
        Filter: component(strip(filterSchema)),
        View: component(strip(viewSchema)),
        Role: component(strip(roleSchema)),
        Grant: component(strip(grantSchema)),
        Aggregate: component(strip(aggregateSchema)),
        RateLimits: component(strip(rateLimitsSchema)),
        AggregateResult: AGGREGATE_RESULT,
        EmbedToken: {
          type: "object",
          properties: {
            id: { type: "string" },
            view: { type: "string", description: "View id" },
            mode: { enum: ["read", "edit"] },
            filter: { oneOf: [ref("Filter"), { type: "null" }] },
            label: { type: "string" },
            expiresAt: { type: "string", format: "date-time" },
            revokedAt: { type: ["string", "null"], format: "date-time" },
            createdBy: { type: "string" },
            createdAt: { type: "string", format: "date-time" },
          },
        },
        Record: {
          type: "object",
          properties: {
            id: { type: "integer" },
            version: { type: "integer" },
            createdAt: { type: "string" },
            updatedAt: { type: "string" },
            fields: { type: "object" },
          },
        },
        Problem: {
          type: "object",
          description:
            "Problem details (RFC 9457). Some problems add members, e.g. `policy` and `retryAfter` on a 429.",
          required: ["type", "title", "status", "code", "detail", "errors"],
          properties: {
            type: { type: "string", description: "/problems/ and the code with dashes" },
            title: { type: "string" },
            status: { type: "integer" },
            code: {
              type: "string",
              description:
                "Stable, for programs: bad_request, invalid_json, validation_failed, unknown_field, unknown_operator, unauthenticated, forbidden, not_found, conflict, version_conflict, payload_too_large, too_many_requests, unsupported_media_type, internal",
            },
            detail: { type: "string" },
            instance: { type: "string", description: "The request id" },
            errors: {
              type: "array",
              description: "What is wrong, at least one entry; field is empty when no single field is to blame",
              items: ref("FieldError"),
            },
          },
        },
        FieldError: {
          type: "object",
          required: ["field", "code", "message"],
          properties: {
            field: { type: "string", description: "Path of the value at fault, e.g. records/3/fields/amount" },
            code: { type: "string" },
            message: { type: "string" },
            params: {
              type: "object",
              additionalProperties: { type: ["string", "number"] },
              description:
                "Values the message names (limit, expected, format), for clients that word messages in their own language",
            },
          },
        },
      },
      responses: problemResponses(),
      headers: HEADERS,
    },
    security: [{ bearer: [] }],
    paths: tagged({
      "/api/health": {
        get: {
          operationId: "getHealth",
          security: [],
          summary: "Liveness and the database schema version",
          responses: {
            200: {
              description: "{status, schemaVersion}",
              ...json(
                object({ status: { const: "ok" }, schemaVersion: { type: "integer" } }, ["status", "schemaVersion"]),
              ),
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
          summary: "The signed-in user",
          responses: { 200: { description: "The user" }, ...errors },
        },
      },
      "/api/meta/tables": {
        get: {
          operationId: "listTables",
          summary: "List tables",
          responses: { 200: { description: "Tables with their fields" }, ...errors },
        },
        post: {
          operationId: "createTable",
          summary: "Create a table (admin)",
          requestBody: json(ref("Table")),
          responses: { 201: { description: "Created" }, ...errors },
        },
      },
      "/api/meta/tables/{table}": {
        parameters: [tableParam],
        get: {
          operationId: "getTable",
          summary: "A table with its fields",
          responses: { 200: { description: "The table" }, ...errors },
        },
        patch: {
          operationId: "updateTable",
          summary: "Rename or relabel a table (admin)",
          responses: { 200: { description: "The table" }, ...errors },
        },
        delete: {
          operationId: "deleteTable",
          summary: "Soft-delete a table; ?purge=true drops it (admin)",
          parameters: [q("purge", "true to drop for good", { type: "boolean" })],
          responses: { 200: { description: "Deleted" }, ...errors },
        },
      },
      "/api/meta/tables/{table}/schema": {
        parameters: [tableParam],
        get: {
          operationId: "getTableRecordSchema",
          summary: "The JSON Schema of a record's fields as the caller may write them",
          responses: ok("{schema}"),
        },
      },
      "/api/meta/tables/{table}/restore": {
        parameters: [tableParam],
        post: {
          operationId: "restoreTable",
          summary: "Restore a soft-deleted table (admin)",
          responses: { 200: { description: "Restored" }, ...errors },
        },
      },
      "/api/meta/tables/{table}/fields": {
        parameters: [tableParam],
        post: {
          operationId: "createField",
          summary: "Add a field (admin)",
          requestBody: json(ref("Field")),
          responses: { 201: { description: "Created" }, ...errors },
        },
      },
      "/api/meta/tables/{table}/fields/{field}": {
        parameters: [tableParam, fieldParam],
        patch: {
          operationId: "updateField",
          summary: "Change a field; a type change reports values that did not convert (admin)",
          responses: { 200: { description: "The field and the conversion report" }, ...errors },
        },
        delete: {
          operationId: "deleteField",
          summary: "Soft-delete a field; ?purge=true drops its column (admin)",
          responses: { 200: { description: "Deleted" }, ...errors },
        },
      },
      "/api/meta/tables/{table}/fields/{field}/restore": {
        parameters: [tableParam, fieldParam],
        post: {
          operationId: "restoreField",
          summary: "Restore a soft-deleted field (admin)",
          responses: { 200: { description: "Restored" }, ...errors },
        },
      },
      "/api/tables/{table}/records": {
        parameters: [tableParam],
        get: {
          operationId: "listRecords",
          summary: "List records (keyset pagination)",
          parameters: [
            q("filter", "JSON filter, see Filter", { type: "string" }),
            q("sort", "Comma-separated field names, - for descending"),
            q("limit", "1-1000, default 50", { type: "integer" }),
            q("cursor", "nextCursor of the previous page"),
            q("fields", "Comma-separated fields to return"),
            q("q", "Search text fields"),
            q("count", "true to include the total", { type: "boolean" }),
            q("expand", "Link fields to expand to {id, primary}"),
          ],
          responses: { 200: { description: "{records, nextCursor, total?}" }, ...errors },
        },
        post: {
          operationId: "createRecords",
          summary: "Create one ({fields}) or many ({records: [{fields}]}, up to 1000)",
          responses: { 201: { description: "Created records" }, ...errors },
        },
        patch: {
          operationId: "updateRecords",
          summary: "Update many ({records: [{id, version, fields}]}); all or none",
          responses: { 200: { description: "Updated records" }, ...errors },
        },
        delete: {
          operationId: "deleteRecords",
          summary: "Delete many ({records: [{id, version?}]}); all or none",
          responses: { 200: { description: "Deleted ids" }, ...errors },
        },
      },
      "/api/tables/{table}/records/{id}": {
        parameters: [tableParam, idParam],
        get: {
          operationId: "getRecord",
          summary: "One record",
          responses: { 200: { description: "{record}", ...json(ref("Record")) }, ...errors },
        },
        patch: {
          operationId: "updateRecord",
          summary: "Update one ({version, fields}); 409 with the current record when stale",
          responses: { 200: { description: "{record}" }, ...errors },
        },
        delete: {
          operationId: "deleteRecord",
          summary: "Delete one (?version= to guard)",
          responses: { 200: { description: "Deleted" }, ...errors },
        },
      },
      "/api/tables/{table}/records/{id}/history": {
        parameters: [tableParam, idParam],
        get: {
          operationId: "getRecordHistory",
          summary: "Changes of a record, newest first",
          responses: { 200: { description: "{history, nextBefore}" }, ...errors },
        },
      },
      "/api/tables/{table}/aggregate": {
        parameters: [tableParam],
        post: {
          operationId: "aggregateRecords",
          summary:
            "Grouped measures (count, sum, avg, min, max) over the records you may read: your row rule AND filter AND q; hidden fields are unknown (400); body up to 64 KB",
          requestBody: json(ref("Aggregate")),
          responses: {
            200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) },
            ...errors,
          },
        },
      },
      "/api/meta/views/{id}/aggregate": {
        parameters: [pathParam("id", "View id or name")],
        post: {
          operationId: "aggregateViewRecords",
          summary:
            "Grouped measures through a view (e.g. a kanban board's column counts and sums): its filter AND yours, over its fields only",
          requestBody: json(ref("Aggregate")),
          responses: {
            200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) },
            ...errors,
          },
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
      "/api/meta/views": {
        get: {
          operationId: "listViews",
          summary: "Views the caller may open",
          parameters: [q("table", "Only views of this table (id or API name)")],
          responses: ok("{views}"),
        },
        post: {
          operationId: "createView",
          summary: "Create a view (admin)",
          requestBody: json(ref("View")),
          responses: { 201: { description: "{view}" }, ...errors },
        },
      },
      "/api/meta/views/{id}": {
        parameters: [pathParam("id", "View id, or a name that only one view has")],
        get: {
          operationId: "getView",
          summary: "A view (404 when the caller may not open it)",
          responses: ok("{view}"),
        },
        patch: {
          operationId: "updateView",
          summary: "Change a view: {version, ...keys}; null removes a key (admin)",
          responses: ok("{view}"),
        },
        delete: {
          operationId: "deleteView",
          summary: "Delete a view and revoke its embed tokens (admin)",
          parameters: [q("version", "The version read", { type: "integer" })],
          responses: ok("{deleted, id}"),
        },
      },
      "/api/meta/views/{id}/records": {
        parameters: [pathParam("id", "View id or name")],
        get: {
          operationId: "listViewRecords",
          summary: "Records through a view: its filter AND yours, its columns and sort unless you narrow them",
          parameters: [
            ...listParams,
            q("offset", "Rows to skip instead of a cursor", { type: "integer" }),
            q(
              "expand",
              "Link fields the view shows to expand to {id, primary}; a linked row you cannot read comes back as {id}",
            ),
          ],
          responses: ok("{records, nextCursor, total?}"),
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
              description:
                "{users: [{id, name, email}], nextCursor} or, with ids, {users: [{id, name, email?, active}]}",
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
      "/api/admin/users": {
        get: {
          operationId: "adminListUsers",
          summary: "List users by email (admin)",
          parameters: [
            q("limit", "1-1000, default 200", { type: "integer" }),
            q("after", "nextAfter of the previous page"),
          ],
          responses: ok("{users, nextAfter}"),
        },
        post: {
          operationId: "adminCreateUser",
          summary: "Create a user; without a password one is generated and shown once (admin)",
          requestBody: json(
            object({ email: { type: "string", format: "email" }, ...PROFILE, password: { type: "string" } }, [
              "email",
              "name",
            ]),
          ),
          responses: { 201: { description: "{user, password?}" }, ...errors },
        },
      },
      "/api/admin/users/{id}": {
        parameters: [pathParam("id", "User id")],
        get: { operationId: "adminGetUser", summary: "A user with roles and teams (admin)", responses: ok("{user}") },
        patch: {
          operationId: "adminUpdateUser",
          summary: "Change profile, roles, teams or disabled; disabling ends the user's sessions (admin)",
          requestBody: json(object({ ...PROFILE, disabled: { type: "boolean" } })),
          responses: ok("{user}"),
        },
      },
      "/api/admin/users/{id}/password": {
        parameters: [pathParam("id", "User id")],
        post: {
          operationId: "adminSetUserPassword",
          summary: "Set a user's password; ends their sessions (admin)",
          requestBody: json(object({ password: { type: "string" } }, ["password"])),
          responses: ok("{user, sessionsEnded}"),
        },
      },
      "/api/admin/roles": {
        get: { operationId: "adminListRoles", summary: "List roles (admin)", responses: ok("{roles}") },
        post: {
          operationId: "adminCreateRole",
          summary: "Create a role (admin)",
          requestBody: json(ref("Role")),
          responses: { 201: { description: "{role}" }, ...errors },
        },
      },
      "/api/admin/roles/{role}": {
        parameters: [pathParam("role", "Role name")],
        get: { operationId: "adminGetRole", summary: "A role (admin)", responses: ok("{role}") },
        patch: { operationId: "adminUpdateRole", summary: "Relabel a role (admin)", responses: ok("{role}") },
        delete: {
          operationId: "adminDeleteRole",
          summary: "Delete a role; its holders lose it (admin; built-in roles stay)",
          responses: ok("{deleted, users}"),
        },
      },
      "/api/admin/roles/{role}/grants": {
        parameters: [pathParam("role", "Role name")],
        get: {
          operationId: "adminListRoleGrants",
          summary: "A role's grants on every table (admin)",
          responses: ok("{grants}"),
        },
      },
      "/api/admin/roles/{role}/grants/{table}": {
        parameters: [pathParam("role", "Role name"), tableParam],
        get: {
          operationId: "adminGetRoleGrant",
          summary: "A role's grant on a table (admin)",
          responses: ok("{grant}"),
        },
        put: {
          operationId: "adminSetRoleGrant",
          summary: "Set a role's grant on a table (admin)",
          requestBody: json(ref("Grant")),
          responses: ok("{grant}"),
        },
        delete: {
          operationId: "adminDeleteRoleGrant",
          summary: "Remove a role's grant on a table (admin)",
          responses: ok("{deleted}"),
        },
      },
      "/api/admin/teams": {
        get: { operationId: "adminListTeams", summary: "List teams (admin)", responses: ok("{teams}") },
        post: {
          operationId: "adminCreateTeam",
          summary: "Create a team, optionally with members (admin)",
          requestBody: json(
            object({ name: { type: "string" }, label: { type: "string" }, members: MEMBERS }, ["name"]),
          ),
          responses: { 201: { description: "{team}" }, ...errors },
        },
      },
      "/api/admin/teams/{team}": {
        parameters: [pathParam("team", "Team id or name")],
        get: { operationId: "adminGetTeam", summary: "A team with its members (admin)", responses: ok("{team}") },
        patch: {
          operationId: "adminUpdateTeam",
          summary: "Rename or relabel a team (admin)",
          requestBody: json(object({ name: { type: "string" }, label: { type: "string" } })),
          responses: ok("{team}"),
        },
        delete: { operationId: "adminDeleteTeam", summary: "Delete a team (admin)", responses: ok("{deleted}") },
      },
      "/api/admin/teams/{team}/members": {
        parameters: [pathParam("team", "Team id or name")],
        put: {
          operationId: "adminSetTeamMembers",
          summary: "Replace a team's members (admin)",
          requestBody: json(MEMBERS),
          responses: ok("{team}"),
        },
      },
      "/api/admin/tables/{table}/owner-field": {
        parameters: [tableParam],
        get: {
          operationId: "adminGetOwnerField",
          summary: "The user field that owns a table's rows for own/team grants (admin)",
          responses: ok("{ownerField}"),
        },
        put: {
          operationId: "adminSetOwnerField",
          summary: "Set the owner field; null falls back to the field named owner, else created_by (admin)",
          requestBody: json(object({ field: { type: ["string", "null"] } }, ["field"])),
          responses: ok("{ownerField}"),
        },
      },
      "/api/admin/audit": {
        get: {
          operationId: "adminSearchAudit",
          summary: "Search the audit log, newest first (admin)",
          parameters: [
            q("user", "Who acted (user id)"),
            q("table", "Table id or API name"),
            q("action", "Action or prefix, e.g. grant."),
            q("target", "User id, role or team the change was about"),
            q("from", "ISO 8601 date or date-time"),
            q("to", "ISO 8601 date or date-time"),
            q("limit", "1-500, default 100", { type: "integer" }),
            q("before", "nextBefore of the previous page", { type: "integer" }),
          ],
          responses: ok("{entries, nextBefore}"),
        },
      },
      "/api/admin/plugins": {
        get: {
          operationId: "adminListPlugins",
          summary:
            "The bundled plugins and what is installed of each: version, enabled, upgrade available, settings (admin)",
          responses: ok("{plugins}"),
        },
      },
      "/api/admin/plugins/{name}": {
        parameters: [pathParam("name", "Plugin name")],
        get: { operationId: "adminGetPlugin", summary: "One plugin (admin)", responses: ok("{plugin}") },
      },
      "/api/admin/plugins/{name}/install": {
        parameters: [pathParam("name", "Plugin name")],
        post: {
          operationId: "adminInstallPlugin",
          summary:
            "Install the plugin, or upgrade it to the bundled version: only what is missing is created (tables, fields, views, grants); a view the plugin made that no admin changed takes the new version's definition (report.updated.views); admins' changes stay, nothing is dropped; running it twice changes nothing (admin; no body)",
          responses: ok("{report: {from, to, changed, created, updated, skipped}}"),
        },
      },
      "/api/admin/plugins/{name}/enable": {
        parameters: [pathParam("name", "Plugin name")],
        post: {
          operationId: "adminEnablePlugin",
          summary: "Enable a disabled plugin: its tables come back with their data (admin; no body)",
          responses: ok("{plugin, enabled, changed}"),
        },
      },
      "/api/admin/plugins/{name}/disable": {
        parameters: [pathParam("name", "Plugin name")],
        post: {
          operationId: "adminDisablePlugin",
          summary:
            "Disable a plugin: its tables are hidden, their data kept; its hooks, actions and jobs stop; refused while an enabled plugin depends on it (admin; no body)",
          responses: ok("{plugin, enabled, changed}"),
        },
      },
      "/api/admin/plugins/{name}/settings": {
        parameters: [pathParam("name", "Plugin name")],
        put: {
          operationId: "adminSetPluginSettings",
          summary: "Replace the plugin's settings, checked against its manifest's settingsSchema (admin)",
          requestBody: json({ type: "object" }),
          responses: ok("{plugin}"),
        },
      },
      "/api/actions/{plugin}/{action}": {
        parameters: [pathParam("plugin", "Plugin name"), pathParam("action", "Action name")],
        post: {
          operationId: "runPluginAction",
          summary:
            "Run a plugin action; the body is checked against the action's schema, and the action checks the caller's rights on what it touches. customers: find-duplicates {name?, phone?, email?, id?}, create {fields | records, allowDuplicate?} (a create through the records API answers 409 with `duplicates` when a customer with the same normalised name, phone or email exists), merge {keep, merge: [ids], version?}, apply-grade-rule {} (admin), overview {id}; pipeline: stage-report {pipeline?, since?}",
          requestBody: json({ type: "object" }),
          responses: ok("The action's result"),
        },
      },
      "/api/admin/settings/rate-limits": {
        get: {
          operationId: "adminGetRateLimits",
          summary: "The rate limits in force and the defaults (admin)",
          responses: {
            200: {
              description: "{rateLimits, defaults}",
              ...json(
                object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"]),
              ),
            },
            ...errors,
          },
        },
        put: {
          operationId: "adminSetRateLimits",
          summary:
            "Replace the rate limits, audited; in force at once in the isolate that answers, within 30 seconds everywhere (admin; body up to 4 KB)",
          requestBody: json(ref("RateLimits")),
          responses: {
            200: {
              description: "{rateLimits, defaults}",
              ...json(
                object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"]),
              ),
            },
            ...errors,
          },
        },
      },
      "/api/admin/tables/{table}/records/{id}/restore": {
        parameters: [tableParam, idParam],
        post: {
          operationId: "adminRestoreRecord",
          summary: "Restore a deleted record from its audit history (admin)",
          responses: ok("{record}"),
        },
      },
      "/api/admin/embed-tokens": {
        get: {
          operationId: "adminListEmbedTokens",
          summary: "List embed tokens, newest first, never with the token strings (admin)",
          parameters: [
            q("view", "Only this view's tokens (id or name)"),
            q("limit", "1-1000, default 200", { type: "integer" }),
          ],
          responses: {
            200: {
              description: "{embeds}",
              ...json({ type: "object", properties: { embeds: { type: "array", items: ref("EmbedToken") } } }),
            },
            ...errors,
          },
        },
        post: {
          operationId: "adminCreateEmbedToken",
          summary: "Mint an embed token for one view; the token is in this reply only (admin)",
          requestBody: json(
            object(
              {
                view: { type: "string", description: "View id or name" },
                mode: { enum: ["read", "edit"] },
                filter: ref("Filter"),
                expiresAt: {
                  type: "string",
                  format: "date-time",
                  description: "At most 365 days ahead; or send expiresInDays",
                },
                expiresInDays: { type: "integer", minimum: 1, maximum: 365 },
                label: { type: "string", maxLength: 200 },
              },
              ["view", "mode"],
            ),
          ),
          responses: {
            201: {
              description: "{token, embed}",
              ...json({ type: "object", properties: { token: { type: "string" }, embed: ref("EmbedToken") } }),
            },
            ...errors,
          },
        },
      },
      "/api/admin/embed-tokens/{id}": {
        parameters: [pathParam("id", "Embed token id (emb_...)")],
        delete: {
          operationId: "adminRevokeEmbedToken",
          summary: "Revoke an embed token at once (admin; revoking twice is harmless)",
          responses: {
            200: { description: "{embed}", ...json({ type: "object", properties: { embed: ref("EmbedToken") } }) },
            ...errors,
          },
        },
      },
      "/api/embed/view": {
        get: {
          operationId: "getEmbedView",
          security: embedSecurity,
          summary: "The embedded view: its columns (with read/write access), the table and the mode",
          responses: ok("{view, table, mode}"),
        },
      },
      "/api/embed/records": {
        get: {
          operationId: "listEmbedRecords",
          security: embedSecurity,
          summary:
            "Records of the embedded view: the view's filter AND the token's AND its creator's row rules; only the view's fields",
          parameters: listParams,
          responses: ok("{records, nextCursor, total?}"),
        },
        patch: {
          operationId: "updateEmbedRecords",
          security: embedSecurity,
          summary:
            "Update records through an edit-mode embed ({records: [{id, version, fields}]}); rows must stay inside the view and the token's filter",
          responses: ok("{records}"),
        },
      },
      "/api/embed/users": {
        get: {
          operationId: "listEmbedUsers",
          security: embedSecurity,
          summary:
            "Names of users the embed shows: of the ids asked (up to 100), only those a user field of the view holds in a row the embed reads; others are left out",
          parameters: [q("ids", "User ids separated by commas")],
          responses: {
            200: {
              description: "{users: [{id, name}]}",
              ...json({
                type: "object",
                properties: {
                  users: {
                    type: "array",
                    items: object({ id: { type: "string" }, name: { type: "string" } }, ["id", "name"]),
                  },
                },
              }),
            },
            ...errors,
          },
        },
      },
      "/api/embed/aggregate": {
        post: {
          operationId: "aggregateEmbedRecords",
          security: embedSecurity,
          summary:
            "Grouped measures over the embedded view's rows and fields (e.g. an embedded kanban's column counts and sums); body up to 64 KB",
          requestBody: json(ref("Aggregate")),
          responses: {
            200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) },
            ...errors,
          },
        },
      },
    }),
  };
}
