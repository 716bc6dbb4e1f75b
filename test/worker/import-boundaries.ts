/** The import rules between worker/ and plugins/, checked on source text (specifiers resolved by path). */

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

function resolve(file: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null; // a package
  const parts = file.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/").replace(/\.(ts|js)$/, "");
}

/** "<file> imports <target>" for every import that crosses a boundary; files by path from the root. */
export function boundaryViolations(files: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolve(file, m[1]!);
      if (target === null) continue;
      const bad = file.startsWith("worker/")
        ? target.startsWith("plugins/") || target === "plugins" || target === "main"
        : file.startsWith("plugins/") &&
          target.startsWith("worker/") &&
          target !== "worker/plugin-sdk" &&
          target !== "worker/plugin-sdk/index";
      if (bad) out.push(`${file} imports ${target}`);
    }
  }
  return out;
}
