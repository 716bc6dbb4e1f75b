/**
 * Running one-off plugin jobs from the cron tick. Due jobs are claimed in ONE statement (UPDATE ...
 * RETURNING over the (state, run_at) index, earliest first, CLAIM_BATCH at a time; a tick claims
 * again while it finds a full batch, up to `cap` and its time and query budget): each claimed row gets
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

// At most this many jobs a tick; D1 allows a Worker invocation a limited number of queries (1000 on
// the paid plan), so a tick also stops claiming at QUERY_BUDGET (a job run alone costs a few queries,
// BULK jobs run together through `runMany` about six).
export const DEFAULT_CAP = 5000;
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
/** Jobs claimed by one statement; a tick claims again while it finds this many and has budget left. */
export const CLAIM_BATCH = 500;
/** Jobs of a plugin's `runMany` handed over together (one read, one delivery, one outcome statement). */
export const BULK = 250;
/** A tick stops claiming after this long, or after about this many queries (D1's limit per invocation is 1000). */
export const TIME_BUDGET_MS = 20_000;
export const QUERY_BUDGET = 600;

/**
 * One tick: claims what is due (at most `cap` in all, CLAIM_BATCH per statement, while time and query
 * budget last) and runs it in due order: jobs whose plugin offers `runMany` BULK at a time, the others
 * PARALLEL at a time.
 */
export async function runOnceJobs(db: D1Database, now = new Date(), cap = DEFAULT_CAP): Promise<OnceJobRun[]> {
  const started = Date.now();
  const runs: OnceJobRun[] = [];
  let queries = 0;
  let ctx: { reg: Registry; state: PluginState } | null = null;
  while (runs.length < cap) {
    const want = Math.min(CLAIM_BATCH, cap - runs.length);
    const claimed = await claimDueJobs(db, now, want);
    queries += 1;
    if (claimed.length === 0) break;
    if (!ctx) {
      const reg = await loadRegistry(db);
      ctx = { reg, state: await loadPluginState(db, reg, true) };
      queries += 2;
    }
    queries += await runClaimed(db, ctx.reg, ctx.state, claimed, now, runs);
    if (claimed.length < want || Date.now() - started > TIME_BUDGET_MS || queries > QUERY_BUDGET) break;
  }
  return runs;
}

/** Runs one claim's jobs; answers about how many queries that took. */
async function runClaimed(
  db: D1Database,
  reg: Registry,
  state: PluginState,
  claimed: ClaimedJob[],
  now: Date,
  runs: OnceJobRun[],
): Promise<number> {
  let queries = 0;
  const bulk = new Map<string, ClaimedJob[]>();
  const single: ClaimedJob[] = [];
  for (const c of claimed) {
    const def = definition(c);
    if (def?.once && def.runMany && state.installed.get(c.plugin)?.enabled) {
      const k = `${c.plugin}/${c.job}`;
      bulk.set(k, [...(bulk.get(k) ?? []), c]);
    } else single.push(c);
  }
  for (const group of bulk.values())
    for (let i = 0; i < group.length; i += BULK) {
      const part = group.slice(i, i + BULK);
      const outcomes = await attemptMany(db, reg, state, part, now);
      await db.batch(finishManyStatements(db, part, now, outcomes));
      record(runs, part, outcomes);
      queries += 6;
    }
  for (let i = 0; i < single.length; i += PARALLEL) {
    const group = single.slice(i, i + PARALLEL);
    const outcomes = await Promise.all(group.map((c) => attempt(db, reg, state, c, now)));
    await db.batch(group.map((c, j) => finishStatement(db, c, now, outcomes[j]!)));
    record(runs, group, outcomes);
    queries += 3 * group.length + 1;
  }
  return queries;
}

function record(runs: OnceJobRun[], group: ClaimedJob[], outcomes: Outcome[]) {
  group.forEach((c, j) => {
    const o = outcomes[j]!;
    const run = { id: c.id, plugin: c.plugin, job: c.job, key: c.key, attempt: c.attempts };
    runs.push(o.state === "done" ? { ...run, ok: true } : { ...run, ok: false, error: o.error });
  });
}

const definition = (c: ClaimedJob) => bundledPlugins().find((b) => b.manifest.name === c.plugin)?.server.jobs?.[c.job];

/** Runs claimed jobs of one plugin's job through its `runMany`; never throws. */
async function attemptMany(
  db: D1Database,
  reg: Registry,
  state: PluginState,
  group: ClaimedJob[],
  now: Date,
): Promise<Outcome[]> {
  const def = definition(group[0]!) as OnceJobDef;
  const failure = (c: ClaimedJob, err: unknown): Outcome => {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR) || "failed";
    const last = c.attempts >= (def.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    return { state: last ? "failed" : "queued", error };
  };
  try {
    const rt = makeRuntime(
      { db, reg, principal: SYSTEM_PRINCIPAL, requestId: null },
      state,
      group[0]!.plugin,
      now.toISOString(),
    );
    const items = group.map((c) => ({
      payload: JSON.parse(c.payload) as Values,
      key: c.key,
      attempt: c.attempts,
      dueAt: c.due_at,
    }));
    const results = await def.runMany!(rt, items);
    return group.map((c, j) => {
      const r = results[j];
      return r instanceof Error ? failure(c, r) : { state: "done", result: r };
    });
  } catch (err) {
    console.error(`jobs ${group[0]!.plugin}/${group[0]!.job} (${group.length} together) failed:`, err);
    return group.map((c) => failure(c, err));
  }
}

/**
 * Outcomes of many jobs of one claim: the done ones in ONE statement (ids and results as JSON), the
 * others one statement each (rare). Each only while this tick's claim holds.
 */
function finishManyStatements(db: D1Database, group: ClaimedJob[], now: Date, outcomes: Outcome[]) {
  const done: [number, string][] = [];
  const rest: D1PreparedStatement[] = [];
  group.forEach((c, j) => {
    const o = outcomes[j]!;
    if (o.state === "done") done.push([c.id, resultJson(o.result)]);
    else rest.push(finishStatement(db, c, now, o));
  });
  if (!done.length) return rest;
  const doneStatement = db
    .prepare(
      `UPDATE sg_jobs SET state = 'done', run_at = ?3, claim = NULL, last_error = NULL, updated_at = ?4,
         last_result = (SELECT d.value ->> 1 FROM json_each(?2) AS d WHERE d.value ->> 0 = sg_jobs.id)
       WHERE claim = ?1 AND id IN (SELECT d.value ->> 0 FROM json_each(?2) AS d)`,
    )
    .bind(group[0]!.claim, JSON.stringify(done), now.toISOString(), new Date().toISOString());
  return [doneStatement, ...rest];
}

type Registry = Awaited<ReturnType<typeof loadRegistry>>;
type PluginState = Awaited<ReturnType<typeof loadPluginState>>;

/** Runs one claimed job; never throws: a failure is the outcome (retry or failed). */
async function attempt(db: D1Database, reg: Registry, state: PluginState, c: ClaimedJob, now: Date): Promise<Outcome> {
  const def = definition(c);
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
