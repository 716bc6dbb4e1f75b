/**
 * `<sg-pick-list order-id>`: the printable pick list of an order for the warehouse (`#/pick/<order>`,
 * drawn by sg-app without its shell, like the print page): what is left to pick per line, with a box to
 * tick on paper. No prices: it reads none.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord } from "../api/client";
import { decimalToUnits, localized, msg, str, unitsToDecimal } from "../i18n/index";

const SCALE = 3;
const primary = (v: unknown): string =>
  Array.isArray(v) && v[0] && typeof v[0] === "object" ? String((v[0] as { primary?: unknown }).primary ?? "") : "";
const units = (v: unknown): number => decimalToUnits(String(v ?? "0"), SCALE) ?? 0;

@customElement("sg-pick-list")
@localized()
export class SgPickList extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 190mm; margin: 0 auto; padding: 12mm; font: 14px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; color: #000; background: #fff; }
    table { border-collapse: collapse; width: 100%; margin-top: 8mm; }
    th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .box { width: 14px; height: 14px; border: 1px solid #000; display: inline-block; }
    .tools { margin-bottom: 6mm; }
    @media print { .tools { display: none; } :host { padding: 0; } }
  `;

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: "order-id", type: Number }) orderId = 0;
  @state() private order: ApiRecord | null = null;
  @state() private lines: ApiRecord[] = [];
  @state() private phase: "loading" | "ready" | "missing" | "error" = "loading";
  @state() private problem = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    if (!this.api || !this.orderId) return;
    try {
      const [order, lines] = await Promise.all([
        this.api.getRecord("orders", this.orderId, {
          fields: ["number", "customer", "warehouse", "shipping_address", "requested_date"],
          expand: ["customer", "warehouse"],
        }),
        this.api.listRecords("order_lines", {
          filter: { field: "order", op: "contains", value: this.orderId },
          fields: ["position", "product", "description", "quantity", "shipped_quantity"],
          sort: ["position"],
          limit: 1000,
          expand: ["product"],
        }),
      ]);
      this.order = order.record;
      this.lines = lines.records.filter((r) => units(r.fields.quantity) - units(r.fields.shipped_quantity) > 0);
      this.phase = "ready";
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) this.phase = "missing";
      else {
        this.phase = "error";
        this.problem = err instanceof Error ? err.message : String(err);
      }
    }
  }

  override render() {
    if (this.phase === "loading") return html`<p>${msg("Loading…", { id: "common.loading" })}</p>`;
    if (this.phase === "missing") return html`<p role="alert">${msg("Not found", { id: "stock.ship.missing" })}</p>`;
    if (this.phase === "error") return html`<p role="alert">${this.problem}</p>`;
    const f = this.order!.fields;
    return html`
      <div class="tools">
        <button data-print @click=${() => window.print()}>${msg("Print", { id: "stock.pick.print" })}</button>
        <a href="#/ship/${this.orderId}">${msg("Ship…", { id: "stock.ship.button" })}</a>
      </div>
      <h1>${msg(str`Pick list ${String(f.number ?? "")}`, { id: "stock.pick.title" })}</h1>
      <div>${msg("Customer", { id: "stock.ship.customer" })}: <span data-fact="customer">${primary(f.customer)}</span></div>
      <div>${msg("Warehouse", { id: "stock.warehouse" })}: <span data-fact="warehouse">${primary(f.warehouse) || msg("Default warehouse", { id: "stock.ship.defaultWarehouse" })}</span></div>
      ${f.shipping_address ? html`<div style="white-space:pre-line">${String(f.shipping_address)}</div>` : nothing}
      <table>
        <thead><tr>
          <th>${msg("Product", { id: "stock.product" })}</th>
          <th class="num">${msg("Left to ship", { id: "stock.ship.left" })}</th>
          <th>${msg("Picked", { id: "stock.pick.picked" })}</th>
        </tr></thead>
        <tbody>
          ${this.lines.map(
            (l) => html`<tr data-line-id=${l.id}>
              <td>${primary(l.fields.product)}${l.fields.description && l.fields.description !== primary(l.fields.product) ? html`<div>${String(l.fields.description)}</div>` : nothing}</td>
              <td class="num" data-col="outstanding">${unitsToDecimal(units(l.fields.quantity) - units(l.fields.shipped_quantity), SCALE)}</td>
              <td><span class="box" aria-hidden="true"></span></td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-pick-list": SgPickList;
  }
}
