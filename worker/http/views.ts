/**
 * Saved views API under /api/meta/views. Anyone signed in lists and opens the views they may open
 * (canOpenView); a view they may not open answers 404, as if it did not exist. Changes are admin-only.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin, tableAccess } from "../access";
import { invalid, notFound } from "../errors";
import { findTable, loadRegistry, type Registry } from "../model/registry";
import {
  aggregateViewRecords,
  canOpenView,
  createView,
  deleteView,
  listViewRecords,
  loadView,
  loadViews,
  updateView,
  viewReply,
  type ViewMeta,
} from "../model/views";
import { readJson } from "./body";
import { schemaContext } from "./context";
import { limitBody } from "./middleware";

/** A view definition is metadata: 64 KB holds 300 fields, a 100-condition filter and a chart spec. */
export const MAX_VIEW_BYTES = 64 * 1024;

async function openable(c: Context<AppEnv>): Promise<{ reg: Registry; view: ViewMeta }> {
  const reg = await loadRegistry(c.env.DB);
  const ref = c.req.param("id")!;
  const view = await loadView(c.env.DB, reg, ref);
  if (!view || !canOpenView(c.get("principal"), reg, view))
    throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
  return { reg, view };
}

/** For admins: any view, openable or not. */
async function existing(c: Context<AppEnv>): Promise<{ reg: Registry; view: ViewMeta }> {
  const reg = await loadRegistry(c.env.DB);
  const ref = c.req.param("id")!;
  const view = await loadView(c.env.DB, reg, ref);
  if (!view) throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
  return { reg, view };
}

export const views = new Hono<AppEnv>()
  .use("*", limitBody(MAX_VIEW_BYTES))
  .get("/", async (c) => {
    const principal = c.get("principal");
    const reg = await loadRegistry(c.env.DB);
    const ref = c.req.query("table");
    let tableId: string | undefined;
    if (ref !== undefined) {
      const table = findTable(reg, ref);
      // A table the caller cannot read does not exist for them.
      if (!table || (!principal.isAdmin && !tableAccess(principal, table, reg).may("read")))
        throw notFound(`Table ${JSON.stringify(ref.slice(0, 64))}`, "table");
      tableId = table.id;
    }
    const list = (await loadViews(c.env.DB, reg, tableId)).filter((v) => canOpenView(principal, reg, v));
    return c.json({ views: list.map((v) => viewReply(v, principal, reg)) });
  })
  .post("/", async (c) => {
    requireAdmin(c.get("principal"), "create views");
    const reg = await loadRegistry(c.env.DB);
    const view = await createView(schemaContext(c), reg, await readJson(c));
    return c.json({ view: viewReply(view, c.get("principal"), await loadRegistry(c.env.DB)) }, 201);
  })
  .get("/:id", async (c) => {
    const { reg, view } = await openable(c);
    return c.json({ view: viewReply(view, c.get("principal"), reg) });
  })
  .patch("/:id", async (c) => {
    requireAdmin(c.get("principal"), "change views");
    const { reg, view } = await existing(c);
    const reply = (v: ViewMeta) => viewReply(v, c.get("principal"), reg);
    const next = await updateView(schemaContext(c), reg, view, await readJson(c), reply);
    return c.json({ view: reply(next) });
  })
  .delete("/:id", async (c) => {
    requireAdmin(c.get("principal"), "delete views");
    const { reg, view } = await existing(c);
    const raw = c.req.query("version");
    if (raw !== undefined && !/^[1-9]\d{0,15}$/.test(raw))
      throw invalid([{ field: "version", code: "type", message: "version is a positive integer" }]);
    await deleteView(schemaContext(c), reg, view, raw === undefined ? undefined : Number(raw), (v) =>
      viewReply(v, c.get("principal"), reg),
    );
    return c.json({ deleted: true, id: view.id });
  })
  .get("/:id/records", async (c) => {
    const { reg, view } = await openable(c);
    const q = c.req.query();
    const ctx = { db: c.env.DB, principal: c.get("principal"), reg };
    return c.json(
      await listViewRecords(ctx, view, {
        filter: q.filter,
        sort: q.sort,
        limit: q.limit,
        cursor: q.cursor,
        offset: q.offset,
        fields: q.fields,
        q: q.q,
        count: q.count,
        expand: q.expand,
      }),
    );
  })
  .post("/:id/aggregate", async (c) => {
    const { reg, view } = await openable(c);
    const ctx = { db: c.env.DB, principal: c.get("principal"), reg };
    return c.json(await aggregateViewRecords(ctx, view, await readJson(c)));
  });
