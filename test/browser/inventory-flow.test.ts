/**
 * Issue 16's done-when, in the browser: a rep confirms an order on its document and the stock grid shows
 * the stock reserved; the warehouse clerk ships part of it and then the rest through the ship form (each
 * asked first), and the order becomes shipped; a receipt through the receive form brings a low-stock
 * product back above its reorder point, and its low-stock mark goes.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient, ApiRecord } from "../../web-components/api/client";
import { decimalToUnits, unitsToDecimal } from "../../web-components/i18n/decimal";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const units = (v: unknown) => decimalToUnits(String(v), 3)!;
const uniq = (s: string) => `${s} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ids = (v: unknown) =>
  Array.isArray(v) ? v.map((x) => (typeof x === "number" ? x : (x as { id: number }).id)) : [];

async function levelOf(api: ApiClient, product: number, warehouse: number): Promise<ApiRecord | undefined> {
  const { records } = await api.listRecords("stock_levels", {
    filter: { field: "product", op: "contains", value: product },
  });
  return records.find((r) => ids(r.fields.warehouse)[0] === warehouse);
}

/** The stock grid's figure for a product in a warehouse. */
async function gridFigure(page: Page, sku: string, code: string, q: string): Promise<string> {
  const cell = page.locator(`sg-app sg-stock-grid tr[data-sku="${sku}"] td[data-warehouse="${code}"] [data-q="${q}"]`);
  return (await cell.count()) ? await cell.evaluate((e) => e.lastChild?.textContent ?? "") : "";
}

async function searchGrid(page: Page, sku: string) {
  await page.goto(`${appUrl()}/#/stock`);
  const grid = page.locator("sg-app sg-stock-grid");
  await grid.locator("[data-stock-search]").fill(sku);
  await grid.locator(`tr[data-sku="${sku}"]`).waitFor();
}

