/**
 * The quote actions, each ONE batch (all of it or none):
 * - quote-to-order: a draft order with the quote's lines and totals, the quote converted and, when it
 *   has a deal, the deal moved to its pipeline's won stage with amount = the order's total, as a PATCH
 *   by the caller (their permissions, the pipeline's own hook: probability, close date, history).
 * - quote-revise: a new draft with revision + 1 holding a copy of the lines, the old quote superseded.
 * The quote is updated at the version read, so a second convert or revise of the same quote, at once
 * or later, answers 409 and writes nothing.
 */
import {
  AppError,
  accessTo,
  cond,
  findMany,
  findRows,
  forbidden,
  insertEffect,
  invalid,
  notFound,
  permittedIds,
  readRecord,
  relativeDate,
  runEffects,
  updateEffect,
  updateRecordsEffect,
  type ActionContext,
  type BoundTable,
  type FoundRow,
  type Stmt,
  type Values,
} from "../../worker/plugin-sdk";
import { regradeLaterEffect } from "../customers/grade";
import { parseStages } from "../pipeline/stages";
import { MAX_LINES } from "./kinds";
import { LINE_AMOUNT_KEYS, linkId, salesSettings, TOTAL_KEYS } from "./values";

export const QUOTE_INPUT = {
  type: "object",
  additionalProperties: false,
  required: ["quote"],
  properties: { quote: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
};

/** What a revision copies of its quote (never the inverse links: they would move the old quote's lines). */
const QUOTE_COPY = [
  "customer",
  "contact",
  "deal",
  "owner",
  "currency",
  "price_list",
  "prices_include_tax",
  ...TOTAL_KEYS,
  "terms",
  "notes",
];
const QUOTE_KEYS = ["number", "status", "revision", ...QUOTE_COPY];
const LINE_COPY = [
  "position",
  "product",
  "description",
  "quantity",
  "unit_price",
  "discount",
  "tax_rate",
  "price_overridden",
  ...LINE_AMOUNT_KEYS,
];

/**
 * The quote as the caller may change it (404 when they cannot see it, 403 when they may not update
 * it), and its lines in order, read in one round trip.
 */
async function quoteFor(
  ctx: ActionContext,
  quotes: BoundTable,
  id: number,
): Promise<{ q: FoundRow; lines: FoundRow[] }> {
  if (!(await permittedIds(ctx, quotes, "update", [id])).has(id)) {
    await readRecord(ctx, quotes, id);
    throw forbidden(`update quote ${id}`);
  }
  const linesT = ctx.table("quote_lines");
  const read = await findMany(ctx, [
    { table: quotes, ids: [id], keys: QUOTE_KEYS },
    { table: linesT, keys: LINE_COPY, filter: cond(linesT, "quote", "contains", id), max: MAX_LINES },
  ]);
  const q = read.rows[0]![0];
  if (!q) throw notFound(`quote ${id}`);
  const lines = read.rows[1]!.sort(
    (a, b) => ((a.values.position as number) ?? 0) - ((b.values.position as number) ?? 0) || a.id - b.id,
  );
  return { q, lines };
}

function requireCreate(ctx: ActionContext, t: BoundTable) {
  if (!accessTo(ctx, t).may("create")) throw forbidden(`create ${t.meta.name}`);
}

const pick = (v: Values, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, v[k] ?? null]));

export async function quoteToOrder(ctx: ActionContext) {
  const id = ctx.input.quote as number;
  const quotes = ctx.table("quotes");
  const orders = ctx.table("orders");
  const orderLines = ctx.table("order_lines");
  const { q, lines } = await quoteFor(ctx, quotes, id);
  const status = String(q.values.status);
  if (status === "converted")
    throw new AppError("conflict", `Quote ${String(q.values.number ?? id)} is already converted`, [
      { field: "quote", code: "already_converted", message: "This quote was converted to an order already" },
    ]);
  if (status !== "accepted" && status !== "sent")
    throw invalid(
      [
        {
          field: "quote",
          code: "invalid_transition",
          message: `A ${status} quote cannot be converted; accepted or sent ones can`,
        },
      ],
      `A ${status} quote cannot be converted`,
    );
  requireCreate(ctx, orders);
  requireCreate(ctx, orderLines);
  if (lines.length === 0)
    throw invalid([{ field: "quote", code: "no_lines", message: "A quote without lines cannot become an order" }]);

  const v = q.values;
  const order = await insertEffect(ctx, orders, [
    {
      ...pick(v, [
        "customer",
        "contact",
        "deal",
        "owner",
        "currency",
        "price_list",
        "prices_include_tax",
        ...TOTAL_KEYS,
      ]),
      quote: [id],
      status: "draft",
      order_date: relativeDate(0, ctx.principal.timeZone || "UTC"),
      shipping_address: await shippingAddress(ctx, linkId(v.customer)),
      paid_amount: { amount: 0, currency: (v.currency as string) ?? "CNY" },
      payment_status: "unpaid",
      notes: v.notes ?? null,
    },
  ]);
  const orderId = order.ids[0]!;
  const copied = await insertEffect(
    ctx,
    orderLines,
    lines.map((l) => ({ ...l.values, order: [orderId] })),
  );
  const stmts: Stmt[] = [
    ...order.statements,
    ...copied.statements,
    ...updateEffect(ctx, quotes, [{ id, version: q.version, before: v, set: { status: "converted" } }]),
    // A new order with the quote's total: the customer's grade by order revenue follows at the next tick.
    ...regradeLaterEffect(
      ctx,
      [linkId(v.customer)].filter((x): x is number => x !== null),
    ),
  ];
  const deal = await wonDeal(ctx, linkId(v.deal), v.total);
  stmts.push(...deal.statements);
  await runEffects(ctx.db, stmts, { onCheck: deal.onCheck });
  await deal.afterWrite();
  return { order: await readRecord(ctx, orders, orderId) };
}

