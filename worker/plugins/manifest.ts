/**
 * Plugin manifests: checked against schemas/plugin.schema.json, then what a schema cannot say
 * (unique keys, links, views and grants naming tables the plugin or its dependencies have).
 */
import pluginSchema from "../../schemas/plugin.schema.json";
import tableSchema from "../../schemas/table.schema.json";
import fieldSchema from "../../schemas/field.schema.json";
import viewSchema from "../../schemas/view.schema.json";
import grantSchema from "../../schemas/grant.schema.json";
import filterSchema from "../../schemas/filter.schema.json";
import type { PluginManifest } from "../../schemas/types";
import { invalid, type FieldError } from "../errors";
import { validate } from "../model/validate";

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b` (major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0) ? -1 : 1;
  return 0;
}

/** Every table a manifest may refer to: its own (`key`) and its dependencies' (`plugin/key`). */
function knownTables(m: PluginManifest, others: Map<string, PluginManifest>): Set<string> {
  const out = new Set((m.tables ?? []).map((t) => t.name));
  for (const dep of Object.keys(m.dependsOn ?? {}))
    for (const t of others.get(dep)?.tables ?? []) out.add(`${dep}/${t.name}`);
  return out;
}

export function validateManifest(raw: unknown, others: Map<string, PluginManifest> = new Map()): PluginManifest {
  const schemaErrors = validate(pluginSchema, raw, "", [
    tableSchema,
    fieldSchema,
    viewSchema,
    grantSchema,
    filterSchema,
  ]);
  if (schemaErrors.length) throw invalid(schemaErrors.slice(0, 100), "The plugin manifest is invalid");
  const m = raw as PluginManifest;
  const errors: FieldError[] = [];
  const tables = knownTables(m, others);
  const seen = new Set<string>();
  (m.tables ?? []).forEach((t, i) => {
    if (seen.has(t.name))
      errors.push({ field: `tables/${i}/name`, code: "duplicate", message: `Table ${t.name} appears twice` });
    seen.add(t.name);
    const names = new Set<string>();
    (t.fields ?? []).forEach((f, j) => {
      if (names.has(f.name))
        errors.push({
          field: `tables/${i}/fields/${j}/name`,
          code: "duplicate",
          message: `Field ${f.name} appears twice in ${t.name}`,
        });
      names.add(f.name);
      if (f.type === "link" && !tables.has(f.options?.table ?? "")) {
        errors.push({
          field: `tables/${i}/fields/${j}/options/table`,
          code: "unknown_table",
          message: `No table ${f.options?.table} in this plugin or its dependencies`,
        });
      }
    });
  });
  (m.fields ?? []).forEach((x, i) => {
    if (!tables.has(x.table) || !x.table.includes("/"))
      errors.push({
        field: `fields/${i}/table`,
        code: "unknown_table",
        message: `${x.table} is not a table of a dependency`,
      });
    if (x.field.type === "link" && !tables.has(x.field.options?.table ?? ""))
      errors.push({
        field: `fields/${i}/field/options/table`,
        code: "unknown_table",
        message: `No table ${x.field.options?.table}`,
      });
  });
  (m.views ?? []).forEach((v, i) => {
    if (!tables.has(v.table))
      errors.push({
        field: `views/${i}/table`,
        code: "unknown_table",
        message: `No table ${v.table} in this plugin or its dependencies`,
      });
  });
  for (const [role, byTable] of Object.entries(m.grants ?? {})) {
    for (const t of Object.keys(byTable))
      if (!tables.has(t))
        errors.push({ field: `grants/${role}/${t}`, code: "unknown_table", message: `No table ${t}` });
  }
  if (m.settings && m.settingsSchema) errors.push(...validate(m.settingsSchema, m.settings, "settings"));
  if (errors.length) throw invalid(errors.slice(0, 100), `The manifest of plugin ${m.name} is invalid`);
  return m;
}
