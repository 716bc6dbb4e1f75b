/** OpenAPI paths: the signed-in user's webhook (notifications delivered to their own endpoint). */
import { errors, json, object, problems, q, ref } from "./parts";

const SCHEME =
  'Each notification is POSTed as JSON (`{type: "notification", deliveryId, sentAt, notification: {id, plugin, kind, language, title, body, record, url, withheld, createdAt}}`; a test is `{type: "ping", deliveryId, sentAt}`) with the headers `X-Salesgrid-Delivery` (the same on every attempt: dedupe by it), `X-Salesgrid-Attempt`, `X-Salesgrid-Timestamp` (Unix seconds) and `X-Salesgrid-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<raw body>` keyed with your secret\'s text. Check it in constant time and refuse timestamps older than 5 minutes. Title and body are in your language; a notification about a record you may no longer read is sent withheld (title, body, record and url null). A 2xx answer within 10 s delivers; a network error, timeout, 408, 429 or 5xx is retried after 1, 2, 4 ... minutes (at most an hour, or a longer Retry-After), 8 attempts in all, then failed; any other answer fails at once. Redirects are not followed. The URL must be https.';

// The shapes are schemas/webhook*.schema.json (components), the ones the Worker and the settings element use.
const WEBHOOK = ref("Webhook");
const SECRET = {
  type: "string",
  pattern: "^whsec_[0-9a-f]{64}$",
  description: "The signing secret, shown this once; keep it in the receiver",
};
const ATTEMPT = ref("WebhookAttempt");

export const webhookPaths = {
  "/api/notifications/webhook": {
    get: {
      operationId: "getWebhook",
      summary: "Your webhook (null when none); never its secret",
      description: SCHEME,
      responses: {
        200: {
          description: "{webhook}",
          ...json(object({ webhook: { oneOf: [WEBHOOK, { type: "null" }] } }, ["webhook"])),
        },
        ...problems(400, 401, 429),
      },
    },
    put: {
      operationId: "putWebhook",
      summary:
        "Set your webhook's URL (https) and whether it is on; the first time, a signing secret is made and shown once",
      description: SCHEME,
      requestBody: json(
        object(
          {
            url: {
              type: "string",
              maxLength: 2000,
              description: "https://...; no user name or password, no local or private host",
            },
            enabled: { type: "boolean", default: true },
          },
          ["url"],
        ),
      ),
      responses: {
        200: { description: "{webhook}: changed", ...json(object({ webhook: WEBHOOK }, ["webhook"])) },
        201: {
          description: "{webhook, secret}: created; the secret is shown only now",
          ...json(object({ webhook: WEBHOOK, secret: SECRET }, ["webhook", "secret"])),
        },
        ...errors,
      },
    },
    delete: {
      operationId: "deleteWebhook",
      summary: "Remove your webhook, its waiting deliveries and its log",
      responses: { 204: { description: "Removed" }, ...problems(400, 401, 404, 429) },
    },
  },
  "/api/notifications/webhook/rotate": {
    post: {
      operationId: "rotateWebhookSecret",
      summary: "A new signing secret, shown once; the old one stops signing at once (no body, or {})",
      responses: {
        200: {
          description: "{webhook, secret}",
          ...json(object({ webhook: WEBHOOK, secret: SECRET }, ["webhook", "secret"])),
        },
        ...errors,
      },
    },
  },
  "/api/notifications/webhook/test": {
    post: {
      operationId: "testWebhook",
      summary: "Send a ping to your webhook now, tried once, and answer what the receiver said (no body, or {})",
      description: SCHEME,
      responses: {
        200: {
          description: "{deliveryId, outcome, status, error}; the attempt is in the delivery log too",
          ...json(ref("WebhookPing")),
        },
        ...errors,
      },
    },
  },
  "/api/notifications/webhook/deliveries": {
    get: {
      operationId: "listWebhookDeliveries",
      summary: "Your webhook's delivery log, one entry per attempt, newest first (kept 30 days)",
      parameters: [
        q("limit", "1-100, default 30", { type: "integer" }),
        q("cursor", "nextCursor of the previous page"),
      ],
      responses: {
        200: {
          description: "{attempts, nextCursor}",
          ...json(
            object({ attempts: { type: "array", items: ATTEMPT }, nextCursor: { type: ["string", "null"] } }, [
              "attempts",
              "nextCursor",
            ]),
          ),
        },
        ...problems(400, 401, 429),
      },
    },
  },
};
