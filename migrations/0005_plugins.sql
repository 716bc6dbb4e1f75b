-- Plugins: which bundled plugins are installed (at which version, enabled or not, their settings),
-- and every object a plugin created, by the plugin's own stable key, so an upgrade can tell what it
-- made before (and leaves alone, however an admin changed it) from what is new.

CREATE TABLE sg_plugins (
  name TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  -- JSON object, checked against the manifest's settingsSchema
  settings TEXT NOT NULL DEFAULT '{}',
  -- when the plugin was disabled: its tables were hidden with this deleted_at, so enabling finds them
  disabled_at TEXT,
  installed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- kind: table | field | view | grant; key: the manifest's key ("deals", "deals.stage", "sales_rep:deals").
CREATE TABLE sg_plugin_objects (
  plugin TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  object_id TEXT NOT NULL,
  version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (plugin, kind, key)
);

-- Last run of each scheduled plugin job, so the cron trigger runs a daily job once a day.
CREATE TABLE sg_plugin_jobs (
  plugin TEXT NOT NULL,
  job TEXT NOT NULL,
  last_run_at TEXT NOT NULL,
  last_result TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (plugin, job)
);
