#!/usr/bin/env node
// `npm start`: Salesgrid on http://127.0.0.1:8787 with a local D1 database under .wrangler/state.
//   0. refuses to start next to a running one (same data directory, or something on the port) and
//      says what is running where, before it touches anything
//   1. writes .dev.vars (a random TOKEN_SECRET, DEV_SEED="1") when it is missing and no --env-file is given
//   2. builds the web app (web-components/ -> dist/web/) and rebuilds it on every change
//   3. applies the D1 migrations to the local database
//   4. starts `wrangler dev` (extra arguments are passed on: `npm start -- --port 9000`; --persist-to
//      also applies to the migrations); it serves dist/web as static assets and reloads when a
//      rebuild changes it
//   5. waits for /api/health, creates the demo workspace on the first run, prints the demo logins,
//      then runs the Worker's scheduled handler every minute, as the cron trigger does once deployed
//      (wrangler dev runs no cron triggers itself; --test-scheduled gives it the /__scheduled route)
//   6. runs until it is stopped. Nothing it started outlives it: every child runs under
//      scripts/run-guarded.mjs, which ends the child's whole process group (wrangler's workerd too)
//      when this script goes away, even by SIGKILL; and when our launcher (npm and its shell) goes
//      away, this script stops as well.
// Nothing here needs the internet: wrangler's banner update check, telemetry and Request.cf download
// are switched off below.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, closeSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const root = path.join(import.meta.dirname, "..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const guardScript = path.join(root, "scripts", "run-guarded.mjs");
const extraArgs = process.argv.slice(2);

/** wrangler without network lookups, prompts or telemetry. */
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false", // no telemetry, and no first-run telemetry notice
  WRANGLER_HIDE_BANNER: "true", // the banner is what runs the npm update check
  CLOUDFLARE_CF_FETCH_ENABLED: "false", // miniflare would download Request.cf from workers.cloudflare.com
};

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);
const say = (s) => console.log(`[salesgrid] ${s}`);

/** The value of `--name value` / `--name=value` in the extra arguments. */
function argValue(name) {
  for (let i = 0; i < extraArgs.length; i++) {
    const a = extraArgs[i];
    if (a === `--${name}`) return extraArgs[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

const host = argValue("ip") ?? "127.0.0.1";
const port = Number(argValue("port") ?? 8787);
const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
const baseUrl = `http://${urlHost}:${port}`;
const persistTo = argValue("persist-to");
const stateDir = path.resolve(root, persistTo ?? path.join(".wrangler", "state"));
const stateLabel = stateDir.startsWith(root + path.sep) ? path.relative(root, stateDir) : stateDir;

// ---- Children: each runs under run-guarded.mjs, which holds a pipe from us (see the top). ----

/** The guards of the children that are running. */
const children = new Set();
let stopping = false;

/** Starts `command args` under the guard; `output` "inherit" or "pipe" (stdout and stderr). */
function spawnGuarded(command, args, { env = process.env, output = "inherit" } = {}) {
  const child = spawn(process.execPath, [guardScript, command, ...args], {
    cwd: root,
    env,
    stdio: ["pipe", output, output],
  });
  child.stdin.on("error", () => {}); // we never write; a guard that is gone already is fine
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Ends every child (each guard ends its child's whole group), then exits with `code`. */
function stop(signal, code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill(signal);
  const exitWhenDone = () => {
    if (children.size) return void setTimeout(exitWhenDone, 50);
    if (code === 0) say("Stopped.");
    process.exit(code);
  };
  exitWhenDone();
  // A guard gives its child 5 s; do not wait longer than that ourselves (the guards finish the job
  // when our pipe to them closes).
  setTimeout(() => process.exit(code || 1), 8000).unref();
}

function fail(message, output = "") {
  if (output) process.stderr.write(output.endsWith("\n") ? output : `${output}\n`);
  console.error(`[salesgrid] ${message}`);
  stop("SIGTERM", 1);
}

process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGHUP", () => stop("SIGTERM"));

/** The parent pid and command line of `pid` (null when it is gone): /proc on Linux, else ps. */
function processInfo(pid) {
  try {
    if (existsSync("/proc/self/stat")) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return { ppid, args: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() };
    }
    const line = execFileSync("ps", ["-o", "ppid=,args=", "-p", String(pid)], { encoding: "utf8" }).trim();
    const m = /^(\d+)\s+(.*)$/.exec(line);
    return m ? { ppid: Number(m[1]), args: m[2] } : null;
  } catch {
    return null;
  }
}

// When our launcher goes away, so do we. Under `npm start` the launcher is npm, usually through a
// shell (`sh -c "node scripts/start.mjs"`) that would outlive a killed npm, so watch npm too.
{
  const parent = process.ppid;
  const viaShell =
    process.env.npm_lifecycle_event && /^(\S*\/)?(sh|bash|dash|zsh)\b/.test(processInfo(parent)?.args ?? "");
  const grandparent = viaShell ? processInfo(parent)?.ppid : undefined;
  setInterval(() => {
    if (process.ppid !== parent || (grandparent && processInfo(parent)?.ppid !== grandparent)) stop("SIGTERM");
  }, 1000).unref();
}

// ---- 0. One Salesgrid per data directory, and a clear word when the port is taken. ----

/** Is a start script with this pid running (not a reused pid)? */
function startScriptAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== "EPERM") return false;
  }
  const info = processInfo(pid);
  return info === null ? !existsSync("/proc/self/stat") : info.args.includes("start.mjs");
}

/**
 * Takes the data directory's lock file (pid and address of the run that uses it), or says who holds
 * it and exits. A lock whose process is gone (killed with SIGKILL) is taken over.
 */
function takeLock() {
  mkdirSync(stateDir, { recursive: true });
  const lockFile = path.join(stateDir, "salesgrid-start.json");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeFileSync(fd, JSON.stringify({ pid: process.pid, url: baseUrl }) + "\n");
      closeSync(fd);
      process.on("exit", () => {
        try {
          if (JSON.parse(readFileSync(lockFile, "utf8")).pid === process.pid) unlinkSync(lockFile);
        } catch {
          // gone already
        }
      });
      return;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    let holder = null;
    try {
      holder = JSON.parse(readFileSync(lockFile, "utf8"));
    } catch {
      // half-written or unreadable: treat as stale
    }
    if (holder && Number.isInteger(holder.pid) && startScriptAlive(holder.pid)) {
      console.error(
        `[salesgrid] Salesgrid is already running on ${holder.url} (pid ${holder.pid}) with the data in ${stateLabel}.\n` +
          `[salesgrid] Stop it first (Ctrl-C in its terminal, or kill ${holder.pid}), or start another one with its own --port and --persist-to.`,
      );
      process.exit(1);
    }
    try {
      unlinkSync(lockFile);
    } catch {
      // taken by someone else meanwhile: the next attempt says so
    }
  }
  console.error(`[salesgrid] Could not take ${lockFile}; is another npm start starting right now?`);
  process.exit(1);
}

