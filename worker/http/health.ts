import { Hono } from "hono";
import type { AppEnv } from "../env";

export const health = new Hono<AppEnv>().get("/", async (c) => {
  const row = await c.env.DB.prepare("SELECT value FROM sg_settings WHERE key = 'schema_version'").first<{
    value: string;
  }>();
  return c.json({ status: "ok", schemaVersion: Number(row?.value ?? 0) });
});
