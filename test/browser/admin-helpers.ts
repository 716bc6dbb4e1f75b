/** Opening the admin console in a page, and small steps the admin tests share. */
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { apiAs, newPage } from "./harness";

export const uniq = (p: string) => `${p}_${Math.random().toString(36).slice(2, 8)}`;

/**
 * A page on the app's origin (its app.js defines every element) showing <sg-admin> signed in as the
 * demo admin, standalone with base-url and token as an intranet page would use it.
 */
export async function openAdmin(
  browser: Browser,
  baseUrl: string,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const admin = await apiAs("admin", baseUrl);
  const { page, context } = await newPage(browser, { locale: "en" });
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => customElements.get("sg-admin") !== undefined);
  await page.evaluate(
    ({ base, token }) => {
      document.body.replaceChildren();
      const el = document.createElement("sg-admin");
      el.setAttribute("base-url", base);
      el.setAttribute("token", token);
      document.body.append(el);
    },
    { base: baseUrl, token: admin.session.token! },
  );
  await page.locator("sg-admin [role=tab][data-section=tables]").waitFor();
  return { page, close: () => context.close() };
}

/** Waits until an element's attribute has a value. */
export async function attribute(l: Locator, name: string, value: string): Promise<void> {
  await expect.poll(() => l.getAttribute(name), { timeout: 10_000 }).toBe(value);
}

export async function section(
  page: Page,
  name: "tables" | "views" | "permissions" | "people" | "embeds",
): Promise<void> {
  await page.locator(`sg-admin [role=tab][data-section=${name}]`).click();
  await attribute(page.locator(`sg-admin [role=tab][data-section=${name}]`), "aria-selected", "true");
}

/** Opens a table in Tables & fields. */
export async function openTable(page: Page, name: string): Promise<void> {
  await page.locator(`sg-admin-tables [data-role=table-list] button[data-table="${name}"]`).click();
  await attribute(
    page.locator(`sg-admin-tables [data-role=table-list] button[data-table="${name}"]`),
    "aria-current",
    "true",
  );
}

export interface FieldSpec {
  label: string;
  labelZh?: string;
  name: string;
  type: string;
  choices?: { name: string; color?: string; zh?: string }[];
  currency?: string;
  linkTable?: string;
  multiple?: boolean;
  required?: boolean;
}

/** Adds a field through the field editor and waits until the list shows it. */
export async function addField(page: Page, f: FieldSpec): Promise<void> {
  const editor = page.locator("sg-admin-field-editor");
  if (!(await editor.isVisible())) await page.locator("sg-admin-tables [data-role=add-field]").click();
  await editor.locator("input[name=label]").fill(f.label);
  if (f.labelZh) await editor.locator("input[name=label-zh]").fill(f.labelZh);
  await editor.locator("input[name=name]").fill(f.name);
  await editor.locator("select[name=type]").selectOption(f.type);
  for (const [i, c] of (f.choices ?? []).entries()) {
    await editor.locator("[data-role=add-choice]").click();
    const row = editor.locator("[data-role=choice]").nth(i);
    await row.locator("input[name=choice-name]").fill(c.name);
    if (c.color) await row.locator("input[name=choice-color]").fill(c.color);
    if (c.zh) await row.locator("input[name=choice-zh]").fill(c.zh);
  }
  if (f.currency) await editor.locator("input[name=currency]").fill(f.currency);
  if (f.linkTable) await editor.locator("select[name=link-table]").selectOption(f.linkTable);
  if (f.multiple !== undefined)
    await editor.locator("select[name=link-multiple]").selectOption(f.multiple ? "many" : "one");
  if (f.required) await editor.locator("input[name=required]").check();
  await editor.locator("[data-role=save-field]").click();
  await page.locator(`sg-admin-tables [data-field-item="${f.name}"]`).waitFor();
}
