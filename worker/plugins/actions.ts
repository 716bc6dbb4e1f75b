/**
 * Named plugin actions (POST /api/actions/{plugin}/{action}): the plugin must be installed and
 * enabled; the body is checked against the action's JSON Schema before its code runs. Each action
 * asks the permission engine itself for what it touches (e.g. merge: update on the kept record,
 * delete on the merged ones).
 */
import { AppError, invalid, notFound } from "../errors";
import { validate } from "../model/validate";
import { bundledPlugins } from "./catalog";
import { makeRuntime, type RuntimeBase } from "./runtime";
import { loadPluginState } from "./state";

export async function runAction(base: RuntimeBase, plugin: string, action: string, body: unknown): Promise<unknown> {
  const bundled = bundledPlugins().find((b) => b.manifest.name === plugin);
  const def =
    bundled?.server.actions && Object.hasOwn(bundled.server.actions, action)
      ? bundled.server.actions[action]
      : undefined;
  if (!def) throw notFound(`Action ${JSON.stringify(`${plugin}/${action}`.slice(0, 100))}`, "action");
  const state = await loadPluginState(base.db, base.reg);
  const installed = state.installed.get(plugin);
  if (!installed?.enabled) {
    throw new AppError("conflict", `Plugin ${plugin} is ${installed ? "disabled" : "not installed"}`, [
      {
        field: "plugin",
        code: installed ? "disabled" : "not_installed",
        message: `${plugin} is ${installed ? "disabled" : "not installed"}`,
      },
    ]);
  }
  const errors = validate(def.input, body, "");
  if (errors.length) throw invalid(errors.slice(0, 100), `The input of ${plugin}/${action} is invalid`);
  const rt = makeRuntime(base, state, plugin, new Date().toISOString());
  return def.run({ ...rt, input: body as Record<string, unknown> });
}
