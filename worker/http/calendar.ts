/**
 * A calendar view's events: `GET /api/meta/views/{id}/events?from=&to=&limit=` (mounted beside the
 * views API). A view the caller may not open answers 404, as the views API does.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { checkQuery } from "../audit/log";
import { calendarEvents } from "../calendar/events";
import { notFound } from "../errors";
import { loadRegistry } from "../model/registry";
import { canOpenView, loadView } from "../model/views";
import { singleValues } from "./directory";

export const EVENT_PARAMS = ["from", "to", "limit"];

export const calendar = new Hono<AppEnv>().get("/:id/events", async (c) => {
  const reg = await loadRegistry(c.env.DB);
  const ref = c.req.param("id");
  const view = await loadView(c.env.DB, reg, ref);
  const principal = c.get("principal");
  if (!view || !canOpenView(principal, reg, view)) throw notFound(`View ${JSON.stringify(ref.slice(0, 64))}`, "view");
  const q = c.req.query();
  checkQuery(q, EVENT_PARAMS);
  singleValues(c.req.queries());
  return c.json(await calendarEvents({ db: c.env.DB, principal, reg }, view, q));
});
