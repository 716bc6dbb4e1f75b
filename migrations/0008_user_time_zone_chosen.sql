-- Whether the user's time zone was chosen (by them or an admin) or is still the default: the app sets
-- an unchosen one to the browser's at the first sign-in, and never overrides a chosen one.
ALTER TABLE sg_users ADD COLUMN time_zone_chosen INTEGER NOT NULL DEFAULT 0;
-- Users made before this column had their time zone set on purpose where it is not the default.
UPDATE sg_users SET time_zone_chosen = 1 WHERE time_zone <> 'UTC';
