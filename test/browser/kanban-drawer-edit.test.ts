/**
 * A record saved in the app's drawer updates the board at once: the card shows the new value without a
 * reload, and the next drag of that card is sent with the saved version (no "version 1/2" conflict);
 * a card that no longer matches the board's search leaves it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, cell, dragTo, header, newDeal } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("a deal renamed in the drawer shows its new name on the board, and then drags to another column", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage: "quote", amount: { amount: 70_000, currency: "CNY" } });

  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1900, height: 900 });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();

  // Open the card's record in the drawer, rename it and save.
  await card(page, deal.id).dblclick();
  const name = page.locator('sg-app sg-form [data-field="name"] input');
  await name.waitFor();
  const renamed = `Renamed ${crypto.randomUUID().slice(0, 8)}`;
  await name.fill(renamed);
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect
    .poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.name, { timeout: 10_000 })
    .toBe(renamed);

  // The board shows the saved record without a reload...
  await expect.poll(() => card(page, deal.id).locator(".title").innerText()).toBe(renamed);
  await page.locator("sg-app .drawer .close").click();
  await page.locator("sg-app [data-drawer]").waitFor({ state: "detached" });

  // ...and knows its new version: the drag is saved, not refused as a conflict.
  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("negotiation");
  expect(await page.locator("sg-kanban [data-kanban-error]").count()).toBe(0);
  expect(await card(page, deal.id).locator("[data-kanban-refused]").count()).toBe(0);
  expect(await card(page, deal.id).locator(".title").innerText()).toBe(renamed);
  await screenshot(page, "kanban-after-drawer-edit");
  await context.close();
});

it("a deal renamed in the drawer so that it no longer matches the board's search leaves the board, and the column count follows", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const tag = `zq${crypto.randomUUID().slice(0, 8)}`;
  const deal = await newDeal(rep, { name: `Search ${tag}`, stage: "quote" });

  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1900, height: 900 });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await page.locator("sg-kanban input[type=search]").fill(tag);
  await card(page, deal.id).waitFor();
  await expect.poll(() => header(page, "quote").locator(".count").getAttribute("data-count")).toBe("1");

  await card(page, deal.id).dblclick();
  const name = page.locator('sg-app sg-form [data-field="name"] input');
  await name.waitFor();
  await name.fill("Renamed out of the search");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect
    .poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.name)
    .toBe("Renamed out of the search");

  // The board keeps its search: the card leaves and the count is the server's again.
  await card(page, deal.id).waitFor({ state: "detached" });
  await expect.poll(() => header(page, "quote").locator(".count").getAttribute("data-count")).toBe("0");
  expect(await page.locator("sg-kanban input[type=search]").inputValue()).toBe(tag);
  await context.close();
});
