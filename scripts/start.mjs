#!/usr/bin/env node
// `npm start`: Salesgrid on http://127.0.0.1:8787 with a local D1 database under .wrangler/state.
//   1. writes .dev.vars (a random TOKEN_SECRET, DEV_SEED="1") when it is missing
//   2. builds the web app (web-components/ -> dist/web/) and rebuilds it on every change
//   3. applies the D1 migrations to the local database
//   4. starts `wrangler dev` (extra arguments are passed on: `npm start -- --port 9000`); it serves
//      dist/web as static assets and reloads when a rebuild changes it
//   5. waits for /api/health, creates the demo workspace on the first run, prints the demo logins
//   6. runs until Ctrl-C (SIGINT/SIGTERM are passed on to wrangler)
// Nothing here needs the internet: wrangler's banner update check, telemetry and Request.cf download
// are switched off below.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const root = path.join(import.meta.dirname, "..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
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

/** esbuild's watch process (step 2), stopped with everything else. */
let webWatcher = null;

function fail(message, output = "") {
  webWatcher?.kill("SIGTERM");
  if (output) process.stderr.write(output.endsWith("\n") ? output : `${output}\n`);
  console.error(`[salesgrid] ${message}`);
  process.exit(1);
}

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

// 1. Local secrets. The file is git-ignored; an existing one is left exactly as it is.
const devVars = path.join(root, ".dev.vars");
if (!existsSync(devVars)) {
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

/** Runs wrangler to completion with its output captured; returns {code, output}. */
function runCaptured(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (err) => resolve({ code: 1, output: `${output}${err.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// 2. The web app: one full build now (so the first page load works), then esbuild's watch mode.
{
  const build = spawnSync(process.execPath, [path.join(root, "scripts", "build-web.mjs")], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) fail("Building the web app (scripts/build-web.mjs) failed (output above)");
  say("Built the web app into dist/web");
}
webWatcher = spawn(process.execPath, [path.join(root, "scripts", "build-web.mjs"), "--watch"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
webWatcher.on("exit", () => (webWatcher = null));

// 3. Migrations, without the confirmation prompt (CI=1) and with a one-line summary.
{
  const { code, output } = await runCaptured(["d1", "migrations", "apply", "DB", "--local"], { ...wranglerEnv, CI: "1" });
  if (code !== 0) fail("Applying the D1 migrations failed (output above)", output);
  // wrangler reprints its status table after each migration: collect the names marked done.
  const applied = [...new Set([...output.matchAll(/│[ \t]*(\S+\.sql)[ \t]*│[ \t]*✅/g)].map((m) => m[1]))];
  say(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database is up to date (no new migrations)");
}

// 4. wrangler dev, refusing to start next to something that already holds the port (its health
//    answer would be mistaken for ours).
const portTaken = await new Promise((resolve) => {
  const socket = net.connect({ host: urlHost.replace(/^\[|\]$/g, ""), port });
  socket.once("connect", () => (socket.destroy(), resolve(true)));
  socket.once("error", () => resolve(false));
});
if (portTaken) fail(`Port ${port} is already in use (is Salesgrid already running?). Stop it or pass --port.`);

const devArgs = ["dev", "--show-interactive-dev-session=false", "--test-scheduled"];
if (argValue("ip") === undefined) devArgs.push("--ip", host);
if (argValue("port") === undefined) devArgs.push("--port", String(port));
// Its own process group, so stopping reaches wrangler's children (workerd) too.
const wrangler = spawn(process.execPath, [wranglerBin, ...devArgs, ...extraArgs], {
  cwd: root,
  env: wranglerEnv,
  stdio: ["ignore", "inherit", "inherit"],
  detached: true,
});
let stopping = false;
let failed = false;
let seeder = null;
const wranglerExited = new Promise((resolve) => wrangler.on("exit", (code, signal) => resolve({ code, signal })));

function stop(signal) {
  if (stopping) return;
  stopping = true;
  seeder?.kill(signal);
  webWatcher?.kill(signal);
  try {
    process.kill(-wrangler.pid, signal);
  } catch {
    // already gone
  }
  // workerd normally exits within a second; do not hang on it.
  setTimeout(() => {
    try {
      process.kill(-wrangler.pid, "SIGKILL");
    } catch {
      // already gone
    }
    process.exit(1);
  }, 10_000).unref();
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGHUP", () => stop("SIGTERM"));
wranglerExited.then(({ code, signal }) => {
  webWatcher?.kill("SIGTERM");
  if (!stopping) console.error(`[salesgrid] wrangler dev exited (${signal ?? `code ${code}`})`);
  else if (!failed) say("Stopped.");
  process.exit(failed ? 1 : stopping ? 0 : code || 1);
});

// 5. Wait until the Worker answers.
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
  const res = await fetch(`${baseUrl}/api/dev/seed`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (res.status === 404) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok || !body) throw new Error(`POST /api/dev/seed answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

function runSeeder() {
  return new Promise((resolve, reject) => {
    seeder = spawn(process.execPath, [path.join(root, "scripts", "seed-demo-data.mjs"), "--url", baseUrl], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    seeder.on("error", reject);
    seeder.on("exit", (code, signal) => {
      seeder = null;
      if (code === 0) resolve();
      else reject(new Error(`seed-demo-data.mjs failed (${signal ?? `code ${code}`})`));
    });
  });
}

/** Terminal columns of a string: CJK characters take two. */
const displayWidth = (s) => [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);

function loginTable(users) {
  const rows = [["Role", "Email", "Password", "Name"], ...users.map((u) => [u.role, u.email, u.password, u.name])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i]))));
  const line = (r) => `    ${r.map((c, i) => c + " ".repeat(widths[i] - displayWidth(c))).join("   ")}`.trimEnd();
  return [line(rows[0]), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

try {
  await waitForHealth();
  if (stopping) await new Promise(() => {});
  const seed = await seedWorkspace();
  if (seed && !seed.dataSeeded) {
    say(seed.seeded ? "Created the demo users and tables; writing sample data..." : "The sample data of an earlier run is incomplete; writing it again...");
    await runSeeder();
  }
  // Let wrangler print its request log lines first, so the logins come last.
  await sleep(500);
  const lines = ["", bold(`Salesgrid is running at ${baseUrl}`), `    App: ${baseUrl}/   API: ${baseUrl}/api   OpenAPI: ${baseUrl}/api/openapi.json`];
  if (seed) {
    lines.push("", bold("Demo logins (local development only):"), loginTable(seed.users));
    lines.push("", `    Sign in: curl -s ${baseUrl}/api/auth/login -H 'content-type: application/json' -d '{"email":"${seed.users[0].email}","password":"${seed.users[0].password}"}'`);
  } else {
    lines.push("", "    Demo seeding is off (DEV_SEED is not \"1\" in .dev.vars); sign in with an existing account.");
  }
  lines.push("", `    Data is kept in .wrangler/state between runs. Press Ctrl-C to stop.`, "");
  console.log(lines.join("\n"));
} catch (err) {
  if (!stopping) {
    failed = true;
    console.error(`[salesgrid] ${err instanceof Error ? err.message : err}`);
    stop("SIGTERM");
  }
}
