/**
 * The figure for row rules that follow a link (issue 12.2), run by `npm run bench` after the deals
 * sizes, or alone with `npm run bench -- --links [--reuse]`: 100,000 customers owned by 10 reps and
 * 500,000 contacts linked to them, created through the bulk API. A page of 50 contacts (default order,
 * and sorted by name) is requested as the admin and as a rep whose contacts grant is
 * `{"field": "customer", "op": "readable"}` (customers: `own`), one request of each in turn so both see
 * the same machine; the rep rotates over the 10 reps. The rep's first pages are checked against SQL
 * written here (not the worker's), and the statements the API sends are timed straight on a copy of
 * the D1 file with better-sqlite3 (the floor), with their query plans.
 */
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { Client } from "./lib/client";
import { cpuDelta, formatCpu, groupCpu, OtherLoad } from "./lib/cpu";
import { rng } from "./lib/data";
import { bindArgs, copyDatabase, openCopy, ShimD1, type Stmt } from "./lib/floor";
import { timePlatform } from "./lib/platform";
import { snapshotPath } from "./lib/server";
import { int, ms, summarise, type Summary } from "./lib/stats";

export const LINKS = { customers: 100_000, contacts: 500_000, reps: 10 };
const ROLE = "bench_link_rep";
const CUSTOMERS = "link_customers";
const CONTACTS = "link_contacts";
const BATCH = 1000;
const WARMUP = 50;
const SAMPLES = 400;
/** Where bench/lib/platform.ts serves its minimal Worker (as run.ts). */
const PLATFORM_PORT = 8789;
/** The target: the rep's page p95 (and p50) within this factor of the admin's. */
export const LINKS_TARGET = 1.5;

const worker = (rel: string) => import(pathToFileURL(snapshotPath("worker", rel)).href);

interface Case {
  label: string;
  query: string;
}
const CASES: Case[] = [
  { label: "page of 50, default order (id)", query: "limit=50" },
  { label: "page of 50 sorted by name", query: "limit=50&sort=name" },
];

export interface LinksCase {
  label: string;
  query: string;
  admin: Summary;
  rep: Summary;
  /** Server CPU per request (both lanes), by process. */
  cpu: string;
  otherCores: number;
  /** The rep's first pages equal SQL written here. */
  sameRows: boolean;
  mismatch?: string;
  floor?: { admin: Summary; rep: Summary; plans: { admin: string; rep: string }; sql: { admin: Stmt; rep: Stmt } };
  /** The same statements through a Worker that only passes them to D1 (bench/lib/platform.ts), admin and rep. */
  platform?: { admin: Summary; rep: Summary } | { error: string };
}

export interface LinksFigures {
  customers: number;
  contacts: number;
  reps: number;
  seeded: { seconds: number; rowsPerSec: number; otherCores: number } | null;
  /** Contacts a rep reaches (min-max over the reps). */
  repRows: [number, number];
  cases: LinksCase[];
  floorError?: string;
}

interface Rep {
  id: string;
  email: string;
  password: string;
  client: Client;
}

const ruleOf = (field: string) => ({ rule: { field, op: "readable" } });

