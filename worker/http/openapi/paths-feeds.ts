/** OpenAPI paths: ICS feeds (a user's personal feed, admins' published calendar views) and the feed itself. */
import { errors, json, object, problems, ref } from "./parts";

/** schemas/personal-feed.schema.json, the shape the Worker and the profile page use. */
const STATUS = ref("PersonalFeed");
const URL_ONCE = {
  type: "string",
  format: "uri",
  description: "The feed's address, holding its token: shown in this reply only (only a hash is kept)",
};
const VIEW_REF = object({ id: { type: "string" }, name: { type: "string" } }, ["id", "name"]);
const EMPTY = { type: "object", additionalProperties: false, properties: {} };

export const feedsPaths = {
  "/api/feeds/{file}": {
    get: {
      operationId: "getFeed",
      summary:
        "An ICS feed (RFC 5545) for calendar apps: no bearer token, the address is the secret. A personal feed holds its owner's tasks and events, a published view that view's events, as the owner (or the admin who published it) may read them now: 90 days back to a year ahead, a series whole as RRULE with EXDATE and RECURRENCE-ID overrides, at most 5000 events. A guessed, revoked, replaced or malformed token, and a disabled owner's, all answer the same 404.",
      security: [],
      parameters: [
        {
          name: "file",
          in: "path",
          required: true,
          description: "`<token>.ics`",
          schema: { type: "string", pattern: "^[a-z0-9]+\\.ics$" },
        },
      ],
      responses: {
        200: {
          description: "The calendar",
          content: { "text/calendar": { schema: { type: "string" } } },
        },
        ...problems(404, 429),
      },
    },
  },
  "/api/feeds/personal": {
    get: {
      operationId: "getPersonalFeed",
      summary: "Whether your personal feed is on (never its address: that is shown once, when turned on)",
      responses: {
        200: { description: "{feed}", ...json(object({ feed: STATUS }, ["feed"])) },
        ...problems(400, 401, 429),
      },
    },
    post: {
      operationId: "enablePersonalFeed",
      summary:
        "Turns your personal feed on, replacing (revoking) any earlier one: the reply holds the new address, shown this once",
      requestBody: { required: false, ...json(EMPTY) },
      responses: {
        201: {
          description: "{url, feed}",
          ...json(object({ url: URL_ONCE, feed: STATUS }, ["url", "feed"])),
        },
        ...problems(400, 401, 413, 422, 429),
      },
    },
    delete: {
      operationId: "revokePersonalFeed",
      summary: "Revokes your personal feed: its address answers 404 from now on (revoking twice is not an error)",
      responses: {
        200: { description: "{feed}", ...json(object({ feed: STATUS }, ["feed"])) },
        ...problems(400, 401, 429),
      },
    },
  },
  "/api/feeds/views": {
    get: {
      operationId: "listPublishedViewFeeds",
      summary: "Calendar views published as feeds (admins)",
      responses: {
        200: {
          description: "{feeds}",
          ...json(
            object(
              {
                feeds: {
                  type: "array",
                  items: object(
                    {
                      id: { type: "string" },
                      view: object(
                        {
                          id: { type: "string" },
                          name: { type: "string" },
                          label: { type: "string" },
                          table: { type: "string" },
                        },
                        ["id", "name", "label"],
                      ),
                      publishedBy: object({ id: { type: "string" }, name: { type: ["string", "null"] } }, [
                        "id",
                        "name",
                      ]),
                      createdAt: { type: "string", format: "date-time" },
                    },
                    ["id", "view", "publishedBy", "createdAt"],
                  ),
                },
              },
              ["feeds"],
            ),
          ),
        },
        ...problems(400, 401, 403, 429),
      },
    },
    post: {
      operationId: "publishViewFeed",
      summary:
        "Publishes a calendar view as a feed (admins), replacing its earlier address: read as you (the publisher) may read it at each fetch. The reply holds the address, shown this once.",
      requestBody: {
        required: true,
        ...json({
          type: "object",
          additionalProperties: false,
          required: ["view"],
          properties: {
            view: { type: "string", minLength: 1, maxLength: 64, description: "A calendar view's id or name" },
          },
        }),
      },
      responses: {
        201: {
          description: "{url, feed}",
          ...json(
            object(
              {
                url: URL_ONCE,
                feed: object(
                  { id: { type: "string" }, view: VIEW_REF, createdAt: { type: "string", format: "date-time" } },
                  ["id", "view", "createdAt"],
                ),
              },
              ["url", "feed"],
            ),
          ),
        },
        ...errors,
      },
    },
  },
  "/api/feeds/views/{view}": {
    delete: {
      operationId: "revokeViewFeed",
      summary: "Revokes a view's published feed (admins); revoking twice is not an error",
      parameters: [
        { name: "view", in: "path", required: true, description: "The view's id or name", schema: { type: "string" } },
      ],
      responses: {
        200: {
          description: "{feed}",
          ...json(object({ feed: object({ view: VIEW_REF, active: { const: false } }, ["view", "active"]) }, ["feed"])),
        },
        ...problems(400, 401, 403, 404, 429),
      },
    },
  },
};
