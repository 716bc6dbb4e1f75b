/**
 * The browser test harness: the real Worker under `wrangler dev` (built web assets, a temporary D1,
 * the demo workspace seeded the way `npm start` seeds it) and Debian's Chromium driven by
 * playwright-core. The app is started once per run by global-setup.ts; tests read its address with
 * `inject("baseUrl")`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { inject } from "vitest";
import { ApiClient } from "../../web-components/api/client";
import { DEMO_USERS } from "../../worker/demo/users";

export const root = path.join(import.meta.dirname, "..", "..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
export const SCREENSHOT_DIR = path.join(root, "test-results", "screenshots");

/** The demo logins by the short names the tests use. */
export type DemoRoleName = "admin" | "manager" | "rep" | "rep2" | "warehouse";
const EMAILS: Record<DemoRoleName, string> = {
  admin: "wang.fang@demo.salesgrid.example",
  manager: "alice.chen@demo.salesgrid.example",
  rep: "li.lei@demo.salesgrid.example",
  rep2: "tom.brown@demo.salesgrid.example",
  warehouse: "zhang.wei@demo.salesgrid.example",
};

export function demoUser(role: DemoRoleName) {
  const user = DEMO_USERS.find((u) => u.email === EMAILS[role]);
  if (!user) throw new Error(`No demo user for ${role}`);
  return user;
}

/** Environment for wrangler without telemetry, banner update check or Request.cf download. */
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "1",
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${path.basename(args[0] ?? cmd)} ${args.slice(1).join(" ")} exited ${code}\n${output.slice(-4000)}`,
            ),
          ),
    );
  });
}

/**
 * The second origin: a plain page server on another port, in the Worker's CORS allowlist, for
 * embedding tests. `/` is an empty HTML page (tests fill it with page.setContent, keeping the
 * origin); `/page?body=<html>` serves that body inside a minimal document.
 */
async function startSecondOrigin(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    const body = url.pathname === "/page" ? (url.searchParams.get("body") ?? "") : "";
    res.writeHead(url.pathname === "/" || url.pathname === "/page" ? 200 : 404, {
      "content-type": "text/html; charset=utf-8",
    });
    res.end(
      `<!doctype html><html><head><meta charset="utf-8"><title>Intranet page</title></head><body>${body}</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

export interface RunningApp {
  baseUrl: string;
  secondOrigin: string;
  /** wrangler dev's --persist-to: tests that set up what no route makes (a plugin's notification) write its D1 file. */
  persistDir: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Sample records per demo table relative to `npm start` (1 = the same); smaller is faster. */
  dataScale?: number;
  /** Print wrangler's output (SG_TEST_VERBOSE=1 does the same). */
  verbose?: boolean;
}

/**
 * Builds the web assets, starts `wrangler dev` on a free port with a temporary database, DEV_SEED=1 and
 * a CORS allowlist holding a second local origin, and seeds the demo workspace with its sample data.
 */
export async function startApp(opts: StartOptions = {}): Promise<RunningApp> {
  const verbose = opts.verbose ?? process.env.SG_TEST_VERBOSE === "1";
  await run(process.execPath, [path.join(root, "scripts", "build-web.mjs"), "--quiet"]);
  const [port, secondPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const secondOrigin = `http://127.0.0.1:${secondPort}`;
  const dir = mkdtempSync(path.join(tmpdir(), "salesgrid-browser-"));
  const persist = path.join(dir, "state");
  mkdirSync(persist);
  // Its own vars file, so a developer's .dev.vars never leaks into the tests.
  const envFile = path.join(dir, "test.vars");
  writeFileSync(
    envFile,
    `TOKEN_SECRET="browser-tests-secret-${Math.random().toString(36).slice(2)}-at-least-32-bytes"\nDEV_SEED="1"\nCORS_ORIGINS="${secondOrigin}"\n`,
  );

  await run(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    env: wranglerEnv,
  });

  const second = await startSecondOrigin(secondPort);
  const wrangler: ChildProcess = spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
      "--live-reload=false",
      "--log-level",
      verbose ? "info" : "warn",
    ],
    {
      cwd: root,
      env: wranglerEnv,
      stdio: ["ignore", verbose ? "inherit" : "pipe", verbose ? "inherit" : "pipe"],
      detached: true,
    },
  );
  let output = "";
  wrangler.stdout?.on("data", (d) => (output = (output + d).slice(-8000)));
  wrangler.stderr?.on("data", (d) => (output = (output + d).slice(-8000)));
  let exited = false;
  wrangler.on("exit", () => (exited = true));

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-wrangler.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) {
        try {
          process.kill(-wrangler.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    await new Promise((resolve) => second.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (exited) throw new Error(`wrangler dev exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 120 s:\n${output}`);
      const ok = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(250);
    }
    const seed = await fetch(`${baseUrl}/api/dev/seed`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    if (!seed.ok) throw new Error(`POST /api/dev/seed answered ${seed.status}: ${await seed.text()}`);
    const scale = String(opts.dataScale ?? Number(process.env.SG_TEST_DATA_SCALE ?? 0.25));
    await run(process.execPath, [path.join(root, "scripts", "seed-demo-data.mjs"), "--url", baseUrl, "--scale", scale]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, secondOrigin, persistDir: persist, stop };
}

/** The running app's address (in a test file; global-setup.ts provides it). */
export function appUrl(): string {
  return inject("baseUrl");
}

/** Debian's Chromium (or CHROMIUM_PATH), headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A page in a fresh context (its own storage), in the given UI language. */
export async function newPage(
  browser: Browser,
  opts: { locale?: "en" | "zh-CN" } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const locale = opts.locale ?? "en";
  const context = await browser.newContext({
    locale,
    viewport: { width: 1360, height: 860 },
    timezoneId: "Asia/Shanghai",
  });
  // The app's own language choice, as if the user had picked it with the language switch.
  await context.addInitScript((l) => localStorage.setItem("salesgrid.locale", l), locale);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
  return { context, page };
}

/** Signs in through the app's sign-in screen; resolves when the app shows its navigation. */
export async function signIn(page: Page, role: DemoRoleName, baseUrl = appUrl()): Promise<void> {
  const user = demoUser(role);
  await page.goto(`${baseUrl}/`);
  await page.locator("sg-app input[name=email]").fill(user.email);
  await page.locator("sg-app input[name=password]").fill(user.password);
  await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
  await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
}

/** An ApiClient signed in as a demo role, for setting up and checking data over HTTP. */
export async function apiAs(role: DemoRoleName, baseUrl = appUrl()): Promise<ApiClient> {
  const api = new ApiClient({ baseUrl });
  const user = demoUser(role);
  await api.login(user.email, user.password);
  return api;
}

/** Saves a full-page PNG to test-results/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