it("a rep confirms, the clerk ships part then the rest, the order ships; a receipt lifts a low-stock product", async () => {
  const rep = await apiAs("rep");
  const clerk = await apiAs("warehouse");
  const { records: warehouses } = await rep.listRecords("warehouses", { fields: ["code", "name", "is_default"] });
  const home = warehouses.find((w) => w.fields.is_default === true)!;
  expect(home, "a default warehouse").toBeDefined();
  // A stocked product with at least 5 available in the default warehouse.
  const { records: candidates } = await rep.listRecords("products", {
    filter: {
      and: [
        { field: "track_stock", op: "eq", value: true },
        { field: "active", op: "eq", value: true },
      ],
    },
    fields: ["sku", "name"],
    sort: ["sku"],
    limit: 30,
  });
  let product: ApiRecord | undefined;
  let before: ApiRecord | undefined;
  for (const p of candidates) {
    before = await levelOf(rep, p.id, home.id);
    if (before && units(before.fields.available) >= 5000 && before.fields.low_stock !== true) {
      product = p;
      break;
    }
  }
  expect(product, "a product with stock in the default warehouse").toBeDefined();
  const sku = String(product!.fields.sku);
  const code = String(home.fields.code);

  // The order: a quote with one line of 5, sent and converted (the sales plugin prices it).
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Inventory flow customer") });
  const { record: quote } = await rep.createRecord("quotes", { customer: [customer.id] });
  await rep.createRecords("quote_lines", [{ fields: { quote: [quote.id], product: [product!.id], quantity: "5" } }]);
  const q = (await rep.getRecord("quotes", quote.id)).record;
  await rep.updateRecord("quotes", quote.id, q.version, { status: "sent" });
  const { order } = await rep.request<{ order: { id: number } }>("POST", "/api/actions/sales/quote-to-order", {
    quote: quote.id,
  });

  // The rep confirms it on its document; the stock grid shows 5 more reserved, 5 fewer available.
  const repPage = await newPage(browser);
  await signIn(repPage.page, "rep");
  await repPage.page.goto(`${appUrl()}/#/orders/${order.id}`);
  const doc = repPage.page.locator("sg-app sg-quote");
  await doc.locator('[data-doc-action="confirm"]').click();
  await doc.locator('[data-status="confirmed"]').waitFor({ timeout: 15_000 });
  await searchGrid(repPage.page, sku);
  await expect
    .poll(() => gridFigure(repPage.page, sku, code, "reserved"), { timeout: 10_000 })
    .toBe(unitsToDecimal(units(before!.fields.reserved) + 5000, 3));
  expect(await gridFigure(repPage.page, sku, code, "available")).toBe(
    unitsToDecimal(units(before!.fields.available) - 5000, 3),
  );
  await screenshot(repPage.page, "inventory-flow-reserved");
  await repPage.context.close();

  // The clerk ships 2 of the 5, then the rest; each time the form asks first.
  const { page, context } = await newPage(browser);
  await signIn(page, "warehouse");
  // The order's document offers the clerk its ship form.
  await page.goto(`${appUrl()}/#/orders/${order.id}`);
  await page.locator("sg-app [data-ship-order]").click();
  await page.waitForURL(new RegExp(`#/ship/${order.id}$`));
  const form = page.locator("sg-app sg-ship-form");
  const line = form.locator("tr[data-line-id]").first();
  await expect.poll(() => line.locator('[data-col="outstanding"]').textContent(), { timeout: 10_000 }).toBe("5.000");
  // No prices on the clerk's form.
  expect(await form.textContent()).not.toMatch(/¥|CNY/);
  await line.locator("input[name=quantity]").fill("2");
  await form.locator("[data-ship]").click();
  await page.locator("sg-confirm dialog").getByRole("button", { name: "Ship", exact: true }).click();
  await expect
    .poll(async () => (await clerk.getRecord("orders", order.id)).record.fields.status, { timeout: 10_000 })
    .toBe("partially_shipped");
  await expect.poll(() => line.locator('[data-col="outstanding"]').textContent(), { timeout: 10_000 }).toBe("3.000");
  await expect.poll(() => line.locator("input[name=quantity]").inputValue()).toBe("3.000");
  await form.locator("[data-ship]").click();
  await page.locator("sg-confirm dialog").getByRole("button", { name: "Ship", exact: true }).click();
  await expect
    .poll(async () => (await clerk.getRecord("orders", order.id)).record.fields.status, { timeout: 10_000 })
    .toBe("shipped");
  await form.locator('[data-fact="status"][data-status="shipped"]').waitFor({ timeout: 10_000 });
  await screenshot(page, "inventory-flow-shipped");
  const after = (await levelOf(rep, product!.id, home.id))!;
  expect(after.fields.on_hand).toBe(unitsToDecimal(units(before!.fields.on_hand) - 5000, 3));
  expect(after.fields.reserved).toBe(before!.fields.reserved);

  // A low-stock level: the clerk receives enough through the receive form to lift it above its reorder point.
  const { records: lows } = await clerk.listRecords("stock_levels", {
    filter: { field: "low_stock", op: "eq", value: true },
    expand: ["product", "warehouse"],
    limit: 50,
  });
  let low: ApiRecord | undefined;
  let lowProduct: ApiRecord | undefined;
  for (const l of lows) {
    const p = (await clerk.getRecord("products", ids(l.fields.product)[0]!)).record;
    if (p.fields.active === true) {
      low = l;
      lowProduct = p;
      break;
    }
  }
  expect(low, "an active product below its reorder point").toBeDefined();
  const lowSku = String(lowProduct!.fields.sku);
  const lowWarehouse = warehouses.find((w) => w.id === ids(low!.fields.warehouse)[0])!;
  const need = units(low!.fields.reorder_point) - units(low!.fields.available) + 10_000;
  const quantity = unitsToDecimal(need, 3);

  await searchGrid(page, lowSku);
  const lowCell = page.locator(
    `sg-app sg-stock-grid tr[data-sku="${lowSku}"] td[data-warehouse="${String(lowWarehouse.fields.code)}"]`,
  );
  await expect.poll(() => lowCell.getAttribute("data-low")).toBe("true");

  await page.locator('sg-app [data-nav="receive"]').click();
  await page.waitForURL(/#\/receive$/);
  const receive = page.locator("sg-app sg-receive-form");
  // The clerk may not see costs: no cost to enter.
  await receive.locator("input[name=quantity]").waitFor();
  expect(await receive.locator("input[name=unit_cost]").count()).toBe(0);
  await receive.locator("sg-product-search input").fill(lowSku);
  await receive.locator(`sg-product-search li[data-sku="${lowSku}"]`).click();
  await receive.locator(`[data-picked-product="${lowSku}"]`).waitFor();
  await receive.locator("select[name=warehouse]").selectOption(String(lowWarehouse.id));
  await receive.locator("input[name=quantity]").fill(quantity);
  await receive.locator("input[name=reference]").fill(uniq("PO"));
  await receive.locator("[data-receive]").click();
  await expect
    .poll(async () => (await levelOf(clerk, lowProduct!.id, lowWarehouse.id))?.fields.low_stock, { timeout: 10_000 })
    .toBe(false);
  const lifted = (await levelOf(clerk, lowProduct!.id, lowWarehouse.id))!;
  expect(units(lifted.fields.available)).toBeGreaterThan(units(lifted.fields.reorder_point));
  expect(lifted.fields.on_hand).toBe(unitsToDecimal(units(low!.fields.on_hand) + need, 3));

  await searchGrid(page, lowSku);
  await expect.poll(() => lowCell.getAttribute("data-low"), { timeout: 10_000 }).toBe("false");
  expect(await lowCell.locator("[data-low-stock]").count()).toBe(0);
  await screenshot(page, "inventory-flow-received");
  await context.close();
});
