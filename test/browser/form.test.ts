/**
 * Creating and editing records through <sg-form> in the app's drawer: values reach the server exactly
 * (money as integer minor units), survive a reload, show in the record's history; the server's
 * validation errors land on their field; a concurrent change shows the current value (409).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";

let browser: Browser;
let admin: ApiClient;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
});
afterAll(async () => {
  await browser?.close();
});

const field = (page: Page, name: string) => page.locator(`sg-app sg-form [data-field="${name}"]`);
const recordIdInUrl = (page: Page) => {
  const m = /#\/t\/[^/]+\/r\/(\d+)/.exec(page.url());
  return m ? Number(m[1]) : null;
};

it("creates a customer through the form: a server error shows on its field, then the record saves exactly and survives a reload", async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers`);
  await page.locator('sg-app [data-action="new-record"]').click();
  await page.locator("sg-app sg-form form[data-form=record]").waitFor();
  const name = `Form test ${Date.now().toString(36)}`;
  await field(page, "name").locator("input").fill(name);
  await field(page, "kind").locator("select").selectOption("company");
  await field(page, "tags").locator("input[type=checkbox]").first().check();
  await field(page, "city").locator("input").fill("Hangzhou");
  await field(page, "annual_revenue").locator("input").fill("12,345.67");
  await field(page, "email").locator("input").fill("not-an-email");
  await page.locator("sg-app sg-form button[type=submit]").click();

  // The server refuses the email (422) and the form puts that on the email field; nothing is created.
  await field(page, "email").locator(".error").waitFor();
  expect(await field(page, "email").locator(".error").innerText()).toBe("Enter a valid email address");
  expect(await field(page, "email").locator("input").getAttribute("aria-invalid")).toBe("true");
  expect((await admin.listRecords("customers", { q: name })).records).toHaveLength(0);
  await screenshot(page, "form-validation-en");

  await field(page, "email").locator("input").fill("buyer@example.com");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(() => recordIdInUrl(page)).not.toBeNull();
  const id = recordIdInUrl(page)!;
  const { record } = await admin.getRecord("customers", id);
  expect(record.fields).toMatchObject({
    name,
    kind: "company",
    city: "Hangzhou",
    email: "buyer@example.com",
    annual_revenue: { amount: 1234567 },
  });
  expect((record.fields.tags as string[]).length).toBe(1);

  await page.reload();
  await page.locator("sg-app sg-form form").waitFor();
  expect(await field(page, "name").locator("input").inputValue()).toBe(name);
  expect(await field(page, "annual_revenue").locator("input").inputValue()).toBe("12345.67");
  expect(await page.locator("sg-app sg-record ol li").count()).toBeGreaterThanOrEqual(1);
  await context.close();
});

it("in zh-CN the server's refusals read in Chinese on their fields (worded from the problem's code and params)", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers`);
  await page.locator('sg-app [data-action="new-record"]').click();
  await page.locator("sg-app sg-form form[data-form=record]").waitFor();
  await field(page, "name")
    .locator("input")
    .fill(`表单 ${Date.now().toString(36)}`);
  await field(page, "email").locator("input").fill("不是邮箱");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await field(page, "email").locator(".error").waitFor();
  expect(await field(page, "email").locator(".error").innerText()).toBe("请输入有效的邮箱地址");
  await screenshot(page, "form-validation-zh-CN");
  await context.close();
});

it("edits a record: only the change is sent, it persists, and the history shows it", async () => {
  const { record } = await admin.createRecord("customers", {
    name: `Edit me ${Date.now().toString(36)}`,
    city: "Ningbo",
  });
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers/r/${record.id}`);
  await page.locator("sg-app sg-form form").waitFor();
  await field(page, "city").locator("input").fill("Suzhou");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(async () => (await admin.getRecord("customers", record.id)).record.fields.city).toBe("Suzhou");
  const after = (await admin.getRecord("customers", record.id)).record;
  expect(after.version).toBe(record.version + 1);
  expect(after.fields.name).toBe(record.fields.name);
  await expect.poll(() => page.locator("sg-app sg-record ol li").first().innerText()).toContain("Suzhou");

  await page.reload();
  await page.locator("sg-app sg-form form").waitFor();
  expect(await field(page, "city").locator("input").inputValue()).toBe("Suzhou");
  await screenshot(page, "record-drawer-en");
  await context.close();
});

it("refuses a money entry with too many decimals on the field, before sending anything", async () => {
  const { record } = await admin.createRecord("customers", { name: `Money ${Date.now().toString(36)}` });
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers/r/${record.id}`);
  await page.locator("sg-app sg-form form").waitFor();
  await field(page, "annual_revenue").locator("input").fill("1.005");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await field(page, "annual_revenue").locator(".error").waitFor();
  expect((await admin.getRecord("customers", record.id)).record.version).toBe(record.version);
  await context.close();
});

it("a save after someone else's change shows their current value (409), and saving again keeps mine", async () => {
  const { record } = await admin.createRecord("customers", { name: `Race ${Date.now().toString(36)}`, city: "Wuxi" });
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/customers/r/${record.id}`);
  await page.locator("sg-app sg-form form").waitFor();
  await admin.updateRecord("customers", record.id, record.version, { city: "Changzhou" });
  await field(page, "city").locator("input").fill("Nanjing");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await field(page, "city").locator(".conflict").waitFor();
  expect(await field(page, "city").locator(".conflict").innerText()).toContain("Changzhou");
  expect((await admin.getRecord("customers", record.id)).record.fields.city).toBe("Changzhou");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(async () => (await admin.getRecord("customers", record.id)).record.fields.city).toBe("Nanjing");
  await context.close();
});

it("links a contact to a customer found by searching the target table", async () => {
  const { record: customer } = await admin.createRecord("customers", { name: `Linkable ${Date.now().toString(36)}` });
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/contacts/new`);
  await page.locator("sg-app sg-form form").waitFor();
  const contactName = `Contact ${Date.now().toString(36)}`;
  await field(page, "name").locator("input").fill(contactName);
  const search = field(page, "customer").locator("input[role=combobox]");
  await search.fill(String(customer.fields.name));
  await field(page, "customer")
    .locator("li[role=option]", { hasText: String(customer.fields.name) })
    .click();
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(() => recordIdInUrl(page)).not.toBeNull();
  const { record } = await admin.getRecord("contacts", recordIdInUrl(page)!);
  expect(record.fields.name).toBe(contactName);
  expect(record.fields.customer).toEqual([customer.id]);
  await context.close();
});
