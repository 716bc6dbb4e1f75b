/**
 * The plugins bundled into the Worker, in dependency order. Kept by hand: a Worker cannot read files
 * at run time, so each plugin's plugin.json and server.ts are imported here. Adding a plugin means
 * a folder with both files and one line below.
 */
import type { PluginManifest } from "../schemas/types";
import type { BundledPlugin } from "../worker/plugin-sdk";
import customersManifest from "./customers/plugin.json";
import customersServer from "./customers/server";
import pipelineManifest from "./pipeline/plugin.json";
import pipelineServer from "./pipeline/server";
import productsManifest from "./products/plugin.json";
import productsServer from "./products/server";
import salesManifest from "./sales/plugin.json";
import salesServer from "./sales/server";
import inventoryManifest from "./inventory/plugin.json";
import inventoryServer from "./inventory/server";
import tasksManifest from "./tasks/plugin.json";
import tasksServer from "./tasks/server";

export const BUNDLED: readonly BundledPlugin[] = [
  { manifest: customersManifest as PluginManifest, server: customersServer },
  { manifest: pipelineManifest as PluginManifest, server: pipelineServer },
  { manifest: productsManifest as PluginManifest, server: productsServer },
  { manifest: salesManifest as PluginManifest, server: salesServer },
  { manifest: inventoryManifest as PluginManifest, server: inventoryServer },
  { manifest: tasksManifest as PluginManifest, server: tasksServer },
];
