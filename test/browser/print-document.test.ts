/**
 * The printable quote and order in Chromium: an A4 PDF (the page's @page size) whose text holds the
 * English words, the number and the money exactly as the server's minor units say; a long quote runs
 * onto a second page with the column heads again; the company logo shows; Chinese prints in an
 * embedded CJK font; an order prints as a sales order.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { printMoney } from "../../web-components/sg-print/words";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { amount, chineseProducts, setCompany, uniq } from "./quote-fixture";
import { pdfText } from "./pdf-text";

const LOGO =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const COMPANY = "上海示例贸易有限公司";

let browser: Browser;
let rep: ApiClient;
let quoteId: number;
beforeAll(async () => {
  browser = await launchBrowser();
  rep = await apiAs("rep");
  await setCompany(await apiAs("admin"), COMPANY, LOGO);
  const products = await chineseProducts(rep, 3);
  const { record: customer } = await rep.createRecord("customers", { name: uniq("Print test customer") });
  const { record: q } = await rep.createRecord("quotes", { customer: [customer.id], terms: "Payment within 30 days." });
  quoteId = q.id;
  await rep.createRecords(
    "quote_lines",
    Array.from({ length: 60 }, (_, i) => ({
      fields: { quote: [q.id], product: [products[i % 3]!.id], quantity: `${(i % 5) + 1}.25`, discount: (i % 3) * 500 },
    })),
  );
});
afterAll(async () => {
  await browser?.close();
});

/** The MediaBox of every page, in points. */
const pageBoxes = (pdf: Buffer) =>
  [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);

it("an English quote prints on A4 with exact money, its terms, the logo, and its column heads on every page", async () => {
  const q = (await rep.getRecord("quotes", quoteId)).record;
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/print/quotes/${quoteId}/en`);
  const sheet = page.locator("sg-app sg-print [data-sheet]");
  await sheet.waitFor();
  await expect.poll(() => sheet.locator("[data-print-line]").count()).toBe(60);
  await expect
    .poll(() => sheet.locator("img[data-logo]").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(1);
  await screenshot(page, "print-quote-en");
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const boxes = pageBoxes(pdf);
  expect(boxes.length).toBeGreaterThanOrEqual(2);
  for (const [w, h] of boxes) {
    expect(w).toBeCloseTo(595.3, 0);
    expect(h).toBeCloseTo(841.9, 0);
  }
  const text = pdfText(pdf).text.replace(/\s+/g, "");
  expect(text).toContain("Quotation");
  expect(text).toContain(String(q.fields.number));
  expect(text).toContain(printMoney("en", amount(q.fields.total), "CNY").replace(/\s+/g, ""));
  expect(text).toContain(printMoney("en", amount(q.fields.tax_total), "CNY").replace(/\s+/g, ""));
  expect(text).toContain("Paymentwithin30days.");
  // The table's head repeats on each page.
  expect(text.split("Unitprice").length - 1).toBeGreaterThanOrEqual(2);
  // The bar (language, print button) is not on paper.
  expect(text).not.toContain("Printorsave");
  await context.close();
});

it("Chinese prints in an embedded CJK font, and an order prints as a sales order", async () => {
  await rep.updateRecord("quotes", quoteId, (await rep.getRecord("quotes", quoteId)).record.version, {
    status: "sent",
  });
  const { order } = await rep.request<{ order: { id: number; fields: Record<string, unknown> } }>(
    "POST",
    "/api/actions/sales/quote-to-order",
    { quote: quoteId },
  );
  const { page, context } = await newPage(browser);
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/print/orders/${order.id}/zh-CN`);
  const sheet = page.locator("sg-app sg-print [data-sheet]");
  await sheet.waitFor();
  await expect.poll(() => sheet.locator("[data-print-line]").count()).toBe(60);
  expect(await sheet.locator("h1").textContent()).toBe("销售订单");
  await screenshot(page, "print-order-zh");
  const pdf = await page.pdf({ preferCSSPageSize: true });
  const { text, fonts } = pdfText(pdf);
  expect(fonts.some((f) => /WenQuanYi|NotoSansCJK|SourceHanSans|PingFang|YaHei/i.test(f))).toBe(true);
  const flat = text.replace(/\s+/g, "");
  expect(flat).toContain("销售订单");
  expect(flat).toContain(COMPANY);
  expect(flat).toContain(String(order.fields.number));
  expect(flat).toContain(printMoney("zh-CN", amount(order.fields.total), "CNY"));
  await context.close();
});
