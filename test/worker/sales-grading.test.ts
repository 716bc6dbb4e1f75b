/**
 * The customers plugin's grading rule by 12-month order revenue (metric `order_revenue`): the exact sum
 * of the customer's orders that are not cancelled, dated within the window, in the rule's currency.
 * Every order change (lines, status, customer, date, conversion, delete) schedules the customer's
 * regrade in the change's own batch; the next cron tick applies it. The nightly rule run agrees.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runOnceJobs } from "../../worker/jobs/run";
import { testEnv } from "./helpers";
import { addLines, cny, create, customer, get, installSales, quote, type Client } from "./sales-fixture";

let admin: Client;
const today = new Date().toISOString().slice(0, 10);
/** A date `days` back from today. */
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
/** The next cron ticks: every one-off job due by now runs (a minute ahead, so jobs of this very second count). */
const tick = () => runOnceJobs(testEnv.DB, new Date(Date.now() + 60_000));

beforeAll(async () => {
  ({ admin } = await installSales());
  const put = await admin.request("PUT", "/admin/plugins/customers/settings", {
    gradeRule: {
      enabled: true,
      metric: "order_revenue",
      months: 12,
      currency: "CNY",
      thresholds: { A: 1_000_000, B: 500_000, C: 100_000 },
    },
  });
  expect(put.status, put.text).toBe(200);
});

async function order(c: number, amounts: number[], fields: Record<string, unknown> = {}) {
  const o = await create(admin, "orders", { customer: [c], ...fields });
  if (amounts.length) {
    const r = await addLines(
      admin,
      "order_lines",
      { order: [o.id] },
      amounts.map((amount) => ({
        description: "x",
        quantity: "1",
        unit_price: { amount, currency: (fields.currency as string | undefined) ?? "CNY" },
        tax_rate: 0,
      })),
    );
    expect(r.status, r.text).toBe(201);
  }
  return get(admin, "orders", o.id);
}

const grade = async (c: number) => (await get(admin, "customers", c)).fields.grade;

describe("grading by 12-month order revenue", () => {
  it("grades from the sum of the customer's orders, regraded after each change of their lines", async () => {
    const c = (await customer(admin)).id;
    const o = await order(c, [300_000, 200_001]);
    await tick();
    expect(await grade(c)).toBe("B");
    const r = await addLines(admin, "order_lines", { order: [o.id] }, [
      { description: "y", quantity: "1", unit_price: cny(499_999), tax_rate: 0 },
    ]);
    expect(r.status, r.text).toBe(201);
    await tick();
    expect(await grade(c)).toBe("A");
    // One minor unit below A after a line is deleted.
    const line = r.body.records[0];
    const del = await admin.delete(`/tables/order_lines/records/${line.id}?version=${line.version}`);
    expect(del.status, del.text).toBe(200);
    await tick();
    expect(await grade(c)).toBe("B");
  });

  it("leaves out cancelled orders, orders older than the window and other currencies", async () => {
    const c = (await customer(admin)).id;
    const o = await order(c, [600_000]);
    await order(c, [900_000], { order_date: ago(400) });
    await order(c, [900_000], { currency: "USD" });
    await tick();
    expect(await grade(c)).toBe("B");
    const m = await admin.patch(`/tables/orders/records/${o.id}`, {
      version: (await get(admin, "orders", o.id)).version,
      fields: { status: "cancelled" },
    });
    expect(m.status, m.text).toBe(200);
    await tick();
    expect(await grade(c)).toBe("D");
  });

  it("follows an order moved to another customer, and a conversion from a quote", async () => {
    const from = (await customer(admin)).id;
    const to = (await customer(admin)).id;
    const o = await order(from, [150_000]);
    await tick();
    expect(await grade(from)).toBe("C");
    const m = await admin.patch(`/tables/orders/records/${o.id}`, {
      version: (await get(admin, "orders", o.id)).version,
      fields: { customer: [to] },
    });
    expect(m.status, m.text).toBe(200);
    await tick();
    expect([await grade(from), await grade(to)]).toEqual(["D", "C"]);

    const q = await quote(admin, { customer: [from] });
    const l = await addLines(admin, "quote_lines", { quote: [q.id] }, [
      { description: "z", quantity: "1", unit_price: cny(1_200_000), tax_rate: 0 },
    ]);
    expect(l.status, l.text).toBe(201);
    let cur = await get(admin, "quotes", q.id);
    for (const status of ["sent", "accepted"]) {
      const s = await admin.patch(`/tables/quotes/records/${q.id}`, { version: cur.version, fields: { status } });
      cur = s.body.record;
    }
    const conv = await admin.post("/actions/sales/quote-to-order", { quote: q.id });
    expect(conv.status, conv.text).toBe(200);
    await tick();
    expect(await grade(from)).toBe("A");
  });

  it("keeps a grade picked by hand", async () => {
    const c = await customer(admin, { grade: "C" });
    expect(c.fields.grade_locked).toBe(true);
    await order(c.id, [2_000_000]);
    await tick();
    expect(await grade(c.id)).toBe("C");
  });

  it("the nightly rule run computes the same grades, exactly at the thresholds", async () => {
    const c1 = (await customer(admin)).id;
    const c2 = (await customer(admin)).id;
    await order(c1, [999_999, 1]);
    await order(c2, [499_999]);
    const r = await admin.post("/actions/customers/apply-grade-rule", {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ applied: true, metric: "order_revenue" });
    expect([await grade(c1), await grade(c2)]).toEqual(["A", "C"]);
    expect(today).toMatch(/^\d{4}-/);
  });
});
