/**
 * <sg-calendar> embedded in an intranet page of another origin with an embed token: embed.js loads it
 * on first sight; FullCalendar's style sheet reaches the element's shadow root (real rendering: the
 * toolbar laid out as flex, day cells with borders, events in their day cell in their choice's
 * colour); an edit token moves an event through the embed API; a read-only token moves nothing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, newPage, screenshot } from "./harness";
import { calendarFixture, dayCell, dragTo, eventEl, openCalendar, type CalendarFixture } from "./calendar-fixture";

let browser: Browser;
let fx: CalendarFixture;

beforeAll(async () => {
  browser = await launchBrowser();
  fx = await calendarFixture();
});
afterAll(async () => {
  await browser?.close();
});

async function mint(mode: "read" | "edit"): Promise<string> {
  const reply = await fx.admin.request<{ token: string }>("POST", "/api/admin/embed-tokens", {
    view: fx.viewId,
    mode,
    expiresInDays: 1,
    label: `calendar ${mode}`,
  });
  return reply.token;
}

it("renders with FullCalendar's styles inside its shadow root on a foreign page", async () => {
  const { page, context } = await newPage(browser);
  const cal = await openCalendar(page, { token: await mint("read") });
  await dayCell(cal, "2026-12-08").locator(".fc-event", { hasText: "Alpha call" }).waitFor();
  const looks = await cal.evaluate((host) => {
    const root = host.shadowRoot!;
    const css = (sel: string) => getComputedStyle(root.querySelector(sel)!);
    const event = [...root.querySelectorAll<HTMLElement>(".fc-event")].find((e) =>
      e.textContent?.includes("Beta visit"),
    )!;
    const dot = event.querySelector(".fc-daygrid-event-dot");
    return {
      sheetInShadow: !!root.querySelector("style[data-fullcalendar]"),
      fcDisplay: css(".fc").display,
      toolbarDisplay: css(".fc-header-toolbar").display,
      cellBorder: css("td.fc-daygrid-day").borderTopStyle,
      cellBorderColor: css("td.fc-daygrid-day").borderTopColor,
      tableLayout: css("table.fc-scrollgrid").tableLayout,
      buttonBg: css("button.fc-today-button").backgroundColor,
      eventColour: dot ? getComputedStyle(dot).borderTopColor : getComputedStyle(event).backgroundColor,
      cellWidth: root.querySelector("td.fc-daygrid-day")!.getBoundingClientRect().width,
    };
  });
  expect(looks).toMatchObject({
    sheetInShadow: true,
    fcDisplay: "flex",
    toolbarDisplay: "flex",
    cellBorder: "solid",
    cellBorderColor: "rgb(208, 215, 222)",
    tableLayout: "fixed",
    buttonBg: "rgb(36, 82, 122)",
    eventColour: "rgb(185, 28, 28)",
  });
  // Seven equal columns across the element's width, not a collapsed table.
  expect(looks.cellWidth).toBeGreaterThan(100);
  // The page's own document is not restyled into a calendar.
  expect(await page.evaluate(() => getComputedStyle(document.querySelector("h1")!).display)).toBe("block");
  await screenshot(page, "calendar-embed");
  await context.close();
});

it("moves an event through an edit embed token", async () => {
  const { page, context } = await newPage(browser);
  const cal = await openCalendar(page, { token: await mint("edit") });
  const id = fx.ids.get("Gamma call")!;
  await dragTo(page, eventEl(cal, "Gamma call"), dayCell(cal, "2026-12-16"));
  await expect
    .poll(async () => (await fx.admin.getRecord(fx.table, id)).record.fields.starts, { timeout: 10_000 })
    .toBe("2026-12-16T01:00:00.000Z");
  await context.close();
});

it("moves nothing through a read-only embed token", async () => {
  const { page, context } = await newPage(browser);
  const cal = await openCalendar(page, { token: await mint("read") });
  const id = fx.ids.get("Alpha call")!;
  const before = (await fx.admin.getRecord(fx.table, id)).record.fields.starts;
  await dragTo(page, eventEl(cal, "Alpha call"), dayCell(cal, "2026-12-02"));
  await page.waitForTimeout(500);
  expect(await dayCell(cal, "2026-12-08").locator(".fc-event", { hasText: "Alpha call" }).count()).toBe(1);
  expect((await fx.admin.getRecord(fx.table, id)).record.fields.starts).toBe(before);
  await context.close();
});
