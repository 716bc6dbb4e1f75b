/**
 * The deal form keeps the probability to its declared 0-100%: typing 150 shows the range on the field,
 * in English and in Chinese, and nothing is created.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, signIn } from "./harness";

let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
});
afterAll(async () => {
  await browser?.close();
});

const field = (page: Page, name: string) => page.locator(`sg-app sg-form [data-field="${name}"]`);

for (const [locale, expected] of [
  ["en", "Must be at most 100%"],
  ["zh-CN", "不能高于 100%"],
] as const) {
  it(`typing 150 into a deal's probability shows "${expected}" (${locale}) and creates nothing`, async () => {
    const { page, context } = await newPage(browser, { locale });
    await context.addInitScript((l) => localStorage.setItem("salesgrid.locale", l), locale);
    await signIn(page, "admin");
    await page.goto(`${appUrl()}/#/t/deals`);
    await page.locator('sg-app [data-action="new-record"]').click();
    await page.locator("sg-app sg-form form[data-form=record]").waitFor();
    const name = `Percent ${locale} ${Date.now().toString(36)}`;
    await field(page, "name").locator("input").fill(name);
    await field(page, "probability").locator("input").fill("150");
    await page.locator("sg-app sg-form button[type=submit]").click();
    await field(page, "probability").locator(".error").waitFor();
    expect(await field(page, "probability").locator(".error").innerText()).toBe(expected);
    expect((await admin.listRecords("deals", { q: name })).records).toHaveLength(0);
    await context.close();
  });
}
