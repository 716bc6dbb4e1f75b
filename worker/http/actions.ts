/** Plugin actions: POST /api/actions/{plugin}/{action} with a JSON body (the action's schema checks it). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { loadRegistry } from "../model/registry";
import { runAction } from "../plugins/actions";
import { readJson } from "./body";

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

export const actions = new Hono<AppEnv>().post("/:plugin/:action", async (c) => {
  const plugin = c.req.param("plugin");
  const action = c.req.param("action");
  if (!NAME.test(plugin) || !NAME.test(action))
    throw notFound(`Action ${JSON.stringify(`${plugin}/${action}`.slice(0, 100))}`, "action");
  const body = await readJson(c);
  const reg = await loadRegistry(c.env.DB);
  const result = await runAction(
    { db: c.env.DB, reg, principal: c.get("principal"), requestId: c.get("requestId") ?? null },
    plugin,
    action,
    body,
  );
  return c.json(result as object);
});
