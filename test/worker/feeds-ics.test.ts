/**
 * A personal feed's content, parsed by an independent parser (ical.js): a table whose plugin gives a
 * CalendarSource (a small one defined here, only for this test) with `personal` = the records the
 * user owns. Series as DTSTART;TZID with the zone's VTIMEZONE, RRULE, EXDATE and an override with
 * RECURRENCE-ID; single instants in UTC; all-day as DATE; titles escaped and folded; only what the
 * owner may read now (row rule and hidden fields, re-checked on every fetch).
 */
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { bundledPlugins, useBundledPlugins } from "../../worker/plugins/catalog";
import { cond, type BundledPlugin, type CalendarRecord, type CalendarSource } from "../../worker/plugin-sdk";
import { api, createUser, login, request, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 8);
const plugin = `feedtest${sfx()}`;
const T = `meetings_${sfx()}`;
const role = `feedrole_${sfx()}`;

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** A test source: `rrule` makes a series in `zone`; `skip` lists removed starts; `moved` one override. */
const source: CalendarSource = {
  fields: { start: "start", end: "end", title: "title", allDay: "all_day" },
  personal: (rt) => cond(rt.table(T), "owner", "eq", rt.principal.userId),
  candidates: (rt) => cond(rt.table(T), "rrule", "is_not_empty"),
  async occurrences(_rt, records: CalendarRecord[], _range, limit) {
    const out = records.map((r) => {
      const allDay = r.values.all_day === true;
      const start = str(r.values.start);
      return {
        recordId: r.id,
        start: allDay ? start.slice(0, 10) : start,
        end: allDay ? null : (r.values.end as string | null),
        allDay,
        occurrenceOf: null,
      };
    });
    return { occurrences: out.slice(0, limit), truncated: out.length > limit };
  },
  async series(_rt, r) {
    if (!r.values.rrule) return null;
    const moved = r.values.moved
      ? (JSON.parse(str(r.values.moved)) as { of: string; to: string; title: string })
      : null;
    const allDay = r.values.all_day === true;
    return {
      rrule: str(r.values.rrule),
      start: allDay ? str(r.values.start).slice(0, 10) : str(r.values.start),
      durationMinutes: allDay ? 1440 : 60,
      allDay,
      timeZone: str(r.values.zone) || "UTC",
      exdates: str(r.values.skip) ? str(r.values.skip).split(" ") : [],
      overrides: moved
        ? [
            {
              recordId: r.id,
              start: moved.to,
              end: allDay ? null : new Date(Date.parse(moved.to) + 3_600_000).toISOString(),
              allDay,
              occurrenceOf: moved.of,
              values: { title: moved.title },
            },
          ]
        : [],
    };
  },
};

const testPlugin: BundledPlugin = {
  manifest: {
    name: plugin,
    version: "1.0.0",
    labels: { en: "Feed test", "zh-CN": "订阅测试" },
    tables: [
      {
        name: T,
        label: "Meeting",
        primaryField: "title",
        fields: [
          { name: "title", type: "text" },
          { name: "start", type: "datetime" },
          { name: "end", type: "datetime" },
          { name: "all_day", type: "checkbox" },
          { name: "owner", type: "user" },
          { name: "rrule", type: "text" },
          { name: "zone", type: "text" },
          { name: "skip", type: "text" },
          { name: "moved", type: "text" },
          { name: "region", type: "single_select", options: { choices: [{ name: "north" }, { name: "south" }] } },
        ],
      },
    ],
  } as BundledPlugin["manifest"],
  server: { calendars: { [T]: source } },
};

let admin: Client;
let owner: { client: Client; id: string };
let feedUrl: string;

async function setGrant(rule: unknown, fields: Record<string, string> = {}) {
  const g = await admin.request("PUT", `/admin/roles/${role}/grants/${T}`, {
    read: { rule },
    create: "none",
    update: "none",
    delete: "none",
    defaultField: "read",
    fields,
  });
  expect(g.status, g.text).toBe(200);
}

const fetchFeed = () => request(undefined, "GET", new URL(feedUrl).pathname);

function parse(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  return { comp, events: comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)) };
}

