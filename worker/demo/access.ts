/**
 * Who may do what in the demo workspace: one sales team (the manager leads, both reps are members)
 * and grants per role and table, so each demo login shows its role's view of the data.
 */
import { bumpSchemaVersion, findTable, loadRegistry } from "../model/registry";
import type { Grant, Level } from "../access/policy";
import { DEMO_USERS } from "./users";

type Ops = Grant["ops"];
const ops = (read: Level, create: Level, update: Level, del: Level): Ops => ({ read, create, update, delete: del });

/** role -> table -> [ops, default field access, per-field access by name] */
export const DEMO_GRANTS: Record<string, Record<string, [Ops, Grant["defaultField"], Record<string, Grant["defaultField"]>]>> = {
  sales_manager: {
    customers: [ops("team", "all", "team", "team"), "write", {}],
    contacts: [ops("all", "all", "all", "team"), "write", {}],
    deals: [ops("team", "all", "team", "team"), "write", {}],
    tasks: [ops("team", "all", "team", "team"), "write", {}],
  },
  sales_rep: {
    customers: [ops("own", "own", "own", "none"), "write", { grade: "read" }],
    contacts: [ops("all", "all", "own", "none"), "write", {}],
    deals: [ops("own", "own", "own", "own"), "write", {}],
    tasks: [ops("own", "own", "own", "own"), "write", {}],
  },
  warehouse: {
    customers: [ops("all", "none", "none", "none"), "read", { annual_revenue: "hidden", grade: "hidden" }],
    contacts: [ops("all", "none", "none", "none"), "read", {}],
    tasks: [ops("own", "own", "own", "none"), "write", {}],
  },
  viewer: {
    customers: [ops("all", "none", "none", "none"), "read", {}],
    contacts: [ops("all", "none", "none", "none"), "read", {}],
    deals: [ops("all", "none", "none", "none"), "read", {}],
    tasks: [ops("all", "none", "none", "none"), "read", {}],
  },
};

export async function seedDemoAccess(db: D1Database, userIds: Map<string, string>, at: string): Promise<void> {
  const reg = await loadRegistry(db);
  const stmts: D1PreparedStatement[] = [];
  for (const [role, tables] of Object.entries(DEMO_GRANTS)) {
    for (const [name, [o, defaultField, fields]] of Object.entries(tables)) {
      const table = findTable(reg, name);
      if (!table) continue;
      const byId = Object.fromEntries(Object.entries(fields).map(([f, a]) => [table.fields.find((x) => x.name === f)!.id, a]));
      stmts.push(
        db.prepare("INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (role, table_id) DO NOTHING")
          .bind(role, table.id, JSON.stringify(o), JSON.stringify(byId), defaultField, at),
      );
    }
  }
  // Tasks belong to their assignee.
  const tasks = findTable(reg, "tasks");
  const assignee = tasks?.fields.find((f) => f.name === "assignee");
  if (tasks && assignee) stmts.push(db.prepare("UPDATE sg_tables SET owner_field_id = ?1 WHERE id = ?2").bind(assignee.id, tasks.id));
  stmts.push(db.prepare("INSERT INTO sg_teams (id, name, label, created_at) VALUES ('team_east', 'east', '华东销售组 East sales', ?1) ON CONFLICT DO NOTHING").bind(at));
  for (const u of DEMO_USERS.filter((x) => x.role === "sales_manager" || x.role === "sales_rep")) {
    stmts.push(
      db.prepare("INSERT INTO sg_team_members (team_id, user_id, lead) VALUES ('team_east', ?1, ?2) ON CONFLICT DO NOTHING")
        .bind(userIds.get(u.email)!, u.role === "sales_manager" ? 1 : 0),
    );
  }
  stmts.push(bumpSchemaVersion(db));
  await db.batch(stmts);
}
