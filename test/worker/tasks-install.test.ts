/** The tasks plugin installs over customers, pipeline and sales: its tables, views and grants. */
import { beforeAll, describe, expect, it } from "vitest";
import { createTask, installTasks, signedIn, type Client } from "./tasks-fixture";

let admin: Client;
beforeAll(async () => {
  ({ admin } = await installTasks());
});

describe("tasks plugin install", () => {
  it("creates tasks and task_occurrences, and a rep creates a task of their own", async () => {
    const tables = await admin.get("/meta/tables");
    const names = tables.body.tables.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(["tasks", "task_occurrences"]));
    const rep = await signedIn(["sales_rep"]);
    const t = await createTask(rep.client, { kind: "call", status: "open", assignee: rep.id });
    expect(t.fields.assignee).toBe(rep.id);
  });
});

describe("tasks views", () => {
  it("installs My day, This week, Overdue and the team calendar", async () => {
    const r = await admin.get("/admin/plugins");
    const tasks = r.body.plugins.find((p: { name: string }) => p.name === "tasks");
    expect(tasks, r.text).toBeTruthy();
    const views = await admin.get("/meta/views?table=tasks");
    expect(views.body.views.map((v: { name: string }) => v.name).sort(), views.text).toEqual([
      "my_day",
      "overdue",
      "team_calendar",
      "this_week",
    ]);
  });
});
