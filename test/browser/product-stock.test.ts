/**
 * Issue 16's "a product's stock and moves on its page": the product's record drawer shows its levels per
 * warehouse as the API reads them for the viewer and its moves newest first, names never ids (warehouse,
 * order number linked to the document, the user); a receipt appears when the product is opened again; the
 * warehouse clerk sees quantities but nothing price-like; a rep sees levels (in zh-CN) and no moves; a
 * product that keeps no stock and a customer show no stock panel; axe finds nothing serious in the panel.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient, ApiRecord } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { uniq } from "./quote-fixture";

let browser: Browser;
let admin: ApiClient;
let productId: number;

const linkId = (v: unknown) => (Array.isArray(v) ? (v[0] as number) : undefined);
const panel = (page: Page) => page.locator("sg-app sg-record sg-product-stock");
const ready = (page: Page) => panel(page).locator("section[data-ready]");

/** Every move of the product, newest first (by instant, then by id), sorted here rather than by the server. */
async function movesOf(api: ApiClient, product: number): Promise<ApiRecord[]> {
  const out: ApiRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: { records: ApiRecord[]; nextCursor: string | null } = await api.listRecords("stock_moves", {
      filter: { field: "product", op: "eq", value: product },
      limit: 1000,
      cursor,
    });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  const at = (r: ApiRecord) => Date.parse(String(r.fields.at));
  return out.sort((a, b) => at(b) - at(a) || b.id - a.id);
}

async function levelsOf(api: ApiClient, product: number): Promise<ApiRecord[]> {
  return (
    await api.listRecords("stock_levels", { filter: { field: "product", op: "contains", value: product }, limit: 50 })
  ).records;
}

/** The levels table shows exactly the viewer's levels of the product, quantity by quantity. */
async function expectLevels(page: Page, api: ApiClient, extra: string[] = []) {
  const levels = await levelsOf(api, productId);
  expect(levels.length).toBeGreaterThan(0);
  const { records: warehouses } = await api.listRecords("warehouses", { fields: ["code", "name"], limit: 50 });
  const rows = ready(page).locator("table[data-list=levels] tbody tr");
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(levels.length);
  for (const level of levels) {
    const w = warehouses.find((x) => x.id === linkId(level.fields.warehouse))!;
    const row = ready(page).locator(`table[data-list=levels] tr[data-warehouse="${String(w.fields.code)}"]`);
    expect(await row.locator("[data-col=warehouse]").textContent()).toBe(String(w.fields.name));
    for (const q of ["on_hand", "reserved", "available", ...extra])
      expect(await row.locator(`[data-q="${q}"]`).textContent(), q).toBe(String(level.fields[q] ?? ""));
    expect(await row.locator("[data-low-stock]").count()).toBe(level.fields.low_stock === true ? 1 : 0);
  }
  return levels;
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
  // The demo product with the most shipments among the demo's: it has orders behind its moves, and more
  // moves than one page.
  const { records: shipments } = await admin.listRecords("stock_moves", {
    filter: { field: "kind", op: "eq", value: "shipment" },
    fields: ["product"],
    limit: 500,
  });
  const counts = new Map<number, number>();
  for (const m of shipments) counts.set(Number(m.fields.product), (counts.get(Number(m.fields.product)) ?? 0) + 1);
  productId = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  // More moves than one page: receipts on top of the demo's history (the orders' moves stay on page two).
  const { records: levels } = await admin.listRecords("stock_levels", {
    filter: { field: "product", op: "contains", value: productId },
    limit: 1,
  });
  const warehouse = linkId(levels[0]!.fields.warehouse)!;
  for (let n = (await movesOf(admin, productId)).length; n <= 12; n++)
    await admin.request("POST", "/api/actions/inventory/receive", {
      product: productId,
      warehouse,
      quantity: "1",
      unit_cost: { amount: 500, currency: "CNY" },
      reference: uniq("PO-page"),
    });
});
afterAll(async () => {
  await browser?.close();
});

