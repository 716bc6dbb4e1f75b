/**
 * Install and upgrade: the manifest is compared, key by key, with what the plugin created before
 * (sg_plugin_objects). Only what is missing is created: new tables, new fields, new views, grants of
 * new role/table pairs; anything created earlier stays exactly as admins left it (renamed, changed,
 * even deleted), and nothing is dropped. The one exception: a view the plugin made and no admin has
 * changed since (no `view.update` in the audit log) takes the new version's definition, so a
 * shipped board gains e.g. its column sums. Tables, fields and grants go in ONE batch with the object
 * records, so a failed install leaves nothing behind; views follow, each in its own batch, and a view
 * created by a run that stopped before recording it is adopted by name on the next run.
 */
import type { FieldInput, PluginManifest, ViewInput } from "../../schemas/types";
import { checkGrant, type TableLookup } from "../access/grants-store";
import { AppError, invalid } from "../errors";
import { createTableSql } from "../model/ddl";
import { conflict, PRESENTATION_OPTIONS } from "../model/definitions";
import { newId } from "../model/names";
import { auditSchema, cloneTable, ddl, planField, type SchemaContext } from "../model/plan";
import { findTable, loadRegistry, type Registry } from "../model/registry";
import { runSchemaBatch } from "../model/tables";
import type { FieldMeta, TableMeta } from "../model/types";
import { createView, loadView, loadViews, upgradeView, viewChangedByAdmin, viewReplacement } from "../model/views";
import type { Stmt } from "../query/write";
import type { Principal } from "../auth/principal";
import { bundledPlugin, manifestsByName } from "./catalog";
import { runEffects } from "./effects";
import { makeRuntime } from "./runtime";
import { compareVersions, validateManifest } from "./manifest";
import { absoluteRef, bindTable, loadPluginState, type PluginState } from "./state";
import type { BoundTable } from "./types";

export interface InstallReport {
  plugin: string;
  from: string | null;
  to: string;
  changed: boolean;
  created: { tables: string[]; fields: string[]; views: string[]; grants: string[] };
  /** Presentation options added to fields an earlier version created (`plugin/table.field.option`). */
  optionsAdded: string[];
  /** Views the plugin made earlier, untouched by admins, brought to this version's definition. */
  updated: { views: string[] };
  /** What the manifest has but this run left alone, and why (e.g. an admin deleted the table). */
  skipped: { key: string; reason: string }[];
}

const PRIMARY_TYPES = new Set<FieldMeta["type"]>(["text", "email", "phone", "url", "autonumber", "number", "date"]);

/** Dependencies must be installed, enabled and at least the version asked for. */
export function checkDependencies(m: PluginManifest, state: PluginState): void {
  for (const [dep, min] of Object.entries(m.dependsOn ?? {})) {
    const p = state.installed.get(dep);
    const problem = !p
      ? "is not installed"
      : !p.enabled
        ? "is disabled"
        : compareVersions(p.version, min) < 0
          ? `is at ${p.version}; ${min} or later is needed`
          : null;
    if (problem)
      throw new AppError("conflict", `Plugin ${m.name} needs ${dep} ${min}+, which ${problem}`, [
        { field: `dependsOn/${dep}`, code: "dependency", message: `${dep} ${problem}` },
      ]);
  }
}

const recordObject = (plugin: string, version: string, at: string, kind: string, key: string, id: string): Stmt => ({
  sql: "INSERT INTO sg_plugin_objects (plugin, kind, key, object_id, version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (plugin, kind, key) DO NOTHING",
  params: [plugin, kind, key, id, version, at],
});

