/**
 * The ship and receive forms' refusals: the server's problem appears beside the line it names, worded in
 * zh-CN; a quantity that is no decimal is refused before anything is sent; the receive form asks a role
 * that may see costs for the unit cost, and a clerk not.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiRecord } from "../../web-components/api/client";
import { decimalToUnits } from "../../web-components/i18n/decimal";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const uniq = (s: string) => `${s} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A confirmed order of one line of 3 units (a product with plenty available), made by the demo rep. */
async function confirmedOrder(): Promise<{ order: { id: number }; o: ApiRecord }> {
  const rep = await apiAs("rep");
  const { records: products } = await rep.listRecords("products", {
    filter: {
      and: [
        { field: "track_stock", op: "eq", value: true },
        { field: "active", op: "eq", value: true },
      ],
    },
    fields: ["sku"],
    sort: ["sku"],
    limit: 30,
  });
  // A product with plenty available everywhere it is stocked (the default warehouse among them).
  let product: ApiRecord | undefined;
  for (const p of products) {
    const { records } = await rep.listRecords("stock_levels", {
      filter: { field: "product", op: "contains", value: p.id },
    });
    if (records.length >= 2 && records.every((l) => (decimalToUnits(String(l.fields.available), 3) ?? 0) >= 10_000)) {
      product = p;
      break;
    }
  }
  expect(product).toBeDefined();
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Ship form customer") });
  const { record: quote } = await rep.createRecord("quotes", { customer: [customer.id] });
  await rep.createRecords("quote_lines", [{ fields: { quote: [quote.id], product: [product!.id], quantity: "3" } }]);
  const q = (await rep.getRecord("quotes", quote.id)).record;
  await rep.updateRecord("quotes", quote.id, q.version, { status: "sent" });
  const { order } = await rep.request<{ order: { id: number } }>("POST", "/api/actions/sales/quote-to-order", {
    quote: quote.id,
  });
  const o = (await rep.getRecord("orders", order.id)).record;
  await rep.updateRecord("orders", order.id, o.version, { status: "confirmed" });
  return { order, o };
}

it("shows the server's over-shipping refusal beside its line in zh-CN; a non-number is refused before sending", async () => {
  const rep = await apiAs("rep");
  const { order, o } = await confirmedOrder();
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "warehouse");
  await page.goto(`${appUrl()}/#/ship/${order.id}`);
  const form = page.locator("sg-app sg-ship-form");
  const line = form.locator("tr[data-line-id]").first();
  await expect.poll(() => line.locator('[data-col="outstanding"]').textContent(), { timeout: 10_000 }).toBe("3.000");

  // Not a number: refused on the form, no question asked, nothing sent.
  await line.locator("input[name=quantity]").fill("abc");
  await form.locator("[data-ship]").click();
  await expect.poll(() => line.locator("[data-line-error]").textContent()).toBe("请输入最多三位小数的数字。");
  expect(await page.locator("sg-confirm dialog[open]").count()).toBe(0);

  // More than is left: the server's 422 beside the line, in Chinese.
  await line.locator("input[name=quantity]").fill("4");
  await form.locator("[data-ship]").click();
  await page.locator("sg-confirm dialog").getByRole("button", { name: "发货", exact: true }).click();
  await expect
    .poll(() => line.locator("[data-line-error]").textContent(), { timeout: 10_000 })
    .toMatch(/[\u4e00-\u9fff]/);
  expect(await line.locator("[data-line-error]").textContent()).not.toMatch(/[A-Za-z]/);
  expect((await rep.getRecord("orders", order.id)).record.fields.status).toBe("confirmed");
  await screenshot(page, "stock-ship-refused-zh");

  // The order's pick list, from the ship form: what is left per line, no prices, no app shell.
  await form.locator("[data-pick-list]").click();
  await page.waitForURL(new RegExp(`#/pick/${order.id}$`));
  const pick = page.locator("sg-app sg-pick-list");
  await expect
    .poll(() => pick.locator("h1").textContent(), { timeout: 10_000 })
    .toBe(`拣货单 ${String(o.fields.number)}`);
  expect(await pick.locator('tr[data-line-id] [data-col="outstanding"]').allTextContents()).toEqual(["3.000"]);
  expect(await pick.textContent()).not.toMatch(/¥|CNY/);
  expect(await page.locator("sg-app nav[data-nav-root]").count()).toBe(0);
  await screenshot(page, "stock-pick-list-zh");
  await context.close();
});

