/**
 * Calendar views: the layout keys (dateField, endField, titleField, colorField) validated naming the
 * key, and `GET /api/meta/views/{id}/events?from=&to=` (and the embed's `/api/embed/events`): the
 * records whose start or span reaches [from, to), under the caller's row rules and hidden fields, at
 * most `limit` with `truncated`, `editable` per record from the update rule; bad ranges are 422
 * naming the parameter.
 */
import { beforeAll, describe, expect, it } from "vitest";
import eventsSchema from "../../schemas/calendar-events.schema.json";
import { api, createUser, login, userWithToken } from "./helpers";
import { expectReplyShape } from "./reply-schema";

type Client = ReturnType<typeof api>;
const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

let admin: Client;
let table: string;
let dayTable: string;
let viewId: string;
let dayViewId: string;
const clients: Record<string, Client> = {};
const roles = {
  all: `cal_all_${sfx()}`,
  north: `cal_north_${sfx()}`,
  noTitle: `cal_notitle_${sfx()}`,
  noStart: `cal_nostart_${sfx()}`,
  reader: `cal_reader_${sfx()}`,
  mover: `cal_mover_${sfx()}`,
};

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field?: string,
  code?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/at .*\.ts:\d+|SQLITE|D1_ERROR/);
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text,
    ).toContain(field);
  if (code !== undefined)
    expect(
      res.body.errors.map((e: { code: string }) => e.code),
      res.text,
    ).toContain(code);
}

async function setGrant(t: string, role: string, grant: Record<string, unknown>) {
  const res = await admin.request("PUT", `/admin/roles/${role}/grants/${t}`, {
    create: "none",
    update: "none",
    delete: "none",
    defaultField: "read",
    read: "all",
    ...grant,
  });
  expect(res.status, res.text).toBe(200);
}

