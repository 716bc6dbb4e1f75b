// Demo quotes, orders and payments across the demo deals, in every status, through the public API
// (so the sales plugin's own hooks price the lines from the catalog and price lists and compute every
// total; nothing here adds money up). Deterministic: documents follow the deals in id order and the
// choices come from a seeded generator. Written once: a workspace that holds any quote gets nothing.
// `call(method, path, body)` is the caller's API client, signed in as the demo admin; the seed script
// passes its own and the worker test one that calls the Worker in place.

/** mulberry32, as worker/demo/catalog.ts: the same choices on every machine. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Quote status -> the moves that reach it after draft ("revise"/"convert" are the plugin's actions). */
const QUOTE_PATHS = {
  draft: [],
  sent: ["sent"],
  accepted: ["sent", "accepted"],
  rejected: ["sent", "rejected"],
  // Past its validity: the plugin's daily expiry job makes it expired (run by the seed's last step).
  expired: ["sent"],
  superseded: ["sent", "revise"],
  converted: ["sent", "accepted", "convert"],
};
/** Order status -> the moves along the plugin's lifecycle that reach it from draft. */
const ORDER_PATHS = {
  draft: [],
  confirmed: ["confirmed"],
  partially_shipped: ["confirmed", "partially_shipped"],
  shipped: ["confirmed", "shipped"],
  delivered: ["confirmed", "shipped", "delivered"],
  closed: ["confirmed", "shipped", "delivered", "closed"],
  cancelled: ["confirmed", "cancelled"],
};
/** Order status -> the share of its total paid, in percent (0: no payment). */
const PAID = {
  draft: 0,
  confirmed: 30,
  partially_shipped: 50,
  shipped: 100,
  delivered: 100,
  closed: 100,
  cancelled: 0,
};

const QUANTITIES = ["1", "2", "3", "5", "10", "12", "20", "50", "100", "2.5", "0.75"];
const DISCOUNTS = [0, 0, 0, 500, 1000, 1500, 250];
const TERMS = {
  zh: "报价有效期30天；款到发货；价格含增值税。",
  en: "Valid for 30 days. Payment before delivery. Prices include VAT.",
};

