/**
 * `<sg-product-stock>`: a product's stock in its record drawer (issue 16): the levels per warehouse
 * (on hand, reserved, available, reorder point, a low-stock mark in words and icon) and its recent moves
 * newest first with "more" (kind in words, signed exact quantity, warehouse, order or shipment by number,
 * reason, when in the user's zone, by whom by name). Costs and values appear only when the caller may read
 * them. Shows nothing where the inventory plugin is absent or disabled, the caller may not read levels,
 * or the record is not of the table stock levels link to. Loading is `ProductStockController`'s.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ApiClient } from "../api/client";
import { formatDateTime, formatMoney, labelOf, localized, msg } from "../i18n/index";
import { controls } from "../sg-app/styles";
import { ProductStockController, type Move } from "./product-stock-data";
import type { Money } from "../sg-stock/stock-data";
import { warningIcon } from "../icons";

interface Choice {
  name: string;
  label?: string;
  labels?: Record<string, string>;
}

const cost = (m: Money | null | undefined) => (m ? formatMoney(m.amount, m.currency) : "");

@customElement("sg-product-stock")
@localized()
export class SgProductStock extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; margin-top: 16px; }
      h3 { font-size: 15px; margin: 0 0 8px; }
      h4 { font-size: 13px; margin: 12px 0 4px; color: var(--sg-muted); }
      .head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; }
      table { border-collapse: collapse; width: 100%; font-size: 13px; }
      th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--sg-border); vertical-align: top; }
      .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      .low { color: #b42318; font-weight: 600; white-space: nowrap; }
      .sub { display: block; font-size: 12px; color: var(--sg-muted); }
      .sub.low { color: #b42318; }
      .muted { color: var(--sg-muted); font-size: 13px; }
      a.button { display: inline-block; text-decoration: none; color: inherit; font-size: 13px; padding: 4px 10px;
        border: 1px solid var(--sg-border); background: #f6f8fa; border-radius: 6px; }
      a.button:hover { background: #eef1f4; }
      /* Wider than the drawer (costs shown): scrolled sideways, by keyboard too (focusable). */
      .scroll { overflow-x: auto; }
      button.more { margin-top: 6px; font-size: 13px; padding: 4px 10px; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  /** The record's table id: the panel applies where stock_levels.product links to it. */
  @property({ attribute: "table-id" }) tableId = "";
  @property({ attribute: "product-id", type: Number }) productId: number | null = null;
  @property({ attribute: "time-zone" }) timeZone: string | null = null;

  private readonly stock = new ProductStockController(this, () => ({
    api: this.api,
    tableId: this.tableId || undefined,
    productId: this.productId,
  }));

  private kindLabel(kind: string): string {
    const field = this.stock.movesTable?.fields.find((f) => f.name === "kind");
    const choice = ((field?.options as { choices?: Choice[] } | undefined)?.choices ?? []).find((c) => c.name === kind);
    return choice ? labelOf(choice) : kind;
  }

  private noAccess() {
    return html`<span class="muted">${msg("(no access)", { id: "productStock.noAccess" })}</span>`;
  }

  /** A quantity with its sign: the ledger's text, "+" added to what comes in. */
  private signed(q: string): string {
    return q && !q.startsWith("-") && !/^0(\.0*)?$/.test(q) ? `+${q}` : q;
  }

  /** The order (linked to its document), else the shipment, else the move's own reference. */
  private document(m: Move) {
    if (m.order !== null) {
      const n = this.stock.orderName(m.order);
      return n ? html`<a href=${`#/orders/${m.order}`} data-order=${m.order}>${n}</a>` : this.noAccess();
    }
    if (m.shipment !== null) {
      const n = this.stock.shipmentName(m.shipment);
      return n ? html`<span data-shipment=${m.shipment}>${n}</span>` : this.noAccess();
    }
    return m.reference;
  }

  private renderLevels() {
    const s = this.stock;
    if (!s.levels.length)
      return html`<p class="muted" data-empty="levels">${msg("No stock in any warehouse yet.", { id: "productStock.noLevels" })}</p>`;
    return html`<div class="scroll" tabindex="0" role="region" aria-labelledby="product-stock"><table data-list="levels">
      <thead>
        <tr>
          <th>${msg("Warehouse", { id: "stock.warehouse" })}</th>
          <th class="num">${msg("On hand", { id: "stock.onHand" })}</th>
          <th class="num">${msg("Reserved", { id: "stock.reserved" })}</th>
          <th class="num">${msg("Available", { id: "stock.available" })}</th>
          ${s.shows.reorderPoint ? html`<th class="num">${msg("Reorder point", { id: "productStock.reorderPoint" })}</th>` : nothing}
          ${s.shows.averageCost ? html`<th class="num">${msg("Average cost", { id: "productStock.averageCost" })}</th>` : nothing}
          ${s.shows.stockValue ? html`<th class="num">${msg("Stock value", { id: "productStock.stockValue" })}</th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${s.levels.map(
          ({ warehouse: w, level: l }) => html`<tr data-warehouse=${w.code} data-low=${l.low ? "true" : "false"}>
            <td><span data-col="warehouse" data-value>${w.name}</span>
              ${l.low ? html`<span class="sub low" data-low-stock>${warningIcon} ${msg("Low stock", { id: "stock.low" })}</span>` : nothing}</td>
            <td class="num" data-q="on_hand">${l.onHand}</td>
            <td class="num" data-q="reserved">${l.reserved}</td>
            <td class="num" data-q="available">${l.available}</td>
            ${s.shows.reorderPoint ? html`<td class="num" data-q="reorder_point">${l.reorderPoint ?? ""}</td>` : nothing}
            ${s.shows.averageCost ? html`<td class="num" data-money="average_cost">${cost(l.averageCost)}</td>` : nothing}
            ${s.shows.stockValue ? html`<td class="num" data-money="stock_value">${cost(l.stockValue)}</td>` : nothing}
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  /** One move as four columns that fit the drawer: what and why, how many (at what cost), where, when and by whom. */
  private renderMove(m: Move) {
    const s = this.stock;
    const by =
      m.by === null
        ? msg("System", { id: "record.system" })
        : (s.userName(m.by) ?? msg("(unknown user)", { id: "productStock.unknownUser" }));
    return html`<tr data-move=${m.id} data-kind=${m.kind}>
      <td>
        <span data-col="kind">${this.kindLabel(m.kind)}</span>
        <span class="sub" data-col="document" data-value>${this.document(m)}</span>
        ${m.reason ? html`<span class="sub" data-col="reason" data-value>${m.reason}</span>` : nothing}
      </td>
      <td class="num">
        <span data-col="quantity">${this.signed(m.quantity)}</span>
        ${
          s.shows.unitCost && m.unitCost
            ? html`<span class="sub" data-money="unit_cost"><span class="visually-hidden">${msg("Unit cost", { id: "productStock.unitCost" })} </span>${cost(m.unitCost)}</span>`
            : nothing
        }
      </td>
      <td data-col="warehouse" data-value>${s.warehouseName(m.warehouse) ?? this.noAccess()}</td>
      <td>
        <span data-col="at">${m.at ? html`<time datetime=${m.at}>${formatDateTime(m.at, this.timeZone)}</time>` : nothing}</span>
        <span class="sub" data-col="by" data-value>${by}</span>
      </td>
    </tr>`;
  }

  private renderMoves() {
    const s = this.stock;
    if (!s.movesTable) return nothing;
    return html`<h4 id="product-moves">${msg("Recent moves", { id: "productStock.moves" })}</h4>
      ${
        s.moves.length === 0
          ? html`<p class="muted" data-empty="moves">${msg("No moves yet.", { id: "productStock.noMoves" })}</p>`
          : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="product-moves"><table data-list="moves" aria-labelledby="product-moves">
            <thead>
              <tr>
                <th>${msg("Move", { id: "productStock.move" })}</th>
                <th class="num">${msg("Quantity", { id: "productStock.quantity" })}</th>
                <th>${msg("Warehouse", { id: "stock.warehouse" })}</th>
                <th>${msg("When, by", { id: "productStock.at" })}</th>
              </tr>
            </thead>
            <tbody>${s.moves.map((m) => this.renderMove(m))}</tbody>
          </table></div>`
      }
      ${
        s.nextCursor
          ? html`<button type="button" class="more" data-action="more-moves" ?disabled=${s.loadingMore} @click=${() => void s.more()}>
            ${s.loadingMore ? msg("Loading…", { id: "common.loading" }) : msg("More moves", { id: "productStock.more" })}
          </button>`
          : nothing
      }`;
  }

  override render() {
    const s = this.stock;
    if (s.phase === "hidden" || s.phase === "idle") return nothing;
    const title = html`<div class="head">
      <h3 id="product-stock">${msg("Stock", { id: "productStock.title" })}</h3>
      ${s.phase === "ready" && s.mayReceive ? html`<a class="button" href="#/receive" data-action="receive">${msg("Receive", { id: "productStock.receive" })}</a>` : nothing}
    </div>`;
    if (s.phase === "loading")
      return html`<section aria-labelledby="product-stock" aria-busy="true">${title}<p class="muted" role="status">${msg("Loading…", { id: "common.loading" })}</p></section>`;
    if (s.phase === "error")
      return html`<section aria-labelledby="product-stock">${title}<p class="muted" role="alert">${msg("The stock could not be loaded.", { id: "productStock.error" })}</p>
        <button type="button" @click=${() => void s.load()}>${msg("Retry", { id: "common.retry" })}</button></section>`;
    return html`<section aria-labelledby="product-stock" data-ready>${title}${this.renderLevels()}${this.renderMoves()}</section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-product-stock": SgProductStock;
  }
}
