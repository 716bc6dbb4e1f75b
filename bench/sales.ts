/**
 * `npm run bench -- --sales [--runs 20]`: the figures of issue 15 through the API, on its own Worker
 * (lib/dev-worker.ts: `wrangler dev` over a copy of the sources, a scratch D1 under bench/.data/sales,
 * the demo workspace with products and sales):
 *   - save a 200-line quote: one POST of 200 lines, whose hook prices them and recomputes the quote's
 *     totals in the same batch (target: median under 100 ms);
 *   - edit one line of a 200-line quote: the PATCH recomputes the totals over all 200 lines;
 *   - quote-to-order of a 200-line quote: the order, its 200 lines, the quote and the deal in one batch
 *     (target: median under 200 ms).
 * Each measured quote's totals are checked against the sum of its lines as the API returns them.
 * Never part of `npm test`.
 */
import { DEMO_USERS } from "../worker/demo/users";
import { prepareWorkerDir, startDevWorker } from "./lib/dev-worker";
import { summarise } from "./lib/stats";
import { timedApi } from "./lib/timed-api";

const LINES = 200;
export const SALES_TARGETS = { save: 100, convert: 200 };

export interface SalesFigures {
  runs: number;
  /** The platform alone: the same 200 rows (same columns, values given) into a plain table, no hook. */
  plain: ReturnType<typeof summarise>;
  save: ReturnType<typeof summarise>;
  edit: ReturnType<typeof summarise>;
  convert: ReturnType<typeof summarise>;
  exact: boolean;
}

export async function salesBench(runs = 20): Promise<SalesFigures> {
  const worker = await startDevWorker(prepareWorkerDir("sales"));
  try {
    let token: string | null = null;
    const call = timedApi(worker.url, () => token);
    await call("POST", "/dev/seed", {});
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    token = (await call<{ token: string }>("POST", "/auth/login", { email: admin.email, password: admin.password }))
      .body.token;
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call("PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    for (const name of ["products", "sales"])
      await call("POST", `/admin/plugins/${name}/install`, undefined, [200, 409]);
    const products = [];
    for (let i = 0; i < 20; i++)
      products.push(
        (
          await call("POST", "/tables/products/records", {
            fields: {
              sku: `BENCH-${i}`,
              name: `Bench product ${i}`,
              unit_price: { amount: 1999 + i * 37, currency: "CNY" },
              cost_price: { amount: 1000, currency: "CNY" },
              tax_rate: i % 3 === 0 ? 600 : 1300,
              active: true,
            },
          })
        ).body.record.id as number,
      );
    // The platform's own cost for the same write: a plain lines table with the same columns and a link.
    const docsT = (await call("POST", "/meta/tables", { name: "bench_docs", fields: [{ name: "name", type: "text" }] }))
      .body.table;
    const money = (name: string) => ({ name, type: "currency", options: { currency: "CNY" } });
    await call("POST", "/meta/tables", {
      name: "bench_lines",
      fields: [
        { name: "doc", type: "link", options: { table: docsT.id, multiple: false, inverseName: "lines" } },
        { name: "position", type: "number", options: { precision: 0 } },
        { name: "description", type: "text" },
        { name: "quantity", type: "decimal", options: { scale: 3 } },
        { name: "discount", type: "percent" },
        { name: "tax_rate", type: "percent" },
        ...["unit_price", "line_subtotal", "line_discount", "line_tax", "line_total"].map(money),
      ],
    });
    const cny = (amount: number) => ({ amount, currency: "CNY" });
    const plainLines = (doc: number) => ({
      records: Array.from({ length: LINES }, (_, i) => ({
        fields: {
          doc: [doc],
          position: i + 1,
          description: `Bench product ${i % 20}`,
          quantity: "2.5",
          discount: 250,
          tax_rate: 1300,
          unit_price: cny(1999),
          line_subtotal: cny(4998),
          line_discount: cny(125),
          line_tax: cny(633),
          line_total: cny(5506),
        },
      })),
    });
    const lines = (quote: number) => ({
      records: Array.from({ length: LINES }, (_, i) => ({
        fields: {
          quote: [quote],
          product: [products[i % products.length]],
          quantity: `${(i % 17) + 1}.${i % 1000}`.slice(0, 8),
          discount: (i % 5) * 250,
        },
      })),
    });
    const plain: number[] = [];
    const save: number[] = [];
    const edit: number[] = [];
    const convert: number[] = [];
    let exact = true;
    // Warm-up: one of each, not counted.
    for (let r = -1; r < runs; r++) {
      const d = (await call("POST", "/tables/bench_docs/records", { fields: { name: `doc ${r}` } })).body.record.id;
      const plainSave = await call("POST", "/tables/bench_lines/records", plainLines(d));
      const q = (await call("POST", "/tables/quotes/records", { fields: {} })).body.record.id as number;
      const saved = await call("POST", "/tables/quote_lines/records", lines(q));
      const first = saved.body.records[0];
      const edited = await call("PATCH", `/tables/quote_lines/records/${first.id}`, {
        version: first.version,
        fields: { quantity: "3.5", discount: 1000 },
      });
      // The quote's totals equal its lines' sums, as the API returns them.
      const doc = (await call("GET", `/tables/quotes/records/${q}`)).body.record;
      const all = (
        await call(
          "GET",
          `/tables/quote_lines/records?limit=1000&filter=${encodeURIComponent(JSON.stringify({ field: "quote", op: "contains", value: q }))}`,
        )
      ).body.records;
      const sum = all.reduce((s: number, l: any) => s + l.fields.line_total.amount, 0);
      if (sum !== doc.fields.total.amount || all.length !== LINES) exact = false;
      await call("PATCH", `/tables/quotes/records/${q}`, { version: doc.version, fields: { status: "sent" } });
      const conv = await call("POST", "/actions/sales/quote-to-order", { quote: q });
      if (conv.body.order.fields.total.amount !== doc.fields.total.amount) exact = false;
      if (r < 0) continue;
      plain.push(plainSave.ms);
      save.push(saved.ms);
      edit.push(edited.ms);
      convert.push(conv.ms);
    }
    return {
      runs,
      plain: summarise(plain),
      save: summarise(save),
      edit: summarise(edit),
      convert: summarise(convert),
      exact,
    };
  } finally {
    await worker.stop();
  }
}

export function formatSales(f: SalesFigures): string {
  const row = (what: string, s: ReturnType<typeof summarise>, target: number | null) =>
    `| ${what} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${target === null ? "-" : `< ${target} ms: ${s.p50 < target ? "PASS" : "FAIL"}`} |`;
  return [
    `### Quotes and orders (issue 15), ${f.runs} runs each, ${LINES} lines per quote, through the API (wrangler dev)`,
    "",
    "| What | p50 ms | p95 ms | Target (median) |",
    "|---|---:|---:|---|",
    row(`platform alone: ${LINES} rows of the same columns into a plain table, no hook`, f.plain, null),
    row(`save a ${LINES}-line quote (one POST of its lines; totals in the same batch)`, f.save, SALES_TARGETS.save),
    row(`edit one line of a ${LINES}-line quote (totals over all lines)`, f.edit, SALES_TARGETS.save),
    row(`quote-to-order of a ${LINES}-line quote`, f.convert, SALES_TARGETS.convert),
    "",
    `Totals equal the sums of the lines and the order's total the quote's: ${f.exact ? "yes" : "NO"}.`,
  ].join("\n");
}
