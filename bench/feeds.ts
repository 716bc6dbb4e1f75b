/**
 * `npm run bench -- --feeds [--runs 30] [--events 2000]`: the ICS feed figure of issue 17 through the API, on
 * its own Worker (`wrangler dev`, a scratch D1 under bench/.data/feeds, the demo workspace): a calendar view of
 * deals by expected close holding `--events` deals in the feed's window, published as a feed, fetched
 * without a token as a calendar app does (target: an ICS feed of 2,000 events under 300 ms). Each fetch's
 * event count is checked. Never part of `npm test`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { freePort, runNode } from "./lib/process";
import { summarise, type Summary } from "./lib/stats";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIR = path.join(ROOT, "bench", ".data", "feeds");
const STATE = path.join(DIR, "state");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const FEEDS_TARGET_MS = 300;

const env = {
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

/**
 * wrangler dev restarts the Worker mid-request when anyone edits its sources (others work in this tree
 * while the bench runs), so it serves a copy of the sources taken at the start (as bench/inventory.ts).
 */
const SRC = path.join(DIR, "src");
const CONFIG = path.join(SRC, "wrangler.toml");

function snapshot(): void {
  for (const entry of ["wrangler.toml", "package.json", "tsconfig.json", "worker", "schemas", "migrations", "plugins"])
    cpSync(path.join(ROOT, entry), path.join(SRC, entry), { recursive: true });
  for (const entry of ["main.ts", "lib"])
    if (existsSync(path.join(ROOT, entry))) cpSync(path.join(ROOT, entry), path.join(SRC, entry), { recursive: true });
  // The feed is API only: wrangler dev needs the assets directory to exist, not the web app built.
  const assets = /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/m.exec(readFileSync(CONFIG, "utf8"))?.[1];
  if (assets) mkdirSync(path.join(SRC, assets), { recursive: true });
}

const ADMIN = {
  id: `usr_${randomBytes(6).toString("hex")}`,
  email: "feed-bench-admin@bench.local",
  password: randomBytes(18).toString("base64url"),
};

