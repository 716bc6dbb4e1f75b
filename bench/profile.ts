/**
 * `node --import tsx bench/profile.ts [--batches 20] [--from-bench-state] [--cache-mb 256]`:
 * CPU profile of the worker's own write and read pipelines (worker/records/write.ts createRecords,
 * worker/records/read.ts listRecords) run in Node over better-sqlite3, to see which functions are hot
 * without workerd in the way. No server is started; the database is a scratch file under
 * bench/.data/profile (with --from-bench-state, a copy of the D1 file the last `npm run bench` left in
 * bench/.data/state, e.g. its 1M-row deals table).
 * Prints the top functions by self and inclusive time and writes the raw .cpuprofile files next to it.
 */
import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { DEALS_TABLE, makeDeal, makeQueries, queryString, rng } from "./lib/data";
import { copyDatabase, ShimD1 } from "./lib/floor";
import { DATA_DIR, ROOT } from "./lib/server";

const argv = process.argv.slice(2);
const batches = Number(argv[argv.indexOf("--batches") + 1] ?? 20) || 20;
const dir = path.join(DATA_DIR, "profile");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const fromState = argv.includes("--from-bench-state");
const db = new Database(fromState ? copyDatabase("profile") : path.join(dir, "profile.sqlite"));
db.pragma("journal_mode = WAL");
// `--cache-mb N`: SQLite's page cache (a Worker cannot set D1's), to see how much of the random index inserts at 1M
// rows is for want of cache.
const cacheMb = argv.includes("--cache-mb") ? Number(argv[argv.indexOf("--cache-mb") + 1]) : 0;
if (cacheMb > 0) db.pragma(`cache_size = -${Math.round(cacheMb * 1024)}`);
console.log(`SQLite cache_size = ${db.pragma("cache_size", { simple: true })} (negative: KiB)`);
const now = new Date().toISOString();
let owners = ["usr_benchprofile", "usr_benchprofil2", "usr_benchprofil3"];
if (fromState) {
  owners = (db.prepare("SELECT id FROM sg_users").all() as { id: string }[]).map((r) => r.id);
} else {
  for (const f of readdirSync(path.join(ROOT, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort())
    db.exec(readFileSync(path.join(ROOT, "migrations", f), "utf8"));
  for (const id of owners)
    db.prepare(
      "INSERT INTO sg_users (id, email, name, roles, created_at, updated_at) VALUES (?, ?, ?, '[]', ?, ?)",
    ).run(id, `${id}@bench.local`, id, now, now);
}
const admin = {
  userId: owners[0]!,
  email: "p@bench.local",
  name: "Profiler",
  roles: ["admin"],
  isAdmin: true,
  teams: [],
  teamMembers: [owners[0]!],
  timeZone: "UTC",
};
const shim = new ShimD1(db);
const D1 = shim as unknown as D1Database;

const { createTable } = await import("../worker/model/tables");
const { loadRegistry, findTable } = await import("../worker/model/registry");
const { createRecords } = await import("../worker/records/write");
const { listRecords } = await import("../worker/records/read");
if (!fromState) await createTable({ db: D1, userId: admin.userId, requestId: null, at: now }, DEALS_TABLE);
const reg = await loadRegistry(D1);
const table = findTable(reg, "deals")!;
const ctx = { db: D1, principal: admin, reg, requestId: "profile" };
const r = rng(1);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function report(name: string, profile: Profile, wallMs: number, sqlMs: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totalHits = profile.samples.length || 1;
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / totalHits;
  const label = (n: Node) => {
    const url = n.callFrame.url.replace(`file://${ROOT}/`, "").replace(/^.*node_modules\//, "");
    return `${n.callFrame.functionName || "(anonymous)"} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ""}`.trim();
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const walk = (id: number, stack: Set<string>): number => {
    const n = byId.get(id)!;
    let hits = n.hitCount ?? 0;
    const key = label(n);
    self.set(key, (self.get(key) ?? 0) + hits);
    const added = !stack.has(key);
    if (added) stack.add(key);
    for (const c of n.children ?? []) hits += walk(c, stack);
    if (added) {
      stack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
    }
    return hits;
  };
  walk(profile.nodes[0]!.id, new Set());
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => !/^\((root|program|idle)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  console.log(`\n=== ${name}: ${wallMs.toFixed(0)} ms wall, of which SQL (better-sqlite3) ${sqlMs.toFixed(0)} ms ===`);
  console.log("-- self time --");
  for (const [k, h] of top(self, 25))
    console.log(`${(h * msPerHit).toFixed(1).padStart(9)} ms ${((100 * h) / totalHits).toFixed(1).padStart(5)}%  ${k}`);
  console.log("-- inclusive time (worker/ functions) --");
  for (const [k, h] of top(new Map([...inclusive].filter(([k]) => k.includes("worker/"))), 25)) {
    console.log(`${(h * msPerHit).toFixed(1).padStart(9)} ms ${((100 * h) / totalHits).toFixed(1).padStart(5)}%  ${k}`);
  }
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });

async function profiled(name: string, fn: () => Promise<void>) {
  const sql0 = shim.sqlMs;
  const commit0 = shim.commitMs;
  shim.msBySql.clear();
  await session.post("Profiler.start");
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
  writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  report(name, profile, wall, shim.sqlMs - sql0);
  console.log(`-- SQL time by statement (COMMIT of batches: ${(shim.commitMs - commit0).toFixed(1)} ms) --`);
  for (const [sql, ms] of [...shim.msBySql].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`${ms.toFixed(1).padStart(9)} ms  ${sql.slice(0, 140)}`);
}

// Warm-up outside the profile (JIT, validator cache).
let n = 0;
const batch = () => ({ records: Array.from({ length: 1000 }, () => makeDeal(r, ++n, owners)) });
for (let i = 0; i < 2; i++) await createRecords(ctx as never, table, batch());

const bodies = Array.from({ length: batches }, () => JSON.parse(JSON.stringify(batch())));
await profiled("bulk-create", async () => {
  for (const body of bodies) await createRecords(ctx as never, table, body);
});
console.log(`createRecords: ${batches} x 1000 rows`);

const queries = makeQueries("page", 500, 3);
for (const q of queries.slice(0, 50))
  await listRecords(ctx as never, table, { filter: JSON.stringify(q.filter), sort: q.sort, limit: String(q.limit) });
await profiled("list-page", async () => {
  for (const q of queries)
    await listRecords(ctx as never, table, { filter: JSON.stringify(q.filter), sort: q.sort, limit: String(q.limit) });
});
console.log(`listRecords: ${queries.length} x (a) page queries (e.g. ?${queryString(queries[0]!).slice(0, 120)}...)`);
session.disconnect();
db.close();
if (fromState) rmSync(path.join(DATA_DIR, "floor"), { recursive: true, force: true });
console.log(`\nprofiles written to ${path.relative(ROOT, dir)}/*.cpuprofile (open in Chrome DevTools > Performance)`);
