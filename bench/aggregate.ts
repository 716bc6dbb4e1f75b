/**
 * `node --import tsx bench/aggregate.ts [--rows 100000] [--runs 15]`: latency of the aggregate pipeline
 * (worker/records/aggregate.ts) on a deals table, run in Node over better-sqlite3 (no workerd, so
 * this is the SQL plus our own JavaScript; the API adds a request's overhead on top). Seeds a
 * scratch database under bench/.data/aggregate through the worker's own createRecords, then times
 * kanban-style queries as an admin and as a rep with an `own` rule, and prints the query plan of the
 * main one. Not part of `npm test` or `npm run bench`.
 */
import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DEALS_TABLE, makeDeal, rng } from "./lib/data";
import { bindArgs, ShimD1 } from "./lib/floor";
import { DATA_DIR, ROOT } from "./lib/server";
import { summarise } from "./lib/stats";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) || fallback : fallback;
};
const rows = arg("--rows", 100_000);
const runs = arg("--runs", 15);
const dir = path.join(DATA_DIR, "aggregate");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const db = new Database(path.join(dir, "aggregate.sqlite"));
db.pragma("journal_mode = WAL");
const now = new Date().toISOString();
const owners = Array.from({ length: 20 }, (_, i) => `usr_benchagg${String(i).padStart(4, "0")}`);
for (const f of readdirSync(path.join(ROOT, "migrations"))
  .filter((f) => f.endsWith(".sql"))
  .sort())
  db.exec(readFileSync(path.join(ROOT, "migrations", f), "utf8"));
for (const id of owners)
  db.prepare("INSERT INTO sg_users (id, email, name, roles, created_at, updated_at) VALUES (?, ?, ?, '[]', ?, ?)").run(
    id,
    `${id}@bench.local`,
    id,
    now,
    now,
  );
const shim = new ShimD1(db);
const D1 = shim as unknown as D1Database;

const { createTable } = await import("../worker/model/tables");
const { loadRegistry, findTable } = await import("../worker/model/registry");
const { createRecords } = await import("../worker/records/write");
const { aggregateRecords } = await import("../worker/records/aggregate");
const { compileAggregate, parseAggregate } = await import("../worker/query/aggregate");

const admin = {
  userId: owners[0]!,
  email: "a@bench.local",
  name: "Admin",
  roles: ["admin"],
  isAdmin: true,
  teams: [],
  teamMembers: [owners[0]!],
  timeZone: "UTC",
};
await createTable({ db: D1, userId: admin.userId, requestId: null, at: now }, DEALS_TABLE);
let reg = await loadRegistry(D1);
const table = findTable(reg, "deals")!;
const r = rng(7);
const t0 = performance.now();
for (let n = 0; n < rows;) {
  const size = Math.min(1000, rows - n);
  await createRecords({ db: D1, principal: admin, reg, requestId: "bench" } as never, table, {
    records: Array.from({ length: size }, () => makeDeal(r, ++n, owners)),
  });
}
console.log(`seeded ${rows} deals in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
db.prepare(
  "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES ('sales_rep', ?, ?, '{}', 'write', ?)",
).run(table.id, JSON.stringify({ read: "own", create: "own", update: "own", delete: "none" }), now);
db.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'").run();
db.exec("ANALYZE");
reg = await loadRegistry(D1);
const rep = { ...admin, userId: owners[3]!, roles: ["sales_rep"], isAdmin: false, teamMembers: [owners[3]!] };

const inYear = {
  and: [
    { field: "expected_close", op: "between", value: ["2025-03-01", "2025-12-31"] },
    { field: "region", op: "in", value: ["north", "east", "south"] },
  ],
};
const money = [{ op: "count" }, { op: "sum", field: "amount" }];
const cases: [string, typeof admin, unknown][] = [
  [
    "admin: count + sum(amount) by stage, filtered",
    admin,
    { groupBy: ["stage"], filter: inYear, measures: money, totals: true },
  ],
  ["admin: count + sum by stage x owner (swimlanes)", admin, { groupBy: ["stage", "owner"], measures: money }],
  [
    "admin: count + avg(amount) + avg(probability) by month",
    admin,
    {
      groupBy: [{ field: "expected_close", by: "month" }],
      measures: [{ op: "count" }, { op: "avg", field: "amount" }, { op: "avg", field: "probability" }],
    },
  ],
  [
    "rep (own rule): count + sum by stage, filtered",
    rep,
    { groupBy: ["stage"], filter: inYear, measures: money, totals: true },
  ],
];

for (const [label, principal, body] of cases) {
  const ctx = { db: D1, principal, reg };
  await aggregateRecords(ctx as never, table, body);
  const times: number[] = [];
  let groups = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    groups = (await aggregateRecords(ctx as never, table, body)).groups.length;
    times.push(performance.now() - t);
  }
  const { p50, p95 } = summarise(times);
  console.log(`${label}: median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${groups} groups, ${runs} runs)`);
}

const req = parseAggregate(cases[0]![2], table, () => true);
const main = compileAggregate({
  table,
  groupBy: req.groupBy,
  measures: req.measures,
  filter: req.filter,
  rowFilter: null,
  search: null,
  sort: req.sort,
  limit: req.limit,
});
const bind = bindArgs(main.sql, main.params);
// The floor: one level, no per-currency split, over the same rows with the same filter.
const where = main.sql.slice(main.sql.indexOf(' FROM "t_'), main.sql.indexOf(" GROUP BY"));
const floorSql = `SELECT ${main.sql.match(/SELECT (s0\."c_[a-z0-9]+") AS g0/)![1]} AS g, COUNT(*), SUM(${main.sql.match(/SUM\((s0\."c_[a-z0-9]+")\)/)![1]})${where} GROUP BY g`;
const floor = db.prepare(floorSql);
const floorTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  floor.all(...bind);
  floorTimes.push(performance.now() - t);
}
console.log(
  `floor (plain single-level GROUP BY, same filter, straight on SQLite): median ${summarise(floorTimes).p50.toFixed(1)} ms`,
);
console.log(`\nSQL: ${main.sql}\nEXPLAIN QUERY PLAN:`);
for (const row of db.prepare(`EXPLAIN QUERY PLAN ${main.sql}`).all(...bind) as { detail: string }[])
  console.log(`  ${row.detail}`);
db.close();