it("asks an administrator for the unit cost of a receipt, and a clerk not", async () => {
  for (const [role, fields] of [
    ["admin", 1],
    ["warehouse", 0],
  ] as const) {
    const { page, context } = await newPage(browser);
    await signIn(page, role);
    await page.goto(`${appUrl()}/#/receive`);
    const form = page.locator("sg-app sg-receive-form");
    await form.locator("input[name=quantity]").waitFor();
    expect(await form.locator("input[name=unit_cost]").count(), role).toBe(fields);
    // Nothing chosen: the form names what is missing beside each field.
    await form.locator("[data-receive]").click();
    await form.locator('[data-error="product"]').waitFor();
    await form.locator('[data-error="warehouse"]').waitFor();
    await form.locator('[data-error="quantity"]').waitFor();
    await context.close();
  }
});

it("ships an order changed elsewhere after the form loaded: the server's reason shows, the entered quantities stay, the facts are current", async () => {
  const rep = await apiAs("rep");
  const clerk = await apiAs("warehouse");
  for (const [change, reason, status, left] of [
    ["part shipped", /Only 1\.000 of this line is left to ship/, "partially_shipped", "1.000"],
    ["shipped", /shipped order does not ship/, "shipped", "0.000"],
    ["cancelled", /cancelled order does not ship/, "cancelled", "3.000"],
  ] as const) {
    const { order } = await confirmedOrder();
    const { page, context } = await newPage(browser);
    await signIn(page, "warehouse");
    await page.goto(`${appUrl()}/#/ship/${order.id}`);
    const form = page.locator("sg-app sg-ship-form");
    const line = form.locator("tr[data-line-id]").first();
    await expect.poll(() => line.locator('[data-col="outstanding"]').textContent(), { timeout: 10_000 }).toBe("3.000");
    await line.locator("input[name=quantity]").fill("2.5");
    // Elsewhere, after the form loaded: another clerk ships part or all of it, or the rep cancels it.
    if (change === "cancelled") {
      const cur = (await rep.getRecord("orders", order.id)).record;
      await rep.updateRecord("orders", order.id, cur.version, { status: "cancelled" });
    } else {
      const lineId = Number(await line.getAttribute("data-line-id"));
      await clerk.request("POST", "/api/actions/inventory/ship", {
        order: order.id,
        ...(change === "part shipped" ? { lines: [{ order_line: lineId, quantity: "2" }] } : {}),
      });
    }
    await form.locator("[data-ship]").click();
    await page.locator("sg-confirm dialog").getByRole("button", { name: "Ship", exact: true }).click();
    const problems = async () => (await form.locator("[data-problem], [data-line-error]").allTextContents()).join(" ");
    await expect.poll(problems, { timeout: 10_000 }).toMatch(reason);
    // What the clerk typed stays; the facts beside it are the order's now.
    expect(await line.locator("input[name=quantity]").inputValue(), change).toBe("2.5");
    await expect
      .poll(() => form.locator('[data-fact="status"]').getAttribute("data-status"), { timeout: 10_000 })
      .toBe(status);
    expect(await line.locator('[data-col="outstanding"]').textContent(), change).toBe(left);
    expect((await rep.getRecord("orders", order.id)).record.fields.status).toBe(status);
    await screenshot(page, `stock-ship-changed-elsewhere-${change.replace(" ", "-")}`);
    await context.close();
  }
});
