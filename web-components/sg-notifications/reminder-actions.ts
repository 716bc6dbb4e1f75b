/** The tasks plugin's actions on a reminder the user got: snooze (10 minutes, an hour, tomorrow 09:00) and dismiss. */
import type { ApiClient, AppNotification } from "../api/client";

export type Snooze = "10m" | "1h" | "tomorrow";
export const SNOOZES: readonly Snooze[] = ["10m", "1h", "tomorrow"];

/** A reminder of a task the reader may still read: it can be snoozed and dismissed. */
export const isReminder = (n: AppNotification) =>
  n.plugin === "tasks" && n.kind === "reminder" && !n.withheld && n.record !== null;

export function snoozeReminder(api: ApiClient, notification: number, until: Snooze) {
  return api.request<{ notification: number; snoozedUntil: string }>("POST", "/api/actions/tasks/snooze-reminder", {
    notification,
    until,
  });
}

export function dismissReminder(api: ApiClient, notification: number) {
  return api.request<{ notification: number; dismissed: true }>("POST", "/api/actions/tasks/dismiss-reminder", {
    notification,
  });
}
