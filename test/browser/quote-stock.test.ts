/**
 * Available stock beside the lines of a quote or order (issue 16) in real Chromium: an order shows its
 * warehouse's available quantity (compared with what the API answers for that product and warehouse), in
 * the product search as the rep picks and beside the line; a quantity above it is marked short in words;
 * confirming an order reserves its stock and the shown figure drops; a quote shows the total over the
 * active warehouses with each warehouse's figure on hover; a product that does not track stock shows
 * nothing; with the inventory plugin off there is no stock column and no error.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient, ApiRecord } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { chineseProducts, uniq } from "./quote-fixture";

let browser: Browser;
let rep: ApiClient;
let admin: ApiClient;
let warehouses: { id: number; name: string; isDefault: boolean }[];
beforeAll(async () => {
  browser = await launchBrowser();
  rep = await apiAs("rep");
  admin = await apiAs("admin");
  const { records } = await rep.listRecords("warehouses", {
    filter: { field: "active", op: "eq", value: true },
    fields: ["name", "is_default"],
    limit: 100,
  });
  warehouses = records.map((r) => ({ id: r.id, name: String(r.fields.name), isDefault: r.fields.is_default === true }));
});
afterAll(async () => {
  await browser?.close();
});

/** Exact units of a scale-3 decimal string, by string arithmetic (the test's own, not the app's). */
const units = (s: unknown): bigint => {
  const [i, f = ""] = String(s).split(".");
  return BigInt(i! + f.padEnd(3, "0"));
};
/** Units as the quantity text the document shows ("12.500" -> "12.5", "3.000" -> "3"). */
const shown = (u: bigint): string => {
  const s = u.toString().padStart(4, "0");
  return `${s.slice(0, -3)}.${s.slice(-3)}`.replace(/\.?0+$/, "");
};

/** The API's available quantity of a product per warehouse id (a warehouse without a level: absent). */
async function levelsOf(api: ApiClient, product: number): Promise<Map<number, bigint>> {
  const { records } = await api.listRecords("stock_levels", {
    filter: { field: "product", op: "contains", value: product },
    fields: ["warehouse", "available"],
  });
  return new Map(records.map((r) => [(r.fields.warehouse as number[])[0]!, units(r.fields.available)]));
}

/** Active stocked products with their levels, as the rep reads them (two requests: the rep's rate limit). */
async function stockedProducts(): Promise<{ product: ApiRecord; levels: Map<number, bigint> }[]> {
  const { records } = await rep.listRecords("products", {
    filter: {
      and: [
        { field: "track_stock", op: "eq", value: true },
        { field: "active", op: "eq", value: true },
      ],
    },
    fields: ["sku", "name"],
    sort: ["sku"],
    limit: 40,
  });
  const { records: levels } = await rep.listRecords("stock_levels", {
    filter: { or: records.map((p) => ({ field: "product", op: "contains", value: p.id })) },
    fields: ["product", "warehouse", "available"],
    limit: 1000,
  });
  return records.map((product) => ({
    product,
    levels: new Map(
      levels
        .filter((l) => (l.fields.product as number[])[0] === product.id)
        .map((l) => [(l.fields.warehouse as number[])[0]!, units(l.fields.available)]),
    ),
  }));
}

const lineOf = (doc: ReturnType<Page["locator"]>, productName: string) =>
  doc
    .locator("tr[data-line-id]")
    .filter({ has: doc.page().locator(`td[data-col="product"]`, { hasText: productName }) });

async function openDoc(page: Page, kind: "quotes" | "orders", id: number) {
  await page.goto(`${appUrl()}/#/${kind}/${id}`);
  const doc = page.locator("sg-app sg-quote");
  await doc.locator("h1").waitFor();
  return doc;
}