it("an admin sees the product's levels per warehouse and its moves newest first, by name, paged", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  expect(await ready(page).locator("h3").textContent()).toBe("Stock");
  await expectLevels(page, admin, ["reorder_point"]);
  // An admin reads costs: the level's stock value and each move's unit cost are shown.
  expect(await ready(page).locator("table[data-list=levels] [data-money=stock_value]").first().textContent()).toMatch(
    /¥/,
  );

  const moves = await movesOf(admin, productId);
  expect(moves.length, "more moves than one page").toBeGreaterThan(10);
  const { table: movesTable } = await admin.table("stock_moves");
  const kinds = (
    movesTable.fields.find((f) => f.name === "kind")!.options as { choices: { name: string; labels: { en: string } }[] }
  ).choices;
  const { records: warehouses } = await admin.listRecords("warehouses", { fields: ["name"], limit: 50 });
  const me = (await admin.me()).user;
  const rows = ready(page).locator("table[data-list=moves] tbody tr");
  await expect.poll(() => rows.count()).toBe(10);
  // "More moves" brings the next page, newest first still.
  await ready(page).locator("[data-action=more-moves]").click();
  await expect.poll(() => rows.count()).toBe(Math.min(20, moves.length));
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-move"))));
  expect(shown).toEqual(moves.slice(0, shown.length).map((m) => m.id));

  const names = await admin.userNames(moves.map((m) => String(m.fields.by ?? "")).filter(Boolean));
  let orderLinks = 0;
  for (const [i, m] of moves.slice(0, shown.length).entries()) {
    const row = rows.nth(i);
    const q = String(m.fields.quantity);
    expect(await row.locator("[data-col=quantity]").textContent()).toBe(q.startsWith("-") ? q : `+${q}`);
    expect(await row.locator("[data-col=kind]").textContent()).toBe(
      kinds.find((k) => k.name === m.fields.kind)!.labels.en,
    );
    expect(await row.locator("[data-col=warehouse]").textContent()).toBe(
      String(warehouses.find((w) => w.id === m.fields.warehouse)!.fields.name),
    );
    expect(await row.locator("[data-col=by]").textContent()).toBe(names.get(String(m.fields.by)) ?? "System");
    const when = new Intl.DateTimeFormat("en", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: me.timeZone ?? undefined,
    });
    const squash = (s: string | null) => (s ?? "").replace(/\s+/gu, " ");
    expect(squash(await row.locator("[data-col=at] time").textContent())).toBe(
      squash(when.format(new Date(String(m.fields.at)))),
    );
    // A receipt or shipment carries its cost (a reservation moves no value, so it has none).
    expect(await row.locator("[data-money=unit_cost]").count()).toBe(m.fields.unit_cost ? 1 : 0);
    if (m.fields.unit_cost) expect(await row.locator("[data-money=unit_cost]").textContent()).toMatch(/¥/);
    if (typeof m.fields.order === "number") {
      const order = (await admin.getRecord("orders", m.fields.order)).record;
      const link = row.locator(`[data-col=document] a`);
      expect(await link.getAttribute("href")).toBe(`#/orders/${m.fields.order}`);
      expect(await link.textContent()).toBe(String(order.fields.number));
      orderLinks++;
    }
  }
  expect(orderLinks, "moves of orders among those shown").toBeGreaterThan(0);
  expect(await ready(page).textContent()).not.toMatch(/usr_[a-z0-9]{12}/);
  // The product's own stock levels field calls each level by SKU and warehouse code, never by its ids.
  const product = (await admin.getRecord("products", productId)).record;
  const { records: codes } = await admin.listRecords("warehouses", { fields: ["code"], limit: 50 });
  const levelNames = (await levelsOf(admin, productId)).map((l) => {
    const w = codes.find((x) => x.id === linkId(l.fields.warehouse))!;
    return `${String(product.fields.sku)} · ${String(w.fields.code)}`;
  });
  const chips = page.locator("sg-record sg-link-picker .chip [data-value]");
  await expect
    .poll(async () => (await chips.allTextContents()).filter((t) => levelNames.includes(t)).sort())
    .toEqual([...levelNames].sort());
  expect((await chips.allTextContents()).filter((t) => /^\d+:\d+$/.test(t))).toEqual([]);
  expect(await ready(page).locator("a[data-action=receive]").getAttribute("href")).toBe("#/receive");
  await ready(page).scrollIntoViewIfNeeded();
  await screenshot(page, "product-stock-admin");

  // The order's link opens its document.
  const first = ready(page).locator("[data-col=document] a").first();
  const href = await first.getAttribute("href");
  await first.click();
  await page.waitForURL(new RegExp(`${href!.replace("/", "\\/")}$`));
  await context.close();
});

