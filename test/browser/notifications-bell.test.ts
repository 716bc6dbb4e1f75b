/**
 * The bell in the app's header (<sg-notifications>): the unread count, the list newest first with
 * "load more", a withheld notification saying "(no access)" and opening nothing, a click opening the
 * record and marking it read, mark all read, the keyboard path with a visible focus, the count
 * following a new notification when the window gets focus, and both UI languages (screenshots).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiAs, launchBrowser, newPage, screenshot, signIn } from "./harness";
import { sendNotifications, unreadCount } from "./notifications-fixture";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const bell = (page: Page) => page.locator("sg-app sg-notifications button[data-bell]");
const badge = (page: Page) => page.locator("sg-app sg-notifications [data-unread]");
const panel = (page: Page) => page.locator("sg-app sg-notifications [data-panel]");
const items = (page: Page) => page.locator("sg-app sg-notifications [data-notification]");
const item = (page: Page, text: string | RegExp) => items(page).filter({ hasText: text });

/** The focused element through shadow roots: its tag, data attributes and outline. */
function focused(page: Page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const style = getComputedStyle(el);
    return {
      bell: el.hasAttribute("data-bell"),
      notification: el.closest("[data-notification]")?.getAttribute("data-notification") ?? null,
      action: el.getAttribute("data-action"),
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
  });
}

/** A rep, a customer they own, and the table's id. */
async function repWithCustomer(name: string) {
  const rep = await apiAs("rep");
  const me = (await rep.me()).user;
  const table = (await rep.table("customers")).table;
  const customer = (await rep.createRecord("customers", { name })).record;
  return { rep, me, table, customer };
}

