/**
 * `<sg-purchase-history>`: a customer's purchase history in their record drawer, from the sales
 * plugin's `purchase-history` action (read on the server as the signed-in user, so it holds only what
 * they may see): totals per year and currency, the last order, open quotes and the orders newest first,
 * a page at a time. Documents by number, statuses by their labels; amounts exact from minor units.
 * Shows nothing where the sales plugin is absent or the user may not read orders.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord, type TableInfo } from "../api/client";
import { currentLocale, formatDate, formatMoney, labelOf, localized, msg, str } from "../i18n/index";

interface YearTotal {
  year: string;
  currency: string;
  count: number;
  amount: number | string;
}

interface History {
  orders: ApiRecord[];
  nextCursor: string | null;
  amountsHidden: boolean;
  totalsByYear?: YearTotal[] | null;
  lastOrder?: ApiRecord | null;
  openQuotes?: ApiRecord[] | null;
}

type Money = { amount: number | string; currency: string };

/** Minor units (a number, or a digit string past 2^53) as money in the UI's language, exactly. */
function money(v: Money | null | undefined): string {
  if (!v) return "";
  if (typeof v.amount === "number") return formatMoney(v.amount, v.currency);
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: v.currency }).resolvedOptions()
    .maximumFractionDigits!;
  const s = v.amount.padStart(digits + 1, "0");
  const text = digits ? `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}` : s;
  return new Intl.NumberFormat(currentLocale(), { style: "currency", currency: v.currency }).format(
    text as Intl.StringNumericLiteral,
  );
}

