/**
 * zh-CN is complete: every message id the elements use has a zh-CN translation, and the main screens
 * in zh-CN show no English outside data values (text in `[data-value]` or grid cells) and a short
 * allowlist of brand and format tokens. Screenshots of the main screens in both languages go to
 * test-results/screenshots/.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { templates } from "../../web-components/i18n/locales/zh-CN";
import { apiAs, appUrl, launchBrowser, newPage, root, screenshot, signIn } from "./harness";

/** Words that stay as they are in zh-CN: the brand, language names, currency codes, units. */
const ALLOWED = new Set([
  "Salesgrid",
  "English",
  "CNY",
  "USD",
  "EUR",
  "HKD",
  "JPY",
  "GBP",
  "ID",
  "CSV",
  "XLSX",
  "URL",
  "API",
  "SSO",
  "PM",
  "AM",
  "Handsontable",
  "VIP",
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts") && e.name !== "zh-CN.ts"
      ? [p]
      : [];
  });
}

describe("the zh-CN dictionaries", () => {
  it("translate every message id used in web-components/, and hold no unused app/form/record id", () => {
    const used = new Map<string, string>();
    for (const file of sourceFiles(path.join(root, "web-components"))) {
      const text = readFileSync(file, "utf8");
      // msg("...", { id: "x.y" }) and msg(str`...`, { id: "x.y" }), possibly over several lines.
      for (const m of text.matchAll(
        /\bmsg\(\s*(?:str)?(?:"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*')\s*,\s*\{\s*id:\s*"([\w.-]+)"/g,
      ))
        used.set(m[1]!, path.relative(root, file));
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter(([id]) => !(id in templates)).map(([id, file]) => `${id} (${file})`);
    expect(missing, "message ids without a zh-CN translation").toEqual([]);
    // Ids of the foundation's own elements; other dictionaries may build ids at run time.
    const unused = Object.keys(templates).filter((id) => /^(app|form|record|common)\./.test(id) && !used.has(id));
    expect(unused, "zh-CN entries no element uses").toEqual([]);
  });
});

/** Visible text of the page outside data values, piercing shadow roots. */
async function visibleUiText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skip = (el: Element) =>
      el.closest("[data-value], script, style, noscript, td, .htCore tbody") !== null ||
      ((el as HTMLElement).offsetParent === null && getComputedStyle(el).position !== "fixed");
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement;
        const t = node.textContent?.trim();
        if (t && parent && !skip(parent)) out.push(t);
        return;
      }
      if (node instanceof Element) {
        if (node.shadowRoot) walk(node.shadowRoot);
        // Attributes a person meets: placeholders, labels read aloud, tooltips.
        for (const a of ["placeholder", "aria-label", "title"]) {
          const v = node.getAttribute(a);
          if (v && !skip(node)) out.push(v);
        }
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(document.body);
    return out;
  });
}

/**
 * Labels an admin (or another test file sharing this app) gave only in English are the workspace's
 * data, not the UI's strings: their words are allowed. Every label with a zh-CN translation must show it.
 */
async function untranslatedDataWords(): Promise<Set<string>> {
  const words = new Set<string>();
  const admin = await apiAs("admin");
  for (const t of (await admin.tables()).tables) {
    for (const f of t.fields) {
      if (!f.labels?.["zh-CN"]) for (const w of f.label.match(/[A-Za-z][A-Za-z'-]+/g) ?? []) words.add(w);
    }
  }
  return words;
}

function englishIn(texts: string[], data: Set<string> = new Set()): string[] {
  const found = new Set<string>();
  for (const t of texts) {
    for (const w of t.match(/[A-Za-z][A-Za-z'-]+/g) ?? [])
      if (!ALLOWED.has(w) && !data.has(w)) found.add(`${w}  ← "${t.slice(0, 60)}"`);
  }
  return [...found];
}

describe("the zh-CN main screens", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("sign-in, a table with its views, a record with its history and a new-record form show no English", async () => {
    const manager = await apiAs("manager");
    const [customer] = (await manager.listRecords("customers", { limit: 1 })).records;
    expect(customer).toBeDefined();
    for (const locale of ["zh-CN", "en"] as const) {
      const { page, context } = await newPage(browser, { locale });
      const screens: [string, () => Promise<void>][] = [
        [
          "sign-in",
          async () => {
            await page.goto(`${appUrl()}/`);
            await page.locator("sg-app form[data-form=sign-in]").waitFor();
          },
        ],
        [
          "customers",
          async () => {
            await signIn(page, "manager");
            await page.goto(`${appUrl()}/#/t/customers`);
            await page.locator("sg-app [data-record-count]:not([data-record-count=''])").waitFor();
            await page.waitForTimeout(500);
          },
        ],
        [
          "record",
          async () => {
            await page.goto(`${appUrl()}/#/t/customers/r/${customer!.id}`);
            await page.locator("sg-app sg-record section[aria-labelledby=hist]").waitFor();
          },
        ],
        [
          "new-deal",
          async () => {
            await page.goto(`${appUrl()}/#/t/deals/new`);
            await page.locator("sg-app sg-form form").waitFor();
          },
        ],
      ];
      for (const [name, open] of screens) {
        await open();
        await screenshot(page, `${name}-${locale}`);
        if (locale === "zh-CN") {
          const english = englishIn(await visibleUiText(page), await untranslatedDataWords());
          expect(english, `English on the zh-CN ${name} screen`).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
        }
      }
      await context.close();
    }
  });

  it("the language switch turns the signed-in app from English into zh-CN without a reload", async () => {
    const { page, context } = await newPage(browser, { locale: "en" });
    await signIn(page, "rep");
    expect(await page.locator('sg-app [data-action="sign-out"]').innerText()).toBe("Sign out");
    await page.locator("sg-app header select[data-lang-switch]").selectOption("zh-CN");
    await expect.poll(() => page.locator('sg-app [data-action="sign-out"]').innerText()).toBe("退出登录");
    expect(await page.locator("sg-app nav h2").first().innerText()).toBe("数据表");
    expect(await page.evaluate(() => localStorage.getItem("salesgrid.locale"))).toBe("zh-CN");
    await context.close();
  });
});