const ADDRESS_KEYS = ["address", "kind", "is_default", "city", "province", "postcode", "country"];

/**
 * The address an order ships to, as text: the customer's default shipping address, else another
 * shipping one, else its default, else any; only addresses and parts of them the caller may read.
 * Null when there is none (or the customers plugin has no addresses).
 */
async function shippingAddress(ctx: ActionContext, customer: number | null): Promise<string | null> {
  const t = ctx.maybeTable("customers/customer_addresses");
  if (customer === null || !t || !t.maybeField("customer")) return null;
  const access = accessTo(ctx, t);
  if (!access.may("read")) return null;
  const keys = ADDRESS_KEYS.filter((k) => t.maybeField(k) && access.canRead(t.field(k)));
  const rows = await findRows(ctx, t, cond(t, "customer", "contains", customer), keys, 200);
  const mine = await permittedIds(
    ctx,
    t,
    "read",
    rows.map((r) => r.id),
  );
  const rank = (r: FoundRow) => (r.values.kind === "shipping" ? 0 : 2) + (r.values.is_default === true ? 0 : 1);
  const best = rows.filter((r) => mine.has(r.id)).sort((a, b) => rank(a) - rank(b) || a.id - b.id)[0];
  if (!best) return null;
  const text = (k: string) => (typeof best.values[k] === "string" ? (best.values[k] as string).trim() : "");
  const join = (parts: string[], sep: string) => parts.filter(Boolean).join(sep);
  const where = join([text("city"), join([text("province"), text("postcode")], " ")], ", ");
  return join([text("address"), where, text("country")], "\n") || null;
}

/** The PATCH moving the deal to its pipeline's won stage with the order's total, as the caller. */
async function wonDeal(ctx: ActionContext, dealId: number | null, total: unknown) {
  const none = { statements: [] as Stmt[], afterWrite: async () => {}, onCheck: async () => null };
  if (dealId === null) return none;
  const deals = ctx.table("pipeline/deals");
  const read = await findMany(ctx, [
    { table: deals, ids: [dealId], keys: ["pipeline", "stage"] },
    { table: ctx.table("pipeline/pipelines"), keys: ["stages"], filter: null, max: 1000 },
  ]);
  const row = read.rows[0]![0];
  if (!row) throw notFound(`deal ${dealId}`);
  const pipeline = read.rows[1]!.find((p) => p.id === linkId(row.values.pipeline));
  const won = parseStages(pipeline?.values.stages, "stages").stages?.find((s) => s.kind === "won");
  if (!won) throw invalid([{ field: "quote", code: "no_won_stage", message: "The deal's pipeline has no won stage" }]);
  const fields: Values = { [deals.field("amount").name]: total };
  if (row.values.stage !== won.name) fields[deals.field("stage").name] = won.name;
  return updateRecordsEffect(ctx, deals, { records: [{ id: dealId, version: row.version, fields }] }).catch(
    (e: unknown) => {
      // The deal is named as the caller's problem: the quote converts only with its deal.
      if (e instanceof AppError) throw new AppError(e.code, `The deal cannot be won: ${e.message}`, e.errors);
      throw e;
    },
  );
}

export async function quoteRevise(ctx: ActionContext) {
  const id = ctx.input.quote as number;
  const quotes = ctx.table("quotes");
  const linesT = ctx.table("quote_lines");
  const { q, lines } = await quoteFor(ctx, quotes, id);
  const status = String(q.values.status);
  if (status === "superseded" || status === "converted")
    throw new AppError("conflict", `Quote ${String(q.values.number ?? id)} is ${status}`, [
      { field: "quote", code: `already_${status}`, message: `This quote is ${status} already` },
    ]);
  if (status === "draft")
    throw invalid([
      { field: "quote", code: "invalid_transition", message: "A draft quote is edited as it is, not revised" },
    ]);
  requireCreate(ctx, quotes);
  requireCreate(ctx, linesT);
  const settings = await salesSettings(ctx);
  const next = await insertEffect(ctx, quotes, [
    {
      ...pick(q.values, QUOTE_COPY),
      status: "draft",
      revision: ((q.values.revision as number | null) ?? 1) + 1,
      valid_until: relativeDate(settings.quoteValidDays, ctx.principal.timeZone || "UTC"),
    },
  ]);
  const newId = next.ids[0]!;
  const copied = await insertEffect(
    ctx,
    linesT,
    lines.map((l) => ({ ...l.values, quote: [newId] })),
  );
  await runEffects(ctx.db, [
    ...next.statements,
    ...copied.statements,
    ...updateEffect(ctx, quotes, [{ id, version: q.version, before: q.values, set: { status: "superseded" } }]),
  ]);
  return { quote: await readRecord(ctx, quotes, newId) };
}
