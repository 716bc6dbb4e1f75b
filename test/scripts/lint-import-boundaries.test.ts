/**
 * The import table of ARCHITECTURE.md as `npm run lint` enforces it: the project's own ESLint config
 * run on small sources placed in each folder (resolved by path, so worker/plugins/ is not plugins/).
 */
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

/** The boundary messages ESLint gives `code` placed at `file` (a path from the root). */
async function crossings(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "salesgrid/import-boundaries").map((m) => m.message);
}

describe("lint: which folder may import which", () => {
  it("refuses worker/ importing plugins/ or main.ts, however the import is written", async () => {
    const code = [
      'import { BUNDLED } from "../../plugins/index";',
      'export { x } from "../../plugins/customers/keys";',
      'export * from "../../main";',
      'export const m = await import("../../plugins/pipeline/server");',
      "export { BUNDLED };",
    ].join("\n");
    expect(await crossings("worker/demo/example.ts", code)).toEqual([
      "worker/demo/example.ts imports plugins/index: worker/ never imports plugins/ or main.ts",
      "worker/demo/example.ts imports plugins/customers/keys: worker/ never imports plugins/ or main.ts",
      "worker/demo/example.ts imports main: worker/ never imports plugins/ or main.ts",
      "worker/demo/example.ts imports plugins/pipeline/server: worker/ never imports plugins/ or main.ts",
    ]);
  });

  it("lets worker/ import its own plugins/ folder", async () => {
    expect(await crossings("worker/http/example.ts", 'export { x } from "../plugins/install";')).toEqual([]);
  });

  it("lets a plugin import worker/plugin-sdk, itself, another plugin, schemas/ and lib/, nothing else of worker/", async () => {
    const code = [
      'export type { A } from "../../worker/plugin-sdk";',
      'export type { B } from "../../worker/plugin-sdk/index";',
      'export { c } from "./keys";',
      'export { d } from "../customers/keys";',
      'export type { E } from "../../schemas/types";',
      'export { f } from "../../lib/spreadsheet-safe";',
      'export { g } from "../../worker/plugin-sdk/effects";',
      'export { h } from "../../worker/records/write";',
    ].join("\n");
    expect(await crossings("plugins/pipeline/example.ts", code)).toEqual([
      "plugins/pipeline/example.ts imports worker/plugin-sdk/effects: a plugin imports nothing of worker/ but worker/plugin-sdk",
      "plugins/pipeline/example.ts imports worker/records/write: a plugin imports nothing of worker/ but worker/plugin-sdk",
    ]);
  });

  it("keeps lib/ free of the project and web-components/ off worker/ (its tests excepted)", async () => {
    expect(await crossings("lib/example.ts", 'export { a } from "../worker/errors";')).toEqual([
      "lib/example.ts imports worker/errors: lib/ imports nothing of the project",
    ]);
    const web = 'export { OPS } from "../../worker/query/ops";';
    expect(await crossings("web-components/sg-filter/example.ts", web)).toEqual([
      "web-components/sg-filter/example.ts imports worker/query/ops: " +
        "web-components/ imports lib/, schemas/ and itself only (a test may compare with worker/)",
    ]);
    expect(await crossings("web-components/sg-filter/example.test.ts", web)).toEqual([]);
  });

  it("finds no crossing in the tree as it is", async () => {
    const results = await eslint.lintFiles(["worker", "plugins", "lib", "web-components", "main.ts"]);
    const found = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "salesgrid/import-boundaries"));
    expect(results.length).toBeGreaterThan(100);
    expect(found.map((m) => m.message)).toEqual([]);
  });
});
