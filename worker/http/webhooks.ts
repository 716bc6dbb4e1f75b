/**
 * The signed-in user's webhook under /api/notifications/webhook (the sign-in middleware runs first;
 * embed tokens never get here): `GET /` (never the secret), `PUT /` `{url, enabled}` (creates it and
 * shows the new secret once, or changes it), `POST /rotate` (a new secret, shown once), `DELETE /`,
 * `GET /deliveries` (the delivery log, newest first) and `POST /test` (a ping sent at once). Only the
 * caller's own webhook and log are ever read or changed: there is no user parameter.
 */
import { Hono, type Context } from "hono";
import type { WebhookPing } from "../../schemas/types";
import type { AppEnv } from "../env";
import { checkInput, checkQuery, intParam } from "../audit/log";
import {
  deleteWebhook,
  getWebhook,
  listAttempts,
  MAX_LOG_PAGE,
  MAX_URL,
  putWebhook,
  rotateSecret,
  sendPing,
  webhookInput,
} from "../notifications/webhooks";
import { encodeCursor, idCursor } from "../query/cursor";
import { emptyBody, readJson } from "./body";
import { singleValues } from "./directory";
import { limitBody } from "./middleware";

export const WEBHOOK_BODY_LIMIT = 8 * 1024;

const PUT = {
  type: "object",
  additionalProperties: false,
  required: ["url"],
  properties: {
    url: { type: "string", minLength: 1, maxLength: MAX_URL },
    enabled: { type: "boolean" },
  },
};

const userOf = (c: Context<AppEnv>) => c.get("principal").userId;

export const webhook = new Hono<AppEnv>()
  .use("*", limitBody(WEBHOOK_BODY_LIMIT))
  .get("/", async (c) => {
    checkQuery(c.req.query(), []);
    return c.json({ webhook: await getWebhook(c.env.DB, userOf(c)) });
  })
  .put("/", async (c) => {
    checkQuery(c.req.query(), []);
    const body = checkInput<{ url: string; enabled?: boolean }>(PUT, await readJson(c), "Send {url, enabled}");
    const input = webhookInput(body, c.env.WEBHOOK_ALLOW_LOCAL === "1");
    const appUrl = new URL(c.req.url).origin;
    const r = await putWebhook(c.env.DB, userOf(c), input, appUrl, new Date().toISOString());
    return r.secret ? c.json({ webhook: r.webhook, secret: r.secret }, 201) : c.json({ webhook: r.webhook });
  })
  .delete("/", async (c) => {
    checkQuery(c.req.query(), []);
    await deleteWebhook(c.env.DB, userOf(c));
    return c.body(null, 204);
  })
  .post("/rotate", async (c) => {
    checkQuery(c.req.query(), []);
    await emptyBody(c, "This request takes no body (or {})");
    return c.json(await rotateSecret(c.env.DB, userOf(c), new Date().toISOString()));
  })
  .post("/test", async (c) => {
    checkQuery(c.req.query(), []);
    await emptyBody(c, "This request takes no body (or {})");
    const run = await sendPing(c.env.DB, userOf(c), new Date());
    const ping: WebhookPing = { deliveryId: run.id, outcome: run.outcome, status: run.status, error: run.error };
    return c.json(ping);
  })
  .get("/deliveries", async (c) => {
    const query = c.req.query();
    checkQuery(query, ["limit", "cursor"]);
    singleValues(c.req.queries());
    const page = await listAttempts(c.env.DB, userOf(c), {
      limit: intParam(query.limit, "limit", 30, 1, MAX_LOG_PAGE),
      before: idCursor(query.cursor),
    });
    return c.json({ attempts: page.attempts, nextCursor: page.next === null ? null : encodeCursor([page.next]) });
  });
