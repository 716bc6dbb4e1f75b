/**
 * The personal calendar feed on the profile page: off at first; turned on, its address is shown once
 * (a reload shows only that it is on) and serves text/calendar to a request without any token;
 * revoking asks first and the address then answers 404; zh-CN words.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser, newPage, screenshot } from "./harness";
import { newProfileUser, signInAs, type ProfileUser } from "./profile-fixture";

let browser: Browser;
let user: ProfileUser;

beforeAll(async () => {
  browser = await launchBrowser();
  user = await newProfileUser("feed", ["sales_rep"]);
});
afterAll(async () => {
  await browser?.close();
});

it("turns the feed on, shows its address once, and revokes it after asking", async () => {
  const { context, page } = await newPage(browser);
  await signInAs(page, user);
  await page.goto(`${appUrl()}/#/profile`);
  const feed = page.locator("sg-app sg-profile sg-feed-settings");
  await feed.locator("[data-feed-status]").waitFor();
  expect(await feed.locator("h2").innerText()).toBe("Calendar feed");
  expect(await feed.locator("[data-feed-status]").innerText()).toBe("Off");

  await feed.locator("[data-action=feed-on]").click();
  const shown = feed.locator("[data-feed-url] code");
  await shown.waitFor();
  const url = await shown.innerText();
  expect(url).toMatch(/\/api\/feeds\/[a-z0-9]{43}\.ics$/);
  await screenshot(page, "feed-url-once");
  const ics = await fetch(url);
  expect(ics.status).toBe(200);
  expect(ics.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
  expect(await ics.text()).toMatch(/^BEGIN:VCALENDAR\r\n/);

  // Once the page is left, the address is gone for good: only that the feed is on.
  await page.reload({ waitUntil: "domcontentloaded", timeout: 90_000 });
  await feed.locator("[data-feed-status]").waitFor();
  await expect.poll(() => feed.locator("[data-feed-status]").innerText()).toMatch(/^On since /);
  expect(await feed.locator("[data-feed-url]").count()).toBe(0);
  expect(await page.content()).not.toContain(url.split("/").pop()!);

  // Revoking asks first; Cancel keeps it, confirming ends it.
  await feed.locator("[data-action=feed-revoke]").click();
  await feed.locator("sg-confirm button[data-role=cancel]").click();
  await expect.poll(() => feed.locator("sg-confirm").count()).toBe(0);
  expect((await fetch(url)).status).toBe(200);
  await feed.locator("[data-action=feed-revoke]").click();
  await feed.locator("sg-confirm button[data-role=confirm]").click();
  await expect.poll(() => feed.locator("[data-feed-status]").innerText()).toBe("Off");
  await expect.poll(async () => (await fetch(url)).status).toBe(404);
  await context.close();

  const zh = await newPage(browser, { locale: "zh-CN" });
  await signInAs(zh.page, user);
  await zh.page.goto(`${appUrl()}/#/profile`);
  const zhFeed = zh.page.locator("sg-app sg-profile sg-feed-settings");
  await zhFeed.locator("[data-feed-status]").waitFor();
  await expect.poll(() => zhFeed.locator("h2").innerText()).toBe("日历订阅");
  expect(await zhFeed.locator("[data-action=feed-on]").innerText()).toBe("开启订阅");
  await screenshot(zh.page, "feed-settings-zh");
  await zh.context.close();
});
