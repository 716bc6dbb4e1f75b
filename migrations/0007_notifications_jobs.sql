-- Notifications in the app (worker/notifications/) and one-off plugin jobs (worker/jobs/).

-- One row per notification for one user. Title and body are JSON objects with a text per UI
-- language ({"en": "...", "zh-CN": "..."}). The record it points to is (table_id, record_id); no
-- foreign keys: deleting a user, a record or a table leaves the row harmless, and listing checks
-- that the reader may still read the record before it shows anything of it.
CREATE TABLE sg_notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  plugin TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '{}',
  table_id TEXT,
  record_id INTEGER,
  -- Set by the sender so a retried job never notifies twice: unique per user and plugin.
  dedupe_key TEXT,
  created_at TEXT NOT NULL,
  read_at TEXT
);
-- "My notifications, newest first" and "my unread ones, newest first" are one index range each;
-- the unread count reads the second index alone (read_at IS NULL is an equality on it).
CREATE INDEX sg_notifications_user ON sg_notifications (user_id, id);
CREATE INDEX sg_notifications_unread ON sg_notifications (user_id, read_at, id);
CREATE UNIQUE INDEX sg_notifications_dedupe ON sg_notifications (user_id, plugin, dedupe_key)
  WHERE dedupe_key IS NOT NULL;

-- One-off jobs a plugin scheduled (scheduleJobEffect). state: queued (waiting, or claimed by a tick
-- while claim is set and run_at is its lease's end), done, failed (attempts used up; last_error
-- says why). run_at is when a tick may next take the row: the due time, a lease's end, a retry's
-- time, or when it finished, so (state, run_at) serves the tick, the admin list and the clean-up.
CREATE TABLE sg_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  plugin TEXT NOT NULL,
  job TEXT NOT NULL,
  -- Unique per plugin and job: scheduling the same key again is idempotent or replaces the job.
  key TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
  run_at TEXT NOT NULL,
  -- The time the plugin asked for (run_at moves with leases and retries).
  due_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  claim TEXT,
  last_error TEXT,
  last_result TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX sg_jobs_key ON sg_jobs (plugin, job, key);
CREATE INDEX sg_jobs_due ON sg_jobs (state, run_at);
