/**
 * Time as people read it in the grid (issue 14 §4): a date-time typed into a grid cell is wall time in
 * the user's profile time zone, not the browser's, so the API holds the instant the user meant; the
 * cell's editor opens with the same wall time the form shows; a date pasted into a date cell keeps its
 * day. Both ways round: a user in UTC in a browser in Asia/Shanghai, and the reverse.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, screenshot } from "./harness";

let browser: Browser;
let admin: ApiClient;
const tag = Math.random().toString(36).slice(2, 7);
const table = `gtz_${tag}`;
const person = (name: string, timeZone: string) => ({
  email: `gtz.${name}.${tag}@example.com`,
  name: `GTZ ${name} ${tag}`,
  password: `Pw-${tag}-${name}-long-enough-42`,
  timeZone,
});

/** Intl's spaces (narrow no-break before AM/PM) vary by ICU build; compare words, not space kinds. */
const norm = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");
const instant = (iso: string, timeZone: string) =>
  norm(new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso)));
const day = (y: number, m: number, d: number) =>
  norm(new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d, 12)));

const cases = [
  // user zone, browser zone, what the user types, the instant they mean
  {
    user: person("utc", "UTC"),
    browser: "Asia/Shanghai",
    typed: "2026-03-02 09:15",
    meant: "2026-03-02T09:15:00.000Z",
  },
  { user: person("sh", "Asia/Shanghai"), browser: "UTC", typed: "2026-03-02 09:15", meant: "2026-03-02T01:15:00.000Z" },
];
const ids = new Map<string, number>();

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
  for (const c of cases) {
    await admin.request("POST", "/api/admin/users", { ...c.user, roles: ["admin"] });
    const title = `Call ${c.user.timeZone}`;
    const rec = await admin.createRecord(table, { title, due: "2026-03-01T20:30:00.000Z", day: "2026-03-01" });
    ids.set(c.user.email, rec.record.id);
  }
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

/** The cell of the record titled `title` in column `col` (title, due, day). */
const cellOf = (page: Page, title: string, col: number) =>
  page
    .locator("sg-grid .ht_master tbody tr", { hasText: title })
    .first()
    .locator(`td:nth-of-type(${col + 1})`);

/** Opens the cell's editor (Enter) and returns the text it starts with, then closes it (Escape). */
async function editorText(page: Page, title: string, col: number): Promise<string> {
  await cellOf(page, title, col).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  const input = page.locator("sg-grid textarea.handsontableInput");
  await input.waitFor({ state: "visible" });
  const text = await input.inputValue();
  await page.keyboard.press("Escape");
  return text;
}

async function typeInto(page: Page, title: string, col: number, text: string) {
  await cellOf(page, title, col).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/** Text pasted into a cell from the clipboard, as from a spreadsheet. */
async function pasteInto(page: Page, title: string, col: number, text: string) {
  await cellOf(page, title, col).click();
  await page.keyboard.press("Escape");
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press("ControlOrMeta+v");
}

for (const c of cases) {
  it(`a user in ${c.user.timeZone} in a browser in ${c.browser} edits the instant the grid shows them`, async () => {
    const context = await browser.newContext({
      locale: "en",
      timezoneId: c.browser,
      viewport: { width: 1360, height: 860 },
    });
    await context.addInitScript(() => localStorage.setItem("salesgrid.locale", "en"));
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    const id = ids.get(c.user.email)!;
    const title = `Call ${c.user.timeZone}`;
    await signInAs(page, c.user);
    await page.goto(`${appUrl()}/#/t/${table}`);
    await expect
      .poll(async () => norm(await cellOf(page, title, 1).innerText()))
      .toBe(instant("2026-03-01T20:30:00.000Z", c.user.timeZone));

    await typeInto(page, title, 1, c.typed);
    await expect
      .poll(async () => (await admin.getRecord(table, id)).record.fields.due, { timeout: 10_000 })
      .toBe(c.meant);
    await expect
      .poll(async () => norm(await cellOf(page, title, 1).innerText()))
      .toBe(instant(c.meant, c.user.timeZone));
    const gridEditor = await editorText(page, title, 1);

    // A date given to a date cell as text is that calendar day in every zone.
    await pasteInto(page, title, 2, "2026-03-05");
    await expect
      .poll(async () => (await admin.getRecord(table, id)).record.fields.day, { timeout: 10_000 })
      .toBe("2026-03-05");
    await expect.poll(async () => norm(await cellOf(page, title, 2).innerText())).toBe(day(2026, 3, 5));
    await screenshot(page, `grid-time-zone-${c.user.timeZone.replace("/", "-")}-in-${c.browser.replace("/", "-")}`);

    // The grid's editor starts from the wall time the form shows for the same record.
    await page.goto(`${appUrl()}/#/t/${table}/r/${id}`);
    const due = page.locator('sg-app sg-form [data-field="due"] input');
    await expect.poll(() => due.inputValue()).not.toBe("");
    const form = await due.inputValue();
    expect(form).toBe(c.typed.replace(" ", "T"));
    expect(gridEditor.replace(" ", "T")).toBe(form);
    expect(await page.locator('sg-app sg-form [data-field="day"] input').inputValue()).toBe("2026-03-05");
    await context.close();
  });
}
