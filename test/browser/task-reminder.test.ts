/**
 * A rep's task reminder reaches the bell at the right minute: the rep creates a task with a
 * 10-minute reminder, the test drives the Worker's scheduled handler (the cron trigger) at controlled
 * times (the dev-only `POST /api/dev/tick {at}` runs the scheduled handler's work; wrangler dev's
 * `/__scheduled` takes no time), and the reminder is in the bell at its minute, not a minute before.
 * Then it is snoozed from the bell (the reminder comes back when the snooze ends) and dismissed by
 * keyboard; the list with its buttons is axe clean, in en and zh-CN.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, screenshot, signIn } from "./harness";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const MIN = 60_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Runs one cron tick (the scheduled handler's work) at `at` (epoch ms). */
async function cronAt(at: number) {
  const res = await fetch(`${appUrl()}/api/dev/tick`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ at: new Date(at).toISOString() }),
  });
  expect(res.status, await res.text()).toBe(200);
}

const bell = (page: Page) => page.locator("sg-app sg-notifications button[data-bell]");
const panel = (page: Page) => page.locator("sg-app sg-notifications [data-panel]");
const item = (page: Page, text: string | RegExp) =>
  page.locator("sg-app sg-notifications [data-notification]").filter({ hasText: text });

/** Opens the bell's list afresh (it reloads on opening). */
async function reopen(page: Page) {
  if (await panel(page).isVisible()) await bell(page).click();
  await bell(page).click();
  await panel(page).waitFor({ state: "visible" });
}

/** A page whose CSP lets the injected axe script run, in `locale`. */
async function newPage(locale: "en" | "zh-CN") {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 }, bypassCSP: true });
  await context.addInitScript((l) => localStorage.setItem("salesgrid.locale", l), locale);
  return { context, page: await context.newPage() };
}

async function seriousFindings(page: Page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: any[] }> } })
      .axe;
    // The grid behind the panel is checked by axe.test.ts, as there (its cells by colour contrast only).
    const hot = [{ fromShadowDom: ["sg-app", "sg-grid", ".hot"] }];
    return (await axe.run({ exclude: hot }, { resultTypes: ["violations"] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n: { target: unknown }) => n.target),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * A task of the second demo rep (the bell's own test counts the first rep's notifications) starting
 * at a whole minute 30+ minutes ahead, with a 10-minute reminder.
 */
async function repTask(title: string) {
  const rep = await apiAs("rep2");
  const start = Math.ceil((Date.now() + 30 * MIN) / MIN) * MIN;
  const created = await rep.request<{ record: { id: number } }>("POST", "/api/tables/tasks/records", {
    fields: { title, kind: "call", start_at: new Date(start).toISOString(), reminders: ["10m"] },
  });
  return { rep, start, id: created.record.id };
}

describe("a task reminder in the bell", () => {
  it("arrives at its minute, not a minute before; snooze brings it back, dismiss settles it (en, keyboard, axe)", async () => {
    const title = `Call Acme ${Date.now()}`;
    const { start } = await repTask(title);
    const { context, page } = await newPage("en");
    await signIn(page, "rep2");
    await bell(page).waitFor();

    // A minute before the reminder's time: nothing.
    await cronAt(start - 11 * MIN);
    await reopen(page);
    await expect.poll(() => panel(page).textContent()).not.toContain("Loading");
    expect(await item(page, title).count()).toBe(0);

    // At its minute: in the bell, unread, with its snooze and dismiss buttons.
    await cronAt(start - 10 * MIN);
    await reopen(page);
    await item(page, title).waitFor();
    const reminder = item(page, title);
    await expect.poll(() => reminder.textContent()).toContain("Starts in 10 minutes");
    expect(await reminder.getAttribute("data-read")).toBe("false");
    expect(await reminder.locator("button[data-action=snooze]").allTextContents()).toEqual([
      "In 10 minutes",
      "In 1 hour",
      "Tomorrow 09:00",
    ]);
    expect(await seriousFindings(page)).toEqual([]);
    await screenshot(page, "task-reminder-bell-en");

    // Snooze 10 minutes: read now, and back as a new unread reminder when the snooze ends.
    await reminder.locator("button[data-action=snooze][data-until='10m']").click();
    await reminder.locator("[data-settled]").waitFor();
    expect(await reminder.locator("[data-settled]").textContent()).toMatch(/Snoozed until/);
    expect(await reminder.getAttribute("data-read")).toBe("true");
    await cronAt(Date.now() + 10 * MIN + 5000);
    await reopen(page);
    const snoozed = item(page, /Snoozed reminder/).filter({ hasText: title });
    await snoozed.waitFor();
    expect(await snoozed.getAttribute("data-read")).toBe("false");

    // Dismiss by keyboard: Tab reaches the button, Enter settles it.
    const dismiss = snoozed.locator("button[data-action=dismiss]");
    await dismiss.focus();
    await page.keyboard.press("Enter");
    await snoozed.locator("[data-settled]").waitFor();
    expect(await snoozed.locator("[data-settled]").textContent()).toBe("Dismissed");
    expect(await snoozed.getAttribute("data-read")).toBe("true");
    await context.close();
  });

  it("speaks zh-CN: the reminder's text and its buttons", async () => {
    const title = `回电王总 ${Date.now()}`;
    const { start } = await repTask(title);
    await cronAt(start - 10 * MIN);
    const { context, page } = await newPage("zh-CN");
    await signIn(page, "rep2");
    await reopen(page);
    const reminder = item(page, title);
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain(`提醒：${title}`);
    expect(await reminder.textContent()).toContain("10 分钟后开始");
    expect(await reminder.locator("button").allTextContents()).toEqual(
      expect.arrayContaining(["10 分钟后", "1 小时后", "明天 09:00", "忽略"]),
    );
    expect(await seriousFindings(page)).toEqual([]);
    await screenshot(page, "task-reminder-bell-zh-CN");
    await context.close();
  });
});
