/**
 * <sg-calendar> in Chromium: month and week views with the server's events in the right cells and
 * colours; dragging an event moves the record (its start and end changed on the server), a move the
 * server refuses snaps back and says why, dragging the bottom edge resizes (the end changes), a click
 * on an empty day opens the record form with the start filled in; zh-CN starts weeks on Monday; the
 * app shows a calendar view in the user's profile time zone (not the browser's); axe finds nothing
 * serious.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appUrl, launchBrowser, newPage, screenshot } from "./harness";
import {
  calendarFixture,
  dayCell,
  dragTo,
  eventEl,
  openCalendar,
  person,
  tokenOf,
  type CalendarFixture,
} from "./calendar-fixture";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser: Browser;
let fx: CalendarFixture;
let rep: ReturnType<typeof person>;
let nyRep: ReturnType<typeof person>;

beforeAll(async () => {
  browser = await launchBrowser();
  fx = await calendarFixture();
  rep = person("rep", "Asia/Shanghai", [fx.role]);
  nyRep = person("ny", "America/New_York", [fx.role]);
  for (const u of [rep, nyRep]) await fx.admin.request("POST", "/api/admin/users", u);
});
afterAll(async () => {
  await browser?.close();
});

const startsOf = async (id: number) => (await fx.admin.getRecord(fx.table, id)).record.fields as Record<string, string>;

async function calendarFor(page: Page, date = "2026-12-01") {
  return openCalendar(page, { token: await tokenOf(rep), view: fx.viewId, date });
}

it("shows the month with each event in its day and its choice's colour, and the week with times", async () => {
  const { page, context } = await newPage(browser);
  const cal = await calendarFor(page);
  await dayCell(cal, "2026-12-08").locator(".fc-event", { hasText: "Alpha call" }).waitFor();
  await dayCell(cal, "2026-12-10").locator(".fc-event", { hasText: "Beta visit" }).waitFor();
  // Colour from the kind's choice (#b91c1c), text readable on it.
  const beta = eventEl(cal, "Beta visit");
  const colours = await beta.evaluate((el) => {
    const dot = el.querySelector(".fc-daygrid-event-dot") as HTMLElement | null;
    const s = getComputedStyle(dot ?? el);
    return { border: s.borderTopColor, bg: getComputedStyle(el).backgroundColor };
  });
  expect([colours.border, colours.bg]).toContain("rgb(185, 28, 28)");
  await cal.locator("button.fc-timeGridWeek-button").click();
  await cal.locator("button.fc-next-button").click();
  await cal.locator(".fc-timegrid-event", { hasText: "Alpha call" }).waitFor();
  // Shanghai wall time of 02:00Z.
  expect(await cal.locator(".fc-timegrid-event", { hasText: "Alpha call" }).innerText()).toContain("10:00");
  await screenshot(page, "calendar-week");
  await context.close();
});

it("moves an event by dragging it to another day: the record's start and end change on the server", async () => {
  const { page, context } = await newPage(browser);
  const cal = await calendarFor(page);
  const id = fx.ids.get("Alpha call")!;
  await dragTo(page, eventEl(cal, "Alpha call"), dayCell(cal, "2026-12-11"));
  await expect.poll(async () => (await startsOf(id)).starts, { timeout: 10_000 }).toBe("2026-12-11T02:00:00.000Z");
  expect((await startsOf(id)).ends).toBe("2026-12-11T03:00:00.000Z");
  await dayCell(cal, "2026-12-11").locator(".fc-event", { hasText: "Alpha call" }).waitFor();
  await context.close();
});

it("snaps a refused move back and shows the server's reason", async () => {
  const { page, context } = await newPage(browser);
  const cal = await calendarFor(page);
  const id = fx.ids.get("Beta visit")!;
  const before = await startsOf(id);
  // The role may move only meetings that start before Dec 20: the server refuses the new row.
  await dragTo(page, eventEl(cal, "Beta visit"), dayCell(cal, "2026-12-23"));
  const toast = cal.locator("sg-toast [data-toast]");
  await toast.first().waitFor({ timeout: 10_000 });
  expect((await toast.first().innerText()).trim().length).toBeGreaterThan(5);
  await dayCell(cal, "2026-12-10").locator(".fc-event", { hasText: "Beta visit" }).waitFor();
  expect(await dayCell(cal, "2026-12-23").locator(".fc-event", { hasText: "Beta visit" }).count()).toBe(0);
  expect(await startsOf(id)).toEqual(before);
  await screenshot(page, "calendar-refused");
  await context.close();
});

it("resizes an event by dragging its bottom edge in the week view: the end changes", async () => {
  const { page, context } = await newPage(browser);
  const cal = await calendarFor(page, "2026-12-09");
  await cal.locator("button.fc-timeGridWeek-button").click();
  const id = fx.ids.get("Gamma call")!;
  const ev = cal.locator(".fc-timegrid-event", { hasText: "Gamma call" });
  await ev.waitFor();
  await ev.hover();
  const handle = ev.locator(".fc-event-resizer-end");
  await handle.waitFor();
  const box = (await handle.boundingBox())!;
  const slot = (await cal.locator("td.fc-timegrid-slot-lane").first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 4, { steps: 2 });
  // Two more half-hour slots: the meeting ends an hour later.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + slot.height * 2, { steps: 10 });
  await page.mouse.up();
  await expect.poll(async () => (await startsOf(id)).ends, { timeout: 10_000 }).toBe("2026-12-09T03:00:00.000Z");
  expect((await startsOf(id)).starts).toBe("2026-12-09T01:00:00.000Z");
  await context.close();
});

it("creates a record from a click on an empty day, with the start filled in", async () => {
  const { page, context } = await newPage(browser);
  const cal = await calendarFor(page);
  const cell = dayCell(cal, "2026-12-17");
  const box = (await cell.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 8);
  const dialog = cal.locator("dialog[data-dialog=new-record]");
  await dialog.waitFor();
  const title = `Made on the calendar ${Math.random().toString(36).slice(2, 6)}`;
  await dialog.locator("sg-form [name=title], sg-form input").first().fill(title);
  await dialog.locator("sg-form button[type=submit]").click();
  await dialog.waitFor({ state: "detached", timeout: 10_000 });
  const found = await fx.admin.listRecords(fx.table, { filter: { field: "title", op: "eq", value: title } });
  // Midnight of Dec 17 in Shanghai, the browser's zone (no profile in a standalone page).
  expect(found.records[0]?.fields.starts).toBe("2026-12-16T16:00:00.000Z");
  await dayCell(cal, "2026-12-17").locator(".fc-event", { hasText: title }).waitFor();
  await context.close();
});

it("starts weeks on Monday in zh-CN and on Sunday in en", async () => {
  const zh = await newPage(browser, { locale: "zh-CN" });
  const calZh = await calendarFor(zh.page);
  const firstZh = calZh.locator("th.fc-col-header-cell").first();
  await firstZh.waitFor();
  expect(await firstZh.getAttribute("class")).toContain("fc-day-mon");
  expect(await calZh.locator("button.fc-today-button").innerText()).toBe("今天");
  await screenshot(zh.page, "calendar-zh");
  await zh.context.close();
  const en = await newPage(browser);
  const calEn = await calendarFor(en.page);
  expect(await calEn.locator("th.fc-col-header-cell").first().getAttribute("class")).toContain("fc-day-sun");
  await en.context.close();
});

it("opens the view in the app in the user's profile time zone, not the browser's", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(`${appUrl()}/`);
  await page.locator("sg-app input[name=email]").fill(nyRep.email);
  await page.locator("sg-app input[name=password]").fill(nyRep.password);
  await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
  await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
  await page.goto(`${appUrl()}/#/v/${fx.viewId}`);
  const cal = page.locator("sg-app sg-calendar");
  await cal.locator(".fc").waitFor();
  await cal.evaluate((el) => ((el as HTMLElement & { date: string }).date = "2026-12-15"));
  await cal.locator("button.fc-timeGridDay-button").click();
  const delta = cal.locator(".fc-timegrid-event", { hasText: "Delta call" });
  await delta.waitFor();
  // 14:00Z is 09:00 in New York (the profile), 22:00 in Shanghai (the browser).
  expect(await delta.innerText()).toContain("09:00");
  await screenshot(page, "calendar-app-new-york");
  // A click on the event opens the record's drawer.
  await delta.click();
  await page.locator("sg-app [data-drawer]").waitFor();
  await context.close();
});

it("has no serious accessibility violation in the month and list views", async () => {
  const context = await browser.newContext({ locale: "en", viewport: { width: 1360, height: 860 }, bypassCSP: true });
  const page = await context.newPage();
  const cal = await openCalendar(page, { token: await tokenOf(rep), view: fx.viewId });
  await eventEl(cal, "Gamma call").waitFor();
  const run = async () => {
    await page.addScriptTag({ path: AXE });
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<any> } }).axe;
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return (r.violations as { id: string; impact: string; nodes: { target: unknown }[] }[])
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
    });
  };
  expect(JSON.stringify(await run())).toBe("[]");
  await cal.locator("button.fc-listWeek-button").click();
  await cal.locator(".fc-list").waitFor();
  expect(JSON.stringify(await run())).toBe("[]");
  await context.close();
});
