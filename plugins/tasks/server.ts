/**
 * The tasks plugin: tasks and appointments, one-off or recurring (an RRULE in the assignee's time
 * zone). The write hook checks rules and times and logs activities (hooks.ts); actions change one
 * occurrence of a series (occurrences.ts); `calendars.tasks` places tasks on calendars and in feeds
 * (calendar.ts). Reminders (reminders*.ts) schedule one-off jobs per occurrence.
 */
import type { PluginServer } from "../../worker/plugin-sdk";
import { tasksCalendar } from "./calendar";
import { beforeTasks, readOnlyOccurrences } from "./hooks";
import { occurrenceActions } from "./occurrences";
import { reminderActions } from "./reminders-actions";
import { remindJob } from "./reminders-job";
import { withReminders } from "./reminders-schedule";

const server: PluginServer = {
  hooks: {
    tasks: { beforeWrite: withReminders(beforeTasks) },
    task_occurrences: { beforeWrite: readOnlyOccurrences },
  },
  actions: { ...occurrenceActions, ...reminderActions },
  jobs: { remind: remindJob },
  calendars: { tasks: tasksCalendar },
};
export default server;
