/**
 * The plugins bundled into this Worker (a Worker cannot read files at run time, so plugins/index.ts
 * imports each plugin.json and server.ts), in dependency order.
 */
import { BUNDLED } from "../../plugins/index";
import type { PluginManifest } from "../../schemas/types";
import { notFound } from "../errors";
import type { BundledPlugin } from "./types";

export function bundledPlugins(): readonly BundledPlugin[] {
  return BUNDLED;
}

export function bundledPlugin(name: string): BundledPlugin {
  const p = BUNDLED.find((b) => b.manifest.name === name);
  if (!p) throw notFound(`Plugin ${JSON.stringify(name.slice(0, 64))}`, "plugin");
  return p;
}

export function manifestsByName(): Map<string, PluginManifest> {
  return new Map(BUNDLED.map((b) => [b.manifest.name, b.manifest]));
}
