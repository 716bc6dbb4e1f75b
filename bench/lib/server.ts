/**
 * The bench's own Worker: migrations applied to bench/.data/state, users inserted straight into the
 * local D1, then the Worker host (workerd alone, or `wrangler dev`) in its own process group so that it
 * (and workerd under it) can be stopped as one, on success, on error and on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  openSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const DATA_DIR = path.join(ROOT, "bench", ".data");
export const STATE_DIR = path.join(DATA_DIR, "state");
/**
 * A copy of the Worker's source taken when the bench starts. wrangler dev watches its sources and
 * restarts the Worker on every edit (killing in-flight requests); other people edit worker/ while a
 * long bench runs, so the bench serves, and builds its floor from, this frozen copy instead.
 */
export const SNAPSHOT_DIR = path.join(DATA_DIR, "snapshot");
const SNAPSHOT_ENTRIES = [
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
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
/** The snapshot bundled once (wrangler deploy --dry-run) and served with --no-bundle, so nothing is watched. */
export const BUILD_DIR = path.join(DATA_DIR, "build");
const CONFIG = () => ["--config", path.join(BUILD_DIR, "wrangler.toml")];

export function takeSnapshot(): void {
  rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  for (const entry of SNAPSHOT_ENTRIES) {
    const src = path.join(ROOT, entry);
    if (existsSync(src)) cpSync(src, path.join(SNAPSHOT_DIR, entry), { recursive: true });
  }
}

/**
 * Bundles the snapshot into bench/.data/build/index.js and writes a config next to it that serves the
 * bundle as is. (Bundling on the fly would make esbuild watch every file it read, including the
 * project's package.json, and restart the Worker mid-request when anyone touches them.)
 */
export function buildWorker(): void {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  // Static assets play no part in the API figures, and the built web app may not exist: an empty folder will do.
  const assets = /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/m.exec(
    readFileSync(path.join(SNAPSHOT_DIR, "wrangler.toml"), "utf8"),
  )?.[1];
  if (assets) mkdirSync(path.join(SNAPSHOT_DIR, assets), { recursive: true });
  runWrangler(
    ["deploy", "--dry-run", "--outdir", BUILD_DIR, "--config", path.join(SNAPSHOT_DIR, "wrangler.toml")],
    "wrangler deploy --dry-run",
  );
  let toml = readFileSync(path.join(SNAPSHOT_DIR, "wrangler.toml"), "utf8");
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!main) throw new Error("wrangler.toml has no main");
  toml = toml.replace(/^main\s*=.*$/m, `main = "${bundleName(main)}"\nno_bundle = true`);
  toml = toml.replace(/^migrations_dir\s*=.*$/m, 'migrations_dir = "../snapshot/migrations"');
  if (assets) toml = toml.replace(/^(\[assets\][^[]*?^directory\s*=\s*)"[^"]+"/m, `$1"../snapshot/${assets}"`);
  writeFileSync(path.join(BUILD_DIR, "wrangler.toml"), toml);
}

/** The file `wrangler deploy --dry-run` bundles entry `main` into (main.ts -> main.js). */
export function bundleName(main: string): string {
  return path.basename(main).replace(/\.[cm]?[jt]s$/, "") + ".js";
}

/** A path inside the snapshot (for importing the worker's modules as served). */
export const snapshotPath = (...parts: string[]) => path.join(SNAPSHOT_DIR, ...parts);

const quietEnv = () => ({ ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" });

function runWrangler(args: string[], what: string): string {
  const res = spawnSync(WRANGLER, args, {
    cwd: SNAPSHOT_DIR,
    env: quietEnv(),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) {
    throw new Error(
      `${what} failed (exit ${res.status ?? res.signal}):\n${(res.stdout ?? "").slice(-2000)}\n${(res.stderr ?? "").slice(-2000)}`,
    );
  }
  return res.stdout;
}

export function wranglerVersion(): string {
  const out = runWrangler(["--version"], "wrangler --version");
  return /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim();
}

export function applyMigrations(): void {
  mkdirSync(STATE_DIR, { recursive: true });
  runWrangler(
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE_DIR, ...CONFIG()],
    "wrangler d1 migrations apply",
  );
}

export function d1Execute(sql: string): string {
  return runWrangler(
    ["d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--command", sql, ...CONFIG()],
    "wrangler d1 execute",
  );
}

/** The local D1 file(s): every *.sqlite under the persist dir's d1 folder. */
export function d1SqliteFiles(): string[] {
  const base = path.join(STATE_DIR, "v3", "d1");
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".sqlite")) out.push(p);
    }
  };
  walk(base);
  return out;
}

export interface DevServer {
  url: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

let running: DevServer | null = null;

/** Synchronous last resort (process 'exit'): SIGKILL the whole group. */
export function killDevServerSync(): void {
  if (!running?.child.pid) return;
  try {
    process.kill(-running.child.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  running = null;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function portFree(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return code === "ECONNREFUSED";
  }
}

/**
 * How the bench serves the Worker: `workerd` runs the bundle in the Workers runtime with nothing in
 * front (bench/lib/workerd-host.ts), as deployed; `wrangler-dev` is what `npm start` runs, with the
 * local dev proxy (a second workerd and a Node hop per request) in front.
 */
export type WorkerHost = "workerd" | "wrangler-dev";

export async function startDevServer(opts: {
  port: number;
  tokenSecret: string;
  host: WorkerHost;
}): Promise<DevServer> {
  if (!(await portFree(opts.port)))
    throw new Error(`Port ${opts.port} is already in use; stop whatever listens there and run again`);
  const logFile = path.join(DATA_DIR, `${opts.host}.log`);
  const fd = openSync(logFile, "w");
  const child =
    opts.host === "workerd"
      ? spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            path.join(ROOT, "bench", "lib", "workerd-host.ts"),
            path.join(BUILD_DIR, "wrangler.toml"),
            STATE_DIR,
            String(opts.port),
            opts.tokenSecret,
          ],
          { cwd: ROOT, env: quietEnv(), stdio: ["ignore", fd, fd], detached: true },
        )
      : spawnWranglerDev(opts, fd);
  closeSync(fd);
  const url = `http://127.0.0.1:${opts.port}`;
  let exited: number | string | null = null;
  child.on("exit", (code, signal) => (exited = code ?? signal ?? "exit"));
  const server: DevServer = {
    url,
    child,
    logFile,
    async stop() {
      const pgid = child.pid;
      if (!pgid) return;
      if (groupAlive(pgid)) {
        try {
          process.kill(-pgid, "SIGTERM");
        } catch {
          /* gone */
        }
        for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
        if (groupAlive(pgid)) {
          try {
            process.kill(-pgid, "SIGKILL");
          } catch {
            /* gone */
          }
          for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
        }
      }
      if (running === server) running = null;
    },
  };
  running = server;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited !== null) throw new Error(`${opts.host} exited early (${exited}); see ${logFile}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        await res.text();
        return server;
      }
      await res.text();
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${opts.host} did not answer /api/health within 180 s; see ${logFile}`);
    await sleep(300);
  }
}

function spawnWranglerDev(opts: { port: number; tokenSecret: string }, fd: number): ChildProcess {
  const args = [
    "dev",
    ...CONFIG(),
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--persist-to",
    STATE_DIR,
    "--var",
    `TOKEN_SECRET:${opts.tokenSecret}`,
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
  ];
  return spawn(WRANGLER, args, { cwd: SNAPSHOT_DIR, env: quietEnv(), stdio: ["ignore", fd, fd], detached: true });
}

export function currentDevServer(): DevServer | null {
  return running;
}
