/**
 * The signed-in user's notifications: a page newest first (keyset by id), the unread count, marking
 * read. Every statement is bounded by `user_id = ?`, so another user's notification behaves exactly
 * like one that does not exist. A notification about a record the reader may no longer read (access
 * lost, record or table deleted) is listed without its record, title or body (`withheld: true`):
 * the sender may have written the record's values into its text.
 */
import type { Principal } from "../auth/principal";
import type { Registry } from "../model/registry";
import { recordsReadable, type RecordRef } from "./visible";

export const MAX_PAGE = 100;
/** The unread count stops counting here (the bell shows "1000+"), so it costs the same for anyone. */
export const UNREAD_CAP = 1000;

export interface NotificationRow {
  id: number;
  plugin: string;
  kind: string;
  title: string;
  body: string;
  table_id: string | null;
  record_id: number | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationOut {
  id: number;
  plugin: string;
  kind: string;
  title: Record<string, string> | null;
  body: Record<string, string> | null;
  record: { table: string; id: number } | null;
  /** True when it was about a record the reader may no longer read: its title, body and record are left out. */
  withheld: boolean;
  createdAt: string;
  readAt: string | null;
}

/** One index range of sg_notifications_unread (covering): cheap whatever the user's history. */
export const UNREAD_COUNT_SQL = `SELECT count(*) AS n FROM
  (SELECT 1 FROM sg_notifications WHERE user_id = ?1 AND read_at IS NULL LIMIT ${UNREAD_CAP + 1})`;

export async function unreadCount(db: D1Database, userId: string): Promise<{ unread: number; more: boolean }> {
  const n = (await db.prepare(UNREAD_COUNT_SQL).bind(userId).first<{ n: number }>())?.n ?? 0;
  return { unread: Math.min(n, UNREAD_CAP), more: n > UNREAD_CAP };
}

export async function listNotifications(
  db: D1Database,
  reg: Registry,
  principal: Principal,
  opts: { unread: boolean; limit: number; before: number | null },
): Promise<{ notifications: NotificationOut[]; next: number | null }> {
  const rows = (
    await db
      .prepare(
        `SELECT id, plugin, kind, title, body, table_id, record_id, created_at, read_at FROM sg_notifications
         WHERE user_id = ?1 ${opts.unread ? "AND read_at IS NULL" : ""} AND id < ?2
         ORDER BY id DESC LIMIT ?3`,
      )
      .bind(principal.userId, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit + 1)
      .all<NotificationRow>()
  ).results;
  const page = rows.slice(0, opts.limit);
  const refs: RecordRef[] = page.flatMap((r) =>
    r.table_id !== null && r.record_id !== null ? [{ table: r.table_id, id: r.record_id }] : [],
  );
  const readable = await recordsReadable(db, reg, principal, refs);
  return {
    notifications: page.map((r) => shape(r, readable)),
    next: rows.length > opts.limit ? page[page.length - 1]!.id : null,
  };
}

function shape(r: NotificationRow, readable: Set<string>): NotificationOut {
  const about = r.table_id !== null && r.record_id !== null;
  const withheld = about && !readable.has(`${r.table_id}/${r.record_id}`);
  return {
    id: r.id,
    plugin: r.plugin,
    kind: r.kind,
    title: withheld ? null : parseText(r.title),
    body: withheld ? null : parseText(r.body),
    record: about && !withheld ? { table: r.table_id!, id: r.record_id! } : null,
    withheld,
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}

function parseText(json: string): Record<string, string> {
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Marks the user's own notifications read (the ids given, or all unread ones), answering how many
 * changed and the unread count after, in one batch. Ids that are someone else's or missing change
 * nothing, alike; two calls at once mark each notification once.
 */
export async function markRead(
  db: D1Database,
  userId: string,
  target: { ids: number[] } | { all: true },
  at: string,
): Promise<{ updated: number; unread: number; more: boolean }> {
  const update =
    "ids" in target
      ? db
          .prepare(
            `UPDATE sg_notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL
             AND id IN (SELECT value FROM json_each(?3))`,
          )
          .bind(userId, at, JSON.stringify(target.ids))
      : db.prepare("UPDATE sg_notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL").bind(userId, at);
  const [changed, count] = await db.batch<{ n: number }>([update, db.prepare(UNREAD_COUNT_SQL).bind(userId)]);
  const n = count!.results[0]?.n ?? 0;
  return { updated: changed!.meta.changes, unread: Math.min(n, UNREAD_CAP), more: n > UNREAD_CAP };
}