/** Tables, role, grants and the rep users; idempotent, so `--reuse` finds them. */
async function setUp(admin: Client, url: string, reps: number): Promise<Rep[]> {
  // A bench sends far more than a person: lift the API's rate limits where the code has them.
  const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
  await admin.json("PUT", "/api/admin/settings/rate-limits", { user: lift, client: lift, rows: lift }, [200, 404]);
  await admin.json("POST", "/api/admin/roles", { name: ROLE, label: "Bench link rep" }, [201, 409]);
  await admin.json(
    "POST",
    "/api/meta/tables",
    {
      name: CUSTOMERS,
      fields: [
        { name: "name", type: "text", required: true },
        { name: "owner", type: "user" },
        { name: "city", type: "text" },
      ],
    },
    [201, 409],
  );
  await admin.json(
    "POST",
    "/api/meta/tables",
    {
      name: CONTACTS,
      fields: [
        { name: "name", type: "text", required: true, indexed: true },
        { name: "email", type: "email" },
        { name: "title", type: "text" },
        { name: "phone", type: "phone" },
        { name: "customer", type: "link", options: { table: CUSTOMERS, multiple: false, inverseName: "contacts" } },
      ],
    },
    [201, 409],
  );
  const none = { create: "none", update: "none", delete: "none", defaultField: "read" };
  await admin.json("PUT", `/api/admin/roles/${ROLE}/grants/${CUSTOMERS}`, { ...none, read: "own" });
  await admin.json("PUT", `/api/admin/roles/${ROLE}/grants/${CONTACTS}`, { ...none, read: ruleOf("customer") });
  const out: Rep[] = [];
  const existing = await admin.json<{ users: { id: string; email: string }[] }>("GET", "/api/admin/users?limit=1000");
  for (let i = 1; i <= reps; i++) {
    const email = `bench-link-rep${i}@bench.local`;
    const password = `${randomBytes(18).toString("base64url")}-Aa1`;
    let id = existing.users.find((u) => u.email === email)?.id;
    if (id) await admin.json("POST", `/api/admin/users/${id}/password`, { password }, [200, 204]);
    else
      id = (
        await admin.json<{ user: { id: string } }>(
          "POST",
          "/api/admin/users",
          { email, name: `Bench Link Rep ${i}`, password, roles: [ROLE] },
          [201],
        )
      ).user.id;
    const client = new Client(url);
    client.token = (await client.json<{ token: string }>("POST", "/api/auth/login", { email, password })).token;
    out.push({ id, email, password, client });
  }
  return out;
}

async function count(admin: Client, table: string): Promise<number> {
  return (await admin.json<{ total: number }>("GET", `/api/tables/${table}/records?limit=1&count=true&fields=name`))
    .total;
}

