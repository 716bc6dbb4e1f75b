/**
 * The profile page shows a value it can show only once (the calendar feed's address, the webhook's
 * signing secret) in one and the same box: Copy puts the value on the clipboard and says so in the
 * box, the done button hides it for good.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage } from "./harness";

let browser: Browser;
let admin: ApiClient;
const tag = Math.random().toString(36).slice(2, 7);
const user = { email: `reveal.${tag}@example.com`, name: `Reveal ${tag}`, password: `Pw-${tag}-reveal-long-enough-42` };

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
  await admin.request("POST", "/api/admin/users", { ...user, roles: ["sales_rep"] });
});
afterAll(async () => {
  await browser?.close();
});

async function signInAs(page: Page) {
  await page.goto(`${appUrl()}/`);
  await page.locator("sg-app input[name=email]").fill(user.email);
  await page.locator("sg-app input[name=password]").fill(user.password);
  await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
  await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
}

/** Copies the box's value, checks the clipboard and the box's word for it, then hides the box. */
async function copyAndHide(page: Page, box: Locator, name: string) {
  const value = await box.locator("code").innerText();
  expect(value.length).toBeGreaterThan(20);
  await box.locator(`[data-action=copy-${name}]`).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(value);
  await expect.poll(() => box.locator("[data-copied]").innerText()).toBe("Copied");
  await box.locator(`[data-action=hide-${name}]`).click();
  await expect.poll(() => box.count()).toBe(0);
  return value;
}

it("shows the feed address and the webhook secret once in the same box: copy says so, done hides it", async () => {
  const { context, page } = await newPage(browser);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(appUrl()).origin });
  await signInAs(page);
  await page.goto(`${appUrl()}/#/profile`);

  const feed = page.locator("sg-app sg-profile sg-feed-settings");
  await feed.locator("[data-feed-status]").waitFor();
  await feed.locator("[data-action=feed-on]").click();
  const address = await copyAndHide(page, feed.locator("[data-feed-url]"), "feed");
  expect(address).toMatch(/\/api\/feeds\/[a-z0-9]{43}\.ics$/);

  const hook = page.locator("sg-app sg-profile sg-webhook-settings");
  await hook.locator("input[name=webhook-url]").fill("https://hooks.invalid/salesgrid");
  await hook.locator("form[data-form=webhook] button[type=submit]").click();
  const secret = await copyAndHide(page, hook.locator("[data-secret]"), "secret");
  expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
  await context.close();
});
