/**
 * A calendar over a table whose plugin gives a CalendarSource: its `candidates` filter is OR-ed into
 * the range (a series that began before the range still shows), its `occurrences` expand the records
 * (each with its original start), still under the caller's row rule: a record the caller may not read
 * never reaches the plugin, and a disabled plugin's source is not asked.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bundledPlugins, useBundledPlugins } from "../../worker/plugins/catalog";
import type { BundledPlugin, CalendarRecord, CalendarSource } from "../../worker/plugin-sdk";
import eventsSchema from "../../schemas/calendar-events.schema.json";
import { api, createUser, login, userWithToken } from "./helpers";
import { expectReplyShape } from "./reply-schema";

type Client = ReturnType<typeof api>;
const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 8);

const plugin = `caltest${sfx()}`;
const tableName = `slots_${sfx()}`;
const DAY = 86_400_000;
/** What the source was handed, to prove row rules apply before it. */
const handed: number[][] = [];

/** Daily series: `repeat` = "daily" repeats the record's start every day; anything else is one event. */
const source: CalendarSource = {
  fields: { start: "start", end: "end", title: "title" },
  candidates: () => null,
  async occurrences(_rt, records: CalendarRecord[], range, limit) {
    handed.push(records.map((r) => r.id));
    const out = [];
    for (const r of records) {
      const start = Date.parse(r.values.start as string);
      if (r.values.repeat !== "daily") {
        out.push({
          recordId: r.id,
          start: new Date(start).toISOString(),
          end: null,
          allDay: false,
          occurrenceOf: null,
        });
        continue;
      }
      for (let t = start; t < Date.parse(range.to); t += DAY) {
        if (t < Date.parse(range.from)) continue;
        const iso = new Date(t).toISOString();
        out.push({
          recordId: r.id,
          start: iso,
          end: null,
          allDay: false,
          occurrenceOf: iso,
          ...(t === Date.parse("2026-12-03T09:00:00.000Z") ? { values: { title: "moved title" } } : {}),
        });
      }
    }
    return { occurrences: out.slice(0, limit), truncated: out.length > limit };
  },
};

const testPlugin: BundledPlugin = {
  manifest: {
    name: plugin,
    version: "1.0.0",
    labels: { en: "Calendar test", "zh-CN": "日历测试" },
    tables: [
      {
        name: tableName,
        primaryField: "title",
        fields: [
          { name: "title", type: "text" },
          { name: "start", type: "datetime" },
          { name: "end", type: "datetime" },
          { name: "repeat", type: "text" },
          { name: "region", type: "single_select", options: { choices: [{ name: "north" }, { name: "south" }] } },
        ],
      },
    ],
  } as BundledPlugin["manifest"],
  server: {
    calendars: {
      [tableName]: {
        ...source,
        // A daily series started before the range is a candidate although its start is outside.
        candidates: () => null,
      },
    },
  },
};
// Candidates as a filter on the table: records with a repeat rule.
testPlugin.server.calendars![tableName]!.candidates = (rt) => ({
  kind: "cond",
  field: rt.table(tableName).field("repeat"),
  op: "is_not_empty",
  value: null,
});

let admin: Client;
let north: Client;
let viewId: string;
const role = `calsrc_${sfx()}`;
const DEC = "from=2026-12-01T00:00:00Z&to=2026-12-05T00:00:00Z";

beforeAll(async () => {
  useBundledPlugins([...bundledPlugins(), testPlugin]);
  admin = api((await userWithToken(["admin"])).token);
  const inst = await admin.post(`/admin/plugins/${plugin}/install`);
  expect(inst.status, inst.text).toBe(200);
  const rows = [
    { title: "standup", start: "2026-11-20T09:00:00Z", repeat: "daily", region: "north" },
    { title: "one-off", start: "2026-12-02T10:00:00Z", region: "north" },
    { title: "south daily", start: "2026-11-01T08:00:00Z", repeat: "daily", region: "south" },
    { title: "old one-off", start: "2026-11-02T10:00:00Z", region: "north" },
  ];
  const created = await admin.post(`/tables/${tableName}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
  const g = await admin.request("PUT", `/admin/roles/${role}/grants/${tableName}`, {
    read: { rule: { field: "region", op: "eq", value: "north" } },
    create: "none",
    update: "all",
    delete: "none",
    defaultField: "write",
  });
  expect(g.status, g.text).toBe(200);
  const u = await createUser([role]);
  north = api(await login(u.email, u.password));
  const v = await admin.post("/meta/views", {
    name: `slots_cal_${sfx()}`,
    table: tableName,
    type: "calendar",
    roles: [role],
    layout: { dateField: "start", titleField: "title" },
  });
  expect(v.status, v.text).toBe(201);
  viewId = v.body.view.id;
});

describe("events of a table with a CalendarSource", () => {
  it("expands a series that began before the range into its occurrences, each with its original start", async () => {
    const res = await admin.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    const standup = res.body.events.filter(
      (e: { title: string }) => e.title === "standup" || e.title === "moved title",
    );
    expect(standup.map((e: { start: string }) => e.start)).toEqual([
      "2026-12-01T09:00:00.000Z",
      "2026-12-02T09:00:00.000Z",
      "2026-12-03T09:00:00.000Z",
      "2026-12-04T09:00:00.000Z",
    ]);
    expect(standup.every((e: { occurrence: string; start: string }) => e.occurrence === e.start)).toBe(true);
    // An occurrence's own values win over the record's.
    expect(standup[2].title).toBe("moved title");
    const oneOff = res.body.events.find((e: { title: string }) => e.title === "one-off");
    expect(oneOff).toMatchObject({ occurrence: null, start: "2026-12-02T10:00:00.000Z", editable: true });
    expect(res.body.events.some((e: { title: string }) => e.title === "old one-off")).toBe(false);
    expect(res.body.truncated).toBe(false);
    // Occurrences come in the one event shape too.
    expectReplyShape(eventsSchema, res.body, "occurrences");
  });

  it("hands the source only records the caller may read", async () => {
    handed.length = 0;
    const res = await north.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.events.some((e: { title: string }) => e.title === "south daily")).toBe(false);
    const southId = (
      await admin.get(
        `/tables/${tableName}/records?filter=${encodeURIComponent(JSON.stringify({ field: "title", op: "eq", value: "south daily" }))}`,
      )
    ).body.records[0].id;
    expect(handed.flat()).not.toContain(southId);
    expect(handed.flat().length).toBeGreaterThan(0);
  });

  it("cuts the occurrences at limit and says truncated", async () => {
    const res = await admin.get(`/meta/views/${viewId}/events?${DEC}&limit=3`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.events).toHaveLength(3);
    expect(res.body.truncated).toBe(true);
  });

  it("asks no source of a disabled plugin (its table is hidden, so the view is not found)", async () => {
    expect((await admin.post(`/admin/plugins/${plugin}/disable`)).status).toBe(200);
    const res = await admin.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status).toBe(404);
    expect((await admin.post(`/admin/plugins/${plugin}/enable`)).status).toBe(200);
  });
});
