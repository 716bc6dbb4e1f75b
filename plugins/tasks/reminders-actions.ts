/**
 * Snooze and dismiss a reminder the caller got (`POST /api/actions/tasks/snooze-reminder`,
 * `.../dismiss-reminder`). Both act on the caller's own reminder notification about a task they may
 * still read; any other id answers 404 alike. Snooze marks it read and schedules the reminder again
 * (10 minutes, an hour, or tomorrow 09:00 in the caller's zone): one job per notification, so
 * concurrent snoozes leave one, the last. Dismiss marks it read and drops a snooze still waiting.
 */
import {
  cancelJobEffect,
  markReadEffect,
  notFound,
  ownNotification,
  permittedIds,
  runEffects,
  scheduleJobEffect,
  userTimeZones,
  type ActionContext,
  type ActionDef,
} from "../../worker/plugin-sdk";
import { REMIND_JOB, SNOOZES, snoozeUntil, type Snooze } from "./reminders";
import { DEFAULT_ZONE } from "./series";

const NOTIFICATION = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

/** The reminder a dedupe key names (reminders-deliver.ts `dedupeKeyOf`). */
function reminderOf(dedupeKey: string | null) {
  const m = dedupeKey ? /^reminder:(\d{1,15})@([^/]{1,40})\/(\d{1,7})m(?::snooze@.*)?$/.exec(dedupeKey) : null;
  return m ? { task: Number(m[1]), occurrence: m[2]!, offset: Number(m[3]) } : null;
}

const snoozeKey = (notification: number) => `snooze:${notification}`;

/** The caller's reminder notification about a task they may read, or 404. */
async function ownReminder(ctx: ActionContext, id: number) {
  const n = await ownNotification(ctx, id);
  const ref = n?.kind === "reminder" ? reminderOf(n.dedupeKey) : null;
  const t = ctx.table("tasks");
  if (!n || !ref || n.record?.table !== t.meta.id || n.record.id !== ref.task)
    throw notFound("reminder", "notification");
  if (!(await permittedIds(ctx, t, "read", [ref.task])).has(ref.task)) throw notFound("reminder", "notification");
  return { n, ref };
}

async function snooze(ctx: ActionContext) {
  const input = ctx.input as { notification: number; until: Snooze };
  const { n, ref } = await ownReminder(ctx, input.notification);
  const zone = (await userTimeZones(ctx, [ctx.principal.userId])).get(ctx.principal.userId) ?? DEFAULT_ZONE;
  const until = new Date(snoozeUntil(input.until, Date.parse(ctx.at), zone)).toISOString();
  await runEffects(ctx.db, [
    ...markReadEffect(ctx, [n.id]),
    ...scheduleJobEffect(ctx, {
      job: REMIND_JOB,
      at: until,
      key: snoozeKey(n.id),
      payload: {
        ...ref,
        start: ref.occurrence.length === 10 ? `${ref.occurrence}T00:00:00.000Z` : ref.occurrence,
        snooze: until,
        notification: n.id,
      },
    }),
  ]);
  return { notification: n.id, snoozedUntil: until };
}

async function dismiss(ctx: ActionContext) {
  const { n } = await ownReminder(ctx, (ctx.input as { notification: number }).notification);
  await runEffects(ctx.db, [
    ...markReadEffect(ctx, [n.id]),
    ...cancelJobEffect(ctx, { job: REMIND_JOB, key: snoozeKey(n.id) }),
  ]);
  return { notification: n.id, dismissed: true };
}

export const reminderActions: Record<string, ActionDef> = {
  "snooze-reminder": {
    input: {
      type: "object",
      additionalProperties: false,
      required: ["notification", "until"],
      properties: { notification: NOTIFICATION, until: { enum: [...SNOOZES] } },
    },
    run: snooze,
  },
  "dismiss-reminder": {
    input: {
      type: "object",
      additionalProperties: false,
      required: ["notification"],
      properties: { notification: NOTIFICATION },
    },
    run: dismiss,
  },
};
