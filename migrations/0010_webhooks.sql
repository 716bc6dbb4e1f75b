-- Webhooks: a user's notifications delivered to an HTTPS endpoint of theirs (worker/notifications/webhooks*.ts).

-- One webhook per user. The signing secret is kept as given out (HMAC needs the key itself) and is
-- never returned after it was shown once (creation, rotation). app_url is the origin the user set
-- it from, for the link to the record in each delivery (the cron tick knows no request).
CREATE TABLE sg_webhooks (
  user_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  secret TEXT NOT NULL,
  app_url TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  secret_at TEXT NOT NULL
);

-- One row per notification (or test ping, notification_id NULL) to deliver. state: queued (waiting,
-- or claimed by a tick while claim is set and run_at is its lease's end), delivered, failed
-- (attempts used up or refused for good), cancelled (the webhook was off or gone when its turn came).
-- Written in the same batch as the notification, so a rolled-back notification is never delivered.
CREATE TABLE sg_webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  notification_id INTEGER,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'failed', 'cancelled')),
  run_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  claim TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX sg_webhook_deliveries_due ON sg_webhook_deliveries (state, run_at);
CREATE INDEX sg_webhook_deliveries_user ON sg_webhook_deliveries (user_id, id);

-- Every notification stored for a user whose webhook is on queues its delivery inside the same
-- statement, so inside the same batch: whatever path stores notifications (one, many in one statement),
-- a rolled-back one is never delivered and a committed one is never lost. A duplicate the dedupe
-- index refuses (ON CONFLICT DO NOTHING) inserts no row and queues nothing.
CREATE TRIGGER sg_notifications_webhook AFTER INSERT ON sg_notifications
BEGIN
  INSERT INTO sg_webhook_deliveries (user_id, notification_id, run_at, created_at, updated_at)
  SELECT NEW.user_id, NEW.id, NEW.created_at, NEW.created_at, NEW.created_at
  FROM sg_webhooks WHERE user_id = NEW.user_id AND enabled = 1;
END;

-- The delivery log: one row per attempt, the user's own, newest first by id. status is the HTTP
-- status (NULL when no answer came: error says why); next_retry_at is set when another attempt follows.
CREATE TABLE sg_webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  notification_id INTEGER,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  next_retry_at TEXT
);
CREATE INDEX sg_webhook_attempts_user ON sg_webhook_attempts (user_id, id);
CREATE INDEX sg_webhook_attempts_at ON sg_webhook_attempts (at);
