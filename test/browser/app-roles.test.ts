/**
 * Each demo role signs in through the app and sees exactly the tables and views the server lets it
 * open, only its rows, and no hidden field. What the app shows is compared with what the API
 * answers for that role, and the demo grants (worker/demo/access.ts) pin the expectations.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn, type DemoRoleName } from "./harness";

let browser: Browser;
let admin: ApiClient;
let viewId = "";
let viewName = "";

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
  // A view for sales roles only: managers and reps see it, the warehouse does not.
  viewName = `won_deals_${Date.now().toString(36)}`;
  const created = await admin.request<{ view: { id: string } }>("POST", "/api/meta/views", {
    name: viewName,
    table: "deals",
    type: "grid",
    label: "Won deals",
    labels: { en: "Won deals", "zh-CN": "赢单" },
    filter: { field: "stage", op: "eq", value: "won" },
    roles: ["sales_manager", "sales_rep"],
  });
  viewId = created.view.id;
});

afterAll(async () => {
  await browser?.close();
});

async function navItems(page: Page, kind: "table" | "view"): Promise<string[]> {
  const attrs = await page
    .locator(`sg-app nav [data-nav^="${kind}:"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-nav")!));
  return attrs.map((a) => a.slice(kind.length + 1)).sort();
}

const EXPECTED_TABLES: Record<DemoRoleName, string[]> = {
  admin: ["contacts", "customers", "deals", "tasks"],
  manager: ["contacts", "customers", "deals", "tasks"],
  rep: ["contacts", "customers", "deals", "tasks"],
  rep2: ["contacts", "customers", "deals", "tasks"],
  warehouse: ["contacts", "customers", "tasks"],
};

describe.each(["admin", "manager", "rep", "rep2", "warehouse"] as DemoRoleName[])("signed in as %s", (role) => {
  it("the sidebar lists exactly the tables and views the API lets this role open", async () => {
    const api = await apiAs(role);
    const [{ tables }, { views }] = await Promise.all([api.tables(), api.views()]);
    const { page, context } = await newPage(browser);
    await signIn(page, role);
    const shownTables = await navItems(page, "table");
    expect(shownTables).toEqual(tables.map((t) => t.name).sort());
    expect(shownTables.filter((n) => EXPECTED_TABLES.admin.includes(n))).toEqual(EXPECTED_TABLES[role]);
    const shownViews = await navItems(page, "view");
    expect(shownViews).toEqual(views.map((v) => v.name).sort());
    expect(shownViews.includes(viewName)).toBe(role !== "warehouse");
    expect(await page.locator('sg-app [data-nav="admin"]').count()).toBe(role === "admin" ? 1 : 0);
    await screenshot(page, `roles-${role}-en`);
    await context.close();
  });
});

describe("rows and fields", () => {
  it("a rep's customers are only their own: the count matches the API for the rep, and another rep's record is refused", async () => {
    const rep = await apiAs("rep");
    const rep2 = await apiAs("rep2");
    const mine = await rep.listRecords("customers", { count: true, limit: 1000 });
    const all = await admin.listRecords("customers", { count: true, limit: 1 });
    const me = (await rep.me()).user;
    expect(mine.records.every((r) => r.fields.owner === me.id)).toBe(true);
    expect(mine.total!).toBeLessThan(all.total!);
    const theirs = (await rep2.listRecords("customers", { limit: 1 })).records[0]!;

    const { page, context } = await newPage(browser);
    await signIn(page, "rep");
    await page.goto(`${appUrl()}/#/t/customers`);
    await expect
      .poll(() => page.locator("sg-app [data-record-count]").getAttribute("data-record-count"))
      .toBe(String(mine.total));
    // The grid inside the app draws the rep's rows, and the grid counts what the API counts.
    await expect
      .poll(() => page.locator("sg-app sg-grid .count").getAttribute("data-row-count"))
      .toBe(String(mine.total));
    const firstName = String(mine.records[0]!.fields.name);
    await expect
      .poll(() =>
        page.evaluate(() => {
          const grid = document.querySelector("sg-app")!.shadowRoot!.querySelector("sg-grid")!;
          return [...grid.shadowRoot!.querySelectorAll(".ht_master tbody tr td:first-of-type")].map(
            (td) => td.textContent ?? "",
          );
        }),
      )
      .toContain(firstName);
    await screenshot(page, "rep-customers-en");

    // The rep's own record opens in the drawer; rep2's does not exist for them.
    await page.goto(`${appUrl()}/#/t/customers/r/${mine.records[0]!.id}`);
    await page.locator("sg-app sg-record sg-form form[data-form=record]").waitFor();
    // Owners show by name (from the user directory), not by id.
    await expect
      .poll(() => page.locator("sg-app sg-record sg-form select[name=owner] option:checked").innerText())
      .toBe(me.name);
    await page.goto(`${appUrl()}/#/t/customers/r/${theirs.id}`);
    await expect.poll(() => page.locator("sg-app sg-record [role=alert]").count()).toBe(1);
    expect(await page.locator("sg-app sg-record sg-form").count()).toBe(0);
    await context.close();
  });

  it("a field hidden from the warehouse has no label in its form, which admins do see; read-only fields are not editable", async () => {
    const anyCustomer = (await admin.listRecords("customers", { limit: 1 })).records[0]!;
    const { page, context } = await newPage(browser);
    await signIn(page, "admin");
    await page.goto(`${appUrl()}/#/t/customers/r/${anyCustomer.id}`);
    await page.locator("sg-app sg-form form").waitFor();
    expect(await page.locator('sg-app sg-form [data-field="grade"]').count()).toBe(1);
    expect(await page.locator('sg-app sg-form [data-field="annual_revenue"]').count()).toBe(1);
    await context.close();

    const wh = await newPage(browser);
    await signIn(wh.page, "warehouse");
    await wh.page.goto(`${appUrl()}/#/t/customers/r/${anyCustomer.id}`);
    await wh.page.locator("sg-app sg-form form").waitFor();
    expect(await wh.page.locator('sg-app sg-form [data-field="name"]').count()).toBe(1);
    expect(await wh.page.locator('sg-app sg-form [data-field="grade"]').count()).toBe(0);
    expect(await wh.page.locator('sg-app sg-form [data-field="annual_revenue"]').count()).toBe(0);
    // Read-only for the warehouse: no inputs, no save button, no "new record" button.
    expect(
      await wh.page
        .locator("sg-app sg-form form input, sg-app sg-form form select, sg-app sg-form form textarea")
        .count(),
    ).toBe(0);
    expect(await wh.page.locator("sg-app sg-form button[type=submit]").count()).toBe(0);
    expect(await wh.page.locator('sg-app [data-action="new-record"]').count()).toBe(0);
    const hiddenLabels = (await wh.page.locator("sg-app").innerText()).toLowerCase();
    expect(hiddenLabels).not.toContain("annual revenue");
    await screenshot(wh.page, "warehouse-customer-en");
    await wh.context.close();
  });

  it("the view opens with its own records: the count is the view's, as the API reports it", async () => {
    const rep = await apiAs("rep");
    const won = await rep.viewRecords(viewId, { count: true, limit: 1 });
    const { page, context } = await newPage(browser);
    await signIn(page, "rep");
    await page.locator(`sg-app nav [data-nav="view:${viewName}"]`).click();
    await expect
      .poll(() => page.locator("sg-app [data-record-count]").getAttribute("data-record-count"))
      .toBe(String(won.total));
    expect(await page.locator('sg-app [role=tab][aria-selected="true"]').innerText()).toBe("Won deals");
    await context.close();
  });
});