@localized()
@customElement("sg-purchase-history")
export class SgPurchaseHistory extends LitElement {
  static override styles = css`
    :host {
      display: block;
      margin-top: 16px;
    }
    h3 {
      font-size: 15px;
      margin: 0 0 8px;
    }
    h4 {
      font-size: 13px;
      margin: 12px 0 4px;
      color: #495057;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-size: 13px;
    }
    th,
    td {
      text-align: left;
      padding: 3px 6px;
      border-bottom: 1px solid #e9ecef;
      word-break: keep-all;
    }
    td.num,
    th.num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .muted {
      color: #5c636a;
      font-size: 13px;
    }
    button {
      margin-top: 6px;
      font: inherit;
      font-size: 13px;
      padding: 4px 10px;
    }
    button:focus-visible {
      outline: 2px solid #1971c2;
      outline-offset: 2px;
    }
  `;

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: "customer-id" }) customerId: string | number | null = null;

  @state() private history: History | null = null;
  @state() private status: "loading" | "ready" | "hidden" | "error" = "loading";
  @state() private more = false;
  private tables: { orders?: TableInfo; quotes?: TableInfo } = {};
  private loaded = "";

  override willUpdate(changed: Map<string, unknown>) {
    const key = `${this.customerId}`;
    if (
      (changed.has("customerId") || changed.has("api")) &&
      this.api &&
      this.customerId !== null &&
      key !== this.loaded
    ) {
      this.loaded = key;
      void this.load();
    }
  }

  private call(cursor?: string) {
    return this.api!.request<History>("POST", "/api/actions/sales/purchase-history", {
      customer: Number(this.customerId),
      ...(cursor ? { cursor } : {}),
    });
  }

  private async load() {
    this.status = "loading";
    try {
      const [history, orders, quotes] = await Promise.all([
        this.call(),
        this.api!.request<{ table: TableInfo }>("GET", "/api/meta/tables/orders").catch(() => null),
        this.api!.request<{ table: TableInfo }>("GET", "/api/meta/tables/quotes").catch(() => null),
      ]);
      this.tables = { orders: orders?.table, quotes: quotes?.table };
      this.history = history;
      this.status = "ready";
    } catch (err) {
      // No sales plugin, no right to read orders, or a customer they may not read: nothing to show.
      this.status = err instanceof ApiError && [403, 404, 409].includes(err.status) ? "hidden" : "error";
    }
  }

  private async loadMore() {
    const h = this.history;
    if (!h?.nextCursor || this.more) return;
    this.more = true;
    try {
      const next = await this.call(h.nextCursor);
      this.history = { ...h, orders: [...h.orders, ...next.orders], nextCursor: next.nextCursor };
    } catch {
      this.status = "error";
    } finally {
      this.more = false;
    }
  }

  /** A status by its label in the table's choices (the plugin's or an admin's wording). */
  private statusLabel(table: TableInfo | undefined, value: unknown): string {
    const field = table?.fields.find((f) => f.name === "status");
    const choices = (
      field?.options as { choices?: { name: string; label?: string; labels?: Record<string, string> }[] }
    )?.choices;
    const choice = choices?.find((c) => c.name === value);
    return choice ? labelOf(choice) : String(value ?? "");
  }

  private renderOrders(h: History) {
    const showTotal = !h.amountsHidden;
    return html`<h4>${msg("Orders", { id: "purchases.orders" })}</h4>
      ${
        h.orders.length === 0
          ? html`<p class="muted">${msg("No orders yet.", { id: "purchases.noOrders" })}</p>`
          : html`<table data-list="orders">
            <thead>
              <tr>
                <th>${msg("Number", { id: "purchases.number" })}</th>
                <th>${msg("Date", { id: "purchases.date" })}</th>
                <th>${msg("Status", { id: "purchases.status" })}</th>
                ${showTotal ? html`<th class="num">${msg("Total", { id: "purchases.total" })}</th>` : nothing}
              </tr>
            </thead>
            <tbody>
              ${h.orders.map(
                (o) => html`<tr data-order=${o.id}>
                  <td>${String(o.fields.number ?? "")}</td>
                  <td>${formatDate(o.fields.order_date as string | null)}</td>
                  <td>${this.statusLabel(this.tables.orders, o.fields.status)}</td>
                  ${showTotal ? html`<td class="num">${money(o.fields.total as Money | null)}</td>` : nothing}
                </tr>`,
              )}
            </tbody>
          </table>`
      }
      ${
        h.nextCursor
          ? html`<button type="button" ?disabled=${this.more} @click=${() => void this.loadMore()}>
            ${this.more ? msg("Loading…", { id: "common.loading" }) : msg("More orders", { id: "purchases.more" })}
          </button>`
          : nothing
      }`;
  }

  override render() {
    if (this.status === "hidden") return nothing;
    const title = html`<h3 id="purchase-history">${msg("Purchase history", { id: "purchases.title" })}</h3>`;
    if (this.status === "loading")
      return html`<section aria-labelledby="purchase-history">${title}<p class="muted" role="status">${msg("Loading…", { id: "common.loading" })}</p></section>`;
    if (this.status === "error" || !this.history)
      return html`<section aria-labelledby="purchase-history">${title}<p class="muted" role="alert">${msg("The purchase history could not be loaded.", { id: "purchases.error" })}</p></section>`;
    const h = this.history;
    const last = h.lastOrder;
    return html`<section aria-labelledby="purchase-history">
      ${title}
      ${
        h.amountsHidden
          ? html`<p class="muted" data-amounts-hidden>${msg("Amounts are not shown to you.", { id: "purchases.amountsHidden" })}</p>`
          : h.totalsByYear?.length
            ? html`<table data-list="years">
              <thead>
                <tr>
                  <th>${msg("Year", { id: "purchases.year" })}</th>
                  <th class="num">${msg("Orders", { id: "purchases.orders" })}</th>
                  <th class="num">${msg("Total", { id: "purchases.total" })}</th>
                </tr>
              </thead>
              <tbody>
                ${h.totalsByYear.map(
                  (t) => html`<tr data-year=${t.year} data-currency=${t.currency}>
                    <td>${t.year}</td>
                    <td class="num">${t.count}</td>
                    <td class="num">${money(t)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
            : nothing
      }
      ${
        last
          ? html`<p data-last-order>
            ${msg(str`Last order: ${String(last.fields.number ?? "")} on ${formatDate(last.fields.order_date as string | null)}`, { id: "purchases.last" })}
          </p>`
          : nothing
      }
      ${
        h.openQuotes
          ? html`<h4>${msg("Open quotes", { id: "purchases.openQuotes" })}</h4>
            ${
              h.openQuotes.length === 0
                ? html`<p class="muted">${msg("No open quotes.", { id: "purchases.noQuotes" })}</p>`
                : html`<ul data-list="quotes">
                  ${h.openQuotes.map(
                    (q) => html`<li data-quote=${q.id}>
                      ${String(q.fields.number ?? "")} · ${this.statusLabel(this.tables.quotes, q.fields.status)}
                      ${q.fields.total ? html` · ${money(q.fields.total as Money)}` : nothing}
                    </li>`,
                  )}
                </ul>`
            }`
          : nothing
      }
      ${this.renderOrders(h)}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-purchase-history": SgPurchaseHistory;
  }
}
