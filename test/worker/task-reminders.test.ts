/**
 * Task reminders through the API and the real scheduled handler at controlled times: a reminder is
 * a one-off job scheduled with the task's write, delivered at its minute (never before) as a
 * notification to the assignee in en and zh-CN linking the task, once even when ticks overlap,
 * caught up after missed ticks; moving a task reschedules (a time already passed fires at the next
 * tick), completing, cancelling or deleting cancels; a series has only its next occurrence's
 * reminders and each delivery schedules the following one; a year's offset is a 422.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { testEnv } from "./helpers";
import { createTask, installTasks, signedIn, type Client } from "./tasks-fixture";

const DB = testEnv.DB;
const MIN = 60_000;
let admin: Client;
let rep: { client: Client; id: string };

beforeAll(async () => {
  ({ admin } = await installTasks());
  rep = await signedIn(["sales_rep"]);
});

/** The real scheduled handler, at a controlled time. */
async function tick(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

/** Each test's times lie a day past the previous test's, whole minutes, so its ticks see its own jobs. */
let clock = Math.ceil((Date.now() + 2 * 24 * 60 * MIN) / MIN) * MIN;
const later = () => (clock += 24 * 60 * MIN);
const iso = (t: number) => new Date(t).toISOString();

interface Note {
  id: number;
  kind: string;
  title: Record<string, string>;
  body: Record<string, string>;
  record: { table: string; id: number } | null;
  readAt: string | null;
}

/** The reminders `client` got about task `id`. */
async function remindersAbout(client: Client, id: number): Promise<Note[]> {
  const r = await client.get("/notifications?limit=100");
  expect(r.status, r.text).toBe(200);
  return (r.body.notifications as Note[]).filter((n) => n.kind === "reminder" && n.record?.id === id);
}

const jobsOf = (id: number) =>
  DB.prepare("SELECT key, state, run_at, due_at FROM sg_jobs WHERE plugin = 'tasks' AND key LIKE ?1 ORDER BY id")
    .bind(`${id}@%`)
    .all<{ key: string; state: string; run_at: string; due_at: string }>()
    .then((r) => r.results);

describe("task reminders", () => {
  it("schedules with the write and delivers at its minute, not before, to the assignee in en and zh-CN", async () => {
    const start = later();
    const task = await createTask(rep.client, { title: "Call Acme", start_at: iso(start), reminders: ["10m"] });
    expect(await jobsOf(task.id)).toEqual([
      {
        key: `${task.id}@${iso(start)}/10m`,
        state: "queued",
        run_at: iso(start - 10 * MIN),
        due_at: iso(start - 10 * MIN),
      },
    ]);
    await tick(start - 11 * MIN);
    await tick(start - 10 * MIN - 1000);
    expect(await remindersAbout(rep.client, task.id)).toEqual([]);
    await tick(start - 10 * MIN);
    const [note, ...more] = await remindersAbout(rep.client, task.id);
    expect(more).toEqual([]);
    expect(note).toMatchObject({
      title: { en: "Reminder: Call Acme", "zh-CN": "提醒：Call Acme" },
      body: { en: "Starts in 10 minutes", "zh-CN": "10 分钟后开始" },
      readAt: null,
    });
    const tasks = (await admin.get("/meta/tables/tasks")).body.table;
    expect(note!.record).toEqual({ table: tasks.id, id: task.id });
    expect((await jobsOf(task.id))[0]!.state).toBe("done");
  });

  it("uses the due time when there is no start, and reminds the assignee, not the writer", async () => {
    const due = later();
    const other = await signedIn(["sales_rep"]);
    const manager = await signedIn(["admin"]);
    const task = await createTask(manager.client, { due_at: iso(due), reminders: ["1h"], assignee: other.id });
    await tick(due - 60 * MIN);
    expect((await remindersAbout(other.client, task.id)).map((n) => n.body.en)).toEqual(["Due in 1 hour"]);
    expect(await remindersAbout(manager.client, task.id)).toEqual([]);
  });

  it("sends once when ticks overlap, and catches up after missed ticks", async () => {
    const start = later();
    const tasks = await Promise.all(
      [0, 1, 2].map((i) => createTask(rep.client, { start_at: iso(start + i * MIN), reminders: ["0m", "5m"] })),
    );
    // Every tick of the last ten minutes was missed; three overlap now.
    await Promise.all([tick(start + 5 * MIN), tick(start + 5 * MIN), tick(start + 5 * MIN)]);
    for (const t of tasks) {
      const notes = await remindersAbout(rep.client, t.id);
      expect(notes.map((n) => n.body.en).sort()).toEqual(["Starts in 5 minutes", "Starts now"]);
    }
    await tick(start + 6 * MIN);
    for (const t of tasks) expect(await remindersAbout(rep.client, t.id)).toHaveLength(2);
  });

  it("reschedules when the task moves, and a time already passed fires at the next tick", async () => {
    const start = later();
    const task = await createTask(rep.client, { start_at: iso(start), reminders: ["10m"] });
    const moved = start + 3 * 60 * MIN;
    const r = await rep.client.patch(`/tables/tasks/records/${task.id}`, {
      version: task.version,
      fields: { start_at: iso(moved) },
    });
    expect(r.status, r.text).toBe(200);
    expect((await jobsOf(task.id)).map((j) => [j.key, j.state, j.run_at])).toEqual([
      [`${task.id}@${iso(moved)}/10m`, "queued", iso(moved - 10 * MIN)],
    ]);
    await tick(start - 10 * MIN);
    expect(await remindersAbout(rep.client, task.id)).toEqual([]);
    // Closer to now: 5 minutes from now with a 10-minute reminder, whose time has passed.
    const soon = Date.now() + 5 * MIN;
    const r2 = await rep.client.patch(`/tables/tasks/records/${task.id}`, {
      version: r.body.record.version,
      fields: { start_at: iso(soon) },
    });
    expect(r2.status, r2.text).toBe(200);
    await tick(Date.now());
    expect((await remindersAbout(rep.client, task.id)).map((n) => n.body.en)).toEqual(["Starts in 10 minutes"]);
  });

  it("cancels when the task is done, cancelled or deleted, or the offset is removed", async () => {
    const start = later();
    const make = () => createTask(rep.client, { start_at: iso(start), reminders: ["10m", "1h"] });
    const [done, cancelled, deleted, fewer] = await Promise.all([make(), make(), make(), make()]);
    for (const [t, fields] of [
      [done, { status: "done" }],
      [cancelled, { status: "cancelled" }],
      [fewer, { reminders: ["1h"] }],
    ] as const) {
      const r = await rep.client.patch(`/tables/tasks/records/${t.id}`, { version: t.version, fields });
      expect(r.status, r.text).toBe(200);
    }
    expect((await rep.client.delete(`/tables/tasks/records/${deleted.id}`)).status).toBe(200);
    for (const t of [done, cancelled, deleted]) expect(await jobsOf(t.id)).toEqual([]);
    expect((await jobsOf(fewer.id)).map((j) => j.key)).toEqual([`${fewer.id}@${iso(start)}/60m`]);
    await tick(start);
    for (const t of [done, cancelled, deleted]) expect(await remindersAbout(rep.client, t.id)).toEqual([]);
    expect((await remindersAbout(rep.client, fewer.id)).map((n) => n.body.en)).toEqual(["Starts in 1 hour"]);
  });

  it("schedules only a series' next occurrence, and each delivery schedules the following one", async () => {
    const start = later();
    const task = await createTask(rep.client, {
      start_at: iso(start),
      recurrence: "FREQ=DAILY;COUNT=3",
      reminders: ["10m"],
    });
    const keyAt = (t: number) => `${task.id}@${iso(t)}/10m`;
    expect((await jobsOf(task.id)).map((j) => [j.key, j.state])).toEqual([[keyAt(start), "queued"]]);
    await tick(start - 10 * MIN);
    const day = 24 * 60 * MIN;
    expect((await jobsOf(task.id)).map((j) => [j.key, j.state])).toEqual([
      [keyAt(start), "done"],
      [keyAt(start + day), "queued"],
    ]);
    await tick(start + day - 10 * MIN);
    await tick(start + 2 * day - 10 * MIN);
    // The series ends after three: nothing more is scheduled.
    expect((await jobsOf(task.id)).map((j) => [j.key, j.state])).toEqual([
      [keyAt(start), "done"],
      [keyAt(start + day), "done"],
      [keyAt(start + 2 * day), "done"],
    ]);
    expect(await remindersAbout(rep.client, task.id)).toHaveLength(3);
  });

  it("follows the occurrence actions: skip, move and complete reschedule, and a split series gets its own", async () => {
    const start = later();
    const day = 24 * 60 * MIN;
    const task = await createTask(rep.client, { start_at: iso(start), recurrence: "FREQ=DAILY", reminders: ["10m"] });
    const queued = async (id = task.id) =>
      (await jobsOf(id)).filter((j) => j.state === "queued").map((j) => [j.key, j.run_at]);
    const act = async (name: string, body: Record<string, unknown>) => {
      const r = await rep.client.post(`/actions/tasks/${name}`, { task: task.id, ...body });
      expect(r.status, r.text).toBe(200);
      return r.body;
    };
    await act("skip-occurrence", { occurrence: iso(start) });
    expect(await queued()).toEqual([[`${task.id}@${iso(start + day)}/10m`, iso(start + day - 10 * MIN)]]);
    const moved = start + day + 2 * 60 * MIN;
    await act("move-occurrence", { occurrence: iso(start + day), start: iso(moved) });
    expect(await queued()).toEqual([[`${task.id}@${iso(start + day)}/10m`, iso(moved - 10 * MIN)]]);
    await act("complete-occurrence", { occurrence: iso(start + day) });
    expect(await queued()).toEqual([[`${task.id}@${iso(start + 2 * day)}/10m`, iso(start + 2 * day - 10 * MIN)]]);
    await tick(start);
    await tick(moved);
    expect(await remindersAbout(rep.client, task.id)).toEqual([]);
    const split = await act("split-series", { occurrence: iso(start + 3 * day), changes: { reminders: ["1h"] } });
    expect(await queued(split.newTask)).toEqual([
      [`${split.newTask}@${iso(start + 3 * day)}/60m`, iso(start + 3 * day - 60 * MIN)],
    ]);
    expect(await queued()).toEqual([[`${task.id}@${iso(start + 2 * day)}/10m`, iso(start + 2 * day - 10 * MIN)]]);
  });

  it("has no controlled-clock tick outside local development (POST /api/dev/tick answers 404)", async () => {
    const r = await rep.client.post("/dev/tick", { at: iso(later()) });
    expect(r.status, r.text).toBe(404);
  });

  it("refuses an offset of a year or more, naming reminders", async () => {
    const field = (await admin.get("/meta/tables/tasks")).body.table.fields.find(
      (f: { name: string }) => f.name === "reminders",
    );
    const r = await admin.patch(`/meta/tables/tasks/fields/reminders`, {
      options: { ...field.options, choices: [...field.options.choices, { name: "365d" }, { name: "1y" }] },
    });
    expect(r.status, r.text).toBe(200);
    for (const bad of [["365d"], ["10m", "1y"]]) {
      const w = await rep.client.post("/tables/tasks/records", {
        fields: { title: "Too far", start_at: iso(later()), reminders: bad },
      });
      expect(w.status, w.text).toBe(422);
      expect(w.body.errors.map((e: { field: string }) => e.field)).toContain("fields/reminders");
    }
    const ok = await rep.client.post("/tables/tasks/records", {
      fields: { title: "A week", start_at: iso(later()), reminders: ["1w"] },
    });
    expect(ok.status, ok.text).toBe(201);
  });
});
