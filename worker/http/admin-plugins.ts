/**
 * Plugins for admins: GET /api/admin/plugins lists the bundled plugins and what is installed;
 * POST /{name}/install installs or upgrades to the bundled version (idempotent); POST /{name}/enable
 * and /disable; PUT /{name}/settings replaces the settings (checked against the manifest's schema).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { auditRow } from "../audit/log";
import { runBatch } from "../db/batch";
import { AppError, invalid, notFound } from "../errors";
import { bumpSchemaVersion, loadRegistry } from "../model/registry";
import { validate } from "../model/validate";
import { bundledPlugin, bundledPlugins } from "../plugins/catalog";
import { setPluginEnabled } from "../plugins/enable";
import { installPlugin } from "../plugins/install";
import { compareVersions } from "../plugins/manifest";
import { loadPluginState, saveSettingsStatement, type PluginState } from "../plugins/state";
import type { BundledPlugin } from "../plugins/types";
import { emptyBody, readJson } from "./body";
import { schemaContext } from "./context";

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

function pluginParam(c: Context<AppEnv>): BundledPlugin {
  const name = c.req.param("name") ?? "";
  if (!NAME.test(name)) throw notFound(`Plugin ${JSON.stringify(name.slice(0, 64))}`, "plugin");
  return bundledPlugin(name);
}

/** These routes take no body; an empty one or {} is fine, anything else is refused. */
const noBody = (c: Context<AppEnv>) => emptyBody(c, "This request takes no body");

function describe(b: BundledPlugin, state: PluginState) {
  const m = b.manifest;
  const p = state.installed.get(m.name);
  return {
    name: m.name,
    labels: m.labels,
    description: m.description ?? "",
    version: m.version,
    dependsOn: m.dependsOn ?? {},
    installed: p
      ? { version: p.version, enabled: p.enabled, installedAt: p.installedAt, updatedAt: p.updatedAt }
      : null,
    upgradeAvailable: !!p && compareVersions(p.version, m.version) < 0,
    tables: (m.tables ?? []).map((t) => t.name),
    actions: Object.keys(b.server.actions ?? {}),
    jobs: Object.keys(b.server.jobs ?? {}),
    settings: p?.settings ?? m.settings ?? {},
  };
}

async function state(c: Context<AppEnv>) {
  const reg = await loadRegistry(c.env.DB);
  return loadPluginState(c.env.DB, reg, true);
}

export const adminPlugins = new Hono<AppEnv>()
  .get("/", async (c) => {
    requireAdmin(c.get("principal"), "list plugins");
    const s = await state(c);
    return c.json({ plugins: bundledPlugins().map((b) => describe(b, s)) });
  })
  .get("/:name", async (c) => {
    requireAdmin(c.get("principal"), "read plugins");
    const b = pluginParam(c);
    return c.json({ plugin: describe(b, await state(c)) });
  })
  .post("/:name/install", async (c) => {
    const principal = c.get("principal");
    requireAdmin(principal, "install plugins");
    const b = pluginParam(c);
    await noBody(c);
    return c.json({ report: await installPlugin(schemaContext(c), b.manifest.name, principal) });
  })
  .post("/:name/enable", async (c) => {
    requireAdmin(c.get("principal"), "enable plugins");
    const b = pluginParam(c);
    await noBody(c);
    return c.json(await setPluginEnabled(schemaContext(c), b.manifest.name, true));
  })
  .post("/:name/disable", async (c) => {
    requireAdmin(c.get("principal"), "disable plugins");
    const b = pluginParam(c);
    await noBody(c);
    return c.json(await setPluginEnabled(schemaContext(c), b.manifest.name, false));
  })
  .put("/:name/settings", async (c) => {
    requireAdmin(c.get("principal"), "change plugin settings");
    const b = pluginParam(c);
    const body = await readJson(c);
    const errors = validate(b.manifest.settingsSchema ?? { type: "object", maxProperties: 0 }, body, "");
    if (errors.length) throw invalid(errors.slice(0, 100), `The settings of ${b.manifest.name} are invalid`);
    const s = await state(c);
    const p = s.installed.get(b.manifest.name);
    if (!p)
      throw new AppError("conflict", `Plugin ${b.manifest.name} is not installed`, [
        { field: "plugin", code: "not_installed", message: "Install it first" },
      ]);
    const ctx = schemaContext(c);
    await runBatch(
      ctx.db,
      [
        saveSettingsStatement(ctx.db, p.name, body, ctx.at),
        auditRow(ctx, "plugin.settings", { target: p.name, before: p.settings, after: body }),
        bumpSchemaVersion(ctx.db),
      ],
      { what: "Changing the settings" },
    );
    return c.json({ plugin: describe(b, await state(c)) });
  });
