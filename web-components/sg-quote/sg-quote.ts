/**
 * `<sg-quote kind="quote|order" record-id="12">`: a quote or order as a document. The header names the
 * customer, contact and deal (never ids) and offers the moves its status allows (send, accept, reject,
 * revise, convert to order; confirm or cancel an order; print). The lines are edited in place while the
 * document is a draft: add a product by SKU or name, paste rows from a spreadsheet, change quantity,
 * discount or unit price, reorder (drag, or Alt+Up/Down, or the arrow buttons), delete after a
 * question. Every amount shown is the server's (doc-data.ts).
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient, ApiRecord } from "../api/client";
import { emit } from "../events";
import { arrowDownIcon, arrowUpIcon, closeIcon } from "../icons";
import {
  currencyDigits,
  decimalToUnits,
  formatDate,
  formatMoney,
  formatPercent,
  labelOf,
  localized,
  msg,
  str,
  unitsToDecimal,
} from "../i18n/index";
import { decimalText, trimDecimal } from "../i18n/decimal";
import { askConfirm } from "../sg-app/confirm-dialog";
import { controls } from "../sg-app/styles";
import { DocData, type Line, type Named, type ProductHit } from "./doc-data";
import { quantitiesByProduct } from "./availability";
import { docActions, KINDS, linesEditable, STATUS_OF, type DocAction, type DocKind } from "./kinds";
import { pastedLines } from "./paste";
import "./product-search";
import { stockCell, stockHeading } from "./stock-cell";
import { productOf, StockController } from "./stock-controller";
import { quoteStyles } from "./styles";

const amountOf = (v: unknown): number | null =>
  v && typeof v === "object" && typeof (v as { amount?: unknown }).amount === "number"
    ? (v as { amount: number }).amount
    : null;

export const namesOf = (v: unknown): string =>
  Array.isArray(v)
    ? (v as Named[])
        .map((x) => (typeof x === "object" && x && x.primary !== undefined ? String(x.primary) : ""))
        .filter(Boolean)
        .join(", ")
    : "";

@customElement("sg-quote")
@localized()
export class SgQuote extends LitElement {
  static override styles = [controls, quoteStyles];

  @property({ attribute: false }) api?: ApiClient;
  @property() kind: DocKind = "quote";
  @property({ attribute: "record-id", type: Number }) recordId = 0;

  @state() private pasteOpen = false;
  @state() private pasteProgress: { done: number; total: number } | null = null;
  @state() private pasteProblems: string[] = [];
  @state() private dragFrom = -1;
  @state() private dropAt = -1;
  private readonly data = new DocData(
    Object.assign(this, {
      note: (kind: "info" | "error", message: string) => emit(this, "sg-notify", { kind, message }),
    }),
    () => this.api,
  );
  /** Available stock beside the lines and in the product search (no column when stock is not readable). */
  private readonly stock = new StockController(this, {
    kind: () => this.kind,
    data: this.data,
    api: () => this.api,
  });
  private focusLine: number | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has("kind") || changed.has("recordId") || changed.has("api")) && this.api && this.recordId)
      this.data.want(this.kind, this.recordId);
  }

  protected override updated(): void {
    if (this.focusLine !== null) {
      const input = this.renderRoot.querySelector<HTMLInputElement>(
        `input[data-line="${this.focusLine}"][name=quantity]`,
      );
      if (input) {
        this.focusLine = null;
        input.focus();
        input.select();
      }
    }
  }

  /** Whether the lines may change now: a draft the user may update. */
  private get editable(): boolean {
    return linesEditable(this.data.status) && this.data.table?.access?.update !== false;
  }

  private get digits(): number {
    return currencyDigits(this.data.currency);
  }

  private money(v: unknown): string {
    const a = amountOf(v);
    return a === null ? "" : formatMoney(a, this.data.currency);
  }

  private choiceLabel(field: string, value: unknown): string {
    const f = this.data.table?.fields.find((x) => x.name === field);
    const c = f?.options?.choices?.find((x) => x.name === value);
    return c ? labelOf(c) : String(value ?? "");
  }

  // ------------------------------------------------------------------ line edits

  private async onCell(line: Line, name: "quantity" | "discount" | "unit_price" | "description", e: Event) {
    const input = e.target as HTMLInputElement;
    const text = input.value.trim();
    let value: unknown;
    if (name === "quantity") {
      value = decimalText(text, 3);
      if (value === null)
        return this.refuse(
          line,
          input,
          msg("Enter a number with at most 3 decimal places.", { id: "quote.badQuantity" }),
        );
    } else if (name === "discount") {
      value = text === "" ? 0 : decimalToUnits(text.replace(/%$/, ""), 2);
      if (value === null)
        return this.refuse(
          line,
          input,
          msg("Enter a percentage with at most 2 decimal places.", { id: "quote.badDiscount" }),
        );
    } else if (name === "unit_price") {
      const units = decimalToUnits(text, this.digits);
      if (units === null) return this.refuse(line, input, msg("Enter an amount.", { id: "quote.badPrice" }));
      value = { amount: units, currency: this.data.currency };
    } else value = text;
    await this.data.changeLine(this.kind, line.id, { [name]: value });
  }

  private refuse(line: Line, input: HTMLInputElement, text: string) {
    this.data.lineErrors.set(line.id, text);
    input.setAttribute("aria-invalid", "true");
    this.requestUpdate();
  }

  private async addProduct(p: ProductHit) {
    const id = await this.data.addProduct(this.kind, p);
    if (id !== null) this.focusLine = id;
    this.requestUpdate();
  }

  private async deleteLine(line: Line, n: number) {
    const ok = await askConfirm(this, {
      title: msg("Delete this line?", { id: "quote.deleteLine.title" }),
      lines: [
        msg(str`Line ${n}: ${namesOf(line.fields.product) || String(line.fields.description ?? "")}`, {
          id: "quote.deleteLine.detail",
        }),
      ],
      confirm: msg("Delete line", { id: "quote.deleteLine.confirm" }),
      danger: true,
    });
    if (ok) await this.data.deleteLine(this.kind, line.id);
  }

  private async move(from: number, to: number, focus = true) {
    const id = this.data.lines[from]?.id;
    const ok = await this.data.move(this.kind, from, to);
    if (ok && focus && id !== undefined)
      void this.updateComplete.then(() =>
        this.renderRoot
          .querySelector<HTMLElement>(`tr[data-line-id="${id}"] button[data-move="${to < from ? "up" : "down"}"]`)
          ?.focus(),
      );
  }

  private onRowKey(e: KeyboardEvent, i: number) {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    void this.move(i, e.key === "ArrowUp" ? i - 1 : i + 1);
  }

  private async paste() {
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>("textarea[data-paste]")!;
    const { lines, problems } = pastedLines(area.value, this.digits);
    const col = (c: string) =>
      ({
        sku: msg("SKU", { id: "quote.col.sku" }),
        quantity: msg("Quantity", { id: "quote.col.quantity" }),
        discount: msg("Discount", { id: "quote.col.discount" }),
        unit_price: msg("Unit price", { id: "quote.col.unitPrice" }),
      })[c] ?? c;
    const words = problems.map((p) =>
      msg(str`Row ${p.row}: the ${col(p.column)} cannot be read`, { id: "quote.paste.bad" }),
    );
    if (!lines.length) {
      this.pasteProblems = words.length
        ? words
        : [msg("Nothing to add: paste rows of SKU, quantity, discount.", { id: "quote.paste.none" })];
      return;
    }
    this.pasteProgress = { done: 0, total: lines.length };
    const products = await this.data.productsBySku(lines.map((l) => l.sku));
    const ready: { row: number; fields: Record<string, unknown>; product: ProductHit }[] = [];
    for (const l of lines) {
      const p = products.get(l.sku.toLowerCase());
      if (!p) {
        words.push(msg(str`Row ${l.row}: no product with SKU ${l.sku}`, { id: "quote.paste.noSku" }));
        continue;
      }
      const fields: Record<string, unknown> = { product: [p.id], quantity: l.quantity };
      if (l.discount !== undefined) fields.discount = l.discount;
      if (l.unitPrice !== undefined) fields.unit_price = { amount: l.unitPrice, currency: this.data.currency };
      ready.push({ row: l.row, fields, product: p });
    }
    this.pasteProgress = { done: 0, total: ready.length };
    const done = await this.data.addLines(
      this.kind,
      ready,
      (n) => (this.pasteProgress = { done: n, total: ready.length }),
    );
    if (done < ready.length)
      words.push(
        msg(str`Stopped at row ${ready[done]!.row}; the rows before it were added.`, { id: "quote.paste.stopped" }),
      );
    this.pasteProblems = words;
    this.pasteProgress = null;
    if (done) {
      emit(this, "sg-notify", { kind: "info", message: msg(str`${done} lines added`, { id: "quote.paste.added" }) });
      if (!words.length) {
        area.value = "";
        this.pasteOpen = false;
      }
    }
  }

  // ------------------------------------------------------------------ document moves

  private async act(a: DocAction) {
    const status = STATUS_OF[a];
    if (a === "cancel" || a === "reject") {
      const ok = await askConfirm(this, {
        title:
          a === "cancel"
            ? msg("Cancel this order?", { id: "quote.cancel.title" })
            : msg("Mark this quote rejected?", { id: "quote.reject.title" }),
        lines: [msg("This cannot be undone.", { id: "quote.noUndo" })],
        confirm:
          a === "cancel"
            ? msg("Cancel order", { id: "quote.action.cancel" })
            : msg("Mark rejected", { id: "quote.action.reject" }),
        danger: true,
      });
      if (!ok) return;
    }
    if (status) {
      if (await this.data.setStatus(this.kind, status))
        emit(this, "sg-notify", {
          kind: "info",
          message: msg(str`Status: ${this.choiceLabel("status", status)}`, { id: "quote.statusNow" }),
        });
      return;
    }
    if (a === "convert") {
      const r = await this.data.action<{ order: ApiRecord }>(this.kind, "quote-to-order");
      if (r) {
        emit(this, "sg-notify", {
          kind: "info",
          message: msg(str`Order ${String(r.order.fields.number ?? "")} created`, { id: "quote.converted" }),
        });
        location.hash = `#/orders/${r.order.id}`;
      }
    } else if (a === "revise") {
      const r = await this.data.action<{ quote: ApiRecord }>(this.kind, "quote-revise");
      if (r) location.hash = `#/quotes/${r.quote.id}`;
    }
  }

  private actionLabel(a: DocAction): string {
    switch (a) {
      case "send":
        return msg("Mark sent", { id: "quote.action.send" });
      case "accept":
        return msg("Mark accepted", { id: "quote.action.accept" });
      case "reject":
        return msg("Mark rejected", { id: "quote.action.reject" });
      case "revise":
        return msg("Revise", { id: "quote.action.revise" });
      case "convert":
        return msg("Convert to order", { id: "quote.action.convert" });
      case "confirm":
        return msg("Confirm order", { id: "quote.action.confirm" });
      case "cancel":
        return msg("Cancel order", { id: "quote.action.cancel" });
    }
  }

  // ------------------------------------------------------------------ rendering

  override render() {
    const d = this.data;
    if (d.state === "idle" || d.state === "loading")
      return html`<p class="muted" role="status">${msg("Loading…", { id: "common.loading" })}</p>`;
    if (d.state === "missing")
      return html`<div role="alert"><h1>${msg("Not available", { id: "quote.missing" })}</h1><p>${msg("This document does not exist or is not shared with you.", { id: "quote.missingDetail" })}</p></div>`;
    if (d.state === "error" || !d.doc) return html`<p class="error" role="alert">${d.error}</p>`;
    const f = d.doc.fields;
    const title = this.kind === "quote" ? msg("Quote", { id: "quote.quote" }) : msg("Order", { id: "quote.order" });
    const k = KINDS[this.kind];
    return html`
      <header>
        <h1 id="doc-title">${title} ${String(f.number ?? "")}</h1>
        <span class="status" data-status=${String(f.status ?? "")}>${this.choiceLabel("status", f.status)}</span>
        ${this.kind === "quote" && Number(f.revision) > 1 ? html`<span class="muted">${msg(str`Revision ${String(f.revision)}`, { id: "quote.revision" })}</span>` : nothing}
        ${d.busy ? html`<span class="busy" role="status">${msg("Saving…", { id: "quote.saving" })}</span>` : nothing}
        <div class="actions">
          ${docActions(this.kind, f.status).map(
            (a) =>
              html`<button class=${a === "convert" || a === "send" || a === "confirm" ? "primary" : ""} data-doc-action=${a} ?disabled=${d.busy > 0} @click=${() => void this.act(a)}>${this.actionLabel(a)}</button>`,
          )}
          <button data-print @click=${() => (location.hash = `#/print/${k.table}/${d.doc!.id}`)}>${msg("Print", { id: "quote.print" })}</button>
          <a href=${`#/t/${k.table}/r/${d.doc.id}`} data-details>${msg("Details and history", { id: "quote.details" })}</a>
        </div>
      </header>
      <dl class="facts">
        <div><dt>${msg("Customer", { id: "quote.customer" })}</dt><dd data-fact="customer">${namesOf(f.customer) || "—"}</dd></div>
        <div><dt>${msg("Contact", { id: "quote.contact" })}</dt><dd data-fact="contact">${namesOf(f.contact) || "—"}</dd></div>
        <div><dt>${msg("Deal", { id: "quote.deal" })}</dt><dd data-fact="deal">${namesOf(f.deal) || "—"}</dd></div>
        ${
          this.kind === "quote"
            ? html`<div><dt>${msg("Valid until", { id: "quote.validUntil" })}</dt><dd>${formatDate(f.valid_until as string) || "—"}</dd></div>`
            : html`<div><dt>${msg("Order date", { id: "quote.orderDate" })}</dt><dd>${formatDate(f.order_date as string) || "—"}</dd></div>`
        }
        <div><dt>${msg("Currency", { id: "quote.currency" })}</dt><dd>${d.currency}</dd></div>
      </dl>
      ${this.editable ? this.renderAdders() : nothing}
      ${this.renderLines()}
      ${f.terms ? html`<h2>${msg("Terms", { id: "quote.terms" })}</h2><p class="notes">${String(f.terms)}</p>` : nothing}
      ${f.notes ? html`<h2>${msg("Notes", { id: "quote.notes" })}</h2><p class="notes">${String(f.notes)}</p>` : nothing}
    `;
  }

  private renderAdders() {
    return html`<div class="adders">
        <sg-product-search .api=${this.api} .stock=${this.stock} .pick=${(p: ProductHit) => void this.addProduct(p)} ?disabled=${this.pasteProgress !== null}></sg-product-search>
        <button aria-expanded=${this.pasteOpen ? "true" : "false"} aria-controls="paste" data-paste-toggle @click=${() => (this.pasteOpen = !this.pasteOpen)}>${msg("Paste from Excel", { id: "quote.paste" })}</button>
      </div>
      <div class="paste" id="paste" ?hidden=${!this.pasteOpen}>
        <label for="paste-text">${msg("Paste rows: SKU, quantity, discount %, unit price (optional)", { id: "quote.paste.help" })}</label>
        <textarea id="paste-text" data-paste ?disabled=${this.pasteProgress !== null}></textarea>
        <button class="primary" data-paste-add ?disabled=${this.pasteProgress !== null} @click=${() => void this.paste()}>${msg("Add pasted lines", { id: "quote.paste.add" })}</button>
        ${
          this.pasteProgress
            ? html`<div role="status" data-paste-progress>
                <progress max=${this.pasteProgress.total} value=${this.pasteProgress.done} aria-label=${msg("Adding lines", { id: "quote.paste.adding" })}></progress>
                ${msg(str`${this.pasteProgress.done} of ${this.pasteProgress.total} lines added`, { id: "quote.paste.progress" })}
              </div>`
            : nothing
        }
        ${this.pasteProblems.length ? html`<ul role="alert" data-paste-problems>${this.pasteProblems.map((p) => html`<li>${p}</li>`)}</ul>` : nothing}
      </div>`;
  }

  private renderLines() {
    const d = this.data;
    const edit = this.editable;
    const f = d.doc!.fields;
    const stock = this.stock.state === "on";
    const cols = (edit ? 9 : 8) + (stock ? 1 : 0);
    // Each product's quantity over all lines: what confirming reserves, held against its stock together.
    const needed = stock
      ? quantitiesByProduct(d.lines.map((l) => ({ product: productOf(l), quantity: l.fields.quantity })))
      : new Map<number, string>();
    return html`<table aria-labelledby="doc-title" data-lines>
      <thead>
        <tr>
          <th scope="col" class="num">#</th>
          <th scope="col">${msg("Product", { id: "quote.col.product" })}</th>
          <th scope="col">${msg("Description", { id: "quote.col.description" })}</th>
          <th scope="col" class="num">${msg("Quantity", { id: "quote.col.quantity" })}</th>
          ${stock ? stockHeading(this.kind, this.stock.scope()) : nothing}
          <th scope="col" class="num">${msg("Unit price", { id: "quote.col.unitPrice" })}</th>
          <th scope="col" class="num">${msg("Discount", { id: "quote.col.discount" })}</th>
          <th scope="col" class="num">${msg("Tax rate", { id: "quote.col.tax" })}</th>
          <th scope="col" class="num">${msg("Line total", { id: "quote.col.total" })}</th>
          ${edit ? html`<th scope="col"><span class="visually-hidden">${msg("Line tools", { id: "quote.col.tools" })}</span></th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${d.lines.length ? d.lines.map((l, i) => this.renderLine(l, i, edit, cols, stock ? needed : null)) : html`<tr><td colspan=${cols} class="empty muted">${msg("No lines yet.", { id: "quote.noLines" })}</td></tr>`}
      </tbody>
      <tfoot>
        ${this.totalRow(msg("Subtotal", { id: "quote.subtotal" }), f.subtotal, "subtotal", cols)}
        ${this.totalRow(msg("Discount", { id: "quote.discountTotal" }), f.discount_total, "discount_total", cols)}
        ${this.totalRow(msg("Tax", { id: "quote.taxTotal" }), f.tax_total, "tax_total", cols)}
        ${this.totalRow(msg("Total", { id: "quote.total" }), f.total, "total", cols, "total")}
      </tfoot>
    </table>`;
  }

  private totalRow(label: string, v: unknown, key: string, cols: number, cls = "") {
    return html`<tr class=${cls}><td colspan=${cols - (this.editable ? 2 : 1)} class="num">${label}</td><td class="num" data-total=${key}>${this.money(v)}</td>${this.editable ? html`<td></td>` : nothing}</tr>`;
  }

  /**
   * A line's stock cell, short when the product's quantity over all lines is more than is available; marked
   * on a quote and a draft order (a confirmed one holds its stock).
   */
  private stockOf(l: Line, needed: Map<number, string>) {
    const p = productOf(l);
    if (p === null) return stockCell(undefined, null, false);
    const short = this.kind === "quote" || this.data.status === "draft";
    return stockCell(this.stock.byProduct.get(p), needed.get(p), short);
  }

  private renderLine(l: Line, i: number, edit: boolean, cols: number, needed: Map<number, string> | null) {
    const f = l.fields;
    const n = i + 1;
    const product = namesOf(f.product);
    const err = this.data.lineErrors.get(l.id);
    const unit = amountOf(f.unit_price);
    const cell = (name: "quantity" | "discount" | "unit_price", value: string, label: string) =>
      html`<input name=${name} data-line=${l.id} inputmode="decimal" .value=${value} aria-label=${label} aria-invalid=${err ? "true" : "false"}
        aria-describedby=${err ? `err-${l.id}` : ""} @change=${(e: Event) => void this.onCell(l, name, e)} />`;
    const row = html`<tr data-line-id=${l.id} class=${[err ? "problem" : "", this.dragFrom === i ? "dragging" : "", this.dropAt === i ? "drop-target" : ""].join(" ")}
        draggable=${edit ? "true" : "false"}
        @keydown=${edit ? (e: KeyboardEvent) => this.onRowKey(e, i) : null}
        @dragstart=${
          edit
            ? (e: DragEvent) => {
                this.dragFrom = i;
                e.dataTransfer?.setData("text/plain", String(l.id));
              }
            : null
        }
        @dragover=${
          edit
            ? (e: DragEvent) => {
                e.preventDefault();
                this.dropAt = i;
              }
            : null
        }
        @dragend=${() => {
          this.dragFrom = -1;
          this.dropAt = -1;
        }}
        @drop=${
          edit
            ? (e: DragEvent) => {
                e.preventDefault();
                const from = this.dragFrom;
                this.dragFrom = -1;
                this.dropAt = -1;
                void this.move(from, i, false);
              }
            : null
        }>
      <td class="num">${n}</td>
      <td data-col="product">${product || msg("(no product)", { id: "quote.noProductName" })}</td>
      <td>${edit ? html`<input class="desc" name="description" .value=${String(f.description ?? "")} aria-label=${msg(str`Description of line ${n}`, { id: "quote.aria.description" })} @change=${(e: Event) => void this.onCell(l, "description", e)} />` : String(f.description ?? "")}</td>
      <td class="num" data-col="quantity">${edit ? cell("quantity", trimDecimal(String(f.quantity ?? "")), msg(str`Quantity of line ${n}`, { id: "quote.aria.quantity" })) : trimDecimal(String(f.quantity ?? ""))}</td>
      ${needed ? this.stockOf(l, needed) : nothing}
      <td class="num" data-col="unit_price">${edit ? cell("unit_price", unit === null ? "" : unitsToDecimal(unit, this.digits), msg(str`Unit price of line ${n}`, { id: "quote.aria.unitPrice" })) : this.money(f.unit_price)}</td>
      <td class="num" data-col="discount">${edit ? html`${cell("discount", trimDecimal(unitsToDecimal(Number(f.discount ?? 0), 2)), msg(str`Discount % of line ${n}`, { id: "quote.aria.discount" }))} %` : formatPercent(Number(f.discount ?? 0))}</td>
      <td class="num">${formatPercent(Number(f.tax_rate ?? 0))}</td>
      <td class="num" data-col="line_total">${this.money(f.line_total)}</td>
      ${
        edit
          ? html`<td><span class="row-tools">
              <button data-move="up" aria-label=${msg(str`Move line ${n} up`, { id: "quote.moveUp" })} ?disabled=${i === 0} @click=${() => void this.move(i, i - 1)}>${arrowUpIcon}</button>
              <button data-move="down" aria-label=${msg(str`Move line ${n} down`, { id: "quote.moveDown" })} ?disabled=${i === this.data.lines.length - 1} @click=${() => void this.move(i, i + 1)}>${arrowDownIcon}</button>
              <button data-delete-line aria-label=${msg(str`Delete line ${n}`, { id: "quote.deleteLineN" })} @click=${() => void this.deleteLine(l, n)}>${closeIcon}</button>
            </span></td>`
          : nothing
      }
    </tr>`;
    if (!err) return row;
    return html`${row}<tr data-line-error=${l.id}><td></td><td colspan=${cols - 1} class="line-error" id="err-${l.id}" role="alert">${err}</td></tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-quote": SgQuote;
  }
}
