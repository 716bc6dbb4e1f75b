/**
 * One cron tick at `now`: what `scheduled()` runs every minute, and (local development only, with
 * DEV_SEED) `POST /api/dev/tick`, so a test can drive the cron with a controlled clock (wrangler dev's
 * `/__scheduled` route takes no time).
 */
import { deleteDeadRefreshTokens } from "./auth/sessions";
import { deleteStaleLoginFailures } from "./auth/throttle";
import type { Env } from "./env";
import { deleteOldDoneJobs, runOnceJobs } from "./jobs/run";
import { deleteOldWebhookLog, deliverWebhooks } from "./notifications/webhooks-deliver";
import { runDueJobs } from "./plugins/jobs";

export async function cronTick(env: Env, now: Date): Promise<void> {
  // Housekeeping: sign-in counters and refresh tokens that can no longer matter, old finished jobs.
  await Promise.all([
    deleteStaleLoginFailures(env.DB),
    deleteDeadRefreshTokens(env.DB, now),
    deleteOldDoneJobs(env.DB, now),
  ]);
  // One-off plugin jobs that are due (claimed first: overlapping ticks never run one twice). A
  // failure here (D1 unavailable) is logged and leaves the recurring jobs their turn.
  await runOnceJobs(env.DB, now).catch((err) => console.error("one-off jobs:", err));
  // Recurring plugin jobs (each runs when its interval has passed).
  await runDueJobs(env.DB, now);
  // Webhook deliveries that are due, the notifications this tick's jobs just stored included
  // (claimed first: overlapping ticks never send one twice); then their log's housekeeping.
  await deliverWebhooks(env.DB, now).catch((err) => console.error("webhooks:", err));
  await deleteOldWebhookLog(env.DB, now).catch((err) => console.error("webhook log cleanup:", err));
}
