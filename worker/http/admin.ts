/**
 * The admin API under /api/admin: users, roles, teams, grants, owner fields, embed tokens, settings
 * (the rate limits), the audit log and record restore. Every route checks requireAdmin itself, naming its
 * action in the 403. Bodies here are small (a grant, a user), so they get a tighter limit than the record API's.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { queryAudit } from "../audit/query";
import { loadRegistry, requireTable } from "../model/registry";
import { restoreRecord } from "../records/restore";
import { adminOwnerField, adminRoles, adminTeams } from "./admin-access";
import { adminUsers } from "./admin-users";
import { adminPlugins } from "./admin-plugins";
import { adminEmbed } from "./admin-embed";
import { adminSettings } from "./admin-settings";
import { adminJobs } from "./admin-jobs";
import { recordId } from "./context";
import { limitBody } from "./middleware";

export const ADMIN_BODY_LIMIT = 256 * 1024;

export const admin = new Hono<AppEnv>()
  .use("*", limitBody(ADMIN_BODY_LIMIT))
  .route("/users", adminUsers)
  .route("/roles", adminRoles)
  .route("/teams", adminTeams)
  .route("/tables", adminOwnerField)
  .route("/plugins", adminPlugins)
  .route("/embed-tokens", adminEmbed)
  .route("/settings", adminSettings)
  .route("/jobs", adminJobs)
  .get("/audit", async (c) => {
    requireAdmin(c.get("principal"), "read the audit log");
    return c.json(await queryAudit(c.env.DB, await loadRegistry(c.env.DB), c.req.query()));
  })
  .post("/tables/:table/records/:id/restore", async (c) => {
    const principal = c.get("principal");
    requireAdmin(principal, "restore records");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    const id = recordId(c.req.param("id"));
    return c.json(
      await restoreRecord({ db: c.env.DB, principal, reg, requestId: c.get("requestId") ?? null }, table, id),
    );
  });