const titles = (body: { events: { title: string | null }[] }) => body.events.map((e) => e.title);
const DEC = "from=2026-12-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00";

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  for (const name of Object.values(roles)) expect((await admin.post("/admin/roles", { name })).status).toBe(201);
  table = `cal_${sfx()}`;
  const res = await admin.post("/meta/tables", {
    name: table,
    fields: [
      { name: "title", type: "text" },
      { name: "starts", type: "datetime" },
      { name: "ends", type: "datetime" },
      {
        name: "kind",
        type: "single_select",
        options: {
          choices: [
            { name: "call", color: "#1d4ed8" },
            { name: "visit", color: "#b91c1c" },
          ],
        },
      },
      { name: "region", type: "single_select", options: { choices: [{ name: "north" }, { name: "south" }] } },
      { name: "day", type: "date" },
      { name: "last_day", type: "date" },
      { name: "customer", type: "link", options: { table } },
      { name: "secret", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const rows = [
    // Shanghai 2026-12-01 00:00 is 2026-11-30T16:00Z: in range.
    { title: "first", starts: "2026-11-30T16:00:00Z", ends: "2026-11-30T17:00:00Z", kind: "call", region: "north" },
    { title: "mid", starts: "2026-12-15T02:00:00Z", ends: null, kind: "visit", region: "south", secret: "s3" },
    // Began before the range and ends inside it: a span that reaches the range.
    { title: "spanning", starts: "2026-11-28T00:00:00Z", ends: "2026-12-02T00:00:00Z", kind: null, region: "north" },
    // Ends exactly where the range begins: not in it.
    { title: "before", starts: "2026-11-29T00:00:00Z", ends: "2026-11-30T16:00:00Z", kind: "call", region: "north" },
    // 2027-01-01 00:00 Shanghai: the range's exclusive end.
    { title: "after", starts: "2026-12-31T16:00:00Z", ends: null, kind: "call", region: "north" },
    { title: "undated", starts: null, kind: "call", region: "north" },
  ];
  const created = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  await admin.post(`/tables/${table}/records`, {
    records: [
      { fields: { title: "d1", day: "2026-12-03", last_day: "2026-12-04", region: "north" } },
      { fields: { title: "d2", day: "2026-11-30", last_day: "2026-12-01", region: "north" } },
      { fields: { title: "d3", day: "2026-11-29", last_day: "2026-11-30", region: "north" } },
    ],
  });
  const make = async (role: string) => {
    const u = await createUser([role]);
    clients[role] = api(await login(u.email, u.password));
  };
  for (const r of Object.values(roles)) await make(r);
  await setGrant(table, roles.all, { update: "all", defaultField: "write" });
  await setGrant(table, roles.north, { read: { rule: { field: "region", op: "eq", value: "north" } } });
  await setGrant(table, roles.noTitle, { fields: { title: "hidden", secret: "hidden" } });
  await setGrant(table, roles.noStart, { fields: { starts: "hidden" } });
  await setGrant(table, roles.reader, {});
  await setGrant(table, roles.mover, {
    update: { rule: { field: "kind", op: "eq", value: "call" } },
    defaultField: "write",
  });
  const v = await admin.post("/meta/views", {
    name: `cal_${sfx()}`,
    table,
    type: "calendar",
    roles: Object.values(roles),
    fields: ["title", "region"],
    filter: { field: "region", op: "in", value: ["north", "south"] },
    layout: { dateField: "starts", endField: "ends", titleField: "title", colorField: "kind" },
  });
  expect(v.status, v.text).toBe(201);
  viewId = v.body.view.id;
  const d = await admin.post("/meta/views", {
    name: `calday_${sfx()}`,
    table,
    type: "calendar",
    roles: Object.values(roles),
    layout: { dateField: "day", endField: "last_day" },
  });
  expect(d.status, d.text).toBe(201);
  dayViewId = d.body.view.id;
  dayTable = table;
});

describe("calendar layout in a view definition", () => {
  it("stores the end, title and colour fields and shows them by name", async () => {
    const res = await admin.get(`/meta/views/${viewId}`);
    expect(res.body.view.layout).toEqual({
      dateField: "starts",
      endField: "ends",
      titleField: "title",
      colorField: "kind",
    });
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "an end field of another type than the start",
      { dateField: "starts", endField: "day" },
      "layout/endField",
      "calendar_end",
    ],
    ["an end field that is text", { dateField: "starts", endField: "title" }, "layout/endField", "calendar_end"],
    [
      "a colour field that is not a single_select",
      { dateField: "starts", colorField: "title" },
      "layout/colorField",
      "calendar_color",
    ],
    [
      "a title field that is a link",
      { dateField: "starts", titleField: "customer" },
      "layout/titleField",
      "calendar_title",
    ],
    ["an unknown title field", { dateField: "starts", titleField: "nope" }, "layout/titleField", "unknown_field"],
    ["a start that is text", { dateField: "title" }, "layout/dateField", "calendar_date"],
    ["a title field given as a number", { dateField: "starts", titleField: 5 }, "layout/titleField", "type"],
  ];
  for (const [what, layout, field, code] of cases) {
    it(`refuses ${what} with 422 naming ${field}`, async () => {
      const res = await admin.post("/meta/views", { name: `bad_${sfx()}`, table, type: "calendar", layout });
      expectProblem(res, 422, field, code);
    });
  }

  it("refuses calendar keys on another view type", async () => {
    const res = await admin.post("/meta/views", {
      name: `bad_${sfx()}`,
      table,
      type: "grid",
      layout: { colorField: "kind" },
    });
    expectProblem(res, 422, "layout/colorField", "calendar_only");
  });
});

describe("GET /api/meta/views/{id}/events", () => {
  it("gives the records whose start or span reaches [from, to), by start, with colours from the choices", async () => {
    const res = await clients[roles.all]!.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.truncated).toBe(false);
    expect(titles(res.body)).toEqual(["spanning", "first", "mid"]);
    const first = res.body.events.find((e: { title: string }) => e.title === "first");
    expect(first).toMatchObject({
      occurrence: null,
      start: "2026-11-30T16:00:00.000Z",
      end: "2026-11-30T17:00:00.000Z",
      allDay: false,
      color: "#1d4ed8",
      editable: true,
    });
    expect(typeof first.record).toBe("number");
    expect(first.version).toBe(1);
    expect(res.body.events.find((e: { title: string }) => e.title === "spanning").color).toBeNull();
  });

  it("answers in the shape of schemas/calendar-events.schema.json, timed and all-day, from the app and an embed", async () => {
    const timed = await clients[roles.all]!.get(`/meta/views/${viewId}/events?${DEC}`);
    const allDay = await clients[roles.all]!.get(`/meta/views/${dayViewId}/events?from=2026-11-30&to=2026-12-07`);
    const minted = await admin.post("/admin/embed-tokens", { view: viewId, mode: "edit", expiresInDays: 1 });
    const embedded = await api(minted.body.token).get(`/embed/events?${DEC}`);
    for (const [what, res] of Object.entries({ timed, allDay, embedded })) {
      expect(res.status, res.text).toBe(200);
      expect(res.body.events.length, what).toBeGreaterThan(0);
      expectReplyShape(eventsSchema, res.body, what);
    }
  });

  it("places date fields as all-day events with an exclusive end the day after the last", async () => {
    const res = await clients[roles.all]!.get(`/meta/views/${dayViewId}/events?from=2026-11-30&to=2026-12-07`);
    expect(res.status, res.text).toBe(200);
    const byTitle = Object.fromEntries(res.body.events.map((e: { title: string }) => [e.title, e]));
    expect(Object.keys(byTitle).sort()).toEqual(["d1", "d2", "d3"]);
    expect(byTitle.d1).toMatchObject({ start: "2026-12-03", end: "2026-12-05", allDay: true });
    // d3 ends on the first day of the range (inclusive): it reaches it.
    expect(byTitle.d3).toMatchObject({ start: "2026-11-29", end: "2026-12-01" });
    void dayTable;
  });

  it("resolves $user and $today in the view's filter as the caller and their day", async () => {
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const me = await userWithToken(["admin"]);
    const t = await admin.post("/meta/tables", {
      name: `calmine_${sfx()}`,
      fields: [
        { name: "title", type: "text" },
        { name: "day", type: "date" },
        { name: "owner", type: "user" },
      ],
    });
    expect(t.status, t.text).toBe(201);
    const name = t.body.table.name;
    const made = await admin.post(`/tables/${name}/records`, {
      records: [
        { fields: { title: "mine, two days ago", day: day(-2), owner: me.user.id } },
        { fields: { title: "mine, in two days", day: day(2), owner: me.user.id } },
        { fields: { title: "not mine", day: day(2) } },
      ],
    });
    expect(made.status, made.text).toBe(201);
    const v = await admin.post("/meta/views", {
      name: `calmine_${sfx()}`,
      table: name,
      type: "calendar",
      filter: {
        and: [
          { field: "owner", op: "eq", value: "$user" },
          { field: "day", op: "gte", value: { $today: 0 } },
        ],
      },
      layout: { dateField: "day", titleField: "title" },
    });
    expect(v.status, v.text).toBe(201);
    const res = await api(me.token).get(`/meta/views/${v.body.view.id}/events?from=${day(-5)}&to=${day(5)}`);
    expect(res.status, res.text).toBe(200);
    expect(titles(res.body)).toEqual(["mine, in two days"]);
  });

  it("keeps to the caller's row rule", async () => {
    const res = await clients[roles.north]!.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(titles(res.body)).toEqual(["spanning", "first"]);
    expect(res.body.events.every((e: { editable: boolean }) => e.editable === false)).toBe(true);
  });

  it("never sends a hidden title field's values: the events come untitled", async () => {
    const res = await clients[roles.noTitle]!.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.events).toHaveLength(3);
    expect(titles(res.body)).toEqual([null, null, null]);
    expect(res.text).not.toContain("first");
    expect(res.text).not.toContain("s3");
  });

  it("answers 404 for a calendar whose start field the caller may not read, as for any view they may not open", async () => {
    const res = await clients[roles.noStart]!.get(`/meta/views/${viewId}/events?${DEC}`);
    expectProblem(res, 404);
    expect(res.text).not.toContain("first");
  });

  it("says per record whether the caller may move it (the update rule, in the same statement)", async () => {
    const res = await clients[roles.mover]!.get(`/meta/views/${viewId}/events?${DEC}`);
    const editable = Object.fromEntries(
      res.body.events.map((e: { title: string; editable: boolean }) => [e.title, e.editable]),
    );
    expect(editable).toEqual({ first: true, mid: false, spanning: false });
    const reader = await clients[roles.reader]!.get(`/meta/views/${viewId}/events?${DEC}`);
    expect(reader.body.events.every((e: { editable: boolean }) => !e.editable)).toBe(true);
  });

  it("stops at limit and says truncated", async () => {
    const res = await clients[roles.all]!.get(`/meta/views/${viewId}/events?${DEC}&limit=2`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(titles(res.body)).toEqual(["spanning", "first"]);
  });

  const bad: [string, string, string, string][] = [
    ["no from", "to=2026-12-31", "from", "required"],
    ["a to before the from", "from=2026-12-31&to=2026-12-01", "to", "range_order"],
    ["an empty range", "from=2026-12-01&to=2026-12-01", "to", "range_order"],
    ["a range over a year", "from=2026-01-01&to=2027-02-01", "to", "range_too_long"],
    ["an impossible date", "from=2026-02-30&to=2026-03-31", "from", "invalid_date"],
    ["a date-time without a zone", "from=2026-12-01T00:00:00&to=2026-12-31", "from", "invalid_datetime"],
    ["an injection-shaped value", "from=2026-12-01'%20OR%201=1--&to=2026-12-31", "from", "invalid_datetime"],
    ["a limit of 0", `${DEC}&limit=0`, "limit", "range"],
    ["a limit as text", `${DEC}&limit=many`, "limit", "range"],
  ];
  for (const [what, qs, field, code] of bad) {
    it(`refuses ${what} naming ${field}`, async () => {
      const res = await clients[roles.all]!.get(`/meta/views/${viewId}/events?${qs}`);
      expectProblem(res, code === "range" ? 400 : 422, field, code);
    });
  }

  it("refuses unknown and repeated parameters", async () => {
    expectProblem(await clients[roles.all]!.get(`/meta/views/${viewId}/events?${DEC}&colour=red`), 400, "colour");
    expectProblem(await clients[roles.all]!.get(`/meta/views/${viewId}/events?${DEC}&from=2026-12-02`), 400, "from");
  });

  it("answers 400 for a view that is not a calendar", async () => {
    const grid = await admin.post("/meta/views", { name: `grid_${sfx()}`, table, type: "grid" });
    expectProblem(await admin.get(`/meta/views/${grid.body.view.id}/events?${DEC}`), 400, "view", "not_calendar");
  });

  it("gives the same answer to concurrent calls", async () => {
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => clients[roles.north]!.get(`/meta/views/${viewId}/events?${DEC}`)),
    );
    for (const r of replies) expect(r.body).toEqual(replies[0]!.body);
  });

  it("refuses callers without a token", async () => {
    expectProblem(await api().get(`/meta/views/${viewId}/events?${DEC}`), 401);
  });
});

