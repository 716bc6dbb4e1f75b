/**
 * The CalendarSources plugins give their tables (PluginServer.calendars, by table key), found through
 * the installed plugins' state: only enabled plugins', bound to the live tables, with the field keys
 * they read values by, each with a runtime as the reader. Calendars and feeds both find them here.
 * Plugin state is cached with the registry version, so this adds no round trip.
 */
import type { Principal } from "../auth/principal";
import type { Registry } from "../model/registry";
import type { TableMeta } from "../model/types";
import { bundledPlugins } from "../plugins/catalog";
import { makeRuntime } from "../plugins/runtime";
import { absoluteRef, bindTable, keysById, loadPluginState } from "../plugins/state";
import type { BoundTable, CalendarSource, Runtime } from "../plugins/types";
import type { ReadContext } from "../records/read";

export interface FoundSource {
  plugin: string;
  source: CalendarSource;
  runtime: Runtime;
  bound: BoundTable;
  table: TableMeta;
  /** Field id -> the plugin's key for it. */
  keys: Map<string, string>;
}

/** Every enabled plugin's calendar source, run as `principal` at `at`. */
export async function calendarSources(
  db: D1Database,
  reg: Registry,
  principal: Principal,
  at: string,
): Promise<FoundSource[]> {
  const withSources = bundledPlugins().filter((b) => b.server.calendars);
  if (withSources.length === 0) return [];
  const state = await loadPluginState(db, reg);
  const found: FoundSource[] = [];
  for (const b of withSources) {
    const plugin = b.manifest.name;
    if (!state.installed.get(plugin)?.enabled) continue;
    for (const [ref, source] of Object.entries(b.server.calendars ?? {})) {
      const bound = bindTable(state, reg, absoluteRef(plugin, ref));
      if (!bound) continue;
      const runtime = makeRuntime({ db, reg, principal, requestId: null }, state, plugin, at);
      found.push({ plugin, source, runtime, bound, table: bound.meta, keys: keysById(bound) });
    }
  }
  return found;
}

/** The source of `table`, if its plugin gives one. */
export async function calendarSourceFor(ctx: ReadContext, table: TableMeta): Promise<FoundSource | null> {
  const all = await calendarSources(ctx.db, ctx.reg, ctx.principal, new Date().toISOString());
  return all.find((s) => s.table.id === table.id) ?? null;
}
