/**
 * A sales manager (not an admin) opens the pipeline board: a rep's deal shows its owner by name and
 * its customer by name, not as ids, on the card and in the swimlane headers by owner; the board
 * header sums the amount, as the pipeline plugin's view now says.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, header, newDeal } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("a manager sees a rep's deal with its owner's and customer's names", async () => {
  const rep = await apiAs("rep");
  const { user } = await rep.me();
  const customerName = `Names test ${crypto.randomUUID().slice(0, 8)}`;
  const { record: customer } = await rep.createRecord("customers", { name: customerName });
  const deal = await newDeal(rep, {
    stage: "quote",
    customer: [customer.id],
    owner: user.id,
    amount: { amount: 500_00, currency: "CNY" },
  });

  const manager = await apiAs("manager");
  const view = await boardView(manager);
  expect(view.layout).toMatchObject({ sumField: "amount" });

  const { page, context } = await newPage(browser);
  await signIn(page, "manager");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  const c = card(page, deal.id);
  await expect.poll(() => c.locator('[data-field="owner"]').innerText()).toBe(user.name);
  expect(await c.locator('[data-field="customer"]').innerText()).toBe(customerName);
  expect(await c.innerText()).not.toContain(`#${customer.id}`);
  expect(await c.innerText()).not.toContain(user.id);
  await header(page, "quote").locator(".sum").waitFor();

  // Swimlanes by owner: the lane of the rep's deals is headed by the rep's name.
  await page.locator("sg-kanban select[data-kanban-lanes]").selectOption("owner");
  const lane = page.locator(`sg-kanban .lanehead[data-lane="${user.id}"] span[data-value]`);
  await expect.poll(() => lane.innerText()).toBe(user.name);
  await screenshot(page, "kanban-names");
  await context.close();
});
