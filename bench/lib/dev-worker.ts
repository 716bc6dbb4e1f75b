/**
 * The Worker a feature bench runs against (sales, inventory, kanban, orders board): its own scratch
 * directory under bench/.data/<name>, a COPY of the sources (wrangler dev watches its sources and
 * would restart mid-request when anyone edits the tree while the bench runs), optionally the built web
 * app, the migrations applied to a fresh local D1, a vars file with a random TOKEN_SECRET and
 * DEV_SEED, then `wrangler dev` in its own process group, ready once /api/health answers. With
 * `host: "workerd"` the copy is bundled once and served by workerd alone (lib/workerd-host.ts: the
 * request path a deployed Worker has, without the dev proxy's second workerd and Node hop), for
 * figures of a few milliseconds that the proxy alone would exceed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  openSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { freePort, runNode } from "./process";
import { bundleName, ROOT } from "./server";

const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const SOURCES = [
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  "worker",
  "schemas",
  "migrations",
  "plugins",
  "main.ts",
  "lib",
];

export const BENCH_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

export interface WorkerDir {
  /** bench/.data/<name> */
  dir: string;
  /** The local D1 (and other state) of this bench. */
  state: string;
  /** The copied wrangler.toml the Worker is served from. */
  config: string;
  vars: string;
}

/**
 * A fresh scratch directory for the bench `name`: sources copied, the web app built into the copy when
 * `web` (browser benches), migrations applied.
 */
export function prepareWorkerDir(name: string, opts: { web?: boolean } = {}): WorkerDir {
  const dir = path.join(ROOT, "bench", ".data", name);
  const state = path.join(dir, "state");
  const src = path.join(dir, "src");
  const config = path.join(src, "wrangler.toml");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  for (const entry of SOURCES)
    if (existsSync(path.join(ROOT, entry))) cpSync(path.join(ROOT, entry), path.join(src, entry), { recursive: true });
  const assets = /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))?.[1];
  if (assets) {
    mkdirSync(path.join(src, assets), { recursive: true });
    if (opts.web) {
      runNode([path.join(ROOT, "scripts", "build-web.mjs"), "--quiet"], "web build", BENCH_ENV);
      cpSync(path.join(ROOT, assets), path.join(src, assets), { recursive: true });
    }
  }
  runNode(
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "--config", config],
    "migrations",
    BENCH_ENV,
  );
  const vars = path.join(dir, "bench.vars");
  writeFileSync(
    vars,
    `TOKEN_SECRET="${name}-bench-${Math.random().toString(36).slice(2)}-at-least-32-bytes-long"\nDEV_SEED="1"\n`,
  );
  return { dir, state, config, vars };
}

export interface DevWorker {
  url: string;
  /** Ends the process group and waits for it (the D1 file is then safe to open). */
  stop: () => Promise<void>;
}

/** The vars file's values (KEY="value" lines). */
function readVars(file: string): Record<string, string> {
  return Object.fromEntries(
    [...readFileSync(file, "utf8").matchAll(/^(\w+)="([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
}

/**
 * The copy bundled once (`wrangler deploy --dry-run`) with a config beside it that serves the bundle
 * as is, its vars added, for workerd-host.ts; once per prepared directory.
 */
function bundleForWorkerd(w: WorkerDir): string {
  const build = path.join(w.dir, "build");
  const config = path.join(build, "wrangler.toml");
  if (existsSync(config)) return config; // the copy does not change during a run
  runNode(
    [WRANGLER, "deploy", "--dry-run", "--outdir", build, "--config", w.config],
    "wrangler deploy --dry-run",
    BENCH_ENV,
  );
  const vars = readVars(w.vars);
  let toml = readFileSync(w.config, "utf8");
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)![1]!;
  toml = toml.replace(/^main\s*=.*$/m, `main = "${bundleName(main)}"\nno_bundle = true`);
  toml = toml.replace(
    /^migrations_dir\s*=.*$/m,
    `migrations_dir = "${path.join(path.dirname(w.config), "migrations")}"`,
  );
  toml = toml.replace(/^\[assets\]\n(?:(?!\[)[^\n]*\n)*/m, "");
  toml = toml.replace(
    /^\[vars\]\n/m,
    `[vars]\n${Object.entries(vars)
      .filter(([k]) => k !== "TOKEN_SECRET")
      .map(([k, v]) => `${k} = "${v}"\n`)
      .join("")}`,
  );
  writeFileSync(config, toml);
  return config;
}

function spawnHost(w: WorkerDir, port: number, host: "workerd" | "wrangler-dev"): ChildProcess {
  const args =
    host === "workerd"
      ? [
          "--import",
          "tsx",
          path.join(ROOT, "bench", "lib", "workerd-host.ts"),
          bundleForWorkerd(w),
          w.state,
          String(port),
          readVars(w.vars).TOKEN_SECRET!,
        ]
      : [WRANGLER, "dev", "--config", w.config, "--ip", "127.0.0.1", "--port", String(port)].concat([
          "--persist-to",
          w.state,
          "--env-file",
          w.vars,
          "--show-interactive-dev-session=false",
          "--live-reload=false",
          "--log-level",
          "warn",
        ]);
  // Its output goes to <dir>/<host>.log, where a crash says why.
  const log = openSync(path.join(w.dir, `${host}.log`), "w");
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: BENCH_ENV,
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  return child;
}

/**
 * The prepared directory's Worker, by `wrangler dev` (default) or workerd alone; resolves once
 * /api/health answers (at most 120 s).
 */
export async function startDevWorker(
  w: WorkerDir,
  opts: { host?: "workerd" | "wrangler-dev" } = {},
): Promise<DevWorker> {
  const port = await freePort();
  const child = spawnHost(w, port, opts.host ?? "wrangler-dev");
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
      return true;
    } catch {
      return false; // gone
    }
  };
  const onExit = () => kill("SIGKILL");
  process.on("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode !== null || !kill("SIGTERM")) return;
    await new Promise((r) => child.once("exit", r));
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, stop };
    if (i > 480) {
      await stop();
      throw new Error("wrangler dev did not start within 120 s");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The local D1 file of a bench's state (the one holding the app's tables). */
export function d1File(state: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".sqlite") && !n.includes("metadata")) files.push(p);
    }
  };
  walk(path.join(state, "v3", "d1"));
  for (const f of files) {
    const db = new Database(f, { readonly: true });
    const hit = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sg_users'").get();
    db.close();
    if (hit) return f;
  }
  throw new Error("no local D1 file");
}
