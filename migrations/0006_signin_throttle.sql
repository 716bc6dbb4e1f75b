-- Sign-in throttling by account and client together (worker/auth/throttle.ts). A row keyed
-- `pair:<client>|<email>` keeps its failures with a growing delay: `next_at` (epoch ms) is the
-- earliest time its next attempt reaches the password check. `attempt` names the attempt a pair
-- row last counted, so the client and account counters in the same batch count only that attempt.
ALTER TABLE sg_login_failures ADD COLUMN next_at INTEGER;
ALTER TABLE sg_login_failures ADD COLUMN attempt TEXT;
