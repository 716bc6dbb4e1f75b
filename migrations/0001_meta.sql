-- Meta-schema: the registry of user tables and fields, users, audit, settings.
-- User tables themselves are created at run time by worker/model/ddl.ts.

CREATE TABLE sg_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- Bumped on every schema change so isolates know when their cached registry is stale.
INSERT INTO sg_settings (key, value) VALUES ('schema_version', '1');

CREATE TABLE sg_users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  password_hash TEXT,
  roles TEXT NOT NULL DEFAULT '[]',
  locale TEXT NOT NULL DEFAULT 'en',
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX sg_users_email ON sg_users (email);

CREATE TABLE sg_tables (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  description TEXT NOT NULL DEFAULT '',
  primary_field_id TEXT,
  -- physical tables holding this table's columns: slot 0 is the main table, 1.. extensions
  slots INTEGER NOT NULL DEFAULT 1,
  -- record ids are reserved from this counter before a write batch, so audit and link rows can name them
  next_record_id INTEGER NOT NULL DEFAULT 1,
  plugin TEXT,
  deleted_at TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX sg_tables_name ON sg_tables (name) WHERE deleted_at IS NULL;

CREATE TABLE sg_fields (
  id TEXT PRIMARY KEY,
  table_id TEXT NOT NULL REFERENCES sg_tables (id),
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  description TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  required INTEGER NOT NULL DEFAULT 0,
  indexed INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  -- autonumber counter
  next_number INTEGER NOT NULL DEFAULT 1,
  deleted_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sg_fields_table ON sg_fields (table_id, position);
CREATE UNIQUE INDEX sg_fields_name ON sg_fields (table_id, name) WHERE deleted_at IS NULL;

CREATE TABLE sg_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  user_id TEXT,
  action TEXT NOT NULL,
  table_id TEXT,
  record_id INTEGER,
  field_id TEXT,
  -- JSON: {field: [before, after]} for records; free-form details for schema actions
  changes TEXT NOT NULL DEFAULT '{}',
  request_id TEXT
);
CREATE INDEX sg_audit_record ON sg_audit (table_id, record_id, id);
CREATE INDEX sg_audit_at ON sg_audit (at);

-- A write batch inserts a row here only when an invariant it depends on no longer holds
-- (a stale version, a vanished link target); the CHECK then aborts the whole batch.
CREATE TABLE sg_guard (
  ok INTEGER NOT NULL CHECK (ok = 1),
  reason TEXT
);
