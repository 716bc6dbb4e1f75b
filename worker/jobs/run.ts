/**
 * Running one-off plugin jobs from the cron tick. Due jobs are claimed in ONE statement (UPDATE ...
 * RETURNING over the (state, run_at) index, earliest first, at most `cap`): each claimed row gets
 * this tick's claim token and a lease (run_at moves to the lease's end), so an overlapping tick
 * finds nothing due and never runs a job twice, and a tick that died mid-run has its jobs claimed
 * again once the lease ended. A tick that was missed leaves jobs due, and the next one takes them
 * all in time order (up to the cap; the rest at the following tick). Outcomes are written only
 * while the claim still holds (a job rescheduled meanwhile is not overwritten).
 */
import { loadRegistry } from "../model/registry";
import { randomId } from "../db/ids";
import { bundledPlugins } from "../plugins/catalog";
import { SYSTEM_PRINCIPAL } from "../plugins/jobs";
import { makeRuntime } from "../plugins/runtime";
import { loadPluginState } from "../plugins/state";
import type { OnceJobDef, Values } from "../plugins/types";

// D1 allows a Worker invocation a limited number of queries (1000 on the paid plan): a job costs its own
// plus a tenth of an outcome batch, so 200 a tick leaves room for jobs that read and write a few times.
export const DEFAULT_CAP = 200;
export const LEASE_MS = 15 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_ERROR = 2000;

/** Minutes before the next attempt after `attempts` failed runs: 1, 2, 4, ... at most 60. */
export const backoffMs = (attempts: number) => Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;

export interface ClaimedJob {
  id: number;
  plugin: string;
  job: string;
  key: string;
  payload: string;
  attempts: number;
  due_at: string;
  claim: string;
}

export const CLAIM_SQL = `UPDATE sg_jobs SET run_at = ?2, claim = ?3, attempts = attempts + 1, updated_at = ?1
  WHERE id IN (SELECT id FROM sg_jobs WHERE state = 'queued' AND run_at <= ?1 ORDER BY run_at, id LIMIT ?4)
  RETURNING id, plugin, job, key, payload, attempts, due_at, claim`;

/** Claims the jobs due at `now` (earliest first, at most `cap`) for this caller alone. */
export async function claimDueJobs(db: D1Database, now: Date, cap = DEFAULT_CAP): Promise<ClaimedJob[]> {
  const token = randomId(16);
  const rows = (
    await db
      .prepare(CLAIM_SQL)
      .bind(now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString(), token, cap)
      .all<ClaimedJob>()
  ).results;
  // RETURNING does not keep the subquery's order.
  return rows.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id));
}

export interface OnceJobRun {
  id: number;
  plugin: string;
  job: string;
  key: string;
  attempt: number;
  ok: boolean;
  error?: string;
}

/** Jobs of one tick run this many at a time; their outcomes are written in one batch per group. */
export const PARALLEL = 10;

/** One tick: claims what is due and runs it, started in due order, PARALLEL at a time. */
export async function runOnceJobs(db: D1Database, now = new Date(), cap = DEFAULT_CAP): Promise<OnceJobRun[]> {
  const claimed = await claimDueJobs(db, now, cap);
  if (claimed.length === 0) return [];
  const reg = await loadRegistry(db);
  const state = await loadPluginState(db, reg, true);
  const runs: OnceJobRun[] = [];
  for (let i = 0; i < claimed.length; i += PARALLEL) {
    const group = claimed.slice(i, i + PARALLEL);
    const outcomes = await Promise.all(group.map((c) => attempt(db, reg, state, c, now)));
    await db.batch(group.map((c, j) => finishStatement(db, c, now, outcomes[j]!)));
    group.forEach((c, j) => {
      const o = outcomes[j]!;
      const run = { id: c.id, plugin: c.plugin, job: c.job, key: c.key, attempt: c.attempts };
      runs.push(o.state === "done" ? { ...run, ok: true } : { ...run, ok: false, error: o.error });
    });
  }
  return runs;
}

type Registry = Awaited<ReturnType<typeof loadRegistry>>;
type PluginState = Awaited<ReturnType<typeof loadPluginState>>;

/** Runs one claimed job; never throws: a failure is the outcome (retry or failed). */
async function attempt(db: D1Database, reg: Registry, state: PluginState, c: ClaimedJob, now: Date): Promise<Outcome> {
  const def = bundledPlugins().find((b) => b.manifest.name === c.plugin)?.server.jobs?.[c.job];
  // The plugin no longer has this job: retrying cannot help.
  if (!def?.once) return { state: "failed", error: `Plugin ${c.plugin} has no one-off job ${c.job}` };
  try {
    if (!state.installed.get(c.plugin)?.enabled) throw new Error(`Plugin ${c.plugin} is not installed and enabled`);
    return { state: "done", result: await runOne(db, reg, state, c, def, now) };
  } catch (err) {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR) || "failed";
    console.error(`job ${c.plugin}/${c.job} (${c.key}) attempt ${c.attempts} failed:`, error);
    const last = c.attempts >= (def.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    return { state: last ? "failed" : "queued", error };
  }
}

function runOne(db: D1Database, reg: Registry, state: PluginState, c: ClaimedJob, def: OnceJobDef, now: Date) {
  const rt = makeRuntime({ db, reg, principal: SYSTEM_PRINCIPAL, requestId: null }, state, c.plugin, now.toISOString());
  return def.run({ ...rt, payload: JSON.parse(c.payload) as Values, key: c.key, attempt: c.attempts, dueAt: c.due_at });
}

type Outcome =
  | { state: "done"; result: Record<string, unknown> | void }
  | { state: "failed"; error: string }
  | { state: "queued"; error: string };

/** Records the outcome if this tick still holds the claim; a retry waits for its backoff. */
function finishStatement(db: D1Database, c: ClaimedJob, now: Date, o: Outcome): D1PreparedStatement {
  const at = new Date().toISOString();
  const runAt =
    o.state === "queued" ? new Date(now.getTime() + backoffMs(c.attempts)).toISOString() : now.toISOString();
  return db
    .prepare(
      `UPDATE sg_jobs SET state = ?3, run_at = ?4, claim = NULL, last_error = ?5, last_result = ?6, updated_at = ?7
       WHERE id = ?1 AND claim = ?2`,
    )
    .bind(
      c.id,
      c.claim,
      o.state,
      runAt,
      o.state === "done" ? null : o.error,
      o.state === "done" ? resultJson(o.result) : null,
      at,
    );
}

/** A run's result as stored: JSON text of at most 4 KB, or a note saying it was not JSON. */
function resultJson(result: unknown): string {
  try {
    const json = JSON.stringify(result ?? {});
    return json.length <= 4096 ? json : JSON.stringify({ truncated: true });
  } catch {
    return JSON.stringify({ unserializable: true });
  }
}

/** Housekeeping: done jobs are kept a week (for the admin list), then deleted, at most 1000 a tick. */
export async function deleteOldDoneJobs(db: D1Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - 7 * 24 * 60 * 60_000).toISOString();
  const r = await db
    .prepare("DELETE FROM sg_jobs WHERE id IN (SELECT id FROM sg_jobs WHERE state = 'done' AND run_at < ?1 LIMIT 1000)")
    .bind(cutoff)
    .run();
  return r.meta.changes;
}
