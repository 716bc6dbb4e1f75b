/**
 * The tasks views: My day (my open tasks due today or before, in my own time zone), This week (due in
 * the next seven days), Overdue (a board by status of tasks due before today). Saved view filters
 * take `$user` and `{"$today": n}`, resolved per viewer: a datetime's day bound is midnight in the
 * viewer's zone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { instantOf, wallAt } from "../../lib/zoned-time";
import { createTask, installTasks, signedIn, userInZone, type Client } from "./tasks-fixture";

beforeAll(async () => {
  await installTasks();
});

const ZONE = "Asia/Shanghai";
/** The instant of `hh:mm` local time `days` from today in ZONE. */
function localIn(days: number, hour: number, minute = 0): string {
  const now = wallAt(Date.now(), ZONE);
  const base = Date.UTC(now.year, now.month - 1, now.day + days);
  const d = new Date(base);
  const w = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour, minute, second: 0 };
  return new Date(instantOf(w, ZONE)).toISOString();
}

async function viewRecords(client: Client, name: string) {
  const views = await client.get("/meta/views?table=tasks");
  const view = views.body.views.find((v: { name: string }) => v.name === name);
  expect(view, views.text).toBeTruthy();
  const r = await client.get(`/meta/views/${view.id}/records?limit=200`);
  expect(r.status, r.text).toBe(200);
  return r.body.records as { id: number; fields: Record<string, unknown> }[];
}

describe("tasks views with relative dates", () => {
  it("My day: my open tasks due today (to local midnight) or overdue, not tomorrow's, not a colleague's", async () => {
    // A minute before now would race the day's end; the test's times sit well inside their days.
    const rep = await userInZone(["sales_rep"], ZONE);
    const overdue = await createTask(rep.client, { due_at: localIn(-2, 10) });
    const lateToday = await createTask(rep.client, { due_at: localIn(0, 23, 59) });
    const tomorrow = await createTask(rep.client, { due_at: localIn(1, 0, 1) });
    const done = await createTask(rep.client, { due_at: localIn(0, 9), status: "done" });
    const other = await userInZone(["sales_rep"], ZONE);
    await createTask(other.client, { due_at: localIn(0, 9) });
    const ids = (await viewRecords(rep.client, "my_day")).map((r) => r.id);
    expect(ids).toEqual([overdue.id, lateToday.id]);
    expect(ids).not.toContain(tomorrow.id);
    expect(ids).not.toContain(done.id);
  });

  it("This week: open tasks due from today through the sixth day on; Overdue: due before today, by status", async () => {
    const rep = await userInZone(["sales_rep"], ZONE);
    const past = await createTask(rep.client, { due_at: localIn(-1, 12) });
    const today = await createTask(rep.client, { due_at: localIn(0, 0, 1) });
    const sixth = await createTask(rep.client, { due_at: localIn(6, 23) });
    const seventh = await createTask(rep.client, { due_at: localIn(7, 0, 1) });
    const week = (await viewRecords(rep.client, "this_week")).map((r) => r.id);
    expect(week).toEqual([today.id, sixth.id]);
    expect(week).not.toContain(seventh.id);
    const overdue = (await viewRecords(rep.client, "overdue")).map((r) => r.id);
    expect(overdue).toEqual([past.id]);
  });

  it('a caller\'s own filter takes {"$today": n} too, and an out-of-range shift is a 422 naming the value', async () => {
    const rep = await signedIn(["sales_rep"]);
    const t = await createTask(rep.client, { due_at: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    const f = encodeURIComponent(JSON.stringify({ field: "due_at", op: "lt", value: { $today: 0 } }));
    const r = await rep.client.get(`/tables/tasks/records?filter=${f}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.records.map((x: { id: number }) => x.id)).toContain(t.id);
    const bad = encodeURIComponent(JSON.stringify({ field: "due_at", op: "lt", value: { $today: 10_000_000 } }));
    const b = await rep.client.get(`/tables/tasks/records?filter=${bad}`);
    expect(b.status, b.text).toBe(422);
    expect(b.body.errors[0].field).toBe("filter/value");
  });
});
