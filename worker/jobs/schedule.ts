/**
 * Scheduling one-off plugin jobs: statements for the caller's batch, so a refused write schedules
 * nothing. A job is (plugin, job, key): scheduling the same key again at the same time with the same
 * payload changes nothing (whatever its state); with another time or payload it replaces the job,
 * which then waits for its new time with its attempts reset (a run in progress is disowned: its
 * outcome is not recorded). Without a key every call schedules a new job.
 */
import { type Stmt } from "../db/batch";
import { newId } from "../db/ids";
import { invalid, type FieldError } from "../errors";
import { parseDatetime } from "../model/dates";
import { findLoneSurrogates } from "../model/well-formed";
import { bundledPlugins } from "../plugins/catalog";
import type { Runtime, Values } from "../plugins/types";

export const MAX_PAYLOAD_CHARS = 16 * 1024;
export const MAX_KEY = 200;

export interface ScheduleInput {
  /** The name of a `once: true` entry in the plugin's `jobs`. */
  job: string;
  /** When to run: a Date or an RFC 3339 date-time; a time already passed runs at the next tick. */
  at: Date | string;
  /** A JSON object (at most 16 KB as JSON) handed to the run as `ctx.payload`. */
  payload?: Values;
  /** Makes scheduling idempotent and lets a later call replace or cancel the job. */
  key?: string;
}

/** The job's definition in the plugin, or a problem naming `job`. */
function checkJob(plugin: string, job: unknown, base: string): FieldError[] {
  const def =
    typeof job === "string" ? bundledPlugins().find((b) => b.manifest.name === plugin)?.server.jobs?.[job] : undefined;
  if (def?.once) return [];
  return [
    {
      field: `${base}/job`,
      code: "unknown_key",
      message: `${JSON.stringify(String(job).slice(0, 64))} is not a one-off job (once: true) of plugin ${plugin}`,
    },
  ];
}

function checkKey(key: unknown, base: string): FieldError[] {
  if (key === undefined) return [];
  if (typeof key === "string" && key.length >= 1 && key.length <= MAX_KEY && !findLoneSurrogates(key).length) return [];
  return [{ field: `${base}/key`, code: "invalid", message: `A job key is text of 1 to ${MAX_KEY} characters` }];
}

function checkAt(at: unknown, base: string): { value?: string; errors: FieldError[] } {
  if (at instanceof Date && Number.isNaN(at.getTime()))
    return { errors: [{ field: `${base}/at`, code: "invalid_datetime", message: "The time is an invalid Date" }] };
  // A Date goes through the same parser, so its year stays in range and run_at sorts as text.
  const parsed = parseDatetime(at instanceof Date ? at.toISOString() : at);
  if (!parsed.ok)
    return { errors: [{ field: `${base}/at`, code: parsed.code, message: parsed.message, params: parsed.params }] };
  return { value: new Date(parsed.value).toISOString(), errors: [] };
}

function checkPayload(payload: unknown, base: string): { value?: string; errors: FieldError[] } {
  const field = `${base}/payload`;
  if (payload === undefined) return { value: "{}", errors: [] };
  if (!payload || typeof payload !== "object" || Array.isArray(payload))
    return { errors: [{ field, code: "type", message: "A job's payload is a JSON object" }] };
  let json: string;
  try {
    json = JSON.stringify(payload);
  } catch {
    return { errors: [{ field, code: "type", message: "A job's payload must be JSON (no cycles, no BigInt)" }] };
  }
  if (json.length > MAX_PAYLOAD_CHARS)
    return {
      errors: [
        {
          field,
          code: "too_long",
          message: `A job's payload is at most ${MAX_PAYLOAD_CHARS} characters as JSON`,
          params: { limit: MAX_PAYLOAD_CHARS },
        },
      ],
    };
  const bad = findLoneSurrogates(JSON.parse(json), field);
  return bad.length ? { errors: bad } : { value: json, errors: [] };
}

const UPSERT = `INSERT INTO sg_jobs (plugin, job, key, payload, state, run_at, due_at, attempts, created_at, updated_at)
  VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5, 0, ?6, ?6)
  ON CONFLICT (plugin, job, key) DO UPDATE SET payload = excluded.payload, state = 'queued',
    run_at = excluded.run_at, due_at = excluded.due_at, attempts = 0, claim = NULL, last_error = NULL,
    last_result = NULL, updated_at = excluded.updated_at
  WHERE sg_jobs.due_at IS NOT excluded.due_at OR sg_jobs.payload IS NOT excluded.payload`;

/** Statements that schedule a one-off job of the calling plugin; 422 naming each bad value. */
export function scheduleJobEffect(rt: Runtime, input: ScheduleInput): Stmt[] {
  const base = "schedule";
  const at = checkAt(input?.at, base);
  const payload = checkPayload(input?.payload, base);
  const errors = [
    ...checkJob(rt.plugin, input?.job, base),
    ...at.errors,
    ...payload.errors,
    ...checkKey(input?.key, base),
  ];
  if (errors.length) throw invalid(errors, "The job cannot be scheduled");
  return [
    {
      sql: UPSERT,
      params: [rt.plugin, input.job, input.key ?? newId("job", 16), payload.value, at.value, rt.at],
    },
  ];
}

/** Statements that cancel a job not yet done (by its key); nothing when there is none. */
export function cancelJobEffect(rt: Runtime, input: { job: string; key: string }): Stmt[] {
  const errors = [...checkJob(rt.plugin, input?.job, "cancel"), ...checkKey(input?.key, "cancel")];
  if (input?.key === undefined)
    errors.push({ field: "cancel/key", code: "required", message: "Name the key of the job to cancel" });
  if (errors.length) throw invalid(errors, "The job cannot be cancelled");
  return [
    {
      sql: "DELETE FROM sg_jobs WHERE plugin = ?1 AND job = ?2 AND key = ?3 AND state = 'queued'",
      params: [rt.plugin, input.job, input.key],
    },
  ];
}
