/**
 * Users' profile time zones by id, for plugin code that places times in someone else's day (a task's
 * occurrences in its assignee's zone). One statement; an id with no user is absent from the map.
 */
import type { Runtime } from "../plugins/types";

export async function userTimeZones(rt: Runtime, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x) => typeof x === "string" && x))];
  const out = new Map<string, string>();
  if (!wanted.length) return out;
  const { results } = await rt.db
    .prepare("SELECT id, time_zone FROM sg_users WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(wanted))
    .all<{ id: string; time_zone: string }>();
  for (const r of results) out.set(r.id, r.time_zone);
  return out;
}
