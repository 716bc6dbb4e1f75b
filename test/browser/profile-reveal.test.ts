/**
 * The profile page shows a value it can show only once (the calendar feed's address, the webhook's
 * signing secret) in one and the same box: Copy puts the value on the clipboard and says so in the
 * box, the done button hides it for good.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { appUrl, launchBrowser, newPage } from "./harness";
import { newProfileUser, signInAs, type ProfileUser } from "./profile-fixture";

let browser: Browser;
let user: ProfileUser;

beforeAll(async () => {
  browser = await launchBrowser();
  user = await newProfileUser("reveal", ["sales_rep"]);
});
afterAll(async () => {
  await browser?.close();
});

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
  await signInAs(page, user);
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

it("asks before a new secret or the webhook's removal: cancel keeps what there is, confirm does it", async () => {
  const { context, page } = await newPage(browser);
  await signInAs(page, user);
  await page.goto(`${appUrl()}/#/profile`);
  const hook = page.locator("sg-app sg-profile sg-webhook-settings");
  const hint = hook.locator("[data-secret-hint]");
  await hint.waitFor();
  const before = await hint.innerText();

  await hook.locator("[data-action=rotate-secret]").click();
  await hook.locator("sg-confirm button[data-role=cancel]").click();
  await expect.poll(() => hook.locator("sg-confirm").count()).toBe(0);
  expect(await hook.locator("[data-secret]").count()).toBe(0);
  await hook.locator("[data-action=rotate-secret]").click();
  await hook.locator("sg-confirm button[data-role=confirm]").click();
  const secret = await hook.locator("[data-secret] code").innerText();
  expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
  await expect.poll(() => hint.innerText()).toContain(`…${secret.slice(-4)}`);
  expect(await hint.innerText()).not.toBe(before);

  await hook.locator("[data-action=remove-webhook]").click();
  await hook.locator("sg-confirm button[data-role=cancel]").click();
  await expect.poll(() => hook.locator("sg-confirm").count()).toBe(0);
  expect(await hook.locator("[data-action=remove-webhook]").count()).toBe(1);
  await hook.locator("[data-action=remove-webhook]").click();
  await hook.locator("sg-confirm button[data-role=confirm]").click();
  await expect.poll(() => hook.locator("[data-action=remove-webhook]").count()).toBe(0);
  expect(await hook.locator("[data-secret]").count()).toBe(0);
  expect(await hook.locator("input[name=webhook-url]").inputValue()).toBe("");
  await context.close();
});