async function feedEvents() {
  const res = await fetchFeed();
  expect(res.status, res.text).toBe(200);
  return { text: res.text, ...parse(res.text) };
}

const soon = (days: number, hourUtc = 10) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d.toISOString();
};

beforeAll(async () => {
  useBundledPlugins([...bundledPlugins(), testPlugin]);
  admin = api((await userWithToken(["admin"])).token);
  const inst = await admin.post(`/admin/plugins/${plugin}/install`);
  expect(inst.status, inst.text).toBe(200);
  expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
  await setGrant({ field: "region", op: "eq", value: "north" });
  const u = await createUser([role]);
  owner = { client: api(await login(u.email, u.password)), id: u.user.id };
  const other = await createUser([role]);
  const rows = [
    // 09:00 in New York every Monday, across the change to daylight saving time (2027-03-14).
    {
      title: "Weekly standup",
      start: "2027-03-01T14:00:00.000Z",
      end: "2027-03-01T15:00:00.000Z",
      rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
      zone: "America/New_York",
      skip: "2027-03-22T13:00:00.000Z",
      moved: JSON.stringify({
        of: "2027-03-29T13:00:00.000Z",
        to: "2027-03-30T15:00:00.000Z",
        title: "Standup, moved",
      }),
    },
    // Every day for three days, all day: the second removed, the third moved (DATE values throughout).
    {
      title: "Daily all-day",
      start: "2027-05-03T00:00:00.000Z",
      all_day: true,
      rrule: "FREQ=DAILY;COUNT=3",
      skip: "2027-05-04",
      moved: JSON.stringify({ of: "2027-05-05", to: "2027-05-07", title: "All-day, moved" }),
    },
    { title: "Single call", start: soon(3), end: soon(3, 11) },
    { title: "Offsite day", start: soon(5, 0), all_day: true },
    { title: 'Call Bob, Alice; re: "Q3" \\ plan\nline two', start: soon(4) },
    {
      title: "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:pwned\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:y",
      start: soon(6),
    },
    { title: "季度".repeat(60) + " résumé 🎉".repeat(5), start: soon(7) },
    { title: "South visit", start: soon(8), region: "south" },
  ];
  const created = await admin.post(`/tables/${T}/records`, {
    records: [
      ...rows.map((r) => ({ fields: { region: "north", owner: u.user.id, ...r } })),
      { fields: { title: "Someone else's", start: soon(2), owner: other.user.id, region: "north" } },
    ],
  });
  expect(created.status, created.text).toBe(201);
  const on = await owner.client.post("/feeds/personal");
  expect(on.status, on.text).toBe(201);
  feedUrl = on.body.url;
});

