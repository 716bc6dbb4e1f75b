/** The OpenAPI document, built from the same JSON Schemas that validate requests. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
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
const problem = { description: "Problem details (RFC 9457)", content: { "application/problem+json": { schema: ref("Problem") } } };
const rateLimited = { ...problem, description: "Over a rate limit (the `policy` member names it); Retry-After says how many seconds to wait" };
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 413: problem, 422: problem, 429: rateLimited };
const session = { description: "An access token, a refresh token and the user", ...json({ type: "object", properties: { token: { type: "string" }, tokenType: { const: "Bearer" }, expiresIn: { type: "integer", description: "Access token lifetime in seconds (900)" }, refreshToken: { type: "string" }, refreshExpiresIn: { type: "integer" }, user: { type: "object" } } }) };
const throttled = { ...problem, description: "Too many failed sign-ins, or too many requests; the Retry-After header says how many seconds to wait" };
const tableParam = { name: "table", in: "path", required: true, description: "Table id or API name", schema: { type: "string" } };
const fieldParam = { name: "field", in: "path", required: true, description: "Field id or API name", schema: { type: "string" } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const q = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "query", description, schema });
const pathParam = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "string" } });
const ok = (description: string) => ({ 200: { description }, ...errors });
const object = (properties: Record<string, object>, required: string[] = []) => ({ type: "object", additionalProperties: false, required, properties });
const listParams = [
  q("filter", "JSON filter, see Filter", { type: "string" }), q("sort", "Comma-separated field names, - for descending"),
  q("limit", "1-1000, default 50", { type: "integer" }), q("cursor", "nextCursor of the previous page"), q("fields", "Comma-separated fields to return"),
  q("q", "Search text fields"), q("count", "true to include the total", { type: "boolean" }),
];
const embedSecurity = [{ embed: [] }];
/** Money: integer minor units per ISO 4217 code; an amount past 2^53 is a string of digits so it stays exact. */
const AMOUNT = { oneOf: [{ type: "integer" }, { type: "string", pattern: "^-?[0-9]+$" }] };
const MONEY = object({ amount: AMOUNT, currency: { type: "string", pattern: "^[A-Z]{3}$" } }, ["amount", "currency"]);
const MEASURES = {
  type: "object",
  description: "By measure name. count: integer. sum/avg/min/max of number, percent (basis points; avg rounded half-even) and rating: a number, null without values; min/max of date, datetime: a string. Currency: one entry per currency code present, in code order, never added across codes; avg entries add the exact sum and count, amount rounded half-even. A sum past 2^63 is refused with 422.",
  additionalProperties: { oneOf: [{ type: "null" }, { type: "number" }, { type: "string" }, { type: "array", items: { ...MONEY, properties: { ...MONEY.properties, sum: AMOUNT, count: { type: "integer" } }, required: ["amount", "currency"] } }] },
};
const AGGREGATE_RESULT = object({
  groups: { type: "array", items: object({ key: { type: "object", description: "Group field name -> value (null for the empty group; a date bucket as its first day YYYY-MM-DD; a checkbox as true/false)" }, values: MEASURES }, ["key", "values"]) },
  truncated: { type: "boolean", description: "More groups exist than `limit`" },
  totals: { ...MEASURES, description: "With totals: true, the measures over every matching record" },
}, ["groups", "truncated"]);
const PROFILE = {
  name: { type: "string", minLength: 1, maxLength: 200 }, roles: { type: "array", items: { type: "string" } },
  teams: { type: "array", items: object({ team: { type: "string" }, lead: { type: "boolean" } }, ["team"]) },
  locale: { enum: ["en", "zh-CN"] }, timeZone: { type: "string", description: "IANA time zone" },
};
const MEMBERS = { type: "array", maxItems: 1000, items: object({ user: { type: "string", pattern: "^usr_[a-z0-9]{12}$" }, lead: { type: "boolean" } }, ["user"]) };

/** $refs between our schema files become component refs. */
function component(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"(\w+)\.schema\.json"/g, (_, n: string) => `"$ref":"#/components/schemas/${n[0]!.toUpperCase()}${n.slice(1)}"`).replace(/"\$ref":"#"/g, '"$ref":"#/components/schemas/Filter"').replace(/"\$ref":"#\/\$defs\//g, '"$ref":"#/components/schemas/'));
}

