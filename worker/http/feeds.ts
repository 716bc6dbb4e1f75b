/**
 * ICS feeds (worker/feeds). `feedsOpen` serves GET /api/feeds/<token>.ics without bearer auth (a
 * calendar app holds only the URL): every token that opens nothing gets the same 404 from the same
 * path. `feeds` (signed in) manages them: a user's own personal feed at /api/feeds/personal (turn on:
 * the URL is in this one reply; status; revoke), and admins' published calendar views at
 * /api/feeds/views. Each change is one batch with its audit row.
 */
import { Hono, type Context } from "hono";
import type { PersonalFeed } from "../../schemas/types";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { auditRow, checkInput, checkQuery } from "../audit/log";
import { runBatch } from "../db/batch";
import { AppError, invalid, notFound } from "../errors";
import { serveFeed } from "../feeds/serve";
import {
  activateStatements,
  activePersonalFeed,
  activeViewFeed,
  activeViewFeeds,
  hashToken,
  newFeedToken,
  revokeStatement,
} from "../feeds/tokens";
import { loadRegistry } from "../model/registry";
import { loadView, loadViews } from "../model/views";
import { emptyBody, readJson } from "./body";
import { schemaContext } from "./context";
import { limitBody } from "./middleware";

/** A feed request's body is tiny: `{}` or `{view}`. */
const MAX_BODY = 4 * 1024;

const NO_FEED = "No feed at this address";

export const feedsOpen = new Hono<AppEnv>().get("/:file{.+\\.ics}", async (c) => {
  const file = c.req.param("file");
  const token = file.slice(0, -".ics".length);
  const body = await serveFeed(c.env.DB, token, new URL(c.req.url).host);
  if (body === null) throw new AppError("not_found", NO_FEED);
  return c.body(body, 200, {
    "content-type": "text/calendar; charset=utf-8",
    "cache-control": "private, no-cache",
    "x-robots-tag": "noindex",
  });
});

/** A personal feed's status (schemas/personal-feed.schema.json): on since `createdAt`, or off (null). */
const personalFeed = (createdAt: string | null): PersonalFeed => ({ active: createdAt !== null, createdAt });

const feedUrl = (c: Context<AppEnv>, token: string) => `${new URL(c.req.url).origin}/api/feeds/${token}.ics`;

const PUBLISH = {
  type: "object",
  additionalProperties: false,
  required: ["view"],
  properties: { view: { type: "string", minLength: 1, maxLength: 64 } },
};

export const feeds = new Hono<AppEnv>()
  .use("*", limitBody(MAX_BODY))
  .get("/personal", async (c) => {
    checkQuery(c.req.query(), []);
    const feed = await activePersonalFeed(c.env.DB, c.get("principal").userId);
    return c.json({ feed: personalFeed(feed?.createdAt ?? null) });
  })
  .post("/personal", async (c) => {
    checkQuery(c.req.query(), []);
    await emptyBody(c, "A personal feed takes no options");
    const ctx = schemaContext(c);
    const token = newFeedToken();
    const { id, statements } = activateStatements(ctx.db, {
      kind: "personal",
      userId: ctx.userId,
      viewId: null,
      hash: await hashToken(token),
      at: ctx.at,
    });
    await runBatch(ctx.db, [...statements, auditRow(ctx, "feed.enable", { target: id, kind: "personal" })], {
      what: "Turning the feed on",
    });
    c.header("Cache-Control", "no-store");
    return c.json({ url: feedUrl(c, token), feed: personalFeed(ctx.at) }, 201);
  })
  .delete("/personal", async (c) => {
    checkQuery(c.req.query(), []);
    const ctx = schemaContext(c);
    const feed = await activePersonalFeed(ctx.db, ctx.userId);
    // Revoking what is not on is not an error, and writes nothing.
    if (feed)
      await runBatch(
        ctx.db,
        [
          revokeStatement(ctx.db, "personal", ctx.userId, ctx.at),
          auditRow(ctx, "feed.revoke", { target: feed.id, kind: "personal" }),
        ],
        { what: "Revoking the feed" },
      );
    return c.json({ feed: personalFeed(null) });
  })
  .get("/views", async (c) => {
    requireAdmin(c.get("principal"), "list published feeds");
    checkQuery(c.req.query(), []);
    const reg = await loadRegistry(c.env.DB);
    const rows = await activeViewFeeds(c.env.DB);
    const views = new Map((await loadViews(c.env.DB, reg)).map((v) => [v.id, v]));
    const list = [];
    for (const r of rows) {
      const view = r.viewId ? views.get(r.viewId) : undefined;
      if (!view) continue;
      list.push({
        id: r.id,
        view: { id: view.id, name: view.name, label: view.definition.label ?? view.name, table: view.table?.name },
        publishedBy: { id: r.userId, name: r.publisherName },
        createdAt: r.createdAt,
      });
    }
    return c.json({ feeds: list });
  })
  .post("/views", async (c) => {
    requireAdmin(c.get("principal"), "publish a view as a feed");
    checkQuery(c.req.query(), []);
    const body = await readJson(c);
    // The schema would report a missing view at the body's root; name the field instead.
    if (typeof body === "object" && body !== null && !Array.isArray(body) && !("view" in body))
      throw invalid(
        [{ field: "view", code: "required", message: "Name the calendar view to publish" }],
        "The feed is invalid",
      );
    const input = checkInput<{ view: string }>(PUBLISH, body, "The feed is invalid");
    const ctx = schemaContext(c);
    const reg = await loadRegistry(ctx.db);
    const view = await loadView(ctx.db, reg, input.view);
    if (!view) throw notFound(`View ${JSON.stringify(input.view.slice(0, 64))}`, "view");
    if (view.definition.type !== "calendar" || !view.table || view.table.deletedAt)
      throw invalid(
        [
          {
            field: "view",
            code: "not_calendar",
            message: `Only a calendar view of a live table can be published as a feed; ${view.name} is a ${view.definition.type}`,
          },
        ],
        "The feed is invalid",
      );
    const token = newFeedToken();
    const { id, statements } = activateStatements(ctx.db, {
      kind: "view",
      userId: ctx.userId,
      viewId: view.id,
      hash: await hashToken(token),
      at: ctx.at,
    });
    await runBatch(
      ctx.db,
      [
        ...statements,
        auditRow(ctx, "feed.publish", { target: id, kind: "view", view: view.id }, { tableId: view.tableId }),
      ],
      { what: "Publishing the feed" },
    );
    c.header("Cache-Control", "no-store");
    return c.json(
      { url: feedUrl(c, token), feed: { id, view: { id: view.id, name: view.name }, createdAt: ctx.at } },
      201,
    );
  })
  .delete("/views/:view", async (c) => {
    requireAdmin(c.get("principal"), "revoke a published feed");
    checkQuery(c.req.query(), []);
    const ctx = schemaContext(c);
    const reg = await loadRegistry(ctx.db);
    const ref = c.req.param("view");
    const view = await loadView(ctx.db, reg, ref);
    if (!view) throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
    const active = await activeViewFeed(ctx.db, view.id);
    if (active)
      await runBatch(
        ctx.db,
        [
          revokeStatement(ctx.db, "view", view.id, ctx.at),
          auditRow(
            ctx,
            "feed.unpublish",
            { target: active.id, kind: "view", view: view.id },
            { tableId: view.tableId },
          ),
        ],
        { what: "Revoking the feed" },
      );
    return c.json({ feed: { view: { id: view.id, name: view.name }, active: false } });
  });
