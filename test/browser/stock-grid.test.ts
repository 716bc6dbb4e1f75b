/**
 * Issue 16's stock grid (`#/stock`): a demo product's on hand / reserved / available per warehouse are
 * what the API reads, the category filter narrows the products, a low-stock cell says so in words, and
 * the grid speaks zh-CN.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiRecord } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const linkId = (v: unknown) => (Array.isArray(v) ? (v[0] as number) : undefined);

it("shows a demo product's levels as the API reads them; the category filter narrows", async () => {
  const rep = await apiAs("rep");
  const products = (
    await rep.listRecords("products", {
      filter: { field: "track_stock", op: "eq", value: true },
      fields: ["sku", "name", "category"],
      sort: ["sku"],
      limit: 200,
    })
  ).records;
  const { records: warehouses } = await rep.listRecords("warehouses", { fields: ["code", "name"], limit: 50 });
  expect(warehouses.length).toBeGreaterThanOrEqual(2);
  // A product whose levels differ between warehouses (stocked in more than one).
  let product: ApiRecord | undefined;
  let levels: ApiRecord[] = [];
  for (const p of products) {
    levels = (await rep.listRecords("stock_levels", { filter: { field: "product", op: "contains", value: p.id } }))
      .records;
    if (levels.length >= 2) {
      product = p;
      break;
    }
  }
  expect(product, "a demo product stocked in two warehouses").toBeDefined();

  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.locator('sg-app [data-nav="stock"]').click();
  await page.waitForURL(/#\/stock$/);
  const grid = page.locator("sg-app sg-stock-grid");
  await grid.locator("[data-stock-search]").fill(String(product!.fields.sku));
  const row = grid.locator(`tr[data-sku="${String(product!.fields.sku)}"]`);
  await row.waitFor();
  await expect.poll(() => grid.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
  // Names on screen: the product's and the warehouses', never an id.
  expect(await row.locator("td").first().textContent()).toContain(String(product!.fields.name));
  for (const w of warehouses)
    expect(await grid.locator(`th[data-warehouse="${String(w.fields.code)}"]`).textContent()).toBe(
      String(w.fields.name),
    );
  for (const level of levels) {
    const w = warehouses.find((x) => x.id === linkId(level.fields.warehouse))!;
    const cell = row.locator(`td[data-warehouse="${String(w.fields.code)}"]`);
    for (const q of ["on_hand", "reserved", "available"] as const)
      await expect
        .poll(() => cell.locator(`[data-q="${q}"]`).evaluate((e) => e.lastChild?.textContent ?? ""))
        .toBe(String(level.fields[q]));
    expect(await cell.locator("[data-low-stock]").count()).toBe(level.fields.low_stock === true ? 1 : 0);
  }

  // One warehouse only: one column.
  const first = warehouses[0]!;
  await grid.locator("[data-stock-warehouse]").selectOption(String(first.id));
  await expect.poll(() => grid.locator("thead th[data-warehouse]").count()).toBe(1);

  // The category filter: cleared search, then one category; every row shown belongs to it.
  await grid.locator("[data-stock-search]").fill("");
  const categories = [...new Set(products.map((p) => String(p.fields.category)))];
  expect(categories.length).toBeGreaterThanOrEqual(2);
  await expect.poll(() => grid.locator("tbody tr").count(), { timeout: 10_000 }).toBeGreaterThan(1);
  const skusOf = (cat: string) => new Set(products.filter((p) => p.fields.category === cat).map((p) => p.fields.sku));
  const before = await grid.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sku")));
  const cat = categories.find((c) => before.some((s) => !skusOf(c).has(s)))!;
  await grid.locator("[data-stock-category]").selectOption(cat);
  await expect
    .poll(
      async () =>
        (await grid.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sku")))).every((s) =>
          skusOf(cat).has(s),
        ),
      { timeout: 10_000 },
    )
    .toBe(true);
  expect(await grid.locator("tbody tr").count()).toBeGreaterThan(0);
  await screenshot(page, "stock-grid");
  await context.close();
});

it("marks a low-stock level with words, and speaks zh-CN", async () => {
  const rep = await apiAs("rep");
  const low = (
    await rep.listRecords("stock_levels", {
      filter: { field: "low_stock", op: "eq", value: true },
      limit: 1,
      expand: ["product"],
    })
  ).records[0];
  expect(low, "a demo level below its reorder point").toBeDefined();
  const productId = linkId((low!.fields.product as { id: number }[]).map((x) => x.id));
  const product = (await rep.getRecord("products", productId!)).record;

  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/stock`);
  const grid = page.locator("sg-app sg-stock-grid");
  await expect.poll(() => grid.locator("h1").textContent()).toBe("库存");
  await grid.locator("[data-stock-search]").fill(String(product.fields.sku));
  const row = grid.locator(`tr[data-sku="${String(product.fields.sku)}"]`);
  await expect
    .poll(() => row.locator('td[data-low="true"] [data-low-stock]').first().textContent())
    .toContain("库存不足");
  await screenshot(page, "stock-grid-zh");
  await context.close();
});
