/** Builds the Runtime plugin code receives: tables by key, settings, who and when. */
import type { Principal } from "../auth/principal";
import { AppError } from "../errors";
import type { Registry } from "../model/registry";
import { absoluteRef, bindTable, type PluginState } from "./state";
import type { Runtime } from "./types";

export interface RuntimeBase {
  db: D1Database;
  reg: Registry;
  principal: Principal;
  requestId: string | null;
}

export function makeRuntime(base: RuntimeBase, state: PluginState, plugin: string, at: string): Runtime {
  const maybeTable = (ref: string) => bindTable(state, base.reg, absoluteRef(plugin, ref));
  return {
    plugin,
    db: base.db,
    reg: base.reg,
    principal: base.principal,
    requestId: base.requestId,
    at,
    maybeTable,
    table(ref) {
      const t = maybeTable(ref);
      if (!t)
        throw new AppError(
          "conflict",
          `Table ${ref} of plugin ${plugin} is not available (not installed, disabled or deleted)`,
          [{ field: "plugin", code: "plugin_table_missing", message: `${absoluteRef(plugin, ref)} is not available` }],
        );
      return t;
    },
    // The loaded state's copy: saving settings bumps the schema version every request checks, so it
    // is as fresh as the registry, and a hook needs no round trip to D1 for it.
    async settings() {
      return structuredClone(state.installed.get(plugin)?.settings ?? {});
    },
  };
}
