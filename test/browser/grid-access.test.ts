/**
 * What a rep's <sg-grid> shows follows the admin's grant: a field made read-only for reps (through the
 * admin API) is locked (marked, no editor, nothing sent), a hidden field has no column (and its values
 * never reach the page), and the rep sees only the rows they own; the same field stays editable for
 * the admin.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, mountGrid, tokenOf, typeInto } from "./grid-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("locks a read-only field, leaves out a hidden one and shows a rep only their own rows", async () => {
  const { api: admin } = await tokenOf("admin");
  const { api: rep, token: repToken } = await tokenOf("rep");
  const { api: rep2 } = await tokenOf("rep2");
  const [me, other] = [(await rep.me()).user.id, (await rep2.me()).user.id];
  const table = `grid_acl_${Math.random().toString(36).slice(2, 8)}`;
  await admin.request("POST", "/api/meta/tables", {
    name: table,
    fields: [
      { name: "name", type: "text" },
      { name: "city", type: "text" },
      { name: "margin", type: "text" },
      { name: "owner", type: "user" },
    ],
  });
  // 7 rows of the rep, 5 of another rep: the rep's grid must count 7.
  const rows = Array.from({ length: 12 }, (_, i) => ({
    fields: { name: `acl ${i}`, city: `city ${i}`, margin: `secret-margin-${i}`, owner: i % 12 < 7 ? me : other },
  }));
  await admin.createRecords(table, rows);
  await admin.request("PUT", `/api/admin/roles/sales_rep/grants/${table}`, {
    read: "own",
    create: "own",
    update: "own",
    delete: "none",
    defaultField: "write",
    fields: { city: "read", margin: "hidden" },
  });

  const { page, context } = await newPage(browser);
  const bodies: string[] = [];
  const writes: string[] = [];
  page.on("response", async (r) => {
    if (r.url().includes(`/records`) && r.request().method() === "GET") bodies.push(await r.text());
  });
  page.on("request", (r) => {
    if (r.method() !== "GET") writes.push(`${r.method()} ${r.url()}`);
  });
  await mountGrid(page, { "base-url": "", token: repToken, table });

  // Only the rep's rows, as many as the API gives the rep.
  const mine = await rep.listRecords(table, { count: true, limit: 1 });
  expect(mine.total).toBe(7);
  await expect.poll(() => page.locator("sg-grid .count").getAttribute("data-row-count")).toBe("7");
  const names = await page.locator("sg-grid .ht_master tbody tr td:nth-of-type(1)").allTextContents();
  expect(names.filter(Boolean).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `acl ${i}`).sort());

  // The hidden field has no column, and its values were never sent to the page.
  const headers = await page.locator("sg-grid .ht_clone_top thead th").allTextContents();
  expect(headers.join("|")).not.toMatch(/margin/);
  // The read-only column's header carries the lock (drawn as an SVG, named "Read-only"); no emoji.
  expect(headers.join("|")).not.toMatch(/\p{Extended_Pictographic}/u);
  const cityHeader = page.locator("sg-grid .ht_clone_top thead th", { hasText: "city" });
  expect(await cityHeader.getAttribute("class")).toMatch(/sg-locked/);
  expect(await cityHeader.getAttribute("title")).toBe("Read-only");
  expect(bodies.length).toBeGreaterThan(0);
  expect(bodies.join("")).not.toContain("secret-margin");

  // The read-only field is marked and cannot be edited: no editor, nothing sent, nothing changed.
  const cityCol = 1;
  const locked = cell(page, 0, cityCol);
  expect(await locked.getAttribute("class")).toMatch(/sg-readonly/);
  expect(await locked.getAttribute("aria-readonly")).toBe("true");
  const before = await locked.textContent();
  await typeInto(page, 0, cityCol, "Hangzhou");
  await page.waitForTimeout(500);
  expect(await locked.textContent()).toBe(before);
  expect(writes).toEqual([]);
  const stillThere = (await rep.listRecords(table, { limit: 100 })).records.map((r) => r.fields.city);
  expect(stillThere).not.toContain("Hangzhou");
  // A writable field of the same row goes through.
  await typeInto(page, 0, 0, "renamed by rep");
  await expect.poll(() => writes.length, { timeout: 10_000 }).toBe(1);
  await expect
    .poll(
      async () =>
        (await rep.listRecords(table, { limit: 100 })).records.some((r) => r.fields.name === "renamed by rep"),
      { timeout: 10_000 },
    )
    .toBe(true);
  await screenshot(page, "grid-rep-locked-field");
  await context.close();

  // The admin's grid of the same table: every row, every column, city editable.
  const { token: adminToken } = await tokenOf("admin");
  const adminPage = await newPage(browser);
  await mountGrid(adminPage.page, { "base-url": "", token: adminToken, table });
  await expect.poll(() => adminPage.page.locator("sg-grid .count").getAttribute("data-row-count")).toBe("12");
  expect((await adminPage.page.locator("sg-grid .ht_clone_top thead th").allTextContents()).join("|")).toMatch(
    /margin/,
  );
  expect(await cell(adminPage.page, 0, cityCol).getAttribute("class")).not.toMatch(/sg-readonly/);
  await adminPage.context.close();
});
