/**
 * `npm start` (scripts/start.mjs) with its real children: esbuild's watcher, wrangler dev and the
 * workerd processes under it. However the command ends (SIGKILL, SIGTERM, Ctrl-C, the terminal
 * closing, npm itself killed), nothing of it may keep serving; a second start says what is running.
 * Each run gets a free port, its own data directory and vars file (no DEV_SEED, so no demo seeding),
 * never the developer's `.wrangler/state` or `.dev.vars`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

const root = path.join(import.meta.dirname, "..", "..");
const startScript = path.join(root, "scripts", "start.mjs");

/** How long everything may take to go away once the command is stopped. */
const STOP_WITHIN_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when nothing listens on the port any more (we can listen on it ourselves). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** ps state; Z is a zombie (exited, not yet reaped), which serves nothing. */
  stat: string;
  args: string;
}

function processes(): Proc[] {
  return execFileSync("ps", ["-eo", "pid=,ppid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), stat: m[4]!, args: m[5]! }));
}

/** Living processes under `pid` (children, grandchildren, ...). */
function descendants(pid: number): Proc[] {
  const all = processes();
  const out: Proc[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of all) {
      if (p.ppid === parent && !p.stat.startsWith("Z")) {
        out.push(p);
        queue.push(p.pid);
      }
    }
  }
  return out;
}

/**
 * Living processes that belong to a run: any of `tree`, anything in a process group of theirs other
 * than the test runner's own (workerd started after the snapshot), or naming the run's data
 * directory or port.
 */
function leftovers(run: Run, tree: Proc[]): Proc[] {
  const all = processes();
  const ownGroup = all.find((p) => p.pid === process.pid)?.pgid;
  const pids = new Set([run.child.pid!, ...tree.map((p) => p.pid)]);
  const groups = new Set(tree.map((p) => p.pgid).filter((g) => g !== ownGroup));
  return all.filter(
    (p) =>
      !p.stat.startsWith("Z") &&
      p.pid !== process.pid &&
      (pids.has(p.pid) ||
        groups.has(p.pgid) ||
        p.args.includes(run.dir) ||
        p.args.includes(`entry=127.0.0.1:${run.port} `) ||
        p.args.endsWith(`entry=127.0.0.1:${run.port}`)),
  );
}

interface Run {
  child: ChildProcess;
  port: number;
  dir: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runs: Run[] = [];
/** Every process seen under a run, for the cleanup after a failed test. */
const trees = new Map<Run, Proc[]>();
const dirs: string[] = [];

function newDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "salesgrid-start-"));
  dirs.push(dir);
  // A vars file of its own: a secret, and no DEV_SEED, so the script skips the demo seeding.
  writeFileSync(
    path.join(dir, "test.vars"),
    `TOKEN_SECRET="start-script-test-${Math.random().toString(36).slice(2)}-at-least-32-bytes"\n`,
  );
  return dir;
}

