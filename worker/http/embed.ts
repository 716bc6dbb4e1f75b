/**
 * The embed API under /api/embed, for `<sg-grid token="...">` in an intranet page. It takes only
 * embed tokens (`Authorization: Bearer <embed token>`) and checks them itself, so it is mounted before
 * the sign-in middleware; sign-in tokens are refused here, as embed tokens are everywhere else.
 * Every request re-reads the token's row and its creator, then narrows the creator's access to the
 * view (access/embed.ts) and hands that narrowing to the ordinary read and write pipelines.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { embedScope, type EmbedScope } from "../access/embed";
import { checkQuery } from "../audit/log";
import { verifyEmbedToken, type EmbedSession } from "../auth/embed";
import { AppError, forbidden } from "../errors";
import { loadRegistry, type Registry } from "../model/registry";
import { loadView, viewReply, type ViewMeta } from "../model/views";
import { aggregateRecords, MAX_AGGREGATE_BYTES } from "../records/aggregate";
import { listRecords } from "../records/read";
import { visibleUserIds } from "../records/visible-users";
import { updateRecords } from "../records/write";
import { usersByIds } from "../auth/directory";
import { readJson } from "./body";
import { parseUserIds, singleValues } from "./directory";
import { fieldView } from "./meta";
import { limitBody } from "./middleware";
import { chargeRows } from "./rate-limit";
import { calendarEvents } from "../calendar/events";
import { EVENT_PARAMS } from "./calendar";

/** Edits of one page of a grid: 1 MB is ample, and far below the record API's limit. */
export const EMBED_BODY_LIMIT = 1024 * 1024;
const LIST_PARAMS = ["filter", "sort", "limit", "cursor", "offset", "q", "count", "fields"];

interface Opened {
  session: EmbedSession;
  reg: Registry;
  view: ViewMeta;
  scope: EmbedScope;
}

async function open(c: Context<AppEnv>): Promise<Opened> {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) {
    throw new AppError(
      "unauthenticated",
      "Send the embed token as `Authorization: Bearer <token>`; an admin mints one at POST /api/admin/embed-tokens",
      [],
      {},
      { "WWW-Authenticate": 'Bearer realm="salesgrid-embed"' },
    );
  }
  const session = await verifyEmbedToken(c.env, match[1]);
  const reg = await loadRegistry(c.env.DB);
  const view = await loadView(c.env.DB, reg, session.embed.viewId);
  // Deleting a view revokes its tokens in the same batch; this covers a row that outlived it anyway.
  if (!view || view.id !== session.embed.viewId)
    throw new AppError("unauthenticated", "The embed token's view no longer exists");
  c.set("principal", session.principal);
  return { session, reg, view, scope: embedScope(session.principal, reg, view, session.embed) };
}

