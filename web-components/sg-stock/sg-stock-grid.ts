/**
 * `<sg-stock-grid>`: products (paged, by category, by SKU or name) against warehouses (all, or one),
 * each cell on hand / reserved / available as the server reads them. A low-stock cell carries an icon
 * and the words, not colour alone. Products and warehouses appear by name, never by id.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient, ApiRecord } from "../api/client";
import { labelOf, localized, msg } from "../i18n/index";
import { controls } from "../sg-app/styles";
import {
  PAGE,
  loadCategories,
  loadLevels,
  loadWarehouses,
  type Choice,
  type Level,
  type Warehouse,
} from "./stock-data";
import { warningIcon } from "../icons";

@customElement("sg-stock-grid")
@localized()
export class SgStockGrid extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; padding: 16px; }
      .filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; margin-bottom: 12px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      table { border-collapse: collapse; width: 100%; }
      th, td { border-bottom: 1px solid var(--sg-border); padding: 6px 8px; text-align: left; vertical-align: top; }
      td.level { font-variant-numeric: tabular-nums; }
      .q { display: block; white-space: nowrap; }
      .q b { font-weight: 500; color: var(--sg-muted); margin-right: 4px; }
      .low { color: #b42318; font-weight: 600; white-space: nowrap; }
      .sku { font-family: ui-monospace, monospace; color: var(--sg-muted); }
      .pager { display: flex; gap: 8px; margin-top: 12px; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @state() private warehouses: Warehouse[] = [];
  @state() private categories: Choice[] = [];
  @state() private products: ApiRecord[] = [];
  @state() private levels = new Map<string, Level>();
  @state() private category = "";
  @state() private warehouse = 0;
  @state() private search = "";
  @state() private phase: "loading" | "ready" | "error" = "loading";
  @state() private error = "";
  /** Cursors of the pages before this one (for Previous) and of the next. */
  @state() private cursors: (string | null)[] = [];
  @state() private next: string | null = null;
  private asked = 0;
  /** The cursor of the page shown (null for the first). */
  private currentCursor: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start() {
    if (!this.api) return;
    try {
      const [warehouses, cats] = await Promise.all([loadWarehouses(this.api), loadCategories(this.api)]);
      this.warehouses = warehouses;
      this.categories = cats.choices;
      await this.load(null);
    } catch (err) {
      this.phase = "error";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private async load(cursor: string | null) {
    const ask = ++this.asked;
    this.phase = "loading";
    try {
      const filter = this.category ? { field: "category", op: "eq", value: this.category } : undefined;
      const page = await this.api!.listRecords("products", {
        filter: { and: [{ field: "track_stock", op: "eq", value: true }, ...(filter ? [filter] : [])] },
        fields: ["sku", "name"],
        sort: ["sku"],
        limit: PAGE,
        cursor,
        ...(this.search ? { q: this.search } : {}),
      });
      const levels = await loadLevels(
        this.api!,
        page.records.map((r) => r.id),
      );
      if (ask !== this.asked) return;
      this.products = page.records;
      this.levels = levels;
      this.next = page.nextCursor;
      this.phase = "ready";
    } catch (err) {
      if (ask !== this.asked) return;
      this.phase = "error";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private restart() {
    this.cursors = [];
    this.currentCursor = null;
    void this.load(null);
  }

  private onSearch(e: Event) {
    const q = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.search = q;
      this.restart();
    }, 250);
  }

  private shown(): Warehouse[] {
    return this.warehouse ? this.warehouses.filter((w) => w.id === this.warehouse) : this.warehouses;
  }

  private cell(product: number, w: Warehouse) {
    const l = this.levels.get(`${product}/${w.id}`);
    if (!l) return html`<td class="level muted" data-warehouse=${w.code}>—</td>`;
    return html`<td class="level" data-warehouse=${w.code} data-low=${l.low ? "true" : "false"}>
      <span class="q" data-q="on_hand"><b>${msg("On hand", { id: "stock.onHand" })}</b>${l.onHand}</span>
      <span class="q" data-q="reserved"><b>${msg("Reserved", { id: "stock.reserved" })}</b>${l.reserved}</span>
      <span class="q" data-q="available"><b>${msg("Available", { id: "stock.available" })}</b>${l.available}</span>
      ${l.low ? html`<span class="low" data-low-stock>${warningIcon} ${msg("Low stock", { id: "stock.low" })}</span>` : nothing}
    </td>`;
  }

  override render() {
    const shown = this.shown();
    return html`
      <h1>${msg("Stock", { id: "stock.title" })}</h1>
      <div class="filters">
        <label>${msg("Search by SKU or name", { id: "stock.search" })}
          <input type="search" data-stock-search @input=${this.onSearch} />
        </label>
        <label>${msg("Category", { id: "stock.category" })}
          <select data-stock-category @change=${(e: Event) => {
            this.category = (e.target as HTMLSelectElement).value;
            this.restart();
          }}>
            <option value="">${msg("All categories", { id: "stock.allCategories" })}</option>
            ${this.categories.map((c) => html`<option value=${c.name} ?selected=${c.name === this.category}>${labelOf(c)}</option>`)}
          </select>
        </label>
        <label>${msg("Warehouse", { id: "stock.warehouse" })}
          <select data-stock-warehouse @change=${(e: Event) => (this.warehouse = Number((e.target as HTMLSelectElement).value))}>
            <option value="0">${msg("All warehouses", { id: "stock.allWarehouses" })}</option>
            ${this.warehouses.map((w) => html`<option value=${w.id} ?selected=${w.id === this.warehouse}>${w.name}</option>`)}
          </select>
        </label>
      </div>
      ${this.phase === "error" ? html`<p role="alert">${this.error}</p>` : nothing}
      <table data-phase=${this.phase} aria-busy=${this.phase === "loading" ? "true" : "false"}>
        <thead><tr>
          <th>${msg("Product", { id: "stock.product" })}</th>
          ${shown.map((w) => html`<th data-warehouse=${w.code}>${w.name}</th>`)}
        </tr></thead>
        <tbody>
          ${this.products.map(
            (p) => html`<tr data-sku=${String(p.fields.sku ?? "")}>
              <td><span class="sku">${String(p.fields.sku ?? "")}</span> ${String(p.fields.name ?? "")}</td>
              ${shown.map((w) => this.cell(p.id, w))}
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.phase === "ready" && !this.products.length ? html`<p class="muted" data-empty>${msg("No products match.", { id: "stock.none" })}</p>` : nothing}
      <div class="pager">
        <button ?disabled=${!this.cursors.length} data-prev @click=${() => {
          const prev = this.cursors.slice(0, -1);
          const c = this.cursors[this.cursors.length - 1] ?? null;
          this.cursors = prev;
          this.currentCursor = c;
          void this.load(c);
        }}>${msg("Previous", { id: "stock.prev" })}</button>
        <button ?disabled=${!this.next} data-next @click=${() => {
          this.cursors = [...this.cursors, this.currentCursor];
          this.currentCursor = this.next;
          void this.load(this.next);
        }}>${msg("Next", { id: "stock.next" })}</button>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-stock-grid": SgStockGrid;
  }
}