describe("a personal feed parsed by ical.js", () => {
  it("writes a series as DTSTART;TZID with the zone's VTIMEZONE, RRULE and EXDATE; 09:00 stays 09:00 across DST", async () => {
    const { text, events, comp } = await feedEvents();
    expect(text).toContain("DTSTART;TZID=America/New_York:20270301T090000");
    const zones = comp.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid"));
    expect(zones).toEqual(["America/New_York"]);
    const master = events.find((e) => e.summary === "Weekly standup" && e.isRecurring())!;
    expect(master, text).toBeDefined();
    expect(master.startDate.zone.tzid).toBe("America/New_York");
    const it = master.iterator();
    const starts: string[] = [];
    for (let next = it.next(); next; next = it.next()) starts.push(next.toJSDate().toISOString());
    // The iterator leaves out the EXDATE (22 March); 15 March is already daylight time (13:00 UTC).
    expect(starts).toEqual([
      "2027-03-01T14:00:00.000Z",
      "2027-03-08T14:00:00.000Z",
      "2027-03-15T13:00:00.000Z",
      "2027-03-29T13:00:00.000Z",
      "2027-04-05T13:00:00.000Z",
    ]);
  });

  it("writes an override as an event of the series' UID with a RECURRENCE-ID in the series' zone", async () => {
    const { events } = await feedEvents();
    const master = events.find((e) => e.summary === "Weekly standup")!;
    const moved = events.find((e) => e.summary === "Standup, moved")!;
    expect(moved.uid).toBe(master.uid);
    expect(moved.isRecurrenceException()).toBe(true);
    expect(moved.recurrenceId.zone.tzid).toBe("America/New_York");
    expect(moved.recurrenceId.toJSDate().toISOString()).toBe("2027-03-29T13:00:00.000Z");
    expect(moved.startDate.toJSDate().toISOString()).toBe("2027-03-30T15:00:00.000Z");
    master.relateException(moved);
    const details = master.getOccurrenceDetails(moved.recurrenceId);
    expect(details.item.summary).toBe("Standup, moved");
  });

  it("writes an all-day series with DATE values: DTSTART, EXDATE and the override's RECURRENCE-ID", async () => {
    const { text, events } = await feedEvents();
    const master = events.find((e) => e.summary === "Daily all-day")!;
    expect(master.startDate.isDate).toBe(true);
    expect(text).toContain("EXDATE;VALUE=DATE:20270504");
    expect(text).toContain("RECURRENCE-ID;VALUE=DATE:20270505");
    const it = master.iterator();
    const days: string[] = [];
    for (let next = it.next(); next; next = it.next()) days.push(next.toString());
    expect(days).toEqual(["2027-05-03", "2027-05-05"]);
    const moved = events.find((e) => e.summary === "All-day, moved")!;
    expect(moved.uid).toBe(master.uid);
    expect(moved.recurrenceId.isDate).toBe(true);
    expect(moved.startDate.toString()).toBe("2027-05-07");
  });

  it("writes a single instant in UTC and an all-day record as a DATE", async () => {
    const { events } = await feedEvents();
    const call = events.find((e) => e.summary === "Single call")!;
    expect(call.startDate.zone.tzid).toBe("UTC");
    expect(call.startDate.toJSDate().toISOString()).toBe(soon(3));
    expect(call.endDate.toJSDate().toISOString()).toBe(soon(3, 11));
    const day = events.find((e) => e.summary === "Offsite day")!;
    expect(day.startDate.isDate).toBe(true);
    expect(day.startDate.toString()).toBe(soon(5, 0).slice(0, 10));
  });

  it("escapes commas, semicolons, backslashes and newlines; a CRLF + BEGIN:VEVENT in a title makes no event", async () => {
    const { text, events } = await feedEvents();
    expect(events.map((e) => e.summary)).toContain('Call Bob, Alice; re: "Q3" \\ plan\nline two');
    expect(events.some((e) => e.uid === "evil" || e.summary === "pwned")).toBe(false);
    const injected = events.find((e) => e.summary.startsWith("x\n"))!;
    expect(injected.summary).toBe(
      "x\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nSUMMARY:pwned\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:y",
    );
    // One VEVENT per record of the owner in the north (each series one more for its override).
    expect(text.match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(9);
    expect(events).toHaveLength(9);
  });

  it("folds long lines at 75 octets and an independent parser unfolds them to the title", async () => {
    const { text, events } = await feedEvents();
    const long = "季度".repeat(60) + " résumé 🎉".repeat(5);
    expect(events.map((e) => e.summary)).toContain(long);
    const encoder = new TextEncoder();
    for (const line of text.split("\r\n")) expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
    expect(text.endsWith("END:VCALENDAR")).toBe(true);
  });

  it("shows only the owner's records they may read now: a row-rule change applies at the next fetch", async () => {
    const before = (await feedEvents()).events.map((e) => e.summary);
    expect(before).not.toContain("Someone else's");
    expect(before).not.toContain("South visit");
    await setGrant({ field: "region", op: "eq", value: "south" });
    const after = (await feedEvents()).events.map((e) => e.summary);
    expect(after).toEqual(["South visit"]);
    await setGrant({ field: "region", op: "eq", value: "north" });
  });

  it("never sends a hidden field: with the title hidden, events are named by the table", async () => {
    await setGrant({ field: "region", op: "eq", value: "north" }, { title: "hidden" });
    const { text, events } = await feedEvents();
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.summary))).toEqual(new Set(["Meeting"]));
    expect(text).not.toContain("Single call");
    expect(text).not.toContain("Standup");
    await setGrant({ field: "region", op: "eq", value: "north" });
  });
});
