/**
 * One-off jobs as admins see them: by state (failed by default), the latest first by the time they
 * last moved (a failed job's failure, a done job's finish, a queued job's next run), keyset paged on
 * (run_at, id) along the (state, run_at) index, so a page costs the same however many jobs exist.
 */
export const JOB_STATES = ["queued", "done", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

interface JobRow {
  id: number;
  plugin: string;
  job: string;
  key: string;
  payload: string;
  state: JobState;
  run_at: string;
  due_at: string;
  attempts: number;
  claim: string | null;
  last_error: string | null;
  last_result: string | null;
  created_at: string;
  updated_at: string;
}

export interface JobPage {
  jobs: Record<string, unknown>[];
  next: [string, number] | null;
}

const parse = (json: string | null) => {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
};

export async function listJobs(
  db: D1Database,
  opts: { state: JobState; plugin: string | null; limit: number; after: [string, number] | null },
): Promise<JobPage> {
  const [runAt, id] = opts.after ?? ["\uffff", 0];
  const rows = (
    await db
      .prepare(
        `SELECT * FROM sg_jobs WHERE state = ?1 AND (run_at < ?2 OR (run_at = ?2 AND id < ?3))
         AND (?4 IS NULL OR plugin = ?4) ORDER BY run_at DESC, id DESC LIMIT ?5`,
      )
      .bind(opts.state, runAt, opts.after ? id : Number.MAX_SAFE_INTEGER, opts.plugin, opts.limit + 1)
      .all<JobRow>()
  ).results;
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    jobs: page.map((r) => ({
      id: r.id,
      plugin: r.plugin,
      job: r.job,
      key: r.key,
      state: r.state,
      running: r.state === "queued" && r.claim !== null,
      dueAt: r.due_at,
      runAt: r.run_at,
      attempts: r.attempts,
      lastError: r.last_error,
      lastResult: parse(r.last_result),
      payload: parse(r.payload),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    next: rows.length > opts.limit && last ? [last.run_at, last.id] : null,
  };
}
