/**
 * Sending notifications: plugin code adds them to a batch (`notifyEffect`), so a refused write takes
 * its notifications with it, or sends them on their own (`notify`, e.g. from a job). A notification
 * names one user; to a user who does not exist (any more) nothing is stored. A `dedupeKey` makes a
 * repeat (a retried job, a write sent twice) store nothing: unique per user and plugin. Many
 * notifications at once are one statement per chunk of rows (JSON), not one each.
 */
import { chunkJson, runBatch, type Stmt } from "../db/batch";
import { invalid } from "../errors";
import type { TableMeta } from "../model/types";
import { validate } from "../model/validate";
import { findLoneSurrogates } from "../model/well-formed";
import type { BoundTable, Runtime } from "../plugins/types";

/** A text in every UI language. */
export interface LocalText {
  en: string;
  "zh-CN": string;
}

export interface NotificationInput {
  /** The user it is for (usr_...). */
  user: string;
  /** What sort of notification, for the UI's icon and filters: "reminder", "low-stock". */
  kind: string;
  title: LocalText;
  body?: LocalText;
  /** The record it is about; shown only to a reader who may read that record when listing. */
  record?: { table: BoundTable | TableMeta; id: number };
  /** Unique per user and plugin: sending the same key again stores nothing. */
  dedupeKey?: string;
}

export const MAX_TITLE = 200;
export const MAX_BODY = 2000;

const text = (max: number) => ({
  type: "object",
  additionalProperties: false,
  required: ["en", "zh-CN"],
  properties: {
    en: { type: "string", minLength: 1, maxLength: max },
    "zh-CN": { type: "string", minLength: 1, maxLength: max },
  },
});

const NOTIFICATION = {
  type: "object",
  additionalProperties: false,
  required: ["user", "kind", "title"],
  properties: {
    user: { type: "string", pattern: "^usr_[a-z0-9]{12}$" },
    kind: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,63}$" },
    title: text(MAX_TITLE),
    body: text(MAX_BODY),
    record: {
      type: "object",
      additionalProperties: false,
      required: ["table", "id"],
      properties: {
        table: { type: "string", pattern: "^tbl_[a-z0-9]{1,32}$" },
        id: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      },
    },
    dedupeKey: { type: "string", minLength: 1, maxLength: 200 },
  },
};

// INSERT ... SELECT from sg_users: a notification for a user who is gone stores nothing. ON CONFLICT
// DO NOTHING applies only to the dedupe index (no other unique constraint can fail).
const INSERT = `INSERT INTO sg_notifications
  (user_id, plugin, kind, title, body, table_id, record_id, dedupe_key, created_at)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM sg_users WHERE id = ?1
  ON CONFLICT DO NOTHING`;

/** The statements that store `notifications` from `plugin` at `at`; 422 naming each bad value. */
export function notificationStatements(plugin: string, at: string, notifications: NotificationInput[]): Stmt[] {
  const errors = notifications.flatMap((n, i) => {
    const plain = n?.record ? { ...n, record: { ...n.record, table: tableIdOf(n.record.table) } } : n;
    const base = notifications.length === 1 ? "notification" : `notifications/${i}`;
    const shape = validate(NOTIFICATION, plain, base);
    return shape.length ? shape : findLoneSurrogates(plain, base);
  });
  if (errors.length) throw invalid(errors.slice(0, 100), "The notification is invalid");
  if (notifications.length > 1) return manyStatements(plugin, at, notifications);
  return notifications.map((n) => ({
    sql: INSERT,
    params: [
      n.user,
      plugin,
      n.kind,
      JSON.stringify(n.title),
      JSON.stringify(n.body ?? {}),
      n.record ? tableIdOf(n.record.table) : null,
      n.record?.id ?? null,
      n.dedupeKey ?? null,
      at,
    ],
  }));
}

// Many at once (a tick's reminders): the rows as one JSON parameter per chunk, in their order.
const INSERT_MANY = `INSERT INTO sg_notifications
  (user_id, plugin, kind, title, body, table_id, record_id, dedupe_key, created_at)
  SELECT n.value ->> 0, ?1, n.value ->> 1, n.value ->> 2, n.value ->> 3, n.value ->> 4, n.value ->> 5,
    n.value ->> 6, ?2
  FROM json_each(?3) AS n JOIN sg_users AS u ON u.id = n.value ->> 0
  WHERE true ORDER BY n.key
  ON CONFLICT DO NOTHING`;

function manyStatements(plugin: string, at: string, notifications: NotificationInput[]): Stmt[] {
  const rows = notifications.map((n) => [
    n.user,
    n.kind,
    JSON.stringify(n.title),
    JSON.stringify(n.body ?? {}),
    n.record ? tableIdOf(n.record.table) : null,
    n.record?.id ?? null,
    n.dedupeKey ?? null,
  ]);
  return chunkJson(rows).map((json) => ({ sql: INSERT_MANY, params: [plugin, at, json] }));
}

function tableIdOf(t: BoundTable | TableMeta | unknown): unknown {
  if (t && typeof t === "object") {
    if ("meta" in t) return (t as BoundTable).meta.id;
    if ("id" in t) return (t as TableMeta).id;
  }
  return t;
}

/** Statements for the caller's batch: stored only if the batch commits. */
export function notifyEffect(rt: Runtime, notification: NotificationInput | NotificationInput[]): Stmt[] {
  return notificationStatements(rt.plugin, rt.at, Array.isArray(notification) ? notification : [notification]);
}

/** Sends notifications on their own, in one batch (e.g. from a job, outside any write). */
export async function notify(rt: Runtime, notification: NotificationInput | NotificationInput[]): Promise<void> {
  await runBatch(rt.db, notifyEffect(rt, notification), { what: "Sending the notification" });
}
