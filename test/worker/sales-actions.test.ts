/**
 * The sales actions, each one batch: quote-to-order (order with the quote's lines and totals, quote
 * converted, deal won with amount = order total, under the caller's permissions; twice or at once: one
 * wins, the other 409), quote-revise, and the daily expiry job.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runDueJobs } from "../../worker/plugins/jobs";
import { testEnv } from "./helpers";
import {
  addLines,
  cny,
  create,
  customer,
  expectAddsUp,
  get,
  installSales,
  linesOf,
  product,
  quote,
  signedIn,
  type Client,
} from "./sales-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSales());
});

/** A quote with two lines, moved to `status` (draft -> sent [-> accepted]). */
async function readyQuote(client: Client, status: "draft" | "sent" | "accepted", fields: Record<string, unknown> = {}) {
  const p = await product(admin, { unit_price: cny(12_345), tax_rate: 1300 });
  const q = await quote(client, fields);
  const r = await addLines(client, "quote_lines", { quote: [q.id] }, [
    { product: [p.id], quantity: "2.5", discount: 1000 },
    { description: "Installation", quantity: "1", unit_price: cny(50_000), tax_rate: 600 },
  ]);
  expect(r.status, r.text).toBe(201);
  let cur = await get(client, "quotes", q.id);
  for (const s of ["sent", "accepted"].slice(0, status === "draft" ? 0 : status === "sent" ? 1 : 2)) {
    const m = await client.patch(`/tables/quotes/records/${q.id}`, { version: cur.version, fields: { status: s } });
    expect(m.status, m.text).toBe(200);
    cur = m.body.record;
  }
  return cur;
}

const convert = (client: Client, id: number) => client.post("/actions/sales/quote-to-order", { quote: id });

describe("quote-to-order", () => {
  it("makes a draft order with the same lines and totals, converts the quote and wins the deal at the order's total", async () => {
    const rep = await signedIn(["sales_rep"]);
    const c = await customer(rep.client);
    const deal = await create(rep.client, "deals", { name: "Big deal", customer: [c.id] });
    const q = await readyQuote(rep.client, "accepted", { customer: [c.id], deal: [deal.id] });
    const r = await convert(rep.client, q.id);
    expect(r.status, r.text).toBe(200);
    const order = r.body.order;
    expect(order.fields).toMatchObject({
      status: "draft",
      quote: [q.id],
      customer: [c.id],
      deal: [deal.id],
      owner: rep.id,
      total: q.fields.total,
      subtotal: q.fields.subtotal,
      tax_total: q.fields.tax_total,
      payment_status: "unpaid",
    });
    await expectAddsUp(rep.client, "order", order.id);
    const ql = await linesOf(rep.client, "quote_lines", "quote", q.id);
    const ol = await linesOf(rep.client, "order_lines", "order", order.id);
    const keys = [
      "quantity",
      "unit_price",
      "discount",
      "tax_rate",
      "line_subtotal",
      "line_tax",
      "line_total",
      "description",
    ];
    const pick = (l: { fields: Record<string, unknown> }) => keys.map((k) => l.fields[k]);
    expect(ol.map(pick)).toEqual(ql.map(pick));
    expect((await get(rep.client, "quotes", q.id)).fields.status).toBe("converted");
    const d = await get(rep.client, "deals", deal.id);
    expect(d.fields).toMatchObject({ stage: "won", amount: q.fields.total, probability: 10_000 });
    // Twice: 409, and nothing more was written.
    const again = await convert(rep.client, q.id);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ field: "quote", code: "already_converted" });
  });

  it("lets one of two simultaneous conversions win; the other answers 409 and writes nothing", async () => {
    const q = await readyQuote(admin, "sent");
    const rs = await Promise.all([convert(admin, q.id), convert(admin, q.id), convert(admin, q.id)]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const filter = encodeURIComponent(JSON.stringify({ field: "quote", op: "contains", value: q.id }));
    const orders = await admin.get(`/tables/orders/records?filter=${filter}`);
    expect(orders.body.records).toHaveLength(1);
    expect(await linesOf(admin, "order_lines", "order", orders.body.records[0].id)).toHaveLength(2);
  });

  it("refuses a quote without lines, a draft quote, and one the caller may not change", async () => {
    const empty = await quote(admin);
    const sent = await admin.patch(`/tables/quotes/records/${empty.id}`, {
      version: empty.version,
      fields: { status: "sent" },
    });
    expect(sent.status, sent.text).toBe(200);
    const none = await convert(admin, empty.id);
    expect(none.status).toBe(422);
    expect(none.body.errors[0]).toMatchObject({ field: "quote", code: "no_lines" });
    const draft = await readyQuote(admin, "draft");
    const d = await convert(admin, draft.id);
    expect(d.status).toBe(422);
    expect(d.body.errors[0]).toMatchObject({ field: "quote", code: "invalid_transition" });
    const rep = await signedIn(["sales_rep"]);
    expect((await convert(rep.client, draft.id)).status).toBe(404);
    const viewer = await signedIn(["viewer"]);
    expect((await convert(viewer.client, draft.id)).status).toBe(403);
    for (const body of [{}, { quote: "1" }, { quote: 1, extra: true }, { quote: -1 }]) {
      const r = await admin.post("/actions/sales/quote-to-order", body);
      expect(r.status, JSON.stringify(body)).toBe(422);
    }
  });

  it("writes nothing when the deal cannot be won by the caller", async () => {
    const rep = await signedIn(["sales_rep"]);
    const other = await signedIn(["sales_rep"]);
    const deal = await create(other.client, "deals", { name: "Not mine" });
    // The admin links the rep's quote to a deal the rep may not even see.
    const q = await readyQuote(rep.client, "sent");
    const linked = await admin.patch(`/tables/quotes/records/${q.id}`, {
      version: q.version,
      fields: { deal: [deal.id] },
    });
    expect(linked.status).toBe(422); // only drafts change: link it while draft instead
    const q2 = await quote(rep.client);
    const l2 = await admin.patch(`/tables/quotes/records/${q2.id}`, {
      version: q2.version,
      fields: { deal: [deal.id] },
    });
    expect(l2.status, l2.text).toBe(200);
    const p = await product(admin);
    await addLines(rep.client, "quote_lines", { quote: [q2.id] }, [{ product: [p.id], quantity: "1" }]);
    const cur = await get(rep.client, "quotes", q2.id);
    const sent = await rep.client.patch(`/tables/quotes/records/${q2.id}`, {
      version: cur.version,
      fields: { status: "sent" },
    });
    expect(sent.status, sent.text).toBe(200);
    const r = await convert(rep.client, q2.id);
    expect(r.status).toBe(404);
    expect((await get(rep.client, "quotes", q2.id)).fields.status).toBe("sent");
    const filter = encodeURIComponent(JSON.stringify({ field: "quote", op: "contains", value: q2.id }));
    expect((await admin.get(`/tables/orders/records?filter=${filter}`)).body.records).toHaveLength(0);
    expect((await get(admin, "deals", deal.id)).fields.stage).not.toBe("won");
  });
});