it("after a receipt through the API the product shows the new move and level when opened again", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  const level = (await levelsOf(admin, productId))[0]!;
  const warehouse = linkId(level.fields.warehouse)!;
  const reference = uniq("PO-test");
  await admin.request("POST", "/api/actions/inventory/receive", {
    product: productId,
    warehouse,
    quantity: "7.25",
    unit_cost: { amount: 1234, currency: "CNY" },
    reference,
  });
  await page.goto(`${appUrl()}/#/t/products`);
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  const after = await expectLevels(page, admin, ["reorder_point"]);
  expect(after.find((l) => linkId(l.fields.warehouse) === warehouse)!.fields.on_hand).not.toBe(level.fields.on_hand);
  const top = ready(page).locator("table[data-list=moves] tbody tr").first();
  expect(await top.getAttribute("data-kind")).toBe("receipt");
  expect(await top.locator("[data-col=quantity]").textContent()).toBe("+7.250");
  expect(await top.locator("[data-col=document]").textContent()).toBe(reference);
  expect(await top.locator("[data-money=unit_cost]").textContent()).toMatch(/12\.34/);
  await context.close();
});

it("the warehouse clerk sees quantities and moves, but no unit cost, average cost or stock value", async () => {
  const clerk = await apiAs("warehouse");
  const { page, context } = await newPage(browser);
  await signIn(page, "warehouse");
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  await expectLevels(page, clerk, ["reorder_point"]);
  const moves = await movesOf(clerk, productId);
  const rows = ready(page).locator("table[data-list=moves] tbody tr");
  await expect.poll(() => rows.count()).toBe(Math.min(10, moves.length));
  expect(await rows.first().getAttribute("data-move")).toBe(String(moves[0]!.id));
  expect(await ready(page).locator("[data-money]").count()).toBe(0);
  const text = (await ready(page).textContent()) ?? "";
  expect(text).not.toMatch(/¥|CNY|Unit cost|Average cost|Stock value/);
  expect(await ready(page).locator("a[data-action=receive]").count()).toBe(1);
  expect(text).not.toMatch(/usr_[a-z0-9]{12}/);
  await ready(page).scrollIntoViewIfNeeded();
  await screenshot(page, "product-stock-warehouse");
  await context.close();
});

it("a rep sees the levels (in zh-CN) but no moves and no receive button", async () => {
  const rep = await apiAs("rep");
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  await expect.poll(() => ready(page).locator("h3").textContent()).toBe("库存");
  await expectLevels(page, rep);
  expect(await ready(page).locator("table[data-list=levels] th").nth(1).textContent()).toBe("在库");
  expect(await ready(page).locator("table[data-list=moves]").count()).toBe(0);
  expect(await ready(page).locator("a[data-action=receive]").count()).toBe(0);
  expect(await ready(page).locator("[data-money]").count()).toBe(0);
  await ready(page).scrollIntoViewIfNeeded();
  await screenshot(page, "product-stock-rep-zh");
  await context.close();
});

it("a product that keeps no stock and a customer show no stock panel", async () => {
  const unstocked = (
    await admin.listRecords("products", { filter: { field: "track_stock", op: "neq", value: true }, limit: 1 })
  ).records[0];
  expect(unstocked, "a demo product without stock").toBeDefined();
  const customer = (await admin.listRecords("customers", { limit: 1 })).records[0]!;
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  for (const path of [`#/t/products/r/${unstocked!.id}`, `#/t/customers/r/${customer.id}`]) {
    await page.goto(`${appUrl()}/${path}`);
    // The record and its history are drawn: the page is complete, and holds no stock panel.
    await page.locator("sg-app sg-record #hist").waitFor({ timeout: 20_000 });
    expect(await panel(page).count(), path).toBe(0);
  }
  // The stocked product does, on the same page (the check above can fail).
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).waitFor({ timeout: 20_000 });
  await context.close();
});

it("axe finds no serious or critical violation in the panel", async () => {
  // The app's CSP (script-src 'self') must let the injected axe script run.
  const context = await browser.newContext({ locale: "en", viewport: { width: 1360, height: 860 }, bypassCSP: true });
  await context.addInitScript(() => localStorage.setItem("salesgrid.locale", "en"));
  const page = await context.newPage();
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/products/r/${productId}`);
  await ready(page).locator("table[data-list=moves]").waitFor({ timeout: 20_000 });
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
  const findings = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run(
      { include: [{ fromShadowDom: ["sg-app", "sg-record", "sg-product-stock"] }] },
      { resultTypes: ["violations"] },
    )) as { violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target),
    }));
  });
  expect(findings.filter((f) => f.impact === "serious" || f.impact === "critical")).toEqual([]);
  await context.close();
});
