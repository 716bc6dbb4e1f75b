#!/usr/bin/env node
// Builds the web components into dist/web/, which the Worker serves as static assets (wrangler.toml
// [assets]). Two entry points: app.js (the whole app, loaded by index.html) and embed.js (small: light
// loaders that import the heavy elements only when a page uses them). ESM with code splitting, so
// both share chunks; minified with source maps.
//   node scripts/build-web.mjs            one build
//   node scripts/build-web.mjs --watch    build, then rebuild on every change (npm start)
import { context } from "esbuild";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const src = path.join(root, "web-components");
const out = path.join(root, "dist", "web");
const watch = process.argv.includes("--watch");
const quiet = process.argv.includes("--quiet");

/** Files served as they are, next to the bundles. */
const STATIC_FILES = ["index.html", "_headers"];

async function copyStatic() {
  await Promise.all(STATIC_FILES.map((f) => copyFile(path.join(src, f), path.join(out, f))));
}

/**
 * Removes what earlier builds left (hashed chunk names pile up otherwise). The folder itself is never
 * wiped: a running `wrangler dev` (npm start, a browser test run) serves it all the while.
 */
async function prune(outputs) {
  const keep = new Set([
    ...Object.keys(outputs).map((f) => path.resolve(root, f)),
    ...STATIC_FILES.map((f) => path.join(out, f)),
  ]);
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !keep.has(file)) await rm(file, { force: true });
  }
}

/** Copies the static files after every build, and reports each rebuild in watch mode. */
const afterBuild = {
  name: "salesgrid-static",
  setup(build) {
    let started = 0;
    build.onStart(() => {
      started = Date.now();
    });
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      await copyStatic();
      await prune(result.metafile?.outputs ?? {});
      if (watch && !quiet) console.log(`[web] built dist/web in ${Date.now() - started} ms`);
    });
  },
};

/**
 * An element folder whose module is not written yet (elements are built side by side) is left out
 * of the bundle with a warning rather than failing the whole build: `./sg-x/sg-x` from an entry point
 * resolves to an empty module while web-components/sg-x/sg-x.ts does not exist.
 */
const pendingElements = {
  name: "salesgrid-pending-elements",
  setup(build) {
    build.onResolve({ filter: /^\.\/sg-[a-z-]+\/sg-[a-z-]+$/ }, (args) => {
      const file = path.join(args.resolveDir, `${args.path}.ts`);
      if (args.resolveDir !== src || existsSync(file)) return undefined;
      return {
        path: args.path,
        namespace: "pending-element",
        warnings: [{ text: `${path.relative(root, file)} does not exist yet; its element is left out` }],
      };
    });
    build.onLoad({ filter: /.*/, namespace: "pending-element" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

await mkdir(out, { recursive: true });

const ctx = await context({
  absWorkingDir: root,
  entryPoints: { app: "web-components/app.ts", embed: "web-components/embed.ts" },
  outdir: out,
  bundle: true,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  minify: true,
  sourcemap: "linked",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  tsconfig: "web-components/tsconfig.json",
  legalComments: "linked",
  loader: { ".css": "text" },
  logLevel: quiet ? "error" : "warning",
  metafile: true,
  plugins: [pendingElements, afterBuild],
});

if (watch) {
  await ctx.watch();
  // Runs as a child of `npm start`: stop when that parent is gone, however it ended.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000).unref();
  if (!quiet) console.log("[web] watching web-components/ for changes");
} else {
  const result = await ctx.rebuild();
  await ctx.dispose();
  if (result.errors.length) process.exit(1);
}
