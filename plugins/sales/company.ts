/**
 * Action `company`: the company name and logo the printed quote and order carry (the plugin's
 * settings `companyName`, `companyLogoUrl`), for anyone who may read quotes or orders. The settings
 * route is for admins only; this answers just these two values, never the others.
 */
import { accessTo, forbidden, type ActionContext } from "../../worker/plugin-sdk";

export const COMPANY_INPUT = { type: "object", additionalProperties: false, properties: {} };

export async function company(ctx: ActionContext): Promise<{ companyName: string; companyLogoUrl: string }> {
  const readable = ["quotes", "orders"].some((key) => accessTo(ctx, ctx.table(key)).may("read"));
  if (!readable) throw forbidden("read the company details of quotes and orders");
  const s = await ctx.settings();
  return {
    companyName: typeof s.companyName === "string" ? s.companyName : "",
    companyLogoUrl: typeof s.companyLogoUrl === "string" ? s.companyLogoUrl : "",
  };
}
