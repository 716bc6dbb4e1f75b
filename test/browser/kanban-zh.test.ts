/**
 * The board in zh-CN: column names, totals, toolbar, the move menu and the announcements are Chinese;
 * apart from data values (deal names, field values) no English shows. Screenshot to
 * test-results/screenshots/kanban-zh-CN.png.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, cell, newDeal } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Words that stay as they are: currency codes and symbols' letters, the brand. */
const ALLOWED = new Set(["CN", "CNY", "USD", "Salesgrid", "Ctrl", "Esc", "M"]);

/** Text and spoken labels inside <sg-kanban>, leaving out data values. */
function uiText(page: Page): Promise<string[]> {
  return page.locator("sg-kanban").evaluate((host) => {
    const out: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const t = node.textContent?.trim();
        // The live region quotes deal names; its wording is checked on its own above.
        if (t && !node.parentElement?.closest("[data-value], [data-kanban-live], style")) out.push(t);
        return;
      }
      if (node instanceof Element) {
        if (node.closest("[data-value]")) return;
        for (const a of ["placeholder", "aria-label", "aria-roledescription", "title"]) {
          const v = node.getAttribute(a);
          if (v) out.push(v);
        }
        if (node.shadowRoot) walk(node.shadowRoot);
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(host.shadowRoot!);
    return out;
  });
}

it("shows the board in zh-CN without untranslated strings", async () => {
  const rep = await apiAs("rep");
  const view = await boardView(rep);
  const deal = await newDeal(rep, { stage: "quote", amount: { amount: 1_000_000, currency: "CNY" } });
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  await page.locator("sg-kanban .colhead .sum").first().waitFor();

  const names = await page.locator("sg-kanban .colhead .name").allInnerTexts();
  // The standard stages first, then any an admin added (another test file adds a pipeline), each by its zh-CN label.
  const { table } = await rep.table("deals");
  const choices = (table.fields.find((f) => f.name === "stage")!.options.choices ?? []) as {
    name: string;
    labels?: Record<string, string>;
  }[];
  expect(names).toEqual(choices.map((c) => c.labels?.["zh-CN"] ?? c.name));
  expect(names.slice(0, 6)).toEqual(["初步接触", "需求沟通", "报价", "谈判", "赢单", "输单"]);
  expect(await page.locator("sg-kanban input[type=search]").getAttribute("placeholder")).toBe("搜索");
  expect(await page.locator("sg-kanban [data-kanban-summary]").innerText()).toMatch(/\d+ 张卡片/);
  // Money in the zh-CN format, from the server's exact minor units.
  expect(await page.locator('sg-kanban .colhead[data-col="quote"] .sum').innerText()).toMatch(/^¥[\d,]+\.\d{2}$/);
  expect(await card(page, deal.id).locator('[data-field="amount"]').innerText()).toBe("¥10,000.00");

  // A keyboard move, announced in Chinese; the move menu in Chinese.
  await card(page, deal.id).focus();
  await page.keyboard.press("Space");
  await expect.poll(() => page.locator("sg-kanban [data-kanban-live]").innerText()).toContain("已拿起");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Space");
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(() => page.locator("sg-kanban [data-kanban-live]").innerText()).toMatch(/^已将 .+ 移到 谈判$/);
  await card(page, deal.id).focus();
  await page.keyboard.press("m");
  await page.locator("sg-kanban .menu").waitFor();
  expect(await page.locator("sg-kanban .menu .label").innerText()).toBe("移动到");

  await page.locator("sg-kanban button[aria-expanded]").click();
  await page.locator("sg-kanban sg-filter-builder").waitFor();
  const english = (await uiText(page)).flatMap((t) =>
    (t.match(/[A-Za-z][A-Za-z'-]*/g) ?? []).filter((w) => !ALLOWED.has(w)).map((w) => `${w} in "${t.slice(0, 60)}"`),
  );
  expect(english, "English in the zh-CN board").toEqual([]);
  await page.locator("sg-kanban button[aria-expanded]").click();
  await page.keyboard.press("Escape");
  await screenshot(page, "kanban-zh-CN");
  await context.close();
});
