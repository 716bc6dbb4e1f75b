/**
 * Ask before losing work (issue 14 §6): deleting a field, a view or a table in the admin console asks
 * first, naming how many records hold what is lost (Cancel keeps everything); a deleted record can be
 * restored from its history in the drawer; leaving a form with unsaved changes asks. en and zh-CN.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { openAdmin, openTable, section } from "./admin-helpers";

let browser: Browser;
let admin: ApiClient;
const tag = Math.random().toString(36).slice(2, 7);

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs("admin");
});
afterAll(async () => {
  await browser?.close();
});

/** A table of three records, two with notes, and a grid view on it. */
async function makeTable(name: string) {
  await admin.request("POST", "/api/meta/tables", {
    name,
    label: `Confirm ${name}`,
    labels: { en: `Confirm ${name}`, "zh-CN": `确认 ${name}` },
    primaryField: "title",
    fields: [
      { name: "title", type: "text" },
      { name: "notes", type: "text", label: "Notes", labels: { en: "Notes", "zh-CN": "备注" } },
    ],
  });
  await admin.createRecords(name, [
    { fields: { title: "a", notes: "one" } },
    { fields: { title: "b", notes: "two" } },
    { fields: { title: "c" } },
  ]);
  const { view } = await admin.request<{ view: { id: string } }>("POST", "/api/meta/views", {
    name: `${name}_view`,
    table: name,
    type: "grid",
    label: "Open ones",
  });
  return view.id;
}

const dialog = (page: Page, host: string) => page.locator(`${host} sg-confirm dialog[open]`);
const fieldNames = async (name: string) => (await admin.table(name)).table.fields.map((f) => f.name);

it("admin console: deleting a field, a view and a table asks first, naming the records; Cancel keeps them", async () => {
  const name = `cf_${tag}`;
  await makeTable(name);
  const { page, close } = await openAdmin(browser, appUrl());
  await openTable(page, name);

  const fieldRow = page.locator(`sg-admin-tables [data-field-item="notes"]`);
  await fieldRow.locator('[data-role="delete-field"]').click();
  const ask = dialog(page, "sg-admin-tables");
  await ask.waitFor();
  expect(await ask.innerText()).toContain("Delete the field Notes?");
  expect(await ask.innerText()).toContain("2 records hold a value in it");
  // The safe answer has the focus: Enter would not delete.
  const focused = await page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute("data-role");
  });
  expect(focused).toBe("cancel");
  await screenshot(page, "confirm-field-delete-en");
  await ask.locator('[data-role="cancel"]').click();
  await ask.waitFor({ state: "detached" });
  expect(await fieldNames(name)).toContain("notes");
  await fieldRow.locator('[data-role="delete-field"]').click();
  await ask.locator('[data-role="confirm"]').click();
  await expect.poll(() => fieldNames(name)).not.toContain("notes");

  await section(page, "views");
  await page.locator('sg-admin-views select[data-role="view-table"]').selectOption(name);
  const viewRow = page.locator(`sg-admin-views tr[data-view="${name}_view"]`);
  await viewRow.locator('[data-role="delete-view"]').click();
  const askView = dialog(page, "sg-admin-views");
  await askView.waitFor();
  expect(await askView.innerText()).toContain("Delete the view Open ones?");
  expect(await askView.innerText()).toContain("0 embed tokens");
  expect(await askView.innerText()).toContain("No records are deleted.");
  await page.keyboard.press("Escape");
  await askView.waitFor({ state: "detached" });
  expect((await admin.views(name)).views.map((v) => v.name)).toContain(`${name}_view`);
  await viewRow.locator('[data-role="delete-view"]').click();
  await askView.locator('[data-role="confirm"]').click();
  await expect.poll(async () => (await admin.views(name)).views.length).toBe(0);

  await section(page, "tables");
  await openTable(page, name);
  await page.locator('sg-admin-tables [data-role="delete-table"]').click();
  await ask.waitFor();
  expect(await ask.innerText()).toContain("3 records");
  await screenshot(page, "confirm-table-delete-en");
  await ask.locator('[data-role="cancel"]').click();
  expect((await admin.table(name)).table.name).toBe(name);
  await page.locator('sg-admin-tables [data-role="delete-table"]').click();
  await ask.locator('[data-role="confirm"]').click();
  await expect
    .poll(() =>
      admin.table(name).then(
        () => "exists",
        () => "gone",
      ),
    )
    .toBe("gone");
  await close();
});

