/**
 * The plugins' calendar views: deals by expected close date (titled by name, coloured by stage) and
 * orders by requested date (titled by number, coloured by status) are made by installing the plugins,
 * and their events carry those titles and the stage's or status's choice colour.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { installSales, create, uniq, type Client } from "./sales-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSales());
});

async function viewNamed(name: string) {
  const r = await admin.get("/meta/views");
  expect(r.status, r.text).toBe(200);
  const v = r.body.views.find((x: { name: string }) => x.name === name);
  expect(v, name).toBeDefined();
  return v;
}

async function choiceColour(table: string, field: string, choice: string) {
  const t = (await admin.get(`/meta/tables/${table}`)).body.table;
  const f = t.fields.find((x: { name: string }) => x.name === field);
  return f.options.choices.find((c: { name: string }) => c.name === choice).color as string;
}

describe("calendar views the plugins install", () => {
  it("places deals by expected close, titled by name and coloured by stage", async () => {
    const view = await viewNamed("close_calendar");
    expect(view.layout).toMatchObject({ dateField: "expected_close", titleField: "name", colorField: "stage" });
    const name = uniq("Deal");
    const deal = await create(admin, "deals", { name, expected_close: "2026-12-18" });
    const res = await admin.get(`/meta/views/${view.id}/events?from=2026-12-01&to=2027-01-01`);
    expect(res.status, res.text).toBe(200);
    const ev = res.body.events.find((e: { record: number }) => e.record === deal.id);
    expect(ev).toMatchObject({ title: name, start: "2026-12-18", allDay: true, editable: true });
    expect(ev.color).toBe(await choiceColour("deals", "stage", deal.fields.stage));
  });

  it("places orders by requested date, titled by number and coloured by status", async () => {
    const view = await viewNamed("orders_calendar");
    expect(view.layout).toMatchObject({ dateField: "requested_date", titleField: "number", colorField: "status" });
    const customer = await create(admin, "customers", { name: uniq("Customer") });
    const order = await create(admin, "orders", { customer: [customer.id], requested_date: "2026-12-21" });
    const res = await admin.get(`/meta/views/${view.id}/events?from=2026-12-01&to=2027-01-01`);
    expect(res.status, res.text).toBe(200);
    const ev = res.body.events.find((e: { record: number }) => e.record === order.id);
    expect(ev).toMatchObject({ title: String(order.fields.number), start: "2026-12-21", allDay: true });
    expect(ev.color).toBe(await choiceColour("orders", "status", order.fields.status));
  });
});