function document() {
  const defs = { ...(fieldSchema as { $defs: object }).$defs, ...(filterSchema as { $defs: object }).$defs, ...(grantSchema as { $defs: object }).$defs, ...(rateLimitsSchema as { $defs: object }).$defs };
  const strip = ({ $schema: _s, $id: _i, $defs: _d, ...rest }: Record<string, unknown>) => rest;
  return {
    openapi: "3.1.0",
    info: { title: "Salesgrid API", version: "1", description: "Tables, fields and records of a Salesgrid workspace. Authenticate with POST /api/auth/login and send `Authorization: Bearer <token>`. Requests are rate limited per client address, per signed-in user and, for writes, by the records they touch (token buckets an admin sets at /api/admin/settings/rate-limits); every counted answer carries the `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers (e.g. `\"user\";q=2000;w=40` and `\"user\";r=1987;t=1`), and a refusal is 429 with Retry-After." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from /api/auth/login, /api/auth/refresh or /api/auth/oidc" },
        embed: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An embed token from POST /api/admin/embed-tokens; accepted only under /api/embed" },
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
            id: { type: "string" }, view: { type: "string", description: "View id" }, mode: { enum: ["read", "edit"] }, filter: { oneOf: [ref("Filter"), { type: "null" }] },
            label: { type: "string" }, expiresAt: { type: "string", format: "date-time" }, revokedAt: { type: ["string", "null"], format: "date-time" },
            createdBy: { type: "string" }, createdAt: { type: "string", format: "date-time" },
          },
        },
        Record: { type: "object", properties: { id: { type: "integer" }, version: { type: "integer" }, createdAt: { type: "string" }, updatedAt: { type: "string" }, fields: { type: "object" } } },
        Problem: { type: "object", properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, code: { type: "string" }, detail: { type: "string" }, errors: { type: "array", items: { type: "object", properties: { field: { type: "string" }, code: { type: "string" }, message: { type: "string" }, params: { type: "object", description: "Values the message names (limit, expected, format), for clients that word messages in their own language" } } } } } },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/auth/login": { post: { security: [], summary: "Sign in. Failures are throttled per account and client (3 free, then a delay doubling per failure up to 15 minutes), per client across accounts (20 in 15 minutes) and per account (100 in 15 minutes, for clients that have failed on it): 429 with Retry-After. The right password from a client that has not failed is always checked.", requestBody: json({ type: "object", additionalProperties: false, required: ["email", "password"], properties: { email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 1024 } } }), responses: { 200: session, ...errors, 429: throttled } } },
      "/api/auth/refresh": { post: { security: [], summary: "Exchange a refresh token for a new pair (rotation); reusing a used token ends its whole sign-in", requestBody: json({ type: "object", additionalProperties: false, required: ["refreshToken"], properties: { refreshToken: { type: "string", maxLength: 512 } } }), responses: { 200: session, ...errors } } },
      "/api/auth/logout": { post: { summary: "End the refresh token's sign-in, or every session of the user with everywhere: true", requestBody: json({ type: "object", additionalProperties: false, properties: { refreshToken: { type: "string", maxLength: 512 }, everywhere: { type: "boolean" } } }), responses: { 204: { description: "Signed out" }, ...errors } } },
      "/api/auth/password": { post: { summary: "Change your own password; ends every other session and returns a fresh pair", requestBody: json({ type: "object", additionalProperties: false, required: ["current", "next"], properties: { current: { type: "string", maxLength: 1024 }, next: { type: "string", minLength: 10, maxLength: 256 } } }), responses: { 200: session, ...errors, 429: throttled } } },
      "/api/auth/me": { get: { summary: "The signed-in user", responses: { 200: { description: "The user" }, ...errors } } },
      "/api/meta/tables": {
        get: { summary: "List tables", responses: { 200: { description: "Tables with their fields" } } },
        post: { summary: "Create a table (admin)", requestBody: json(ref("Table")), responses: { 201: { description: "Created" }, ...errors } },
      },
      "/api/meta/tables/{table}": {
        parameters: [tableParam],
        get: { summary: "A table with its fields", responses: { 200: { description: "The table" }, ...errors } },
        patch: { summary: "Rename or relabel a table (admin)", responses: { 200: { description: "The table" }, ...errors } },
        delete: { summary: "Soft-delete a table; ?purge=true drops it (admin)", parameters: [q("purge", "true to drop for good", { type: "boolean" })], responses: { 200: { description: "Deleted" }, ...errors } },
      },
      "/api/meta/tables/{table}/schema": { parameters: [tableParam], get: { summary: "The JSON Schema of a record's fields as the caller may write them", responses: ok("{schema}") } },
      "/api/meta/tables/{table}/restore": { parameters: [tableParam], post: { summary: "Restore a soft-deleted table (admin)", responses: { 200: { description: "Restored" }, ...errors } } },
      "/api/meta/tables/{table}/fields": { parameters: [tableParam], post: { summary: "Add a field (admin)", requestBody: json(ref("Field")), responses: { 201: { description: "Created" }, ...errors } } },
      "/api/meta/tables/{table}/fields/{field}": {
        parameters: [tableParam, fieldParam],
        patch: { summary: "Change a field; a type change reports values that did not convert (admin)", responses: { 200: { description: "The field and the conversion report" }, ...errors } },
        delete: { summary: "Soft-delete a field; ?purge=true drops its column (admin)", responses: { 200: { description: "Deleted" }, ...errors } },
      },
      "/api/meta/tables/{table}/fields/{field}/restore": { parameters: [tableParam, fieldParam], post: { summary: "Restore a soft-deleted field (admin)", responses: { 200: { description: "Restored" }, ...errors } } },
      "/api/tables/{table}/records": {
        parameters: [tableParam],
        get: {
          summary: "List records (keyset pagination)",
          parameters: [
            q("filter", "JSON filter, see Filter", { type: "string" }), q("sort", "Comma-separated field names, - for descending"),
            q("limit", "1-1000, default 50", { type: "integer" }), q("cursor", "nextCursor of the previous page"), q("fields", "Comma-separated fields to return"),
            q("q", "Search text fields"), q("count", "true to include the total", { type: "boolean" }), q("expand", "Link fields to expand to {id, primary}"),
          ],
          responses: { 200: { description: "{records, nextCursor, total?}" }, ...errors },
        },
        post: { summary: "Create one ({fields}) or many ({records: [{fields}]}, up to 1000)", responses: { 201: { description: "Created records" }, ...errors } },
        patch: { summary: "Update many ({records: [{id, version, fields}]}); all or none", responses: { 200: { description: "Updated records" }, ...errors } },
        delete: { summary: "Delete many ({records: [{id, version?}]}); all or none", responses: { 200: { description: "Deleted ids" }, ...errors } },
      },
      "/api/tables/{table}/records/{id}": {
        parameters: [tableParam, idParam],
        get: { summary: "One record", responses: { 200: { description: "{record}", ...json(ref("Record")) }, ...errors } },
        patch: { summary: "Update one ({version, fields}); 409 with the current record when stale", responses: { 200: { description: "{record}" }, ...errors } },
        delete: { summary: "Delete one (?version= to guard)", responses: { 200: { description: "Deleted" }, ...errors } },
      },
      "/api/tables/{table}/records/{id}/history": { parameters: [tableParam, idParam], get: { summary: "Changes of a record, newest first", responses: { 200: { description: "{history, nextBefore}" }, ...errors } } },
      "/api/tables/{table}/aggregate": {
        parameters: [tableParam],
        post: {
          summary: "Grouped measures (count, sum, avg, min, max) over the records you may read: your row rule AND filter AND q; hidden fields are unknown (400); body up to 64 KB",
          requestBody: json(ref("Aggregate")), responses: { 200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) }, ...errors },
        },
      },
      "/api/meta/views/{id}/aggregate": {
        parameters: [pathParam("id", "View id or name")],
        post: {
          summary: "Grouped measures through a view (e.g. a kanban board's column counts and sums): its filter AND yours, over its fields only",
          requestBody: json(ref("Aggregate")), responses: { 200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) }, ...errors },
        },
      },
      "/api/auth/oidc": { post: { security: [], summary: "Sign in with an OpenID Connect ID token (404 unless OIDC_ISSUER is set); roles come from the IdP's groups", requestBody: json(object({ idToken: { type: "string" } }, ["idToken"])), responses: { 200: session, ...errors } } },
      "/api/meta/views": {
        get: { summary: "Views the caller may open", parameters: [q("table", "Only views of this table (id or API name)")], responses: ok("{views}") },
        post: { summary: "Create a view (admin)", requestBody: json(ref("View")), responses: { 201: { description: "{view}" }, ...errors } },
      },
      "/api/meta/views/{id}": {
        parameters: [pathParam("id", "View id, or a name that only one view has")],
        get: { summary: "A view (404 when the caller may not open it)", responses: ok("{view}") },
        patch: { summary: "Change a view: {version, ...keys}; null removes a key (admin)", responses: ok("{view}") },
        delete: { summary: "Delete a view and revoke its embed tokens (admin)", parameters: [q("version", "The version read", { type: "integer" })], responses: ok("{deleted, id}") },
      },
      "/api/meta/views/{id}/records": {
        parameters: [pathParam("id", "View id or name")],
        get: {
          summary: "Records through a view: its filter AND yours, its columns and sort unless you narrow them",
          parameters: [...listParams, q("offset", "Rows to skip instead of a cursor", { type: "integer" }), q("expand", "Link fields the view shows to expand to {id, primary}; a linked row you cannot read comes back as {id}")],
          responses: ok("{records, nextCursor, total?}"),
        },
      },
      "/api/users": {
        get: {
          summary: "The user directory for signed-in users (not embed tokens): active users by name with ?q= (prefix of the name, a word of it, or the email), or the users named by ?ids= (a disabled one with its name only, active: false). Never roles or credentials.",
          parameters: [
            q("q", "Prefix to search, at most 100 characters"), q("limit", "1-200, default 50", { type: "integer" }), q("cursor", "nextCursor of the previous page"),
            q("ids", "Up to 100 user ids separated by commas; not with q, limit or cursor"),
          ],
          responses: { 200: { description: "{users: [{id, name, email}], nextCursor} or, with ids, {users: [{id, name, email?, active}]}", ...json({ type: "object", properties: { users: { type: "array", items: object({ id: { type: "string" }, name: { type: "string" }, email: { type: "string" }, active: { type: "boolean" } }, ["id", "name"]) }, nextCursor: { type: ["string", "null"] } } }) }, ...errors },
        },
      },
      "/api/admin/users": {
        get: { summary: "List users by email (admin)", parameters: [q("limit", "1-1000, default 200", { type: "integer" }), q("after", "nextAfter of the previous page")], responses: ok("{users, nextAfter}") },
        post: { summary: "Create a user; without a password one is generated and shown once (admin)", requestBody: json(object({ email: { type: "string", format: "email" }, ...PROFILE, password: { type: "string" } }, ["email", "name"])), responses: { 201: { description: "{user, password?}" }, ...errors } },
      },
      "/api/admin/users/{id}": {
        parameters: [pathParam("id", "User id")],
        get: { summary: "A user with roles and teams (admin)", responses: ok("{user}") },
        patch: { summary: "Change profile, roles, teams or disabled; disabling ends the user's sessions (admin)", requestBody: json(object({ ...PROFILE, disabled: { type: "boolean" } })), responses: ok("{user}") },
      },
      "/api/admin/users/{id}/password": { parameters: [pathParam("id", "User id")], post: { summary: "Set a user's password; ends their sessions (admin)", requestBody: json(object({ password: { type: "string" } }, ["password"])), responses: ok("{user, sessionsEnded}") } },
      "/api/admin/roles": {
        get: { summary: "List roles (admin)", responses: ok("{roles}") },
        post: { summary: "Create a role (admin)", requestBody: json(ref("Role")), responses: { 201: { description: "{role}" }, ...errors } },
      },
      "/api/admin/roles/{role}": {
        parameters: [pathParam("role", "Role name")],
        get: { summary: "A role (admin)", responses: ok("{role}") },
        patch: { summary: "Relabel a role (admin)", responses: ok("{role}") },
        delete: { summary: "Delete a role; its holders lose it (admin; built-in roles stay)", responses: ok("{deleted, users}") },
      },
      "/api/admin/roles/{role}/grants": { parameters: [pathParam("role", "Role name")], get: { summary: "A role's grants on every table (admin)", responses: ok("{grants}") } },
      "/api/admin/roles/{role}/grants/{table}": {
        parameters: [pathParam("role", "Role name"), tableParam],
        get: { summary: "A role's grant on a table (admin)", responses: ok("{grant}") },
        put: { summary: "Set a role's grant on a table (admin)", requestBody: json(ref("Grant")), responses: ok("{grant}") },
        delete: { summary: "Remove a role's grant on a table (admin)", responses: ok("{deleted}") },
      },
      "/api/admin/teams": {
        get: { summary: "List teams (admin)", responses: ok("{teams}") },
        post: { summary: "Create a team, optionally with members (admin)", requestBody: json(object({ name: { type: "string" }, label: { type: "string" }, members: MEMBERS }, ["name"])), responses: { 201: { description: "{team}" }, ...errors } },
      },
      "/api/admin/teams/{team}": {
        parameters: [pathParam("team", "Team id or name")],
        get: { summary: "A team with its members (admin)", responses: ok("{team}") },
        patch: { summary: "Rename or relabel a team (admin)", requestBody: json(object({ name: { type: "string" }, label: { type: "string" } })), responses: ok("{team}") },
        delete: { summary: "Delete a team (admin)", responses: ok("{deleted}") },
      },
      "/api/admin/teams/{team}/members": { parameters: [pathParam("team", "Team id or name")], put: { summary: "Replace a team's members (admin)", requestBody: json(MEMBERS), responses: ok("{team}") } },
      "/api/admin/tables/{table}/owner-field": {
        parameters: [tableParam],
        get: { summary: "The user field that owns a table's rows for own/team grants (admin)", responses: ok("{ownerField}") },
        put: { summary: "Set the owner field; null falls back to the field named owner, else created_by (admin)", requestBody: json(object({ field: { type: ["string", "null"] } }, ["field"])), responses: ok("{ownerField}") },
      },
      "/api/admin/audit": {
        get: {
          summary: "Search the audit log, newest first (admin)",
          parameters: [
            q("user", "Who acted (user id)"), q("table", "Table id or API name"), q("action", "Action or prefix, e.g. grant."), q("target", "User id, role or team the change was about"),
            q("from", "ISO 8601 date or date-time"), q("to", "ISO 8601 date or date-time"), q("limit", "1-500, default 100", { type: "integer" }), q("before", "nextBefore of the previous page", { type: "integer" }),
          ],
          responses: ok("{entries, nextBefore}"),
        },
      },
      "/api/admin/plugins": { get: { summary: "The bundled plugins and what is installed of each: version, enabled, upgrade available, settings (admin)", responses: ok("{plugins}") } },
      "/api/admin/plugins/{name}": { parameters: [pathParam("name", "Plugin name")], get: { summary: "One plugin (admin)", responses: ok("{plugin}") } },
      "/api/admin/plugins/{name}/install": {
        parameters: [pathParam("name", "Plugin name")],
        post: { summary: "Install the plugin, or upgrade it to the bundled version: only what is missing is created (tables, fields, views, grants); a view the plugin made that no admin changed takes the new version's definition (report.updated.views); admins' changes stay, nothing is dropped; running it twice changes nothing (admin; no body)", responses: ok("{report: {from, to, changed, created, updated, skipped}}") },
      },
      "/api/admin/plugins/{name}/enable": { parameters: [pathParam("name", "Plugin name")], post: { summary: "Enable a disabled plugin: its tables come back with their data (admin; no body)", responses: ok("{plugin, enabled, changed}") } },
      "/api/admin/plugins/{name}/disable": { parameters: [pathParam("name", "Plugin name")], post: { summary: "Disable a plugin: its tables are hidden, their data kept; its hooks, actions and jobs stop; refused while an enabled plugin depends on it (admin; no body)", responses: ok("{plugin, enabled, changed}") } },
      "/api/admin/plugins/{name}/settings": { parameters: [pathParam("name", "Plugin name")], put: { summary: "Replace the plugin's settings, checked against its manifest's settingsSchema (admin)", requestBody: json({ type: "object" }), responses: ok("{plugin}") } },
      "/api/actions/{plugin}/{action}": {
        parameters: [pathParam("plugin", "Plugin name"), pathParam("action", "Action name")],
        post: {
          summary: "Run a plugin action; the body is checked against the action's schema, and the action checks the caller's rights on what it touches. customers: find-duplicates {name?, phone?, email?, id?}, create {fields | records, allowDuplicate?} (a create through the records API answers 409 with `duplicates` when a customer with the same normalised name, phone or email exists), merge {keep, merge: [ids], version?}, apply-grade-rule {} (admin), overview {id}; pipeline: stage-report {pipeline?, since?}",
          requestBody: json({ type: "object" }), responses: ok("The action's result"),
        },
      },
      "/api/admin/settings/rate-limits": {
        get: { summary: "The rate limits in force and the defaults (admin)", responses: { 200: { description: "{rateLimits, defaults}", ...json(object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"])) }, ...errors } },
        put: { summary: "Replace the rate limits, audited; in force at once in the isolate that answers, within 30 seconds everywhere (admin; body up to 4 KB)", requestBody: json(ref("RateLimits")), responses: { 200: { description: "{rateLimits, defaults}", ...json(object({ rateLimits: ref("RateLimits"), defaults: ref("RateLimits") }, ["rateLimits", "defaults"])) }, ...errors } },
      },
      "/api/admin/tables/{table}/records/{id}/restore": { parameters: [tableParam, idParam], post: { summary: "Restore a deleted record from its audit history (admin)", responses: ok("{record}") } },
      "/api/admin/embed-tokens": {
        get: { summary: "List embed tokens, newest first, never with the token strings (admin)", parameters: [q("view", "Only this view's tokens (id or name)"), q("limit", "1-1000, default 200", { type: "integer" })], responses: { 200: { description: "{embeds}", ...json({ type: "object", properties: { embeds: { type: "array", items: ref("EmbedToken") } } }) }, ...errors } },
        post: {
          summary: "Mint an embed token for one view; the token is in this reply only (admin)",
          requestBody: json(object({
            view: { type: "string", description: "View id or name" }, mode: { enum: ["read", "edit"] }, filter: ref("Filter"),
            expiresAt: { type: "string", format: "date-time", description: "At most 365 days ahead; or send expiresInDays" }, expiresInDays: { type: "integer", minimum: 1, maximum: 365 },
            label: { type: "string", maxLength: 200 },
          }, ["view", "mode"])),
          responses: { 201: { description: "{token, embed}", ...json({ type: "object", properties: { token: { type: "string" }, embed: ref("EmbedToken") } }) }, ...errors },
        },
      },
      "/api/admin/embed-tokens/{id}": { parameters: [pathParam("id", "Embed token id (emb_...)")], delete: { summary: "Revoke an embed token at once (admin; revoking twice is harmless)", responses: { 200: { description: "{embed}", ...json({ type: "object", properties: { embed: ref("EmbedToken") } }) }, ...errors } } },
      "/api/embed/view": { get: { security: embedSecurity, summary: "The embedded view: its columns (with read/write access), the table and the mode", responses: ok("{view, table, mode}") } },
      "/api/embed/records": {
        get: { security: embedSecurity, summary: "Records of the embedded view: the view's filter AND the token's AND its creator's row rules; only the view's fields", parameters: listParams, responses: ok("{records, nextCursor, total?}") },
        patch: { security: embedSecurity, summary: "Update records through an edit-mode embed ({records: [{id, version, fields}]}); rows must stay inside the view and the token's filter", responses: ok("{records}") },
      },
      "/api/embed/users": {
        get: {
          security: embedSecurity, summary: "Names of users the embed shows: of the ids asked (up to 100), only those a user field of the view holds in a row the embed reads; others are left out",
          parameters: [q("ids", "User ids separated by commas")],
          responses: { 200: { description: "{users: [{id, name}]}", ...json({ type: "object", properties: { users: { type: "array", items: object({ id: { type: "string" }, name: { type: "string" } }, ["id", "name"]) } } }) }, ...errors },
        },
      },
      "/api/embed/aggregate": {
        post: {
          security: embedSecurity, summary: "Grouped measures over the embedded view's rows and fields (e.g. an embedded kanban's column counts and sums); body up to 64 KB",
          requestBody: json(ref("Aggregate")), responses: { 200: { description: "{groups, truncated, totals?}", ...json(ref("AggregateResult")) }, ...errors },
        },
      },
    },
  };
}

let cached: object | null = null;
export const openapi = new Hono<AppEnv>().get("/", (c) => c.json((cached ??= document())));
