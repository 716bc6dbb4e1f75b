/**
 * Set-up shared by the grid's browser tests: a fresh table (made by the admin over the API, so the
 * tests do not depend on the demo's sample data), a grid view of it, and a page that mounts
 * `<sg-grid>` with a given token on the app's origin.
 */
import type { Page } from "playwright-core";
import type { ApiClient } from "../../web-components/api/client";
import { apiAs, appUrl } from "./harness";

export interface GridTable {
  table: string;
  viewId: string;
  ids: number[];
}

const sfx = () => Math.random().toString(36).slice(2, 10);

export async function makeTable(admin: ApiClient, rows = 80): Promise<GridTable> {
  const table = `grid_${sfx()}`;
  await admin.request("POST", "/api/meta/tables", {
    name: table,
    fields: [
      { name: "name", type: "text" },
      { name: "amount", type: "currency", options: { currency: "CNY" } },
      { name: "qty", type: "number" },
      { name: "email", type: "email" },
      {
        name: "stage",
        type: "single_select",
        options: {
          choices: [
            { name: "open", color: "#1f6feb" },
            { name: "won", color: "#2da44e" },
          ],
        },
      },
    ],
  });
  const { records } = await admin.createRecords(
    table,
    Array.from({ length: rows }, (_, i) => ({
      fields: { name: `row ${i}`, amount: i * 100, qty: i, stage: i % 2 ? "won" : "open" },
    })),
  );
  const { view } = await admin.request<{ view: { id: string } }>("POST", "/api/meta/views", {
    name: `v_${sfx()}`,
    table,
    type: "grid",
    fields: ["name", "amount", "qty", "email", "stage"],
  });
  return { table, viewId: view.id, ids: records.map((r) => r.id) };
}

/** Opens the app's origin and replaces the page with one grid; resolves when its first rows show. */
export async function mountGrid(page: Page, attrs: Record<string, string>, baseUrl = appUrl()): Promise<void> {
  await page.goto(`${baseUrl}/`);
  // app.js loads the grid's code when a <sg-grid> appears (or once the page is idle).
  await page.waitForFunction(() => customElements.get("sg-app") !== undefined);
  await page.evaluate((a) => {
    document.body.replaceChildren();
    const el = document.createElement("sg-grid");
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    el.style.height = "600px";
    document.body.append(el);
  }, attrs);
  await page.waitForFunction(() => customElements.get("sg-grid") !== undefined);
  await waitForRows(page);
}

export async function waitForRows(page: Page): Promise<void> {
  await page.locator("sg-grid .ht_master td").first().waitFor({ state: "visible", timeout: 30_000 });
  await page.waitForFunction(
    () => !document.querySelector("sg-grid")?.shadowRoot?.querySelector(".ht_master td.sg-loading"),
  );
}

/** The master table's cell at a visual row and column (0-based, without headers). */
export function cell(page: Page, row: number, col: number) {
  return page.locator(`sg-grid .ht_master tbody tr:nth-child(${row + 1}) td:nth-of-type(${col + 1})`);
}

export async function tokenOf(role: Parameters<typeof apiAs>[0]): Promise<{ api: ApiClient; token: string }> {
  const api = await apiAs(role);
  return { api, token: api.session.token! };
}

/**
 * Types into a cell: select it, Enter opens the editor, Enter commits. A click on the cell clicked
 * just before (within Handsontable's double-click window) opens its editor already: Escape first
 * leaves any editor shut, so Enter always opens it rather than committing and moving down.
 */
export async function typeInto(page: Page, row: number, col: number, text: string): Promise<void> {
  await cell(page, row, col).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}
