/**
 * The CalendarSources of enabled plugins (PluginServer.calendars), bound to their live tables and
 * run as the feed's reader. Plugin state is cached with the registry version: no round trip.
 */
import type { Principal } from "../auth/principal";
import type { Registry } from "../model/registry";
import type { TableMeta } from "../model/types";
import { bundledPlugins } from "../plugins/catalog";
import { makeRuntime } from "../plugins/runtime";
import { absoluteRef, bindTable, keysById, loadPluginState } from "../plugins/state";
import type { BoundTable, CalendarSource, Runtime } from "../plugins/types";

export interface FeedSource {
  plugin: string;
  source: CalendarSource;
  runtime: Runtime;
  bound: BoundTable;
  table: TableMeta;
  /** Field id -> the plugin's key for it. */
  keys: Map<string, string>;
}

export async function feedSources(
  db: D1Database,
  reg: Registry,
  principal: Principal,
  at: string,
): Promise<FeedSource[]> {
  const withSources = bundledPlugins().filter((b) => b.server.calendars);
  if (withSources.length === 0) return [];
  const state = await loadPluginState(db, reg);
  const found: FeedSource[] = [];
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