export async function installPlugin(ctx: SchemaContext, name: string, principal: Principal): Promise<InstallReport> {
  const bundled = bundledPlugin(name);
  const m = validateManifest(bundled.manifest, manifestsByName());
  const reg = await loadRegistry(ctx.db);
  const state = await loadPluginState(ctx.db, reg, true);
  const existing = state.installed.get(name) ?? null;
  if (existing && compareVersions(existing.version, m.version) > 0) {
    throw new AppError("conflict", `${name} ${existing.version} is installed, newer than the bundled ${m.version}`, [
      { field: "version", code: "downgrade", message: "Downgrades are not supported" },
    ]);
  }
  if (existing && !existing.enabled)
    throw new AppError("conflict", `Plugin ${name} is disabled; enable it before upgrading`, [
      { field: "plugin", code: "disabled", message: `${name} is disabled` },
    ]);
  checkDependencies(m, state);
  const report: InstallReport = {
    plugin: name,
    from: existing?.version ?? null,
    to: m.version,
    changed: false,
    created: { tables: [], fields: [], views: [], grants: [] },
    optionsAdded: [],
    updated: { views: [] },
    skipped: [],
  };
  const stmts = await planTablesAndGrants(ctx, m, reg, state, report);
  const settings = { ...(m.settings ?? {}), ...(existing?.settings ?? {}) };
  const settingsChanged = JSON.stringify(settings) !== JSON.stringify(existing?.settings ?? null);
  if (stmts.length || !existing || existing.version !== m.version || settingsChanged) {
    stmts.push(
      {
        sql: `INSERT INTO sg_plugins (name, version, enabled, settings, installed_at, updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?4)
              ON CONFLICT (name) DO UPDATE SET version = excluded.version, settings = excluded.settings, updated_at = excluded.updated_at`,
        params: [name, m.version, JSON.stringify(settings), ctx.at],
      },
      auditSchema(ctx, existing ? "plugin.upgrade" : "plugin.install", null, null, {
        plugin: name,
        from: existing?.version ?? null,
        to: m.version,
        created: report.created,
      }),
    );
    await runInstallBatch(ctx.db, stmts, name);
    report.changed = true;
  }
  await installViews(ctx, m, report, existing?.version ?? null);
  if (!existing && report.changed && bundled.server.onInstall) {
    const fresh = await loadRegistry(ctx.db);
    const rt = makeRuntime(
      { db: ctx.db, reg: fresh, principal, requestId: ctx.requestId },
      await loadPluginState(ctx.db, fresh, true),
      name,
      ctx.at,
    );
    await runEffects(ctx.db, await bundled.server.onInstall(rt));
  }
  return report;
}

async function runInstallBatch(db: D1Database, stmts: Stmt[], name: string): Promise<void> {
  await runSchemaBatch(db, stmts, { what: `Installing ${name}` });
}

