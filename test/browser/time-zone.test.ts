/**
 * Time as people read it (issue 14 §4): one instant shows the same way in the grid, the form and the
 * history, in the user's profile time zone (not the browser's); a date without a time never shifts
 * across midnight; a time zone nobody chose becomes the browser's at the first sign-in, and the
 * profile page changes it. The browser runs in Asia/Shanghai (the harness); one user is in UTC.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { ApiClient as Client } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot } from "./harness";

let browser: Browser;
let admin: ApiClient;
const tag = Math.random().toString(36).slice(2, 7);
const table = `tz_${tag}`;
const DUE = "2026-03-01T20:30:00.000Z"; // 04:30 on 2 March in Shanghai
const person = (name: string, timeZone?: string) => ({
  email: `tz.${name}.${tag}@example.com`,
  name: `TZ ${name} ${tag}`,
  password: `Pw-${tag}-${name}-long-enough-42`,
  ...(timeZone ? { timeZone } : {}),
});
const utc = person("utc", "UTC");
const shanghai = person("sh", "Asia/Shanghai");
const fresh = person("fresh");
let recordId = 0;

/** Intl's spaces (narrow no-break before AM/PM) vary by ICU build; compare words, not space kinds. */
const norm = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");
const instant = (iso: string, timeZone: string, locale = "en") =>
  norm(new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso)));
const day = (locale = "en") =>
  norm(new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(2026, 2, 1, 12)));

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
  await admin.request("POST", "/api/meta/tables", {
    name: table,
    primaryField: "title",
    fields: [
      { name: "title", type: "text" },
      { name: "due", type: "datetime" },
      { name: "day", type: "date" },
    ],
  });
  recordId = (await admin.createRecord(table, { title: "Meeting", due: DUE, day: "2026-03-01" })).record.id;
  for (const u of [utc, shanghai]) await admin.request("POST", "/api/admin/users", { ...u, roles: ["admin"] });
  await admin.request("POST", "/api/admin/users", { ...fresh, roles: [] });
});
afterAll(async () => {
  await browser?.close();
});

async function signInAs(page: Page, u: { email: string; password: string }) {
  await page.goto(`${appUrl()}/`);
  await page.locator("sg-app input[name=email]").fill(u.email);
  await page.locator("sg-app input[name=password]").fill(u.password);
  await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
  await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
}

/** The grid row of the record, the form's due control and the history's text, as one user sees them. */
async function seen(page: Page) {
  await page.goto(`${appUrl()}/#/t/${table}`);
  const row = page.locator("sg-grid .ht_master tbody tr", { hasText: "Meeting" }).first();
  await row.waitFor();
  const grid = norm(await row.innerText());
  await page.goto(`${appUrl()}/#/t/${table}/r/${recordId}`);
  await page.locator("sg-app sg-record section[aria-labelledby=hist] ol li").first().waitFor();
  const form = await page.locator('sg-app sg-form [data-field="due"] input').inputValue();
  const formDay = await page.locator('sg-app sg-form [data-field="day"] input').inputValue();
  const history = norm(await page.locator("sg-app sg-record section[aria-labelledby=hist] ol").innerText());
  return { grid, form, formDay, history };
}

it("a user in UTC and one in Asia/Shanghai each see one instant the same way in grid, form and history", async () => {
  for (const [u, zone, input] of [
    [utc, "UTC", "2026-03-01T20:30"],
    [shanghai, "Asia/Shanghai", "2026-03-02T04:30"],
  ] as const) {
    const { page, context } = await newPage(browser);
    await signInAs(page, u);
    const s = await seen(page);
    expect(s.grid).toContain(instant(DUE, zone));
    expect(s.form).toBe(input);
    expect(s.history).toContain(instant(DUE, zone));
    // The date field is the same calendar day for both, in the grid, the form and the history.
    expect(s.grid).toContain(day());
    expect(s.formDay).toBe("2026-03-01");
    expect(s.history).toContain(day());
    await screenshot(page, `time-zone-${zone.replace("/", "-")}-en`);
    await context.close();
  }
});

it("an instant typed in the form is read in the user's zone, not the browser's", async () => {
  const { page, context } = await newPage(browser);
  await signInAs(page, utc);
  await page.goto(`${appUrl()}/#/t/${table}/r/${recordId}`);
  await page.locator('sg-app sg-form [data-field="due"] input').fill("2026-03-02T09:15");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect
    .poll(async () => (await admin.getRecord(table, recordId)).record.fields.due)
    .toBe("2026-03-02T09:15:00.000Z");
  await context.close();
  await admin.updateRecord(table, recordId, (await admin.getRecord(table, recordId)).record.version, { due: DUE });
});

it("zh-CN: the same instant reads the same in grid, form and history in the user's zone", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signInAs(page, utc);
  const s = await seen(page);
  expect(s.grid).toContain(instant(DUE, "UTC", "zh-CN"));
  expect(s.history).toContain(instant(DUE, "UTC", "zh-CN"));
  expect(s.form).toBe("2026-03-01T20:30");
  expect(s.grid).toContain(day("zh-CN"));
  await screenshot(page, "time-zone-UTC-zh-CN");
  await context.close();
});

it("a time zone nobody chose becomes the browser's at the first sign-in; the profile page changes it", async () => {
  const context = await browser.newContext({
    locale: "en",
    timezoneId: "America/New_York",
    viewport: { width: 1280, height: 800 },
  });
  await context.addInitScript(() => localStorage.setItem("salesgrid.locale", "en"));
  const page = await context.newPage();
  await signInAs(page, fresh);
  const api = new Client({ baseUrl: appUrl() });
  await api.login(fresh.email, fresh.password);
  await expect.poll(async () => (await api.me()).user.timeZone).toBe("America/New_York");

  await page.locator("sg-app header a[data-user]").click();
  const form = page.locator("sg-app sg-profile form[data-form=profile]");
  await form.waitFor();
  await form.locator("select[name=time-zone]").selectOption("Asia/Tokyo");
  await screenshot(page, "profile-en");
  await form.locator("button[type=submit]").click();
  await expect.poll(async () => (await api.me()).user.timeZone).toBe("Asia/Tokyo");
  // A chosen zone stays on the next sign-in from this New York browser.
  await page.reload();
  await page.locator("sg-app nav[data-nav-root]").waitFor();
  await page.goto(`${appUrl()}/#/profile`);
  expect(await form.locator("select[name=time-zone]").inputValue()).toBe("Asia/Tokyo");
  await context.close();

  const zh = await newPage(browser, { locale: "zh-CN" });
  await signInAs(zh.page, fresh);
  await zh.page.goto(`${appUrl()}/#/profile`);
  await zh.page.locator("sg-app sg-profile form").waitFor();
  expect(await zh.page.locator("sg-app sg-profile h1").innerText()).toBe("个人设置");
  await screenshot(zh.page, "profile-zh-CN");
  await zh.context.close();
});
