/**
 * The tasks plugin through the platform's readers: a personal ICS feed holds the caller's own tasks
 * (assignee), a series as RRULE in the assignee's zone with its skipped occurrence as EXDATE and its
 * moved one as an override (RECURRENCE-ID), parsed by ical.js; and the grants: a rep reads (never
 * changes) a colleague's task on a customer the rep may read.
 */
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { request } from "./helpers";
import { createTask, installTasks, signedIn, uniq, userInZone, type Client } from "./tasks-fixture";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await installTasks());
});

function parse(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  return comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
}

describe("a rep's personal feed", () => {
  it("has their series with RRULE, EXDATE and a moved override in New York time, and not a colleague's task", async () => {
    const rep = await userInZone(["sales_rep"], "America/New_York");
    const title = uniq("Weekly standup");
    const t = await createTask(rep.client, {
      title,
      kind: "meeting",
      start_at: "2027-03-01T14:00:00Z",
      end_at: "2027-03-01T15:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
    });
    const skip = await rep.client.post("/actions/tasks/skip-occurrence", {
      task: t.id,
      occurrence: "2027-03-22T13:00:00Z",
    });
    expect(skip.status, skip.text).toBe(200);
    const move = await rep.client.post("/actions/tasks/move-occurrence", {
      task: t.id,
      occurrence: "2027-03-29T13:00:00Z",
      start: "2027-03-30T15:00:00Z",
    });
    expect(move.status, move.text).toBe(200);
    const colleague = await signedIn(["sales_rep"]);
    await createTask(colleague.client, { title: uniq("Not mine"), start_at: "2027-03-02T14:00:00Z" });
    const on = await rep.client.post("/feeds/personal");
    expect(on.status, on.text).toBe(201);
    const feed = await request(undefined, "GET", new URL(on.body.url).pathname);
    expect(feed.status, feed.text).toBe(200);
    expect(feed.text).toContain("DTSTART;TZID=America/New_York:20270301T090000");
    const events = parse(feed.text);
    expect(events.filter((e) => e.summary.startsWith("Not mine"))).toEqual([]);
    expect(events.filter((e) => e.summary === title).length).toBe(2); // the series and its override
    const master = events.find((e) => e.summary === title && e.isRecurring())!;
    expect(master, feed.text).toBeDefined();
    const it = master.iterator();
    const starts: string[] = [];
    for (let n = it.next(); n; n = it.next()) starts.push(n.toJSDate().toISOString());
    // ical.js does not drop EXDATEs in the iterator; the feed lists the skipped start as one.
    expect(starts).toContain("2027-03-08T14:00:00.000Z");
    expect(starts).toContain("2027-03-15T13:00:00.000Z"); // 09:00 EDT after the change
    const exdates = master.component
      .getAllProperties("exdate")
      .map((p) => (p.getFirstValue() as ICAL.Time).toJSDate().toISOString());
    expect(exdates).toEqual(["2027-03-22T13:00:00.000Z"]);
    const override = events.find((e) => e.summary === title && e.isRecurrenceException())!;
    expect(override, feed.text).toBeDefined();
    expect(override.recurrenceId.toJSDate().toISOString()).toBe("2027-03-29T13:00:00.000Z");
    expect(override.startDate.toJSDate().toISOString()).toBe("2027-03-30T15:00:00.000Z");
    expect(override.endDate.toJSDate().toISOString()).toBe("2027-03-30T16:00:00.000Z");
  });
});

describe("tasks grants", () => {
  it("a rep reads a colleague's task on a customer the rep owns, but cannot change it or its occurrences", async () => {
    const owner = await signedIn(["sales_rep"]);
    const colleague = await signedIn(["sales_rep"]);
    const c = await admin.post("/tables/customers/records", { fields: { name: uniq("Customer"), owner: owner.id } });
    expect(c.status, c.text).toBe(201);
    const t = await createTask(admin, {
      assignee: colleague.id,
      customer: [c.body.record.id],
      start_at: "2026-09-01T09:00:00Z",
      recurrence: "FREQ=DAILY;COUNT=3",
    });
    const read = await owner.client.get(`/tables/tasks/records/${t.id}`);
    expect(read.status, read.text).toBe(200);
    const patch = await owner.client.patch(`/tables/tasks/records/${t.id}`, {
      version: t.version,
      fields: { title: "x" },
    });
    expect(patch.status, patch.text).toBe(403);
    const act = await owner.client.post("/actions/tasks/skip-occurrence", {
      task: t.id,
      occurrence: "2026-09-02T09:00:00Z",
    });
    expect(act.status, act.text).toBe(403);
    // A third rep with no link to the customer does not see it at all.
    const stranger = await signedIn(["sales_rep"]);
    expect((await stranger.client.get(`/tables/tasks/records/${t.id}`)).status).toBe(404);
    // The assignee may.
    expect((await colleague.client.get(`/tables/tasks/records/${t.id}`)).status).toBe(200);
  });
});