describe("the notification bell", () => {
  it("counts, lists newest first with load more, withholds, opens the record, marks read, and follows focus (en)", async () => {
    const name = `Bell customer ${Date.now()}`;
    const { rep, me, table, customer } = await repWithCustomer(name);
    await rep.request("POST", "/api/notifications/read", { all: true });
    sendNotifications([
      // More than one page of older ones, so the list needs "load more".
      ...Array.from({ length: 21 }, (_, i) => ({
        user: me.id,
        title: { en: `Older reminder ${i + 1}`, "zh-CN": `较早的提醒 ${i + 1}` },
      })),
      // About a record the rep cannot read (it does not exist): listed withheld.
      {
        user: me.id,
        title: { en: "Secret deal", "zh-CN": "机密商机" },
        record: { table: table.id, id: 2_000_000_000 },
      },
      {
        user: me.id,
        title: { en: "Call Acme back", "zh-CN": "回电 Acme" },
        body: { en: "They asked about the quote", "zh-CN": "他们询问了报价" },
        record: { table: table.id, id: customer.id },
      },
    ]);
    expect(await unreadCount(rep)).toBe(23);

    const { context, page } = await newPage(browser, { locale: "en" });
    await signIn(page, "rep");
    await expect.poll(() => badge(page).textContent()).toBe("23");
    await expect.poll(() => bell(page).getAttribute("aria-label")).toMatch(/23 unread/);

    // The list: newest first, title and body in English; the withheld one says so and hides its text.
    await bell(page).click();
    await panel(page).waitFor({ state: "visible" });
    await item(page, "Call Acme back").waitFor();
    expect(await items(page).first().textContent()).toContain("They asked about the quote");
    const withheld = items(page).nth(1);
    expect(await withheld.textContent()).toContain("(no access)");
    expect(await withheld.textContent()).not.toContain("Secret deal");
    expect(await item(page, /Older reminder 1(?!\d)/).count()).toBe(0);
    const firstPage = await items(page).count();
    expect(firstPage).toBeLessThan(23);
    await page.locator("sg-app sg-notifications [data-action=load-more]").click();
    await item(page, /Older reminder 1(?!\d)/).waitFor();
    expect(await items(page).count()).toBe(23);
    expect(await page.locator("sg-app sg-notifications [data-action=load-more]").count()).toBe(0);
    await screenshot(page, "notifications-bell-en");

    // A withheld one opens nothing, but a click marks it read.
    const hashBefore = await page.evaluate(() => location.hash);
    await withheld.click();
    await expect.poll(() => badge(page).textContent()).toBe("22");
    expect(await page.evaluate(() => location.hash)).toBe(hashBefore);
    expect(await page.locator("sg-app [data-drawer]").count()).toBe(0);

    // The one about the customer opens it in the app and is marked read.
    if (!(await panel(page).isVisible())) await bell(page).click();
    await item(page, "Call Acme back").click();
    await page.waitForFunction(([t, id]) => location.hash === `#/t/${t}/r/${id}`, [table.id, customer.id] as const);
    await page.locator("sg-app [data-drawer] sg-record").waitFor({ state: "visible" });
    await expect.poll(() => badge(page).textContent()).toBe("21");
    expect(await unreadCount(rep)).toBe(21);
    expect(await panel(page).isVisible()).toBe(false);

    // A new notification shows in the count when the window gets focus (no 30 s wait).
    sendNotifications([{ user: me.id, title: { en: "Fresh one", "zh-CN": "新的提醒" } }]);
    await page.evaluate(() => window.dispatchEvent(new Event("focus")));
    await expect.poll(() => badge(page).textContent(), { timeout: 10_000 }).toBe("22");

    // Mark all read empties the count, on the server too.
    await bell(page).click();
    await item(page, "Fresh one").waitFor();
    await page.locator("sg-app sg-notifications [data-action=mark-all-read]").click();
    await expect.poll(() => badge(page).count()).toBe(0);
    expect(await unreadCount(rep)).toBe(0);
    expect(await bell(page).getAttribute("aria-label")).not.toMatch(/unread/);
    await context.close();
  });

  it("works from the keyboard with a visible focus: open, move into the list, mark all read, Escape back to the bell", async () => {
    const { rep, me } = await repWithCustomer(`Keyboard customer ${Date.now()}`);
    await rep.request("POST", "/api/notifications/read", { all: true });
    sendNotifications([
      { user: me.id, title: { en: "First by keyboard", "zh-CN": "键盘一" } },
      { user: me.id, title: { en: "Second by keyboard", "zh-CN": "键盘二" } },
    ]);
    const { context, page } = await newPage(browser, { locale: "en" });
    await signIn(page, "rep");
    await expect.poll(() => badge(page).textContent()).toBe("2");

    await bell(page).focus();
    await page.keyboard.press("Enter");
    await item(page, "Second by keyboard").waitFor();
    // Focus moved into the list, on the newest notification, and shows where it is.
    await expect.poll(async () => (await focused(page))?.notification).not.toBeNull();
    expect((await focused(page))?.outline).toBe(true);
    expect((await focused(page))?.notification).toBe(
      await item(page, "Second by keyboard").getAttribute("data-notification"),
    );
    await page.keyboard.press("Tab");
    expect((await focused(page))?.notification).toBe(
      await item(page, "First by keyboard").getAttribute("data-notification"),
    );
    // Escape closes the list and gives the focus back to the bell, visibly.
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    expect(await focused(page)).toMatchObject({ bell: true, outline: true });

    // Mark all read by keyboard: open, back from the first item to the button before the list.
    await page.keyboard.press("Enter");
    await item(page, "Second by keyboard").waitFor();
    await expect.poll(async () => (await focused(page))?.notification).not.toBeNull();
    await page.keyboard.press("Shift+Tab");
    expect((await focused(page))?.action).toBe("mark-all-read");
    await page.keyboard.press("Enter");
    await expect.poll(() => badge(page).count()).toBe(0);
    expect(await unreadCount(rep)).toBe(0);
    await context.close();
  });

  it("polls the count every 30 s, not more often, on the page's own clock", async () => {
    const rep2 = await apiAs("rep2");
    const me = (await rep2.me()).user;
    await rep2.request("POST", "/api/notifications/read", { all: true });
    const { context, page } = await newPage(browser, { locale: "en" });
    const polls: number[] = [];
    page.on("requestfinished", (r) => {
      if (r.url().includes("/api/notifications/unread-count")) polls.push(Date.now());
    });
    // The page's timers stand still unless the test moves them.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 60_000);
    await signIn(page, "rep2");
    await expect.poll(() => polls.length).toBe(1);
    expect(await badge(page).count()).toBe(0);

    sendNotifications([{ user: me.id, title: { en: "Polled", "zh-CN": "轮询" } }]);
    await page.clock.runFor(29_000);
    await page.waitForTimeout(2000);
    expect(polls.length).toBe(1);
    expect(await badge(page).count()).toBe(0);
    await page.clock.runFor(1_000);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe("1");
    await expect.poll(() => polls.length).toBe(2);
    await page.clock.runFor(30_000);
    await expect.poll(() => polls.length, { timeout: 15_000 }).toBe(3);
    await context.close();
  });

  it("speaks zh-CN: the titles and bodies stored in zh-CN, and (no access) in zh-CN", async () => {
    const { rep, me, table, customer } = await repWithCustomer(`中文客户 ${Date.now()}`);
    await rep.request("POST", "/api/notifications/read", { all: true });
    sendNotifications([
      { user: me.id, title: { en: "Hidden", "zh-CN": "隐藏" }, record: { table: table.id, id: 2_000_000_001 } },
      {
        user: me.id,
        title: { en: "Call Wang back", "zh-CN": "回电王总" },
        body: { en: "About the order", "zh-CN": "关于订单" },
        record: { table: table.id, id: customer.id },
      },
    ]);
    const { context, page } = await newPage(browser, { locale: "zh-CN" });
    await signIn(page, "rep");
    await expect.poll(() => badge(page).textContent()).toBe("2");
    expect(await bell(page).getAttribute("aria-label")).toMatch(/2 条未读/);
    await bell(page).click();
    await item(page, "回电王总").waitFor();
    expect(await items(page).first().textContent()).toContain("关于订单");
    expect(await items(page).first().textContent()).not.toContain("Call Wang back");
    expect(await items(page).nth(1).textContent()).toContain("（无权查看）");
    expect(await page.locator("sg-app sg-notifications [data-action=mark-all-read]").textContent()).toContain(
      "全部标为已读",
    );
    await screenshot(page, "notifications-bell-zh-CN");
    await context.close();
  });
});