async function all(call, table) {
  const out = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const page = await call("GET", `/api/tables/${table}/records?${q}`);
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const linked = (v) => (Array.isArray(v) && v.length ? (typeof v[0] === "object" ? v[0].id : v[0]) : null);
const closed = (d) => (["won", "lost"].includes(d.fields.stage) ? 1 : 0);
const chinese = (s) => /[\u4e00-\u9fff]/.test(String(s ?? ""));

/**
 * With inventory installed, an order ships through inventory/ship (the shipment, its moves and the
 * status together): partly = the first line (or half of it when it is the only one), wholly = the rest.
 */
async function ship(call, orderId, status) {
  const q = new URLSearchParams({ filter: JSON.stringify({ field: "order", op: "contains", value: orderId }) });
  const lines = (await call("GET", `/api/tables/order_lines/records?${q}`)).records.sort((a, b) => a.id - b.id);
  let body = { order: orderId };
  if (status === "partially_shipped") {
    const [first] = lines;
    const thousandths = Math.round(Number(first.fields.quantity) * 1000);
    const part = lines.length > 1 ? thousandths : Math.max(1, Math.floor(thousandths / 2));
    body = { order: orderId, lines: [{ order_line: first.id, quantity: (part / 1000).toFixed(3) }] };
  }
  await call("POST", "/api/actions/inventory/ship", { ...body, carrier: "顺丰速运 SF Express" });
  return (await call("GET", `/api/tables/orders/records/${orderId}`)).record;
}

async function move(call, table, id, status) {
  const cur = (await call("GET", `/api/tables/${table}/records/${id}`)).record;
  return (await call("PATCH", `/api/tables/${table}/records/${id}`, { version: cur.version, fields: { status } }))
    .record;
}

/**
 * Writes the demo documents: `perStatus` quotes per quote status and orders per order status (each
 * converted quote gives one order), owned by their deal's owner. `inventory`: the inventory plugin is
 * installed and stocked (scripts/demo-inventory.mjs): confirming reserves, shipping goes through its action.
 * Returns the counts written.
 */
export async function seedDemoSales(call, { perStatus = 3, today = new Date(), inventory = false } = {}) {
  if ((await call("GET", "/api/tables/quotes/records?limit=1")).records.length) return { quotes: 0, orders: 0 };
  const rand = generator(20_260_415);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const products = (await all(call, "products")).filter((p) => p.fields.active).sort((a, b) => a.id - b.id);
  const deals = (await all(call, "deals"))
    .filter((d) => linked(d.fields.customer) !== null)
    // Open deals first: converting a quote wins its deal.
    .sort((a, b) => closed(a) - closed(b) || a.id - b.id);
  if (!products.length || !deals.length) return { quotes: 0, orders: 0 };

  // A few customers buy on a CNY price list (a USD list would need USD quotes).
  const lists = (await all(call, "price_lists")).filter((l) => l.fields.currency === "CNY").sort((a, b) => a.id - b.id);
  const customers = [...new Set(deals.map((d) => linked(d.fields.customer)))];
  const onList = customers.filter((_, i) => i % 4 === 0).slice(0, 12);
  if (lists.length && onList.length)
    await call("PATCH", "/api/tables/customers/records", {
      records: await Promise.all(
        onList.map(async (id, i) => ({
          id,
          version: (await call("GET", `/api/tables/customers/records/${id}`)).record.version,
          fields: { price_list: [lists[i % lists.length].id] },
        })),
      ),
    });

  const validUntil = (days) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  // Quotes for every quote status, plus the converted ones that become the orders of every order status.
  const plan = [
    ...Object.keys(QUOTE_PATHS).flatMap((s) => Array.from({ length: perStatus }, () => ({ quote: s, order: null }))),
    ...Object.keys(ORDER_PATHS).flatMap((s) =>
      Array.from({ length: perStatus }, () => ({ quote: "converted", order: s })),
    ),
  ];
  let orders = 0;
  for (const [i, step] of plan.entries()) {
    const deal = deals[i % deals.length];
    const zh = chinese(deal.fields.name);
    const quote = (
      await call("POST", "/api/tables/quotes/records", {
        fields: {
          customer: [linked(deal.fields.customer)],
          deal: [deal.id],
          ...(linked(deal.fields.contact) ? { contact: [linked(deal.fields.contact)] } : {}),
          owner: deal.fields.owner ?? null,
          valid_until: step.quote === "expired" ? validUntil(-5 - (i % 20)) : validUntil(30),
          terms: zh ? TERMS.zh : TERMS.en,
        },
      })
    ).record;
    const count = 1 + Math.floor(rand() * 6);
    await call("POST", "/api/tables/quote_lines/records", {
      records: Array.from({ length: count }, (_, n) => ({
        fields: {
          quote: [quote.id],
          position: n + 1,
          product: [pick(products).id],
          quantity: pick(QUANTITIES),
          discount: pick(DISCOUNTS),
        },
      })),
    });
    for (const m of QUOTE_PATHS[step.quote]) {
      if (m === "revise") await call("POST", "/api/actions/sales/quote-revise", { quote: quote.id });
      else if (m === "convert") {
        const res = await call("POST", "/api/actions/sales/quote-to-order", { quote: quote.id });
        const orderId = res.order.id;
        orders += 1;
        let order = null;
        for (const s of ORDER_PATHS[step.order ?? "draft"])
          order =
            inventory && (s === "partially_shipped" || s === "shipped")
              ? await ship(call, orderId, s)
              : await move(call, "orders", orderId, s);
        order ??= (await call("GET", `/api/tables/orders/records/${orderId}`)).record;
        const total = order.fields.total.amount;
        const paid = Math.floor((total * PAID[step.order ?? "draft"]) / 100);
        if (paid > 0) {
          // Fully paid orders in two instalments, so the rollup adds payments up.
          const first = paid === total ? Math.floor(total / 2) : paid;
          const amounts = paid === total && first > 0 ? [first, total - first] : [paid];
          await call("POST", "/api/tables/payments/records", {
            records: amounts.map((amount, n) => ({
              fields: {
                order: [orderId],
                amount: { amount, currency: order.fields.total.currency },
                received_on: validUntil(-10 + n * 5),
                reference: `DEMO-${orderId}-${n + 1}`,
              },
            })),
          });
        }
      } else await move(call, "quotes", quote.id, m);
    }
  }
  return { quotes: plan.length, orders };
}
