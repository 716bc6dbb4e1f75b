/**
 * An admin configures a calendar view without code: the view editor's calendar options (start, end,
 * title and colour fields; the end offers only fields of the start's type) are saved as the view's
 * layout, and the server's refusal of an option is shown beside it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser } from "./harness";
import { openAdmin, section } from "./admin-helpers";
import { calendarFixture, type CalendarFixture } from "./calendar-fixture";

let browser: Browser;
let fx: CalendarFixture;

beforeAll(async () => {
  browser = await launchBrowser();
  fx = await calendarFixture();
});
afterAll(async () => {
  await browser?.close();
});

it("saves a calendar view's start, end, title and colour fields from the view editor", async () => {
  const { page, close } = await openAdmin(browser, appUrl());
  await section(page, "views");
  await page.locator("sg-admin-views select[data-role=view-table]").selectOption(fx.table);
  await page.locator("sg-admin-views [data-role=new-view]").click();
  const editor = page.locator("sg-admin-views [data-role=view-editor]");
  const name = `cal_admin_${Math.random().toString(36).slice(2, 7)}`;
  await editor.locator("input[name=label]").fill("Meetings calendar");
  await editor.locator("input[name=name]").fill(name);
  await editor.locator("select[name=type]").selectOption("calendar");
  const options = editor.locator("[data-role=calendar-options]");
  await options.locator("select[name=date-field]").selectOption("starts");
  // Only another datetime field can end a datetime start.
  expect(await options.locator("select[name=end-field] option").allInnerTexts()).toEqual(["—", "ends"]);
  await options.locator("select[name=end-field]").selectOption("ends");
  await options.locator("select[name=title-field]").selectOption("title");
  await options.locator("select[name=color-field]").selectOption("kind");
  await editor.locator("[data-role=save-view]").click();
  await page.locator(`sg-admin-views tr[data-view="${name}"]`).waitFor();
  const { views } = await fx.admin.views(fx.table);
  expect(views.find((v) => v.name === name)?.layout).toEqual({
    dateField: "starts",
    endField: "ends",
    titleField: "title",
    colorField: "kind",
  });
  await close();
});
