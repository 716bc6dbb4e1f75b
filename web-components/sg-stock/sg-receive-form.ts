/**
 * `<sg-receive-form>`: stock received into a warehouse (inventory/receive). The product is found by SKU
 * or name, the warehouse chosen by name; the unit cost is asked only of a role that may see costs (the
 * stock moves' unit_cost is readable), else the receipt is booked at the level's current average cost
 * by the server. The server's problems appear beside the fields they name.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type FieldInfo } from "../api/client";
import { currencyDigits, decimalToUnits, localized, msg, str } from "../i18n/index";
import { fieldErrorText, problemText } from "../i18n/field-errors";
import { controls } from "../sg-app/styles";
import { emit } from "../events";
import "../sg-quote/product-search";
import type { ProductHit } from "../sg-quote/doc-data";
import { loadWarehouses, type Warehouse } from "./stock-data";

const SCALE = 3;

@customElement("sg-receive-form")
@localized()
export class SgReceiveForm extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; padding: 16px; max-width: 640px; }
      form { display: grid; gap: 12px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      .err { color: #b42318; font-size: 13px; }
      .picked { font-weight: 600; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @state() private warehouses: Warehouse[] = [];
  @state() private product: ProductHit | null = null;
  @state() private costField: FieldInfo | null = null;
  @state() private errors = new Map<string, string>();
  @state() private problem = "";
  @state() private busy = false;
  @state() private ready = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start() {
    if (!this.api) return;
    try {
      const [warehouses, moves] = await Promise.all([loadWarehouses(this.api), this.api.table("stock_moves")]);
      this.warehouses = warehouses.filter((w) => w.active);
      // The meta answer lists only the fields the caller may read: no unit_cost, no cost to ask for.
      this.costField = moves.table.fields.find((f) => f.name === "unit_cost") ?? null;
      this.ready = true;
    } catch (err) {
      this.problem = err instanceof Error ? err.message : String(err);
    }
  }

  private get currency(): string {
    return String((this.costField?.options as { currency?: string } | undefined)?.currency ?? "CNY");
  }

  private async submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const errors = new Map<string, string>();
    if (!this.product) errors.set("product", msg("Choose a product.", { id: "stock.receive.noProduct" }));
    const warehouse = Number(data.get("warehouse") ?? 0);
    if (!warehouse) errors.set("warehouse", msg("Choose a warehouse.", { id: "stock.receive.noWarehouse" }));
    const quantityText = String(data.get("quantity") ?? "").trim();
    const q = decimalToUnits(quantityText, SCALE);
    if (q === null || q <= 0)
      errors.set(
        "quantity",
        msg("Enter a number above zero with at most three decimal places.", { id: "stock.receive.badQuantity" }),
      );
    let cost: number | null = null;
    if (this.costField) {
      cost = decimalToUnits(String(data.get("unit_cost") ?? "").trim(), currencyDigits(this.currency));
      if (cost === null || cost < 0) errors.set("unit_cost", msg("Enter an amount.", { id: "stock.receive.badCost" }));
    }
    const reference = String(data.get("reference") ?? "").trim();
    this.errors = errors;
    this.problem = "";
    if (errors.size) return;
    this.busy = true;
    try {
      await this.api!.request("POST", "/api/actions/inventory/receive", {
        product: this.product!.id,
        warehouse,
        quantity: quantityText,
        ...(cost !== null ? { unit_cost: { amount: cost, currency: this.currency } } : {}),
        ...(reference ? { reference } : {}),
      });
      const name = this.product!.name;
      emit(this, "sg-notify", {
        kind: "info",
        message: msg(str`Received ${quantityText} of ${name}.`, { id: "stock.receive.done" }),
      });
      this.dispatchEvent(new CustomEvent("sg-stock-received", { bubbles: true, composed: true }));
      form.reset();
      this.product = null;
    } catch (err) {
      this.showProblem(err);
    } finally {
      this.busy = false;
    }
  }

  private showProblem(err: unknown) {
    if (!(err instanceof ApiError)) {
      this.problem = err instanceof Error ? err.message : String(err);
      return;
    }
    const errors = new Map<string, string>();
    const rest: string[] = [];
    for (const e of err.problem.errors ?? []) {
      const field = e.field.replace(/^\//, "").split("/")[0] ?? "";
      if (["product", "warehouse", "quantity", "unit_cost", "reference"].includes(field))
        errors.set(field, fieldErrorText(e));
      else rest.push(fieldErrorText(e));
    }
    this.errors = errors;
    this.problem = rest.length ? rest.join(" ") : errors.size ? "" : problemText(err.problem, err.message);
  }

  private err(field: string) {
    const t = this.errors.get(field);
    return t ? html`<span class="err" role="alert" data-error=${field}>${t}</span>` : nothing;
  }

  override render() {
    if (!this.ready)
      return this.problem
        ? html`<p role="alert">${this.problem}</p>`
        : html`<p class="muted">${msg("Loading…", { id: "common.loading" })}</p>`;
    return html`
      <h1>${msg("Receive stock", { id: "stock.nav.receive" })}</h1>
      ${this.problem ? html`<p role="alert" class="err" data-problem>${this.problem}</p>` : nothing}
      <form @submit=${this.submit} novalidate>
        <div>
          <label id="product-label">${msg("Product", { id: "stock.product" })}</label>
          <sg-product-search .api=${this.api} .pick=${(p: ProductHit) => {
            this.product = p;
            this.errors = new Map([...this.errors].filter(([k]) => k !== "product"));
          }} ?disabled=${this.busy}></sg-product-search>
          ${this.product ? html`<div class="picked" data-picked-product=${this.product.sku}>${this.product.sku} ${this.product.name}</div>` : nothing}
          ${this.err("product")}
        </div>
        <label>${msg("Warehouse", { id: "stock.warehouse" })}
          <select name="warehouse" data-receive-warehouse>
            <option value="">${msg("Choose…", { id: "stock.receive.choose" })}</option>
            ${this.warehouses.map((w) => html`<option value=${w.id}>${w.name}</option>`)}
          </select>
          ${this.err("warehouse")}
        </label>
        <label>${msg("Quantity", { id: "stock.receive.quantity" })}
          <input name="quantity" inputmode="decimal" autocomplete="off" />
          ${this.err("quantity")}
        </label>
        ${
          this.costField
            ? html`<label>${msg(str`Unit cost (${this.currency})`, { id: "stock.receive.unitCost" })}
                <input name="unit_cost" inputmode="decimal" autocomplete="off" />
                ${this.err("unit_cost")}
              </label>`
            : nothing
        }
        <label>${msg("Reference (e.g. purchase order)", { id: "stock.receive.reference" })}
          <input name="reference" maxlength="200" autocomplete="off" />
          ${this.err("reference")}
        </label>
        <div><button class="primary" type="submit" data-receive ?disabled=${this.busy}>${msg("Receive", { id: "stock.receive.submit" })}</button></div>
      </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-receive-form": SgReceiveForm;
  }
}
