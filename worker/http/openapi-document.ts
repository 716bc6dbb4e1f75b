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
import calendarEventsSchema from "../../schemas/calendar-events.schema.json";
import personalFeedSchema from "../../schemas/personal-feed.schema.json";
import webhookSchema from "../../schemas/webhook.schema.json";
import webhookAttemptSchema from "../../schemas/webhook-attempt.schema.json";
import webhookPingSchema from "../../schemas/webhook-ping.schema.json";
import { ref, HEADERS, problemResponses, tagList, tagged, AGGREGATE_RESULT, component } from "./openapi/parts";
import { adminPaths } from "./openapi/paths-admin";
import { authPaths } from "./openapi/paths-auth";
import { embedPaths } from "./openapi/paths-embed";
import { notificationsPaths } from "./openapi/paths-notifications";
import { feedsPaths } from "./openapi/paths-feeds";
import { webhookPaths } from "./openapi/paths-webhooks";
import { tablesPaths } from "./openapi/paths-tables";
import { salesPaths } from "./openapi/paths-sales";
import { inventoryPaths } from "./openapi/paths-inventory";
import { tasksPaths } from "./openapi/paths-tasks";

export function openApiDocument() {
  const defs = {
    ...(fieldSchema as { $defs: object }).$defs,
    ...(filterSchema as { $defs: object }).$defs,
    ...(grantSchema as { $defs: object }).$defs,
    ...(rateLimitsSchema as { $defs: object }).$defs,
    ...(calendarEventsSchema as { $defs: object }).$defs,
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
        CalendarEvents: component(strip(calendarEventsSchema)),
        PersonalFeed: component(strip(personalFeedSchema)),
        Webhook: component(strip(webhookSchema)),
        WebhookAttempt: component(strip(webhookAttemptSchema)),
        WebhookPing: component(strip(webhookPingSchema)),
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
      ...authPaths,
      ...tablesPaths,
      ...adminPaths,
      ...embedPaths,
      ...notificationsPaths,
      ...feedsPaths,
      ...webhookPaths,
      ...salesPaths,
      ...inventoryPaths,
      ...tasksPaths,
    }),
  };
}