describe("GET /api/embed/events", () => {
  it("gives the events of the embed's view under its token filter, and only that view's", async () => {
    const minted = await admin.post("/admin/embed-tokens", {
      view: viewId,
      mode: "read",
      expiresInDays: 1,
      filter: { field: "region", op: "eq", value: "south" },
    });
    expect(minted.status, minted.text).toBe(201);
    const embed = api(minted.body.token);
    const res = await embed.get(`/embed/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(titles(res.body)).toEqual(["mid"]);
    // A read-only embed moves nothing.
    expect(res.body.events[0].editable).toBe(false);
    expect(res.text).not.toContain("s3");
    const view = await embed.get("/embed/view");
    expect(view.body.view.layout).toMatchObject({ dateField: "starts", endField: "ends", titleField: "title" });
    expectProblem(await embed.get(`/embed/events?from=2026-12-31&to=2026-12-01`), 422, "to", "range_order");
    // An embed token is no sign-in token.
    expectProblem(await embed.get(`/meta/views/${viewId}/events?${DEC}`), 401);
  });

  it("marks events editable in an edit embed when the creator may move them", async () => {
    const minted = await admin.post("/admin/embed-tokens", { view: viewId, mode: "edit", expiresInDays: 1 });
    const res = await api(minted.body.token).get(`/embed/events?${DEC}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.events.every((e: { editable: boolean }) => e.editable)).toBe(true);
  });
});
