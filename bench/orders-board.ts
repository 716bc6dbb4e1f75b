/**
 * `npm run bench -- --orders-board [--orders 100000] [--runs 5]` (or `node --import tsx bench/orders-board.ts`):
 * the sales plugin's orders board (<sg-kanban view="orders_board">: a column per status, each with its
 * count and the sum of `total`) over 100,000 orders, measured exactly as bench/kanban.ts measures the
 * deals board (time to the first card, and to every column's first page and sum), as the admin (every
 * order) and as a rep (the rep's row rule: own orders OR a readable customer's, an EXISTS per row).
 * Orders are created through the bulk API (the sales hooks number and default them); their statuses
 * and totals are then spread in the D1 file while the Worker is stopped (totals are the server's, so
 * no client may write them, and 100,000 orders moved through the lifecycle with priced lines would take
 * hours), amounts up to 4 x 10^12 minor units, so column sums pass 2^53. Every column's count and sum
 * as shown is checked against a direct SQL COUNT/SUM. Never part of `npm test`.
 */
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { column, column2, physicalTable } from "../worker/model/names";
import { headMismatches, launchChromium, login, measure, call, rng, sqlTotals } from "./kanban";
import { d1File, prepareWorkerDir, startDevWorker, type DevWorker } from "./lib/dev-worker";
import { summarise } from "./lib/stats";

const STATUSES = ["draft", "confirmed", "partially_shipped", "shipped", "delivered", "closed", "cancelled"];

export interface OrdersBoardFigures {
  orders: number;
  seedSeconds: number;
  columns: { stage: string; count: bigint; sum: bigint }[];
  runs: {
    role: string;
    cards: number;
    firstCard: ReturnType<typeof summarise>;
    complete: ReturnType<typeof summarise>;
    exact: boolean;
    mismatches: string[];
  }[];
}

type Table = { id: string; fields: { id: string; name: string }[] };

