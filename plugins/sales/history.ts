/**
 * Action `purchase-history {customer, limit?, cursor?}`: what a customer bought, as the caller may see
 * it. Every list is read through the records pipeline AS THE CALLER (listRecordsAs), so row rules and
 * hidden fields apply exactly as in the grid: a rep sees the orders they may read, and a role that
 * cannot read amounts (the warehouse) gets no amount anywhere in the answer (`amountsHidden`).
 * - `orders`: a page of the customer's orders, newest first (keyset `cursor`, at most 100 a page);
 * - `totalsByYear`: per year of `order_date` and per currency (never added across currencies), the
 *   count and exact sum in minor units of the orders that are not cancelled (the same orders the
 *   customers plugin's grading counts as revenue);
 * - `lastOrder`: the newest of those; `openQuotes`: draft, sent or accepted quotes, soonest to expire first.
 * The summary comes with the first page only (no `cursor`). 404 for a customer the caller may not read.
 */
import {
  accessTo,
  AppError,
  listRecordsAs,
  notFound,
  permittedIds,
  requireOperation,
  type ActionContext,
  type ApiRecord,
  type BoundTable,
} from "../../worker/plugin-sdk";

export const HISTORY_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["customer"],
  properties: {
    customer: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    limit: { type: "integer", minimum: 1, maximum: 100 },
    cursor: { type: "string", minLength: 1, maxLength: 1000 },
  },
};

const OPEN_QUOTES = ["draft", "sent", "accepted"];
/** Orders summed for the totals: at most this many pages of 1000 (a customer with more gets `truncated`). */
const MAX_SUMMARY_PAGES = 50;

interface Input {
  customer: number;
  limit?: number;
  cursor?: string;
}

export interface YearTotal {
  year: string;
  currency: string;
  count: number;
  /** Minor units: a number up to 2^53, a digit string beyond. */
  amount: number | string;
}

const exact = (n: bigint): number | string => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());

/** Field names of `keys` the caller may read on `t` (those that exist). */
function readable(ctx: ActionContext, t: BoundTable, keys: string[]): Map<string, string> {
  const access = accessTo(ctx, t);
  const out = new Map<string, string>();
  for (const k of keys) {
    const f = t.maybeField(k);
    if (f && access.canRead(f)) out.set(k, f.name);
  }
  return out;
}

export async function purchaseHistory(ctx: ActionContext) {
  const input = ctx.input as unknown as Input;
  const customers = ctx.table("customers/customers");
  if (!(await permittedIds(ctx, customers, "read", [input.customer])).has(input.customer))
    throw notFound(`Customer ${input.customer}`, "customer");
  const orders = ctx.table("orders");
  requireOperation(accessTo(ctx, orders), "read");
  const of = readable(ctx, orders, ["customer", "order_date", "status", "total", "number"]);
  if (!of.has("customer")) return empty(input);
  const byCustomer = (t: BoundTable) =>
    JSON.stringify({ field: t.field("customer").name, op: "contains", value: input.customer });
  const newestFirst = of.has("order_date") ? "-order_date" : undefined;
  const page = await listRecordsAs(ctx, orders, {
    filter: byCustomer(orders),
    sort: newestFirst,
    limit: String(input.limit ?? 20),
    cursor: input.cursor,
  });
  const amountsHidden = !of.has("total");
  const result = { customer: input.customer, orders: page.records, nextCursor: page.nextCursor ?? null, amountsHidden };
  if (input.cursor !== undefined) return result;

  // The summary: every order of the customer the caller may read, with only the fields it needs.
  const totals = new Map<string, { year: string; currency: string; count: number; sum: bigint }>();
  let last: ApiRecord | null = null;
  let truncated = false;
  let cursor: string | undefined;
  const fields = [...of.values()].join(",");
  for (let i = 0; ; i++) {
    if (i === MAX_SUMMARY_PAGES) {
      truncated = true;
      break;
    }
    const p = await listRecordsAs(ctx, orders, {
      filter: byCustomer(orders),
      sort: newestFirst,
      limit: "1000",
      fields,
      cursor,
    });
    for (const r of p.records) {
      const f = r.fields as Record<string, unknown>;
      if (f[of.get("status") ?? ""] === "cancelled") continue;
      last ??= r;
      const total = f[of.get("total") ?? ""] as { amount: number; currency: string } | null | undefined;
      const date = f[of.get("order_date") ?? ""];
      if (!total || typeof date !== "string") continue;
      const key = `${date.slice(0, 4)} ${total.currency}`;
      const t = totals.get(key) ?? { year: date.slice(0, 4), currency: total.currency, count: 0, sum: 0n };
      t.count++;
      t.sum += BigInt(total.amount);
      totals.set(key, t);
    }
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  const totalsByYear: YearTotal[] | null = amountsHidden
    ? null
    : [...totals.values()]
        .sort((a, b) => b.year.localeCompare(a.year) || a.currency.localeCompare(b.currency))
        .map((t) => ({ year: t.year, currency: t.currency, count: t.count, amount: exact(t.sum) }));
  return {
    ...result,
    totalsByYear,
    truncated,
    lastOrder: last,
    openQuotes: await openQuotes(ctx, input.customer),
  };
}

/** The customer's open quotes the caller may read, soonest to expire first; null without a read grant. */
async function openQuotes(ctx: ActionContext, customer: number): Promise<ApiRecord[] | null> {
  const quotes = ctx.table("quotes");
  if (!accessTo(ctx, quotes).may("read")) return null;
  const q = readable(ctx, quotes, ["customer", "status", "valid_until"]);
  if (!q.has("customer") || !q.has("status")) return null;
  try {
    const page = await listRecordsAs(ctx, quotes, {
      filter: JSON.stringify({
        and: [
          { field: q.get("customer"), op: "contains", value: customer },
          { field: q.get("status"), op: "in", value: OPEN_QUOTES },
        ],
      }),
      sort: q.has("valid_until") ? q.get("valid_until") : undefined,
      limit: "100",
    });
    return page.records;
  } catch (err) {
    if (err instanceof AppError && err.code === "forbidden") return null;
    throw err;
  }
}

function empty(input: Input) {
  return {
    customer: input.customer,
    orders: [],
    nextCursor: null,
    amountsHidden: true,
    totalsByYear: null,
    truncated: false,
    lastOrder: null,
    openQuotes: null,
  };
}
