/**
 * Issue 5 done-when: an admin adds a pipeline with its own stages in the browser, without typing any
 * JSON (the stage list editor of <sg-form>: derived API names, labels, probability, kind, reorder by
 * button and keyboard, the server's row problems on their row); a deal in it moves between the new
 * stages on the board; and a field the admin adds to deals in the admin console shows in the rep's form.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { addField, openAdmin, openTable, uniq } from "./admin-helpers";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { mountGrid } from "./grid-fixture";
import { boardView, card, cell, dragTo, header, newDeal } from "./kanban-fixture";

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
const row = (page: Page, i: number): Locator =>
  field(page, "stages").locator(`sg-stage-list li[data-stage-row="${i}"]`);
const recordIdInUrl = (page: Page) => {
  const m = /#\/t\/[^/]+\/r\/(\d+)/.exec(page.url());
  return m ? Number(m[1]) : null;
};

async function fillRow(page: Page, i: number, s: { en: string; zh: string; percent: string; kind: string }) {
  await row(page, i).locator("input[name=label-en]").fill(s.en);
  await row(page, i).locator("input[name=label-zh]").fill(s.zh);
  await row(page, i).locator("input[name=probability]").fill(s.percent);
  await row(page, i).locator("select[name=kind]").selectOption(s.kind);
}

const EXPECTED = [
  { name: "renewal_due", labels: { en: "Renewal due", "zh-CN": "待续约" }, probability: 2000, kind: "open" },
  {
    name: "negotiating_renewal",
    labels: { en: "Negotiating renewal", "zh-CN": "续约谈判" },
    probability: 6250,
    kind: "open",
  },
  { name: "renewed", labels: { en: "Renewed", "zh-CN": "已续约" }, probability: 10000, kind: "won" },
  { name: "churned", labels: { en: "Churned", "zh-CN": "已流失" }, probability: 0, kind: "lost" },
];

it("an admin adds the Renewals pipeline with four stages in the form; a deal moves between them on the board; a new deals field reaches the rep's form", async () => {
  // 1. The admin creates the pipeline through the form, never typing JSON.
  const { page, context } = await newPage(browser);
  await signIn(page, "admin");
  await page.goto(`${appUrl()}/#/t/pipelines`);
  await page.locator('sg-app [data-action="new-record"]').click();
  await page.locator("sg-app sg-form form[data-form=record]").waitFor();
  expect(await field(page, "stages").locator("textarea").count()).toBe(0);
  await field(page, "name").locator("input").fill("Renewals");
  const add = field(page, "stages").locator("sg-stage-list [data-action=add-stage]");
  // Entered out of order on purpose: the won stage first.
  await add.click();
  await fillRow(page, 0, { en: "Renewed", zh: "已续约", percent: "100", kind: "won" });
  await add.click();
  await fillRow(page, 1, { en: "Renewal due", zh: "待续约", percent: "20", kind: "open" });
  await add.click();
  // A second "Renewal due": its derived API name repeats the first one's.
  await fillRow(page, 2, { en: "Renewal due", zh: "续约谈判", percent: "62.5", kind: "open" });
  await add.click();
  await fillRow(page, 3, { en: "Churned", zh: "已流失", percent: "0", kind: "lost" });
  // The API name follows the English label.
  expect(await row(page, 3).locator("input[name=name]").inputValue()).toBe("churned");
  await page.locator("sg-app sg-form button[type=submit]").click();

  // The server refuses the duplicate name, and the form shows that on the third row only.
  await row(page, 2).locator("[data-row-error]").waitFor();
  expect(await row(page, 2).locator("[data-row-error]").innerText()).toContain("renewal_due");
  expect(await row(page, 1).locator("[data-row-error]").count()).toBe(0);
  expect((await admin.listRecords("pipelines", { q: "Renewals" })).records).toHaveLength(0);
  await screenshot(page, "pipeline-admin-row-error-en");

  // Fixed by retyping the English label; the name follows it.
  await row(page, 2).locator("input[name=label-en]").fill("Negotiating renewal");
  expect(await row(page, 2).locator("input[name=name]").inputValue()).toBe("negotiating_renewal");
  // Reordered: the won stage goes down with the button twice, then from the keyboard once.
  await row(page, 0).locator("[data-action=down]").click();
  await row(page, 1).locator("[data-action=down]").click();
  await row(page, 2).locator("input[name=label-en]").press("Alt+ArrowDown");
  expect(await row(page, 3).locator("input[name=label-en]").inputValue()).toBe("Renewed");
  // Focus stays in the moved row.
  expect(
    await page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return (el as HTMLInputElement | null)?.value;
    }),
  ).toBe("Renewed");
  // Now the lost stage is third and the won stage last; swap them back with Alt+ArrowUp on the won one.
  await row(page, 3).locator("input[name=label-en]").press("Alt+ArrowUp");
  expect(await row(page, 2).locator("input[name=label-en]").inputValue()).toBe("Renewed");
  await page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(() => recordIdInUrl(page), { timeout: 15_000 }).not.toBeNull();
  const pipelineId = recordIdInUrl(page)!;
  const saved = (await admin.getRecord("pipelines", pipelineId)).record;
  expect(saved.fields.name).toBe("Renewals");
  expect(JSON.parse(saved.fields.stages as string)).toEqual(EXPECTED);

  // The form shows the saved stages again, names now fixed.
  await row(page, 3).waitFor();
  expect(await row(page, 1).locator("input[name=name]").inputValue()).toBe("negotiating_renewal");
  await screenshot(page, "pipeline-admin-form-en");

  // The grid shows a readable summary, and Enter on the cell asks for the form instead of opening the JSON.
  await mountGrid(page, { "base-url": appUrl(), token: admin.session.token!, table: "pipelines" });
  const summary = page.locator("sg-grid .ht_master td", {
    hasText: "Renewal due → Negotiating renewal → Renewed / Churned",
  });
  await summary.waitFor();
  await page.evaluate(() =>
    document
      .querySelector("sg-grid")!
      .addEventListener(
        "sg-open-record",
        (e) => ((window as unknown as { opened: unknown }).opened = (e as CustomEvent).detail),
      ),
  );
  await summary.click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { opened?: unknown }).opened))
    .toEqual({ table: "pipelines", id: pipelineId });
  // No cell editor holds the stored JSON.
  expect(
    await page.evaluate(() =>
      [...document.querySelector("sg-grid")!.shadowRoot!.querySelectorAll("textarea")].some((t) =>
        t.value.includes("renewal_due"),
      ),
    ),
  ).toBe(false);
  await context.close();

  // 2. A rep's deal in the new pipeline starts in its first stage and moves on the board.
  const rep = await apiAs("rep");
  const deal = await newDeal(rep, { pipeline: [pipelineId], amount: { amount: 4_800_000, currency: "CNY" } });
  expect(deal.fields).toMatchObject({ stage: "renewal_due", probability: 2000 });
  const view = await boardView(rep);
  const repPage = await newPage(browser);
  await signIn(repPage.page, "rep");
  await repPage.page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(repPage.page, deal.id).waitFor();
  for (const s of EXPECTED) await header(repPage.page, s.name).waitFor();
  expect(await cell(repPage.page, "renewal_due").locator(`[data-card-id="${deal.id}"]`).count()).toBe(1);
  await cell(repPage.page, "negotiating_renewal").scrollIntoViewIfNeeded();
  await dragTo(repPage.page, card(repPage.page, deal.id), cell(repPage.page, "negotiating_renewal"));
  await cell(repPage.page, "negotiating_renewal").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect
    .poll(async () => (await rep.getRecord("deals", deal.id)).record.fields)
    .toMatchObject({ stage: "negotiating_renewal", probability: 6250 });
  // And on to the won stage from the keyboard.
  await card(repPage.page, deal.id).focus();
  await repPage.page.keyboard.press("Control+ArrowRight");
  await cell(repPage.page, "renewed").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("renewed");
  await screenshot(repPage.page, "pipeline-admin-board-en");

  // 3. The admin adds a field to deals in the admin console; the rep sees it and fills it in the form.
  const fieldName = uniq("renewal_term");
  const adminConsole = await openAdmin(browser, appUrl());
  try {
    await openTable(adminConsole.page, "deals");
    await addField(adminConsole.page, { label: "Renewal term", labelZh: "续约期限", name: fieldName, type: "text" });
  } finally {
    await adminConsole.close();
  }
  // The rep opens the deal afterwards (a fresh load reads the changed table).
  await repPage.page.goto(`${appUrl()}/#/t/deals/r/${deal.id}`);
  await repPage.page.reload();
  const term = repPage.page.locator(`sg-app sg-form [data-field="${fieldName}"]`);
  await term.waitFor();
  expect(await term.innerText()).toContain("Renewal term");
  await term.locator("input").fill("12 months");
  await repPage.page.locator("sg-app sg-form button[type=submit]").click();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields[fieldName]).toBe("12 months");
  await repPage.context.close();
});
