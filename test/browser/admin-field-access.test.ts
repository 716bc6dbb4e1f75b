/**
 * An admin makes a field read-only for reps in the permission matrix; the rep's record form shows it
 * locked and the server refuses a write to it. The demo grant is put back afterwards. The matrix and
 * its editor under slow answers.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { ApiError } from "../../web-components/api/client";
import { apiAs, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { attribute, openAdmin, section } from "./admin-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("admin restricts a field to read-only for reps and the grid shows it locked", async () => {
  const base = inject("baseUrl");
  const adminApi = await apiAs("admin", base);
  const original = (
    await adminApi.request<{ grant: Record<string, unknown> }>("GET", "/api/admin/roles/sales_rep/grants/customers")
  ).grant;
  const repApi = await apiAs("rep", base);
  const before = (await repApi.table("customers")).table.fields.find((f) => f.name === "city");
  expect(before?.access).toBe("write");
  const mine = (await repApi.listRecords("customers", { limit: 1 })).records[0]!;

  const admin = await openAdmin(browser, base);
  try {
    await section(admin.page, "permissions");
    await admin.page.locator('sg-admin-permissions td[data-cell="sales_rep|customers"] [data-role=edit-grant]').click();
    const editor = admin.page.locator("sg-admin-permissions [data-role=grant-editor]");
    // The editor starts from the demo grant: own rows, grade already read-only.
    expect(await editor.locator("select[name=level-read]").inputValue()).toBe("own");
    expect(await editor.locator("select[name=access-grade]").inputValue()).toBe("read");
    await editor.locator("select[name=access-city]").selectOption("read");
    await editor.locator("[data-role=save-grant]").click();
    await expect
      .poll(
        async () =>
          (
            await adminApi.request<{ grant: { fields: Record<string, string> } }>(
              "GET",
              "/api/admin/roles/sales_rep/grants/customers",
            )
          ).grant.fields,
        { timeout: 15_000 },
      )
      .toMatchObject({ grade: "read", city: "read" });
    await screenshot(admin.page, "admin-field-access");

    expect((await repApi.table("customers")).table.fields.find((f) => f.name === "city")?.access).toBe("read");
    const refused = await repApi
      .updateRecord("customers", mine.id, mine.version, { city: "Hangzhou" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(403);

    // The rep's own screen shows the field locked.
    const rep = await newPage(browser, { locale: "en" });
    try {
      await signIn(rep.page, "rep");
      await rep.page.evaluate((id) => {
        location.hash = `#/t/customers/r/${id}`;
      }, mine.id);
      // Until the grid is mounted by the app, the record form is the rep's editor of one row.
      const form = rep.page.locator("sg-form");
      await form.locator('[data-field="city"] [aria-readonly="true"]').waitFor();
      expect(await form.locator('[data-field="city"] input').count()).toBe(0);
      await form.locator('[data-field="name"] input').waitFor();
      await screenshot(rep.page, "rep-field-read-only");
    } finally {
      await rep.context.close();
    }
  } finally {
    await admin.close();
    const { role: _r, table: _t, updatedAt: _u, ...body } = original;
    await adminApi.request("PUT", "/api/admin/roles/sales_rep/grants/customers", body);
  }
});

it("the permission matrix offers a cell to edit only once its grant has arrived, so it never opens as no access", async () => {
  const base = inject("baseUrl");
  const admin = await openAdmin(browser, base);
  try {
    // Slow grants: before, the matrix showed its Edit buttons as soon as roles and tables arrived.
    await admin.page.route("**/api/admin/roles/*/grants", async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await section(admin.page, "permissions");
    await admin.page.locator('sg-admin-permissions td[data-cell="sales_rep|customers"] [data-role=edit-grant]').click();
    const editor = admin.page.locator("sg-admin-permissions [data-role=grant-editor]");
    expect(await editor.locator("select[name=level-read]").inputValue()).toBe("own");
  } finally {
    await admin.close();
  }
});

it("the last permission cell chosen stays open when an earlier one's table answers later", async () => {
  const base = inject("baseUrl");
  const adminApi = await apiAs("admin", base);
  const customers = (await adminApi.table("customers")).table;
  const admin = await openAdmin(browser, base);
  try {
    await section(admin.page, "permissions");
    await admin.page.route(`**/api/meta/tables/${customers.id}`, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const cell = (table: string) => admin.page.locator(`sg-admin-permissions td[data-cell="sales_rep|${table}"]`);
    // The customers cell's last answer: its slow table.
    const late = admin.page.waitForEvent("requestfinished", (r) =>
      r.url().endsWith(`/api/meta/tables/${customers.id}`),
    );
    await cell("customers").locator("[data-role=edit-grant]").click();
    await cell("deals").locator("[data-role=edit-grant]").click();
    await attribute(cell("deals"), "aria-current", "true");
    await late;
    // Its body parsed and the element rendered with whatever it decided.
    await admin.page.evaluate(async () => {
      await new Promise((r) => setTimeout(r, 100));
      await (
        document.querySelector("sg-admin")!.shadowRoot!.querySelector("sg-admin-permissions") as unknown as {
          updateComplete: Promise<boolean>;
        }
      ).updateComplete;
    });
    expect(await cell("deals").getAttribute("aria-current")).toBe("true");
    expect(await cell("customers").getAttribute("aria-current")).toBe("false");
  } finally {
    await admin.close();
  }
});