/** The stored form auth/passwords.ts verifies (its iteration count and sizes read from the snapshot). */
function passwordHash(password: string): string {
  const src = readFileSync(path.join(SRC, "worker", "auth", "passwords.ts"), "utf8");
  const iterations = Number(/PBKDF2_ITERATIONS\s*=\s*([\d_]+)/.exec(src)?.[1]?.replace(/_/g, "") ?? 100_000);
  const bits = Number(/HASH_BITS\s*=\s*(\d+)/.exec(src)?.[1] ?? 256);
  const saltBytes = Number(/SALT_BYTES\s*=\s*(\d+)/.exec(src)?.[1] ?? 16);
  const salt = randomBytes(saltBytes);
  const hash = pbkdf2Sync(password, salt, iterations, bits / 8, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

async function startWorker(): Promise<{ url: string; stop: () => void }> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  snapshot();
  runNode(
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE, "--config", CONFIG],
    "migrations",
    env,
  );
  // One admin, made straight in the D1 (not through the demo seed, which others may be changing).
  const now = new Date().toISOString();
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  runNode(
    [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", STATE, "--config", CONFIG, "--command"].concat(
      `INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, disabled, created_at, updated_at) VALUES (${[ADMIN.id, ADMIN.email, "Feed Bench Admin", passwordHash(ADMIN.password), '["admin"]', "en", "UTC"].map(q).join(", ")}, 0, ${q(now)}, ${q(now)})`,
    ),
    "bench admin",
    env,
  );
  const vars = path.join(DIR, "bench.vars");
  writeFileSync(
    vars,
    `TOKEN_SECRET="feeds-bench-${Math.random().toString(36).slice(2)}-at-least-32-bytes"\nDEV_SEED="1"\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [WRANGLER, "dev", "--config", CONFIG, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", STATE].concat([
      "--env-file",
      vars,
      "--show-interactive-dev-session=false",
      "--live-reload=false",
      "--log-level",
      "warn",
    ]),
    { cwd: ROOT, env, stdio: "ignore", detached: true },
  );
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // gone
    }
  };
  process.on("exit", stop);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop };
    if (i > 480) throw new Error("wrangler dev did not start within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface FeedsFigures {
  runs: number;
  events: number;
  bytes: number;
  fetch: Summary;
  /** Every fetch held exactly `events` events. */
  exact: boolean;
  load: number[];
}

export async function feedsBench(runs = 30, events = 2000): Promise<FeedsFigures> {
  const worker = await startWorker();
  try {
    let token: string | null = null;
    const call = async <T = any>(method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${worker.url}/api${p}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : null) as T;
    };
    token = (await call<{ token: string }>("POST", "/auth/login", { email: ADMIN.email, password: ADMIN.password }))
      .token;
    const me = ADMIN.id;
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call("PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    for (const name of ["customers", "pipeline"]) await call("POST", `/admin/plugins/${name}/install`);
    // Deals spread over the feed's window (90 days back to a year ahead), named so a view can pick them.
    const day = (i: number) => new Date(Date.now() + ((i % 440) - 80) * 86_400_000).toISOString().slice(0, 10);
    for (let done = 0; done < events; done += 1000) {
      const n = Math.min(1000, events - done);
      await call("POST", "/tables/deals/records", {
        records: Array.from({ length: n }, (_, i) => ({
          fields: {
            name: `FEEDBENCH ${done + i}, call; "follow-up"`,
            expected_close: day(done + i),
            owner: me,
            amount: { amount: 100_000 + i, currency: "CNY" },
          },
        })),
      });
    }
    await call("POST", "/meta/views", {
      name: "feed_bench_calendar",
      table: "deals",
      type: "calendar",
      label: "Feed bench",
      filter: { field: "name", op: "starts_with", value: "FEEDBENCH " },
      layout: { dateField: "expected_close" },
      roles: [],
    });
    const url = (await call<{ url: string }>("POST", "/feeds/views", { view: "feed_bench_calendar" })).url;
    const feedUrl = url.replace(/^https?:\/\/[^/]+/, worker.url);
    const times: number[] = [];
    let exact = true;
    let bytes = 0;
    // Warm-up fetches are not counted.
    for (let r = -3; r < runs; r++) {
      const t0 = performance.now();
      const res = await fetch(feedUrl);
      const text = await res.text();
      const took = performance.now() - t0;
      if (res.status !== 200) throw new Error(`feed -> ${res.status}: ${text.slice(0, 300)}`);
      if ((text.match(/\r\nBEGIN:VEVENT\r\n/g) ?? []).length !== events) exact = false;
      bytes = text.length;
      if (r >= 0) times.push(took);
    }
    return { runs, events, bytes, fetch: summarise(times), exact, load: os.loadavg() };
  } finally {
    worker.stop();
  }
}

export function formatFeeds(f: FeedsFigures): string {
  const pass = f.fetch.p50 < FEEDS_TARGET_MS ? "PASS" : "FAIL";
  return [
    `### ICS feed (issue 17), ${f.runs} fetches, through the API (wrangler dev)`,
    "",
    "| What | p50 ms | p95 ms | Target (median) |",
    "|---|---:|---:|---|",
    `| a published calendar view with ${f.events} events (${Math.round(f.bytes / 1024)} KB of ICS), fetched without a token | ${f.fetch.p50.toFixed(1)} | ${f.fetch.p95.toFixed(1)} | < ${FEEDS_TARGET_MS} ms: ${pass} |`,
    "",
    `Every fetch held exactly ${f.events} events: ${f.exact ? "yes" : "NO"}. Load average after (1, 5, 15 min): ${f.load.map((l) => l.toFixed(2)).join(", ")}.`,
  ].join("\n");
}
