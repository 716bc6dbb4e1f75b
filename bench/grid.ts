/**
 * `node --import tsx bench/grid.ts [--runs 5] [--keep]` (or `npm run bench -- --grid`): <sg-grid> over the
 * bench's 1,000,000-row deals table in Chromium (playwright-core). It needs the D1 state a full
 * `npm run bench` left in bench/.data/state (1M deals); it copies that database to bench/.data/grid (the
 * paste below writes, the shared state stays as it was), gives the bench admin a fresh password,
 * bundles the working tree's Worker once (frozen: edits by others do not restart it mid-run) and
 * serves it with the built web app on a port of its own. Figures, medians over --runs:
 *   - first rows: navigation start -> the first page of rows drawn (a fresh browser context each run,
 *     so app code comes over HTTP every time; the Worker and D1 are warm);
 *   - jump: scrollViewportTo the middle (row ~500,000) -> the rows on screen drawn;
 *   - memory after scrolling through 100,000 rows (one page of 100 rows at a time), and before: the
 *     page's renderer process's private memory and PSS (/proc/<pid>/smaps_rollup; RSS too, which
 *     counts the shared Chromium binary), the JS heap (CDP Performance.getMetrics JSHeapUsedSize after
 *     a GC), DOM nodes (CDP Memory.getDOMCounters) and the pages of rows the grid holds;
 *   - paste: Ctrl+V of 1,000 rows x 5 columns -> the bulk PATCH answered and the pasted values drawn.
 * Never part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { freePort, runNode } from "./lib/process";
import path from "node:path";
import Database from "better-sqlite3";
import { chromium, type Browser, type Page } from "playwright-core";
import { hashPassword } from "../worker/auth/passwords";
import { STAGES } from "./lib/data";
import { bundleName, DATA_DIR, ROOT, STATE_DIR } from "./lib/server";
import { summarise, type Summary } from "./lib/stats";

const DIR = path.join(DATA_DIR, "grid");
const STATE = path.join(DIR, "state");
const BUILD = path.join(DIR, "build");
const WEB = path.join(DIR, "web");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const ADMIN_EMAIL = "bench-admin@bench.local";
const MARKER = "--sg-grid-bench";
const MIN_ROWS = Number(process.argv[process.argv.indexOf("--min-rows") + 1] ?? NaN) || 1_000_000;
const env = {
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  const n = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} takes a positive integer`);
  return n;
};

const run = (args: string[], what: string) => runNode(args, what, env);

function sqliteFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".sqlite") && n !== "metadata.sqlite") out.push(p);
    }
  };
  walk(path.join(dir, "v3", "d1"));
  return out;
}

/** Copies the bench's D1 (1M deals) and sets a known password for its admin; returns the row count. */
async function copyState(password: string): Promise<number> {
  const [source] = sqliteFiles(STATE_DIR);
  if (!source) throw new Error("bench/.data/state holds no D1 database: run `npm run bench` (1M rows) first");
  rmSync(DIR, { recursive: true, force: true });
  // SQLite's online backup: a consistent copy even while a running bench reads or writes the source.
  const file = path.join(STATE, path.relative(STATE_DIR, source));
  mkdirSync(path.dirname(file), { recursive: true });
  const src = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await src.backup(file);
  } finally {
    src.close();
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    const table = db.prepare("SELECT id FROM sg_tables WHERE name = 'deals' AND deleted_at IS NULL").get() as
      { id: string } | undefined;
    if (!table) throw new Error("the bench's D1 has no deals table");
    const set = db
      .prepare("UPDATE sg_users SET password_hash = ?, disabled = 0 WHERE email = ?")
      .run(await hashPassword(password), ADMIN_EMAIL);
    if (set.changes !== 1) throw new Error(`the bench's D1 has no ${ADMIN_EMAIL}`);
    const n = (db.prepare(`SELECT COUNT(*) AS n FROM "t_${table.id.slice(4)}"`).get() as { n: number }).n;
    if (n < MIN_ROWS)
      throw new Error(
        `deals holds ${n} rows; the grid figures need the 1M rows a full \`npm run bench\` seeds (or pass --min-rows)`,
      );
    return n;
  } finally {
    db.close();
  }
}

