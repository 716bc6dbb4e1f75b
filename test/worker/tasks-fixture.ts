/** Shared set-up of the tasks tests: the sales plugins and tasks installed, and short ways to make tasks. */
import { expect } from "vitest";
import { installSales } from "./sales-fixture";
import { signedIn, uniq, type Client } from "./plugins-fixture";

export { signedIn, uniq, type Client };

export async function installTasks(): Promise<{ admin: Client; adminId: string }> {
  const base = await installSales();
  const r = await base.admin.post(`/admin/plugins/tasks/install`);
  expect(r.status, r.text).toBe(200);
  return base;
}

export async function createTask(client: Client, fields: Record<string, unknown>) {
  const r = await client.post(`/tables/tasks/records`, { fields: { title: uniq("Task"), ...fields } });
  expect(r.status, r.text).toBe(201);
  return r.body.record;
}

/** A signed-in user whose profile time zone is `zone`. */
export async function userInZone(roles: string[], zone: string) {
  const u = await signedIn(roles);
  const r = await u.client.patch("/auth/me", { timeZone: zone });
  expect(r.status, r.text).toBe(200);
  return u;
}

/** The team calendar view's events for [from, to) as `client` sees them. */
export async function events(client: Client, from: string, to: string, limit?: number) {
  const views = await client.get("/meta/views?table=tasks");
  expect(views.status, views.text).toBe(200);
  const view = views.body.views.find((v: { name: string }) => v.name === "team_calendar");
  expect(view, views.text).toBeTruthy();
  const q = new URLSearchParams({ from, to, ...(limit ? { limit: String(limit) } : {}) });
  const r = await client.get(`/meta/views/${view.id}/events?${q}`);
  expect(r.status, r.text).toBe(200);
  return r.body as {
    events: { record: number; occurrence: string | null; start: string; end: string | null; allDay: boolean }[];
    truncated: boolean;
  };
}

export const startsOf = (r: { events: { record: number; start: string }[] }, id: number) =>
  r.events.filter((e) => e.record === id).map((e) => e.start);
