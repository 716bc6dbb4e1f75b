/**
 * What is installed: rows of sg_plugins and the objects each plugin created (sg_plugin_objects),
 * cached per isolate with the registry version (install, upgrade, enable and disable all bump it),
 * and tables bound to the keys their manifest gave them.
 */
import { AppError } from "../errors";
import { findTable, type Registry } from "../model/registry";
import type { FieldMeta } from "../model/types";
import type { BoundTable } from "./types";

export interface InstalledPlugin {
  name: string;
  version: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  disabledAt: string | null;
  installedAt: string;
  updatedAt: string;
}

export interface PluginState {
  version: number;
  installed: Map<string, InstalledPlugin>;
  /** `plugin/tableKey` -> table id. */
  tables: Map<string, string>;
  /** `plugin/tableKey.fieldKey` -> field id (whichever plugin created the field). */
  fields: Map<string, string>;
  /** plugin -> `kind:key` -> object id, for install and upgrade. */
  objects: Map<string, Map<string, string>>;
}

interface PluginRow {
  name: string;
  version: string;
  enabled: number;
  settings: string;
  disabled_at: string | null;
  installed_at: string;
  updated_at: string;
}
interface ObjectRow {
  plugin: string;
  kind: string;
  key: string;
  object_id: string;
}

let cached: PluginState | null = null;

export async function loadPluginState(db: D1Database, reg: Registry, fresh = false): Promise<PluginState> {
  if (!fresh && cached && cached.version === reg.version) return cached;
  const [plugins, objects] = await db.batch<PluginRow | ObjectRow>([
    db.prepare("SELECT * FROM sg_plugins ORDER BY installed_at, name"),
    db.prepare("SELECT plugin, kind, key, object_id FROM sg_plugin_objects"),
  ]);
  const state: PluginState = {
    version: reg.version,
    installed: new Map(),
    tables: new Map(),
    fields: new Map(),
    objects: new Map(),
  };
  for (const r of plugins!.results as PluginRow[]) {
    state.installed.set(r.name, {
      name: r.name,
      version: r.version,
      enabled: r.enabled === 1,
      settings: JSON.parse(r.settings),
      disabledAt: r.disabled_at,
      installedAt: r.installed_at,
      updatedAt: r.updated_at,
    });
  }
  for (const o of objects!.results as ObjectRow[]) {
    const mine = state.objects.get(o.plugin) ?? new Map<string, string>();
    mine.set(`${o.kind}:${o.key}`, o.object_id);
    state.objects.set(o.plugin, mine);
    if (o.kind === "table") state.tables.set(`${o.plugin}/${o.key}`, o.object_id);
    if (o.kind === "field") state.fields.set(o.key, o.object_id);
  }
  if (!fresh) cached = state;
  return state;
}

/** `deals` (relative to `plugin`) or `customers/customers` -> the absolute `plugin/key`. */
export function absoluteRef(plugin: string, ref: string): string {
  return ref.includes("/") ? ref : `${plugin}/${ref}`;
}

/**
 * Bound tables per loaded state and registry (both are replaced, never changed, when the schema or a
 * plugin moves): a hook asks for the same tables many times a request, and binding walks every field.
 */
const bound = new WeakMap<PluginState, WeakMap<Registry, Map<string, { t: BoundTable; fieldCount: number } | null>>>();

/** Binds a live table of an enabled plugin, or null. */
export function bindTable(state: PluginState, reg: Registry, ref: string): BoundTable | null {
  let byReg = bound.get(state);
  if (!byReg) bound.set(state, (byReg = new WeakMap()));
  let byRef = byReg.get(reg);
  if (!byRef) byReg.set(reg, (byRef = new Map()));
  const hit = byRef.get(ref);
  // A table being planned (an install's working copy) may still gain fields: bind again then.
  if (hit !== undefined && (hit === null || hit.fieldCount === hit.t.meta.fields.length)) return hit && hit.t;
  const t = bind(state, reg, ref);
  byRef.set(ref, t && { t, fieldCount: t.meta.fields.length });
  return t;
}

function bind(state: PluginState, reg: Registry, ref: string): BoundTable | null {
  const owner = ref.split("/")[0]!;
  if (!state.installed.get(owner)?.enabled) return null;
  const id = state.tables.get(ref);
  const meta = id ? findTable(reg, id) : undefined;
  if (!meta || meta.id !== id) return null;
  const prefix = `${ref}.`;
  const byKey = new Map<string, string>();
  for (const [k, fid] of state.fields) if (k.startsWith(prefix)) byKey.set(k.slice(prefix.length), fid);
  const byId = new Map(meta.fields.map((f) => [f.id, f]));
  const live = (key: string): FieldMeta | null => {
    const fid = byKey.get(key);
    return (fid && byId.get(fid)) || null;
  };
  return {
    key: ref,
    meta,
    maybeField: live,
    field(key) {
      const f = live(key);
      if (!f)
        throw new AppError(
          "conflict",
          `Field ${key} of ${meta.name} was deleted; restore it for the ${owner} plugin to work`,
          [{ field: key, code: "plugin_field_missing", message: `${ref}.${key} is missing` }],
        );
      return f;
    },
    keys: () => [...byKey.keys()].filter((k) => live(k) !== null),
  };
}

/** The key of every field the plugins bound on a table: field id -> key. */
export function keysById(t: BoundTable): Map<string, string> {
  return new Map(t.keys().map((k) => [t.field(k).id, k]));
}

/** The statement that stores a plugin's settings (already validated against its settings schema). */
export function saveSettingsStatement(
  db: D1Database,
  plugin: string,
  settings: unknown,
  at: string,
): D1PreparedStatement {
  return db
    .prepare("UPDATE sg_plugins SET settings = ?1, updated_at = ?2 WHERE name = ?3")
    .bind(JSON.stringify(settings), at, plugin);
}
