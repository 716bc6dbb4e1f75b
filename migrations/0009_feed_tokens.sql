-- ICS feed tokens (worker/feeds): a user's personal feed (kind 'personal') or a calendar view an admin
-- published (kind 'view'). Only the SHA-256 of a token is stored; the token is shown once. `user_id` is
-- whose access the feed is read with (the owner, or the admin who published the view). A revoked or
-- replaced token keeps its row with `revoked_at`, so a lookup of it finds nothing active.
CREATE TABLE sg_feed_tokens (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('personal', 'view')),
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  view_id TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((kind = 'view') = (view_id IS NOT NULL))
);
-- One active personal feed per user and one active feed per view: turning on again replaces.
CREATE UNIQUE INDEX sg_feed_tokens_personal ON sg_feed_tokens (user_id) WHERE kind = 'personal' AND revoked_at IS NULL;
CREATE UNIQUE INDEX sg_feed_tokens_view ON sg_feed_tokens (view_id) WHERE kind = 'view' AND revoked_at IS NULL;
