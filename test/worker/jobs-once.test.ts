/**
 * One-off plugin jobs: scheduled in a batch (scheduleJobEffect), claimed by the real scheduled
 * handler in one statement with a lease, run once each even when ticks overlap, caught up after a
 * missed tick in due order, retried with backoff, then failed with the last error shown to admins.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import customersServer from "../../plugins/customers/server";
import { AppError } from "../../worker/errors";
import { CLAIM_SQL, claimDueJobs, LEASE_MS, runOnceJobs } from "../../worker/jobs/run";
import { loadRegistry } from "../../worker/model/registry";
import { SYSTEM_PRINCIPAL } from "../../worker/plugins/jobs";
import { makeRuntime } from "../../worker/plugins/runtime";
import { loadPluginState } from "../../worker/plugins/state";
import {
  cancelJobEffect,
  notify,
  runEffects,
  scheduleJobEffect,
  updateEffect,
  type JobContext,
  type ScheduleInput,
} from "../../worker/plugin-sdk";
import { testEnv } from "./helpers";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

const DB = testEnv.DB;
const MIN = 60_000;
let admin: Client;

interface Call {
  key: string;
  payload: Record<string, unknown>;
  attempt: number;
  dueAt: string;
  user: string;
}
const calls: Call[] = [];
const ran = (key: string) => calls.filter((c) => c.key === key);

/** How a run behaves, by payload: fail on the listed attempts; notify a user first. */
async function testJob(ctx: JobContext) {
  calls.push({
    key: ctx.key,
    payload: ctx.payload,
    attempt: ctx.attempt,
    dueAt: ctx.dueAt,
    user: ctx.principal.userId,
  });
  if (typeof ctx.payload.notify === "string")
    await notify(ctx, {
      user: ctx.payload.notify,
      kind: "reminder",
      title: { en: `Reminder ${ctx.key}`, "zh-CN": `提醒 ${ctx.key}` },
      dedupeKey: ctx.key,
    });
  const fail = (ctx.payload.failOn as number[] | undefined) ?? [];
  if (fail.includes(ctx.attempt)) throw new Error(`boom on attempt ${ctx.attempt}`);
  return { done: ctx.key };
}

const jobs = customersServer.jobs!;
beforeAll(async () => {
  jobs["test-once"] = { once: true, maxAttempts: 3, run: testJob };
  ({ admin } = await installSalesPlugins());
});
afterAll(() => {
  delete jobs["test-once"];
});

async function runtime(plugin = "customers") {
  const reg = await loadRegistry(DB);
  const state = await loadPluginState(DB, reg, true);
  return makeRuntime(
    { db: DB, reg, principal: SYSTEM_PRINCIPAL, requestId: null },
    state,
    plugin,
    new Date().toISOString(),
  );
}

async function schedule(...inputs: Omit<ScheduleInput, "job">[]) {
  const rt = await runtime();
  await runEffects(
    DB,
    inputs.flatMap((i) => scheduleJobEffect(rt, { job: "test-once", ...i })),
  );
}

