/**
 * `npm run bench -- --inventory [--runs 20] [--moves 1000000]`: the figures of issue 16 through the API, on
 * its own Worker (workerd, a scratch D1 under bench/.data/inventory, the demo workspace with
 * products, sales and inventory):
 *   - 1,000 concurrent confirmations of one-unit orders against 100 units of one product: how many
 *     confirmed (must be exactly 100), how many 409, reserved, reservations in the ledger, verify, and
 *     the rate (the invariant must hold at any rate);
 *   - with 1,000,000 moves in the ledger and 10,000 products x 3 warehouses of levels: a product's
 *     levels through the API (p95 under 5 ms), confirming a 20-line order (p50 under 50 ms), verify
 *     (under 10 s); the stock grid (`#/stock`, 10,000 products x 3 warehouses) in Chromium until its first
 *     rows are drawn (under 1 s).
 * The bulk ledger and levels are written straight into the D1 file while the Worker is stopped (a
 * million moves through the API would take hours): moves in pairs that cancel out per product and
 * warehouse (a receipt and an adjustment), so the levels still equal the ledger and verify must stay
 * clean. Never part of `npm test`.
 */
import Database from "better-sqlite3";
import { chromium, type Browser } from "playwright-core";
import { DEMO_USERS } from "../worker/demo/users";
import { d1File, prepareWorkerDir, startDevWorker, type WorkerDir } from "./lib/dev-worker";
import { summarise, type Summary } from "./lib/stats";
import { timedApi, type TimedCall } from "./lib/timed-api";

/**
 * Confirmations open at a time: 50, 100 and 200 confirm at the same rate (about 93 a second on one hot
 * product, measured), but at 200 the local workerd resets about one connection in eight (ECONNRESET),
 * and a dropped answer tells nothing. The worker test keeps all 1,000 in flight (no sockets there).
 */
const IN_FLIGHT = 100;
export const INVENTORY_TARGETS = { levelsP95: 5, confirm20P50: 50, verifyMs: 10_000, gridMs: 1000 };

/**
 * The bench's Worker (lib/dev-worker.ts: a copy of the sources, its own D1 under bench/.data/inventory),
 * served by workerd alone as deployed: the dev proxy adds ~10 ms per request, twice the levels target.
 */
let dir: WorkerDir;
const startWorker = () => startDevWorker(dir, { host: "workerd" });
type Call = TimedCall;
const api = timedApi;
const appDatabase = () => d1File(dir.state);

export interface InventoryFigures {
  concurrent: {
    n: number;
    confirmed: number;
    confirmedInDb: number;
    refused: number;
    other: number;
    reserved: string;
    reservations: number;
    clean: boolean;
    ms: number;
  };
  moves: number;
  levels: number;
  productLevels: Summary;
  /** GET /api/health (no auth, one D1 query) at the same time: what any request costs on the machine then. */
  health: Summary;
  /** An unknown API path (404, no D1 query) at the same time: the HTTP floor without D1. */
  noD1: Summary;
  confirm20: Summary;
  verifyMs: number;
  verifyClean: boolean;
  grid: Summary;
  /** `#/stock` opened in the signed-in app until its first product row's levels are drawn. */
  gridPaint: Summary;
}

/** Milliseconds from opening `#/stock` until the stock grid draws its first level cell (in the page). */
const GRID_PAINT = `function () {
  return new Promise(function (resolve, reject) {
    function deep(root, sel) {
      var hit = root.querySelector(sel);
      if (hit) return hit;
      for (var el of root.querySelectorAll("*")) if (el.shadowRoot) { hit = deep(el.shadowRoot, sel); if (hit) return hit; }
      return null;
    }
    var t0 = performance.now();
    location.hash = "#/stock";
    function tick() {
      if (deep(document, "sg-stock-grid") && deep(deep(document, "sg-stock-grid").shadowRoot || document.createElement("div"), "td.level")) resolve(performance.now() - t0);
      else if (performance.now() - t0 > 30000) reject(new Error("the stock grid drew no row within 30 s"));
      else requestAnimationFrame(tick);
    }
    tick();
  });
}`;

