-- Audit searches (worker/audit/query.ts) filter by who acted or by table and page newest first by id,
-- so each index ends in id: `user_id = ? AND id < ? ORDER BY id DESC` walks the index backwards.
CREATE INDEX sg_audit_user ON sg_audit (user_id, id);
CREATE INDEX sg_audit_table ON sg_audit (table_id, id);

-- Record changes made through an embed token name it (user_id names its creator, who acted).
ALTER TABLE sg_audit ADD COLUMN embed_id TEXT;

-- Embed tokens are listed per view (newest first) and revoked per view when the view is deleted.
CREATE INDEX sg_embed_tokens_view ON sg_embed_tokens (view_id, created_at);

-- The scheduled cleanup deletes expired refresh tokens and stale sign-in failure counters.
CREATE INDEX sg_refresh_tokens_expires ON sg_refresh_tokens (expires_at);
CREATE INDEX sg_login_failures_window ON sg_login_failures (window_start);
