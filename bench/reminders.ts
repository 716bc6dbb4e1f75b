/**
 * `npm run bench -- --reminders [--runs 5] [--future 999000]`: the reminders figure of issue 17 on its
 * own Worker (`wrangler dev`, a scratch D1 under bench/.data/reminders, the demo
 * workspace with the tasks plugin): with 1,000,000 future reminders of which 1,000 are due, one cron
 * tick (the scheduled handler's work, `worker/cron.ts`, through the dev-only `POST /api/dev/tick {at}`:
 * wrangler dev's `/__scheduled` takes no time) at a controlled time claims and delivers
 * all 1,000: target under 2 s. The due reminders come from 1,000 tasks per run made through the API
 * (their write hook schedules the jobs; run r's fall due at minute r and it ticks then); the other
 * 999,000 future ones are written straight into `sg_jobs` while the Worker is stopped. Each run
 * checks that 1,000 notifications were stored and the future jobs untouched. Reports p50 and p95
 * over the runs, the load average, and the claim's query plan. Never part of `npm test`.
 */
import os from "node:os";
import Database from "better-sqlite3";
import { DEMO_USERS } from "../worker/demo/users";
import { d1File, prepareWorkerDir, startDevWorker } from "./lib/dev-worker";
import { ms, summarise, type Summary } from "./lib/stats";

const MIN = 60_000;
export const REMINDERS_TARGET_MS = 2000;
const DUE = 1000;

async function call<T = any>(
  url: string,
  token: string | null,
  method: string,
  p: string,
  body?: unknown,
  ok = [200, 201],
) {
  // wrangler dev sometimes restarts its Worker while starting (503 "restarted mid-request"): try again.
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api${p}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 503 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    if (!ok.includes(res.status)) throw new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

export interface RemindersFigures {
  future: number;
  due: number;
  tick: Summary;
  delivered: number[];
  plan: string;
  load: number[];
}

export async function remindersBench(runs = 5, future = 999_000): Promise<RemindersFigures> {
  const dir = prepareWorkerDir("reminders");
  let worker = await startDevWorker(dir);
  try {
    await call(worker.url, null, "POST", "/dev/seed", {});
    const admin = DEMO_USERS.find((u) => u.role === "admin")!;
    const token = (
      await call(worker.url, null, "POST", "/auth/login", { email: admin.email, password: admin.password })
    ).token as string;
    const lift = { burst: 1_000_000_000, perMinute: 1_000_000_000 };
    await call(worker.url, token, "PUT", "/admin/settings/rate-limits", { user: lift, client: lift, rows: lift });
    for (const name of ["customers", "pipeline", "products", "sales", "tasks"])
      await call(worker.url, token, "POST", `/admin/plugins/${name}/install`, undefined, [200, 409]);
    const me = (await call(worker.url, token, "GET", "/auth/me")).user.id as string;
    // The first tick runs every plugin's interval jobs once; measured ticks then hold only the reminders.
    await call(worker.url, null, "POST", "/dev/tick", {});

    // Per run, 1,000 tasks whose 10-minute reminders fall due at the same minute (scheduled by their
    // write); run r ticks at its minute, so no run needs the database reset under the running Worker.
    const start = Math.ceil((Date.now() + 3 * 60 * MIN) / MIN) * MIN;
    const fire = start - 10 * MIN;
    for (let r = 0; r < runs; r++)
      await call(worker.url, token, "POST", "/tables/tasks/records", {
        records: Array.from({ length: DUE }, (_, i) => ({
          fields: {
            title: `Bench call ${r}-${i}`,
            start_at: new Date(start + r * MIN).toISOString(),
            reminders: ["10m"],
            assignee: me,
          },
        })),
      });
    await worker.stop();

    // 999,000 future reminders, straight into sg_jobs (Worker stopped).
    const db = new Database(d1File(dir.state));
    db.pragma("journal_mode = WAL");
    const dueKeys = (
      db
        .prepare("SELECT count(*) AS n FROM sg_jobs WHERE plugin = 'tasks' AND due_at = ?")
        .get(new Date(fire).toISOString()) as { n: number }
    ).n;
    if (dueKeys !== DUE) throw new Error(`expected ${DUE} due reminders from the tasks' writes, found ${dueKeys}`);
    const insert = db.prepare(
      `INSERT INTO sg_jobs (plugin, job, key, payload, state, run_at, due_at, attempts, created_at, updated_at)
       VALUES ('tasks', 'remind', ?, ?, 'queued', ?, ?, 0, ?, ?)`,
    );
    const now = new Date().toISOString();
    db.transaction(() => {
      for (let i = 0; i < future; i++) {
        const at = new Date(start + 24 * 60 * MIN + i * 1000).toISOString();
        const payload = `{"task":${1_000_000 + i},"occurrence":"${at}","start":"${at}","offset":0}`;
        insert.run(`${1_000_000 + i}@${at}/0m`, payload, at, at, now, now);
      }
    })();
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM sg_jobs WHERE state = 'queued' AND run_at <= ? ORDER BY run_at, id LIMIT 500`,
        )
        .all(new Date(fire).toISOString()) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join("; ");
    db.close();

    worker = await startDevWorker(dir);
    const samples: number[] = [];
    const delivered: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await call(worker.url, null, "POST", "/dev/tick", { at: new Date(fire + r * MIN + 1000).toISOString() });
      samples.push(performance.now() - t0);
      const c = new Database(d1File(dir.state), { readonly: true });
      const sent =
        (
          c.prepare("SELECT count(*) AS n FROM sg_notifications WHERE dedupe_key LIKE 'reminder:%'").get() as {
            n: number;
          }
        ).n - delivered.reduce((a, b) => a + b, 0);
      const waiting = (
        c
          .prepare("SELECT count(*) AS n FROM sg_jobs WHERE state = 'queued' AND run_at > ?")
          .get(new Date(start + runs * MIN).toISOString()) as { n: number }
      ).n;
      c.close();
      delivered.push(sent);
      if (waiting < future) throw new Error(`future reminders were touched: ${waiting} of ${future} still waiting`);
      console.log(`run ${r + 1}: ${ms(samples[r]!)} ms, ${sent} delivered`);
    }
    return { future, due: DUE, tick: summarise(samples), delivered, plan, load: os.loadavg() };
  } finally {
    await worker.stop();
  }
}

export function formatReminders(f: RemindersFigures): string {
  const ok = f.tick.p50 < REMINDERS_TARGET_MS && f.delivered.every((n) => n === f.due);
  return [
    `reminders: one cron tick with ${(f.future + f.due).toLocaleString("en-US")} future reminders, ${f.due} due`,
    `  claimed and delivered: p50 ${ms(f.tick.p50)} ms, p95 ${ms(f.tick.p95)} ms, max ${ms(f.tick.max)} ms over ${f.tick.n} runs (target p50 < ${REMINDERS_TARGET_MS} ms) ${ok ? "OK" : "MISSED"}`,
    `  delivered per run: ${f.delivered.join(", ")}`,
    `  claim plan: ${f.plan}`,
    `  load average at the end: ${f.load.map((x) => x.toFixed(2)).join(" ")}`,
  ].join("\n");
}