it("an order shows its warehouse's available stock as the rep picks and beside the line, marks a larger quantity short, and drops it once confirmed", async () => {
  const stocked = await stockedProducts();
  const dflt = warehouses.find((w) => w.isDefault)!;
  const other = warehouses.find((w) => !w.isDefault)!;
  // P: stocked in another warehouse than the default, with a different figure there (so the rule shows).
  const p = stocked.find(
    (s) => (s.levels.get(other.id) ?? 0n) >= 1000n && s.levels.get(other.id) !== s.levels.get(dflt.id),
  );
  // Q: another product with at least 2 available in the default warehouse.
  const q = stocked.find((s) => s !== p && (s.levels.get(dflt.id) ?? 0n) >= 2000n);
  expect(p, "a product stocked outside the default warehouse").toBeDefined();
  expect(q).toBeDefined();
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Stock beside lines") });
  const { record: draft } = await rep.createRecord("orders", { customer: [customer.id] });
  // The rep picks the warehouse of their own order.
  const { record: order } = await rep.updateRecord("orders", draft.id, draft.version, { warehouse: [other.id] });

  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  const doc = await openDoc(page, "orders", order.id);
  const pName = String(p!.product.fields.name);
  const atOther = (await levelsOf(rep, p!.product.id)).get(other.id)!;

  // The search option says what is available in the order's warehouse before the product is added.
  await doc.locator("[data-product-search]").fill(String(p!.product.fields.sku));
  const option = doc.locator(`sg-product-search li[data-sku="${String(p!.product.fields.sku)}"]`);
  await expect
    .poll(() => option.locator("[data-available]").textContent(), { timeout: 10_000 })
    .toContain(shown(atOther));
  await screenshot(page, "quote-stock-search");
  await doc.locator("[data-product-search]").press("Enter");

  const line = lineOf(doc, pName);
  await expect.poll(() => line.count(), { timeout: 10_000 }).toBe(1);
  const cell = line.locator('[data-col="available"]');
  await expect.poll(() => cell.locator("[data-available]").textContent(), { timeout: 10_000 }).toBe(shown(atOther));
  expect(await cell.locator("[data-short]").count()).toBe(0);

  // One more than is there: marked short, in words.
  const qty = line.locator("input[name=quantity]");
  await qty.fill(shown(atOther + 1000n));
  await qty.press("Tab");
  await expect.poll(() => cell.locator("[data-short]").textContent(), { timeout: 10_000 }).toContain("Short");
  expect(await cell.locator("[data-short] svg").count()).toBe(1);
  await screenshot(page, "quote-stock-short");

  // Exactly what is there: not short. The product again on a second line: together they are, both marked.
  await qty.fill(shown(atOther));
  await qty.press("Tab");
  await expect.poll(() => cell.locator("[data-short]").count(), { timeout: 10_000 }).toBe(0);
  await doc.locator("[data-product-search]").fill(String(p!.product.fields.sku));
  await option.locator("[data-available]").waitFor({ timeout: 10_000 });
  await doc.locator("[data-product-search]").press("Enter");
  await expect.poll(() => line.count(), { timeout: 10_000 }).toBe(2);
  await expect.poll(() => doc.locator("tr[data-line-id] [data-short]").count(), { timeout: 10_000 }).toBe(2);
  expect(await doc.locator("tr[data-line-id] [data-short]").first().textContent()).toContain("Short by 1");

  // Another order, of Q, from the default warehouse: confirming reserves 2 and the figure drops by 2.
  const { record: order2 } = await rep.createRecord("orders", { customer: [customer.id] });
  await rep.createRecord("order_lines", { order: [order2.id], product: [q!.product.id], quantity: "2" });
  const before = (await levelsOf(rep, q!.product.id)).get(dflt.id)!;
  const doc2 = await openDoc(page, "orders", order2.id);
  const cell2 = lineOf(doc2, String(q!.product.fields.name)).locator('[data-col="available"] [data-available]');
  await expect.poll(() => cell2.textContent(), { timeout: 10_000 }).toBe(shown(before));
  await doc2.locator('[data-doc-action="confirm"]').click();
  await doc2.locator('[data-status="confirmed"]').waitFor({ timeout: 10_000 });
  const after = (await levelsOf(rep, q!.product.id)).get(dflt.id)!;
  expect(after).toBe(before - 2000n);
  await expect.poll(() => cell2.textContent(), { timeout: 10_000 }).toBe(shown(after));
  await context.close();

  // The warehouse clerk (no prices, another view of products) sees the same figure on the order.
  const clerk = await newPage(browser);
  await signIn(clerk.page, "warehouse");
  const doc3 = await openDoc(clerk.page, "orders", order2.id);
  const cell3 = lineOf(doc3, String(q!.product.fields.name)).locator('[data-col="available"] [data-available]');
  await expect.poll(() => cell3.textContent(), { timeout: 10_000 }).toBe(shown(after));
  await clerk.context.close();
});

it("a quote shows the total over the active warehouses with each one's figure, and nothing for a product that does not track stock", async () => {
  const stocked = await stockedProducts();
  const p = stocked.find((s) => warehouses.filter((w) => (s.levels.get(w.id) ?? 0n) > 0n).length >= 2)!;
  expect(p).toBeDefined();
  const [plain] = await chineseProducts(rep, 1);
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Stock on a quote") });
  const { record: quote } = await rep.createRecord("quotes", { customer: [customer.id] });
  await rep.createRecords("quote_lines", [
    { fields: { quote: [quote.id], product: [p.product.id], quantity: "1" } },
    { fields: { quote: [quote.id], product: [plain!.id], quantity: "1000000" } },
  ]);
  const levels = await levelsOf(rep, p.product.id);
  const total = warehouses.reduce((s, w) => s + (levels.get(w.id) ?? 0n), 0n);

  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  const doc = await openDoc(page, "quotes", quote.id);
  await expect
    .poll(() => doc.locator('[data-col-head="available"]').textContent(), { timeout: 10_000 })
    .toBe("可用库存所有启用的仓库");
  const cell = lineOf(doc, String(p.product.fields.name)).locator('[data-col="available"]');
  await expect.poll(() => cell.locator("[data-available]").textContent(), { timeout: 10_000 }).toBe(shown(total));
  const title = (await cell.locator("[data-available]").getAttribute("title")) ?? "";
  for (const w of warehouses) expect(title).toContain(`${w.name}: ${shown(levels.get(w.id) ?? 0n)}`);
  const plainCell = lineOf(doc, plain!.name).locator('[data-col="available"]');
  expect((await plainCell.textContent())?.trim()).toBe("");

  // A pasted line of another stocked product, one more than all warehouses hold: its total appears, short.
  const r = stocked.find((s) => s !== p && warehouses.some((w) => (s.levels.get(w.id) ?? 0n) > 0n))!;
  const rLevels = await levelsOf(rep, r.product.id);
  const rTotal = warehouses.reduce((s, w) => s + (rLevels.get(w.id) ?? 0n), 0n);
  await doc.locator("[data-paste-toggle]").click();
  await doc.locator("textarea[data-paste]").fill(`${String(r.product.fields.sku)}\t${shown(rTotal + 1000n)}`);
  await doc.locator("[data-paste-add]").click();
  const rCell = lineOf(doc, String(r.product.fields.name)).locator('[data-col="available"]');
  await expect.poll(() => rCell.locator("[data-available]").textContent(), { timeout: 10_000 }).toBe(shown(rTotal));
  expect(await rCell.locator("[data-short]").textContent()).toContain("缺货 1");
  await screenshot(page, "quote-stock-quote-total");
  await context.close();
});