async function planTablesAndGrants(
  ctx: SchemaContext,
  m: PluginManifest,
  reg: Registry,
  state: PluginState,
  report: InstallReport,
): Promise<Stmt[]> {
  const name = m.name;
  const stmts: Stmt[] = [];
  const record = (kind: string, key: string, id: string) =>
    stmts.push(recordObject(name, m.version, ctx.at, kind, key, id));
  const mine = state.objects.get(name) ?? new Map<string, string>();
  // A working registry: tables created by this run are visible to the links of later ones.
  const work: Registry = { ...reg, tables: [...reg.tables] };
  const working = new Map<string, TableMeta>();
  const newTables = new Map<string, string>();
  const newFields = new Map<string, FieldMeta>();
  /** Inverse link fields this install creates on the other side, by key (`products/products.quote_lines`). */
  const newInverse = new Map<string, string>();
  const tableIdOf = (ref: string) => newTables.get(absoluteRef(name, ref)) ?? state.tables.get(absoluteRef(name, ref));
  const copyOf = (id: string): TableMeta | undefined => {
    if (!working.has(id)) {
      const live = findTable(reg, id);
      if (!live) return undefined;
      working.set(id, cloneTable(live));
    }
    return working.get(id);
  };

  const addField = (tableAbs: string, tableId: string, f: FieldInput, path: string) => {
    const key = `${tableAbs}.${f.name}`;
    if (newFields.has(key)) return;
    if (state.fields.has(key)) return fillPresentation(key, tableId, state.fields.get(key)!, f);
    const table = copyOf(tableId)!;
    const clash = table.fields.find((x) => x.name === f.name);
    if (clash) {
      // An admin made a field with this name before the plugin shipped it: same type, it is adopted as is.
      if (clash.type !== f.type)
        throw conflict(
          `${path}/name`,
          `${table.name} already has a ${clash.type} field ${f.name}; rename it, then upgrade ${name}`,
        );
      record("field", key, clash.id);
      return;
    }
    let input = f;
    let targetAbs: string | null = null;
    if (f.type === "link") {
      targetAbs = absoluteRef(name, f.options!.table!);
      const target = tableIdOf(f.options!.table!);
      if (!target || !copyOf(target))
        throw conflict(`${path}/options/table`, `The link target ${targetAbs} is not installed or was deleted`);
      input = { ...f, options: { ...f.options, table: target } };
    }
    const planned = planField(table, input, work, ctx.at, path, working);
    stmts.push(...planned.stmts);
    record("field", key, planned.field.id);
    newFields.set(key, planned.field);
    report.created.fields.push(key);
    if (targetAbs) {
      const inverseKey = `${targetAbs}.${f.options?.inverseName ?? table.name}`;
      record("field", inverseKey, planned.field.options.inverseField!);
      newInverse.set(inverseKey, planned.field.options.inverseField!);
      report.created.fields.push(inverseKey);
    }
  };

  /**
   * An existing field gains the presentation options (how forms edit it) this version adds, when it
   * still has the manifest's type and does not have the option yet; an option it has, whether the
   * plugin or an admin set it, stays as it is, and nothing that shapes stored values is touched.
   */
  const fillPresentation = (key: string, tableId: string, fieldId: string, f: FieldInput) => {
    const live = copyOf(tableId)?.fields.find((x) => x.id === fieldId);
    if (!live || live.type !== f.type) return;
    const added = PRESENTATION_OPTIONS.filter((k) => f.options?.[k] !== undefined && live.options[k] === undefined);
    if (!added.length) return;
    const options = { ...live.options, ...Object.fromEntries(added.map((k) => [k, f.options![k]])) };
    stmts.push(
      {
        sql: "UPDATE sg_fields SET options = ?1, updated_at = ?2, version = version + 1 WHERE id = ?3",
        params: [JSON.stringify(options), ctx.at, live.id],
      },
      auditSchema(ctx, "field.update", tableId, live.id, {
        plugin: name,
        optionsAdded: Object.fromEntries(added.map((k) => [k, f.options![k]])),
      }),
    );
    live.options = options;
    report.optionsAdded.push(...added.map((k) => `${key}.${k}`));
  };

  (m.tables ?? []).forEach((t, i) => {
    const abs = `${name}/${t.name}`;
    const recorded = state.tables.get(abs);
    if (recorded) {
      if (!findTable(reg, recorded)) {
        report.skipped.push({
          key: abs,
          reason: "The table was deleted; restore it to receive this version's additions",
        });
        return;
      }
      (t.fields ?? []).forEach((f, j) => addField(abs, recorded, f, `tables/${i}/fields/${j}`));
      return;
    }
    if (findTable(work, t.name))
      throw conflict(`tables/${i}/name`, `A table named ${t.name} already exists; rename it, then install ${name}`);
    const table: TableMeta = {
      id: newId("tbl"),
      name: t.name,
      label: t.label ?? t.labels?.en ?? t.name,
      labels: t.labels ?? {},
      description: t.description ?? "",
      primaryFieldId: null,
      ownerFieldId: null,
      slots: 1,
      plugin: name,
      deletedAt: null,
      createdAt: ctx.at,
      updatedAt: ctx.at,
      version: 1,
      fields: [],
      deletedFields: [],
    };
    work.tables.push(table);
    working.set(table.id, table);
    newTables.set(abs, table.id);
    stmts.push(
      {
        sql: "INSERT INTO sg_tables (id, name, label, labels, description, slots, plugin, created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?7)",
        params: [
          table.id,
          table.name,
          table.label,
          JSON.stringify(table.labels),
          table.description,
          name,
          ctx.at,
          ctx.userId,
        ],
      },
      ...createTableSql(table.id).map(ddl),
    );
    record("table", t.name, table.id);
    report.created.tables.push(abs);
    (t.fields ?? []).forEach((f, j) => addField(abs, table.id, f, `tables/${i}/fields/${j}`));
    const primary =
      table.fields.find((f) => f.name === t.primaryField) ??
      table.fields.find((f) => PRIMARY_TYPES.has(f.type)) ??
      null;
    stmts.push(
      {
        sql: "UPDATE sg_tables SET primary_field_id = ?1, slots = ?2 WHERE id = ?3",
        params: [primary?.id ?? null, table.slots, table.id],
      },
      auditSchema(ctx, "table.create", table.id, null, {
        plugin: name,
        name: table.name,
        fields: table.fields.map((f) => ({ id: f.id, name: f.name, type: f.type })),
      }),
    );
  });
  (m.fields ?? []).forEach((x, i) => {
    const id = tableIdOf(x.table);
    if (!id || !copyOf(id))
      return report.skipped.push({
        key: `${x.table}.${x.field.name}`,
        reason: "The table is not installed or was deleted",
      });
    addField(x.table, id, x.field, `fields/${i}/field`);
  });
  // Slot counts of existing tables that grew a new slot were updated by planField itself.

  const roles = new Set(
    (await ctx.db.prepare("SELECT name FROM sg_roles").all<{ name: string }>()).results.map((r) => r.name),
  );
  for (const [role, byTable] of Object.entries(m.grants ?? {})) {
    for (const [ref, body] of Object.entries(byTable)) {
      const abs = absoluteRef(name, ref);
      const key = `${role}:${abs}`;
      const id = tableIdOf(ref);
      const table = id ? copyOf(id) : undefined;
      if (!table) continue;
      if (!mine.has(`grant:${key}`)) {
        if (!roles.has(role)) {
          report.skipped.push({ key, reason: `No role ${role}` });
          continue;
        }
        const g = grantOf(body, table, copyOf, `grants/${role}/${ref}`);
        stmts.push({
          sql: "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (role, table_id) DO NOTHING",
          params: [role, table.id, JSON.stringify(g.ops), JSON.stringify(g.fields), g.defaultField, ctx.at],
        });
        record("grant", key, `${role}:${table.id}`);
        report.created.grants.push(key);
        // A dependency's table may have its own plugin's grant for the role already (the insert then does
        // nothing): the fields this install adds to it still get this manifest's access, below.
      }
      // An existing grant keeps every entry an admin set; fields new in this version get the manifest's access.
      for (const [fieldKey, access] of Object.entries(body.fields ?? {})) {
        const fid = newFields.get(`${abs}.${fieldKey}`)?.id ?? newInverse.get(`${abs}.${fieldKey}`);
        if (!fid) continue;
        stmts.push({
          sql: "UPDATE sg_grants SET fields = json_set(fields, ?1, ?2), updated_at = ?5 WHERE role = ?3 AND table_id = ?4 AND json_type(fields, ?1) IS NULL",
          params: [`$."${fid}"`, access, role, table.id, ctx.at],
        });
      }
    }
  }
  return stmts;
}

