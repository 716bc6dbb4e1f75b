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
import { badRequest } from "../errors";
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
import { decodeCursor, encodeCursor } from "../query/cursor";
import { readJson } from "./body";
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
const EMPTY = { type: "object", additionalProperties: false, properties: {} };

/** A POST without a body, or with `{}`: anything else is refused rather than ignored. */
async function emptyBody(c: Context<AppEnv>): Promise<void> {
  // Hono keeps the text, so readJson reads the same body again.
  if ((await c.req.text()).trim() === "") return;
  checkInput(EMPTY, await readJson(c), "This request takes no body (or {})");
}

function parseCursor(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const v = decodeCursor(raw, 64);
  if (!Array.isArray(v) || v.length !== 1 || !Number.isSafeInteger(v[0]) || (v[0] as number) < 1)
    throw badRequest("cursor", "The cursor is not valid; start again without it", "invalid_cursor");
  return v[0] as number;
}

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
    await emptyBody(c);
    return c.json(await rotateSecret(c.env.DB, userOf(c), new Date().toISOString()));
  })
  .post("/test", async (c) => {
    checkQuery(c.req.query(), []);
    await emptyBody(c);
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
      before: parseCursor(query.cursor),
    });
    return c.json({ attempts: page.attempts, nextCursor: page.next === null ? null : encodeCursor([page.next]) });
  });
