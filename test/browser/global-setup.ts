/** Starts the app once for every browser test file and hands its address to them (`inject`). */
import type { TestProject } from "vitest/node";
import { startApp } from "./harness";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    secondOrigin: string;
    persistDir: string;
  }
}

export default async function setup(project: TestProject) {
  const app = await startApp();
  project.provide("baseUrl", app.baseUrl);
  project.provide("secondOrigin", app.secondOrigin);
  project.provide("persistDir", app.persistDir);
  return () => app.stop();
}
