/**
 * Shared set-up of the calendar browser tests: a table of meetings (datetime start and end, a kind
 * whose choices carry colours), a role that may move only meetings that start before 2026-12-20 (so
 * a drag past it is refused by the server's row rule), users in chosen time zones, a calendar view,
 * and <sg-calendar> opened on a page with a token.
 */
import { expect, inject } from "vitest";
import type { Locator, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs } from "./harness";

export const tag = Math.random().toString(36).slice(2, 7);

export interface CalendarFixture {
  admin: ApiClient;
  table: string;
  role: string;
  viewId: string;
  /** Ids of the meetings by title. */
  ids: Map<string, number>;
}

export const person = (name: string, timeZone: string, roles: string[]) => ({
  email: `cal.${name}.${tag}@example.com`,
  name: `Cal ${name} ${tag}`,
  password: `Pw-${tag}-${name}-long-enough-42`,
  timeZone,
  roles,
});

export const MEETINGS = [
  // Shanghai: Dec 8 10:00-11:00.
  { title: "Alpha call", starts: "2026-12-08T02:00:00.000Z", ends: "2026-12-08T03:00:00.000Z", kind: "call" },
  // Shanghai: Dec 10 14:00-15:00.
  { title: "Beta visit", starts: "2026-12-10T06:00:00.000Z", ends: "2026-12-10T07:00:00.000Z", kind: "visit" },
  // Shanghai: Dec 9 09:00-10:00; the one resized.
  { title: "Gamma call", starts: "2026-12-09T01:00:00.000Z", ends: "2026-12-09T02:00:00.000Z", kind: "call" },
  // New York: Dec 15 09:00-10:00 (EST); Shanghai: Dec 15 22:00.
  { title: "Delta call", starts: "2026-12-15T14:00:00.000Z", ends: "2026-12-15T15:00:00.000Z", kind: "call" },
];

export async function calendarFixture(): Promise<CalendarFixture> {
  const admin = await apiAs("admin");
  const table = `calb_${tag}`;
  const role = `calb_rep_${tag}`;
  await admin.request("POST", "/api/meta/tables", {
    name: table,
    primaryField: "title",
    fields: [
      { name: "title", type: "text" },
      { name: "starts", type: "datetime" },
      { name: "ends", type: "datetime" },
      {
        name: "kind",
        type: "single_select",
        options: {
          choices: [
            { name: "call", color: "#1d4ed8" },
            { name: "visit", color: "#b91c1c" },
          ],
        },
      },
    ],
  });
  await admin.request("POST", "/api/admin/roles", { name: role });
  await admin.request("PUT", `/api/admin/roles/${role}/grants/${table}`, {
    read: "all",
    create: "all",
    update: { rule: { field: "starts", op: "lt", value: "2026-12-20T00:00:00Z" } },
    delete: "none",
    defaultField: "write",
  });
  const { records } = await admin.createRecords(
    table,
    MEETINGS.map((fields) => ({ fields })),
  );
  const ids = new Map(records.map((r) => [r.fields.title as string, r.id]));
  const { view } = await admin.request<{ view: { id: string } }>("POST", "/api/meta/views", {
    name: `meetings_${tag}`,
    label: `Meetings ${tag}`,
    table,
    type: "calendar",
    roles: [role],
    layout: { dateField: "starts", endField: "ends", titleField: "title", colorField: "kind" },
  });
  return { admin, table, role, viewId: view.id, ids };
}

/** A signed-in user's access token, for a standalone <sg-calendar token=...>. */
export async function tokenOf(u: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${inject("baseUrl")}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: u.email, password: u.password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** <sg-calendar> on a page of `origin` (the app's, or a foreign one for embeds), loaded by embed.js. */
export async function openCalendar(
  page: Page,
  opts: { token: string; view?: string; date?: string; origin?: string; extra?: string },
): Promise<Locator> {
  const base = inject("baseUrl");
  await page.goto(`${opts.origin ?? inject("secondOrigin")}/`);
  await page.setContent(
    `<!doctype html><html lang="en"><head><title>Intranet</title></head><body>` +
      `<h1>Intranet</h1><script type="module" src="${base}/embed.js"></script>` +
      `<sg-calendar base-url="${base}" token="${opts.token}" ${opts.view ? `view="${opts.view}"` : ""} date="${opts.date ?? "2026-12-01"}" style="height: 760px" ${opts.extra ?? ""}></sg-calendar>`,
  );
  const cal = page.locator("sg-calendar");
  await cal.locator(".fc").waitFor();
  return cal;
}

/** The event titled `title` (FullCalendar's element). */
export const eventEl = (cal: Locator, title: string) => cal.locator(".fc-event", { hasText: title }).first();

/** The month view's cell of `date` (YYYY-MM-DD). */
export const dayCell = (cal: Locator, date: string) => cal.locator(`td.fc-daygrid-day[data-date="${date}"]`);

/** Drags `from` onto `to` with the mouse in steps, as a person would. */
export async function dragTo(page: Page, from: Locator, to: Locator, dy = 0): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 5, a.y + a.height / 2 + 5, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2 + dy, { steps: 12 });
  await page.mouse.up();
}
