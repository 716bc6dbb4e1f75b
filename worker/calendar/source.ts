/**
 * The CalendarSource a plugin gives a table (PluginServer.calendars, by table key), found through the
 * installed plugins' state: only an enabled plugin's, bound to the live table, with the field keys it
 * reads values by. Plugin state is cached with the registry version, so this adds no round trip.
 */
import type { TableMeta } from "../model/types";
import { bundledPlugins } from "../plugins/catalog";
import { makeRuntime } from "../plugins/runtime";
import { absoluteRef, bindTable, keysById, loadPluginState } from "../plugins/state";
import type { CalendarSource, Runtime } from "../plugins/types";
import type { ReadContext } from "../records/read";

export interface FoundSource {
  plugin: string;
  source: CalendarSource;
  runtime: Runtime;
  /** Field id -> the plugin's key for it. */
  keys: Map<string, string>;
}

export async function calendarSourceFor(ctx: ReadContext, table: TableMeta): Promise<FoundSource | null> {
  const withSources = bundledPlugins().filter((b) => b.server.calendars);
  if (withSources.length === 0) return null;
  const state = await loadPluginState(ctx.db, ctx.reg);
  for (const b of withSources) {
    const name = b.manifest.name;
    if (!state.installed.get(name)?.enabled) continue;
    for (const [ref, source] of Object.entries(b.server.calendars ?? {})) {
      const bound = bindTable(state, ctx.reg, absoluteRef(name, ref));
      if (bound?.meta.id !== table.id) continue;
      const runtime = makeRuntime(
        { db: ctx.db, reg: ctx.reg, principal: ctx.principal, requestId: null },
        state,
        name,
        new Date().toISOString(),
      );
      return { plugin: name, source, runtime, keys: keysById(bound) };
    }
  }
  return null;
}