export const embed = new Hono<AppEnv>()
  .use("*", limitBody(EMBED_BODY_LIMIT))
  .get("/view", async (c) => {
    const { session, reg, view, scope } = await open(c);
    checkQuery(c.req.query(), []);
    const inScope = new Set(scope.fields.map((f) => f.name));
    // The view's filter and roles stay on the server: the page needs columns and order, not the rules.
    const {
      filter: _filter,
      roles: _roles,
      createdBy: _by,
      fields: _fields,
      sort,
      groupBy,
      layout,
      ...rest
    } = viewReply(view, session.principal, reg);
    const shownLayout = layout && {
      ...layout,
      ...(layout.columnWidths
        ? {
            columnWidths: Object.fromEntries(Object.entries(layout.columnWidths).filter(([name]) => inScope.has(name))),
          }
        : {}),
      ...(layout.dateField && !inScope.has(layout.dateField) ? { dateField: undefined } : {}),
      ...(layout.sumField && !inScope.has(layout.sumField) ? { sumField: undefined } : {}),
      ...(layout.swimlaneField && !inScope.has(layout.swimlaneField) ? { swimlaneField: undefined } : {}),
      ...(layout.endField && !inScope.has(layout.endField) ? { endField: undefined } : {}),
      ...(layout.titleField && !inScope.has(layout.titleField) ? { titleField: undefined } : {}),
      ...(layout.colorField && !inScope.has(layout.colorField) ? { colorField: undefined } : {}),
    };
    const primary = scope.fields.find((f) => f.id === scope.table.primaryFieldId);
    return c.json({
      view: {
        ...rest,
        fields: scope.fields.map((f) => f.name),
        ...(sort ? { sort: sort.filter((s) => inScope.has(s.field)) } : {}),
        ...(groupBy && inScope.has(groupBy) ? { groupBy } : {}),
        ...(shownLayout ? { layout: shownLayout } : {}),
      },
      table: {
        id: scope.table.id,
        name: scope.table.name,
        label: scope.table.label,
        labels: scope.table.labels,
        primaryFieldId: primary?.id ?? null,
        fields: scope.fields.map((f) => ({ ...fieldView(f), access: scope.access.canWrite(f) ? "write" : "read" })),
        access: { read: scope.access.may("read"), create: false, update: scope.access.may("update"), delete: false },
      },
      mode: session.embed.mode,
    });
  })
  .get("/records", async (c) => {
    const { session, reg, view, scope } = await open(c);
    const q = c.req.query();
    checkQuery(q, LIST_PARAMS);
    // The view's order unless the caller sorts; keys outside the embed's fields are dropped, since
    // the cursor would carry their values.
    const sort =
      q.sort ??
      view.definition.sort
        ?.filter((s) => scope.fields.some((f) => f.id === s.field))
        .map((s) => `${s.direction === "desc" ? "-" : ""}${s.field}`)
        .join(",");
    const ctx = { db: c.env.DB, principal: session.principal, reg, narrow: scope.narrow };
    return c.json(
      await listRecords(ctx, scope.table, {
        filter: q.filter,
        sort: sort || undefined,
        limit: q.limit,
        cursor: q.cursor,
        offset: q.offset,
        q: q.q,
        count: q.count,
        fields: q.fields,
      }),
    );
  })
  .patch("/records", async (c) => {
    const { session, reg, scope } = await open(c);
    checkQuery(c.req.query(), []);
    if (session.embed.mode !== "edit")
      throw forbidden("update records through this embed", "This embed token is read-only");
    const ctx = {
      db: c.env.DB,
      principal: session.principal,
      reg,
      requestId: c.get("requestId") ?? null,
      narrow: scope.narrow,
      embedId: session.embed.id,
    };
    // Counted against the embed token's row budget (http/rate-limit.ts).
    const body = await readJson(c);
    await chargeRows(c, body);
    return c.json(await updateRecords(ctx, scope.table, body));
  })
  // A calendar view's events: the same narrowing as the records.
  .get("/events", async (c) => {
    const { session, reg, view, scope } = await open(c);
    const q = c.req.query();
    checkQuery(q, EVENT_PARAMS);
    singleValues(c.req.queries());
    const ctx = { db: c.env.DB, principal: session.principal, reg, narrow: scope.narrow };
    return c.json(await calendarEvents(ctx, view, q));
  })
  // A kanban's column counts and sums: the same narrowing as the records (fields, rows), so the
  // sums match the cards the embed shows.
  .post("/aggregate", limitBody(MAX_AGGREGATE_BYTES), async (c) => {
    const { session, reg, scope } = await open(c);
    checkQuery(c.req.query(), []);
    const ctx = { db: c.env.DB, principal: session.principal, reg, narrow: scope.narrow };
    return c.json(await aggregateRecords(ctx, scope.table, await readJson(c)));
  })
  // Names of the people on the embed's cards, never a directory: only ids that a user field the embed
  // reads holds in a row the embed reads; any other id is left out as if it did not exist.
  .get("/users", async (c) => {
    const { session, reg, scope } = await open(c);
    const q = c.req.query();
    checkQuery(q, ["ids"]);
    singleValues(c.req.queries());
    const ids = parseUserIds(q.ids);
    const ctx = { db: c.env.DB, principal: session.principal, reg, narrow: scope.narrow };
    const visible = await visibleUserIds(ctx, scope.table, ids);
    const users = await usersByIds(c.env.DB, [...visible]);
    return c.json({ users: users.map((u) => ({ id: u.id, name: u.name })) });
  })
  .all("*", (c) => {
    throw new AppError(
      "not_found",
      `No route for ${c.req.method} ${new URL(c.req.url).pathname}; the embed API has GET /view, GET /records, GET /events, PATCH /records, POST /aggregate and GET /users`,
    );
  });
