/**
 * ESLint rule: which folder may import which (ARCHITECTURE.md). Specifiers are resolved against the
 * importing file, so `../plugins/install` inside worker/http/ (worker/plugins/) is told apart from the
 * top-level plugins/. test/worker/import-boundaries.test.ts checks the worker/plugins rules as well.
 */
import path from "node:path";

/** Why `target` (a path from the root, no extension) may not be imported by `file`, or null. */
export function crossing(file, target) {
  const under = (dir) => target === dir || target.startsWith(`${dir}/`);
  if (file.startsWith("worker/")) {
    if (under("plugins") || target === "main") return "worker/ never imports plugins/ or main.ts";
  } else if (file.startsWith("plugins/")) {
    if (under("worker") && target !== "worker/plugin-sdk" && target !== "worker/plugin-sdk/index") {
      return "a plugin imports nothing of worker/ but worker/plugin-sdk";
    }
  } else if (file.startsWith("lib/")) {
    if (!under("lib")) return "lib/ imports nothing of the project";
  } else if (file.startsWith("web-components/") && !/\.test\.ts$/.test(file)) {
    if (under("worker") || under("plugins") || target === "main") {
      return "web-components/ imports lib/, schemas/ and itself only (a test may compare with worker/)";
    }
  }
  return null;
}

export default {
  meta: {
    type: "problem",
    docs: { description: "Enforce the import table of ARCHITECTURE.md" },
    schema: [],
    messages: { crossing: "{{file}} imports {{target}}: {{why}}" },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join("/");
    function check(source) {
      if (!source || typeof source.value !== "string" || !source.value.startsWith(".")) return;
      const abs = path.resolve(path.dirname(context.filename), source.value);
      const target = path
        .relative(root, abs)
        .split(path.sep)
        .join("/")
        .replace(/\.(ts|js|mjs)$/, "");
      if (target.startsWith("node_modules/")) return; // a package's file, reached by path
      const why = crossing(file, target);
      if (why) context.report({ node: source, messageId: "crossing", data: { file, target, why } });
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