async function stockGridPaint(url: string, runs: number): Promise<number[]> {
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await (await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: "en" })).newPage();
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    await page.goto(`${url}/`);
    await page.locator("sg-app input[name=email]").fill(admin.email);
    await page.locator("sg-app input[name=password]").fill(admin.password);
    await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
    await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
    const out: number[] = [];
    for (let i = 0; i <= runs; i++) {
      await page.evaluate(`location.hash = "#/profile"`);
      await page.locator("sg-stock-grid").waitFor({ state: "detached" });
      const ms = (await page.evaluate(`(${GRID_PAINT})()`)) as number;
      if (i > 0) out.push(ms); // the first: module and server caches
    }
    return out;
  } finally {
    await browser?.close();
  }
}

export async function inventoryBench(runs = 20, bulkMoves = 1_000_000): Promise<InventoryFigures> {
  dir = prepareWorkerDir("inventory", { web: true });
  let worker = await startWorker();
  let token: string | null = null;
  let call = api(worker.url, () => token);
  const signIn = async () => {
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    token = (await call<{ token: string }>("POST", "/auth/login", { email: admin.email, password: admin.password }))
      .body.token;
  };
  try {
    await call("POST", "/dev/seed", {});
    await signIn();
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call("PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    for (const name of ["products", "sales", "inventory"])
      await call("POST", `/admin/plugins/${name}/install`, undefined, [200, 409]);
    const warehouses: number[] = [];
    for (let i = 0; i < 3; i++)
      warehouses.push(
        (
          await call("POST", "/tables/warehouses/records", {
            fields: { code: `BW${i}`, name: `Bench warehouse ${i}`, is_default: i === 0 },
          })
        ).body.record.id,
      );
    const customer = (await call("POST", "/tables/customers/records", { fields: { name: "Bench customer" } })).body
      .record.id;

    // 1. Concurrent confirmations against 100 units of one product.
    const hot = (
      await call("POST", "/tables/products/records", {
        fields: { sku: "HOT-1", name: "Hot product", track_stock: true, unit_price: { amount: 100, currency: "CNY" } },
      })
    ).body.record.id;
    await call("POST", "/actions/inventory/receive", {
      product: hot,
      warehouse: warehouses[0],
      quantity: "100",
      unit_cost: { amount: 50 },
    });
    const N = 1000;
    const orders = (
      await call("POST", "/tables/orders/records", {
        records: Array.from({ length: N }, () => ({ fields: { customer: [customer], warehouse: [warehouses[0]] } })),
      })
    ).body.records as { id: number }[];
    await call("POST", "/tables/order_lines/records", {
      records: orders.map((o) => ({ fields: { order: [o.id], product: [hot], quantity: "1", position: 0 } })),
    });
    const versions = new Map<number, number>();
    const inHot = encodeURIComponent(JSON.stringify({ field: "warehouse", op: "contains", value: warehouses[0] }));
    for (let cursor: string | null = ""; cursor !== null;) {
      const page: { records: { id: number; version: number }[]; nextCursor?: string | null } = (
        await call("GET", `/tables/orders/records?limit=1000&filter=${inHot}${cursor ? `&cursor=${cursor}` : ""}`)
      ).body;
      for (const r of page.records) versions.set(r.id, r.version);
      cursor = page.nextCursor ? encodeURIComponent(page.nextCursor) : null;
    }
    const t0 = performance.now();
    // All 1,000 at once, at most IN_FLIGHT open at a time: workerd closes waiting connections when 1,000 queue
    // on a busy machine (871 of 1,000 at load 10), and a dropped answer tells nothing.
    const replies: Awaited<ReturnType<Call>>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < orders.length) {
          const o = orders[next++]!;
          // A dropped connection (the dev server under this load) counts as neither answer; the
          // invariant is checked on what the database holds, whatever the client heard.
          replies.push(
            await call(
              "PATCH",
              `/tables/orders/records/${o.id}`,
              { version: versions.get(o.id), fields: { status: "confirmed" } },
              [200, 409, 422, 500, 502, 503],
            ).catch((err: unknown) => ({ ms: 0, status: 0, body: { text: String(err) } })),
          );
        }
      }),
    );
    const concurrentMs = performance.now() - t0;
    const odd = replies.find((r) => r.status !== 200 && r.status !== 409);
    if (odd) console.log(`an answer neither 200 nor 409: ${odd.status} ${JSON.stringify(odd.body).slice(0, 300)}`);
    const key = encodeURIComponent(JSON.stringify({ field: "key", op: "eq", value: `${hot}:${warehouses[0]}` }));
    const hotLevel = (await call("GET", `/tables/stock_levels/records?filter=${key}`)).body.records[0].fields;
    const resF = encodeURIComponent(
      JSON.stringify({
        and: [
          { field: "product", op: "eq", value: hot },
          { field: "kind", op: "eq", value: "reservation" },
        ],
      }),
    );
    const reservations = (await call("GET", `/tables/stock_moves/records?filter=${resF}&count=true&limit=1`)).body
      .total;
    const confF = encodeURIComponent(
      JSON.stringify({
        and: [
          { field: "warehouse", op: "contains", value: warehouses[0] },
          { field: "status", op: "eq", value: "confirmed" },
        ],
      }),
    );
    const confirmedInDb = Number(
      (await call("GET", `/tables/orders/records?filter=${confF}&count=true&limit=1`)).body.total,
    );
    const verified = (await call("POST", "/actions/inventory/verify", {})).body;
    const concurrent = {
      n: N,
      confirmed: replies.filter((r) => r.status === 200).length,
      confirmedInDb,
      refused: replies.filter((r) => r.status === 409).length,
      other: replies.filter((r) => r.status !== 200 && r.status !== 409).length,
      reserved: String(hotLevel.reserved),
      reservations: Number(reservations),
      clean: verified.differences.length === 0,
      ms: concurrentMs,
    };
    console.log(`concurrent: ${JSON.stringify(concurrent)}`);

    // 2. 10,000 products (bulk API) and 20 stocked ones for the 20-line orders.
    const products: number[] = [];
    for (let i = 0; i < 10; i++) {
      const made = await call("POST", "/tables/products/records", {
        records: Array.from({ length: 1000 }, (_, j) => ({
          fields: {
            sku: `BP-${i * 1000 + j}`,
            name: `Bench ${i * 1000 + j}`,
            track_stock: true,
            unit_price: { amount: 1000, currency: "CNY" },
          },
        })),
      });
      products.push(...made.body.records.map((r: any) => r.id));
    }
    for (const p of products.slice(0, 20))
      await call("POST", "/actions/inventory/receive", {
        product: p,
        warehouse: warehouses[0],
        quantity: "100000",
        unit_cost: { amount: 100 },
      });
    const meta = (await call("GET", "/meta/tables")).body;
    await worker.stop();

    // 3. The bulk ledger and levels, straight into the D1 file (Worker stopped).
    const tables = (meta.tables ?? meta) as {
      id: string;
      name: string;
      fields: { id: string; name: string; options?: any }[];
    }[];
    const t = (name: string) => tables.find((x) => x.name === name)!;
    const phys = (id: string) => `t_${id.replace(/^tbl_/, "")}`;
    const col = (tb: ReturnType<typeof t>, name: string) =>
      `c_${tb.fields.find((f) => f.name === name)!.id.replace(/^fld_/, "")}`;
    const levels = t("stock_levels");
    const moves = t("stock_moves");
    const db = new Database(appDatabase());
    db.pragma("journal_mode = WAL");
    const lvlJunction = (field: string) => {
      const f = levels.fields.find((x) => x.name === field)!;
      const own = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(`l_${f.id.replace(/^fld_/, "")}`);
      return own
        ? { table: `l_${f.id.replace(/^fld_/, "")}`, mine: "a" }
        : { table: `l_${String(f.options?.inverseField).replace(/^fld_/, "")}`, mine: "b" };
    };
    const bulkProducts = products.slice(20);
    const now = new Date().toISOString();
    const counter = db.prepare("SELECT next_record_id AS n FROM sg_tables WHERE id = ?");
    let levelId = Number((counter.get(levels.id) as { n: number }).n);
    const insLevel = db.prepare(
      `INSERT INTO ${phys(levels.id)} (id, created_at, updated_at, version, ${col(levels, "key")}, ${col(levels, "on_hand")}, ${col(levels, "reserved")}, ${col(levels, "available")}, ${col(levels, "reorder_point")}, ${col(levels, "low_stock")}) VALUES (?, ?, ?, 1, ?, 0, 0, 0, 10000, 0)`,
    );
    const pj = lvlJunction("product");
    const wj = lvlJunction("warehouse");
    const link = (j: { table: string; mine: string }) => {
      const st = db.prepare(`INSERT INTO ${j.table} (a, b) VALUES (?, ?)`);
      return (mine: number, other: number) => st.run(...(j.mine === "a" ? [mine, other] : [other, mine]));
    };
    const linkP = link(pj);
    const linkW = link(wj);
    db.transaction(() => {
      for (const p of bulkProducts)
        for (const w of warehouses) {
          const id = levelId++;
          insLevel.run(id, now, now, `${p}:${w}`);
          linkP(id, p);
          linkW(id, w);
        }
      db.prepare("UPDATE sg_tables SET next_record_id = ? WHERE id = ?").run(levelId, levels.id);
    })();
    let moveId = Number((counter.get(moves.id) as { n: number }).n);
    const insMove = db.prepare(
      `INSERT INTO ${phys(moves.id)} (id, created_at, updated_at, version, ${col(moves, "product")}, ${col(moves, "warehouse")}, ${col(moves, "kind")}, ${col(moves, "quantity")}, ${col(moves, "at")}) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < bulkMoves / 2; i++) {
        const p = bulkProducts[i % bulkProducts.length]!;
        const w = warehouses[i % 3]!;
        const q = ((i % 7) + 1) * 1000;
        insMove.run(moveId++, now, now, p, w, "receipt", q, now);
        insMove.run(moveId++, now, now, p, w, "adjustment", -q, now);
      }
      db.prepare("UPDATE sg_tables SET next_record_id = ? WHERE id = ?").run(moveId, moves.id);
    })();
    const total = Number((db.prepare(`SELECT COUNT(*) AS n FROM ${phys(moves.id)}`).get() as { n: number }).n);
    const levelCount = Number((db.prepare(`SELECT COUNT(*) AS n FROM ${phys(levels.id)}`).get() as { n: number }).n);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    console.log(`ledger: ${total} moves, ${levelCount} levels`);

    worker = await startWorker();
    call = api(worker.url, () => token);
    await signIn();

    // 4. A product's levels (10 reads per run, each of another product, a p95 of a few samples being their
    // maximum) beside GET /api/health at the same moment; the stock grid's first page; 20-line confirmations.
    const productLevels: number[] = [];
    const health: number[] = [];
    const noD1: number[] = [];
    const grid: number[] = [];
    const confirm20: number[] = [];
    for (let r = -1; r < runs; r++) {
      for (let k = 0; k < 10; k++) {
        const p = bulkProducts[((r + 1) * 10 + k) * 37]!;
        const f = encodeURIComponent(JSON.stringify({ field: "product", op: "contains", value: p }));
        const a = await call("GET", `/tables/stock_levels/records?filter=${f}`);
        if (a.body.records.length !== 3) throw new Error(`product ${p} has ${a.body.records.length} levels`);
        const h = await call("GET", "/health");
        const n = await call("GET", "/no-such-route", undefined, [404]);
        if (r < 0) continue;
        productLevels.push(a.ms);
        health.push(h.ms);
        noD1.push(n.ms);
      }
      const g = await call("GET", `/tables/stock_levels/records?limit=50&sort=key`);
      const o = (
        await call("POST", "/tables/orders/records", { fields: { customer: [customer], warehouse: [warehouses[0]] } })
      ).body.record;
      await call("POST", "/tables/order_lines/records", {
        records: products
          .slice(0, 20)
          .map((pid, i) => ({ fields: { order: [o.id], product: [pid], quantity: "1.5", position: i } })),
      });
      const cur = (await call("GET", `/tables/orders/records/${o.id}`)).body.record;
      const c = await call("PATCH", `/tables/orders/records/${o.id}`, {
        version: cur.version,
        fields: { status: "confirmed" },
      });
      if (r < 0) continue;
      grid.push(g.ms);
      confirm20.push(c.ms);
    }
    const v = await call("POST", "/actions/inventory/verify", {});

    // 5. The stock grid in Chromium (the app, served with its web assets by wrangler dev).
    await worker.stop();
    worker = await startDevWorker(dir);
    const gridPaint = await stockGridPaint(worker.url, Math.max(3, Math.min(runs, 10)));
    return {
      concurrent,
      moves: total,
      levels: levelCount,
      productLevels: summarise(productLevels),
      health: summarise(health),
      noD1: summarise(noD1),
      confirm20: summarise(confirm20),
      verifyMs: v.ms,
      verifyClean: v.body.differences.length === 0,
      grid: summarise(grid),
      gridPaint: summarise(gridPaint),
    };
  } finally {
    await worker.stop();
  }
}

export function formatInventory(f: InventoryFigures): string {
  const c = f.concurrent;
  const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");
  return [
    `### Inventory (issue 16), through the API (workerd), ${f.moves.toLocaleString("en-US")} moves, ${f.levels.toLocaleString("en-US")} levels`,
    "",
    `${c.n} concurrent confirmations (${IN_FLIGHT} in flight at a time) of one-unit orders against 100 units: ${c.confirmed} answered 200 and ${c.confirmedInDb} confirmed in the database, ${c.refused} answered 409, ${c.other} other (connection dropped or 503 by the dev server); reserved ${c.reserved}; ${c.reservations} reservations in the ledger; verify ${c.clean ? "clean" : "FOUND DIFFERENCES"}; ${(c.ms / 1000).toFixed(1)} s (${((c.n * 1000) / c.ms).toFixed(0)} confirmations/s on one hot product). ${pass(c.confirmedInDb === 100 && c.refused + c.other === c.n - c.confirmed && c.reservations === 100 && c.clean)}`,
    "",
    "| What | p50 ms | p95 ms | Target |",
    "|---|---:|---:|---|",
    `| a product's levels (GET stock_levels, filter product) | ${f.productLevels.p50.toFixed(1)} | ${f.productLevels.p95.toFixed(1)} | p95 < ${INVENTORY_TARGETS.levelsP95} ms: ${pass(f.productLevels.p95 < INVENTORY_TARGETS.levelsP95)} |`,
    `| for comparison: GET /api/health (no auth, one D1 query), at the same time | ${f.health.p50.toFixed(1)} | ${f.health.p95.toFixed(1)} | - |`,
    `| for comparison: an unknown API path (404, no D1 query), at the same time | ${f.noD1.p50.toFixed(1)} | ${f.noD1.p95.toFixed(1)} | - |`,
    `| confirm a 20-line order (reserve 20 lines in the status change's batch) | ${f.confirm20.p50.toFixed(1)} | ${f.confirm20.p95.toFixed(1)} | p50 < ${INVENTORY_TARGETS.confirm20P50} ms: ${pass(f.confirm20.p50 < INVENTORY_TARGETS.confirm20P50)} |`,
    `| the first 50 levels by key through the API | ${f.grid.p50.toFixed(1)} | ${f.grid.p95.toFixed(1)} | - |`,
    `| the stock grid in Chromium (\`#/stock\` opened until the first product's levels are drawn; wrangler dev) | ${f.gridPaint.p50.toFixed(0)} | ${f.gridPaint.p95.toFixed(0)} | < ${INVENTORY_TARGETS.gridMs} ms: ${pass(f.gridPaint.p95 < INVENTORY_TARGETS.gridMs)} |`,
    `| verify (every level from the ledger) | ${f.verifyMs.toFixed(0)} | - | < ${INVENTORY_TARGETS.verifyMs} ms: ${pass(f.verifyMs < INVENTORY_TARGETS.verifyMs)}; ${f.verifyClean ? "no difference" : "DIFFERENCES"} |`,
  ].join("\n");
}