/**
 * A manifest grant checked against the tables as this install leaves them; problems name their place in the manifest.
 */
function grantOf(body: unknown, table: TableMeta, tables: TableLookup, at: string) {
  try {
    return checkGrant(body, table, tables);
  } catch (err) {
    if (!(err instanceof AppError) || !err.errors.length) throw err;
    throw invalid(
      err.errors.map((e) => ({ ...e, field: `${at}/${e.field}` })),
      err.message,
    );
  }
}

/** A manifest view with field keys replaced by the ids of the fields they became. */
function resolveView(v: ViewInput, t: BoundTable): ViewInput {
  const id = (key: string) => t.maybeField(key)?.id ?? key;
  const filter = (f: unknown): unknown => {
    if (!f || typeof f !== "object") return f;
    const o = f as Record<string, unknown>;
    if (Array.isArray(o.and)) return { and: o.and.map(filter) };
    if (Array.isArray(o.or)) return { or: o.or.map(filter) };
    return typeof o.field === "string" ? { ...o, field: id(o.field) } : o;
  };
  return {
    ...v,
    table: t.meta.id,
    ...(v.filter ? { filter: filter(v.filter) as ViewInput["filter"] } : {}),
    ...(v.sort ? { sort: v.sort.map((s) => ({ ...s, field: id(s.field) })) } : {}),
    ...(v.fields ? { fields: v.fields.map(id) } : {}),
    ...(v.groupBy ? { groupBy: id(v.groupBy) } : {}),
    ...(v.layout
      ? {
          layout: {
            ...v.layout,
            ...(v.layout.dateField ? { dateField: id(v.layout.dateField) } : {}),
            ...(v.layout.sumField ? { sumField: id(v.layout.sumField) } : {}),
            ...(v.layout.swimlaneField ? { swimlaneField: id(v.layout.swimlaneField) } : {}),
          },
        }
      : {}),
  };
}