/** `node scripts/start.mjs` (or `npm start`) on `port` with data and vars in `dir`. */
function start(port: number, dir: string, via: "node" | "npm" = "node"): Run {
  const args = [
    "--port",
    String(port),
    "--persist-to",
    path.join(dir, "state"),
    "--env-file",
    path.join(dir, "test.vars"),
  ];
  const child =
    via === "npm"
      ? spawn("npm", ["start", "--silent", "--", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(process.execPath, [startScript, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const run = { child, port, dir, output: () => output, exited };
  runs.push(run);
  return run;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { status?: string }).status === "ok";
  } catch {
    return false;
  }
}

/** Waits until the run answers /api/health and its workerd is up; returns its process tree. */
async function waitUntilServing(run: Run): Promise<Proc[]> {
  let gone = false;
  void run.exited.then(() => (gone = true));
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (gone) throw new Error(`the start script exited before serving:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no answer on port ${run.port} within 150 s:\n${run.output()}`);
    if (await healthy(run.port)) {
      const tree = descendants(run.child.pid!);
      trees.set(run, [...(trees.get(run) ?? []), ...tree]);
      if (tree.some((p) => /workerd/.test(p.args)) && tree.some((p) => /wrangler/.test(p.args))) return tree;
    }
    await sleep(300);
  }
}

/** Waits until the port is free and none of the run's processes is alive; returns what is left. */
async function waitUntilGone(run: Run, tree: Proc[]): Promise<{ portFree: boolean; left: Proc[] }> {
  const deadline = Date.now() + STOP_WITHIN_MS;
  for (;;) {
    const portFree = await portIsFree(run.port);
    const left = leftovers(run, tree);
    if ((portFree && !left.length) || Date.now() > deadline) return { portFree, left };
    await sleep(200);
  }
}

afterEach(async () => {
  // A failed test must not leave servers behind: end whatever is left of its runs, by pid.
  for (const run of runs.splice(0)) {
    const tree = [...(trees.get(run) ?? []), ...descendants(run.child.pid!)];
    for (const p of new Set([run.child.pid!, ...leftovers(run, tree).map((p) => p.pid)])) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("npm start stops everything it started", () => {
  it.each(["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "after %s of the start script, the port is free and no wrangler or workerd of the run is left",
    async (signal) => {
      const run = start(await freePort(), newDir());
      const tree = await waitUntilServing(run);
      expect(tree.map((p) => p.args).join("\n")).toMatch(/workerd[^\n]*entry=127\.0\.0\.1:\d+/);

      // The tree as it is at the kill (a reload may have replaced a workerd since it was first seen).
      const atKill = [...tree, ...descendants(run.child.pid!)];
      process.kill(run.child.pid!, signal);
      const { portFree, left } = await waitUntilGone(run, atKill);
      expect(
        left.map((p) => `${p.pid} ${p.args}`),
        run.output(),
      ).toEqual([]);
      expect(portFree).toBe(true);
    },
  );

  it("after npm itself is killed (SIGKILL of `npm start`), the port is free and nothing of the run is left", async () => {
    const run = start(await freePort(), newDir(), "npm");
    const tree = await waitUntilServing(run);
    expect(tree.some((p) => p.args.includes("scripts/start.mjs"))).toBe(true);

    const atKill = [...tree, ...descendants(run.child.pid!)];
    process.kill(run.child.pid!, "SIGKILL");
    const { portFree, left } = await waitUntilGone(run, atKill);
    expect(
      left.map((p) => `${p.pid} ${p.args}`),
      run.output(),
    ).toEqual([]);
    expect(portFree).toBe(true);
  });
});

describe("a second npm start", () => {
  it("while one runs says Salesgrid is already running, on which address and pid, exits non-zero and leaves the first one serving", async () => {
    const port = await freePort();
    const dir = newDir();
    const first = start(port, dir);
    const tree = await waitUntilServing(first);

    const second = start(port, dir);
    const result = await Promise.race([second.exited, sleep(60_000).then(() => null)]);
    expect(result, second.output()).not.toBeNull();
    expect(result!.code).not.toBe(0);
    expect(second.output()).toContain(
      `Salesgrid is already running on http://127.0.0.1:${port} (pid ${first.child.pid})`,
    );

    // The first one is untouched: still serving, same processes.
    expect(await healthy(port)).toBe(true);
    expect(
      descendants(first.child.pid!)
        .map((p) => p.pid)
        .sort(),
    ).toEqual(tree.map((p) => p.pid).sort());
  });

  it("on a port another program holds says so and exits non-zero before building anything", async () => {
    const port = await freePort();
    const sockets = new Set<Socket>();
    const other: Server = createServer((socket) => {
      sockets.add(socket);
      socket.end();
    });
    await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
    try {
      const run = start(port, newDir());
      const result = await Promise.race([run.exited, sleep(30_000).then(() => null)]);
      expect(result, run.output()).not.toBeNull();
      expect(result!.code).not.toBe(0);
      expect(run.output()).toContain(`Port ${port} on 127.0.0.1 is already in use by another program`);
      expect(run.output()).not.toMatch(/Built the web app/);
    } finally {
      // close() waits for open connections: end them, so a probe left half-open cannot hang the test.
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

/** The run's local D1 database file (wrangler dev's --persist-to). */
function d1File(run: Run): string {
  const dir = path.join(run.dir, "state", "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database in ${dir}`);
  return path.join(dir, file);
}

/** Runs `fn` on the run's database (WAL: safe beside the running Worker). */
function withDb<T>(run: Run, fn: (db: Database.Database) => T): T {
  const db = new Database(d1File(run));
  try {
    db.pragma("busy_timeout = 10000");
    return fn(db);
  } finally {
    db.close();
  }
}

describe("npm start drives the cron trigger", () => {
  it("runs the Worker's scheduled handler every minute (each tick's housekeeping deletes a sign-in counter long past its window)", async () => {
    const run = start(await freePort(), newDir());
    await waitUntilServing(run);
    // Only the scheduled handler deletes such a row (deleteStaleLoginFailures); wrangler dev alone never calls it.
    const stale = (key: string) =>
      withDb(run, (db) =>
        db
          .prepare(
            "INSERT INTO sg_login_failures (key, failures, window_start) VALUES (?, 1, '2000-01-01T00:00:00.000Z')",
          )
          .run(key),
      );
    const present = (key: string) =>
      withDb(run, (db) => db.prepare("SELECT 1 FROM sg_login_failures WHERE key = ?").get(key) !== undefined);
    const goneWithin = async (key: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (present(key)) {
        if (Date.now() > deadline) return false;
        await sleep(1000);
      }
      return true;
    };
    // Two ticks in a row, each within a minute and some slack of the row appearing.
    stale("ip:tick-one");
    expect(await goneWithin("ip:tick-one", 75_000), run.output()).toBe(true);
    stale("ip:tick-two");
    expect(await goneWithin("ip:tick-two", 75_000), run.output()).toBe(true);
  }, 300_000);
});
