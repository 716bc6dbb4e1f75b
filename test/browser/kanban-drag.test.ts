/**
 * A sales rep drags a deal from Quote to Negotiation on the pipeline board with the mouse; the card
 * moves, the deal is saved with its new stage, and the column counts and sums change to exactly what
 * the API reports for that rep.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, cell, cny, columnTotals, dragTo, newDeal, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("a rep drags a deal from quote to negotiation and sees the column sums change", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const amount = 1_234_567;
  const deal = await newDeal(rep, { stage: "quote", amount: { amount, currency: "CNY" } });
  const before = await columnTotals(rep, view.id);

  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  expect(await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).count()).toBe(1);
  // The headers show the server's totals for this rep before the move.
  expect(await shownTotals(page, "quote")).toEqual(before.get("quote"));
  expect(await shownTotals(page, "negotiation")).toEqual(before.get("negotiation") ?? { count: 0, sum: [] });
  const quoteText = await page.locator('sg-kanban .colhead[data-col="quote"] .sum').innerText();

  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  expect(await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).count()).toBe(0);

  // Saved on the server...
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("negotiation");
  const after = await columnTotals(rep, view.id);
  expect(after.get("quote")!.count).toBe(before.get("quote")!.count - 1);
  expect(after.get("negotiation")!.count).toBe((before.get("negotiation")?.count ?? 0) + 1);
  expect(cny(after.get("quote")!.sum)).toBe(cny(before.get("quote")!.sum) - BigInt(amount));
  expect(cny(after.get("negotiation")!.sum)).toBe(cny(before.get("negotiation")?.sum) + BigInt(amount));
  // ...and the board shows exactly the API's totals.
  await expect.poll(() => shownTotals(page, "quote")).toEqual(after.get("quote"));
  await expect.poll(() => shownTotals(page, "negotiation")).toEqual(after.get("negotiation"));
  expect(await page.locator('sg-kanban .colhead[data-col="quote"] .sum').innerText()).not.toBe(quoteText);
  expect(await page.locator("sg-kanban [data-kanban-live]").innerText()).toContain("Negotiation");
  await screenshot(page, "kanban-after-drag-en");
  await context.close();
});