it("confirming an order short of stock marks the short line with requested and available in zh-CN and keeps it a draft; enough confirms", async () => {
  const stocked = await stockedProducts();
  const dflt = warehouses.find((w) => w.isDefault)!;
  const [q, s] = stocked.filter((x) => (x.levels.get(dflt.id) ?? 0n) >= 2000n);
  expect(s, "two products with stock in the default warehouse").toBeDefined();
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Short on confirm") });
  const { record: order } = await rep.createRecord("orders", { customer: [customer.id] });
  const have = (await levelsOf(rep, q!.product.id)).get(dflt.id)!;
  const { records: lines } = await rep.createRecords("order_lines", [
    { fields: { order: [order.id], product: [q!.product.id], quantity: shown(have + 1500n) } },
    { fields: { order: [order.id], product: [s!.product.id], quantity: "1" } },
  ]);
  const [short, fine] = lines as [ApiRecord, ApiRecord];

  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  const doc = await openDoc(page, "orders", order.id);
  await doc.locator('[data-doc-action="confirm"]').click();
  const shortError = doc.locator(`tr[data-line-error="${short.id}"]`);
  await expect
    .poll(() => shortError.textContent(), { timeout: 10_000 })
    .toBe(`库存不足：需要 ${shown(have + 1500n)}，可用 ${shown(have)}`);
  expect(await doc.locator(`tr[data-line-error="${fine.id}"]`).count()).toBe(0);
  expect(await doc.locator('[data-status="draft"]').count()).toBe(1);
  // Nothing changed: still a draft, nothing reserved.
  expect((await rep.getRecord("orders", order.id)).record.fields.status).toBe("draft");
  expect((await levelsOf(rep, q!.product.id)).get(dflt.id)).toBe(have);
  await screenshot(page, "quote-stock-confirm-short");

  // Within what is there: the order confirms and the mark goes.
  const qty = lineOf(doc, String(q!.product.fields.name)).locator("input[name=quantity]");
  await qty.fill("1");
  await qty.press("Tab");
  await expect.poll(() => shortError.count(), { timeout: 10_000 }).toBe(0);
  await doc.locator('[data-doc-action="confirm"]').click();
  await doc.locator('[data-status="confirmed"]').waitFor({ timeout: 10_000 });
  expect((await levelsOf(rep, q!.product.id)).get(dflt.id)).toBe(have - 1000n);
  await context.close();
});

it("without the inventory plugin there is no stock column and no error", async () => {
  const { records: stocked } = await rep.listRecords("products", {
    filter: { field: "track_stock", op: "eq", value: true },
    fields: ["name"],
    limit: 1,
  });
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Stock off") });
  const { record: quote } = await rep.createRecord("quotes", { customer: [customer.id] });
  await rep.createRecord("quote_lines", { quote: [quote.id], product: [stocked[0]!.id], quantity: "1" });
  const { page, context } = await newPage(browser);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, "rep");
  // With the plugin on, the same quote shows the column (so its absence below means something).
  let doc = await openDoc(page, "quotes", quote.id);
  await doc.locator('[data-col="available"] [data-available]').waitFor({ timeout: 10_000 });
  await admin.request("POST", "/api/admin/plugins/inventory/disable");
  try {
    await page.reload();
    doc = await openDoc(page, "quotes", quote.id);
    await expect.poll(() => doc.locator("tr[data-line-id]").count(), { timeout: 10_000 }).toBe(1);
    // Give the stock read time to answer (and be refused) before looking.
    await page.waitForTimeout(1000);
    expect(await doc.locator('[data-col="available"]').count()).toBe(0);
    expect(await doc.locator("th", { hasText: "Available" }).count()).toBe(0);
    expect(await page.locator("sg-app [role=alert]").count()).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    await admin.request("POST", "/api/admin/plugins/inventory/enable");
    await context.close();
  }
});
