/** OpenAPI paths: the signed-in user's notifications, and plugins' one-off jobs for admins. */
import { errors, json, object, problems, q } from "./parts";

const LOCAL_TEXT = object({ en: { type: "string" }, "zh-CN": { type: "string" } });
const NOTIFICATION = object(
  {
    id: { type: "integer" },
    plugin: { type: "string", description: "The plugin that sent it" },
    kind: { type: "string", description: "What sort of notification, e.g. reminder" },
    title: { oneOf: [LOCAL_TEXT, { type: "null" }] },
    body: { oneOf: [LOCAL_TEXT, { type: "null" }] },
    record: {
      oneOf: [object({ table: { type: "string" }, id: { type: "integer" } }, ["table", "id"]), { type: "null" }],
      description: "The record it is about (table id and record id), when the reader may read it now",
    },
    withheld: {
      type: "boolean",
      description:
        "True when it is about a record the reader may no longer read (access lost, or the record or table deleted): title, body and record are then null",
    },
    createdAt: { type: "string", format: "date-time" },
    readAt: { type: ["string", "null"], format: "date-time" },
  },
  ["id", "plugin", "kind", "title", "body", "record", "withheld", "createdAt", "readAt"],
);
const UNREAD = object(
  {
    unread: { type: "integer", minimum: 0, maximum: 1000, description: "Counted up to 1000" },
    more: { type: "boolean", description: "More than 1000 are unread" },
  },
  ["unread", "more"],
);
const JOB = object({
  id: { type: "integer" },
  plugin: { type: "string" },
  job: { type: "string" },
  key: { type: "string" },
  state: { enum: ["queued", "done", "failed"] },
  running: { type: "boolean", description: "Claimed by a tick right now" },
  dueAt: { type: "string", format: "date-time" },
  runAt: {
    type: "string",
    format: "date-time",
    description: "Queued: when it may run next (a retry's time, a lease's end); done or failed: when it ended",
  },
  attempts: { type: "integer" },
  lastError: { type: ["string", "null"] },
  lastResult: {},
  payload: { type: "object" },
  createdAt: { type: "string", format: "date-time" },
  updatedAt: { type: "string", format: "date-time" },
});

export const notificationsPaths = {
  "/api/notifications": {
    get: {
      operationId: "listNotifications",
      summary:
        "Your notifications, newest first. One about a record you may no longer read is listed withheld: without its title, body or record.",
      parameters: [
        q("unread", "true: only unread ones", { type: "boolean" }),
        q("limit", "1-100, default 30", { type: "integer" }),
        q("cursor", "nextCursor of the previous page"),
      ],
      responses: {
        200: {
          description: "{notifications, nextCursor}",
          ...json(
            object(
              {
                notifications: { type: "array", items: NOTIFICATION },
                nextCursor: { type: ["string", "null"] },
              },
              ["notifications", "nextCursor"],
            ),
          ),
        },
        ...problems(400, 401, 429),
      },
    },
  },
  "/api/notifications/unread-count": {
    get: {
      operationId: "countUnreadNotifications",
      summary: "How many of your notifications are unread (up to 1000), for the bell",
      responses: { 200: { description: "{unread, more}", ...json(UNREAD) }, ...problems(400, 401, 429) },
    },
  },
  "/api/notifications/read": {
    post: {
      operationId: "markNotificationsRead",
      summary:
        "Mark your notifications read: the ids given (at most 500; ids that are not yours change nothing, like missing ones) or all",
      requestBody: json({
        type: "object",
        additionalProperties: false,
        properties: {
          ids: { type: "array", minItems: 1, maxItems: 500, items: { type: "integer", minimum: 1 } },
          all: { const: true },
        },
        description: "Exactly one of ids and all",
      }),
      responses: {
        200: {
          description: "{updated, unread, more}: how many changed, and the unread count after",
          ...json(object({ updated: { type: "integer" }, ...UNREAD.properties }, ["updated", "unread", "more"])),
        },
        ...errors,
      },
    },
  },
  "/api/actions/tasks/snooze-reminder": {
    post: {
      operationId: "snoozeReminder",
      summary:
        "Snooze a task reminder you got: it is marked read and fires again in 10 minutes, an hour, or tomorrow at 09:00 in your time zone (one waiting snooze per notification: the last call wins). 404 for a notification that is not your reminder about a task you may read.",
      requestBody: json(
        object(
          {
            notification: { type: "integer", minimum: 1, description: "The reminder notification's id" },
            until: { enum: ["10m", "1h", "tomorrow"] },
          },
          ["notification", "until"],
        ),
      ),
      responses: {
        200: {
          description: "{notification, snoozedUntil}",
          ...json(
            object({ notification: { type: "integer" }, snoozedUntil: { type: "string", format: "date-time" } }, [
              "notification",
              "snoozedUntil",
            ]),
          ),
        },
        ...errors,
      },
    },
  },
  "/api/actions/tasks/dismiss-reminder": {
    post: {
      operationId: "dismissReminder",
      summary:
        "Dismiss a task reminder you got: it is marked read and a snooze of it still waiting is dropped. 404 as for snooze.",
      requestBody: json(
        object({ notification: { type: "integer", minimum: 1, description: "The reminder notification's id" } }, [
          "notification",
        ]),
      ),
      responses: {
        200: {
          description: "{notification, dismissed: true}",
          ...json(
            object({ notification: { type: "integer" }, dismissed: { const: true } }, ["notification", "dismissed"]),
          ),
        },
        ...errors,
      },
    },
  },
  "/api/admin/jobs": {
    get: {
      operationId: "adminListJobs",
      summary: "Plugins' one-off jobs by state (failed by default, each with its last error), the latest first (admin)",
      parameters: [
        q("state", "queued, done or failed (default failed)", { enum: ["queued", "done", "failed"] }),
        q("plugin", "Only this plugin's jobs"),
        q("limit", "1-200, default 50", { type: "integer" }),
        q("cursor", "nextCursor of the previous page"),
      ],
      responses: {
        200: {
          description: "{jobs, nextCursor}",
          ...json(
            object({ jobs: { type: "array", items: JOB }, nextCursor: { type: ["string", "null"] } }, [
              "jobs",
              "nextCursor",
            ]),
          ),
        },
        ...problems(400, 401, 403, 429),
      },
    },
  },
};
