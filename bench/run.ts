/**
 * `npm run bench [-- --sizes 10000,100000] [--quiet-wait 120] [--reuse] [--kinds page,own] [--skip-floor]
 *   [--host wrangler-dev] [--clients 2]`
 * (`npm run bench -- --kanban` runs only the kanban board figure, bench/kanban.ts; `-- --grid [--runs 5]` only
 * the grid figures over the 1M-row table a full run left, bench/grid.ts; `-- --sales [--runs 20]` only the quote
 * and order figures of issue 15, bench/sales.ts; `-- --orders-board [--orders 100000] [--runs 5]` only the orders
 * board over 100k orders, bench/orders-board.ts; `-- --inventory [--runs 20] [--moves 1000000]` only the stock
 * figures of issue 16, bench/inventory.ts; `-- --reminders [--runs 5] [--future 999000]` only the reminders
 * tick of issue 17, bench/reminders.ts; `-- --feeds [--runs 30] [--events 2000]` only the ICS feed figure of
 * issue 17, bench/feeds.ts; `-- --calendar [--runs 20] [--events 5000]` only the calendar month figure of issue 17,
 * bench/calendar.ts; `-- --links [--reuse]` only the figure
 * of row rules through a link, bench/links.ts, spliced into RESULTS.md): seeds a deals table through the bulk
 * API to each size (cumulative), measures list/count latency through the API against the floor (the same SQL run
 * straight on a copy of the D1 file), and writes bench/RESULTS.md. Never part of the test suite.
 * The machine may be shared: before each measured phase it waits up to --quiet-wait seconds for other
 * processes to go quiet, and it reports how busy they were during every measurement.
 * Profile the worker's own pipelines without workerd with `node --import tsx bench/profile.ts`.
 */
import { execFileSync } from "node:child_process";
import { randomBytes, pbkdf2Sync } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "./lib/client";
import {
  DEALS_TABLE,
  DEALS_VIEW,
  makeDeal,
  makeQueries,
  QUERY_DESCRIPTIONS,
  QUERY_LABELS,
  queryString,
  rng,
  type QueryKind,
  type QuerySpec,
} from "./lib/data";
import Database from "better-sqlite3";
import { copyDatabase, findAppDatabase, openCopy, ShimD1, bindArgs, type Stmt } from "./lib/floor";
import { timePlatform } from "./lib/platform";
import { pathToFileURL } from "node:url";
import {
  applyMigrations,
  buildWorker,
  currentDevServer,
  d1Execute,
  DATA_DIR,
  killDevServerSync,
  ROOT,
  snapshotPath,
  startDevServer,
  STATE_DIR,
  takeSnapshot,
  wranglerVersion,
  type DevServer,
  type WorkerHost,
} from "./lib/server";

/**
 * `--host wrangler-dev` measures through the local dev proxy `npm start` runs; the default serves the bundle from
 * workerd alone.
 */
const HOST: WorkerHost =
  process.argv.includes("--host") && process.argv[process.argv.indexOf("--host") + 1] === "wrangler-dev"
    ? "wrangler-dev"
    : "workerd";
const SERVER =
  HOST === "workerd"
    ? "workerd (bench/lib/workerd-host.ts: the bundled Worker in the Workers runtime with local D1, no dev proxy in front)"
    : "wrangler dev";

/** Imports a worker module from the snapshot that the Worker host serves (not the live working tree). */
const worker = (rel: string) => import(pathToFileURL(snapshotPath("worker", rel)).href);
import { int, ms, ratio, summarise, type Summary } from "./lib/stats";
import { linksBench, linksMarkdown, linksTarget, LINKS_HEADING, type LinksFigures } from "./links";
import { cpuDelta, formatCpu, groupCpu, OtherLoad } from "./lib/cpu";

const PORT = 8788;
const BATCH = 1000;
/** Where bench/lib/platform.ts serves its minimal Worker. */
const PLATFORM_PORT = 8789;
/**
 * Concurrent bulk-create clients (`--clients N`): workerd runs a Worker and its D1 on one thread, so more than one
 * keeps it busy while a request is on the wire.
 */
const CONCURRENCY = process.argv.includes("--clients")
  ? Math.max(1, Number(process.argv[process.argv.indexOf("--clients") + 1]) || 2)
  : 2;
const WARMUP = 100;
const SAMPLES = 400;
/** contains and count scan many rows (tens to hundreds of ms at 1M): fewer of them. */
const SLOW_KINDS: ReadonlySet<QueryKind> = new Set(["contains", "count"]);
const warmupOf = (k: QueryKind) => (SLOW_KINDS.has(k) ? 20 : WARMUP);
const samplesOf = (k: QueryKind) => (SLOW_KINDS.has(k) ? 100 : SAMPLES);
const SHORT: Record<QueryKind, string> = { page: "(a)", contains: "(b)", count: "(c)", own: "(a, own rows)" };
/** Query kinds measured; "own" is added when the access engine supports `own` grants. */
const KINDS: QueryKind[] = ["page", "contains", "count"];

// ---------------------------------------------------------------------------------------------- args

function parseQuietWait(argv: string[]): number {
  const i = argv.indexOf("--quiet-wait");
  if (i < 0) return 120;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) throw new Error("--quiet-wait takes seconds (0 to not wait)");
  return n;
}

/** `--kinds page,own`: measure only these query kinds (own needs the grant engine). */
function parseKinds(argv: string[]): QueryKind[] | null {
  const i = argv.indexOf("--kinds");
  if (i < 0) return null;
  const kinds = (argv[i + 1] ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const known = Object.keys(QUERY_LABELS);
  if (!kinds.length || kinds.some((k) => !known.includes(k)))
    throw new Error(`--kinds takes a comma-separated list of ${known.join(", ")}`);
  return kinds as QueryKind[];
}

function parseSizes(argv: string[]): number[] {
  const i = argv.findIndex((a) => a === "--sizes" || a.startsWith("--sizes="));
  if (i < 0) return [10_000, 100_000, 1_000_000];
  const raw = argv[i]!.includes("=") ? argv[i]!.split("=")[1]! : argv[i + 1];
  if (!raw) throw new Error("--sizes takes a comma-separated list, e.g. --sizes 10000,100000");
  const sizes = raw.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < BATCH || n % BATCH !== 0))
    throw new Error(`--sizes must be multiples of ${BATCH}`);
  for (let k = 1; k < sizes.length; k++)
    if (sizes[k]! <= sizes[k - 1]!) throw new Error("--sizes must increase (the seeding is cumulative)");
  return sizes;
}

// ---------------------------------------------------------------------------------------------- users

interface BenchUser {
  id: string;
  email: string;
  name: string;
  password: string;
  roles: string[];
}

/** The exact format of worker/auth/passwords.ts: pbkdf2-sha256$100000$<salt b64url>$<32-byte hash b64url>. */
function hashPassword(password: string): string {
  const src = readFileSync(snapshotPath("worker", "auth", "passwords.ts"), "utf8");
  const iterations = Number(/PBKDF2_ITERATIONS\s*=\s*([\d_]+)/.exec(src)?.[1]?.replace(/_/g, "") ?? 100_000);
  const bits = Number(/HASH_BITS\s*=\s*(\d+)/.exec(src)?.[1] ?? 256);
  const saltBytes = Number(/SALT_BYTES\s*=\s*(\d+)/.exec(src)?.[1] ?? 16);
  const salt = randomBytes(saltBytes);
  const hash = pbkdf2Sync(password, salt, iterations, bits / 8, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

function userId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (const b of randomBytes(12)) s += alphabet[b % 36];
  return `usr_${s}`;
}

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

function createUsers(): BenchUser[] {
  const users: BenchUser[] = [
    {
      id: userId(),
      email: "bench-admin@bench.local",
      name: "Bench Admin",
      password: randomBytes(18).toString("base64url"),
      roles: ["admin"],
    },
  ];
  for (let i = 1; i <= 4; i++) {
    users.push({
      id: userId(),
      email: `bench-rep${i}@bench.local`,
      name: `Bench Rep ${i}`,
      password: randomBytes(18).toString("base64url"),
      roles: ["sales_rep"],
    });
  }
  const now = new Date().toISOString();
  const values = users
    .map(
      (u) =>
        `(${[u.id, u.email, u.name, hashPassword(u.password), JSON.stringify(u.roles), "en", "UTC"].map(sqlText).join(", ")}, 0, ${sqlText(now)}, ${sqlText(now)})`,
    )
    .join(", ");
  d1Execute(
    `INSERT INTO sg_users (id, email, name, password_hash, roles, locale, time_zone, disabled, created_at, updated_at) VALUES ${values}`,
  );
  return users;
}

/**
 * `--reuse`: keep the D1 state the last run left (its deals table and bench users), so a code change can
 * be measured at 1M rows without seeding 1M rows again. The users get new passwords (the old ones were
 * never stored); the Worker served is still a fresh snapshot of the working tree.
 */
function reusableState(): { users: BenchUser[]; rows: number } | null {
  let file: string;
  try {
    file = findAppDatabase();
  } catch {
    return null;
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    const table = db.prepare("SELECT id FROM sg_tables WHERE name = 'deals' AND deleted_at IS NULL").get() as
      { id: string } | undefined;
    const rows = db
      .prepare(
        "SELECT id, email, name, roles FROM sg_users WHERE email LIKE 'bench-%@bench.local' ORDER BY email = 'bench-admin@bench.local' DESC, email",
      )
      .all() as { id: string; email: string; name: string; roles: string }[];
    if (!table || rows.length < 2 || rows[0]!.email !== "bench-admin@bench.local") return null;
    const users = rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      roles: JSON.parse(r.roles) as string[],
      password: randomBytes(18).toString("base64url"),
    }));
    const set = db.prepare("UPDATE sg_users SET password_hash = ?, disabled = 0 WHERE id = ?");
    for (const u of users) set.run(hashPassword(u.password), u.id);
    const n = (db.prepare(`SELECT COUNT(*) AS n FROM "t_${table.id.slice(4)}"`).get() as { n: number }).n;
    return { users, rows: n };
  } finally {
    db.close();
  }
}

