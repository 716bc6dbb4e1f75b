/// <reference types="vite/client" />
/**
 * Which folder may import which (ARCHITECTURE.md, plugins/README.md): worker/ never imports plugins/
 * (the catalog is handed in by main.ts), and a plugin imports nothing of worker/ but worker/plugin-sdk.
 * The sources are read through Vite's raw glob, so this runs with the other worker tests.
 */
import { describe, expect, it } from "vitest";
import { boundaryViolations } from "./import-boundaries";

const sources = {
  ...import.meta.glob<string>("../../worker/**/*.ts", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob<string>("../../plugins/**/*.ts", { query: "?raw", import: "default", eager: true }),
};
/** Paths from the repository root ("worker/records/write.ts"). */
const files: Record<string, string> = Object.fromEntries(
  Object.entries(sources).map(([p, text]) => [p.replace(/^\.\.\/\.\.\//, ""), text]),
);

describe("import boundaries", () => {
  it("reads the sources it checks", () => {
    expect(Object.keys(files)).toContain("worker/records/write.ts");
    expect(Object.keys(files)).toContain("plugins/customers/server.ts");
    expect(Object.keys(files)).toContain("worker/plugin-sdk/index.ts");
  });

  it("worker/ imports no plugin, and plugins import worker/ only through worker/plugin-sdk", () => {
    expect(boundaryViolations(files)).toEqual([]);
  });

  it("catches each kind of crossing, however the import is written", () => {
    const bad = {
      "worker/plugins/catalog.ts": 'import { BUNDLED } from "../../plugins/index";',
      "worker/demo/access.ts":
        'export { x } from "../../plugins/customers/keys";\nconst m = await import("../../plugins/pipeline/server");',
      "plugins/customers/server.ts":
        'import { createRecords } from "../../worker/records/write";\nimport type { X } from "../../worker/plugin-sdk";',
      "plugins/pipeline/deals.ts":
        'import type {\n  Stmt,\n} from "../../worker/query/write";\nimport "../../worker/errors";',
      "plugins/index.ts":
        'import { a } from "../worker/plugin-sdk/effects";\nimport m from "./customers/plugin.json";\nimport { s } from "../schemas/types";',
    };
    expect(boundaryViolations(bad)).toEqual([
      "worker/plugins/catalog.ts imports plugins/index",
      "worker/demo/access.ts imports plugins/customers/keys",
      "worker/demo/access.ts imports plugins/pipeline/server",
      "plugins/customers/server.ts imports worker/records/write",
      "plugins/pipeline/deals.ts imports worker/query/write",
      "plugins/pipeline/deals.ts imports worker/errors",
      "plugins/index.ts imports worker/plugin-sdk/effects",
    ]);
  });
});
