/**
 * One occurrence of a series changes without touching the rest: complete (done; a call logs an
 * activity on its customer), move, skip, and split ("this and following"). Bad input on every
 * action: wrong types, unknown fields, missing rights, oversize bodies, injection-shaped values, and
 * two completions of one occurrence at once (one wins, the other 409).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createTask, events, installTasks, signedIn, startsOf, uniq, type Client } from "./tasks-fixture";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await installTasks());
});

const act = (c: Client, name: string, body: unknown) => c.post(`/actions/tasks/${name}`, body);
const FROM = "2026-06-01T00:00:00Z";
const TO = "2026-06-06T00:00:00Z";

/** A rep's daily 10:00 UTC call on a customer of theirs, from Monday 2026-06-01. */
async function dailyCall(fields: Record<string, unknown> = {}) {
  const rep = await signedIn(["sales_rep"]);
  const c = await rep.client.post("/tables/customers/records", { fields: { name: uniq("Customer") } });
  expect(c.status, c.text).toBe(201);
  const t = await createTask(rep.client, {
    kind: "call",
    customer: [c.body.record.id],
    start_at: "2026-06-01T10:00:00Z",
    end_at: "2026-06-01T10:30:00Z",
    recurrence: "FREQ=DAILY",
    notes: "Weekly pipeline review",
    ...fields,
  });
  return { rep, task: t, customer: c.body.record.id as number };
}

async function activitiesOf(client: Client, customer: number) {
  const r = await client.get(
    `/tables/activities/records?filter=${encodeURIComponent(JSON.stringify({ field: "customer", op: "contains", value: customer }))}`,
  );
  expect(r.status, r.text).toBe(200);
  return r.body.records as { fields: Record<string, unknown> }[];
}