/** Does something listen on our port? */
function portTaken() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: urlHost.replace(/^\[|\]$/g, ""), port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Is what answers on our port a Salesgrid (its health answer)? */
async function salesgridAnswers() {
  // fetch's own timer does not keep Node running; without this a silent peer ends the script early.
  const keepAlive = setTimeout(() => {}, 3000);
  try {
    const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
    const body = await res.json();
    return body?.status === "ok" && typeof body.schemaVersion === "number";
  } catch {
    return false;
  } finally {
    clearTimeout(keepAlive);
  }
}

takeLock();
if (await portTaken()) {
  console.error(
    (await salesgridAnswers())
      ? `[salesgrid] Salesgrid is already running on ${baseUrl}, with another data directory. Stop it first, or pass another port: npm start -- --port 9000`
      : `[salesgrid] Port ${port} on ${urlHost} is already in use by another program. Stop it, or pass another port: npm start -- --port 9000`,
  );
  process.exit(1);
}

// ---- 1. Local secrets. The file is git-ignored; an existing one is left exactly as it is. ----
const devVars = path.join(root, ".dev.vars");
if (argValue("env-file") === undefined && !existsSync(devVars)) {
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(
    devVars,
    `# Local development only (git-ignored). Written by scripts/start.mjs.\n` +
      `TOKEN_SECRET="${secret}"\n` +
      `# "1" allows POST /api/dev/seed to create the demo workspace. Never set it in production.\n` +
      `DEV_SEED="1"\n`,
    { mode: 0o600 },
  );
  say("Wrote .dev.vars with a new TOKEN_SECRET");
}

/** Runs a guarded command to completion; `capture` collects its output. Returns {code, output}. */
function run(command, args, { env, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawnGuarded(command, args, { env, output: capture ? "pipe" : "inherit" });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", (err) => resolve({ code: 1, output: `${output}${err.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** After a step: when we are stopping, wait for the exit instead of going on. */
const untilStopped = () => (stopping ? new Promise(() => {}) : undefined);

// ---- 2. The web app: one full build now (so the first page load works), then esbuild's watch mode. ----
{
  const { code } = await run(process.execPath, [path.join(root, "scripts", "build-web.mjs")]);
  await untilStopped();
  if (code !== 0) fail("Building the web app (scripts/build-web.mjs) failed (output above)");
  await untilStopped();
  say("Built the web app into dist/web");
}
spawnGuarded(process.execPath, [path.join(root, "scripts", "build-web.mjs"), "--watch"]);

// ---- 3. Migrations, without the confirmation prompt (CI=1) and with a one-line summary. ----
{
  const args = ["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  const { code, output } = await run(process.execPath, [wranglerBin, ...args], {
    env: { ...wranglerEnv, CI: "1" },
    capture: true,
  });
  await untilStopped();
  if (code !== 0) fail("Applying the D1 migrations failed (output above)", output);
  await untilStopped();
  // wrangler reprints its status table after each migration: collect the names marked done.
  const applied = [...new Set([...output.matchAll(/│[ \t]*(\S+\.sql)[ \t]*│[ \t]*✅/g)].map((m) => m[1]))];
  say(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database is up to date (no new migrations)");
}

// ---- 4. wrangler dev (the port was checked in step 0; it is checked again by wrangler). ----
const devArgs = ["dev", "--show-interactive-dev-session=false", "--test-scheduled"];
if (argValue("ip") === undefined) devArgs.push("--ip", host);
if (argValue("port") === undefined) devArgs.push("--port", String(port));
const wrangler = spawnGuarded(process.execPath, [wranglerBin, ...devArgs, ...extraArgs], { env: wranglerEnv });
wrangler.on("exit", (code) => {
  if (stopping) return;
  console.error(`[salesgrid] wrangler dev exited (code ${code})`);
  stop("SIGTERM", code || 1);
});

// ---- 5. Wait until the Worker answers, then the demo workspace. ----
async function waitForHealth() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`no answer from ${baseUrl}/api/health within 120 s`);
}

