/**
 * Recurring plugin jobs, called from scheduled() on every cron tick: a job runs when its interval
 * has passed since its last run (sg_plugin_jobs); one-off jobs are worker/jobs/. It runs as the
 * system: a principal with admin rights and no user id, so its audit rows say no person made the
 * change.
 */
import type { Principal } from "../auth/principal";
import { loadRegistry } from "../model/registry";
import { bundledPlugins } from "./catalog";
import { makeRuntime } from "./runtime";
import { loadPluginState } from "./state";

export const SYSTEM_PRINCIPAL: Principal = {
  userId: "",
  email: "",
  name: "Salesgrid",
  roles: ["admin"],
  isAdmin: true,
  teams: [],
  teamMembers: [],
  timeZone: "UTC",
};

export interface JobRun {
  plugin: string;
  job: string;
  ok: boolean;
  result: Record<string, unknown>;
}

export async function runDueJobs(db: D1Database, now = new Date(), force = false): Promise<JobRun[]> {
  const reg = await loadRegistry(db);
  const state = await loadPluginState(db, reg, true);
  const last = new Map(
    (
      await db
        .prepare("SELECT plugin, job, last_run_at FROM sg_plugin_jobs")
        .all<{ plugin: string; job: string; last_run_at: string }>()
    ).results.map((r) => [`${r.plugin}/${r.job}`, r.last_run_at]),
  );
  const runs: JobRun[] = [];
  for (const b of bundledPlugins()) {
    const name = b.manifest.name;
    if (!state.installed.get(name)?.enabled) continue;
    for (const [job, def] of Object.entries(b.server.jobs ?? {})) {
      // One-off jobs run when scheduled (worker/jobs/run.ts), not on an interval.
      if (def.once) continue;
      const prev = last.get(`${name}/${job}`);
      if (!force && prev && now.getTime() - Date.parse(prev) < def.everyMinutes * 60_000) continue;
      const at = now.toISOString();
      // Claimed before running, so overlapping ticks do not run a job twice.
      const claim = await db
        .prepare(
          `INSERT INTO sg_plugin_jobs (plugin, job, last_run_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (plugin, job) DO UPDATE SET last_run_at = excluded.last_run_at WHERE sg_plugin_jobs.last_run_at IS ?4`,
        )
        .bind(name, job, at, prev ?? null)
        .run();
      if (!claim.meta.changes) continue;
      let run: JobRun;
      try {
        const result = await def.run(
          makeRuntime({ db, reg, principal: SYSTEM_PRINCIPAL, requestId: null }, state, name, at),
        );
        run = { plugin: name, job, ok: true, result };
      } catch (err) {
        console.error(`job ${name}/${job} failed:`, err instanceof Error ? err.message : err);
        run = { plugin: name, job, ok: false, result: { error: err instanceof Error ? err.message : String(err) } };
      }
      await db
        .prepare("UPDATE sg_plugin_jobs SET last_result = ?3 WHERE plugin = ?1 AND job = ?2")
        .bind(name, job, JSON.stringify(run.result))
        .run();
      runs.push(run);
    }
  }
  return runs;
}
