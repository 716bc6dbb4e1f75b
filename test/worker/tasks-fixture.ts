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
