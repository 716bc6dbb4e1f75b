/** OpenAPI paths: The embed API (embed tokens only). */
import { ref, json, errors, q, ok, object, listParams, embedSecurity, eventParams, CALENDAR_EVENTS } from "./parts";

export const embedPaths = {
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
  "/api/embed/events": {
    get: {
      operationId: "listEmbedEvents",
      security: embedSecurity,
      summary: "Events of an embedded calendar view for [from, to): the embed's rows and fields only",
      parameters: eventParams,
      responses: { 200: { description: "{events, truncated}", ...json(CALENDAR_EVENTS) }, ...errors },
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
};