/** Creates records in batches of 1000 with `concurrency` requests in flight; returns the ids in order. */
async function bulk(
  admin: Client,
  table: string,
  n: number,
  make: (i: number) => Record<string, unknown>,
  concurrency = 2,
): Promise<number[]> {
  const ids: number[] = new Array(n);
  let next = 0;
  let last = Date.now();
  const start = performance.now();
  const lane = async () => {
    while (next < n) {
      const first = next;
      const k = Math.min(BATCH, n - first);
      next += k;
      const records = Array.from({ length: k }, (_, j) => ({ fields: make(first + j) }));
      const res = await admin.request("POST", `/api/tables/${table}/records`, JSON.stringify({ records }));
      if (res.status !== 201)
        throw new Error(`bulk create of ${table} at ${first} -> ${res.status}: ${res.text.slice(0, 500)}`);
      (JSON.parse(res.text) as { records: { id: number }[] }).records.forEach((r, j) => (ids[first + j] = r.id));
      if (Date.now() - last > 15_000) {
        last = Date.now();
        console.log(`    ... ${table}: ${int(next)} rows (${int(next / ((performance.now() - start) / 1000))} rows/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return ids;
}

async function seed(admin: Client, reps: Rep[], pgid: number | undefined): Promise<LinksFigures["seeded"]> {
  const have = [await count(admin, CUSTOMERS), await count(admin, CONTACTS)];
  if (have[0] === LINKS.customers && have[1] === LINKS.contacts) return null;
  if (have[0] || have[1])
    throw new Error(
      `${CUSTOMERS}/${CONTACTS} hold ${have.join("/")} rows, not 0 or ${LINKS.customers}/${LINKS.contacts}; run without --reuse`,
    );
  const r = rng(20261212);
  const other = new OtherLoad(pgid);
  const t = performance.now();
  const customers = await bulk(admin, CUSTOMERS, LINKS.customers, (i) => ({
    name: `Customer ${i + 1} ${Math.floor(r() * 1e6)}`,
    owner: reps[Math.floor(r() * reps.length)]!.id,
    city: "Shanghai",
  }));
  const names = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"];
  await bulk(
    admin,
    CONTACTS,
    LINKS.contacts,
    (i) => ({
      name: `${names[Math.floor(r() * names.length)]} ${Math.floor(r() * 1e9).toString(36)}`,
      email: `contact${i + 1}@example.com`,
      title: "Purchasing",
      phone: "+86 21 5555 0100",
      customer: [customers[Math.floor(r() * customers.length)]!],
    }),
    1,
  ); // one request at a time: two batches linking to the same customers may be refused as concurrent (409)
  const seconds = (performance.now() - t) / 1000;
  return { seconds, rowsPerSec: (LINKS.customers + LINKS.contacts) / seconds, otherCores: other.cores() };
}

/** Admin and rep requests in turn; the rep rotates over every rep. */
async function measure(admin: Client, reps: Rep[], c: Case, pgid: number | undefined) {
  const lanes = { admin: [] as number[], rep: [] as number[] };
  const firstPages: { rep: Rep; ids: number[] }[] = [];
  let cpu0 = groupCpu(pgid);
  let other = new OtherLoad(pgid);
  const url = `/api/tables/${CONTACTS}/records?${c.query}`;
  const get = async (client: Client) => {
    const t = performance.now();
    const res = await client.request("GET", url);
    const dt = performance.now() - t;
    if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${res.text.slice(0, 500)}`);
    const body = JSON.parse(res.text) as { records: { id: number }[] };
    if (body.records.length !== 50) throw new Error(`GET ${url}: ${body.records.length} records, expected 50`);
    return { dt, ids: body.records.map((x) => x.id) };
  };
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const rep = reps[i % reps.length]!;
    // Alternate which lane goes first, so neither always follows the other.
    const order = i % 2 === 0 ? (["admin", "rep"] as const) : (["rep", "admin"] as const);
    for (const who of order) {
      const r = await get(who === "admin" ? admin : rep.client);
      if (i >= WARMUP) lanes[who].push(r.dt);
      if (who === "rep" && i < reps.length) firstPages.push({ rep, ids: r.ids });
    }
    if (i === WARMUP - 1) {
      cpu0 = groupCpu(pgid);
      other = new OtherLoad(pgid);
    }
  }
  const cpu = cpuDelta(cpu0, groupCpu(pgid));
  return {
    admin: summarise(lanes.admin),
    rep: summarise(lanes.rep),
    cpu: formatCpu(cpu, 1000 / (2 * SAMPLES), "ms"),
    otherCores: other.cores(),
    firstPages,
  };
}

export async function linksBench(opts: {
  url: string;
  adminToken: string;
  pgid?: number;
  waitQuiet: (what: string) => Promise<unknown>;
}): Promise<LinksFigures> {
  const admin = new Client(opts.url);
  admin.token = opts.adminToken;
  console.log(
    `\nrows through a link: ${int(LINKS.customers)} customers, ${int(LINKS.contacts)} contacts, ${LINKS.reps} reps`,
  );
  const reps = await setUp(admin, opts.url, LINKS.reps);
  try {
    await opts.waitQuiet("seeding customers and contacts");
    const seeded = await seed(admin, reps, opts.pgid);
    if (seeded) console.log(`  seeded in ${seeded.seconds.toFixed(0)} s (${int(seeded.rowsPerSec)} rows/s)`);
    const repRows = await Promise.all(
      reps.map(
        async (r) =>
          (
            await r.client.json<{ total: number }>(
              "GET",
              `/api/tables/${CONTACTS}/records?limit=1&count=true&fields=name`,
            )
          ).total,
      ),
    );
    const cases: LinksCase[] = [];
    const firstPages: Map<string, { rep: Rep; ids: number[] }[]> = new Map();
    for (const c of CASES) {
      await opts.waitQuiet(c.label);
      process.stdout.write(`  API ${c.label}, admin | rep ... `);
      const m = await measure(admin, reps, c, opts.pgid);
      console.log(
        `admin p50 ${ms(m.admin.p50)} / p95 ${ms(m.admin.p95)} ms | rep p50 ${ms(m.rep.p50)} / p95 ${ms(m.rep.p95)} ms (other processes busy: ${m.otherCores.toFixed(2)} cores)`,
      );
      cases.push({
        label: c.label,
        query: c.query,
        admin: m.admin,
        rep: m.rep,
        cpu: m.cpu,
        otherCores: m.otherCores,
        sameRows: false,
      });
      firstPages.set(c.query, m.firstPages);
    }
    const figures: LinksFigures = {
      customers: LINKS.customers,
      contacts: LINKS.contacts,
      reps: reps.length,
      seeded,
      repRows: [Math.min(...repRows), Math.max(...repRows)],
      cases,
    };
    await opts.waitQuiet("the floor of rows through a link");
    try {
      await floor(figures, reps, firstPages);
    } catch (err) {
      figures.floorError = String(err instanceof Error ? (err.stack ?? err.message) : err).slice(0, 1500);
    }
    return figures;
  } finally {
    admin.close();
    for (const r of reps) r.client.close();
  }
}

/**
 * The floor: the statements the worker's read pipeline sends (listRecords over a D1 stand-in, with the
 * registry and principals loaded from a copy of the D1 file) timed with better-sqlite3 on the copy;
 * and the rep's first pages compared with SQL written here.
 */
async function floor(f: LinksFigures, reps: Rep[], firstPages: Map<string, { rep: Rep; ids: number[] }[]>) {
  const file = copyDatabase("links");
  const db = openCopy(file);
  try {
    const shim = new ShimD1(db);
    const { loadRegistry, findTable } = await worker("model/registry.ts");
    const { listRecords } = await worker("records/read.ts");
    const { loadPrincipal } = await worker("auth/principal.ts");
    const reg = await loadRegistry(shim as unknown as D1Database);
    const customers = findTable(reg, CUSTOMERS);
    const contacts = findTable(reg, CONTACTS);
    const col = (t: { fields: { name: string; id: string }[] }, name: string) =>
      `"c_${t.fields.find((x) => x.name === name)!.id.slice(4)}"`;
    const link = contacts.fields.find((x: { name: string }) => x.name === "customer");
    const junction = `"l_${(link.options.owner ? link.id : link.options.inverseField).slice(4)}"`;
    const [mine, theirs] = link.options.owner ? ["a", "b"] : ["b", "a"];
    const tc = `"t_${contacts.id.slice(4)}"`;
    const tk = `"t_${customers.id.slice(4)}"`;
    const expectedIds = (repId: string, query: string) => {
      const order = query.includes("sort=name") ? `c.${col(contacts, "name")}, c.id` : "c.id";
      const sql = `SELECT c.id FROM ${tc} c WHERE EXISTS (SELECT 1 FROM ${junction} j JOIN ${tk} k ON k.id = j.${theirs} WHERE j.${mine} = c.id AND k.${col(customers, "owner")} = ?) ORDER BY ${order} LIMIT 50`;
      return (db.prepare(sql).all(repId) as { id: number }[]).map((r) => r.id);
    };
    const adminRow = db.prepare("SELECT id FROM sg_users WHERE email = 'bench-admin@bench.local'").get() as {
      id: string;
    };
    const principal = async (id: string) => {
      const loaded = await loadPrincipal(shim as unknown as D1Database, id);
      if (!loaded?.principal) throw new Error(`no principal for ${id}`);
      return loaded.principal;
    };
    for (const c of f.cases) {
      const pages = firstPages.get(c.query)!;
      const bad = pages.find((p) => JSON.stringify(p.ids) !== JSON.stringify(expectedIds(p.rep.id, c.query)));
      c.sameRows = !bad;
      if (bad)
        c.mismatch = `${bad.rep.email}: API ${bad.ids.slice(0, 5).join(",")}… vs SQL ${expectedIds(bad.rep.id, c.query).slice(0, 5).join(",")}…`;
      const capture = async (userId: string): Promise<Stmt> => {
        shim.recorded = [];
        shim.recording = true;
        const params = new URLSearchParams(c.query);
        await listRecords(
          { db: shim as unknown as D1Database, principal: await principal(userId), reg } as never,
          contacts,
          { limit: params.get("limit") ?? undefined, sort: params.get("sort") ?? undefined },
        );
        shim.recording = false;
        // The page statement (the freshness probe rides along in it).
        const page = shim.recorded.find((s) => s.sql.startsWith("SELECT s0.id AS id"));
        if (!page)
          throw new Error(`no page statement among ${shim.recorded.map((s) => s.sql.slice(0, 40)).join(" | ")}`);
        return page;
      };
      const adminStmt = await capture(adminRow.id);
      const repStmts = await Promise.all(reps.map((r) => capture(r.id)));
      // Interleaved like the API: admin, rep, admin, ...
      const a: number[] = [];
      const r: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        for (const [runs, out] of [
          [[adminStmt], a],
          [repStmts, r],
        ] as const) {
          const s = runs[i % runs.length]!;
          const st = shim.stmt(s.sql);
          const t = performance.now();
          st.all(...bindArgs(s.sql, s.params));
          if (i >= WARMUP) out.push(performance.now() - t);
        }
      }
      // The same statements through a Worker that does nothing else: how much of the gap local D1 itself takes.
      try {
        const n = WARMUP + SAMPLES;
        const [pa, pr] = await timePlatform(
          file,
          db,
          [
            Array.from({ length: n }, () => [adminStmt]),
            Array.from({ length: n }, (_, i) => [repStmts[i % repStmts.length]!]),
          ],
          PLATFORM_PORT,
        );
        c.platform = { admin: summarise(pa!.worker.slice(WARMUP)), rep: summarise(pr!.worker.slice(WARMUP)) };
      } catch (err) {
        c.platform = { error: String(err instanceof Error ? err.message : err).slice(0, 300) };
      }
      const plan = (s: Stmt) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...bindArgs(s.sql, s.params)) as { detail: string }[])
          .map((x) => x.detail)
          .join("; ");
      c.floor = {
        admin: summarise(a),
        rep: summarise(r),
        plans: { admin: plan(adminStmt), rep: plan(repStmts[0]!) },
        sql: { admin: adminStmt, rep: repStmts[0]! },
      };
    }
  } finally {
    db.close();
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

const x = (a: number, b: number) => (b > 0 ? a / b : NaN);

export function linksTarget(f: LinksFigures): { name: string; status: "PASS" | "FAIL"; detail: string } {
  const worst = Math.max(...f.cases.map((c) => x(c.rep.p95, c.admin.p95)));
  const worst50 = Math.max(...f.cases.map((c) => x(c.rep.p50, c.admin.p50)));
  const ok = worst <= LINKS_TARGET && worst50 <= LINKS_TARGET && f.cases.every((c) => c.sameRows);
  return {
    name: `${int(f.customers / 1000)}k customers / ${int(f.contacts / 1000)}k contacts: a rep's page of 50 contacts with a \`readable\` rule within ${LINKS_TARGET}x of the admin's`,
    status: ok ? "PASS" : "FAIL",
    detail:
      f.cases
        .map(
          (c) =>
            `${c.label}: rep p50 ${ms(c.rep.p50)} / p95 ${ms(c.rep.p95)} ms vs admin p50 ${ms(c.admin.p50)} / p95 ${ms(c.admin.p95)} ms (p95 x${x(c.rep.p95, c.admin.p95).toFixed(2)}, p50 x${x(c.rep.p50, c.admin.p50).toFixed(2)})`,
        )
        .join("; ") + (f.cases.every((c) => c.sameRows) ? "" : "; the rep's rows differ from SQL"),
  };
}

export const LINKS_HEADING = "## Rows through a link";

export function linksMarkdown(f: LinksFigures): string {
  const lines: string[] = [];
  lines.push(`${LINKS_HEADING}: ${int(f.customers)} customers, ${int(f.contacts)} contacts`, "");
  lines.push(
    `Two tables made through the API: \`${CUSTOMERS}\` (name, owner, city) and \`${CONTACTS}\` (name, indexed; email, title, phone; \`customer\`, a single link), ` +
      `${int(f.customers)} customers owned by ${f.reps} reps at random and ${int(f.contacts)} contacts each linked to a random customer, created through the bulk API` +
      (f.seeded
        ? ` in ${f.seeded.seconds.toFixed(0)} s (${int(f.seeded.rowsPerSec)} rows/s; other processes kept ${f.seeded.otherCores.toFixed(2)} of 2 cores busy meanwhile).`
        : " (reused from an earlier run)."),
    `The reps' role reads \`${CUSTOMERS}\` by \`own\` and \`${CONTACTS}\` by the rule \`{"field": "customer", "op": "readable"}\`, so a rep reaches ${int(f.repRows[0])}–${int(f.repRows[1])} contacts (about 1 in ${f.reps}): the page statement walks contacts in page order and keeps those whose customer the rep owns (an \`EXISTS\` over the junction by its key, then the customer by id).`,
    `Each case: ${WARMUP} warm-up rounds, then ${SAMPLES} rounds of one admin request and one rep request (alternating which goes first; the rep rotates over all ${f.reps}), latency from sending the request to the last byte. The floor runs the same page statements (recorded from worker/records/read.ts \`listRecords\` in Node, principals and registry loaded from a copy of the D1 file) with better-sqlite3 on that copy, interleaved the same way. "Same rows": every rep's first page equals a query written in the bench itself.`,
    "",
    "| query | admin p50 (ms) | admin p95 (ms) | rep p50 (ms) | rep p95 (ms) | rep/admin p50 | rep/admin p95 | floor admin p50 / p95 (ms) | floor rep p50 / p95 (ms) | same rows | other load (cores) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
  );
  for (const c of f.cases) {
    const fl = c.floor;
    lines.push(
      `| ${c.label} | ${ms(c.admin.p50)} | ${ms(c.admin.p95)} | ${ms(c.rep.p50)} | ${ms(c.rep.p95)} | ${x(c.rep.p50, c.admin.p50).toFixed(2)}x | ${x(c.rep.p95, c.admin.p95).toFixed(2)}x | ` +
        `${fl ? `${ms(fl.admin.p50)} / ${ms(fl.admin.p95)}` : "n/a"} | ${fl ? `${ms(fl.rep.p50)} / ${ms(fl.rep.p95)}` : "n/a"} | ${c.sameRows ? "yes" : `no: ${c.mismatch ?? "not checked"}`} | ${c.otherCores.toFixed(2)} |`,
    );
  }
  lines.push(
    "",
    `Server CPU per measured request (the Worker host's process group, both lanes): ${f.cases.map((c) => `${c.label}: ${c.cpu}`).join("; ")}.`,
    "",
  );
  const plat = f.cases
    .map((c) => {
      const p = c.platform;
      if (!p) return null;
      if ("error" in p) return `${c.label}: failed (${p.error})`;
      return `${c.label}: admin ${ms(p.admin.p50)} / ${ms(p.admin.p95)}, rep ${ms(p.rep.p50)} / ${ms(p.rep.p95)} (rep/admin p50 ${x(p.rep.p50, p.admin.p50).toFixed(2)}x)`;
    })
    .filter(Boolean);
  if (plat.length) {
    lines.push(
      `The platform's own floor: the same page statements through a Worker that does nothing but pass them to D1 and return the rows (bench/lib/platform.ts, workerd with local D1 on another copy of the file; the admin's and the rep's timed one after the other, p50 / p95 ms): ${plat.join("; ")}.`,
      "",
    );
  }
  if (f.floorError) lines.push(`The floor failed: \`${f.floorError.split("\n")[0]}\``, "");
  else {
    lines.push("Query plans (EXPLAIN QUERY PLAN on the copy):", "");
    for (const c of f.cases)
      lines.push(`- ${c.label}, admin: \`${c.floor!.plans.admin}\``, `- ${c.label}, rep: \`${c.floor!.plans.rep}\``);
    lines.push(
      "",
      "The rep's page statement (default order):",
      "",
      "```sql",
      f.cases[0]!.floor!.sql.rep.sql,
      "```",
      "",
    );
  }
  return lines.join("\n");
}