async function installViews(
  ctx: SchemaContext,
  m: PluginManifest,
  report: InstallReport,
  from: string | null,
): Promise<void> {
  if (!m.views?.length) return;
  const reg = await loadRegistry(ctx.db);
  const state = await loadPluginState(ctx.db, reg, true);
  const mine = state.objects.get(m.name) ?? new Map<string, string>();
  for (const v of m.views) {
    const abs = absoluteRef(m.name, v.table);
    const key = `${abs}.${v.name}`;
    const recorded = mine.get(`view:${key}`);
    if (recorded) {
      await refreshView(ctx, reg, state, m, v, key, recorded, from, report);
      continue;
    }
    const t = bindTable(state, reg, abs);
    if (!t) {
      report.skipped.push({ key, reason: "The view's table is not installed or was deleted" });
      continue;
    }
    const same = (await loadViews(ctx.db, reg, t.meta.id)).find((x) => x.name === v.name);
    let viewId = same?.id;
    if (!viewId) {
      try {
        viewId = (await createView(ctx, reg, resolveView(v, t))).id;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // A field the view needs was deleted by an admin: the rest of the install goes on.
        report.skipped.push({ key, reason: err.errors[0]?.message ?? err.message });
        continue;
      }
      report.created.views.push(key);
      report.changed = true;
    }
    const s = recordObject(m.name, m.version, ctx.at, "view", key, viewId);
    await ctx.db
      .prepare(s.sql)
      .bind(...s.params)
      .run();
  }
}

/**
 * A view an earlier version made: it takes this version's definition unless an admin changed it
 * (or deleted it, or its table), in which case the admin's version stays and the report says why.
 */
async function refreshView(
  ctx: SchemaContext,
  reg: Registry,
  state: PluginState,
  m: PluginManifest,
  v: ViewInput,
  key: string,
  id: string,
  from: string | null,
  report: InstallReport,
): Promise<void> {
  const t = bindTable(state, reg, absoluteRef(m.name, v.table));
  const view = t ? await loadView(ctx.db, reg, id) : null;
  if (!t || !view || view.id !== id) return;
  let next;
  try {
    next = await viewReplacement(ctx.db, reg, view, resolveView(v, t));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    report.skipped.push({ key, reason: err.errors[0]?.message ?? err.message });
    return;
  }
  if (!next) return;
  if (await viewChangedByAdmin(ctx.db, view)) {
    report.skipped.push({ key, reason: "An admin changed this view; it keeps their version" });
    return;
  }
  await upgradeView(ctx, reg, view, next, { plugin: m.name, from, to: m.version }, [
    {
      sql: "UPDATE sg_plugin_objects SET version = ?1 WHERE plugin = ?2 AND kind = 'view' AND key = ?3",
      params: [m.version, m.name, key],
    },
  ]);
  report.updated.views.push(key);
  report.changed = true;
}