/** The working tree's Worker bundled once and the web app copied, served as they are now. */
function buildFrozen(): void {
  run([path.join(ROOT, "scripts", "build-web.mjs"), "--quiet"], "web build");
  cpSync(path.join(ROOT, "dist", "web"), WEB, { recursive: true });
  // A page of its own: the grid alone, given a sign-in token in the hash (like an intranet page).
  writeFileSync(
    path.join(WEB, "grid-bench.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>grid bench</title>
<style>html,body{margin:0;height:100%}sg-grid{display:block;height:100vh}</style></head><body>
<script>var g=document.createElement("sg-grid");g.setAttribute("base-url","");g.setAttribute("table","deals");g.setAttribute("token",decodeURIComponent(location.hash.slice(1)));document.body.append(g);</script>
<script type="module" src="/embed.js"></script></body></html>`,
  );
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", BUILD], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  const bundle = bundleName(/^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "index.ts");
  if (!existsSync(path.join(BUILD, bundle))) throw new Error("wrangler deploy --dry-run produced no bundle");
  const frozen = toml
    .replace(/^main\s*=.*$/m, `main = "${bundle}"\nno_bundle = true`)
    .replace(/^migrations_dir\s*=.*$/m, `migrations_dir = ${JSON.stringify(path.join(ROOT, "migrations"))}`)
    .replace(/^(\[assets\][^[]*?^directory\s*=\s*)"[^"]+"/m, `$1${JSON.stringify(WEB)}`);
  writeFileSync(path.join(BUILD, "wrangler.toml"), frozen);
  // The copied state was migrated when the bench seeded it; the working tree may have newer migrations.
  run(
    [
      WRANGLER,
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--persist-to",
      STATE,
      "--config",
      path.join(BUILD, "wrangler.toml"),
    ],
    "migrations",
  );
}

async function startWorker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const secret = `grid-bench-${Math.random().toString(36).slice(2)}-at-least-32-bytes-long`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--config",
      path.join(BUILD, "wrangler.toml"),
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      STATE,
      "--var",
      `TOKEN_SECRET:${secret}`,
      "--show-interactive-dev-session=false",
      "--live-reload=false",
      "--log-level",
      "warn",
    ],
    { cwd: BUILD, env, stdio: "ignore", detached: true },
  );
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // gone
    }
  };
  process.on("exit", () => kill("SIGKILL"));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 720) throw new Error("wrangler dev did not start within 180 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: async () => {
      kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/** In the page: resolves when no row on screen is a loading placeholder and the first one reads `want` (if given). */
const ROWS_DRAWN = `function (want) {
  var root = document.querySelector("sg-grid") && document.querySelector("sg-grid").shadowRoot;
  if (!root) return false;
  var tds = root.querySelectorAll(".ht_master tbody td");
  if (!tds.length || root.querySelector(".ht_master tbody td.sg-loading")) return false;
  return want === null || (tds[0].textContent || "") === want;
}`;

async function rowsDrawn(page: Page, want: string | null = null, timeout = 60_000): Promise<void> {
  await page.waitForFunction(`(${ROWS_DRAWN})(${JSON.stringify(want)})`, undefined, { timeout, polling: "raf" });
}

/** The first rows, from navigation start (the page's own clock). */
async function firstRows(browser: Browser, url: string, token: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: "en" });
  const page = await context.newPage();
  await page.goto(`${url}/grid-bench.html#${encodeURIComponent(token)}`);
  await rowsDrawn(page);
  const t = (await page.evaluate("performance.now()")) as number;
  await context.close();
  return t;
}

/** The grid's scroll target and the record id expected there (rows are in id order). */
async function jump(page: Page, row: number): Promise<number> {
  return (await page.evaluate(`new Promise(function (resolve, reject) {
    var el = document.querySelector("sg-grid");
    var t0 = performance.now();
    el.hot.scrollViewportTo({ row: ${row} });
    var check = ${ROWS_DRAWN};
    (function tick() {
      // Handsontable places a far row from estimated row heights, so the screen lands within a few
      // dozen rows of the target: done when the rows on screen there are loaded and drawn.
      var view = el.hot.view;
      var first = view.getFirstFullyVisibleRow(), last = view.getLastFullyVisibleRow();
      var near = Math.abs(first - ${row}) <= 200;
      if (near && check(null) && el.source.has(first) && el.source.has(last)) resolve(performance.now() - t0);
      else if (performance.now() - t0 > 30000) reject(new Error("the rows did not arrive within 30 s"));
      else requestAnimationFrame(tick);
    })();
  })`)) as number;
}

function processTree(): { pid: number; ppid: number; rss: number; args: string }[] {
  const out = spawnSync("ps", ["-eo", "pid=,ppid=,rss=,args="], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(m[1]), ppid: Number(m[2]), rss: Number(m[3]) * 1024, args: m[4]! };
    });
}

