/**
 * Notifications for browser tests. No route makes one (plugin code sends them: a task's reminder, a
 * low-stock alert), so a test stores one as `notifyEffect` does (worker/notifications/send.ts: the
 * texts as JSON per language, the record as table id and record id) straight into the running app's
 * D1 file. wrangler dev keeps the local database in SQLite's WAL mode, so a second writer is safe
 * while it serves. (The Worker's module itself needs the Workers types, which browser tests do not load.)
 */
import Database from "better-sqlite3";
import { readdirSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import type { ApiClient } from "../../web-components/api/client";

/** The running app's D1 database file (the one binding, DB). */
function databaseFile(): string {
  const dir = path.join(inject("persistDir"), "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`No D1 database file in ${dir}`);
  return path.join(dir, file);
}

export interface TestNotification {
  user: string;
  title: { en: string; "zh-CN": string };
  body?: { en: string; "zh-CN": string };
  /** The record it is about: table id (tbl_...) and record id. */
  record?: { table: string; id: number };
  kind?: string;
}

/** Stores notifications from `plugin` in one transaction, oldest first (the last is the newest). */
export function sendNotifications(notifications: TestNotification[], plugin = "tasks"): void {
  const at = new Date().toISOString();
  const db = new Database(databaseFile());
  try {
    db.pragma("busy_timeout = 10000");
    const insert = db.prepare(
      `INSERT INTO sg_notifications (user_id, plugin, kind, title, body, table_id, record_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const n of notifications)
        insert.run(
          n.user,
          plugin,
          n.kind ?? "reminder",
          JSON.stringify(n.title),
          JSON.stringify(n.body ?? {}),
          n.record?.table ?? null,
          n.record?.id ?? null,
          at,
        );
    })();
  } finally {
    db.close();
  }
}

/** The signed-in user's unread count, as the server counts it. */
export async function unreadCount(api: ApiClient): Promise<number> {
  return (await api.request<{ unread: number }>("GET", "/api/notifications/unread-count")).unread;
}
