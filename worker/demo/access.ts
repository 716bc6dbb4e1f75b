/**
 * Who may do what in the demo workspace: one sales team (the manager leads, both reps are members)
 * and grants per role and table, so each demo login shows its role's view of the data. The grants of
 * plugin tables are the ones the plugins' manifests install; the hand-made tables' are here.
 */
import { bumpSchemaVersion, findTable, loadRegistry } from "../model/registry";
import type { FieldAccess, Grant, Level } from "../access/policy";
import { runBatch } from "../db/batch";
import { bundledPlugins } from "../plugins/catalog";
import { DEMO_PLUGINS } from "./schema";
import { DEMO_USERS } from "./users";

type Ops = Grant["ops"];
type DemoGrant = [Ops, FieldAccess, Record<string, FieldAccess>];
const ops = (read: Level, create: Level, update: Level, del: Level): Ops => ({ read, create, update, delete: del });

/** Grants of hand-made demo tables (none: tasks come from the tasks plugin, with its grants). */
const TABLE_GRANTS: Record<string, Record<string, DemoGrant>> = {};

/**
 * role -> table -> [ops, default field access, per-field access by name], plugin manifests included.
 * Computed when asked: the catalog of bundled plugins is handed in after this module loads.
 */
export function demoGrants(): Record<string, Record<string, DemoGrant>> {
  const out: Record<string, Record<string, DemoGrant>> = {};
  for (const b of bundledPlugins().filter((x) => DEMO_PLUGINS.includes(x.manifest.name))) {
    for (const [role, byTable] of Object.entries(b.manifest.grants ?? {})) {
      for (const [table, g] of Object.entries(byTable)) {
        (out[role] ??= {})[table] = [
          ops(g.read as Level, g.create as Level, g.update as Level, g.delete as Level),
          g.defaultField ?? "write",
          g.fields ?? {},
        ];
      }
    }
  }
  for (const [role, byTable] of Object.entries(TABLE_GRANTS)) Object.assign((out[role] ??= {}), byTable);
  return out;
}

export async function seedDemoAccess(db: D1Database, userIds: Map<string, string>, at: string): Promise<void> {
  const reg = await loadRegistry(db);
  const stmts: D1PreparedStatement[] = [];
  for (const [role, tables] of Object.entries(demoGrants())) {
    for (const [name, [o, defaultField, fields]] of Object.entries(tables)) {
      const table = findTable(reg, name);
      if (!table) continue;
      const byId = Object.fromEntries(
        Object.entries(fields).flatMap(([f, a]) => table.fields.filter((x) => x.name === f).map((x) => [x.id, a])),
      );
      // Plugin tables got these grants at install; an admin's later change is kept.
      stmts.push(
        db
          .prepare(
            "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (role, table_id) DO NOTHING",
          )
          .bind(role, table.id, JSON.stringify(o), JSON.stringify(byId), defaultField, at),
      );
    }
  }
  // Tasks belong to their assignee (the plugin's grants say so by rule; this makes "own" mean it too).
  const tasks = findTable(reg, "tasks");
  const assignee = tasks?.fields.find((f) => f.name === "assignee");
  if (tasks && assignee)
    stmts.push(db.prepare("UPDATE sg_tables SET owner_field_id = ?1 WHERE id = ?2").bind(assignee.id, tasks.id));
  stmts.push(
    db
      .prepare(
        "INSERT INTO sg_teams (id, name, label, created_at) VALUES ('team_east', 'east', '华东销售组 East sales', ?1) ON CONFLICT DO NOTHING",
      )
      .bind(at),
  );
  for (const u of DEMO_USERS.filter((x) => x.role === "sales_manager" || x.role === "sales_rep")) {
    stmts.push(
      db
        .prepare(
          "INSERT INTO sg_team_members (team_id, user_id, lead) VALUES ('team_east', ?1, ?2) ON CONFLICT DO NOTHING",
        )
        .bind(userIds.get(u.email)!, u.role === "sales_manager" ? 1 : 0),
    );
  }
  stmts.push(bumpSchemaVersion(db));
  await runBatch(db, stmts, { what: "Seeding the demo access" });
}
