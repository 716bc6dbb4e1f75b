/**
 * The admin screens in zh-CN at 1280 px (issue 14 §3, §8): the permission matrix and the admin tables
 * keep their words whole (no one-character columns; the matrix scrolls instead), and keyboard focus
 * is visible on every control Tab reaches.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Cells of the admin's tables whose text is squeezed narrower than three characters (or itself). */
async function squeezed(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>(sel)) {
        const text = (el.innerText.trim().split("\n")[0] ?? "").trim();
        if (text.length < 2) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        const need = Math.min(text.length, 3) * size * 0.9;
        if (el.getBoundingClientRect().width < need)
          out.push(`${text} ${Math.round(el.getBoundingClientRect().width)}px`);
      }
      for (const host of root.querySelectorAll("*")) if (host.shadowRoot) walk(host.shadowRoot);
    };
    walk(document);
    return out;
  }, selector);
}

it("zh-CN at 1280 px: the permission matrix keeps its words whole and scrolls", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/permissions`);
  await page.locator("sg-admin-permissions [data-role=permission-matrix] td").first().waitFor();
  expect(await squeezed(page, "table.grid th, table.grid td")).toEqual([]);
  // Every header of the matrix stays on one line.
  const heights = await page
    .locator("sg-admin-permissions [data-role=permission-matrix] thead th")
    .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().height));
  expect(Math.max(...heights)).toBeLessThan(40);
  await screenshot(page, "admin-permissions-zh-CN-1280");
  for (const s of ["people", "views", "tables"]) {
    await page.goto(`${appUrl()}/#/admin/${s}`);
    await page.locator(`sg-admin [role=tab][data-section=${s}][aria-selected=true]`).waitFor();
    await page.waitForTimeout(500);
    expect(await squeezed(page, "table.grid th, table.grid td"), s).toEqual([]);
    await screenshot(page, `admin-${s}-zh-CN-1280`);
  }
  await context.close();
});

it("focus is visible on every control Tab reaches in the admin console and the app shell", async () => {
  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/permissions`);
  await page.locator("sg-admin-permissions [data-role=permission-matrix] td").first().waitFor();
  const invisible: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const shown = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2;
      return {
        shown,
        what: `${el.tagName} ${el.getAttribute("data-role") ?? ""} ${(el.textContent ?? "").trim().slice(0, 20)}`,
      };
    });
    if (f && !f.shown) invisible.push(f.what);
  }
  expect(invisible).toEqual([]);
  await screenshot(page, "admin-focus-en");
  await context.close();
});