async function seedWorkspace() {
  const res = await fetch(`${baseUrl}/api/dev/seed`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (res.status === 404) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok || !body) throw new Error(`POST /api/dev/seed answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function runSeeder() {
  const { code } = await run(process.execPath, [path.join(root, "scripts", "seed-demo-data.mjs"), "--url", baseUrl]);
  await untilStopped();
  if (code !== 0) throw new Error(`seed-demo-data.mjs failed (code ${code})`);
}

// ---- 5, once the banner is out: the cron trigger (wrangler.toml: every minute), so jobs fire locally too. ----
const CRON = "* * * * *";

/**
 * Calls /__scheduled at the start of every minute, as Cloudflare runs the trigger, and once at once
 * (a tick missed while stopped is caught up: due jobs wait in the database). One tick at a time; a
 * failing tick is reported once until one succeeds again.
 */
function startCron() {
  let running = false;
  let failing = false;
  const tick = async () => {
    if (stopping || running) return;
    running = true;
    try {
      const res = await fetch(`${baseUrl}/__scheduled?cron=${encodeURIComponent(CRON)}`, {
        signal: AbortSignal.timeout(55_000),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`/__scheduled answered ${res.status}`);
      failing = false;
    } catch (err) {
      if (!failing && !stopping)
        console.error(`[salesgrid] The cron tick failed (${err.message}); trying again next minute`);
      failing = true;
    } finally {
      running = false;
    }
  };
  const next = () =>
    setTimeout(
      () => {
        void tick();
        next();
      },
      60_000 - (Date.now() % 60_000),
    );
  void tick();
  next();
}

/** Terminal columns of a string: CJK characters take two. */
const displayWidth = (s) =>
  [...s].reduce(
    (n, ch) =>
      n +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
        ? 2
        : 1),
    0,
  );

function loginTable(users) {
  const rows = [["Role", "Email", "Password", "Name"], ...users.map((u) => [u.role, u.email, u.password, u.name])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i]))));
  const line = (r) => `    ${r.map((c, i) => c + " ".repeat(widths[i] - displayWidth(c))).join("   ")}`.trimEnd();
  return [line(rows[0]), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

try {
  await waitForHealth();
  await untilStopped();
  const seed = await seedWorkspace();
  if (seed && !seed.dataSeeded) {
    say(
      seed.seeded
        ? "Created the demo users and tables; writing sample data..."
        : "The sample data of an earlier run is incomplete; writing it again...",
    );
    await runSeeder();
  }
  // Let wrangler print its request log lines first, so the logins come last.
  await sleep(500);
  const lines = [
    "",
    bold(`Salesgrid is running at ${baseUrl}`),
    `    App: ${baseUrl}/   API: ${baseUrl}/api   OpenAPI: ${baseUrl}/api/openapi.json`,
  ];
  if (seed) {
    lines.push("", bold("Demo logins (local development only):"), loginTable(seed.users));
    lines.push(
      "",
      `    Sign in: curl -s ${baseUrl}/api/auth/login -H 'content-type: application/json' -d '{"email":"${seed.users[0].email}","password":"${seed.users[0].password}"}'`,
    );
  } else {
    lines.push("", '    Demo seeding is off (DEV_SEED is not "1" in .dev.vars); sign in with an existing account.');
  }
  lines.push(
    "",
    "    The scheduled handler (cron trigger) runs every minute, so reminders and plugin jobs fire here too.",
    `    Data is kept in ${stateLabel} between runs. Press Ctrl-C to stop (it stops everything it started).`,
    "",
  );
  console.log(lines.join("\n"));
  startCron();
} catch (err) {
  if (!stopping) {
    console.error(`[salesgrid] ${err instanceof Error ? err.message : err}`);
    stop("SIGTERM", 1);
  }
}
