/**
 * Long columns load page by page as they scroll, and the search narrows cards and totals together
 * (the server counts and sums the same records the cards come from).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, signIn } from "./harness";
import { boardView, cell, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("loads a long column as it scrolls, and searches cards and totals together", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const tag = `lazy${crypto.randomUUID().slice(0, 6)}`;
  // 45 deals that sort before everything else in the column.
  await rep.createRecords(
    "deals",
    Array.from({ length: 45 }, (_, i) => ({
      fields: {
        name: `${tag} deal ${i}`,
        stage: "needs_discussion",
        expected_close: "1999-01-01",
        amount: { amount: 100 * (i + 1), currency: "CNY" },
      },
    })),
  );
  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  const column = cell(page, "needs_discussion");
  const cards = column.locator("[data-kanban-card]");
  await cards.first().waitFor();
  expect(await cards.count()).toBe(20);
  const total = (await shownTotals(page, "needs_discussion")).count;
  expect(total).toBeGreaterThanOrEqual(45);

  await column.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect.poll(() => cards.count()).toBe(Math.min(40, total));
  await column.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect.poll(() => cards.count()).toBe(Math.min(60, total));

  await page.locator("sg-kanban input[type=search]").fill(tag);
  await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(20);
  await expect
    .poll(() => shownTotals(page, "needs_discussion"))
    .toEqual({ count: 45, sum: [{ amount: (100 * (45 * 46)) / 2, currency: "CNY" }] });
  expect((await shownTotals(page, "quote")).count).toBe(0);
  expect(await page.locator("sg-kanban [data-kanban-summary]").innerText()).toContain("45 cards");
  // The searched column ends after 45: scrolling (or "load more") brings the rest, and no more.
  await column.evaluate((el) => el.scrollTo(0, 0));
  await expect
    .poll(async () => {
      const more = column.locator("button.more");
      if (await more.count()) await more.click();
      return cards.count();
    })
    .toBe(45);
  expect(await column.locator("button.more").count()).toBe(0);
  await context.close();
});
