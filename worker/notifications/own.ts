/**
 * A plugin acting on a notification it sent to the caller (a reminder's snooze or dismiss): reading it
 * and marking it read. Bound to the caller (`user_id`) and the plugin, so another user's notification,
 * or another plugin's, behaves exactly like one that does not exist.
 */
import type { Stmt } from "../db/batch";
import type { Runtime } from "../plugins/types";

export interface OwnNotification {
  id: number;
  kind: string;
  /** The record it is about, as table id and record id. */
  record: { table: string; id: number } | null;
  dedupeKey: string | null;
  readAt: string | null;
}

/** The caller's notification `id` sent by this plugin, or null. */
export async function ownNotification(rt: Runtime, id: number): Promise<OwnNotification | null> {
  if (!Number.isSafeInteger(id) || id < 1 || !rt.principal.userId) return null;
  const r = await rt.db
    .prepare(
      `SELECT id, kind, table_id, record_id, dedupe_key, read_at FROM sg_notifications
       WHERE id = ?1 AND user_id = ?2 AND plugin = ?3`,
    )
    .bind(id, rt.principal.userId, rt.plugin)
    .first<{
      id: number;
      kind: string;
      table_id: string | null;
      record_id: number | null;
      dedupe_key: string | null;
      read_at: string | null;
    }>();
  if (!r) return null;
  return {
    id: r.id,
    kind: r.kind,
    record: r.table_id !== null && r.record_id !== null ? { table: r.table_id, id: r.record_id } : null,
    dedupeKey: r.dedupe_key,
    readAt: r.read_at,
  };
}

/** Statements marking the caller's own notifications read (those already read keep their time). */
export function markReadEffect(rt: Runtime, ids: number[]): Stmt[] {
  if (!ids.length) return [];
  return [
    {
      sql: `UPDATE sg_notifications SET read_at = ?3 WHERE user_id = ?1 AND plugin = ?2 AND read_at IS NULL
            AND id IN (SELECT value FROM json_each(?4))`,
      params: [rt.principal.userId, rt.plugin, rt.at, JSON.stringify(ids)],
    },
  ];
}
