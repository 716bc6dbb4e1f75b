/**
 * The webhook on the profile page: a refused address shows the server's reason in words; creating it
 * shows the signing secret once (never after a reload, only its last four characters); a test ping's
 * attempt appears in the delivery log; zh-CN words. The receiver is an address that cannot resolve
 * (the dev server refuses local hosts as production does), so the log shows a failed attempt.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser, newPage, screenshot } from "./harness";
import { newProfileUser, signInAs, type ProfileUser } from "./profile-fixture";

let browser: Browser;
let user: ProfileUser;

beforeAll(async () => {
  browser = await launchBrowser();
  user = await newProfileUser("hook", []);
});
afterAll(async () => {
  await browser?.close();
});

it("shows the webhook settings, the secret once and the delivery log", async () => {
  const { context, page } = await newPage(browser);
  await signInAs(page, user);
  await page.goto(`${appUrl()}/#/profile`);
  const settings = page.locator("sg-app sg-profile sg-webhook-settings");
  const form = settings.locator("form[data-form=webhook]");
  await form.waitFor();
  expect(await settings.locator("h2").innerText()).toBe("Webhook");

  // A script address is refused by the server, in words, and nothing is made.
  await form.locator("input[name=webhook-url]").fill("javascript:alert(1)");
  await form.locator("button[type=submit]").click();
  await expect.poll(() => settings.locator("[role=alert]").innerText()).toBe("The address must start with https://");

  await form.locator("input[name=webhook-url]").fill("https://hooks.invalid/salesgrid");
  await form.locator("button[type=submit]").click();
  const secret = settings.locator("[data-secret] code");
  await secret.waitFor();
  const shown = await secret.innerText();
  expect(shown).toMatch(/^whsec_[0-9a-f]{64}$/);
  await screenshot(page, "webhook-secret-once");

  // A test ping: the attempt and its outcome appear in the log.
  await settings.locator("[data-action=test-webhook]").click();
  const row = settings.locator("table[data-log] tbody tr");
  await row.first().waitFor({ timeout: 30_000 });
  await expect.poll(() => row.count()).toBe(1);
  const cells = await row.first().locator("td").allInnerTexts();
  expect(cells[1]).toBe("Test");
  expect(cells[2]).toBe("1");
  expect(cells[4]).toBe("Failed");
  expect(cells[3]!.length).toBeGreaterThan(0);
  await expect.poll(() => settings.locator("[data-note]").innerText()).toMatch(/^Test not delivered: /);
  await screenshot(page, "webhook-log");

  // Once the page is left, the secret is gone for good: only its last four characters are shown.
  await page.reload();
  await form.waitFor();
  await settings.locator("[data-secret-hint]").waitFor();
  expect(await settings.locator("[data-secret] code").count()).toBe(0);
  expect(await settings.locator("[data-secret-hint]").innerText()).toContain(`…${shown.slice(-4)}`);
  expect(await page.content()).not.toContain(shown);
  expect(await form.locator("input[name=webhook-url]").inputValue()).toBe("https://hooks.invalid/salesgrid");
  await expect.poll(() => row.count()).toBe(1);
  await context.close();

  const zh = await newPage(browser, { locale: "zh-CN" });
  await signInAs(zh.page, user);
  await zh.page.goto(`${appUrl()}/#/profile`);
  const zhSettings = zh.page.locator("sg-app sg-profile sg-webhook-settings");
  await zhSettings.locator("table[data-log]").waitFor();
  expect(await zhSettings.locator("h3").innerText()).toBe("投递记录");
  expect(await zhSettings.locator("table[data-log] tbody td").nth(4).innerText()).toBe("失败");
  await screenshot(zh.page, "webhook-log-zh-CN");
  await zh.context.close();
});