/**
 * `--links --reuse`: the bench admin of the D1 state the last run left, with a new password (no deals table needed).
 */
function reusableAdmin(): BenchUser | null {
  let file: string;
  try {
    file = findAppDatabase();
  } catch {
    return null;
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    const row = db
      .prepare("SELECT id, email, name, roles FROM sg_users WHERE email = 'bench-admin@bench.local'")
      .get() as { id: string; email: string; name: string; roles: string } | undefined;
    if (!row) return null;
    const u = {
      id: row.id,
      email: row.email,
      name: row.name,
      roles: JSON.parse(row.roles) as string[],
      password: randomBytes(18).toString("base64url"),
    };
    db.prepare("UPDATE sg_users SET password_hash = ?, disabled = 0 WHERE id = ?").run(hashPassword(u.password), u.id);
    return u;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------- phases

interface BulkResult {
  /** CPU seconds of the Worker host process group while seeding, by process name. */
  cpu: Map<string, number>;
  /** Cores busy with other processes on the machine meanwhile. */
  otherCores: number;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  request: Summary;
}

async function seed(
  client: Client,
  pgid: number | undefined,
  from: number,
  to: number,
  owners: string[],
  r: () => number,
): Promise<BulkResult> {
  let next = from;
  const cpu0 = groupCpu(pgid);
  const other = new OtherLoad(pgid);
  const latencies: number[] = [];
  let lastReport = Date.now();
  const start = performance.now();
  const worker = async () => {
    while (next < to) {
      const first = next;
      const n = Math.min(BATCH, to - first);
      next += n;
      const records = Array.from({ length: n }, (_, i) => makeDeal(r, first + i + 1, owners));
      const body = JSON.stringify({ records });
      const t = performance.now();
      const res = await client.request("POST", "/api/tables/deals/records", body);
      latencies.push(performance.now() - t);
      if (res.status !== 201)
        throw new Error(`bulk create at row ${first} -> ${res.status}: ${res.text.slice(0, 1000)}`);
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const done = next - from;
        process.stdout.write(
          `    ... ${int(next)} rows (${int(done / ((performance.now() - start) / 1000))} rows/s)\n`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  return {
    cpu: cpuDelta(cpu0, groupCpu(pgid)),
    otherCores: other.cores(),
    rows: to - from,
    seconds,
    rowsPerSec: (to - from) / seconds,
    request: summarise(latencies),
  };
}

interface ApiSample {
  summary: Summary;
  /** CPU of the Worker host process group per measured request (ms), by process name. */
  cpuPerRequest: Map<string, number>;
  otherCores: number;
  /** Record ids of the first pages, to check the floor returns the same rows. */
  firstIds: number[][];
  totals: number[];
}

/**
 * Runs the query lists of several lanes (a client and its queries) in turn, one request of each lane
 * per round, so lanes compared with each other (the admin's page and the rep's) see the same machine.
 * CPU of the server is shared out evenly over all measured requests.
 */
async function measureLanes(
  lanes: { client: Client; queries: QuerySpec[] }[],
  pgid: number | undefined,
  warmup: number,
): Promise<ApiSample[]> {
  const out = lanes.map(() => ({ times: [] as number[], firstIds: [] as number[][], totals: [] as number[] }));
  let cpu0 = groupCpu(pgid);
  let other = new OtherLoad(pgid);
  const rounds = Math.max(...lanes.map((l) => l.queries.length));
  for (let i = 0; i < rounds; i++) {
    for (const [li, lane] of lanes.entries()) {
      const q = lane.queries[i];
      if (!q) continue;
      const url = `/api/tables/deals/records?${queryString(q)}`;
      const t = performance.now();
      const res = await lane.client.request("GET", url);
      const dt = performance.now() - t;
      if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${res.text.slice(0, 1000)}`);
      const body = JSON.parse(res.text) as { records: { id: number }[]; total?: number };
      if (!Array.isArray(body.records) || body.records.length > q.limit) throw new Error(`GET ${url}: unexpected body`);
      if (q.count && typeof body.total !== "number") throw new Error(`GET ${url}: no total`);
      const o = out[li]!;
      if (i >= warmup) o.times.push(dt);
      if (i < 5) o.firstIds.push(body.records.map((x) => x.id));
      if (q.count && i < 5) o.totals.push(body.total!);
    }
    if (i === warmup - 1) {
      cpu0 = groupCpu(pgid);
      other = new OtherLoad(pgid);
    }
  }
  const otherCores = other.cores();
  const cpu = cpuDelta(cpu0, groupCpu(pgid));
  const measured = out.reduce((n, o) => n + o.times.length, 0);
  for (const [k, v] of cpu) cpu.set(k, (v * 1000) / measured);
  return out.map((o) => ({
    summary: summarise(o.times),
    cpuPerRequest: cpu,
    otherCores,
    firstIds: o.firstIds,
    totals: o.totals,
  }));
}

async function measureSimple(client: Client, url: string, n = 100, expect = 200): Promise<Summary> {
  const times: number[] = [];
  const token = client.token;
  if (expect === 401) client.token = null;
  try {
    for (let i = 0; i < n + 10; i++) {
      const t = performance.now();
      const res = await client.request("GET", url);
      const dt = performance.now() - t;
      if (res.status !== expect) throw new Error(`GET ${url} -> ${res.status}: ${res.text.slice(0, 500)}`);
      if (i >= 10) times.push(dt);
    }
  } finally {
    client.token = token;
  }
  return summarise(times);
}

/**
 * The machine is shared: before a measured phase, wait (up to --quiet-wait seconds, default 120) for
 * other processes to drop below 0.3 busy cores over a 2 s window. Returns the last reading.
 */
async function waitQuiet(pgid: number | undefined, maxSeconds: number, what: string): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  let said = false;
  for (;;) {
    const probe = new OtherLoad(pgid);
    await new Promise((res) => setTimeout(res, 2000));
    const cores = probe.cores();
    if (cores < 0.3 || Date.now() > deadline) {
      if (said || cores >= 0.3)
        console.log(
          `  ${cores < 0.3 ? "quiet now" : `still busy after ${maxSeconds} s`} (${cores.toFixed(2)} cores used by other processes); measuring ${what}`,
        );
      return cores;
    }
    if (!said) {
      console.log(
        `  other processes are using ${cores.toFixed(2)} cores; waiting up to ${maxSeconds} s for quiet before ${what} ...`,
      );
      said = true;
    }
  }
}

// ---------------------------------------------------------------------------------------------- floor

interface Principal {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  isAdmin: boolean;
  teams: string[];
  teamMembers: string[];
  timeZone: string;
}

interface FloorResult {
  byKind: Partial<
    Record<QueryKind, { summary: Summary; sql: Stmt[]; sameRows: boolean; mismatch?: string; pipelineJs: Summary }>
  >;
  explain: Partial<Record<QueryKind, string[]>>;
  bulk?: BulkProfile | { error: string };
  /** The same statements on the copy after a change the API does not make (diagnostics, not the floor). */
  whatIf: { name: string; byKind: Partial<Record<QueryKind, { summary: Summary; plan: string }>> }[];
  /**
   * The same statements through a Worker that does nothing else (bench/lib/platform.ts), alternating with
   * better-sqlite3.
   */
  platform?: Partial<Record<QueryKind, { worker: Summary; floor: Summary }>> | { error: string };
  error?: string;
}

const planOf = (db: InstanceType<typeof import("better-sqlite3")>, stmts: Stmt[]) =>
  stmts.map((s) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...bindArgs(s.sql, s.params)) as { detail: string }[])
      .map((r) => r.detail)
      .join("; "),
  );

/** Times recorded statements on `db` (fresh prepares, so a changed schema or statistics take effect). */
function timeStatements(db: InstanceType<typeof import("better-sqlite3")>, runs: Stmt[][], warmup: number): Summary {
  const cache = new Map<string, ReturnType<typeof db.prepare>>();
  const times: number[] = [];
  runs.forEach((stmts, i) => {
    const t = performance.now();
    for (const s of stmts) {
      let st = cache.get(s.sql);
      if (!st) cache.set(s.sql, (st = db.prepare(s.sql)));
      st.all(...bindArgs(s.sql, s.params));
    }
    if (i >= warmup) times.push(performance.now() - t);
  });
  return summarise(times);
}

interface BulkProfile {
  batches: number;
  perBatchMs: number;
  sqlMs: number;
  validateMs: number;
  rowsPerSec: number;
  byStatement: { what: string; ms: number }[];
  responseJsonMs: number;
}

const principalOf = (u: BenchUser): Principal => ({
  userId: u.id,
  email: u.email,
  name: u.name,
  roles: u.roles,
  isAdmin: u.roles.includes("admin"),
  teams: [],
  teamMembers: [u.id],
  timeZone: "UTC",
});

/** The principal as the worker itself loads it (auth/principal.ts loadPrincipal) when it can, else built here. */
async function principalFor(shim: ShimD1, u: BenchUser): Promise<Principal> {
  try {
    const mod = await worker("auth/principal.ts");
    if (typeof mod.loadPrincipal === "function") {
      const loaded = await mod.loadPrincipal(shim as unknown as D1Database, u.id);
      if (loaded?.principal) return loaded.principal as Principal;
    }
  } catch {
    /* older code: no loader */
  }
  return principalOf(u);
}

function statementKind(sql: string): string {
  if (sql.startsWith('INSERT INTO "t_')) return "INSERT rows (json_each)";
  if (sql.startsWith("INSERT INTO sg_audit")) return "INSERT audit rows";
  if (sql.startsWith("UPDATE sg_tables SET next_record_id")) return "reserve ids";
  if (sql.startsWith("SELECT id FROM sg_users")) return "check owner users exist";
  if (/^SELECT s0\.id AS id.* WHERE s0\.id IN/.test(sql)) return "read back created rows";
  if (sql.startsWith("SELECT value FROM sg_settings")) return "registry version";
  return sql.slice(0, 40);
}

async function runFloor(
  size: number,
  queries: Record<QueryKind, QuerySpec[]>,
  api: Record<QueryKind, ApiSample>,
  admin: BenchUser,
  rep: BenchUser | null,
  owners: string[],
): Promise<FloorResult> {
  const file = copyDatabase(String(size));
  const db = openCopy(file);
  const out: FloorResult = { byKind: {}, explain: {}, whatIf: [] };
  const capturedByKind = new Map<QueryKind, Stmt[][]>();
  try {
    const shim = new ShimD1(db);
    const { loadRegistry, findTable } = await worker("model/registry.ts");
    const { listRecords } = await worker("records/read.ts");
    const reg = await loadRegistry(shim as unknown as D1Database);
    const table = findTable(reg, "deals");
    if (!table) throw new Error("the copied database has no deals table");
    const physical = (
      db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 't_%'").get() as {
        n: number;
      }
    ).n;
    const n = (db.prepare(`SELECT COUNT(*) AS n FROM "t_${table.id.slice(4)}"`).get() as { n: number }).n;
    if (n !== size) throw new Error(`the copy holds ${n} rows, expected ${size} (${physical} physical tables)`);
    const adminCtx = { db: shim as unknown as D1Database, principal: await principalFor(shim, admin), reg };
    const repCtx = rep ? { ...adminCtx, principal: await principalFor(shim, rep) } : null;

    for (const kind of KINDS) {
      const ctx = kind === "own" ? repCtx! : adminCtx;
      // Record the statements the read pipeline sends for each query (not timed).
      const captured: { stmts: Stmt[]; ids: number[]; total?: number }[] = [];
      const jsTimes: number[] = [];
      for (const q of queries[kind]) {
        shim.recorded = [];
        shim.recording = true;
        const sql0 = shim.sqlMs;
        const t0 = performance.now();
        const res = await listRecords(ctx as never, table, {
          filter: JSON.stringify(q.filter),
          sort: q.sort,
          limit: String(q.limit),
          count: q.count ? "true" : undefined,
        });
        jsTimes.push(performance.now() - t0 - (shim.sqlMs - sql0));
        shim.recording = false;
        captured.push({
          stmts: shim.recorded,
          ids: res.records.map((x) => x.id),
          total: (res as { total?: number }).total,
        });
      }
      // Same rows as the API returned?
      let mismatch: string | undefined;
      api[kind].firstIds.forEach((ids, i) => {
        if (!mismatch && JSON.stringify(ids) !== JSON.stringify(captured[i]!.ids))
          mismatch = `query ${i}: API ids ${ids.slice(0, 5)}… vs floor ${captured[i]!.ids.slice(0, 5)}…`;
      });
      api[kind].totals.forEach((t, i) => {
        if (!mismatch && t !== captured[i]!.total)
          mismatch = `query ${i}: API total ${t} vs floor ${captured[i]!.total}`;
      });
      // Time only the statements.
      const times: number[] = [];
      for (let i = 0; i < captured.length; i++) {
        const stmts = captured[i]!.stmts;
        const t = performance.now();
        for (const s of stmts) {
          const st = shim.stmt(s.sql);
          st.all(...bindArgs(s.sql, s.params));
        }
        const dt = performance.now() - t;
        if (i >= warmupOf(kind)) times.push(dt);
      }
      capturedByKind.set(
        kind,
        captured.map((c) => c.stmts),
      );
      out.byKind[kind] = {
        summary: summarise(times),
        sql: captured[0]!.stmts,
        sameRows: !mismatch,
        mismatch,
        pipelineJs: summarise(jsTimes.slice(warmupOf(kind))),
      };
      const first = captured[0]!.stmts;
      out.explain[kind] = first.map((s) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...bindArgs(s.sql, s.params)) as { detail: string }[])
          .map((r) => r.detail)
          .join("; "),
      );
    }

    // How much of the ratio the runtime and local D1 take before any app code runs.
    try {
      const platform: Partial<Record<QueryKind, { worker: Summary; floor: Summary }>> = {};
      const timed = await timePlatform(file, db, [...capturedByKind.values()], PLATFORM_PORT);
      [...capturedByKind.keys()].forEach(
        (kind, i) =>
          (platform[kind] = {
            worker: summarise(timed[i]!.worker.slice(warmupOf(kind))),
            floor: summarise(timed[i]!.floor.slice(warmupOf(kind))),
          }),
      );
      out.platform = platform;
    } catch (err) {
      out.platform = { error: String(err instanceof Error ? err.message : err).slice(0, 300) };
    }

    // What would help: statistics for the planner, and two-column indexes matching filter + sort.
    const col = (name: string) => {
      const f = table.fields.find((x: { name: string }) => x.name === name);
      return f ? `"c_${String(f.id).slice(4)}"` : null;
    };
    const t = `"t_${table.id.slice(4)}"`;
    const [owner, amount, stage] = [col("owner"), col("amount"), col("stage")];
    const experiments: { name: string; setup: string[]; undo: string[] }[] = [
      {
        name: "after ANALYZE (planner statistics)",
        setup: ["ANALYZE"],
        undo: ["DROP TABLE IF EXISTS sqlite_stat1", "DROP TABLE IF EXISTS sqlite_stat4"],
      },
    ];
    if (owner && amount && stage) {
      experiments.push({
        name: "with indexes (stage, amount) and (owner, amount)",
        setup: [
          `CREATE INDEX bench_stage_amount ON ${t} (${stage}, ${amount})`,
          `CREATE INDEX bench_owner_amount ON ${t} (${owner}, ${amount})`,
        ],
        undo: ["DROP INDEX bench_stage_amount", "DROP INDEX bench_owner_amount"],
      });
    }
    for (const e of experiments) {
      try {
        for (const sql of e.setup) db.exec(sql);
        const byKind: FloorResult["whatIf"][number]["byKind"] = {};
        for (const [kind, runs] of capturedByKind) {
          byKind[kind] = {
            summary: timeStatements(db, runs.slice(0, 110), 10),
            plan: planOf(db, runs[0]!).join(" + "),
          };
        }
        out.whatIf.push({ name: e.name, byKind });
      } finally {
        for (const sql of e.undo) db.exec(sql);
      }
    }

    // Where a bulk create spends its time, outside workerd: the worker's own createRecords over better-sqlite3.
    try {
      out.bulk = await profileBulk(shim, reg, table, admin, owners, size);
    } catch (err) {
      out.bulk = { error: String(err instanceof Error ? err.message : err).slice(0, 300) };
    }
  } catch (err) {
    out.error = String(err instanceof Error ? (err.stack ?? err.message) : err).slice(0, 1500);
  } finally {
    db.close();
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
  return out;
}

async function profileBulk(
  shim: ShimD1,
  reg: unknown,
  table: unknown,
  admin: BenchUser,
  owners: string[],
  size: number,
): Promise<BulkProfile> {
  const { createRecords } = await worker("records/write.ts");
  const { validateWrites } = await worker("records/validate.ts");
  const { tableAccess } = await worker("access/index.ts");
  const r = rng(size + 7);
  const ctx = {
    db: shim as unknown as D1Database,
    principal: await principalFor(shim, admin),
    reg,
    requestId: "bench",
  };
  const batches = 5;
  const per: number[] = [];
  const sql: number[] = [];
  const validate: number[] = [];
  const json: number[] = [];
  const byStatement = new Map<string, number>();
  for (let b = 0; b < batches + 1; b++) {
    const records = Array.from({ length: BATCH }, (_, i) => makeDeal(r, size + b * BATCH + i + 1, owners));
    // validateWrites alone (what createRecords runs before any write), on its own copy of the items.
    const items = records.map((rec, index) => ({ index, path: `records/${index}/fields`, fields: { ...rec.fields } }));
    const access = tableAccess(ctx.principal as never, table as never, reg as never);
    const tv = performance.now();
    await validateWrites(shim as unknown as D1Database, reg as never, access, items, "create");
    const dv = performance.now() - tv;
    // The whole create pipeline, from the parsed body (as the route hands it over).
    const body = JSON.parse(JSON.stringify({ records }));
    const sql0 = shim.sqlMs;
    const commit0 = shim.commitMs;
    shim.msBySql.clear();
    const t = performance.now();
    const result = await createRecords(ctx as never, table as never, body);
    const dt = performance.now() - t;
    const tj = performance.now();
    JSON.stringify(result);
    const dj = performance.now() - tj;
    if (b === 0) continue; // warm-up
    for (const [text, ms] of shim.msBySql) {
      const kind = statementKind(text);
      byStatement.set(kind, (byStatement.get(kind) ?? 0) + ms);
    }
    byStatement.set(
      "COMMIT of the batch (WAL write)",
      (byStatement.get("COMMIT of the batch (WAL write)") ?? 0) + shim.commitMs - commit0,
    );
    per.push(dt);
    sql.push(shim.sqlMs - sql0);
    validate.push(dv);
    json.push(dj);
  }
  const med = (xs: number[]) => summarise(xs).p50;
  return {
    batches,
    perBatchMs: med(per),
    sqlMs: med(sql),
    validateMs: med(validate),
    rowsPerSec: BATCH / (med(per) / 1000),
    byStatement: [...byStatement].map(([what, t]) => ({ what, ms: t / batches })).sort((a, b) => b.ms - a.ms),
    responseJsonMs: med(json),
  };
}

// ---------------------------------------------------------------------------------------------- own rows

/** Is there a grant engine with `own` row rules in worker/access, with grants stored in sg_grants? */
function ownEngine(): { present: boolean; note: string } {
  const dir = snapshotPath("worker", "access");
  let src = "";
  for (const f of readdirSync(dir))
    if (f.endsWith(".ts") && !f.endsWith(".test.ts")) src += readFileSync(path.join(dir, f), "utf8");
  let registry = "";
  try {
    registry = readFileSync(snapshotPath("worker", "model", "registry.ts"), "utf8");
  } catch {
    /* none */
  }
  const hasOwn = /["']own["']/.test(src);
  const stub = /Until role grants arrive/.test(src);
  if (!hasOwn || stub || !/sg_grants/.test(registry)) {
    return {
      present: false,
      note: "worker/access has no grant engine with `own` row rules yet; the `own`-rows variant of (a) was skipped.",
    };
  }
  return {
    present: true,
    note: "The `own`-rows variant of (a) runs as `bench-rep1` (role `sales_rep`); the grant `{read: own, create: own, update: own, delete: none}` on deals was inserted into sg_grants with `wrangler d1 execute` (set up before the Worker starts, so the timed run needs no admin session), with the schema version bumped, while the Worker was stopped.",
  };
}

// ---------------------------------------------------------------------------------------------- report

interface SizeResult {
  size: number;
  /** null when the stage was not seeded in this run (--reuse). */
  bulk: BulkResult | null;
  api: Record<QueryKind, ApiSample>;
  floor: FloorResult;
  overhead: { unauth: Summary; health: Summary; me: Summary; trivialList: Summary };
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

function dbBytes(): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else total += fileSize(p);
    }
  };
  try {
    walk(path.join(STATE_DIR, "v3", "d1"));
  } catch {
    /* none */
  }
  return total;
}

interface Target {
  name: string;
  status: "PASS" | "FAIL" | "NOT RUN";
  detail: string;
}

/** The same create pipeline straight on SQLite at that size: what the API's bulk figure can be held to. */
function sqliteBulk(r: SizeResult): string {
  const b = r.floor.bulk;
  return b && !("error" in b)
    ? ` (the same createRecords batches straight on better-sqlite3: ${int(b.rowsPerSec)} rows/s)`
    : "";
}

function targets(results: SizeResult[]): Target[] {
  const at = (n: number) => results.find((r) => r.size === n);
  const out: Target[] = [];
  const big = at(1_000_000);
  if (big?.api.page) {
    const p95 = big.api.page.summary.p95;
    out.push({
      name: "1M rows: (a) filtered+sorted page p95 < 30 ms through the API",
      status: p95 < 30 ? "PASS" : "FAIL",
      detail: `p95 ${ms(p95)} ms`,
    });
    const floor = big.floor.byKind.page?.summary.p95;
    if (floor !== undefined) {
      const plat = big.floor.platform && !("error" in big.floor.platform) ? big.floor.platform.page : undefined;
      const platNote = plat
        ? `; a Worker doing nothing but this D1 statement, timed alternately with the floor: p95 ${ms(plat.worker.p95)} vs ${ms(plat.floor.p95)} ms = ${ratio(plat.worker.p95, plat.floor.p95)}`
        : "";
      out.push({
        name: "1M rows: (a) API p95 within 3x of the floor p95",
        status: p95 <= 3 * floor ? "PASS" : "FAIL",
        detail: `API ${ms(p95)} ms vs floor ${ms(floor)} ms = ${ratio(p95, floor)}${platNote}`,
      });
    } else {
      out.push({
        name: "1M rows: (a) API p95 within 3x of the floor p95",
        status: "FAIL",
        detail: `floor not measured: ${big.floor.error ?? "?"}`,
      });
    }
  } else {
    out.push({
      name: "1M rows: (a) filtered+sorted page p95 < 30 ms through the API",
      status: "NOT RUN",
      detail: "1,000,000 not in --sizes",
    });
    out.push({
      name: "1M rows: (a) API p95 within 3x of the floor p95",
      status: "NOT RUN",
      detail: "1,000,000 not in --sizes",
    });
  }
  const seeded = results.filter((r) => r.bulk);
  const slow = seeded.filter((r) => r.bulk!.rowsPerSec < 20_000);
  out.push({
    name: "bulk create >= 20,000 rows/s (every stage)",
    status: seeded.length === 0 ? "NOT RUN" : slow.length ? "FAIL" : "PASS",
    detail: seeded.length
      ? seeded.map((r) => `${int(r.size)}: ${int(r.bulk!.rowsPerSec)} rows/s${sqliteBulk(r)}`).join("; ")
      : "nothing was seeded in this run (--reuse)",
  });
  const small = at(10_000);
  if (small?.api.page && big?.api.page) {
    const g = big.api.page.summary.p95 / small.api.page.summary.p95;
    out.push({
      name: "(a) p95 grows < 2x from 10k to 1M",
      status: g < 2 ? "PASS" : "FAIL",
      detail: `${ms(small.api.page.summary.p95)} ms -> ${ms(big.api.page.summary.p95)} ms (${g.toFixed(2)}x)`,
    });
  } else {
    out.push({
      name: "(a) p95 grows < 2x from 10k to 1M",
      status: "NOT RUN",
      detail: "needs both 10,000 and 1,000,000 in --sizes",
    });
  }
  // The rep's row rule should cost next to nothing: same query, same table, p95 within 20% of the admin's.
  const last = results[results.length - 1];
  const own = last?.api.own;
  const page = last?.api.page;
  if (own && page) {
    const r = own.summary.p95 / page.summary.p95;
    out.push({
      name: `${int(last.size)} rows: (a) as a rep with \`read: own\` adds < 20% to the p95`,
      status: r < 1.2 ? "PASS" : "FAIL",
      detail: `rep p50 ${ms(own.summary.p50)} / p95 ${ms(own.summary.p95)} ms vs admin p50 ${ms(page.summary.p50)} / p95 ${ms(page.summary.p95)} ms: p95 x${r.toFixed(2)} (p50 x${(own.summary.p50 / page.summary.p50).toFixed(2)})`,
    });
  } else {
    out.push({
      name: "(a) as a rep with `read: own` adds < 20% to the p95",
      status: "NOT RUN",
      detail: "needs the kinds page and own",
    });
  }
  return out;
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

function printSize(r: SizeResult) {
  console.log(
    `\n== ${int(r.size)} rows ==  ` +
      (r.bulk
        ? `bulk create ${int(r.bulk.rowsPerSec)} rows/s (${int(r.bulk.rows)} rows in ${r.bulk.seconds.toFixed(1)} s; ${CONCURRENCY} clients x ${BATCH} rows/request, request p50 ${ms(r.bulk.request.p50)} ms, p95 ${ms(r.bulk.request.p95)} ms)`
        : "not seeded in this run (--reuse)"),
  );
  console.log(
    `${pad("query", 30)}${pad("API p50", 10, true)}${pad("API p95", 10, true)}${pad("floor p50", 11, true)}${pad("floor p95", 11, true)}${pad("ratio p50", 11, true)}${pad("ratio p95", 11, true)}`,
  );
  for (const k of KINDS) {
    const a = r.api[k].summary;
    const f = r.floor.byKind[k]?.summary;
    console.log(
      `${pad(QUERY_LABELS[k], 30)}${pad(ms(a.p50), 10, true)}${pad(ms(a.p95), 10, true)}${pad(f ? ms(f.p50) : "n/a", 11, true)}${pad(f ? ms(f.p95) : "n/a", 11, true)}${pad(f ? ratio(a.p50, f.p50) : "n/a", 11, true)}${pad(f ? ratio(a.p95, f.p95) : "n/a", 11, true)}`,
    );
  }
  if (r.bulk)
    console.log(
      `  server CPU while seeding: ${formatCpu(r.bulk.cpu)} (${formatCpu(r.bulk.cpu, 1e6 / r.bulk.rows, "ms")} per 1000 rows)`,
    );
  for (const k of KINDS)
    console.log(`  server CPU per request ${SHORT[k]}: ${formatCpu(r.api[k].cpuPerRequest, 1, "ms")}`);
  console.log(
    `  fixed costs: 401 without token p50 ${ms(r.overhead.unauth.p50)} ms; GET /api/health p50 ${ms(r.overhead.health.p50)} ms; GET /api/auth/me p50 ${ms(r.overhead.me.p50)} ms; GET records?limit=1 (no filter/sort) p50 ${ms(r.overhead.trivialList.p50)} ms`,
  );
  for (const k of KINDS)
    if (r.floor.byKind[k] && !r.floor.byKind[k]!.sameRows)
      console.log(`  WARNING ${k}: floor rows differ from the API's: ${r.floor.byKind[k]!.mismatch}`);
  if (r.floor.error) console.log(`  floor failed: ${r.floor.error}`);
  const plat = r.floor.platform;
  if (plat && "error" in plat) console.log(`  platform floor failed: ${plat.error}`);
  else if (plat)
    console.log(
      `  platform floor (a Worker that only runs the same D1 statements, alternating with better-sqlite3): ${KINDS.filter(
        (k) => plat[k],
      )
        .map(
          (k) =>
            `${SHORT[k]} p50 ${ms(plat[k]!.worker.p50)} p95 ${ms(plat[k]!.worker.p95)} vs floor p50 ${ms(plat[k]!.floor.p50)} p95 ${ms(plat[k]!.floor.p95)} (p95 ${ratio(plat[k]!.worker.p95, plat[k]!.floor.p95)})`,
        )
        .join("; ")}`,
    );
  for (const w of r.floor.whatIf)
    console.log(
      `  floor ${w.name}: ${KINDS.filter((k) => w.byKind[k])
        .map((k) => `${SHORT[k]} p50 ${ms(w.byKind[k]!.summary.p50)} p95 ${ms(w.byKind[k]!.summary.p95)}`)
        .join("; ")}`,
    );
}

function markdown(meta: Record<string, string>, results: SizeResult[], tgs: Target[], notes: string[]): string {
  const L: string[] = [];
  L.push("# Salesgrid benchmark results", "");
  L.push(
    "Generated by `npm run bench` (bench/run.ts); this file is overwritten by every run. Nothing here is edited by hand.",
    "",
  );
  for (const [k, v] of Object.entries(meta)) L.push(`- **${k}:** ${v}`);
  L.push("", "## Targets", "", "| target | result | measured |", "|---|---|---|");
  for (const t of tgs) L.push(`| ${t.name} | **${t.status}** | ${t.detail} |`);
  L.push("", "## Queries", "");
  for (const k of KINDS) L.push(`- **${QUERY_LABELS[k]}**: ${QUERY_DESCRIPTIONS[k]}`);
  L.push(
    "",
    `"Other load" is the average number of cores that processes other than the bench and its Worker host were using during the measurement (from /proc/stat); this machine is shared with other work, and anything above ~0.1 means the figures are disturbed.`,
    "",
    `Each query kind: ${WARMUP} warm-up requests, then ${SAMPLES} sequential requests (${[...SLOW_KINDS].map((k) => QUERY_LABELS[k]).join(" and ")}: ${warmupOf("count")} and ${samplesOf("count")}), each with its own filter values; latency is measured by the client from sending the request to the last byte of the response (keep-alive HTTP to ${SERVER} on 127.0.0.1).`,
    "The floor runs the very statements the API sends to D1 (recorded by running worker/records/read.ts `listRecords` in Node over a D1 stand-in, with the registry loaded from the copied D1 file) with better-sqlite3 on a copy of the D1 SQLite file, same query list, same warm-up; it includes materialising the rows, nothing else. The first 5 results of every query kind are compared between API and floor (same record ids, same totals).",
    "",
  );
  for (const r of results) {
    L.push(`## ${int(r.size)} rows`, "");
    if (!r.bulk) L.push("Bulk create: not seeded in this run (the D1 state of an earlier run was reused).", "");
    else
      L.push(
        `Bulk create: **${int(r.bulk.rowsPerSec)} rows/s** (${int(r.bulk.rows)} rows added in ${r.bulk.seconds.toFixed(1)} s, ${CONCURRENCY} concurrent clients, ${BATCH} records per POST; request p50 ${ms(r.bulk.request.p50)} ms, p95 ${ms(r.bulk.request.p95)} ms). CPU of the Worker host's process group meanwhile: ${formatCpu(r.bulk.cpu)} (${formatCpu(r.bulk.cpu, 1e6 / r.bulk.rows, "ms")} per 1000 rows; wall time ${r.bulk.seconds.toFixed(1)} s). Other processes on the machine kept ${r.bulk.otherCores.toFixed(2)} of ${os.cpus().length} cores busy meanwhile.`,
        "",
      );
    L.push(
      "| query | API p50 (ms) | API p95 (ms) | floor p50 (ms) | floor p95 (ms) | API/floor p50 | API/floor p95 | same rows | other load (cores) |",
      "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    );
    for (const k of KINDS) {
      const a = r.api[k].summary;
      const f = r.floor.byKind[k];
      L.push(
        `| ${QUERY_LABELS[k]} | ${ms(a.p50)} | ${ms(a.p95)} | ${f ? ms(f.summary.p50) : "n/a"} | ${f ? ms(f.summary.p95) : "n/a"} | ${f ? ratio(a.p50, f.summary.p50) : "n/a"} | ${f ? ratio(a.p95, f.summary.p95) : "n/a"} | ${f ? (f.sameRows ? "yes" : `NO (${f.mismatch})`) : "n/a"} | ${r.api[k].otherCores.toFixed(2)} |`,
      );
    }
    const js = KINDS.filter((k) => r.floor.byKind[k]).map(
      (k) => `${SHORT[k]} ${ms(r.floor.byKind[k]!.pipelineJs.p50)} / ${ms(r.floor.byKind[k]!.pipelineJs.p95)}`,
    );
    L.push(
      "",
      `Server CPU per measured request (the Worker host's process group, from /proc): ${KINDS.map((k) => `${SHORT[k]} ${formatCpu(r.api[k].cpuPerRequest, 1, "ms")}`).join("; ")}.`,
    );
    if (js.length)
      L.push(
        "",
        `JavaScript of the read pipeline itself, run in Node without SQL (listRecords: parse filter and sort, compile, decode rows; p50 / p95 ms): ${js.join("; ")}.`,
      );
    L.push(
      "",
      `Fixed per-request costs through the API (p50 / p95 ms): \`GET /api/auth/me\` without a token (401: HTTP, ${HOST === "workerd" ? "" : "wrangler dev proxy, "}Hono middleware; no D1) ${ms(r.overhead.unauth.p50)} / ${ms(r.overhead.unauth.p95)}; \`GET /api/health\` (no auth, 1 D1 query) ${ms(r.overhead.health.p50)} / ${ms(r.overhead.health.p95)}; \`GET /api/auth/me\` (token check + 2 user lookups) ${ms(r.overhead.me.p50)} / ${ms(r.overhead.me.p95)}; \`GET /api/tables/deals/records?limit=1\` (no filter, no sort) ${ms(r.overhead.trivialList.p50)} / ${ms(r.overhead.trivialList.p95)}.`,
      "",
    );
    if (r.floor.error) L.push(`Floor failed: \`${r.floor.error.split("\n")[0]}\``, "");
    const plans = KINDS.filter((k) => r.floor.explain[k]).map(
      (k) => `- ${QUERY_LABELS[k]}: ${r.floor.explain[k]!.map((p) => `\`${p}\``).join(" + ")}`,
    );
    if (plans.length) L.push("Query plans (EXPLAIN QUERY PLAN on the copy):", "", ...plans, "");
    const plat = r.floor.platform;
    if (plat && "error" in plat) L.push(`Platform floor failed: \`${plat.error}\``, "");
    else if (plat) {
      L.push(
        "The platform's own floor: the same statements through a Worker that does nothing but pass them to D1 and return the rows " +
          "(bench/lib/platform.ts: no routing, auth, access rules or decoding; workerd with local D1 on another copy of the file), " +
          `timed alternately with better-sqlite3 on the copy, the same queries and warm-up as the API, after one untimed pass (p50 / p95 ms): ` +
          KINDS.filter((k) => plat[k])
            .map(
              (k) =>
                `${SHORT[k]} Worker ${ms(plat[k]!.worker.p50)} / ${ms(plat[k]!.worker.p95)} vs better-sqlite3 ${ms(plat[k]!.floor.p50)} / ${ms(plat[k]!.floor.p95)} (${ratio(plat[k]!.worker.p50, plat[k]!.floor.p50)} / ${ratio(plat[k]!.worker.p95, plat[k]!.floor.p95)}); the API over this Worker: ${ratio(r.api[k].summary.p50, plat[k]!.worker.p50)} / ${ratio(r.api[k].summary.p95, plat[k]!.worker.p95)}`,
            )
            .join("; ") +
          ".",
        "",
      );
    }
    for (const w of r.floor.whatIf) {
      L.push(
        `Diagnostic, not what the API does: the same statements on the copy ${w.name} (p50 / p95 ms, 100 runs): ` +
          KINDS.filter((k) => w.byKind[k])
            .map(
              (k) =>
                `${SHORT[k]} ${ms(w.byKind[k]!.summary.p50)} / ${ms(w.byKind[k]!.summary.p95)} (\`${w.byKind[k]!.plan}\`)`,
            )
            .join("; ") +
          ".",
        "",
      );
    }
    const b = r.floor.bulk;
    if (b && "error" in b) L.push(`Bulk pipeline profile failed: \`${b.error}\``, "");
    else if (b) {
      L.push(
        `Bulk pipeline outside workerd (worker/records/write.ts \`createRecords\` run in Node over better-sqlite3 on the copy, ${BATCH} records per call, median of ${b.batches}): **${ms(b.perBatchMs)} ms per ${BATCH} rows = ${int(b.rowsPerSec)} rows/s**; of which SQL ${ms(b.sqlMs)} ms, \`validateWrites\` ${ms(b.validateMs)} ms (${((b.validateMs * 1000) / BATCH).toFixed(1)} µs/record); serialising the ${BATCH}-record reply ${ms(b.responseJsonMs)} ms. SQL by statement (ms per batch): ${b.byStatement.map((s) => `${s.what} ${ms(s.ms)}`).join(", ")}.`,
        "",
      );
    }
  }
  if (results.length) {
    const last = results[results.length - 1]!;
    L.push("## SQL of the measured queries (first query of each kind)", "");
    for (const k of KINDS) {
      const f = last.floor.byKind[k];
      if (!f) continue;
      L.push(
        `${QUERY_LABELS[k]}:`,
        "",
        "```sql",
        ...f.sql.map((s) => `${s.sql};  -- params ${JSON.stringify(s.params)}`),
        "```",
        "",
      );
    }
  }
  if (notes.length) L.push("## Notes", "", ...notes.map((n) => `- ${n}`), "");
  return L.join("\n");
}

/** Which code was measured: HEAD plus uncommitted changes under worker/ (the bench serves a snapshot of it). */
function codeVersion(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "worker", "migrations", "wrangler.toml"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3));
    return `git ${head}${dirty.length ? ` + uncommitted changes in ${dirty.join(", ")}` : " (clean)"}`;
  } catch {
    return "unknown (no git)";
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--kanban")) {
    // Only the board figure (bench/kanban.ts): its own Worker, data and Chromium.
    const { kanbanBench, formatKanban } = await import("./kanban");
    const figures = await kanbanBench();
    console.log(formatKanban(figures));
    if (figures.runs.some((r) => !r.exact)) throw new Error("the board's column totals differ from SQL");
    return;
  }
  if (argv.includes("--grid")) {
    // Only the grid figures (bench/grid.ts): Chromium over the 1M-row deals table a full run left.
    const { gridBench, formatGrid } = await import("./grid");
    const runsAt = argv.indexOf("--runs");
    console.log(formatGrid(await gridBench({ runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : 5 })));
    return;
  }
  if (argv.includes("--links")) return linksOnly(argv);
  if (argv.includes("--inventory")) {
    // Only the inventory figures (bench/inventory.ts): its own Worker and data.
    const { inventoryBench, formatInventory } = await import("./inventory");
    const runsAt = argv.indexOf("--runs");
    const movesAt = argv.indexOf("--moves");
    const figures = await inventoryBench(
      runsAt >= 0 ? Number(argv[runsAt + 1]) : 20,
      movesAt >= 0 ? Number(argv[movesAt + 1]) : 1_000_000,
    );
    console.log(formatInventory(figures));
    if (figures.concurrent.confirmedInDb !== 100 || !figures.concurrent.clean || !figures.verifyClean)
      throw new Error("stock was oversold or the levels differ from the ledger");
    return;
  }
  if (argv.includes("--reminders")) {
    // Only the reminders figure of issue 17 (bench/reminders.ts): its own Worker and data.
    const { remindersBench, formatReminders, REMINDERS_TARGET_MS } = await import("./reminders");
    const runsAt = argv.indexOf("--runs");
    const futureAt = argv.indexOf("--future");
    const figures = await remindersBench(
      runsAt >= 0 ? Number(argv[runsAt + 1]) : 5,
      futureAt >= 0 ? Number(argv[futureAt + 1]) : 999_000,
    );
    console.log(formatReminders(figures));
    if (figures.delivered.some((n) => n !== figures.due)) throw new Error("a tick did not deliver every due reminder");
    if (figures.tick.p50 >= REMINDERS_TARGET_MS) console.log("the reminders tick missed its target");
    return;
  }
  if (argv.includes("--feeds")) {
    // Only the ICS feed figure of issue 17 (bench/feeds.ts): its own Worker and data.
    const { feedsBench, formatFeeds, FEEDS_TARGET_MS } = await import("./feeds");
    const runsAt = argv.indexOf("--runs");
    const eventsAt = argv.indexOf("--events");
    const figures = await feedsBench(
      runsAt >= 0 ? Number(argv[runsAt + 1]) : 30,
      eventsAt >= 0 ? Number(argv[eventsAt + 1]) : 2000,
    );
    console.log(formatFeeds(figures));
    if (!figures.exact) throw new Error("a feed fetch did not hold every event");
    if (figures.fetch.p50 >= FEEDS_TARGET_MS) console.log("the feed missed its target");
    return;
  }
  if (argv.includes("--calendar")) {
    // Only the calendar month figure of issue 17 (bench/calendar.ts): its own Worker, data and Chromium.
    const { calendarBench, formatCalendar, CALENDAR_DATA_TARGET_MS, CALENDAR_PAINT_TARGET_MS } =
      await import("./calendar");
    const runsAt = argv.indexOf("--runs");
    const eventsAt = argv.indexOf("--events");
    const outsideAt = argv.indexOf("--outside");
    const figures = await calendarBench({
      runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : 20,
      events: eventsAt >= 0 ? Number(argv[eventsAt + 1]) : 5000,
      outside: outsideAt >= 0 ? Number(argv[outsideAt + 1]) : 20_000,
    });
    console.log(formatCalendar(figures));
    if (!figures.exact) throw new Error("a calendar reply did not hold every event of the month");
    if (figures.data.p50 >= CALENDAR_DATA_TARGET_MS) console.log("the calendar's data missed its target");
    if (figures.firstPaint.p50 >= CALENDAR_PAINT_TARGET_MS) console.log("the calendar's first paint missed its target");
    return;
  }
  if (argv.includes("--orders-board")) {
    // Only the orders board figure of issue 15 (bench/orders-board.ts): its own Worker, data and Chromium.
    const { ordersBoardBench, formatOrdersBoard } = await import("./orders-board");
    const at = (name: string, fallback: number) => {
      const i = argv.indexOf(name);
      return i >= 0 ? Number(argv[i + 1]) : fallback;
    };
    const figures = await ordersBoardBench({ orders: at("--orders", 100_000), runs: at("--runs", 5) });
    console.log(formatOrdersBoard(figures));
    if (figures.runs.some((r) => !r.exact)) throw new Error("the orders board's column totals differ from SQL");
    return;
  }
  if (argv.includes("--sales")) {
    // Only the quote and order figures (bench/sales.ts): its own Worker and data.
    const { salesBench, formatSales } = await import("./sales");
    const runsAt = argv.indexOf("--runs");
    const figures = await salesBench(runsAt >= 0 ? Number(argv[runsAt + 1]) : 20);
    console.log(formatSales(figures));
    if (!figures.exact) throw new Error("a quote's totals differ from its lines");
    return;
  }
  const sizes = parseSizes(argv);
  const quietWait = parseQuietWait(argv);
  const onlyKinds = parseKinds(argv);
  const skipFloor = argv.includes("--skip-floor");
  const started = Date.now();
  const loadAtStart = os.loadavg();
  console.log(`Salesgrid bench: sizes ${sizes.map(int).join(", ")}`);
  rmSync(path.join(DATA_DIR, "floor"), { recursive: true, force: true });
  const code = codeVersion();
  takeSnapshot();
  const reused = argv.includes("--reuse") ? reusableState() : null;
  if (!reused) rmSync(STATE_DIR, { recursive: true, force: true });
  else console.log(`reusing bench/.data/state: deals holds ${int(reused.rows)} rows`);
  console.log("bundling the snapshot of the Worker (bench/.data/build) ...");
  buildWorker();
  const wver = wranglerVersion();
  console.log("applying migrations to bench/.data/state ...");
  applyMigrations();
  console.log(reused ? "bench users: new passwords set in the reused D1" : "creating bench users in the local D1 ...");
  const users = reused ? reused.users : createUsers();
  const admin = users[0]!;
  const owners = users.map((u) => u.id);
  console.log(`starting ${HOST} on 127.0.0.1:${PORT} ...`);
  const tokenSecret = randomBytes(32).toString("hex");
  let server: DevServer = await startDevServer({ port: PORT, tokenSecret, host: HOST });
  let client = new Client(server.url);
  let rep: BenchUser | null = null;
  let repClient: Client | null = null;
  const notes: string[] = [];
  const results: SizeResult[] = [];
  let links: LinksFigures | null = null;
  let idleCpu = "n/a";
  try {
    const login = await client.json<{ token: string; user: { id: string } }>("POST", "/api/auth/login", {
      email: admin.email,
      password: admin.password,
    });
    client.token = login.token;
    if (login.user.id !== admin.id) throw new Error("logged in as the wrong user");
    // The bench loads and reads far faster than people do: lift the API rate limits (kept in the D1 state).
    const unlimited = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await client.json("PUT", "/api/admin/settings/rate-limits", {
      user: unlimited,
      client: unlimited,
      rows: unlimited,
    });
    if (!reused) await client.json("POST", "/api/meta/tables", DEALS_TABLE, [201]);
    // The reps' grid: a view sorted by amount. Views are what ask for (owner, sort field) indexes.
    await client.json("POST", "/api/meta/views", DEALS_VIEW, [201, 409]);
    const meta = await client.json<{
      table: { id: string; fields: { name: string; type: string; indexed: boolean }[] };
    }>("GET", "/api/meta/tables/deals");
    console.log(
      `table deals: ${meta.table.fields.map((f) => `${f.name}:${f.type}${f.indexed ? "*" : ""}`).join(", ")}`,
    );
    const own = ownEngine();
    if (own.present && reused) {
      // The grant is in the reused state already.
      rep = users[1]!;
      repClient = new Client(server.url);
      repClient.token = (
        await repClient.json<{ token: string }>("POST", "/api/auth/login", { email: rep.email, password: rep.password })
      ).token;
      KINDS.push("own");
    } else if (own.present) {
      console.log("granting sales_rep `own` rows on deals (Worker stopped meanwhile) ...");
      await server.stop();
      client.close();
      const now = new Date().toISOString();
      const ops = JSON.stringify({ read: "own", create: "own", update: "own", delete: "none" });
      d1Execute(
        `INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES ('sales_rep', ${sqlText(meta.table.id)}, ${sqlText(ops)}, '{}', 'write', ${sqlText(now)}); ` +
          "UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'",
      );
      server = await startDevServer({ port: PORT, tokenSecret, host: HOST });
      client = new Client(server.url);
      client.token = login.token;
      rep = users[1]!;
      repClient = new Client(server.url);
      const repLogin = await repClient.json<{ token: string }>("POST", "/api/auth/login", {
        email: rep.email,
        password: rep.password,
      });
      repClient.token = repLogin.token;
      KINDS.push("own");
    }
    console.log(`note: ${own.note}`);
    notes.push(own.note);
    if (onlyKinds) {
      const keep = KINDS.filter((k) => onlyKinds.includes(k));
      KINDS.splice(0, KINDS.length, ...keep);
      notes.push(`Only these query kinds were measured (--kinds): ${KINDS.join(", ")}.`);
    }
    if (reused)
      notes.push(
        `The D1 state of an earlier run was reused (--reuse): it started with ${int(reused.rows)} rows, so stages at or below that size were not seeded in this run and their bulk figures are missing.`,
      );
    {
      const c0 = groupCpu(server.child.pid);
      await new Promise((res) => setTimeout(res, 3000));
      idleCpu = formatCpu(cpuDelta(c0, groupCpu(server.child.pid)), 1000 / 3, "ms");
      console.log(`idle CPU of the Worker host per second: ${idleCpu}`);
    }

    const r = rng(20260426);
    let seeded = reused?.rows ?? 0;
    for (const size of sizes) {
      if (size < seeded) {
        console.log(`\nskipping ${int(size)} rows: the reused table already holds ${int(seeded)}`);
        continue;
      }
      console.log(
        size > seeded
          ? `\nseeding to ${int(size)} rows (bulk API, ${CONCURRENCY} concurrent requests of ${BATCH}) ...`
          : `\n${int(size)} rows (already seeded)`,
      );
      if (quietWait > 0 && size > seeded) await waitQuiet(server.child.pid, quietWait, "bulk create");
      const bulk = size > seeded ? await seed(client, server.child.pid, seeded, size, owners, r) : null;
      seeded = size;
      const check = await client.json<{ total: number }>("GET", "/api/tables/deals/records?limit=1&count=true");
      if (check.total !== size) throw new Error(`the API counts ${check.total} rows, expected ${size}`);
      if (bulk)
        console.log(
          `  ${int(bulk.rowsPerSec)} rows/s (other processes busy: ${bulk.otherCores.toFixed(2)} cores); D1 files now ${(dbBytes() / 1e6).toFixed(0)} MB`,
        );
      const queries = Object.fromEntries(
        KINDS.map((k, i) => [k, makeQueries(k, warmupOf(k) + samplesOf(k), size * 10 + i)]),
      ) as Record<QueryKind, QuerySpec[]>;
      const api = {} as Record<QueryKind, ApiSample>;
      // The rep's page is measured interleaved with the admin's, so the two see the same machine.
      const paired = KINDS.includes("page") && KINDS.includes("own");
      for (const k of KINDS) {
        if (paired && k === "own") continue;
        const kinds: QueryKind[] = paired && k === "page" ? ["page", "own"] : [k];
        if (quietWait > 0)
          await waitQuiet(server.child.pid, quietWait, kinds.map((x) => QUERY_LABELS[x]).join(" and "));
        process.stdout.write(`  API ${kinds.map((x) => QUERY_LABELS[x]).join(" | ")} ... `);
        const samples = await measureLanes(
          kinds.map((x) => ({ client: x === "own" ? repClient! : client, queries: queries[x] })),
          server.child.pid,
          warmupOf(k),
        );
        kinds.forEach((x, i) => (api[x] = samples[i]!));
        console.log(
          kinds.map((x) => `p50 ${ms(api[x].summary.p50)} ms, p95 ${ms(api[x].summary.p95)} ms`).join(" | ") +
            ` (other processes busy: ${samples[0]!.otherCores.toFixed(2)} cores)`,
        );
      }
      const pairNote =
        "(a) and (a) as a rep were measured interleaved (one request of each in turn), so both saw the same load; their server CPU per request is the average over both.";
      if (paired && !notes.includes(pairNote)) notes.push(pairNote);
      const overhead = {
        unauth: await measureSimple(client, "/api/auth/me", 100, 401),
        health: await measureSimple(client, "/api/health"),
        me: await measureSimple(client, "/api/auth/me"),
        trivialList: await measureSimple(client, "/api/tables/deals/records?limit=1"),
      };
      if (quietWait > 0) await waitQuiet(server.child.pid, quietWait, "the floor");
      console.log("  floor: copying the D1 file and running the same SQL with better-sqlite3 ...");
      const floor: FloorResult = skipFloor
        ? { byKind: {}, explain: {}, whatIf: [], error: "skipped (--skip-floor)" }
        : await runFloor(size, queries, api, admin, rep, owners);
      const res: SizeResult = { size, bulk, api, floor, overhead };
      results.push(res);
      printSize(res);
    }
    // Row rules through a link (bench/links.ts): its own two tables on the same Worker.
    if (!argv.includes("--skip-links")) {
      const pgid = server.child.pid;
      links = await linksBench({
        url: server.url,
        adminToken: client.token!,
        pgid,
        waitQuiet: (what) => (quietWait > 0 ? waitQuiet(pgid, quietWait, what) : Promise.resolve(0)),
      });
    }
  } finally {
    client.close();
    repClient?.close();
    await server.stop();
  }

  const tgs = targets(results);
  if (links) tgs.push(linksTarget(links));
  console.log("\n== targets ==");
  for (const t of tgs) console.log(`${t.status.padEnd(7)} ${t.name} — ${t.detail}`);
  const cpus = os.cpus();
  const meta = {
    Date: new Date().toISOString(),
    Machine: `${cpus[0]?.model ?? "unknown CPU"} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
    Node: process.version,
    Wrangler: wver,
    "Worker served by": SERVER,
    "Code measured": `${code}, copied to bench/.data/snapshot when the run started; the Worker host served its bundle and the floor imported it, so edits made during the run do not reach it`,
    Sizes: sizes.map(int).join(", ") + " rows (cumulative, one table)",
    "Load average (1/5/15 min)": `${loadAtStart.map((x) => x.toFixed(2)).join(" / ")} at start, ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ")} at the end (the machine is shared; anything else running shows up here)`,
    "Idle CPU of the Worker host's process group": `${idleCpu} per second of idle time (background work, included in the per-request CPU figures below pro rata)`,
    "Bench wall time": `${((Date.now() - started) / 60000).toFixed(1)} min`,
    "D1 on disk at the end": `${(dbBytes() / 1e6).toFixed(0)} MB (bench/.data/state, includes sg_audit rows written by every create)`,
  };
  // `--out FILE` writes the report elsewhere (e.g. a partial --reuse run that should not replace RESULTS.md).
  const outArg = argv.indexOf("--out");
  const out =
    outArg >= 0 && argv[outArg + 1] ? path.resolve(argv[outArg + 1]!) : path.join(ROOT, "bench", "RESULTS.md");
  writeFileSync(out, spliceLinks(markdown(meta, results, tgs, notes), links, null));
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
}

/**
 * Puts the section of row rules through a link into a report: before the SQL section of a fresh one,
 * or in place of the section (and target row) an earlier run wrote, for `--links` alone.
 */
function spliceLinks(md: string, f: LinksFigures | null, provenance: string | null): string {
  if (!f) return md;
  const section =
    (provenance ? `${linksMarkdown(f).replace(/\n\n/, `\n\n${provenance}\n\n`)}` : linksMarkdown(f)) + "\n";
  const t = linksTarget(f);
  const row = `| ${t.name} | **${t.status}** | ${t.detail} |`;
  const lines = md.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`| ${t.name.slice(0, 20)}`));
  if (at >= 0) lines[at] = row;
  else {
    const head = lines.findIndex((l) => l === "## Targets");
    let end = head + 1;
    while (
      end < lines.length &&
      (lines[end]!.startsWith("|") || lines[end] === "") &&
      !(lines[end] === "" && lines[end - 1]!.startsWith("|"))
    )
      end++;
    if (head >= 0) lines.splice(end, 0, row);
  }
  md = lines.join("\n");
  const start = md.indexOf(`${LINKS_HEADING}`);
  if (start >= 0) {
    const next = md.indexOf("\n## ", start + LINKS_HEADING.length);
    return md.slice(0, start) + section + (next >= 0 ? md.slice(next + 1) : "");
  }
  const before = ["## SQL of the measured queries", "## Notes"].map((h) => md.indexOf(`\n${h}`)).find((i) => i >= 0);
  return before === undefined ? `${md}\n${section}` : `${md.slice(0, before + 1)}${section}\n${md.slice(before + 1)}`;
}

