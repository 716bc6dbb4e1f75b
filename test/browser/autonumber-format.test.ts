/**
 * An admin gives a new autonumber field a document-number format in the browser (prefix, year,
 * digits), sees an example, and new records get numbers such as SO-2026-0001; once created the
 * format cannot be changed in the editor.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, launchBrowser, screenshot } from "./harness";
import { openAdmin, openTable, uniq } from "./admin-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("an admin creates an autonumber with prefix, year and digits, and records get SO-<year>-0001", async () => {
  const base = inject("baseUrl");
  const adminApi = await apiAs("admin", base);
  const name = uniq("orders");
  await adminApi.request("POST", "/api/meta/tables", { name, fields: [{ name: "title", type: "text" }] });
  const { page, close } = await openAdmin(browser, base);
  try {
    await openTable(page, name);
    const editor = page.locator("sg-admin-field-editor");
    await page.locator("sg-admin-tables [data-role=add-field]").click();
    await editor.locator("input[name=label]").fill("Order number");
    await editor.locator("input[name=name]").fill("number");
    await editor.locator("select[name=type]").selectOption("autonumber");
    await editor.locator("input[name=number-format]").check();
    await editor.locator("input[name=prefix]").fill("SO-");
    await editor.locator("input[name=format-padding]").fill("4");
    const year = new Date().getFullYear();
    await expect
      .poll(() => editor.locator("[data-role=format-example]").innerText())
      .toBe(`For example SO-${year}-0001`);
    await screenshot(page, "autonumber-format-editor");
    await editor.locator("[data-role=save-field]").click();
    await page.locator(`sg-admin-tables [data-field-item="number"]`).waitFor();
    const field = (await adminApi.table(name)).table.fields.find((f) => f.name === "number")!;
    expect(field.options.format).toEqual({ prefix: "SO-", year: true, padding: 4 });
    const made = await adminApi.createRecords(name, [{ fields: { title: "first" } }]);
    expect(made.records[0]!.fields.number).toBe(`SO-${new Date().getUTCFullYear()}-0001`);
    // Opened again, the format shows but cannot change.
    await page.locator(`sg-admin-tables [data-field-item="number"] [data-role=edit-field]`).click();
    await expect.poll(() => editor.locator("input[name=format-padding]").isDisabled()).toBe(true);
    expect(await editor.locator("input[name=number-format]").isDisabled()).toBe(true);
  } finally {
    await close();
  }
});