/** Proportional (PSS) and private memory of a process, from /proc/<pid>/smaps_rollup (bytes). */
function smaps(pid: number): { pss: number; priv: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024;
    return { pss: kb("Pss"), priv: kb("Private_Clean") + kb("Private_Dirty") };
  } catch {
    return { pss: NaN, priv: NaN };
  }
}

/**
 * Memory of our Chromium (the process started with MARKER and its descendants): RSS of all of it,
 * and RSS / PSS / private memory of the page's renderer (the largest renderer: one page is open).
 * RSS counts the shared Chromium binary and libraries in every process; private memory does not.
 */
function browserMemory(): { total: number; rendererRss: number; rendererPss: number; rendererPrivate: number } {
  const all = processTree();
  const root = all.find((p) => p.args.includes(MARKER) && !p.args.includes("--type="));
  if (!root) return { total: NaN, rendererRss: NaN, rendererPss: NaN, rendererPrivate: NaN };
  const tree = new Set([root.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  const mine = all.filter((p) => tree.has(p.pid));
  const renderer = mine.filter((p) => p.args.includes("--type=renderer")).sort((a, b) => b.rss - a.rss)[0];
  const m = renderer ? smaps(renderer.pid) : { pss: NaN, priv: NaN };
  return {
    total: mine.reduce((a, p) => a + p.rss, 0),
    rendererRss: renderer?.rss ?? NaN,
    rendererPss: m.pss,
    rendererPrivate: m.priv,
  };
}

interface MemorySample {
  jsHeapUsed: number;
  jsHeapTotal: number;
  domNodes: number;
  rendererRss: number;
  rendererPss: number;
  rendererPrivate: number;
  browserRss: number;
  pagesHeld: number;
}
interface MemoryFigures extends MemorySample {
  before: MemorySample;
  seconds: number;
}

async function memoryNow(page: Page): Promise<MemorySample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const metrics = new Map((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const dom = await cdp.send("Memory.getDOMCounters");
  await cdp.detach();
  const mem = browserMemory();
  const pagesHeld = (await page.evaluate(`document.querySelector("sg-grid").source.pageCount`)) as number;
  return {
    jsHeapUsed: metrics.get("JSHeapUsedSize") ?? NaN,
    jsHeapTotal: metrics.get("JSHeapTotalSize") ?? NaN,
    domNodes: dom.nodes,
    rendererRss: mem.rendererRss,
    rendererPss: mem.rendererPss,
    rendererPrivate: mem.rendererPrivate,
    browserRss: mem.total,
    pagesHeld,
  };
}

/** Scrolls through `rows` rows a page at a time (each drawn before the next), then reads memory. */
async function scrollThrough(page: Page, rows: number): Promise<MemoryFigures> {
  await jump(page, 0);
  const before = await memoryNow(page);
  const t0 = performance.now();
  for (let row = 0; row <= rows; row += 100) await jump(page, row);
  const seconds = (performance.now() - t0) / 1000;
  return { ...(await memoryNow(page)), before, seconds };
}

/** Pastes 1,000 rows x 5 columns at `row`: ms until the PATCH is answered and the first pasted row is drawn. */
async function paste(page: Page, row: number, tag: string): Promise<{ ms: number; records: number }> {
  await jump(page, row);
  const block = Array.from({ length: 1000 }, (_, i) =>
    [`${tag} ${i}`, `Pasted Co ${i}`, `${i}.50`, STAGES[i % STAGES.length], `${i % 100}%`].join("\t"),
  ).join("\n");
  await page.evaluate((text) => navigator.clipboard.writeText(text), block);
  // Select the row's "name" cell (the grid listens to the keyboard from then on).
  await page.evaluate(`document.querySelector("sg-grid").hot.selectCell(${row}, 0)`);
  const answered = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/records"), {
    timeout: 60_000,
  });
  const t0 = performance.now();
  await page.keyboard.press("ControlOrMeta+v");
  const res = await answered;
  if (!res.ok()) throw new Error(`the paste's PATCH answered ${res.status()}: ${(await res.text()).slice(0, 300)}`);
  // Visible: every pasted row on screen shows its pasted name.
  await page.waitForFunction(
    `(function () {
    var hot = document.querySelector("sg-grid").hot;
    var first = hot.view.getFirstFullyVisibleRow(), last = hot.view.getLastFullyVisibleRow(), seen = 0;
    for (var r = Math.max(first, ${row}); r <= Math.min(last, ${row + 999}); r++) {
      var td = hot.getCell(r, 0);
      if (!td || td.classList.contains("sg-loading") || td.textContent !== ${JSON.stringify(tag)} + " " + (r - ${row})) return false;
      seen++;
    }
    return seen > 0;
  })()`,
    undefined,
    { timeout: 60_000, polling: "raf" },
  );
  const ms = performance.now() - t0;
  const records = (JSON.parse(res.request().postData() ?? "{}") as { records?: unknown[] }).records?.length ?? 0;
  return { ms, records };
}

export interface GridFigures {
  rows: number;
  runs: number;
  firstRows: Summary;
  jump: Summary;
  memory: MemoryFigures[];
  paste: Summary;
  pasteRecords: number;
}

export async function gridBench(opts: { runs?: number; keep?: boolean } = {}): Promise<GridFigures> {
  const runs = opts.runs ?? 5;
  const password = `grid-bench-${Math.random().toString(36).slice(2)}`;
  console.log("copying bench/.data/state to bench/.data/grid ...");
  const rows = await copyState(password);
  console.log(`deals holds ${rows.toLocaleString("en")} rows; bundling the Worker and building the web app ...`);
  buildFrozen();
  const worker = await startWorker();
  let browser: Browser | null = null;
  try {
    const login = await fetch(`${worker.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password }),
    });
    if (!login.ok) throw new Error(`login answered ${login.status}: ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--enable-precise-memory-info",
        MARKER,
      ],
    });

    await firstRows(browser, worker.url, token); // warm-up: Worker isolate, D1 page cache
    const first: number[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) first.push(await firstRows(browser, worker.url, token));
    console.log(`first rows: ${first.map((v) => v.toFixed(0)).join(", ")} ms`);

    const jumps: number[] = [];
    const memory: MemoryFigures[] = [];
    const pastes: number[] = [];
    let pasteRecords = 0;
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: "en" });
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const page = await context.newPage();
      await page.goto(`${worker.url}/grid-bench.html#${encodeURIComponent(token)}`);
      await rowsDrawn(page);
      jumps.push(await jump(page, Math.floor(rows / 2) - 1000 * i));
      const pasted = await paste(page, 2000 + 1000 * i, `Paste run ${i} ${Date.now()}`);
      pastes.push(pasted.ms);
      pasteRecords = pasted.records;
      memory.push(await scrollThrough(page, 100_000));
      const m = memory.at(-1)!;
      console.log(
        `run ${i + 1}: jump ${jumps.at(-1)!.toFixed(0)} ms, paste ${pasted.ms.toFixed(0)} ms (${pasted.records} records), 100k rows scrolled: JS heap ${mb(m.before.jsHeapUsed)} -> ${mb(m.jsHeapUsed)}, renderer private ${mb(m.before.rendererPrivate)} -> ${mb(m.rendererPrivate)}, PSS ${mb(m.rendererPss)}, RSS ${mb(m.rendererRss)}`,
      );
      await context.close();
    }
    return {
      rows,
      runs,
      firstRows: summarise(first),
      jump: summarise(jumps),
      memory,
      paste: summarise(pastes),
      pasteRecords,
    };
  } finally {
    await browser?.close();
    await worker.stop();
    if (!opts.keep) rmSync(DIR, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => summarise(xs).p50;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

export function formatGrid(f: GridFigures): string {
  const m = f.memory;
  const verdict = (ok: boolean) => (ok ? "**PASS**" : "**FAIL**");
  return [
    `<sg-grid> over deals (${f.rows.toLocaleString("en")} rows), Chromium headless, medians of ${f.runs} runs (first rows: ${f.firstRows.n}; p95 in brackets)`,
    "",
    "| figure | median | target | |",
    "|---|---|---|---|",
    `| first rows visible after navigation | ${f.firstRows.p50.toFixed(0)} ms (${f.firstRows.p95.toFixed(0)}) | < 1,500 ms | ${verdict(f.firstRows.p50 < 1500)} |`,
    `| jump to the middle (row ~${Math.floor(f.rows / 2).toLocaleString("en")}) | ${f.jump.p50.toFixed(0)} ms (${f.jump.p95.toFixed(0)}) | < 500 ms | ${verdict(f.jump.p50 < 500)} |`,
    `| page memory after scrolling through 100,000 rows: renderer private memory (smaps Private_*) | ${mb(median(m.map((x) => x.rendererPrivate)))} (before scrolling ${mb(median(m.map((x) => x.before.rendererPrivate)))}) | < 300 MB | ${verdict(median(m.map((x) => x.rendererPrivate)) < 300 * 2 ** 20)} |`,
    `| JS heap used (CDP Performance.getMetrics JSHeapUsedSize, after a GC) | ${mb(median(m.map((x) => x.jsHeapUsed)))} (before ${mb(median(m.map((x) => x.before.jsHeapUsed)))}) | | |`,
    `| renderer PSS / RSS (RSS counts the shared Chromium binary) | ${mb(median(m.map((x) => x.rendererPss)))} / ${mb(median(m.map((x) => x.rendererRss)))} | | |`,
    `| DOM nodes (CDP Memory.getDOMCounters) / pages of 100 rows held | ${median(m.map((x) => x.domNodes)).toFixed(0)} (before ${median(m.map((x) => x.before.domNodes)).toFixed(0)}) / ${median(m.map((x) => x.pagesHeld))} | | |`,
    `| whole browser RSS (all Chromium processes, shared pages counted in each) | ${mb(median(m.map((x) => x.browserRss)))} | | |`,
    `| paste 1,000 rows x 5 columns, saved and visible (${f.pasteRecords} records in one PATCH) | ${f.paste.p50.toFixed(0)} ms (${f.paste.p95.toFixed(0)}) | < 5,000 ms | ${verdict(f.paste.p50 < 5000)} |`,
    "",
    `Scrolling through 100,000 rows (1,000 steps of 100 rows, each drawn before the next) took ${median(m.map((x) => x.seconds)).toFixed(0)} s.`,
  ].join("\n");
}

if (process.argv[1]?.endsWith("bench/grid.ts")) {
  const figures = await gridBench({ runs: num("--runs", 5), keep: argv.includes("--keep") });
  console.log(formatGrid(figures));
}
