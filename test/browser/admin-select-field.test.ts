/**
 * An admin adds a single-select field with coloured choices in <sg-admin>; a rep sees it in the
 * record form and uses it. No code changes: the served bundle is byte-for-byte the same before and
 * after, the new field arrives as metadata only.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { apiAs, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { addField, openAdmin, openTable, section, uniq } from "./admin-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("admin adds a select field with choices and a rep sees and uses it without a reload of the code", async () => {
  const base = inject("baseUrl");
  const field = uniq("priority");
  const bundle = async () =>
    createHash("sha256")
      .update(Buffer.from(await (await fetch(`${base}/app.js`)).arrayBuffer()))
      .digest("hex");
  const codeBefore = await bundle();
  // The rep is signed in before the field exists.
  const rep = await newPage(browser, { locale: "en" });
  await signIn(rep.page, "rep");

  const admin = await openAdmin(browser, base);
  try {
    await openTable(admin.page, "customers");
    await addField(admin.page, {
      label: "Priority",
      labelZh: "优先级",
      name: field,
      type: "single_select",
      choices: [
        { name: "hot", color: "#e03131", zh: "高" },
        { name: "cold", color: "#1971c2", zh: "低" },
      ],
    });
    await screenshot(admin.page, "admin-select-field");
    const { table } = await (await apiAs("admin", base)).table("customers");
    const saved = table.fields.find((f) => f.name === field)!;
    expect(saved.type).toBe("single_select");
    expect(
      (saved.options.choices as { name: string; color: string; labels?: Record<string, string> }[]).map((c) => [
        c.name,
        c.color,
        c.labels?.["zh-CN"],
      ]),
    ).toEqual([
      ["hot", "#e03131", "高"],
      ["cold", "#1971c2", "低"],
    ]);

    // The rep opens a new customer form (the app reads table metadata when it starts).
    await rep.page.goto(`${base}/#/t/customers/new`);
    await rep.page.reload();
    const form = rep.page.locator("sg-form");
    const select = form.locator(`[data-field="${field}"] select`);
    await select.waitFor();
    expect(await select.locator("option").allTextContents()).toEqual(expect.arrayContaining(["hot", "cold"]));
    const name = uniq("Customer");
    await form.locator('[data-field="name"] input').fill(name);
    await select.selectOption("hot");
    await form.locator("button[type=submit]").click();
    const repApi = await apiAs("rep", base);
    await expect
      .poll(
        async () =>
          (await repApi.listRecords("customers", { filter: { field: "name", op: "eq", value: name } })).records[0]
            ?.fields[field],
        { timeout: 15_000 },
      )
      .toBe("hot");
    expect(await bundle()).toBe(codeBefore);
  } finally {
    await admin.close();
    await rep.context.close();
  }
});

it("shows the server's problem next to the input it names", async () => {
  const admin = await openAdmin(browser, inject("baseUrl"));
  try {
    await openTable(admin.page, "customers");
    await admin.page.locator("sg-admin-tables [data-role=add-field]").click();
    const editor = admin.page.locator("sg-admin-field-editor");
    await editor.locator("input[name=label]").fill("Another name");
    await editor.locator("input[name=name]").fill("name");
    await editor.locator("[data-role=save-field]").click();
    const error = editor.locator('[data-error-for="name"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/name/i);
    expect(await editor.locator("input[name=name]").getAttribute("aria-invalid")).toBe("true");
    // Options are checked per type too: a currency code the server does not know.
    await editor.locator("input[name=name]").fill(uniq("amount"));
    await editor.locator("select[name=type]").selectOption("currency");
    await editor.locator("input[name=currency]").fill("ZZZ");
    await editor.locator("[data-role=save-field]").click();
    await editor.locator('[data-error-for="options/currency"]').waitFor();
  } finally {
    await admin.close();
  }
});

it("the tabs are an ARIA tablist the keyboard can walk", async () => {
  const admin = await openAdmin(browser, inject("baseUrl"));
  try {
    const { page } = admin;
    await page.locator("sg-admin [role=tab][data-section=tables]").focus();
    await page.keyboard.press("ArrowRight");
    await expect
      .poll(() => page.locator("sg-admin [role=tab][data-section=views]").getAttribute("aria-selected"))
      .toBe("true");
    await page.locator("sg-admin-views").waitFor();
    await page.keyboard.press("End");
    await page.locator("sg-admin-embeds").waitFor();
    await section(page, "people");
    await page.locator("sg-admin-people [data-role=user-list] tr[data-user]").first().waitFor();
  } finally {
    await admin.close();
  }
});
