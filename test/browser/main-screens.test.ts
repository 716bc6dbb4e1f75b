/**
 * The main screens, as each role meets them, in both languages: every table's grid and every board the
 * role may open (and the admin console for the admin) show names, never internal ids: no user id
 * (`usr_...`), no bare record id (`#541`), and no choice by its internal name where a label exists.
 * Each screen is saved to test-results/screenshots/screens-<role>-<locale>-<screen>.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn, type DemoRoleName } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The text a person sees in the app, shadow roots included (Handsontable's cells too). */
function shownText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const walk = (root: Node) => {
      for (const node of Array.from(root.childNodes)) {
        if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? "");
        else if (node instanceof Element) {
          if (node.tagName === "STYLE" || node.tagName === "SCRIPT") continue;
          if (node.shadowRoot) walk(node.shadowRoot);
          walk(node);
        }
      }
    };
    walk(document.body);
    return parts.join(" ");
  });
}

/** Ids where names belong (a user id, or a record id shown as `#123`), or a name still being asked for. */
function idsShown(text: string): string[] {
  return [...text.matchAll(/\busr_[a-z0-9]+|(?<![\w&])#\d+\b|(?<!\S)…(?!\S)/g)].map((m) => m[0]);
}

async function settle(page: Page, ready: string): Promise<void> {
  await page.locator(ready).first().waitFor({ state: "attached", timeout: 15_000 });
  // Names of link targets and users arrive a moment after the rows; the check below polls for them.
  await page.waitForLoadState("networkidle");
}

const ROLES: DemoRoleName[] = ["warehouse", "admin", "manager", "rep"];
const LOCALES = ["en", "zh-CN"] as const;

describe.each(ROLES)("signed in as %s", (role) => {
  it.each(LOCALES)("every grid and board in %s shows names, never ids", async (locale) => {
    const api = await apiAs(role);
    const [{ tables }, { views }] = await Promise.all([api.tables(), api.views()]);
    const { page, context } = await newPage(browser, { locale });
    await signIn(page, role);
    const screens: { name: string; hash: string; ready: string }[] = [
      ...tables
        .filter((t) => ["customers", "contacts", "deals", "tasks", "products", "quotes", "orders"].includes(t.name))
        .map((t) => ({ name: t.name, hash: `#/t/${t.name}`, ready: "sg-grid .htCore thead th" })),
      ...views
        .filter((v) => v.type === "kanban")
        .slice(0, 3)
        .map((v) => ({ name: `board-${v.name}`, hash: `#/v/${v.id}`, ready: "sg-kanban [data-kanban-card]" })),
      ...(role === "admin" ? [{ name: "admin", hash: "#/admin/people", ready: "sg-admin table" }] : []),
    ];
    expect(screens.length).toBeGreaterThan(2);
    for (const screen of screens) {
      await page.goto(`${appUrl()}/${screen.hash}`);
      await settle(page, screen.ready);
      await expect.poll(async () => idsShown(await shownText(page)), { timeout: 10_000, interval: 250 }).toEqual([]);
      if (locale === "zh-CN") expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
      await screenshot(page, `screens-${role}-${locale}-${screen.name}`);
    }
    await context.close();
  });
});
