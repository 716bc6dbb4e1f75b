/**
 * `<sg-product-search>`: find a catalog product by SKU or name and add it. A combobox (ARIA 1.2
 * pattern): typing searches the products the user may read (active ones only), Up/Down choose, Enter
 * or a click picks; the pick goes to `.pick`. The server's search covers SKU and name. With `.stock`, each
 * option that tracks stock says what is available (the document's rule: an order's warehouse, a quote's
 * active warehouses), read for all options in one request after they appear.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient } from "../api/client";
import { trimDecimal } from "../i18n/decimal";
import { localized, msg, str } from "../i18n/index";
import { controls } from "../sg-app/styles";
import type { Availability } from "./availability";
import type { ProductHit } from "./doc-data";

/** What the search asks for the options' stock (the document's StockController). */
export interface StockLookup {
  forProducts(hits: ProductHit[]): Promise<Map<number, Availability>>;
}

@customElement("sg-product-search")
@localized()
export class SgProductSearch extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; position: relative; max-width: 520px; }
      input { width: 100%; box-sizing: border-box; }
      ul { position: absolute; z-index: 5; left: 0; right: 0; margin: 2px 0 0; padding: 4px 0; list-style: none; background: #fff; border: 1px solid var(--sg-border); border-radius: 6px; box-shadow: 0 6px 16px rgb(0 0 0 / 0.12); max-height: 280px; overflow: auto; }
      li { padding: 6px 10px; cursor: pointer; display: flex; gap: 10px; }
      li[aria-selected="true"] { background: #e0e7ff; }
      .sku { font-family: ui-monospace, monospace; color: var(--sg-muted); min-width: 8em; }
      .empty { padding: 6px 10px; }
      .avail { margin-left: auto; color: var(--sg-muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: false }) pick?: (p: ProductHit) => void;
  @property({ attribute: false }) stock?: StockLookup;
  @property({ type: Boolean }) disabled = false;
  @state() private hits: ProductHit[] = [];
  @state() private available = new Map<number, Availability>();
  @state() private open = false;
  @state() private active = -1;
  @state() private searched = "";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  private onInput(e: Event) {
    const q = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.timer);
    if (!q) {
      this.open = false;
      this.hits = [];
      return;
    }
    this.timer = setTimeout(() => void this.search(q), 200);
  }

  private async search(q: string) {
    const ask = ++this.asked;
    try {
      const page = await this.api!.listRecords("products", {
        q,
        filter: { field: "active", op: "eq", value: true },
        fields: ["sku", "name", "track_stock"],
        sort: ["sku"],
        limit: 10,
      });
      if (ask !== this.asked) return;
      const hits = page.records.map((r) => ({
        id: r.id,
        sku: String(r.fields.sku ?? ""),
        name: String(r.fields.name ?? ""),
        trackStock: r.fields.track_stock === true,
      }));
      // An exact SKU first: typing a code and Enter adds that product.
      hits.sort(
        (a, b) => Number(b.sku.toLowerCase() === q.toLowerCase()) - Number(a.sku.toLowerCase() === q.toLowerCase()),
      );
      this.hits = hits;
      this.searched = q;
      this.active = hits.length ? 0 : -1;
      this.open = true;
      this.available = new Map();
      if (this.stock && hits.some((h) => h.trackStock)) {
        const available = await this.stock.forProducts(hits);
        if (ask === this.asked) this.available = available;
      }
    } catch {
      if (ask === this.asked) {
        this.hits = [];
        this.open = true;
      }
    }
  }

  private choose(hit: ProductHit | undefined) {
    if (!hit) return;
    this.pick?.(hit);
    const input = this.renderRoot.querySelector("input")!;
    input.value = "";
    this.open = false;
    this.hits = [];
  }

  private onKey(e: KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!this.hits.length) return;
      this.open = true;
      const step = e.key === "ArrowDown" ? 1 : this.hits.length - 1;
      this.active = (this.active + step) % this.hits.length;
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (this.open) this.choose(this.hits[this.active]);
    } else if (e.key === "Escape" && this.open) {
      e.stopPropagation();
      this.open = false;
    }
  }

  private availableText(h: ProductHit) {
    const a = this.available.get(h.id);
    if (!a) return nothing;
    return html`<span class="avail" data-available>${msg(str`${trimDecimal(a.available)} available`, { id: "quote.stock.available" })}</span>`;
  }

  override render() {
    const label = msg("Add a product by SKU or name", { id: "quote.addProduct" });
    return html`<input
        type="search"
        role="combobox"
        aria-label=${label}
        placeholder=${label}
        aria-expanded=${this.open ? "true" : "false"}
        aria-controls="hits"
        aria-autocomplete="list"
        aria-activedescendant=${this.open && this.active >= 0 ? `hit-${this.active}` : ""}
        ?disabled=${this.disabled}
        data-product-search
        @input=${this.onInput}
        @keydown=${this.onKey}
        @blur=${() => setTimeout(() => (this.open = false), 150)}
      />
      ${
        this.open
          ? html`<ul id="hits" role="listbox" aria-label=${msg("Products", { id: "quote.products" })}>
              ${
                this.hits.length
                  ? this.hits.map(
                      (h, i) =>
                        html`<li id="hit-${i}" role="option" aria-selected=${i === this.active ? "true" : "false"} data-sku=${h.sku}
                          @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.choose(h)}>
                          <span class="sku">${h.sku}</span><span>${h.name}</span>${this.availableText(h)}</li>`,
                    )
                  : html`<li class="empty" role="option" aria-selected="false" aria-disabled="true">${msg("No product matches", { id: "quote.noProduct" })} “${this.searched}”</li>`
              }
            </ul>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-product-search": SgProductSearch;
  }
}
