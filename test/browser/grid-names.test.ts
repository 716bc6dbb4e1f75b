/**
 * Grid cells show what people call things, never internal ids: a link its target's primary field
 * (also right after an edit, which the server answers with bare ids), a user their name, a choice its
 * label in the UI's language, and a linked record the viewer may not read "(no access)" (zh-CN too).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { launchBrowser, newPage, screenshot } from "./harness";
import { cell, mountGrid, tokenOf, typeInto } from "./grid-fixture";

let browser: Browser;
let admin: ApiClient;
let repToken: string;
let repName: string;
let rep2: { id: string; name: string };
let deals: string;
let ids: { visible: number; other: number; hidden: number };
let dealA: number;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ api: admin } = await tokenOf("admin"));
  const rep = await tokenOf("rep");
  repToken = rep.token;
  repName = (await rep.api.me()).user.name;
  const { user } = await (await tokenOf("rep2")).api.me();
  rep2 = { id: user.id, name: user.name };
  const sfx = Math.random().toString(36).slice(2, 8);
  const companies = `names_co_${sfx}`;
  deals = `names_deals_${sfx}`;
  await admin.request("POST", "/api/meta/tables", { name: companies, fields: [{ name: "name", type: "text" }] });
  const made = await admin.createRecords(
    companies,
    ["Visible Co", "Visible Two", "Hidden Co"].map((name) => ({ fields: { name } })),
  );
  ids = { visible: made.records[0]!.id, other: made.records[1]!.id, hidden: made.records[2]!.id };
  await admin.request("POST", "/api/meta/tables", {
    name: deals,
    fields: [
      { name: "name", type: "text" },
      { name: "company", type: "link", options: { table: companies } },
      { name: "owner", type: "user" },
      {
        name: "stage",
        type: "single_select",
        options: {
          choices: [
            { name: "first_contact", labels: { en: "First contact", "zh-CN": "初次接触" } },
            { name: "negotiation", labels: { en: "Negotiation", "zh-CN": "谈判" } },
          ],
        },
      },
    ],
  });
  dealA = (
    await admin.createRecords(deals, [
      { fields: { name: "deal a", company: [ids.visible], owner: rep2.id, stage: "first_contact" } },
      { fields: { name: "deal b", company: [ids.hidden], owner: rep2.id, stage: "first_contact" } },
    ])
  ).records[0]!.id;
  // Reps read (and so may link) only companies whose name starts with "Visible"; they may change every deal.
  const visibleOnly = { rule: { field: "name", op: "starts_with", value: "Visible" } };
  await admin.request("PUT", `/api/admin/roles/sales_rep/grants/${companies}`, {
    read: visibleOnly,
    create: "none",
    update: visibleOnly,
    delete: "none",
    defaultField: "write",
  });
  await admin.request("PUT", `/api/admin/roles/sales_rep/grants/${deals}`, {
    read: "all",
    create: "all",
    update: "all",
    delete: "none",
    defaultField: "write",
  });
});
afterAll(async () => {
  await browser?.close();
});

const COMPANY = 1;
const OWNER = 2;
const STAGE = 3;
const text = (page: Page, row: number, col: number) => cell(page, row, col).textContent();

it("shows link targets, users and choices by name, before and right after an edit (en)", async () => {
  const { page, context } = await newPage(browser);
  await mountGrid(page, { "base-url": "", token: repToken, table: deals });
  await expect.poll(() => text(page, 0, COMPANY), { timeout: 10_000 }).toBe("Visible Co");
  await expect.poll(() => text(page, 1, COMPANY)).toBe("(no access)");
  await expect.poll(() => text(page, 0, OWNER), { timeout: 10_000 }).toBe(rep2.name);
  expect(await text(page, 0, STAGE)).toBe("First contact");

  // The server answers an edit with bare ids: the cells still show names, not #id or usr_...
  await typeInto(page, 0, COMPANY, String(ids.other));
  await expect
    .poll(async () => (await admin.getRecord(deals, dealA)).record.fields.company, { timeout: 10_000 })
    .toEqual([ids.other]);
  await expect.poll(() => text(page, 0, COMPANY), { timeout: 10_000 }).toBe("Visible Two");
  expect(await cell(page, 0, COMPANY).getAttribute("class")).not.toMatch(/sg-invalid/);
  const me = await (await tokenOf("rep")).api.me();
  await typeInto(page, 0, OWNER, me.user.id);
  await expect.poll(() => text(page, 0, OWNER), { timeout: 10_000 }).toBe(repName);
  const shown = (await page.locator("sg-grid .ht_master tbody").textContent()) ?? "";
  expect(shown).not.toMatch(/#\d+|usr_/);
  await screenshot(page, "grid-names-en");
  await context.close();
});

it("words choices and unreadable targets in zh-CN", async () => {
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await mountGrid(page, { "base-url": "", token: repToken, table: deals });
  await expect.poll(() => text(page, 1, COMPANY), { timeout: 10_000 }).toBe("（无权查看）");
  expect(await text(page, 1, STAGE)).toBe("初次接触");
  await expect.poll(() => text(page, 1, OWNER), { timeout: 10_000 }).toBe(rep2.name);
  // The choice editor offers the labels too, and a choice picked shows by its label.
  await cell(page, 1, STAGE).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  const options = page.locator("sg-grid .sg-picker li");
  await expect.poll(() => options.allTextContents(), { timeout: 10_000 }).toEqual(["初次接触", "谈判"]);
  await screenshot(page, "grid-names-zh-CN");
  await options.nth(1).click();
  await expect.poll(() => text(page, 1, STAGE), { timeout: 10_000 }).toBe("谈判");
  const rows = (await admin.listRecords(deals, { limit: 5 })).records;
  expect(rows[1]!.fields.stage).toBe("negotiation");
  await context.close();
});
