/**
 * The board embedded in an intranet page (another origin) with an embed token: embed.js loads
 * <sg-kanban> on first sight; an edit token moves cards through PATCH /api/embed/records and the
 * column totals come from POST /api/embed/aggregate; swimlanes by owner split the totals per cell;
 * a read-only token shows the board without moving anything.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, launchBrowser, newPage } from "./harness";
import { boardView, card, cell, dragTo, newDeal, shownTotals } from "./kanban-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function mint(viewId: string, mode: "read" | "edit"): Promise<string> {
  const admin = await apiAs("admin");
  const reply = await admin.request<{ token: string }>("POST", "/api/admin/embed-tokens", {
    view: viewId,
    mode,
    expiresInDays: 1,
    label: `kanban ${mode}`,
  });
  return reply.token;
}

async function embedAggregate(token: string, body: unknown) {
  const res = await fetch(`${inject("baseUrl")}/api/embed/aggregate`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    groups: { key: Record<string, string | null>; values: { count: number; "sum:amount": unknown } }[];
  };
}

async function openEmbedded(page: Page, token: string): Promise<void> {
  const base = inject("baseUrl");
  await page.setViewportSize({ width: 1900, height: 900 });
  await page.goto(`${inject("secondOrigin")}/`);
  await page.setContent(
    `<h1>Intranet</h1><script type="module" src="${base}/embed.js"></script><sg-kanban base-url="${base}" token="${token}" style="height: 820px"></sg-kanban>`,
  );
}

it("moves a card through an edit embed token, with totals from the embed aggregate and swimlanes by owner", async () => {
  const admin = await apiAs("admin");
  const view = await boardView(admin);
  const token = await mint(view.id, "edit");
  const deal = await newDeal(admin, { stage: "quote", amount: { amount: 31_415, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await openEmbedded(page, token);
  await card(page, deal.id).waitFor();

  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await cell(page, "negotiation").locator(`[data-card-id="${deal.id}"]`).waitFor();
  await expect.poll(async () => (await admin.getRecord("deals", deal.id)).record.fields.stage).toBe("negotiation");
  const byStage = new Map(
    (
      await embedAggregate(token, { groupBy: ["stage"], measures: [{ op: "count" }, { op: "sum", field: "amount" }] })
    ).groups.map((g) => [g.key.stage, { count: g.values.count, sum: g.values["sum:amount"] }]),
  );
  await expect.poll(() => shownTotals(page, "negotiation")).toEqual(byStage.get("negotiation"));
  await expect.poll(() => shownTotals(page, "quote")).toEqual(byStage.get("quote"));

  // Swimlanes by owner: one lane per owner with deals, each cell counted by the server.
  await page.locator("sg-kanban select[data-kanban-lanes]").selectOption("owner");
  await page.locator("sg-kanban .lanehead").first().waitFor();
  const cells = (await embedAggregate(token, { groupBy: ["stage", "owner"], measures: [{ op: "count" }] })).groups;
  const owners = [...new Set(cells.map((g) => g.key.owner))];
  // Lanes arrive as their cells load; wait for all of them rather than count the first.
  await expect.poll(() => page.locator("sg-kanban .lanehead").count()).toBe(owners.length);
  const lane = cells.find((g) => g.key.stage === "negotiation" && g.key.owner === deal.fields.owner)!;
  const laneCell = page.locator(`sg-kanban .cell[data-col="negotiation"][data-lane="${deal.fields.owner}"]`);
  await laneCell.locator(`[data-card-id="${deal.id}"]`).waitFor();
  expect(lane.values.count).toBeGreaterThan(0);
  await context.close();
});

it("shows a read-only embed without moving cards", async () => {
  const admin = await apiAs("admin");
  const view = await boardView(admin);
  const token = await mint(view.id, "read");
  const deal = await newDeal(admin, { stage: "quote", amount: { amount: 100, currency: "CNY" } });
  const { page, context } = await newPage(browser);
  await openEmbedded(page, token);
  await card(page, deal.id).waitFor();
  expect(await card(page, deal.id).getAttribute("class")).toContain("readonly");
  expect(await card(page, deal.id).locator(".menu-button").count()).toBe(0);
  expect(await page.locator("sg-kanban [data-kanban-summary]").innerText()).toContain("Read-only");
  await dragTo(page, card(page, deal.id), cell(page, "negotiation"));
  await page.waitForTimeout(300);
  expect(await cell(page, "quote").locator(`[data-card-id="${deal.id}"]`).count()).toBe(1);
  expect((await admin.getRecord("deals", deal.id)).record.fields.stage).toBe("quote");
  await context.close();
});
