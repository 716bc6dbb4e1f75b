/**
 * GET /api/config: what the web page needs before and after sign-in that is not a secret: the grid's
 * licence key (the HANDSONTABLE_LICENSE_KEY var, Handsontable's evaluation key by default), the UI
 * languages and whether single sign-on is on. Open (no token), since the sign-in screen reads it.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { checkQuery } from "../audit/log";
import { AppError } from "../errors";

export const DEFAULT_HANDSONTABLE_KEY = "non-commercial-and-evaluation";
export const UI_LOCALES = ["en", "zh-CN"] as const;

export const config = new Hono<AppEnv>()
  .get("/", (c) => {
    checkQuery(c.req.query(), []);
    c.header("Cache-Control", "no-cache");
    return c.json({
      handsontableLicenseKey: c.env.HANDSONTABLE_LICENSE_KEY?.trim() || DEFAULT_HANDSONTABLE_KEY,
      locales: UI_LOCALES,
      sso: { oidc: Boolean(c.env.OIDC_ISSUER) },
    });
  })
  .all("/", (c) => {
    throw new AppError(
      "not_found",
      `No route for ${c.req.method} ${new URL(c.req.url).pathname}; /api/config answers GET only`,
    );
  });
