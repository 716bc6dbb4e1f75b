/**
 * A refused move snaps back with the server's message: a deal someone else changed meanwhile (409),
 * which moves on the second try because the board took the current version from the refusal. (A deal
 * dragged to Lost without a loss reason is asked for it instead: kanban-loss.test.ts.) The board runs
 * standalone in an intranet page (second origin) with the rep's sign-in token.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, launchBrowser, newPage, screenshot } from "./harness";
import { boardView, card, cell, columnTotals, dragTo, newDeal, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openStandalone(page: Page, token: string, viewId: string): Promise<void> {
  const base = inject("baseUrl");
  await page.setViewportSize({ width: 1900, height: 900 });
  await page.goto(`${inject("secondOrigin")}/`);
  await page.setContent(
    `<script type="module" src="${base}/embed.js"></script><sg-kanban base-url="${base}" token="${token}" view="${viewId}" style="height: 820px"></sg-kanban>`,
  );
  await page.evaluate(() => {
    (window as unknown as { notes: unknown[] }).notes = [];
    document.addEventListener("sg-notify", (e) =>
      (window as unknown as { notes: unknown[] }).notes.push((e as CustomEvent).detail),
    );
  });
}

it("a deal changed meanwhile snaps back with the conflict, then moves on the second try", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage: "quote", amount: { amount: 70_000, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await openStandalone(page, rep.session.token!, view.id);
  await card(page, deal.id).waitFor();
  // Someone edits the deal after the board read it.
  await rep.updateRecord("deals", deal.id, deal.version, { next_step: "Call back" });

  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  const banner = page.locator("sg-kanban [data-kanban-error]");
  await banner.waitFor();
  expect(await banner.innerText()).toMatch(/changed|version/i);
  await screenshot(page, "kanban-refused-en");
  await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).waitFor();
  expect((await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("quote");

  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("negotiation");
  const after = await columnTotals(rep, view.id);
  await expect.poll(() => shownTotals(page, "negotiation")).toEqual(after.get("negotiation"));
  await context.close();
});
