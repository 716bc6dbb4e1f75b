/**
 * A signed-in user without the admin role who opens an admin address (`#/admin/...`, by link, bookmark
 * or typing) sees a "no access" state, not the admin console; the admin still sees the console.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("a rep who opens #/admin/people sees no access and no admin console", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/admin/people`);
  const state = page.locator("sg-app [data-state=no-access]");
  await state.waitFor({ state: "visible", timeout: 10_000 });
  expect(await state.textContent()).toMatch(/no access/i);
  expect(await page.locator("sg-app sg-admin").count()).toBe(0);
  await screenshot(page, "admin-no-access-rep");
  await context.close();
});

it("the same address in Chinese says 无权访问", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/admin`);
  const state = page.locator("sg-app [data-state=no-access]");
  await state.waitFor({ state: "visible", timeout: 10_000 });
  expect(await state.textContent()).toContain("无权访问");
  expect(await page.locator("sg-app sg-admin").count()).toBe(0);
  await screenshot(page, "admin-no-access-rep-zh");
  await context.close();
});

it("the admin on the same address sees the admin console", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/people`);
  await page.locator("sg-app sg-admin").waitFor({ state: "attached", timeout: 10_000 });
  expect(await page.locator("sg-app [data-state=no-access]").count()).toBe(0);
  await context.close();
});
