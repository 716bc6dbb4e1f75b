/**
 * `<sg-ship-form order-id>`: the warehouse's ship form for one order. Each line shows its product and
 * what is left to ship (quantity - shipped, by exact decimal units); the clerk enters what leaves now,
 * confirms, and the server ships it in one batch (inventory/ship). The server's problems appear beside
 * the lines they name. A refusal because the order changed elsewhere after the form loaded (shipped,
 * cancelled, partly shipped by someone else) keeps what the clerk entered and shows the order's facts
 * and what is left as they are now. No prices: the form reads none, and the warehouse role may read
 * none anyway.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord, type TableInfo } from "../api/client";
import { decimalToUnits, labelOf, localized, msg, str, unitsToDecimal } from "../i18n/index";
import { fieldErrorText, problemText } from "../i18n/field-errors";
import { askConfirm } from "../sg-app/confirm-dialog";
import { controls } from "../sg-app/styles";
import { emit } from "../events";

/** Decimal places of stock quantities (the inventory plugin's decimal scale). */
const SCALE = 3;

interface ShipLine {
  id: number;
  product: string;
  description: string;
  quantity: string;
  shipped: string;
  /** Units left to ship. */
  outstanding: number;
  /** Had something left to ship when the form loaded: its input stays while the clerk is at it. */
  editable: boolean;
}

const primary = (v: unknown): string =>
  Array.isArray(v) && v[0] && typeof v[0] === "object" ? String((v[0] as { primary?: unknown }).primary ?? "") : "";
const units = (v: unknown): number => decimalToUnits(String(v ?? "0"), SCALE) ?? 0;