it("zh-CN: the admin console's question names the records in Chinese", async () => {
  const name = `cfz_${tag}`;
  await makeTable(name);
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/admin/tables`);
  await page.locator("sg-admin [role=tab][data-section=tables]").waitFor();
  await openTable(page, name);
  await page.locator('sg-admin-tables [data-role="delete-table"]').click();
  const ask = dialog(page, "sg-admin-tables");
  await ask.waitFor();
  expect(await ask.innerText()).toContain("3 条记录");
  expect(await ask.innerText()).toContain("取消");
  await screenshot(page, "confirm-table-delete-zh-CN");
  await ask.locator('[data-role="cancel"]').click();
  expect((await admin.table(name)).table.name).toBe(name);
  await context.close();
});

for (const locale of ["en", "zh-CN"] as const) {
  it(`${locale}: a deleted record is restored from its history in the drawer`, async () => {
    const name = `cfr_${locale === "en" ? "e" : "z"}_${tag}`;
    await makeTable(name);
    const { record } = await admin.createRecord(name, { title: "Brought back", notes: "kept" });
    await admin.deleteRecords(name, [{ id: record.id }]);
    const { page, context } = await newPage(browser, { locale });
    await signIn(page, "admin");
    await page.goto(`${appUrl()}/#/t/${name}/r/${record.id}`);
    const deleted = page.locator('sg-app sg-record [data-state="deleted"]');
    await deleted.waitFor();
    expect(await deleted.innerText()).toContain("Brought back");
    expect(await deleted.innerText()).toContain(locale === "en" ? "This record was deleted" : "此记录已被删除");
    await screenshot(page, `record-restore-${locale}`);
    await deleted.locator('[data-action="restore-record"]').click();
    await page.locator("sg-app sg-record sg-form form").waitFor();
    expect(await page.locator('sg-app sg-form [data-field="title"] input').inputValue()).toBe("Brought back");
    const back = await admin.getRecord(name, record.id);
    expect(back.record.fields).toMatchObject({ title: "Brought back", notes: "kept" });
    await context.close();
  });

  it(`${locale}: leaving a form with unsaved changes asks; keeping edits keeps them, discarding saves nothing`, async () => {
    const name = `cfu_${locale === "en" ? "e" : "z"}_${tag}`;
    await makeTable(name);
    const { record } = await admin.createRecord(name, { title: "Unchanged" });
    const { page, context } = await newPage(browser, { locale });
    await signIn(page, "admin");
    await page.goto(`${appUrl()}/#/t/${name}/r/${record.id}`);
    const title = page.locator('sg-app sg-form [data-field="title"] input');
    await title.fill("Half typed");
    await page.locator("sg-app sg-form .actions button:not([type=submit])").click();
    const ask = dialog(page, "sg-app");
    await ask.waitFor();
    expect(await ask.innerText()).toContain(locale === "en" ? "Discard your changes?" : "放弃您的修改？");
    await screenshot(page, `form-unsaved-${locale}`);
    await ask.locator('[data-role="cancel"]').click();
    await ask.waitFor({ state: "detached" });
    expect(await page.locator("sg-app sg-confirm").count()).toBe(0);
    expect(await title.inputValue()).toBe("Half typed");
    expect(page.url()).toContain(`/r/${record.id}`);
    // Escape in the form asks the same; Escape again answers "keep editing".
    await title.press("Escape");
    await ask.waitFor();
    await page.keyboard.press("Escape");
    await ask.waitFor({ state: "detached" });
    expect(await title.inputValue()).toBe("Half typed");
    // Another way out (the drawer's close button) asks too; discarding leaves and saves nothing.
    await page.locator(`sg-app [data-drawer] button.close`).click();
    await ask.waitFor();
    await ask.locator('[data-role="confirm"]').click();
    await expect.poll(() => page.url()).not.toContain(`/r/${record.id}`);
    await page.locator("sg-app [data-drawer]").waitFor({ state: "detached" });
    expect((await admin.getRecord(name, record.id)).record.fields.title).toBe("Unchanged");
    await context.close();
  });
}