/** The real scheduled handler, at a controlled time. */
async function tick(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const row = (key: string) =>
  DB.prepare("SELECT state, attempts, run_at, due_at, last_error, claim FROM sg_jobs WHERE key = ?1")
    .bind(key)
    .first<{ state: string; attempts: number; run_at: string; due_at: string; last_error: string | null }>();

/** A time well past every earlier test's jobs, so each test's ticks see its own jobs due. */
let clock = Date.now() + 24 * 60 * MIN;
const later = (days = 1) => (clock += days * 24 * 60 * MIN);
const key = (s: string) => `${s}-${crypto.randomUUID().slice(0, 8)}`;

describe("one-off jobs", () => {
  it("run once at the first tick at or after their time, as the system, with their payload", async () => {
    const t = later();
    const k = key("once");
    await schedule({ at: new Date(t), key: k, payload: { customer: 7, note: "call back" } });
    await tick(t - MIN);
    expect(ran(k)).toEqual([]);
    await tick(t + 20_000);
    expect(ran(k)).toEqual([
      { key: k, payload: { customer: 7, note: "call back" }, attempt: 1, dueAt: new Date(t).toISOString(), user: "" },
    ]);
    expect(await row(k)).toMatchObject({ state: "done", attempts: 1, last_error: null, claim: null });
    await tick(t + 2 * MIN);
    expect(ran(k)).toHaveLength(1);
  });

  it("schedule idempotently by key, and a new time or payload replaces the job", async () => {
    const t = later();
    const same = key("same");
    const moved = key("moved");
    await schedule(
      { at: new Date(t), key: same, payload: { n: 1 } },
      { at: new Date(t), key: same, payload: { n: 1 } },
    );
    await schedule({ at: new Date(t).toISOString(), key: same, payload: { n: 1 } });
    await schedule({ at: new Date(t), key: moved, payload: { n: 1 } });
    await schedule({ at: new Date(t + 60 * MIN), key: moved, payload: { n: 2 } });
    const count = await DB.prepare("SELECT count(*) AS n FROM sg_jobs WHERE key IN (?1, ?2)")
      .bind(same, moved)
      .first<{ n: number }>();
    expect(count!.n).toBe(2);
    await tick(t + MIN);
    expect(ran(same)).toHaveLength(1);
    expect(ran(moved)).toEqual([]);
    await tick(t + 61 * MIN);
    expect(ran(moved).map((c) => c.payload)).toEqual([{ n: 2 }]);
    // Scheduling a finished job again exactly as before changes nothing; a new time runs it again.
    await schedule({ at: new Date(t), key: same, payload: { n: 1 } });
    await tick(t + 62 * MIN);
    expect(ran(same)).toHaveLength(1);
    await schedule({ at: new Date(t + 63 * MIN), key: same, payload: { n: 1 } });
    await tick(t + 64 * MIN);
    expect(ran(same)).toHaveLength(2);
  });

  it("is cancelled by key before it runs, and a refused write schedules nothing", async () => {
    const t = later();
    const cancelled = key("cancelled");
    const refused = key("refused");
    await schedule({ at: new Date(t), key: cancelled });
    const rt = await runtime();
    await runEffects(DB, cancelJobEffect(rt, { job: "test-once", key: cancelled }));
    const created = await admin.post("/tables/customers/records", { fields: { name: uniq("Job") } });
    const stale = updateEffect(rt, rt.table("customers"), [
      { id: created.body.record.id, version: 99, before: {}, set: { city: "Beijing" } },
    ]);
    const err = await runEffects(DB, [
      ...scheduleJobEffect(rt, { job: "test-once", at: new Date(t), key: refused }),
      ...stale,
    ]).catch((e) => e);
    expect((err as AppError).status).toBe(409);
    await tick(t + MIN);
    expect(ran(cancelled)).toEqual([]);
    expect(ran(refused)).toEqual([]);
    expect(await row(refused)).toBeNull();
  });

  it("runs a job once when two ticks run at the same time", async () => {
    const t = later();
    const ks = Array.from({ length: 6 }, (_, i) => key(`race${i}`));
    await schedule(...ks.map((k, i) => ({ at: new Date(t + i * 1000), key: k })));
    await Promise.all([tick(t + MIN), tick(t + MIN), runOnceJobs(DB, new Date(t + MIN))]);
    for (const k of ks) expect(ran(k), k).toHaveLength(1);
    // Claims directly: the second claim at the same instant finds nothing.
    const k2 = key("claim");
    await schedule({ at: new Date(t + 2 * MIN), key: k2 });
    const [c1, c2] = await Promise.all([
      claimDueJobs(DB, new Date(t + 3 * MIN)),
      claimDueJobs(DB, new Date(t + 3 * MIN)),
    ]);
    expect([...c1, ...c2].filter((c) => c.key === k2)).toHaveLength(1);
  });

  it("claims a job again when the tick that held it died, once its lease ended", async () => {
    const t = later();
    const k = key("lease");
    await schedule({ at: new Date(t), key: k });
    const claimed = await claimDueJobs(DB, new Date(t + MIN));
    expect(claimed.map((c) => c.key)).toContain(k);
    // The claiming tick never finishes; ticks during the lease leave the job alone.
    await tick(t + 2 * MIN);
    expect(ran(k)).toEqual([]);
    await tick(t + MIN + LEASE_MS + 1000);
    expect(ran(k).map((c) => c.attempt)).toEqual([2]);
    expect((await row(k))!.state).toBe("done");
  });

  it("catches up after missed ticks: everything due runs in time order, at most the cap per tick", async () => {
    const t = later();
    const ks = Array.from({ length: 5 }, (_, i) => key(`late${i}`));
    // Scheduled out of order, each a minute apart; the ticks for all five minutes were missed.
    const jobsDue = ks.map((k, i) => ({ at: new Date(t + i * MIN), key: k }));
    await schedule(...[2, 0, 4, 1, 3].map((i) => jobsDue[i]!));
    const first = await runOnceJobs(DB, new Date(t + 10 * MIN), 3);
    expect(first.map((r) => r.key)).toEqual(ks.slice(0, 3));
    const second = await runOnceJobs(DB, new Date(t + 11 * MIN), 3);
    expect(second.map((r) => r.key)).toEqual(ks.slice(3));
    const t2 = later();
    const more = Array.from({ length: 4 }, (_, i) => key(`missed${i}`));
    const moreDue = more.map((k, i) => ({ at: new Date(t2 + i * MIN), key: k }));
    await schedule(...[3, 1, 0, 2].map((i) => moreDue[i]!));
    await tick(t2 + 30 * MIN);
    const order = calls.filter((c) => more.includes(c.key)).map((c) => c.key);
    expect(order).toEqual(more);
  });

  it("retries a failing job with backoff, then leaves it failed with its last error for admins", async () => {
    const t = later();
    const k = key("failing");
    const recovers = key("recovers");
    await schedule({ at: new Date(t), key: k, payload: { failOn: [1, 2, 3] } });
    await schedule({ at: new Date(t), key: recovers, payload: { failOn: [1] } });
    await tick(t);
    expect(ran(k).map((c) => c.attempt)).toEqual([1]);
    const after1 = (await row(k))!;
    expect(after1).toMatchObject({ state: "queued", attempts: 1, last_error: "boom on attempt 1" });
    expect(Date.parse(after1.run_at)).toBe(t + MIN);
    await tick(t + 30_000);
    expect(ran(k)).toHaveLength(1);
    await tick(t + MIN);
    expect(ran(k).map((c) => c.attempt)).toEqual([1, 2]);
    expect(ran(recovers).map((c) => c.attempt)).toEqual([1, 2]);
    expect((await row(recovers))!.state).toBe("done");
    expect(Date.parse((await row(k))!.run_at)).toBe(t + MIN + 2 * MIN);
    await tick(t + 2 * MIN);
    expect(ran(k)).toHaveLength(2);
    await tick(t + 3 * MIN);
    expect(ran(k).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(await row(k)).toMatchObject({ state: "failed", attempts: 3, last_error: "boom on attempt 3" });
    await tick(t + 3 * 60 * MIN);
    expect(ran(k)).toHaveLength(3);

    const list = await admin.get("/admin/jobs?state=failed&plugin=customers");
    expect(list.status, list.text).toBe(200);
    expect(list.body.jobs.find((j: { key: string }) => j.key === k)).toMatchObject({
      plugin: "customers",
      job: "test-once",
      state: "failed",
      attempts: 3,
      lastError: "boom on attempt 3",
      payload: { failOn: [1, 2, 3] },
      dueAt: new Date(t).toISOString(),
    });
    const done = await admin.get("/admin/jobs?state=done&limit=1");
    expect(done.body.jobs).toHaveLength(1);
    expect(typeof done.body.nextCursor).toBe("string");
    const next = await admin.get(`/admin/jobs?state=done&limit=1&cursor=${done.body.nextCursor}`);
    expect(next.status, next.text).toBe(200);
    expect(next.body.jobs[0].id).not.toBe(done.body.jobs[0].id);
  });

  it("notifies once from a job that failed after notifying and was retried", async () => {
    const t = later();
    const k = key("remind");
    const rep = await signedIn([]);
    await schedule({ at: new Date(t), key: k, payload: { notify: rep.id, failOn: [1] } });
    await tick(t);
    await tick(t + MIN);
    expect(ran(k).map((c) => c.attempt)).toEqual([1, 2]);
    expect((await row(k))!.state).toBe("done");
    const list = await rep.client.get("/notifications");
    expect(list.body.notifications.map((n: { title: { en: string } }) => n.title.en)).toEqual([`Reminder ${k}`]);
  });

  it("claims due jobs through the (state, run_at) index, so future jobs cost nothing", async () => {
    const plan = await DB.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`)
      .bind("2026-01-01T00:00:00.000Z", "2026-01-01T00:15:00.000Z", "x", 10)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH sg_jobs USING (COVERING )?INDEX sg_jobs_due \(state=\? AND run_at<\?\)/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });
});

describe("bad input", () => {
  it("refuses scheduling an unknown or recurring job, a bad time, key or payload, naming each", async () => {
    const rt = await runtime();
    const cases: [unknown, string][] = [
      [{ job: "nope", at: new Date() }, "schedule/job"],
      [{ job: "grade-rule", at: new Date() }, "schedule/job"],
      [{ job: "test-once'; DROP TABLE sg_jobs;--", at: new Date() }, "schedule/job"],
      [{ job: "test-once", at: "2026-02-30T10:00:00Z" }, "schedule/at"],
      [{ job: "test-once", at: "tomorrow" }, "schedule/at"],
      [{ job: "test-once", at: 1_700_000_000_000 }, "schedule/at"],
      [{ job: "test-once", at: new Date("x") }, "schedule/at"],
      [{ job: "test-once", at: new Date(Date.UTC(10000, 0, 1)) }, "schedule/at"],
      [{ job: "test-once", at: "1899-12-31T23:59:59Z" }, "schedule/at"],
      [{ job: "test-once", at: new Date(), payload: [1] }, "schedule/payload"],
      [{ job: "test-once", at: new Date(), payload: "x" }, "schedule/payload"],
      [{ job: "test-once", at: new Date(), payload: { big: "x".repeat(20_000) } }, "schedule/payload"],
      [{ job: "test-once", at: new Date(), payload: { bad: "\ud800" } }, "schedule/payload/bad"],
      [{ job: "test-once", at: new Date(), key: "" }, "schedule/key"],
      [{ job: "test-once", at: new Date(), key: 5 }, "schedule/key"],
      [{ job: "test-once", at: new Date(), key: "k".repeat(201) }, "schedule/key"],
    ];
    for (const [input, field] of cases) {
      let err: unknown;
      try {
        scheduleJobEffect(rt, input as ScheduleInput);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(AppError);
      expect((err as AppError).status, field).toBe(422);
      expect(
        (err as AppError).errors.map((e) => e.field),
        field,
      ).toContain(field);
    }
    expect(await DB.prepare("SELECT name FROM sqlite_master WHERE name = 'sg_jobs'").first("name")).toBe("sg_jobs");
  });

  it("lists jobs to admins only, with strict query parameters", async () => {
    const rep = await signedIn(["sales_rep"]);
    const denied = await rep.client.get("/admin/jobs");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("content-type")).toContain("application/problem+json");
    for (const [q, field] of [
      ["state=running", "state"],
      ["state=failed&state=done", "state"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["plugin=" + encodeURIComponent("x' OR 1=1"), "plugin"],
      ["cursor=" + encodeURIComponent("'; DROP TABLE sg_jobs"), "cursor"],
      ["cursor=WzFd", "cursor"],
      ["sort=id", "sort"],
    ]) {
      const r = await admin.get(`/admin/jobs?${q}`);
      expect(r.status, q).toBe(400);
      expect(
        r.body.errors.map((e: { field: string }) => e.field),
        q,
      ).toContain(field);
    }
  });
});