/** `--links [--reuse]`: only the figure of row rules through a link, spliced into RESULTS.md. */
async function linksOnly(argv: string[]) {
  const quietWait = parseQuietWait(argv);
  const code = codeVersion();
  takeSnapshot();
  const reused = argv.includes("--reuse") ? reusableAdmin() : null;
  if (!reused) rmSync(STATE_DIR, { recursive: true, force: true });
  console.log("bundling the snapshot of the Worker (bench/.data/build) ...");
  buildWorker();
  applyMigrations();
  const admin = reused ?? createUsers()[0]!;
  const server = await startDevServer({ port: PORT, tokenSecret: randomBytes(32).toString("hex"), host: HOST });
  const client = new Client(server.url);
  let figures: LinksFigures;
  try {
    client.token = (
      await client.json<{ token: string }>("POST", "/api/auth/login", { email: admin.email, password: admin.password })
    ).token;
    const pgid = server.child.pid;
    figures = await linksBench({
      url: server.url,
      adminToken: client.token,
      pgid,
      waitQuiet: (what) => (quietWait > 0 ? waitQuiet(pgid, quietWait, what) : Promise.resolve(0)),
    });
  } finally {
    client.close();
    await server.stop();
  }
  const t = linksTarget(figures);
  console.log(`\n${t.status} ${t.name} — ${t.detail}`);
  const outArg = argv.indexOf("--out");
  const out =
    outArg >= 0 && argv[outArg + 1] ? path.resolve(argv[outArg + 1]!) : path.join(ROOT, "bench", "RESULTS.md");
  let current = "";
  try {
    current = readFileSync(out, "utf8");
  } catch {
    current = "# Salesgrid benchmark results\n\n## Targets\n\n| target | result | measured |\n|---|---|---|\n";
  }
  const provenance = `Measured alone by \`npm run bench -- --links\` on ${new Date().toISOString()} (${code}; ${SERVER}), not with the rest of this report.`;
  writeFileSync(out, spliceLinks(current, figures, provenance));
  console.log(`wrote ${path.relative(ROOT, out)}`);
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await currentDevServer()
    ?.stop()
    .catch(() => killDevServerSync());
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));
process.on("exit", () => killDevServerSync());

main().then(
  () => shutdown(0),
  (err) => {
    console.error(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void shutdown(1);
  },
);
