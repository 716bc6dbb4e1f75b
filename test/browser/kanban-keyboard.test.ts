/**
 * Moving cards without a mouse: Space picks a card up, the arrow keys choose the column, Space drops
 * it; Ctrl+arrow moves it at once; M opens the move menu. Each move is saved and announced.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, signIn } from "./harness";
import { boardView, card, cell, columnTotals, newDeal, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("moves a card with Space and arrows, with Ctrl+arrow, and through the move menu", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage: "quote", amount: { amount: 99_900, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  const live = page.locator("sg-kanban [data-kanban-live]");
  const stage = async () => (await rep.getRecord("deals", deal.id)).record.fields.stage;

  await card(page, deal.id).focus();
  await page.keyboard.press("Space");
  await expect.poll(() => live.innerText()).toContain("Picked up");
  expect(await card(page, deal.id).getAttribute("class")).toContain("grabbed");
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => live.innerText()).toContain("Negotiation");
  await page.keyboard.press("Space");
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(stage).toBe("negotiation");
  await expect.poll(() => live.innerText()).toContain("Moved");
  // Focus follows the card into its new column.
  expect(
    await page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.getAttribute("data-card-id");
    }),
  ).toBe(String(deal.id));

  await page.keyboard.press("Control+ArrowLeft");
  await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(stage).toBe("quote");

  // Escape puts a picked-up card down where it was.
  await card(page, deal.id).focus();
  await page.keyboard.press("Space");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Escape");
  await expect.poll(() => live.innerText()).toContain("cancelled");
  expect(await stage()).toBe("quote");

  await card(page, deal.id).focus();
  await page.keyboard.press("m");
  const won = page.locator(`sg-kanban [data-card-id="${deal.id}"] .menu [data-move-to="won"]`);
  await won.waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect.poll(() => won.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  await page.keyboard.press("Enter");
  await cell(page, "won").locator(`[data-card-id="${deal.id}"]`).waitFor();
  // The pipeline's rule for won deals ran on the server.
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.close_date).not.toBeNull();
  const after = await columnTotals(rep, view.id);
  await expect.poll(() => shownTotals(page, "won")).toEqual(after.get("won"));
  await expect.poll(() => shownTotals(page, "quote")).toEqual(after.get("quote"));
  await context.close();
});