describe("per-occurrence changes", () => {
  it("completes one occurrence: the series stays open and a call logs an activity with the notes", async () => {
    const { rep, task, customer } = await dailyCall();
    const r = await act(rep.client, "complete-occurrence", {
      task: task.id,
      occurrence: "2026-06-02T10:00:00Z",
      notes: "Agreed on Q3",
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ task: task.id, occurrence: "2026-06-02T10:00:00.000Z", state: "done" });
    const again = await rep.client.get(`/tables/tasks/records/${task.id}`);
    expect(again.body.record.fields.status).toBe("open");
    expect(startsOf(await events(rep.client, FROM, TO), task.id)).toHaveLength(5);
    const acts = await activitiesOf(rep.client, customer);
    expect(acts).toHaveLength(1);
    expect(acts[0]!.fields).toMatchObject({ kind: "call", notes: "Agreed on Q3", owner: rep.id });
    const occ = await rep.client.get("/tables/task_occurrences/records");
    expect(occ.body.records.map((x: { fields: Record<string, unknown> }) => x.fields.state)).toEqual(["done"]);
  });

  it("moves one occurrence to a new start and end, and skips another; the others stay", async () => {
    const { rep, task } = await dailyCall();
    const m = await act(rep.client, "move-occurrence", {
      task: task.id,
      occurrence: "2026-06-03T10:00:00.000Z",
      start: "2026-06-03T15:00:00Z",
      end: "2026-06-03T16:00:00Z",
    });
    expect(m.status, m.text).toBe(200);
    const s = await act(rep.client, "skip-occurrence", { task: task.id, occurrence: "2026-06-04T10:00:00Z" });
    expect(s.status, s.text).toBe(200);
    const r = await events(rep.client, FROM, TO);
    expect(startsOf(r, task.id)).toEqual([
      "2026-06-01T10:00:00.000Z",
      "2026-06-02T10:00:00.000Z",
      "2026-06-03T15:00:00.000Z",
      "2026-06-05T10:00:00.000Z",
    ]);
    const moved = r.events.find((e) => e.start === "2026-06-03T15:00:00.000Z")!;
    expect(moved).toMatchObject({ occurrence: "2026-06-03T10:00:00.000Z", end: "2026-06-03T16:00:00.000Z" });
  });

  it("splits the series at an occurrence: the old ends before it, a new task carries the rest with the changes", async () => {
    const { rep, task } = await dailyCall();
    await act(rep.client, "skip-occurrence", { task: task.id, occurrence: "2026-06-05T10:00:00Z" });
    const r = await act(rep.client, "split-series", {
      task: task.id,
      occurrence: "2026-06-03T10:00:00Z",
      changes: { title: "Renamed call" },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.recurrence).toBe("FREQ=DAILY;UNTIL=20260603T095959Z");
    const old = (await rep.client.get(`/tables/tasks/records/${task.id}`)).body.record;
    expect(old.fields.series_until).toBe("2026-06-02T10:00:00.000Z");
    const next = (await rep.client.get(`/tables/tasks/records/${r.body.newTask}`)).body.record;
    expect(next.fields).toMatchObject({
      title: "Renamed call",
      start_at: "2026-06-03T10:00:00.000Z",
      recurrence: "FREQ=DAILY",
      assignee: rep.id,
    });
    const ev = await events(rep.client, FROM, TO);
    expect(startsOf(ev, task.id)).toEqual(["2026-06-01T10:00:00.000Z", "2026-06-02T10:00:00.000Z"]);
    // The skip on 06-05 followed the new series.
    expect(startsOf(ev, r.body.newTask)).toEqual(["2026-06-03T10:00:00.000Z", "2026-06-04T10:00:00.000Z"]);
  });

  it("completing a call through status done logs an activity; a to-do does not", async () => {
    const rep = await signedIn(["sales_rep"]);
    const c = (await rep.client.post("/tables/customers/records", { fields: { name: uniq("Customer") } })).body.record;
    const call = await createTask(rep.client, { kind: "visit", customer: [c.id], notes: "Site visit" });
    const todo = await createTask(rep.client, { kind: "to_do", customer: [c.id] });
    for (const t of [call, todo]) {
      const r = await rep.client.patch(`/tables/tasks/records/${t.id}`, {
        version: t.version,
        fields: { status: "done" },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.body.record.fields.done_at).toEqual(expect.any(String));
    }
    const acts = await activitiesOf(rep.client, c.id);
    expect(acts.map((a) => [a.fields.kind, a.fields.notes])).toEqual([["visit", "Site visit"]]);
  });
});

describe("occurrence actions refuse bad input", () => {
  it("wrong types, unknown fields, a start that is no occurrence, injection-shaped values: 422 naming the field", async () => {
    const { rep, task } = await dailyCall();
    const cases: [string, unknown, string][] = [
      ["complete-occurrence", { task: "1", occurrence: "2026-06-02T10:00:00Z" }, "task"],
      ["complete-occurrence", { task: task.id, occurrence: 5 }, "occurrence"],
      ["complete-occurrence", { task: task.id, occurrence: "2026-06-02T10:00:00Z", extra: 1 }, "extra"],
      ["move-occurrence", { task: task.id, occurrence: "2026-06-02T10:00:00Z", start: "tomorrow" }, "start"],
      [
        "move-occurrence",
        {
          task: task.id,
          occurrence: "2026-06-02T10:00:00Z",
          start: "2026-06-02T12:00:00Z",
          end: "2026-06-02T11:00:00Z",
        },
        "end",
      ],
      ["skip-occurrence", { task: task.id, occurrence: "2026-06-02T10:30:00Z" }, "occurrence"],
      ["skip-occurrence", { task: task.id, occurrence: "'; DROP TABLE sg_users; --" }, "occurrence"],
      [
        "split-series",
        { task: task.id, occurrence: "2026-06-03T10:00:00Z", changes: { assignee: "usr_x" } },
        "changes",
      ],
      [
        "split-series",
        { task: task.id, occurrence: "2026-06-03T10:00:00Z", changes: { recurrence: "FREQ=NEVER" } },
        "changes/recurrence",
      ],
      [
        "split-series",
        { task: task.id, occurrence: "2026-06-03T10:00:00Z", changes: { kind: "'; DROP TABLE tasks; --" } },
        "changes/kind",
      ],
      [
        "split-series",
        { task: task.id, occurrence: "2026-06-03T10:00:00Z", changes: { reminders: ["10m", "1y"] } },
        "changes/reminders",
      ],
    ];
    for (const [name, body, field] of cases) {
      const r = await act(rep.client, name, body);
      expect([400, 422], `${name} ${JSON.stringify(body)}: ${r.text}`).toContain(r.status);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(JSON.stringify(r.body.errors.map((e: { field: string }) => e.field)), r.text).toContain(field);
    }
    const notRecurring = await createTask(rep.client, { start_at: "2026-06-01T10:00:00Z" });
    const nr = await act(rep.client, "skip-occurrence", { task: notRecurring.id, occurrence: "2026-06-01T10:00:00Z" });
    expect(nr.status, nr.text).toBe(422);
    expect(nr.body.errors[0]).toMatchObject({ field: "task", code: "not_recurring" });
    // Nothing was written by any of them.
    expect((await rep.client.get("/tables/task_occurrences/records")).body.records).toEqual([]);
  });

  it("missing rights: another rep gets 404, a viewer 403, and no one writes task_occurrences through the API", async () => {
    const { task } = await dailyCall();
    const other = await signedIn(["sales_rep"]);
    const body = { task: task.id, occurrence: "2026-06-02T10:00:00Z" };
    expect((await act(other.client, "skip-occurrence", body)).status).toBe(404);
    const viewer = await signedIn(["viewer"]);
    expect((await act(viewer.client, "skip-occurrence", body)).status).toBe(403);
    const w = await admin.post("/tables/task_occurrences/records", { fields: { key: "x@y" } });
    expect(w.status, w.text).toBe(403);
  });

  it("an oversize body is refused before it runs (413)", async () => {
    const { rep, task } = await dailyCall();
    const r = await act(rep.client, "complete-occurrence", {
      task: task.id,
      occurrence: "2026-06-02T10:00:00Z",
      notes: "x".repeat(6 * 1024 * 1024),
    });
    expect(r.status).toBe(413);
    const long = await act(rep.client, "complete-occurrence", {
      task: task.id,
      occurrence: "2026-06-02T10:00:00Z",
      notes: "x".repeat(10_001),
    });
    expect(long.status, long.text).toBe(422);
  });

  it("two completions of one occurrence at once: one wins, the other is a 409, and one activity is logged", async () => {
    const { rep, task, customer } = await dailyCall();
    const body = { task: task.id, occurrence: "2026-06-02T10:00:00Z" };
    const rs = await Promise.all([
      act(rep.client, "complete-occurrence", body),
      act(rep.client, "complete-occurrence", body),
    ]);
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await activitiesOf(rep.client, customer)).toHaveLength(1);
    const later = await act(rep.client, "complete-occurrence", body);
    expect(later.status).toBe(409);
    const skips = await Promise.all([
      act(rep.client, "skip-occurrence", { task: task.id, occurrence: "2026-06-03T10:00:00Z" }),
      act(rep.client, "skip-occurrence", { task: task.id, occurrence: "2026-06-03T10:00:00Z" }),
    ]);
    expect(skips.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("two moves of one occurrence at once and two splits of one series at once: one wins, the other 409", async () => {
    const { rep, task } = await dailyCall();
    const moves = await Promise.all(
      ["2026-06-02T12:00:00Z", "2026-06-02T13:00:00Z"].map((start) =>
        act(rep.client, "move-occurrence", { task: task.id, occurrence: "2026-06-02T10:00:00Z", start }),
      ),
    );
    expect(moves.map((r) => r.status).sort()).toEqual([200, 409]);
    const splits = await Promise.all(
      ["A", "B"].map((t) =>
        act(rep.client, "split-series", { task: task.id, occurrence: "2026-06-04T10:00:00Z", changes: { title: t } }),
      ),
    );
    expect(splits.map((r) => r.status).sort()).toEqual([200, 409]);
    // Exactly one new series was made.
    const all = await rep.client.get("/tables/tasks/records?limit=50");
    expect(
      all.body.records.filter((r: { fields: { title: string } }) => ["A", "B"].includes(r.fields.title)),
    ).toHaveLength(1);
  });
});
