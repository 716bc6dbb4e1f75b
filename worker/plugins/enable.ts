/**
 * Disable and enable. Disabling hides the plugin's tables (and the link fields other tables have
 * into them, and fields it added to other plugins' tables) by marking them deleted with one shared
 * time, which sg_plugins remembers; enabling brings back exactly what carries that time. Data stays
 * where it is: nothing is dropped. While disabled, its hooks, actions and jobs do not run.
 */
import { AppError } from "../errors";
import { auditSchema, type SchemaContext } from "../model/plan";
import { loadRegistry } from "../model/registry";
import { runSchemaBatch } from "../model/tables";
import type { Stmt } from "../query/write";
import { bundledPlugins } from "./catalog";
import { checkDependencies } from "./install";
import { loadPluginState } from "./state";

const notInstalled = (name: string) =>
  new AppError("conflict", `Plugin ${name} is not installed`, [
    { field: "plugin", code: "not_installed", message: `${name} is not installed` },
  ]);

export async function setPluginEnabled(
  ctx: SchemaContext,
  name: string,
  enabled: boolean,
): Promise<{ plugin: string; enabled: boolean; changed: boolean }> {
  const reg = await loadRegistry(ctx.db);
  const state = await loadPluginState(ctx.db, reg, true);
  const p = state.installed.get(name);
  if (!p) throw notInstalled(name);
  if (p.enabled === enabled) return { plugin: name, enabled, changed: false };
  const tableIds = new Set([...state.tables].filter(([k]) => k.startsWith(`${name}/`)).map(([, id]) => id));
  const ownFields = new Set(
    [...(state.objects.get(name) ?? new Map<string, string>())]
      .filter(([k]) => k.startsWith("field:"))
      .map(([, id]) => id),
  );
  const stmts: Stmt[] = [];
  const json = (ids: Iterable<string>) => JSON.stringify([...ids]);
  if (!enabled) {
    const dependents = bundledPlugins()
      .filter((b) => state.installed.get(b.manifest.name)?.enabled && b.manifest.dependsOn?.[name] !== undefined)
      .map((b) => b.manifest.name);
    if (dependents.length)
      throw new AppError("conflict", `Disable ${dependents.join(", ")} first: they depend on ${name}`, [
        { field: "plugin", code: "dependents", message: `${dependents.join(", ")} depend on ${name}` },
      ]);
    const tables = reg.tables.filter((t) => tableIds.has(t.id) && !t.deletedAt);
    // Fields left visible elsewhere would point into hidden tables: links into them, and fields this plugin added.
    const fields = reg.tables
      .filter((t) => !tableIds.has(t.id))
      .flatMap((t) => t.fields)
      .filter((f) => ownFields.has(f.id) || (f.type === "link" && tableIds.has(f.options.table!)));
    stmts.push(
      {
        sql: "UPDATE sg_tables SET deleted_at = ?1, updated_at = ?1, version = version + 1 WHERE id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL",
        params: [ctx.at, json(tables.map((t) => t.id))],
      },
      {
        sql: "UPDATE sg_fields SET deleted_at = ?1, updated_at = ?1 WHERE id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL",
        params: [ctx.at, json(fields.map((f) => f.id))],
      },
      {
        sql: "UPDATE sg_plugins SET enabled = 0, disabled_at = ?1, updated_at = ?1 WHERE name = ?2",
        params: [ctx.at, name],
      },
      auditSchema(ctx, "plugin.disable", null, null, {
        plugin: name,
        tables: tables.map((t) => t.name),
        fields: fields.map((f) => f.id),
      }),
    );
  } else {
    const manifest = bundledPlugins().find((b) => b.manifest.name === name)?.manifest;
    if (manifest) checkDependencies(manifest, state);
    const hiddenAt = p.disabledAt;
    const tables = reg.tables.filter((t) => tableIds.has(t.id) && t.deletedAt !== null && t.deletedAt === hiddenAt);
    for (const t of tables) {
      if (reg.tables.some((o) => o.id !== t.id && !o.deletedAt && o.name === t.name)) {
        throw new AppError("conflict", `Another table is now named ${t.name}; rename it before enabling ${name}`, [
          { field: "plugin", code: "name_taken", message: `${t.name} is taken` },
        ]);
      }
    }
    const fields = reg.tables
      .flatMap((t) => t.deletedFields)
      .filter(
        (f) =>
          f.deletedAt === hiddenAt && (ownFields.has(f.id) || (f.type === "link" && tableIds.has(f.options.table!))),
      );
    stmts.push(
      {
        sql: "UPDATE sg_tables SET deleted_at = NULL, updated_at = ?1, version = version + 1 WHERE id IN (SELECT value FROM json_each(?2))",
        params: [ctx.at, json(tables.map((t) => t.id))],
      },
      {
        sql: "UPDATE sg_fields SET deleted_at = NULL, updated_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))",
        params: [ctx.at, json(fields.map((f) => f.id))],
      },
      {
        sql: "UPDATE sg_plugins SET enabled = 1, disabled_at = NULL, updated_at = ?1 WHERE name = ?2",
        params: [ctx.at, name],
      },
      auditSchema(ctx, "plugin.enable", null, null, {
        plugin: name,
        tables: tables.map((t) => t.name),
        fields: fields.map((f) => f.id),
      }),
    );
  }
  await runSchemaBatch(ctx.db, stmts, {
    onUnique: () =>
      new AppError("conflict", `A name of ${name}'s tables or fields was taken meanwhile; rename it and try again`),
  });
  return { plugin: name, enabled, changed: true };
}
