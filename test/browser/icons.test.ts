/**
 * Icon buttons draw inline SVG (aria-hidden, the button named by aria-label), never a symbol or emoji
 * character that shows as an empty box on a machine without a font for it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, newDeal } from "./kanban-fixture";
import { openTable } from "./admin-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface ButtonInfo {
  text: string;
  label: string;
  svgs: number;
  hiddenSvgs: number;
}

/** Every button on the page, shadow roots included (Playwright's CSS engine pierces open ones). */
function buttons(page: Page, scope = "button"): Promise<ButtonInfo[]> {
  return page.locator(scope).evaluateAll((els) =>
    els.map((b) => ({
      text: (b.textContent ?? "").trim(),
      label: b.getAttribute("aria-label") ?? "",
      svgs: b.querySelectorAll("svg").length,
      hiddenSvgs: b.querySelectorAll('svg[aria-hidden="true"]').length,
    })),
  );
}

/** Arrows, math and technical symbols, box drawing, dingbats, braille, emoji: the usual icon characters. */
const SYMBOL =
  /[\u00D7\u2190-\u21FF\u2200-\u22FF\u2300-\u23FF\u2500-\u27BF\u2800-\u28FF\u2B00-\u2BFF\u{1F000}-\u{1FAFF}]/u;

async function expectSvgIcons(page: Page): Promise<void> {
  const all = await buttons(page);
  expect(all.length).toBeGreaterThan(0);
  expect(all.filter((b) => SYMBOL.test(b.text))).toEqual([]);
  for (const b of all.filter((x) => x.svgs > 0)) {
    expect(b.hiddenSvgs).toBe(b.svgs);
    expect(b.label || b.text).not.toBe("");
  }
}

it("the board's card menu and the drawer's close button are SVG icons with names", async () => {
  const admin = await apiAs("admin");
  const view = await boardView(admin);
  const deal = await newDeal(admin, { stage: "quote", amount: { amount: 12_300, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1900, height: 900 });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/v/${view.id}/r/${deal.id}`);
  await card(page, deal.id).waitFor();
  await page.locator("sg-app [data-drawer] sg-form").waitFor();
  const menu = await buttons(page, `sg-kanban [data-card-id="${deal.id}"] .menu-button`);
  expect(menu).toHaveLength(1);
  expect(menu[0]!.svgs).toBe(1);
  const close = await buttons(page, "sg-app [data-drawer] > .close");
  expect(close).toHaveLength(1);
  expect(close[0]!.svgs).toBe(1);
  expect(close[0]!.label).not.toBe("");
  await expectSvgIcons(page);
  await screenshot(page, "icons-board-drawer");
  await context.close();
});

it("the admin console's reorder and remove buttons are SVG icons with names", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/tables`);
  await page.locator("sg-admin [role=tab][data-section=tables]").waitFor();
  await openTable(page, "customers");
  const moves = await buttons(page, 'sg-admin-tables button[aria-label="Move down"]');
  expect(moves.length).toBeGreaterThan(1);
  expect(moves.every((b) => b.svgs === 1)).toBe(true);
  await expectSvgIcons(page);
  await screenshot(page, "icons-admin-fields");
  await context.close();
});
