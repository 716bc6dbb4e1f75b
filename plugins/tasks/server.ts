/**
 * The tasks plugin: tasks and appointments, one-off or recurring. Hooks validate recurrence and
 * times; actions change one occurrence of a series; `calendars.tasks` places them on calendars and
 * in feeds. Reminders (reminders*.ts) schedule one-off jobs per occurrence.
 */
import type { PluginServer } from "../../worker/plugin-sdk";

const server: PluginServer = {
  hooks: {},
  actions: {},
  jobs: {},
};
export default server;
