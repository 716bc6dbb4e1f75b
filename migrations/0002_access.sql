-- Permissions: roles, teams, grants, views, sessions, embed tokens.

CREATE TABLE sg_roles (
  name TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  description TEXT NOT NULL DEFAULT '',
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO sg_roles (name, label, labels, builtin, created_at, updated_at) VALUES
  ('admin', 'Admin', '{"en":"Admin","zh-CN":"管理员"}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('sales_manager', 'Sales manager', '{"en":"Sales manager","zh-CN":"销售经理"}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('sales_rep', 'Sales rep', '{"en":"Sales rep","zh-CN":"销售代表"}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('warehouse', 'Warehouse', '{"en":"Warehouse","zh-CN":"仓库"}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('viewer', 'Viewer', '{"en":"Viewer","zh-CN":"只读用户"}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');

CREATE TABLE sg_teams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX sg_teams_name ON sg_teams (name);

CREATE TABLE sg_team_members (
  team_id TEXT NOT NULL REFERENCES sg_teams (id),
  user_id TEXT NOT NULL REFERENCES sg_users (id),
  -- a manager leads the team: they see its members' rows through `team` grants
  lead INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX sg_team_members_user ON sg_team_members (user_id);

-- One row per role and table: {read, create, update, delete} levels and per-field access.
CREATE TABLE sg_grants (
  role TEXT NOT NULL,
  table_id TEXT NOT NULL,
  ops TEXT NOT NULL,
  fields TEXT NOT NULL DEFAULT '{}',
  default_field TEXT NOT NULL DEFAULT 'write',
  updated_at TEXT NOT NULL,
  PRIMARY KEY (role, table_id)
);

ALTER TABLE sg_tables ADD COLUMN owner_field_id TEXT;

-- Named CHECKs say which invariant aborted a batch.
DROP TABLE sg_guard;
CREATE TABLE sg_guard (
  reason TEXT NOT NULL,
  CONSTRAINT stale CHECK (reason <> 'stale'),
  CONSTRAINT denied CHECK (reason <> 'denied'),
  CONSTRAINT missing CHECK (reason <> 'missing')
);

CREATE TABLE sg_views (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  table_id TEXT NOT NULL,
  definition TEXT NOT NULL,
  roles TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX sg_views_name ON sg_views (table_id, name);

CREATE TABLE sg_refresh_tokens (
  -- SHA-256 of the token; the token itself is never stored
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  family TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX sg_refresh_tokens_user ON sg_refresh_tokens (user_id);
CREATE INDEX sg_refresh_tokens_family ON sg_refresh_tokens (family);

-- Failed sign-ins per key (account or client) within the current window.
CREATE TABLE sg_login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start TEXT NOT NULL
);

CREATE TABLE sg_embed_tokens (
  id TEXT PRIMARY KEY,
  view_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  mode TEXT NOT NULL,
  filter TEXT,
  label TEXT NOT NULL DEFAULT '',
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  created_at TEXT NOT NULL
);

ALTER TABLE sg_users ADD COLUMN sessions_valid_after TEXT;
