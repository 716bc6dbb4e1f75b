/**
 * Exceptions of series (`task_occurrences`): one row per changed occurrence, unique by `key`
 * (task id @ original start), so two requests changing the same occurrence cannot both insert one.
 */
import { cond, findRows, type FoundRow, type Runtime } from "../../worker/plugin-sdk";

export const EXCEPTION_KEYS = ["key", "task_id", "occurrence_of", "state", "start_at", "end_at", "done_at", "notes"];

export const exceptionKey = (task: number, occurrence: string) => `${task}@${occurrence}`;

/** Exceptions of these tasks, by task id then occurrence key. As the system: callers checked the tasks. */
export async function exceptionsOf(rt: Runtime, taskIds: number[]): Promise<Map<number, Map<string, FoundRow>>> {
  const out = new Map<number, Map<string, FoundRow>>();
  if (!taskIds.length) return out;
  const t = rt.table("task_occurrences");
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await findRows(rt, t, cond(t, "task_id", "in", taskIds.slice(i, i + 500)), EXCEPTION_KEYS);
    for (const r of rows) {
      const task = Number(r.values.task_id);
      let m = out.get(task);
      if (!m) out.set(task, (m = new Map()));
      m.set(String(r.values.occurrence_of), r);
    }
  }
  return out;
}
