/** The served app: index.html at /, the bundles as module scripts, the API beside them. */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, launchBrowser, newPage } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("serves index.html and app.js from the Worker's static assets, and the API on the same origin", async () => {
  const base = inject("baseUrl");
  const html = await fetch(`${base}/`);
  expect(html.status).toBe(200);
  expect(html.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(await html.text()).toContain("<sg-app");
  const app = await fetch(`${base}/app.js`);
  expect(app.headers.get("content-type")).toMatch(/javascript/);
  const embed = await fetch(`${base}/embed.js`, { headers: { origin: inject("secondOrigin") } });
  expect(embed.status).toBe(200);
  expect(embed.headers.get("access-control-allow-origin")).toBe("*");
  const config = await (await fetch(`${base}/api/config`)).json();
  expect(config.handsontableLicenseKey).toBe("non-commercial-and-evaluation");
  const admin = await apiAs("admin");
  const { tables } = await admin.tables();
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["customers", "contacts", "deals", "tasks"]));
  const { page, context } = await newPage(browser);
  await page.goto(`${base}/`);
  await page.locator("sg-app").waitFor({ state: "attached" });
  expect(await page.evaluate(() => customElements.get("sg-app") !== undefined)).toBe(true);
  await context.close();
});
