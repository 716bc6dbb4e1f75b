/**
 * `<sg-link-picker>`: the value of a link field, chosen by searching the target table (its records
 * as the caller may read them). A combobox with a listbox of results; chosen records are chips.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient } from "../api/client";
import { localized, msg } from "../i18n/index";
import { controls } from "../sg-app/styles";
import { closeIcon } from "../icons";
import { noAccessText } from "./values";

export interface LinkItem {
  id: number;
  primary?: unknown;
}

let seq = 0;

// localized() must patch the class before customElement() defines it: an element already in the page
// is upgraded at define time and would miss the locale controller.
@customElement("sg-link-picker")
@localized()
export class SgLinkPicker extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; position: relative; }
      .chips { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 4px; }
      .chip { display: inline-flex; align-items: center; gap: 4px; background: #eef2ff; border-radius: 12px; padding: 2px 4px 2px 10px; }
      .chip button { border: 0; background: transparent; padding: 0 6px; }
      input { width: 100%; box-sizing: border-box; }
      ul { position: absolute; z-index: 5; left: 0; right: 0; margin: 2px 0 0; padding: 4px 0; list-style: none; background: #fff; border: 1px solid var(--sg-border); border-radius: 6px; max-height: 220px; overflow: auto; box-shadow: 0 4px 12px rgb(0 0 0 / 0.12); }
      li { padding: 4px 10px; cursor: pointer; }
      li[aria-selected="true"] { background: #eef2ff; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  /** The target table's API name. */
  @property() target = "";
  @property({ type: Boolean }) multiple = true;
  @property({ type: Boolean }) disabled = false;
  @property() label = "";
  @property({ attribute: false }) value: LinkItem[] = [];
  @state() private results: LinkItem[] = [];
  @state() private open = false;
  @state() private active = -1;
  private primaryField: string | null = null;
  private timer: number | undefined;
  private readonly listId = `sg-link-list-${++seq}`;

  private async search(q: string) {
    if (!this.api || !this.target) return;
    try {
      if (this.primaryField === null) {
        const { table } = await this.api.table(this.target);
        this.primaryField =
          table.fields.find((f) => f.id === table.primaryFieldId)?.name ?? table.fields[0]?.name ?? "";
      }
      const reply = await this.api.listRecords(this.target, {
        q: q || undefined,
        limit: 10,
        fields: this.primaryField ? [this.primaryField] : undefined,
      });
      this.results = reply.records.map((r) => ({
        id: r.id,
        primary: this.primaryField ? r.fields[this.primaryField] : undefined,
      }));
      this.open = true;
      this.active = this.results.length ? 0 : -1;
    } catch {
      this.results = [];
    }
  }

  private onInput(e: Event) {
    const q = (e.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.search(q), 200);
  }

  private choose(item: LinkItem) {
    const next = this.multiple ? [...this.value.filter((v) => v.id !== item.id), item] : [item];
    this.update_(next);
    this.open = false;
    const input = this.renderRoot.querySelector("input");
    if (input) input.value = "";
  }

  private removeItem(id: number) {
    this.update_(this.value.filter((v) => v.id !== id));
  }

  private update_(next: LinkItem[]) {
    this.value = next;
    this.dispatchEvent(new CustomEvent("change", { detail: { value: next }, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!this.open) void this.search((e.target as HTMLInputElement).value);
      else this.active = Math.min(this.active + 1, this.results.length - 1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      this.active = Math.max(this.active - 1, 0);
    } else if (e.key === "Enter" && this.open && this.results[this.active]) {
      e.preventDefault();
      this.choose(this.results[this.active]!);
    } else if (e.key === "Escape" && this.open) {
      e.stopPropagation();
      this.open = false;
    }
  }

  override render() {
    // An expanded link without `primary` is one the server would not name for this viewer.
    const name = (v: LinkItem) =>
      !("primary" in v)
        ? noAccessText()
        : v.primary === undefined || v.primary === null || v.primary === ""
          ? `#${v.id}`
          : String(v.primary);
    return html`
      <div class="chips" role="list">
        ${this.value.map(
          (v) =>
            html`<span class="chip" role="listitem"><span data-value>${name(v)}</span>${
              this.disabled
                ? nothing
                : html`<button type="button" aria-label=${msg("Remove", { id: "form.remove" }) + " " + name(v)} @click=${() => this.removeItem(v.id)}>${closeIcon}</button>`
            }</span>`,
        )}
      </div>
      ${
        this.disabled
          ? nothing
          : html`<input
              type="search"
              role="combobox"
              aria-label=${this.label}
              aria-autocomplete="list"
              aria-expanded=${this.open ? "true" : "false"}
              aria-controls=${this.listId}
              aria-activedescendant=${this.open && this.active >= 0 ? `${this.listId}-${this.active}` : ""}
              placeholder=${msg("Search to add…", { id: "form.searchLink" })}
              @input=${this.onInput}
              @focus=${(e: Event) => void this.search((e.target as HTMLInputElement).value)}
              @keydown=${this.onKey}
              @blur=${() => setTimeout(() => (this.open = false), 150)}
            />
            ${
              this.open
                ? html`<ul id=${this.listId} role="listbox" aria-label=${this.label}>
                  ${this.results.length === 0 ? html`<li role="option" aria-disabled="true" class="muted">${msg("No matches", { id: "form.noMatches" })}</li>` : nothing}
                  ${this.results.map(
                    (r, i) =>
                      html`<li id="${this.listId}-${i}" role="option" aria-selected=${i === this.active ? "true" : "false"} @mousedown=${(e: Event) => (e.preventDefault(), this.choose(r))}><span data-value>${name(r)}</span></li>`,
                  )}
                </ul>`
                : nothing
            }`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-link-picker": SgLinkPicker;
  }
}
