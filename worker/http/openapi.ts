/** The OpenAPI document, built from the same JSON Schemas that validate requests. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import fieldSchema from "../../schemas/field.schema.json";
import tableSchema from "../../schemas/table.schema.json";
import filterSchema from "../../schemas/filter.schema.json";
import viewSchema from "../../schemas/view.schema.json";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const problem = { description: "Problem details (RFC 9457)", content: { "application/problem+json": { schema: ref("Problem") } } };
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 413: problem, 422: problem };
const session = { description: "An access token, a refresh token and the user", ...json({ type: "object", properties: { token: { type: "string" }, tokenType: { const: "Bearer" }, expiresIn: { type: "integer", description: "Access token lifetime in seconds (900)" }, refreshToken: { type: "string" }, refreshExpiresIn: { type: "integer" }, user: { type: "object" } } }) };
const throttled = { ...problem, description: "Too many failed sign-ins; the Retry-After header says how many seconds to wait" };
const tableParam = { name: "table", in: "path", required: true, description: "Table id or API name", schema: { type: "string" } };
const fieldParam = { name: "field", in: "path", required: true, description: "Field id or API name", schema: { type: "string" } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const q = (name: string, description: string, schema: object = { type: "string" }) => ({ name, in: "query", description, schema });

/** $refs between our schema files become component refs. */
function component(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"(\w+)\.schema\.json"/g, (_, n: string) => `"$ref":"#/components/schemas/${n[0]!.toUpperCase()}${n.slice(1)}"`).replace(/"\$ref":"#"/g, '"$ref":"#/components/schemas/Filter"').replace(/"\$ref":"#\/\$defs\//g, '"$ref":"#/components/schemas/'));
}

function document() {
  const defs = { ...(fieldSchema as { $defs: object }).$defs, ...(filterSchema as { $defs: object }).$defs };
  const strip = ({ $schema: _s, $id: _i, $defs: _d, ...rest }: Record<string, unknown>) => rest;
  return {
    openapi: "3.1.0",
    info: { title: "Salesgrid API", version: "1", description: "Tables, fields and records of a Salesgrid workspace. Authenticate with POST /api/auth/login and send `Authorization: Bearer <token>`." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        ...Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, component(v as object)])),
        Field: component(strip(fieldSchema)),
        Table: component(strip(tableSchema)),
        Filter: component(strip(filterSchema)),
        View: component(strip(viewSchema)),
        Record: { type: "object", properties: { id: { type: "integer" }, version: { type: "integer" }, createdAt: { type: "string" }, updatedAt: { type: "string" }, fields: { type: "object" } } },
        Problem: { type: "object", properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, code: { type: "string" }, detail: { type: "string" }, errors: { type: "array", items: { type: "object", properties: { field: { type: "string" }, code: { type: "string" }, message: { type: "string" } } } } } },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/auth/login": { post: { security: [], summary: "Sign in; 5 failures per account or 20 per client in 15 minutes give 429 with Retry-After", requestBody: json({ type: "object", additionalProperties: false, required: ["email", "password"], properties: { email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 1024 } } }), responses: { 200: session, 429: throttled, ...errors } } },
      "/api/auth/refresh": { post: { security: [], summary: "Exchange a refresh token for a new pair (rotation); reusing a used token ends its whole sign-in", requestBody: json({ type: "object", additionalProperties: false, required: ["refreshToken"], properties: { refreshToken: { type: "string", maxLength: 512 } } }), responses: { 200: session, ...errors } } },
      "/api/auth/logout": { post: { summary: "End the refresh token's sign-in, or every session of the user with everywhere: true", requestBody: json({ type: "object", additionalProperties: false, properties: { refreshToken: { type: "string", maxLength: 512 }, everywhere: { type: "boolean" } } }), responses: { 204: { description: "Signed out" }, ...errors } } },
      "/api/auth/password": { post: { summary: "Change your own password; ends every other session and returns a fresh pair", requestBody: json({ type: "object", additionalProperties: false, required: ["current", "next"], properties: { current: { type: "string", maxLength: 1024 }, next: { type: "string", minLength: 10, maxLength: 256 } } }), responses: { 200: session, 429: throttled, ...errors } } },
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
    },
  };
}

let cached: object | null = null;
export const openapi = new Hono<AppEnv>().get("/", (c) => c.json((cached ??= document())));
