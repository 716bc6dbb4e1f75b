/**
 * A deal dropped on Lost asks for what the move needs: the server refuses a lost deal without a loss
 * reason (the pipeline's rule, a required field), and the board asks for it in a dialog, in the UI's
 * language, then moves the deal with it. Cancel (or Escape) snaps the card back and writes nothing.
 * By pointer in en and by keyboard in zh-CN. Screenshots kanban-loss-dialog-<locale>.png.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, cell, columnTotals, dragTo, newDeal, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const dialog = (page: Page) => page.locator("sg-kanban dialog[data-kanban-ask]");

async function open(locale: "en" | "zh-CN", stage: string) {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage, amount: { amount: 64_000, currency: "CNY" } });
  const { page, context } = await newPage(browser, { locale });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signIn(page, "rep");
  await page.evaluate(() => {
    (window as unknown as { notes: unknown[] }).notes = [];
    document.addEventListener("sg-notify", (e) =>
      (window as unknown as { notes: unknown[] }).notes.push((e as CustomEvent).detail),
    );
  });
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  return { rep, view, deal, page, context };
}

it("a deal dropped on Lost asks for the loss reason, then moves with it", async () => {
  const { rep, deal, page, context } = await open("en", "negotiation");
  await dragTo(page, card(page, deal.id), cell(page, "lost"));
  await dialog(page).waitFor();
  expect(await dialog(page).innerText()).toContain("Loss reason");
  await screenshot(page, "kanban-loss-dialog-en");
  // The move needs the field: an empty reason is not sent.
  await dialog(page).locator("button[data-ask-submit]").click();
  expect(await dialog(page).isVisible()).toBe(true);
  await dialog(page).locator('[data-ask-field="loss_reason"]').fill("Budget cut");
  await dialog(page).locator("button[data-ask-submit]").click();
  await dialog(page).waitFor({ state: "hidden" });

  await cell(page, "lost").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("lost");
  expect((await rep.getRecord("deals", deal.id)).record.fields.loss_reason).toBe("Budget cut");
  expect(await page.locator("sg-kanban [data-kanban-error]").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { notes: unknown[] }).notes)).toEqual([]);
  await context.close();
});

it("Cancel snaps the card back and writes nothing", async () => {
  const { rep, view, deal, page, context } = await open("en", "quote");
  const before = await columnTotals(rep, view.id);
  await dragTo(page, card(page, deal.id), cell(page, "lost"));
  await dialog(page).waitFor();
  await dialog(page).locator('[data-ask-field="loss_reason"]').fill("Never mind");
  await dialog(page).locator("button[data-ask-cancel]").click();
  await dialog(page).waitFor({ state: "hidden" });

  await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).waitFor();
  expect(await cell(page, "lost").locator(`[data-card-id="${deal.id}"]`).count()).toBe(0);
  const saved = (await rep.getRecord("deals", deal.id)).record;
  expect(saved.fields.stage).toBe("quote");
  expect(saved.fields.loss_reason ?? null).toBe(null);
  expect(saved.version).toBe(deal.version);
  expect(await page.locator("sg-kanban [data-kanban-error]").count()).toBe(0);
  expect(await card(page, deal.id).locator("[data-kanban-refused]").count()).toBe(0);
  expect(await shownTotals(page, "quote")).toEqual(before.get("quote"));
  expect(await shownTotals(page, "lost")).toEqual(before.get("lost") ?? { count: 0, sum: [] });
  await context.close();
});

it("by keyboard in zh-CN: Space, arrows to 输单, Space; the dialog asks in Chinese; Escape cancels, then a reason moves it", async () => {
  const { rep, deal, page, context } = await open("zh-CN", "negotiation");
  const columns = await page
    .locator("sg-kanban .colhead")
    .evaluateAll((hs) => hs.map((h) => h.getAttribute("data-col")));
  const steps = columns.indexOf("lost") - columns.indexOf("negotiation");
  const grabAndDrop = async () => {
    await card(page, deal.id).focus();
    await page.keyboard.press("Space");
    for (let i = 0; i < steps; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Space");
    await dialog(page).waitFor();
  };
  await grabAndDrop();
  // Its own words (leaving out the deal's name) are Chinese.
  const text = await dialog(page).evaluate((d) => {
    const copy = d.cloneNode(true) as HTMLElement;
    for (const v of copy.querySelectorAll("[data-value]")) v.remove();
    return copy.textContent ?? "";
  });
  expect(text).toContain("输单原因");
  expect(text).not.toMatch(/[A-Za-z]{3,}/);
  await screenshot(page, "kanban-loss-dialog-zh-CN");
  // The reason field has the focus; Escape cancels: back in its column, nothing written.
  await page.keyboard.type("不要了");
  await page.keyboard.press("Escape");
  await dialog(page).waitFor({ state: "hidden" });
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  expect((await rep.getRecord("deals", deal.id)).record.version).toBe(deal.version);

  await grabAndDrop();
  await page.keyboard.type("价格太高");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await dialog(page).waitFor({ state: "hidden" });
  await cell(page, "lost").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.loss_reason).toBe("价格太高");
  await context.close();
});
