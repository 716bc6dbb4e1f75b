/**
 * Recurring tasks: the RRULE is checked (422 naming `recurrence`), times too (`end_at` before
 * `start_at`), and occurrences are computed in the assignee's time zone, so 09:00 stays 09:00 across
 * DST and a time in the gap (2026-03-08 02:30 New York) is read with the offset before it; a
 * never-ending rule is bounded by the range, too many occurrences by `limit` with `truncated`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createTask, events, installTasks, signedIn, startsOf, uniq, userInZone, type Client } from "./tasks-fixture";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await installTasks());
});

describe("recurrence rules", () => {
  it.each([
    ["FREQ=WEEKLY;BYDAY=XX", "invalid_rrule"],
    ["FREQ=DAILY;COUNT=abc", "invalid_rrule"],
    ["FREQ=SECONDLY", "invalid_rrule"],
    ["FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z", "invalid_rrule"],
    ["FREQ=DAILY;FOO=1", "invalid_rrule"],
    ["FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "invalid_rrule"],
    ["DROP TABLE tasks; --", "invalid_rrule"],
    ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never_occurs"],
  ])("refuses %s with 422 naming recurrence (%s)", async (rule, code) => {
    const rep = await signedIn(["sales_rep"]);
    const r = await rep.client.post("/tables/tasks/records", {
      fields: { title: uniq("Bad rule"), start_at: "2026-01-05T09:00:00Z", recurrence: rule },
    });
    expect(r.status, r.text).toBe(422);
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(r.body.errors).toEqual([expect.objectContaining({ field: "fields/recurrence", code })]);
  });

  it("refuses an end before the start (422 naming end_at), and a rule without a start (naming start_at)", async () => {
    const rep = await signedIn(["sales_rep"]);
    const r = await rep.client.post("/tables/tasks/records", {
      fields: { title: uniq("Backwards"), start_at: "2026-01-05T10:00:00Z", end_at: "2026-01-05T09:00:00Z" },
    });
    expect(r.status, r.text).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: "fields/end_at", code: "end_before_start" })]);
    const t = await createTask(rep.client, { start_at: "2026-01-05T09:00:00Z", end_at: "2026-01-05T10:00:00Z" });
    const p = await rep.client.patch(`/tables/tasks/records/${t.id}`, {
      version: t.version,
      fields: { end_at: "2026-01-05T08:00:00Z" },
    });
    expect(p.status, p.text).toBe(422);
    expect(p.body.errors[0].field).toBe("fields/end_at");
    const n = await rep.client.post("/tables/tasks/records", {
      fields: { title: uniq("No start"), recurrence: "FREQ=DAILY" },
    });
    expect(n.status, n.text).toBe(422);
    expect(n.body.errors[0]).toMatchObject({ field: "fields/start_at", code: "required" });
  });

  it("stores the rule upper-cased and keeps series_until for a bounded series", async () => {
    const rep = await signedIn(["sales_rep"]);
    const t = await createTask(rep.client, { start_at: "2026-01-05T09:00:00Z", recurrence: "freq=daily;count=3" });
    expect(t.fields.recurrence).toBe("FREQ=DAILY;COUNT=3");
    expect(t.fields.series_until).toBe("2026-01-07T09:00:00.000Z");
    const open = await createTask(rep.client, { start_at: "2026-01-05T09:00:00Z", recurrence: "FREQ=DAILY" });
    expect(open.fields.series_until).toBeNull();
  });

  it("stores a date UNTIL of a timed series as the end of that day in the assignee's zone, in UTC (RFC 5545)", async () => {
    const rep = await userInZone(["sales_rep"], "America/New_York");
    const t = await createTask(rep.client, {
      start_at: "2026-01-05T14:00:00Z",
      recurrence: "FREQ=DAILY;UNTIL=20260110",
    });
    expect(t.fields.recurrence).toBe("FREQ=DAILY;UNTIL=20260111T045959Z");
    expect(t.fields.series_until).toBe("2026-01-10T14:00:00.000Z");
  });
});

describe("occurrences in the assignee's time zone", () => {
  it("keeps a weekly 09:00 New York meeting at 09:00 local across the March DST change", async () => {
    const rep = await userInZone(["sales_rep"], "America/New_York");
    // Monday 2026-03-02 09:00 EST = 14:00Z; clocks go forward on Sunday 2026-03-08.
    const t = await createTask(rep.client, {
      kind: "meeting",
      start_at: "2026-03-02T14:00:00Z",
      end_at: "2026-03-02T15:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
    });
    const r = await events(rep.client, "2026-03-01T00:00:00Z", "2026-03-24T00:00:00Z");
    expect(startsOf(r, t.id)).toEqual([
      "2026-03-02T14:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
      "2026-03-16T13:00:00.000Z",
      "2026-03-23T13:00:00.000Z",
    ]);
    const ev = r.events.find((e) => e.record === t.id && e.start === "2026-03-09T13:00:00.000Z")!;
    expect(ev).toMatchObject({ end: "2026-03-09T14:00:00.000Z", occurrence: "2026-03-09T13:00:00.000Z" });
  });

  it("follows the assignee's zone, not the reader's: a Shanghai rep's 09:00 is 01:00Z for a New York manager", async () => {
    const rep = await userInZone(["sales_rep"], "Asia/Shanghai");
    const t = await createTask(rep.client, { start_at: "2026-03-02T01:00:00Z", recurrence: "FREQ=DAILY;COUNT=10" });
    const mine = await events(rep.client, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z");
    expect(startsOf(mine, t.id)).toEqual([
      "2026-03-07T01:00:00.000Z",
      "2026-03-08T01:00:00.000Z",
      "2026-03-09T01:00:00.000Z",
    ]);
    const viaAdmin = await events(admin, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z");
    expect(startsOf(viaAdmin, t.id)).toEqual(startsOf(mine, t.id));
  });

  it("reads 02:30 on 2026-03-08 in New York (a time that does not exist) as 03:30 EDT, the offset before the gap", async () => {
    const rep = await userInZone(["sales_rep"], "America/New_York");
    // Daily at 02:30 local from Friday 2026-03-06 (02:30 EST = 07:30Z).
    const t = await createTask(rep.client, { start_at: "2026-03-06T07:30:00Z", recurrence: "FREQ=DAILY" });
    const r = await events(rep.client, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z");
    expect(startsOf(r, t.id)).toEqual([
      "2026-03-06T07:30:00.000Z",
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:30:00.000Z", // 02:30 does not exist: 03:30 EDT
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
  });

  it("bounds a never-ending rule by the range asked, and truncates past the limit with a flag", async () => {
    const rep = await signedIn(["sales_rep"]);
    const t = await createTask(rep.client, { start_at: "2020-01-01T08:00:00Z", recurrence: "FREQ=DAILY" });
    const week = await events(rep.client, "2031-06-01T00:00:00Z", "2031-06-08T00:00:00Z");
    expect(startsOf(week, t.id)).toHaveLength(7);
    expect(week.truncated).toBe(false);
    const many = await events(rep.client, "2031-01-01T00:00:00Z", "2031-12-31T00:00:00Z", 20);
    expect(many.events).toHaveLength(20);
    expect(many.truncated).toBe(true);
  });

  it("shows a bounded series only within its end, and one-off tasks by start or due time", async () => {
    const rep = await signedIn(["sales_rep"]);
    const bounded = await createTask(rep.client, {
      start_at: "2026-05-04T09:00:00Z",
      recurrence: "FREQ=DAILY;COUNT=2",
    });
    const due = await createTask(rep.client, { due_at: "2026-05-05T17:00:00Z" });
    const r = await events(rep.client, "2026-05-01T00:00:00Z", "2026-05-10T00:00:00Z");
    expect(startsOf(r, bounded.id)).toEqual(["2026-05-04T09:00:00.000Z", "2026-05-05T09:00:00.000Z"]);
    expect(startsOf(r, due.id)).toEqual(["2026-05-05T17:00:00.000Z"]);
    const later = await events(rep.client, "2026-05-06T00:00:00Z", "2026-05-10T00:00:00Z");
    expect(startsOf(later, bounded.id)).toEqual([]);
  });
});
