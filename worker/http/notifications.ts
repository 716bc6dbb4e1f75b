/**
 * The signed-in user's notifications under /api/notifications (the sign-in middleware runs first;
 * embed tokens never get here): `GET /` a page newest first (`unread`, `limit`, `cursor`),
 * `GET /unread-count`, `POST /read` with `{ids}` or `{all: true}`. Only the caller's own rows are
 * ever read or changed; another user's notification answers like a missing one.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { checkInput, checkQuery, intParam } from "../audit/log";
import { badRequest, invalid } from "../errors";
import { loadRegistry } from "../model/registry";
import { listNotifications, markRead, MAX_PAGE, unreadCount } from "../notifications/store";
import { encodeCursor, idCursor } from "../query/cursor";
import { readJson } from "./body";
import { singleValues } from "./directory";
import { limitBody } from "./middleware";

export const NOTIFICATIONS_BODY_LIMIT = 16 * 1024;
export const MAX_READ_IDS = 500;

const READ = {
  type: "object",
  additionalProperties: false,
  properties: {
    ids: {
      type: "array",
      minItems: 1,
      maxItems: MAX_READ_IDS,
      items: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    },
    all: { const: true },
  },
};

/** Exactly one of ids and all. */
function readTarget(body: { ids?: number[]; all?: true }): { ids: number[] } | { all: true } {
  if (body.ids && body.all)
    throw invalid([{ field: "all", code: "exclusive", message: "Send ids or all, not both" }], "Send ids or all");
  if (body.ids) return { ids: [...new Set(body.ids)] };
  if (body.all) return { all: true };
  throw invalid(
    [{ field: "ids", code: "required", message: "Send ids (the notifications to mark read) or all: true" }],
    "Send ids or all",
  );
}

function parseUnread(raw: string | undefined): boolean {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true") return true;
  throw badRequest("unread", "unread is true or false", "type");
}

export const notifications = new Hono<AppEnv>()
  .use("*", limitBody(NOTIFICATIONS_BODY_LIMIT))
  .get("/", async (c) => {
    const query = c.req.query();
    checkQuery(query, ["unread", "limit", "cursor"]);
    singleValues(c.req.queries());
    const page = await listNotifications(c.env.DB, await loadRegistry(c.env.DB), c.get("principal"), {
      unread: parseUnread(query.unread),
      limit: intParam(query.limit, "limit", 30, 1, MAX_PAGE),
      before: idCursor(query.cursor),
    });
    return c.json({
      notifications: page.notifications,
      nextCursor: page.next === null ? null : encodeCursor([page.next]),
    });
  })
  .get("/unread-count", async (c) => {
    checkQuery(c.req.query(), []);
    return c.json(await unreadCount(c.env.DB, c.get("principal").userId));
  })
  .post("/read", async (c) => {
    checkQuery(c.req.query(), []);
    const target = readTarget(checkInput(READ, await readJson(c), "Send {ids: [...]} or {all: true}"));
    return c.json(await markRead(c.env.DB, c.get("principal").userId, target, new Date().toISOString()));
  });