/** Statuses and totals spread over every order, in the D1 file (Worker stopped). */
function spreadStatusesAndTotals(file: string, table: Table) {
  const f = (n: string) => table.fields.find((x) => x.name === n)!.id;
  const db = new Database(file, { fileMustExist: true });
  try {
    const status = `CASE id % ${STATUSES.length} ${STATUSES.map((s, i) => `WHEN ${i} THEN '${s}'`).join(" ")} END`;
    // A deterministic spread of amounts in [1, 4 x 10^12]: integer arithmetic only.
    db.prepare(
      `UPDATE ${physicalTable(table.id)} SET ${column(f("status"))} = ${status},
         ${column(f("total"))} = ((id * 2654435761) % 4000000000000) + 1, ${column2(f("total"))} = 'CNY'`,
    ).run();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

export async function ordersBoardBench(opts: { orders?: number; runs?: number } = {}): Promise<OrdersBoardFigures> {
  const orders = opts.orders ?? 100_000;
  const runs = opts.runs ?? 5;
  const w = prepareWorkerDir("orders-board", { web: true });
  let worker: DevWorker = await startDevWorker(w);
  let browser: Browser | null = null;
  try {
    await call(worker.url, null, "POST", "/api/dev/seed", {});
    let admin = await login(worker.url, "admin");
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call(worker.url, admin.token, "PUT", "/api/admin/settings/rate-limits", {
      user: lift,
      client: lift,
      rows: lift,
    });
    for (const name of ["products", "sales"])
      await fetch(`${worker.url}/api/admin/plugins/${name}/install`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}` },
      });
    const rep = await login(worker.url, "sales_rep");
    const manager = await login(worker.url, "sales_manager");
    const owners = [rep.id, manager.id, admin.id];
    const { table } = await call<{ table: Table }>(worker.url, admin.token, "GET", "/api/meta/tables/orders");
    const random = rng(100_000);
    const t0 = performance.now();
    for (let n = 0; n < orders;) {
      const size = Math.min(1000, orders - n);
      const records = Array.from({ length: size }, () => {
        n++;
        const day = 1 + Math.floor(random() * 365);
        return {
          fields: {
            owner: owners[n % owners.length],
            order_date: new Date(Date.UTC(2026, 0, day)).toISOString().slice(0, 10),
            requested_date: new Date(Date.UTC(2026, 0, day + 14)).toISOString().slice(0, 10),
          },
        };
      });
      await call(worker.url, admin.token, "POST", "/api/tables/orders/records", { records });
      process.stdout.write(`\rseeded ${n} orders`);
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    process.stdout.write(` in ${seedSeconds.toFixed(1)} s\n`);
    await worker.stop();
    spreadStatusesAndTotals(d1File(w.state), table);
    worker = await startDevWorker(w);
    admin = await login(worker.url, "admin");
    const repNow = await login(worker.url, "sales_rep");
    const { views } = await call<{ views: { id: string; name: string }[] }>(
      worker.url,
      admin.token,
      "GET",
      "/api/meta/views?table=orders",
    );
    const viewId = views.find((v) => v.name === "orders_board")!.id;
    browser = await launchChromium();
    const file = d1File(w.state);
    const all = sqlTotals(file, table, null, "status", "total");
    const figures: OrdersBoardFigures = {
      orders,
      seedSeconds,
      columns: [...all].map(([stage, c]) => ({ stage, ...c })),
      runs: [],
    };
    for (const [role, who] of [
      ["admin (all orders)", admin],
      ["sales rep (own and their customers' orders)", repNow],
    ] as const) {
      const first: number[] = [];
      const complete: number[] = [];
      let last: Awaited<ReturnType<typeof measure>> | null = null;
      await measure(browser, worker.url, who.token, viewId); // warm-up: module and server caches
      for (let i = 0; i < runs; i++) {
        last = await measure(browser, worker.url, who.token, viewId);
        first.push(last.first);
        complete.push(last.complete);
      }
      const mismatches = headMismatches(
        last!.shown,
        sqlTotals(file, table, who === repNow ? repNow.id : null, "status", "total"),
      );
      figures.runs.push({
        role,
        cards: last!.cards,
        firstCard: summarise(first),
        complete: summarise(complete),
        exact: mismatches.length === 0,
        mismatches,
      });
    }
    return figures;
  } finally {
    await browser?.close();
    await worker.stop();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

export function formatOrdersBoard(f: OrdersBoardFigures): string {
  return [
    `Orders board (<sg-kanban view=orders_board>, Chromium headless), ${f.orders.toLocaleString("en")} orders through the bulk API in ${f.seedSeconds.toFixed(1)} s, statuses and totals spread in SQL`,
    `Columns (SQL): ${f.columns.map((c) => `${c.stage} ${c.count.toLocaleString("en")}, sum ${c.sum.toLocaleString("en")}`).join("; ")}`,
    "",
    "| viewer | cards on first screen | first card p50 / p95 | complete (all columns + sums) p50 / p95 | column counts and sums vs direct SQL |",
    "|---|---|---|---|---|",
    ...f.runs.map(
      (r) =>
        `| ${r.role} | ${r.cards} | ${r.firstCard.p50.toFixed(0)} / ${r.firstCard.p95.toFixed(0)} ms | ${r.complete.p50.toFixed(0)} / ${r.complete.p95.toFixed(0)} ms | ${r.exact ? "exact" : `MISMATCH: ${r.mismatches.join("; ")}`} |`,
    ),
  ].join("\n");
}

if (process.argv[1]?.endsWith("bench/orders-board.ts")) {
  const argv = process.argv.slice(2);
  const num = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const figures = await ordersBoardBench({ orders: num("--orders", 100_000), runs: num("--runs", 5) });
  console.log(formatOrdersBoard(figures));
  if (figures.runs.some((r) => !r.exact)) process.exitCode = 1;
}