@customElement("sg-ship-form")
@localized()
export class SgShipForm extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; padding: 16px; max-width: 960px; }
      table { border-collapse: collapse; width: 100%; margin: 12px 0; }
      th, td { border-bottom: 1px solid var(--sg-border); padding: 6px 8px; text-align: left; vertical-align: top; }
      td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
      input { width: 8em; text-align: right; }
      .err { display: block; color: #b42318; font-size: 13px; margin-top: 2px; }
      .facts { display: flex; gap: 24px; flex-wrap: wrap; }
      .facts dt { color: var(--sg-muted); font-size: 13px; }
      .facts dd { margin: 0; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: "order-id", type: Number }) orderId = 0;
  @state() private order: ApiRecord | null = null;
  private orders: TableInfo | null = null;
  @state() private lines: ShipLine[] = [];
  @state() private phase: "loading" | "ready" | "missing" | "error" = "loading";
  /** The order could ship when the form loaded (the Ship button stays while the clerk is at it). */
  @state() private open = false;
  @state() private busy = false;
  @state() private problem = "";
  /** What the clerk typed per line id (starts at what is left). */
  @state() private typed = new Map<number, string>();
  @state() private lineErrors = new Map<number, string>();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** The order's facts and lines as they are now. */
  private async read(): Promise<{ order: ApiRecord; lines: ShipLine[] }> {
    const [order, lines, table] = await Promise.all([
      this.api!.getRecord("orders", this.orderId, {
        fields: ["number", "customer", "status", "warehouse"],
        expand: ["customer", "warehouse"],
      }),
      this.api!.listRecords("order_lines", {
        filter: { field: "order", op: "contains", value: this.orderId },
        fields: ["position", "product", "description", "quantity", "shipped_quantity"],
        sort: ["position"],
        limit: 1000,
        expand: ["product"],
      }),
      this.orders ? Promise.resolve({ table: this.orders }) : this.api!.table("orders"),
    ]);
    this.orders = table.table;
    const status = String(order.record.fields.status ?? "");
    const shippable = status === "confirmed" || status === "partially_shipped";
    return {
      order: order.record,
      lines: lines.records.map((r) => {
        const outstanding = units(r.fields.quantity) - units(r.fields.shipped_quantity);
        return {
          id: r.id,
          product: primary(r.fields.product),
          description: String(r.fields.description ?? ""),
          quantity: String(r.fields.quantity ?? "0"),
          shipped: String(r.fields.shipped_quantity ?? "0"),
          outstanding,
          editable: shippable && outstanding > 0,
        };
      }),
    };
  }

  private async load() {
    if (!this.api || !this.orderId) return;
    try {
      const { order, lines } = await this.read();
      this.order = order;
      this.lines = lines;
      this.open = this.shippable;
      this.typed = new Map(this.lines.map((l) => [l.id, unitsToDecimal(Math.max(l.outstanding, 0), SCALE)]));
      this.phase = "ready";
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) this.phase = "missing";
      else {
        this.phase = "error";
        this.problem = err instanceof Error ? err.message : String(err);
      }
    }
  }

  /**
   * After a refusal: the order's facts and each line's shipped and left as they are now, beside the
   * server's reason; what the clerk typed and the inputs they typed into stay.
   */
  private async refresh() {
    try {
      const { order, lines } = await this.read();
      const before = new Map(this.lines.map((l) => [l.id, l.editable]));
      this.order = order;
      this.lines = lines.map((l) => ({ ...l, editable: before.get(l.id) ?? l.editable }));
    } catch {
      // The reason is on screen already; the facts stay as they were.
    }
  }

  private get shippable(): boolean {
    const s = String(this.order?.fields.status ?? "");
    return s === "confirmed" || s === "partially_shipped";
  }

  /** The lines to send, or null when a typed quantity is not a decimal with at most three places. */
  private request(): { order_line: number; quantity: string }[] | null {
    const errors = new Map<number, string>();
    const out: { order_line: number; quantity: string }[] = [];
    for (const l of this.lines) {
      const text = (this.typed.get(l.id) ?? "").trim();
      if (!text) continue;
      const u = decimalToUnits(text, SCALE);
      if (u === null || u < 0) {
        errors.set(l.id, msg("Enter a number with at most three decimal places.", { id: "stock.ship.badQuantity" }));
        continue;
      }
      if (u > 0) out.push({ order_line: l.id, quantity: unitsToDecimal(u, SCALE) });
    }
    this.lineErrors = errors;
    return errors.size ? null : out;
  }

  private async ship() {
    const lines = this.request();
    if (!lines) return;
    if (!lines.length) {
      this.problem = msg("Enter a quantity to ship on at least one line.", { id: "stock.ship.nothing" });
      return;
    }
    this.problem = "";
    const number = String(this.order?.fields.number ?? "");
    const byId = new Map(this.lines.map((l) => [l.id, l]));
    const ok = await askConfirm(this, {
      title: msg(str`Ship order ${number}?`, { id: "stock.ship.confirmTitle" }),
      lines: lines.map((l) => `${byId.get(l.order_line)?.product ?? ""}: ${l.quantity}`),
      confirm: msg("Ship", { id: "stock.ship.confirm" }),
    });
    if (!ok) return;
    this.busy = true;
    try {
      await this.api!.request("POST", "/api/actions/inventory/ship", { order: this.orderId, lines });
      emit(this, "sg-notify", { kind: "info", message: msg(str`Order ${number} shipped.`, { id: "stock.ship.done" }) });
      await this.load();
    } catch (err) {
      this.showProblem(err, lines);
      // Refused for what the order is now (changed elsewhere since the form loaded): show it as it is.
      if (err instanceof ApiError && (err.status === 409 || err.status === 422)) await this.refresh();
    } finally {
      this.busy = false;
    }
  }

  /** The server's problems beside the lines they name (`lines/<i>/...` of the request), the rest above. */
  private showProblem(err: unknown, sent: { order_line: number }[]) {
    if (!(err instanceof ApiError)) {
      this.problem = err instanceof Error ? err.message : String(err);
      return;
    }
    const errors = new Map<number, string>();
    const rest: string[] = [];
    for (const e of err.problem.errors ?? []) {
      const i = /^\/?lines\/(\d+)/.exec(e.field)?.[1];
      const line = i === undefined ? undefined : sent[Number(i)]?.order_line;
      if (line !== undefined) errors.set(line, fieldErrorText(e));
      else rest.push(fieldErrorText(e));
    }
    this.lineErrors = errors;
    this.problem = rest.length ? rest.join(" ") : errors.size ? "" : problemText(err.problem, err.message);
  }

  /** The status as its choice's label in the user's language. */
  private statusLabel(name: string): string {
    const field = this.orders?.fields.find((x) => x.name === "status");
    const choice = (
      field?.options as { choices?: { name: string; labels?: Record<string, string> }[] } | undefined
    )?.choices?.find((c) => c.name === name);
    return choice ? labelOf(choice) : name;
  }

  override render() {
    if (this.phase === "loading") return html`<p class="muted">${msg("Loading…", { id: "common.loading" })}</p>`;
    if (this.phase === "missing")
      return html`<div role="alert"><h1>${msg("Not found", { id: "stock.ship.missing" })}</h1></div>`;
    if (this.phase === "error") return html`<p role="alert">${this.problem}</p>`;
    const f = this.order!.fields;
    return html`
      <h1>${msg(str`Ship order ${String(f.number ?? "")}`, { id: "stock.ship.title" })}</h1>
      <p><a href="#/pick/${this.orderId}" data-pick-list>${msg("Pick list", { id: "stock.pick.link" })}</a></p>
      <dl class="facts">
        <div><dt>${msg("Customer", { id: "stock.ship.customer" })}</dt><dd data-fact="customer">${primary(f.customer)}</dd></div>
        <div><dt>${msg("Warehouse", { id: "stock.warehouse" })}</dt><dd data-fact="warehouse">${primary(f.warehouse) || msg("Default warehouse", { id: "stock.ship.defaultWarehouse" })}</dd></div>
        <div><dt>${msg("Status", { id: "stock.ship.status" })}</dt><dd data-fact="status" data-status=${String(f.status ?? "")}>${this.statusLabel(String(f.status ?? ""))}</dd></div>
      </dl>
      ${this.problem ? html`<p role="alert" class="err" data-problem>${this.problem}</p>` : nothing}
      <table>
        <thead><tr>
          <th>${msg("Product", { id: "stock.product" })}</th>
          <th class="num">${msg("Ordered", { id: "stock.ship.ordered" })}</th>
          <th class="num">${msg("Shipped", { id: "stock.ship.shipped" })}</th>
          <th class="num">${msg("Left to ship", { id: "stock.ship.left" })}</th>
          <th class="num">${msg("Ship now", { id: "stock.ship.now" })}</th>
        </tr></thead>
        <tbody>
          ${this.lines.map(
            (l) => html`<tr data-line-id=${l.id}>
              <td>${l.product}${l.description && l.description !== l.product ? html`<div class="muted">${l.description}</div>` : nothing}</td>
              <td class="num">${l.quantity}</td>
              <td class="num" data-col="shipped">${l.shipped}</td>
              <td class="num" data-col="outstanding">${unitsToDecimal(l.outstanding, SCALE)}</td>
              <td class="num">
                ${
                  l.editable
                    ? html`<input name="quantity" inputmode="decimal" aria-label=${msg(str`Quantity to ship of ${l.product}`, { id: "stock.ship.aria" })}
                        .value=${this.typed.get(l.id) ?? ""} ?disabled=${this.busy}
                        aria-invalid=${this.lineErrors.has(l.id) ? "true" : "false"}
                        @input=${(e: Event) => (this.typed = new Map(this.typed).set(l.id, (e.target as HTMLInputElement).value))} />`
                    : nothing
                }
                ${this.lineErrors.has(l.id) ? html`<span class="err" role="alert" data-line-error>${this.lineErrors.get(l.id)}</span>` : nothing}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${
        this.open
          ? html`<button class="primary" data-ship ?disabled=${this.busy} @click=${() => void this.ship()}>${msg("Ship…", { id: "stock.ship.button" })}</button>`
          : html`<p class="muted" data-not-shippable>${msg("Nothing of this order can ship in its status.", { id: "stock.ship.notShippable" })}</p>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-ship-form": SgShipForm;
  }
}
