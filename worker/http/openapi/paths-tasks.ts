/** OpenAPI paths: the tasks plugin's actions on one occurrence of a recurring task (plugins/tasks/occurrences.ts). */
import { errors, json, object } from "./parts";

const ID = { type: "integer", minimum: 1 };
const OCCURRENCE = {
  type: "string",
  maxLength: 40,
  description:
    "The occurrence's original start (RECURRENCE-ID): an ISO 8601 instant, or YYYY-MM-DD for an all-day task",
};
const INSTANT = { type: "string", format: "date-time" };
const EXCEPTION = object(
  {
    task: { type: "integer" },
    occurrence: { type: "string" },
    state: { enum: ["done", "moved", "skipped"] },
    start_at: INSTANT,
    end_at: { type: ["string", "null"], format: "date-time" },
    done_at: INSTANT,
  },
  ["task", "occurrence", "state"],
);

const action = (operationId: string, summary: string, body: object) => ({
  post: {
    operationId,
    summary,
    requestBody: json(body),
    responses: { 200: { description: "The occurrence's exception as stored", ...json(EXCEPTION) }, ...errors },
  },
});

export const tasksPaths = {
  "/api/actions/tasks/complete-occurrence": action(
    "completeTaskOccurrence",
    "Mark one occurrence of a recurring task done, leaving the series open; a call, meeting or visit logs an activity on its customer with the notes. Needs update on the task. 409 when the occurrence is already done or skipped (two completions at once: one wins).",
    object({ task: ID, occurrence: OCCURRENCE, notes: { type: "string", maxLength: 10000 } }, ["task", "occurrence"]),
  ),
  "/api/actions/tasks/move-occurrence": action(
    "moveTaskOccurrence",
    "Move one occurrence of a recurring task to a new start (and end; without one it keeps its duration). The calendar calls it when an occurrence is dragged. 422 naming end when it is before start.",
    object(
      { task: ID, occurrence: OCCURRENCE, start: INSTANT, end: { type: ["string", "null"], format: "date-time" } },
      ["task", "occurrence", "start"],
    ),
  ),
  "/api/actions/tasks/skip-occurrence": action(
    "skipTaskOccurrence",
    "Skip one occurrence of a recurring task (an EXDATE in feeds). 409 when already skipped or done.",
    object({ task: ID, occurrence: OCCURRENCE }, ["task", "occurrence"]),
  ),
  "/api/actions/tasks/split-series": {
    post: {
      operationId: "splitTaskSeries",
      summary:
        "Change this and the following occurrences: the series ends before the occurrence (UNTIL, or COUNT when counted) and a new task carries the rest with the changes; exceptions from the occurrence on follow it when its starts stay. One batch.",
      requestBody: json(
        object(
          {
            task: ID,
            occurrence: OCCURRENCE,
            changes: object({
              title: { type: "string" },
              kind: { type: "string" },
              priority: { type: ["string", "null"] },
              start_at: INSTANT,
              end_at: { type: ["string", "null"], format: "date-time" },
              location: { type: ["string", "null"] },
              notes: { type: ["string", "null"] },
              recurrence: { type: "string", description: "An RRULE for the new series" },
              reminders: { type: ["array", "null"], items: { type: "string" } },
            }),
          },
          ["task", "occurrence", "changes"],
        ),
      ),
      responses: {
        200: {
          description: "{task, recurrence (the old series' rule now), newTask, series_until}",
          ...json(
            object(
              {
                task: { type: "integer" },
                recurrence: { type: "string" },
                newTask: { type: "integer" },
                series_until: { type: ["string", "null"] },
              },
              ["task", "recurrence", "newTask"],
            ),
          ),
        },
        ...errors,
      },
    },
  },
};
