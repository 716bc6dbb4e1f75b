/**
 * Snooze and dismiss a reminder (`tasks/snooze-reminder`, `tasks/dismiss-reminder`): snooze marks it
 * read and the reminder fires again at the chosen time (10 minutes, an hour, tomorrow 09:00 in the
 * user's zone) through the real scheduled handler; dismiss marks it read and drops a waiting snooze.
 * Bad input: wrong types, unknown fields, someone else's notification or task, oversize bodies,
 * injection-shaped values, concurrent snoozes (one job, one delivery).
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { testEnv } from "./helpers";
import { createTask, installTasks, signedIn, userInZone, type Client } from "./tasks-fixture";

const DB = testEnv.DB;
const MIN = 60_000;
let rep: { client: Client; id: string };

beforeAll(async () => {
  await installTasks();
  rep = await signedIn(["sales_rep"]);
});

async function tick(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const iso = (t: number) => new Date(t).toISOString();

interface Note {
  id: number;
  kind: string;
  body: Record<string, string>;
  record: { id: number } | null;
  readAt: string | null;
}

async function remindersAbout(client: Client, id: number): Promise<Note[]> {
  const r = await client.get("/notifications?limit=100");
  expect(r.status, r.text).toBe(200);
  return (r.body.notifications as Note[]).filter((n) => n.kind === "reminder" && n.record?.id === id);
}

/** A task of `who` whose 0-minute reminder was delivered just now: the task and its notification. */
async function delivered(who: { client: Client }) {
  const start = Date.now() + 2 * MIN;
  const task = await createTask(who.client, { start_at: iso(start), reminders: ["0m"] });
  await tick(start);
  const [note] = await remindersAbout(who.client, task.id);
  expect(note, "delivered").toBeTruthy();
  return { task, note: note!, start };
}

const snoozeJob = (id: number) =>
  DB.prepare("SELECT state, run_at FROM sg_jobs WHERE plugin = 'tasks' AND job = 'remind' AND key = ?1")
    .bind(`snooze:${id}`)
    .first<{ state: string; run_at: string }>();

const snooze = (client: Client, body: unknown) => client.post("/actions/tasks/snooze-reminder", body);
const dismiss = (client: Client, body: unknown) => client.post("/actions/tasks/dismiss-reminder", body);