describe("quote-revise", () => {
  it("copies a sent quote into a new draft with revision + 1 and its lines, and supersedes the old one", async () => {
    const q = await readyQuote(admin, "sent");
    const r = await admin.post("/actions/sales/quote-revise", { quote: q.id });
    expect(r.status, r.text).toBe(200);
    const next = r.body.quote;
    expect(next.id).not.toBe(q.id);
    expect(next.fields).toMatchObject({ status: "draft", revision: 2, total: q.fields.total });
    expect(next.fields.number).not.toBe(q.fields.number);
    await expectAddsUp(admin, "quote", next.id);
    expect(await linesOf(admin, "quote_lines", "quote", next.id)).toHaveLength(2);
    expect(await linesOf(admin, "quote_lines", "quote", q.id)).toHaveLength(2);
    expect((await get(admin, "quotes", q.id)).fields.status).toBe("superseded");
    expect((await admin.post("/actions/sales/quote-revise", { quote: q.id })).status).toBe(409);
    const d = await admin.post("/actions/sales/quote-revise", { quote: next.id });
    expect(d.status).toBe(422);
  });
});

describe("expiry", () => {
  it("expires sent and draft quotes past valid_until once a day, and leaves the others", async () => {
    const old = await readyQuote(admin, "draft");
    const past = await admin.patch(`/tables/quotes/records/${old.id}`, {
      version: old.version,
      fields: { valid_until: "2020-01-01" },
    });
    expect(past.status, past.text).toBe(200);
    const accepted = await readyQuote(admin, "draft");
    const a1 = await admin.patch(`/tables/quotes/records/${accepted.id}`, {
      version: accepted.version,
      fields: { valid_until: "2020-01-01" },
    });
    const a2 = await admin.patch(`/tables/quotes/records/${accepted.id}`, {
      version: a1.body.record.version,
      fields: { status: "sent" },
    });
    const a3 = await admin.patch(`/tables/quotes/records/${accepted.id}`, {
      version: a2.body.record.version,
      fields: { status: "accepted" },
    });
    expect(a3.status, a3.text).toBe(200);
    const fresh = await readyQuote(admin, "sent");
    await runDueJobs(testEnv.DB, new Date(), true);
    expect((await get(admin, "quotes", old.id)).fields.status).toBe("expired");
    expect((await get(admin, "quotes", accepted.id)).fields.status).toBe("accepted");
    expect((await get(admin, "quotes", fresh.id)).fields.status).toBe("sent");
  });
});
