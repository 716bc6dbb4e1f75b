/**
 * The daily job: quotes still draft or sent whose valid_until has passed become expired. Batches of
 * 100, each version-guarded: a batch that races a person's edit is skipped (409) and picked up by the
 * next run.
 */
import { and, cond, findRows, relativeDate, runEffects, updateEffect, type Runtime } from "../../worker/plugin-sdk";

export async function expireQuotes(rt: Runtime): Promise<Record<string, unknown>> {
  const t = rt.table("quotes");
  const today = relativeDate(0, "UTC");
  const due = await findRows(
    rt,
    t,
    and(cond(t, "status", "in", ["draft", "sent"]), cond(t, "valid_until", "lt", today)),
    ["status"],
  );
  let expired = 0;
  let skipped = 0;
  for (let i = 0; i < due.length; i += 100) {
    const chunk = due.slice(i, i + 100);
    try {
      await runEffects(
        rt.db,
        updateEffect(
          rt,
          t,
          chunk.map((r) => ({ id: r.id, version: r.version, before: r.values, set: { status: "expired" } })),
        ),
      );
      expired += chunk.length;
    } catch {
      skipped += chunk.length;
    }
  }
  return { expired, skipped };
}
