/**
 * Cards show what people call things, never internal ids: a sales manager (not an admin) sees a rep's
 * deal with its owner's and customer's names (and swimlanes by owner named); a customer the viewer may
 * not read shows as "(no access)" in the UI's language; a customer changed elsewhere (bare ids in a
 * write's reply) shows by name, also after a move; choices show by their label in the UI's language.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, appUrl, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { boardView, card, cell, dragTo, header, newDeal } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("a manager sees a rep's deal with its owner's and customer's names", async () => {
  const rep = await apiAs("rep");
  const { user } = await rep.me();
  const customerName = `Names test ${crypto.randomUUID().slice(0, 8)}`;
  const { record: customer } = await rep.createRecord("customers", { name: customerName });
  const deal = await newDeal(rep, {
    stage: "quote",
    customer: [customer.id],
    owner: user.id,
    amount: { amount: 500_00, currency: "CNY" },
  });

  const manager = await apiAs("manager");
  const view = await boardView(manager);
  expect(view.layout).toMatchObject({ sumField: "amount" });

  const { page, context } = await newPage(browser);
  await signIn(page, "manager");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  const c = card(page, deal.id);
  await expect.poll(() => c.locator('[data-field="owner"]').innerText()).toBe(user.name);
  expect(await c.locator('[data-field="customer"]').innerText()).toBe(customerName);
  expect(await c.innerText()).not.toContain(`#${customer.id}`);
  expect(await c.innerText()).not.toContain(user.id);
  await header(page, "quote").locator(".sum").waitFor();

  // Swimlanes by owner: the lane of the rep's deals is headed by the rep's name.
  await page.locator("sg-kanban select[data-kanban-lanes]").selectOption("owner");
  const lane = page.locator(`sg-kanban .lanehead[data-lane="${user.id}"] span[data-value]`);
  await expect.poll(() => lane.innerText()).toBe(user.name);
  await screenshot(page, "kanban-names");
  await context.close();
});

/** The text of a card's field, once no name is being asked for. */
async function fieldText(page: Page, id: number, field: string): Promise<string> {
  return card(page, id).locator(`[data-field="${field}"]`).innerText();
}

for (const [locale, noAccess] of [
  ["en", "(no access)"],
  ["zh-CN", "（无权查看）"],
] as const)
  it(`a card linking to a customer the viewer may not read shows ${noAccess}, never its id (${locale})`, async () => {
    const admin = await apiAs("admin");
    const rep = await apiAs("rep");
    const { user: me } = await rep.me();
    const { user: other } = await (await apiAs("rep2")).me();
    const { record: hidden } = await admin.createRecord("customers", {
      name: `Hidden ${crypto.randomUUID().slice(0, 8)}`,
      owner: other.id,
    });
    const deal = await newDeal(admin, { stage: "quote", owner: me.id, customer: [hidden.id] });
    await expect(rep.getRecord("customers", hidden.id)).rejects.toThrow();

    const view = await boardView(rep);
    const { page, context } = await newPage(browser, { locale });
    await signIn(page, "rep");
    await page.goto(`${appUrl()}/#/v/${view.id}`);
    await card(page, deal.id).waitFor();
    await expect.poll(() => fieldText(page, deal.id, "customer")).toBe(noAccess);
    expect(await card(page, deal.id).innerText()).not.toContain(`#${hidden.id}`);
    await screenshot(page, `kanban-no-access-${locale}`);
    await context.close();
  });

it("a customer changed elsewhere shows by name on the card, and keeps it through a move", async () => {
  const rep = await apiAs("rep");
  const tag = crypto.randomUUID().slice(0, 8);
  const { record: first } = await rep.createRecord("customers", { name: `First ${tag}` });
  const { record: second } = await rep.createRecord("customers", { name: `Second ${tag}` });
  const deal = await newDeal(rep, { stage: "quote", customer: [first.id] });
  const view = await boardView(rep);
  const { page, context } = await newPage(browser);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signIn(page, "rep");
  await page.goto(`${appUrl()}/#/v/${view.id}`);
  await card(page, deal.id).waitFor();
  await expect.poll(() => fieldText(page, deal.id, "customer")).toBe(`First ${tag}`);

  // Saved elsewhere (a write's reply holds bare link ids), routed to the board as sg-app routes it.
  const { record: saved } = await rep.updateRecord("deals", deal.id, deal.version, { customer: [second.id] });
  await page.evaluate((rec) => {
    const app = document.querySelector("sg-app")!;
    const board = app.shadowRoot!.querySelector("sg-kanban")!;
    board.recordsChanged({ table: "deals", records: [rec] });
  }, saved);
  await expect.poll(() => fieldText(page, deal.id, "customer")).toBe(`Second ${tag}`);
  expect(await card(page, deal.id).innerText()).not.toContain(`#${second.id}`);

  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await rep.getRecord("deals", deal.id)).record.fields.stage).toBe("negotiation");
  expect(await fieldText(page, deal.id, "customer")).toBe(`Second ${tag}`);
  await context.close();
});

it("a board over customers shows its choices by their zh-CN labels, never their names", async () => {
  const rep = await apiAs("rep");
  const { table } = await rep.table("customers");
  const choice = (field: string, i = 0) => table.fields.find((f) => f.name === field)!.options.choices![i]!;
  const { record } = await rep.createRecord("customers", {
    name: `Choices ${crypto.randomUUID().slice(0, 8)}`,
    kind: choice("kind").name,
    category: choice("category").name,
    industry: choice("industry", 1).name,
    tags: [choice("tags").name, choice("tags", 1).name],
  });
  const { page, context } = await newPage(browser, { locale: "zh-CN" });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${inject("secondOrigin")}/`);
  const base = inject("baseUrl");
  await page.setContent(
    `<script type="module" src="${base}/embed.js"></script><sg-kanban base-url="${base}" token="${rep.session.token}" table="customers" style="height: 900px"></sg-kanban>`,
  );
  await page.locator("sg-kanban input[type=search]").fill(record.fields.name as string);
  await card(page, record.id).waitFor();
  const zh = (c: { labels?: { "zh-CN"?: string } }) => c.labels?.["zh-CN"];
  expect(await fieldText(page, record.id, "category")).toBe(zh(choice("category")));
  expect(await fieldText(page, record.id, "industry")).toBe(zh(choice("industry", 1)));
  expect(await fieldText(page, record.id, "tags")).toBe(`${zh(choice("tags"))}, ${zh(choice("tags", 1))}`);
  const head = page.locator(`sg-kanban .colhead[data-col="${choice("kind").name}"] .name`);
  expect(await head.innerText()).toBe(zh(choice("kind")));
  await screenshot(page, "kanban-choices-zh-CN");
  await context.close();
});