describe("snooze and dismiss a reminder", () => {
  it("snooze marks it read and the reminder fires again after 10 minutes, not before", async () => {
    const { task, note } = await delivered(rep);
    const r = await snooze(rep.client, { notification: note.id, until: "10m" });
    expect(r.status, r.text).toBe(200);
    const until = Date.parse(r.body.snoozedUntil);
    expect(Math.abs(until - (Date.now() + 10 * MIN))).toBeLessThan(MIN);
    expect((await remindersAbout(rep.client, task.id))[0]!.readAt).not.toBeNull();
    await tick(until - 1000);
    expect(await remindersAbout(rep.client, task.id)).toHaveLength(1);
    await tick(until);
    const notes = await remindersAbout(rep.client, task.id);
    expect(notes.map((n) => [n.body.en, n.readAt === null])).toEqual([
      ["Snoozed reminder", true],
      ["Starts now", false],
    ]);
    // The snoozed one can be snoozed again: a new job for the new notification.
    const again = await snooze(rep.client, { notification: notes[0]!.id, until: "1h" });
    expect(again.status, again.text).toBe(200);
    expect(Date.parse(again.body.snoozedUntil) - Date.now()).toBeGreaterThan(59 * MIN);
  });

  it("snoozes until tomorrow 09:00 in the user's zone", async () => {
    const user = await userInZone(["sales_rep"], "Asia/Shanghai");
    const { note } = await delivered(user);
    const r = await snooze(user.client, { notification: note.id, until: "tomorrow" });
    expect(r.status, r.text).toBe(200);
    // 09:00 in Shanghai is 01:00 UTC, on the day after today there.
    const shanghaiToday = new Date(Date.now() + 8 * 60 * MIN).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(`${shanghaiToday}T00:00:00Z`) + 24 * 60 * MIN).toISOString().slice(0, 10);
    expect(r.body.snoozedUntil).toBe(`${tomorrow}T01:00:00.000Z`);
    expect(await snoozeJob(note.id)).toEqual({ state: "queued", run_at: `${tomorrow}T01:00:00.000Z` });
  });

  it("dismiss marks it read and drops a snooze still waiting", async () => {
    const { task, note } = await delivered(rep);
    expect((await snooze(rep.client, { notification: note.id, until: "10m" })).status).toBe(200);
    const r = await dismiss(rep.client, { notification: note.id });
    expect(r.status, r.text).toBe(200);
    expect(await snoozeJob(note.id)).toBeNull();
    await tick(Date.now() + 11 * MIN);
    const notes = await remindersAbout(rep.client, task.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.readAt).not.toBeNull();
  });

  it("concurrent snoozes leave one job and deliver once", async () => {
    const { task, note } = await delivered(rep);
    const rs = await Promise.all(
      ["10m", "10m", "1h", "10m", "1h"].map((until) => snooze(rep.client, { notification: note.id, until })),
    );
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const job = await snoozeJob(note.id);
    expect(rs.map((r) => r.body.snoozedUntil)).toContain(job!.run_at);
    await Promise.all([tick(Date.now() + 61 * MIN), tick(Date.now() + 61 * MIN)]);
    expect((await remindersAbout(rep.client, task.id)).map((n) => n.body.en)).toEqual([
      "Snoozed reminder",
      "Starts now",
    ]);
  });

  it("refuses wrong types, unknown fields, bad choices and injection-shaped values (422 naming the field)", async () => {
    const { note } = await delivered(rep);
    const cases: [unknown, string][] = [
      [{ notification: String(note.id), until: "10m" }, "notification"],
      [{ notification: note.id, until: "2h" }, "until"],
      [{ notification: note.id, until: 10 }, "until"],
      [{ notification: 1.5, until: "10m" }, "notification"],
      [{ notification: -1, until: "10m" }, "notification"],
      [{ notification: "1 OR 1=1", until: "10m" }, "notification"],
      [{ notification: note.id, until: "10m'; DROP TABLE sg_jobs; --" }, "until"],
      [{ notification: note.id }, "until"],
      [{ notification: note.id, until: "10m", extra: true }, "extra"],
    ];
    for (const [body, field] of cases) {
      const r = await snooze(rep.client, body);
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(422);
      expect(JSON.stringify(r.body.errors), JSON.stringify(body)).toContain(field);
    }
    for (const body of [{}, { notification: note.id, until: "10m" }, { notification: [note.id] }]) {
      const r = await dismiss(rep.client, body);
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(422);
    }
    expect((await snooze(rep.client, "[1,")).status).toBe(400);
    expect((await snooze(rep.client, { notification: note.id, until: "x".repeat(6 * 1024 * 1024) })).status).toBe(413);
    expect((await DB.prepare("SELECT count(*) AS n FROM sg_jobs").first<{ n: number }>())!.n).toBeGreaterThan(0);
    expect(await snoozeJob(note.id)).toBeNull();
  });

  it("answers 404 alike for someone else's reminder, a missing one, and a task the caller may no longer read", async () => {
    const { task, note } = await delivered(rep);
    const other = await signedIn(["sales_rep"]);
    for (const id of [note.id, 999_999_999]) {
      const r = await snooze(other.client, { notification: id, until: "10m" });
      expect(r.status, r.text).toBe(404);
      expect((await dismiss(other.client, { notification: id })).status).toBe(404);
    }
    // The task is given to the other rep: the first may no longer read it.
    const admin = await signedIn(["admin"]);
    const cur = await admin.client.get(`/tables/tasks/records/${task.id}`);
    const moved = await admin.client.patch(`/tables/tasks/records/${task.id}`, {
      version: cur.body.record.version,
      fields: { assignee: other.id },
    });
    expect(moved.status, moved.text).toBe(200);
    expect((await snooze(rep.client, { notification: note.id, until: "10m" })).status).toBe(404);
    expect(await snoozeJob(note.id)).toBeNull();
    expect((await snooze(rep.client, { notification: note.id, until: "10m" })).body.code).toBe("not_found");
  });
});
