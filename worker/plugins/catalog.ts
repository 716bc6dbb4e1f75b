/**
 * The plugins bundled into this Worker, in dependency order. The list is assembled outside worker/
 * (plugins/index.ts) and handed in by the entry (main.ts -> createWorker), so worker/ never imports
 * plugins/; a Worker cannot read files at run time, so it is fixed when the bundle is built.
 */
import type { PluginManifest } from "../../schemas/types";
import { notFound } from "../errors";
import type { BundledPlugin } from "./types";

let bundled: readonly BundledPlugin[] = [];

/** Called once by createWorker with the catalog of bundled plugins. */
export function useBundledPlugins(plugins: readonly BundledPlugin[]): void {
  bundled = plugins;
}

export function bundledPlugins(): readonly BundledPlugin[] {
  return bundled;
}

export function bundledPlugin(name: string): BundledPlugin {
  const p = bundled.find((b) => b.manifest.name === name);
  if (!p) throw notFound(`Plugin ${JSON.stringify(name.slice(0, 64))}`, "plugin");
  return p;
}

export function manifestsByName(): Map<string, PluginManifest> {
  return new Map(bundled.map((b) => [b.manifest.name, b.manifest]));
}
