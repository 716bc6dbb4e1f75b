/**
 * Admin API for access: roles, teams and their members, grants per role and table, and each table's
 * owner field. Routes parse and shape; the work is in access/roles.ts, teams.ts and grants-store.ts.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../access/roles";
import { createTeam, deleteTeam, getTeam, listTeams, setMembers, updateTeam } from "../access/teams";
import { deleteGrant, getGrant, listGrants, ownerFieldView, putGrant, setOwnerField } from "../access/grants-store";
import type { AdminContext } from "../audit/log";
import { loadRegistry, requireTable } from "../model/registry";
import { readJson } from "./body";
import { schemaContext } from "./context";

function adminContext(c: Context<AppEnv>, action: string): AdminContext {
  requireAdmin(c.get("principal"), action);
  return schemaContext(c);
}

export const adminRoles = new Hono<AppEnv>()
  .get("/", async (c) => {
    adminContext(c, "list roles");
    return c.json({ roles: await listRoles(c.env.DB) });
  })
  .post("/", async (c) => {
    const ctx = adminContext(c, "create roles");
    return c.json({ role: await createRole(ctx, await readJson(c)) }, 201);
  })
  .get("/:role", async (c) => {
    adminContext(c, "view roles");
    return c.json({ role: await getRole(c.env.DB, c.req.param("role")) });
  })
  .patch("/:role", async (c) => {
    const ctx = adminContext(c, "change roles");
    return c.json({ role: await updateRole(ctx, c.req.param("role"), await readJson(c)) });
  })
  .delete("/:role", async (c) => {
    const ctx = adminContext(c, "delete roles");
    return c.json(await deleteRole(ctx, c.req.param("role")));
  })
  .get("/:role/grants", async (c) => {
    adminContext(c, "view grants");
    return c.json({ grants: await listGrants(c.env.DB, await loadRegistry(c.env.DB), c.req.param("role")) });
  })
  .get("/:role/grants/:table", async (c) => {
    adminContext(c, "view grants");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ grant: await getGrant(c.env.DB, c.req.param("role"), table, reg) });
  })
  .put("/:role/grants/:table", async (c) => {
    const ctx = adminContext(c, "set grants");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ grant: await putGrant(ctx, c.req.param("role"), table, await readJson(c), reg) });
  })
  .delete("/:role/grants/:table", async (c) => {
    const ctx = adminContext(c, "delete grants");
    const { table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json(await deleteGrant(ctx, c.req.param("role"), table));
  });

export const adminTeams = new Hono<AppEnv>()
  .get("/", async (c) => {
    adminContext(c, "list teams");
    return c.json({ teams: await listTeams(c.env.DB) });
  })
  .post("/", async (c) => {
    const ctx = adminContext(c, "create teams");
    return c.json({ team: await createTeam(ctx, await readJson(c)) }, 201);
  })
  .get("/:team", async (c) => {
    adminContext(c, "view teams");
    return c.json({ team: await getTeam(c.env.DB, c.req.param("team")) });
  })
  .patch("/:team", async (c) => {
    const ctx = adminContext(c, "change teams");
    return c.json({ team: await updateTeam(ctx, c.req.param("team"), await readJson(c)) });
  })
  .delete("/:team", async (c) => {
    const ctx = adminContext(c, "delete teams");
    return c.json(await deleteTeam(ctx, c.req.param("team")));
  })
  .put("/:team/members", async (c) => {
    const ctx = adminContext(c, "change team members");
    return c.json({ team: await setMembers(ctx, c.req.param("team"), await readJson(c)) });
  });

/** /api/admin/tables/{table}/owner-field */
export const adminOwnerField = new Hono<AppEnv>()
  .get("/:table/owner-field", async (c) => {
    adminContext(c, "view owner fields");
    const { table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ ownerField: ownerFieldView(table) });
  })
  .put("/:table/owner-field", async (c) => {
    const ctx = adminContext(c, "set owner fields");
    const { table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ ownerField: await setOwnerField(ctx, table, await readJson(c)) });
  });
