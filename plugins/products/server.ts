/**
 * The products plugin's server side. Products: a new one without a tax rate gets the workspace's
 * default (settings.default_tax_rate, basis points) and is active unless it says otherwise; prices are
 * not negative and a SKU is not blank (its uniqueness, ignoring case, is the field's unique index, so
 * concurrent creates cannot both win). Price lists end on or after they start; a price list item's
 * price is in its list's currency and its minimum quantity is not negative. Action `price`: what a
 * product costs a customer (pricing.ts `priceFor`, which the sales plugin imports), for a caller who
 * may read the product, its price and the customer.
 */
import {
  accessTo,
  compareDecimals,
  findByIds,
  notFound,
  permittedIds,
  requireOperation,
  forbidden,
  type BeforeWriteContext,
  type BeforeWriteResult,
  type HookProblem,
  type PluginServer,
} from "../../worker/plugin-sdk";
import { priceFor } from "./pricing";

export { priceFor, customerPriceList, type Price, type PriceQuery } from "./pricing";

const DEFAULT_TAX_RATE = 1300;
const ID = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

const amountOf = (v: unknown): number | null =>
  typeof v === "number" ? v : v && typeof v === "object" ? ((v as { amount?: number }).amount ?? null) : null;
const currencyOf = (v: unknown): string | null =>
  v && typeof v === "object" ? ((v as { currency?: string }).currency ?? null) : null;
const linkId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === "number" ? v[0] : null);

async function beforeProducts(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "delete") return {};
  const problems: HookProblem[] = [];
  let defaultRate: number | null = null;
  for (const rec of ctx.records) {
    if (ctx.op === "create") {
      if (!rec.written("tax_rate") || rec.after.tax_rate === null) {
        defaultRate ??= Number((await ctx.settings()).default_tax_rate ?? DEFAULT_TAX_RATE);
        rec.set("tax_rate", defaultRate);
      }
      if (!rec.written("active")) rec.set("active", true);
    }
    if (rec.written("sku") && typeof rec.after.sku === "string") {
      const sku = rec.after.sku.trim();
      if (sku === "") problems.push({ record: rec, field: "sku", code: "required", message: "sku is required" });
      else if (sku !== rec.after.sku) rec.set("sku", sku);
    }
    for (const key of ["unit_price", "cost_price"]) {
      const amount = amountOf(rec.after[key]);
      if (rec.written(key) && amount !== null && amount < 0)
        problems.push({ record: rec, field: key, code: "minimum", message: `${key} may not be negative` });
    }
  }
  return problems.length ? { problems } : {};
}

async function beforePriceLists(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "delete") return {};
  const problems: HookProblem[] = [];
  for (const rec of ctx.records) {
    const from = rec.after.valid_from as string | null;
    const to = rec.after.valid_to as string | null;
    if (from && to && to < from)
      problems.push({ record: rec, field: "valid_to", code: "range", message: "valid_to is before valid_from" });
  }
  return problems.length ? { problems } : {};
}

async function beforeItems(ctx: BeforeWriteContext): Promise<BeforeWriteResult> {
  if (ctx.op === "delete") return {};
  const problems: HookProblem[] = [];
  const listIds = ctx.records.map((r) => linkId(r.after.price_list)).filter((x): x is number => x !== null);
  const lists = new Map(
    (await findByIds(ctx, ctx.table("price_lists"), [...new Set(listIds)], ["currency"])).map((l) => [
      l.id,
      l.values.currency as string | null,
    ]),
  );
  for (const rec of ctx.records) {
    const min = rec.after.min_quantity;
    if (typeof min === "string" && compareDecimals(min, "0") < 0)
      problems.push({
        record: rec,
        field: "min_quantity",
        code: "minimum",
        message: "min_quantity may not be negative",
      });
    const price = rec.after.unit_price;
    const amount = amountOf(price);
    if (amount !== null && amount < 0)
      problems.push({ record: rec, field: "unit_price", code: "minimum", message: "unit_price may not be negative" });
    const listCurrency = lists.get(linkId(rec.after.price_list) ?? 0) ?? null;
    const currency = currencyOf(price);
    if (
      listCurrency &&
      currency &&
      currency !== listCurrency &&
      (rec.written("unit_price") || rec.written("price_list"))
    )
      problems.push({
        record: rec,
        field: "unit_price",
        code: "currency_mismatch",
        message: `The price list is in ${listCurrency}; unit_price is in ${currency}`,
      });
  }
  return problems.length ? { problems } : {};
}

interface PriceInput {
  product: number;
  customer?: number;
  quantity?: string | number;
  at?: string;
}

const server: PluginServer = {
  hooks: {
    products: { beforeWrite: beforeProducts },
    price_lists: { beforeWrite: beforePriceLists },
    price_list_items: { beforeWrite: beforeItems },
  },
  actions: {
    price: {
      input: {
        type: "object",
        additionalProperties: false,
        required: ["product"],
        properties: {
          product: ID,
          customer: ID,
          quantity: {
            anyOf: [
              { type: "string", pattern: "^[0-9]{1,12}(\\.[0-9]{1,6})?$" },
              { type: "number", minimum: 0, maximum: 1e12 },
            ],
          },
          at: { type: "string", format: "date" },
        },
      },
      async run(ctx) {
        const input = ctx.input as unknown as PriceInput;
        const products = ctx.table("products");
        const access = accessTo(ctx, products);
        requireOperation(access, "read");
        if (!access.canRead(products.field("unit_price"))) throw forbidden("read prices of products");
        if (!(await permittedIds(ctx, products, "read", [input.product])).has(input.product))
          throw notFound(`Product ${input.product}`, "product");
        const customers = ctx.maybeTable("customers/customers");
        if (input.customer !== undefined) {
          if (!customers || !(await permittedIds(ctx, customers, "read", [input.customer])).has(input.customer))
            throw notFound(`Customer ${input.customer}`, "customer");
        }
        const price = await priceFor(ctx, {
          product: input.product,
          customer: input.customer ?? null,
          quantity: input.quantity ?? "1",
          at: input.at ?? ctx.at.slice(0, 10),
        });
        return { price };
      },
    },
  },
};
export default server;
