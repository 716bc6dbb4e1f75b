/**
 * axe-core finds no serious or critical accessibility violation on the main screens: sign-in, a grid,
 * the board, the record drawer, the admin console, the open notifications list, the profile page and
 * the permission matrix in zh-CN, a confirmation dialog and a deleted record's restore view.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, screenshot, signIn } from "./harness";
import { boardView, card, newDeal } from "./kanban-fixture";
import { sendNotifications } from "./notifications-fixture";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A page like the harness's, but the app's CSP (script-src 'self') must let the injected axe script run. */
async function newPage(b: Browser) {
  const context = await b.newContext({ locale: "en", viewport: { width: 1360, height: 860 }, bypassCSP: true });
  await context.addInitScript(() => localStorage.setItem("salesgrid.locale", "en"));
  const page = await context.newPage();
  return { page, context };
}

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  targets: unknown[];
}

/** Runs axe on the page; returns the serious and critical findings with where they are. */
async function seriousFindings(page: Page, name: string, gridCells = 0): Promise<Finding[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
    type Result = {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown; failureSummary?: string }[];
      }[];
      passes?: { nodes: unknown[] }[];
    };
    // Handsontable's own table markup (its treegrid roles) is the widget's, not ours: left out of the
    // full run. What we render into its cells (chips, marks) is still checked for contrast below.
    const hot = [{ fromShadowDom: ["sg-app", "sg-grid", ".hot"] }];
    const page = (await axe.run({ exclude: hot }, { resultTypes: ["violations"] })) as Result;
    const cells = document.querySelector("sg-app")?.shadowRoot?.querySelector("sg-grid, [role=tabpanel] sg-grid")
      ? ((await axe.run({ include: hot }, { runOnly: ["color-contrast"] })) as Result)
      : { violations: [], passes: [] };
    const cellsChecked = (cells.passes ?? []).reduce((n, p) => n + p.nodes.length, 0);
    const findings = [...page.violations, ...cells.violations].map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => [n.target, n.failureSummary]),
    }));
    return { findings, cellsChecked };
  });
  // On a grid, the contrast check did look at the cells' contents.
  expect(found.cellsChecked).toBeGreaterThanOrEqual(gridCells);
  await screenshot(page, `axe-${name}`);
  return found.findings.filter((f) => f.impact === "serious" || f.impact === "critical");
}

it("sign-in has no serious or critical violation", async () => {
  const { page, context } = await newPage(browser);
  await page.goto(`${appUrl()}/`);
  await page.locator("sg-app input[name=email]").waitFor();
  expect(await seriousFindings(page, "sign-in")).toEqual([]);
  await context.close();
});

it("a grid has no serious or critical violation", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers`);
  await page.locator("sg-grid .ht_master td").first().waitFor();
  expect(await seriousFindings(page, "grid", 20)).toEqual([]);
  await context.close();
});

it("the board and the record drawer have no serious or critical violation", async () => {
  const admin = await apiAs("admin");
  const view = await boardView(admin);
  const deal = await newDeal(admin, { stage: "quote", amount: { amount: 45_600, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1900, height: 900 });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  expect(await seriousFindings(page, "board")).toEqual([]);
  await page.goto(`${appUrl()}/#/v/${view.id}/r/${deal.id}`);
  await page.locator("sg-app [data-drawer] sg-form").waitFor();
  expect(await seriousFindings(page, "drawer")).toEqual([]);
  await context.close();
});

it("the admin console has no serious or critical violation", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/tables`);
  await page.locator("sg-admin [role=tab][data-section=tables]").waitFor();
  expect(await seriousFindings(page, "admin")).toEqual([]);
  await context.close();
});

it("the open notifications list has no serious or critical violation", async () => {
  const admin = await apiAs("admin");
  const me = (await admin.me()).user;
  const table = (await admin.table("customers")).table;
  const customer = (await admin.listRecords("customers", { limit: 1 })).records[0]!;
  sendNotifications([
    { user: me.id, title: { en: "Read earlier", "zh-CN": "早先已读" } },
    { user: me.id, title: { en: "Withheld", "zh-CN": "不可见" }, record: { table: table.id, id: 2_000_000_002 } },
    {
      user: me.id,
      title: { en: "Call the customer back", "zh-CN": "回电客户" },
      body: { en: "About the quote", "zh-CN": "关于报价" },
      record: { table: table.id, id: customer.id },
    },
  ]);
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.locator("sg-app sg-notifications button[data-bell]").click();
  await page
    .locator("sg-app sg-notifications [data-notification]")
    .filter({ hasText: "Call the customer back" })
    .waitFor();
  // Read and unread items side by side.
  await page.locator("sg-app sg-notifications [data-notification]").filter({ hasText: "Read earlier" }).click();
  await page.locator('sg-app sg-notifications [data-notification][data-read="true"]').first().waitFor();
  expect(await seriousFindings(page, "notifications")).toEqual([]);
  await context.close();
});

/** The same page, in zh-CN at 1280 px. */
async function newZhPage(b: Browser) {
  const context = await b.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 }, bypassCSP: true });
  await context.addInitScript(() => localStorage.setItem("salesgrid.locale", "zh-CN"));
  const page = await context.newPage();
  return { page, context };
}

it("the profile page and the permission matrix in zh-CN have no serious or critical violation", async () => {
  const { page, context } = await newZhPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/profile`);
  await page.locator("sg-app sg-profile form").waitFor();
  expect(await seriousFindings(page, "profile-zh-CN")).toEqual([]);
  await page.goto(`${appUrl()}/#/admin/permissions`);
  await page.locator("sg-admin-permissions [data-role=permission-matrix] td").first().waitFor();
  expect(await seriousFindings(page, "permissions-zh-CN")).toEqual([]);
  await context.close();
});

it("a confirmation dialog and a deleted record's restore view have no serious or critical violation", async () => {
  const admin = await apiAs("admin");
  const { record } = await admin.createRecord("customers", { name: `Axe restore ${Date.now().toString(36)}` });
  await admin.deleteRecords("customers", [{ id: record.id }]);
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers/r/${record.id}`);
  await page.locator('sg-app sg-record [data-state="deleted"]').waitFor();
  expect(await seriousFindings(page, "record-deleted")).toEqual([]);
  await page.goto(`${appUrl()}/#/admin/tables`);
  await page.locator("sg-admin-tables [data-role=table-list] button").first().click();
  await page.locator('sg-admin-tables [data-role="delete-table"]').click();
  await page.locator("sg-admin-tables sg-confirm dialog[open]").waitFor();
  expect(await seriousFindings(page, "confirm-dialog")).toEqual([]);
  await page.locator('sg-admin-tables sg-confirm [data-role="cancel"]').click();
  await context.close();
});
