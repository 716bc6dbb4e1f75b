/**
 * What the app shows for its route (route.ts): a table or view with its toolbar and view tabs (the grid
 * or the board), the profile page, the settings, an empty or not-found state, and the record drawer.
 */
import { html, nothing, type TemplateResult } from "lit";
import { keyed } from "lit/directives/keyed.js";
import type { ApiClient, TableInfo, User, ViewInfo } from "../api/client";
import { formatNumber, labelOf, msg, str } from "../i18n/index";
import "../sg-record/sg-record";
import "./sg-profile";
import { closeIcon } from "../icons";
import { emit } from "../events";
import { newQuoteFromDeal } from "../sg-quote/new-quote";
import { routeTable, routeView, type Route } from "./route";

/** What the screens read of the app, and the app's moves they call. */
export interface ScreenState {
  api?: ApiClient;
  baseUrl: string;
  user: User | null;
  tables: TableInfo[];
  views: ViewInfo[];
  route: Route;
  /** The shown table's (or view's) record count; null until the server answered. */
  recordCount: number | null;
  go: (route: Route, replace?: boolean) => void;
  closeRecord: () => void;
  profileSaved: (e: HTMLElementEventMap["sg-profile-saved"]) => void;
}

function tableArea(s: ScreenState, table: TableInfo): TemplateResult {
  const view = routeView(s.route, s.views);
  const views = s.views.filter((x) => x.tableId === table.id);
  const select = (r: Route) => () => s.go(r);
  const tabKeys = (e: KeyboardEvent) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const tabs = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]')];
    const i = tabs.indexOf(e.target as HTMLElement);
    const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next?.focus();
    next?.click();
  };
  const gridLike = !view || view.type === "grid";
  return html`
    <div class="toolbar">
      <h1 id="main-title">${labelOf(table)}${view ? html` · ${labelOf(view)}` : nothing}</h1>
      <span class="muted" data-record-count=${s.recordCount ?? ""}>${s.recordCount === null ? "" : msg(str`${formatNumber(s.recordCount)} records`, { id: "app.recordCount" })}</span>
      <span style="flex:1"></span>
      ${
        table.access?.create !== false
          ? html`<button class="primary" data-action="new-record" @click=${() => s.go(view ? { kind: "view", view: view.id, record: "new" } : { kind: "table", table: table.name, record: "new" })}>${msg("New record", { id: "app.newRecord" })}</button>`
          : nothing
      }
    </div>
    <div role="tablist" aria-label=${msg("Views", { id: "app.views" })} @keydown=${tabKeys}>
      <button role="tab" aria-selected=${view ? "false" : "true"} tabindex=${view ? -1 : 0} @click=${select({ kind: "table", table: table.name })}>${msg("All records", { id: "app.allRecords" })}</button>
      ${views.map((v) => html`<button role="tab" data-view=${v.name} aria-selected=${v === view ? "true" : "false"} tabindex=${v === view ? 0 : -1} @click=${select({ kind: "view", view: v.id })}>${labelOf(v)}</button>`)}
    </div>
    <div role="tabpanel" aria-labelledby="main-title">
      ${
        gridLike
          ? keyed(
              // A new time zone draws the grid's cells anew.
              `${table.name}/${view?.id ?? ""}/${s.user?.timeZone ?? ""}`,
              html`<sg-grid .api=${s.api} table=${table.name} view=${view?.id ?? ""} base-url=${s.baseUrl}></sg-grid>`,
            )
          : view!.type === "kanban"
            ? keyed(
                `${view!.id}/${s.user?.timeZone ?? ""}`,
                html`<sg-kanban .api=${s.api} view=${view!.id} base-url=${s.baseUrl}></sg-kanban>`,
              )
            : view!.type === "calendar"
              ? keyed(
                  `${view!.id}/${s.user?.timeZone ?? ""}`,
                  html`<sg-calendar .api=${s.api} view=${view!.id} base-url=${s.baseUrl} time-zone=${s.user?.timeZone ?? ""}></sg-calendar>`,
                )
              : html`<div class="placeholder muted">${msg(str`The ${view!.type} view opens here in a later version; the grid shows the same records.`, { id: "app.viewTypeLater" })}</div>`
      }
    </div>`;
}

/** The screen the route names: a table or view, the profile, the settings, or why there is none. */
export function mainScreen(s: ScreenState): TemplateResult {
  if (s.route.kind === "doc")
    return html`${shipLink(s, s.route)}${keyed(`${s.route.doc}/${s.route.id}`, html`<sg-quote .api=${s.api} kind=${s.route.doc} record-id=${s.route.id}></sg-quote>`)}`;
  if (s.route.kind === "stock") return html`<sg-stock-grid .api=${s.api}></sg-stock-grid>`;
  if (s.route.kind === "ship")
    return html`${keyed(`ship/${s.route.order}`, html`<sg-ship-form .api=${s.api} order-id=${s.route.order}></sg-ship-form>`)}`;
  if (s.route.kind === "receive") return html`<sg-receive-form .api=${s.api}></sg-receive-form>`;
  if (s.route.kind === "profile")
    return html`<sg-profile .api=${s.api} .user=${s.user} @sg-profile-saved=${s.profileSaved}></sg-profile>`;
  if (s.route.kind === "admin") {
    // The server refuses a non-admin's admin calls anyway; this keeps them from an empty, broken console.
    if (!s.user?.roles?.includes("admin"))
      return html`<div class="state" role="alert" data-state="no-access"><h1>${msg("No access", { id: "app.noAccess" })}</h1><p>${msg("The settings are for administrators only.", { id: "app.noAccessDetail" })}</p></div>`;
    if (!customElements.get("sg-admin"))
      return html`<p class="state muted">${msg("Loading…", { id: "common.loading" })}</p>`;
    return html`<sg-admin .api=${s.api} section=${s.route.section ?? "tables"} @sg-admin-section=${(e: HTMLElementEventMap["sg-admin-section"]) => s.go({ kind: "admin", section: e.detail.section }, true)}></sg-admin>`;
  }
  const table = routeTable(s.route, s.tables, s.views);
  if (!table) {
    if (s.tables.length === 0)
      return html`<div class="state muted">${msg("Nothing to show yet: ask an administrator to share a table with you.", { id: "app.emptyWorkspace" })}</div>`;
    return html`<div class="state" role="alert"><h1>${msg("Not found", { id: "app.notFound" })}</h1><p>${msg("This table or view does not exist or is not shared with you.", { id: "app.notFoundDetail" })}</p></div>`;
  }
  return tableArea(s, table);
}

/** The record drawer, when the route names a record. */
export function recordDrawer(s: ScreenState) {
  const r = s.route;
  const table = routeTable(r, s.tables, s.views);
  if (!("record" in r) || r.record === undefined || !table) return nothing;
  return html`<aside class="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" tabindex="-1" data-drawer>
    <span id="drawer-title" class="visually-hidden">${r.record === "new" ? msg("New record", { id: "record.new" }) : msg("Record", { id: "app.record" })}</span>
    <button class="close" aria-label=${msg("Close", { id: "common.close" })} @click=${s.closeRecord}>${closeIcon}</button>
    ${typeof r.record === "number" && table.name === "deals" ? newQuoteButton(s, r.record) : nothing}
    <sg-record .api=${s.api} .table=${table} record-id=${String(r.record)} .user=${s.user} time-zone=${s.user?.timeZone ?? ""}
      @sg-cancel=${s.closeRecord}
      @sg-record-saved=${(e: HTMLElementEventMap["sg-record-saved"]) => {
        // The open views hear of the save through sg-records-changed (onRecordsChanged).
        // A new quote or order opens as its document, where its lines are added.
        if (e.detail.created && (table.name === "quotes" || table.name === "orders"))
          s.go({ kind: "doc", doc: table.name === "quotes" ? "quote" : "order", id: e.detail.record.id });
        else if (e.detail.created)
          s.go(
            r.kind === "view"
              ? { kind: "view", view: r.view, record: e.detail.record.id }
              : { kind: "table", table: table.name, record: e.detail.record.id },
            true,
          );
      }}></sg-record>
  </aside>`;
}

/** The deal drawer's "New quote": a quote for the deal's customer, opened as its document. */
function newQuoteButton(s: ScreenState, dealId: number): TemplateResult | typeof nothing {
  const quotes = s.tables.find((t) => t.name === "quotes");
  if (!quotes || quotes.access?.create === false) return nothing;
  const make = async (e: Event) => {
    const button = e.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      s.go({ kind: "doc", doc: "quote", id: await newQuoteFromDeal(s.api!, dealId) });
    } catch (err) {
      emit(button, "sg-notify", { kind: "error", message: err instanceof Error ? err.message : String(err) });
      button.disabled = false;
    }
  };
  return html`<div class="drawer-tools"><button class="primary" data-new-quote @click=${make}>${msg("New quote", { id: "app.newQuote" })}</button></div>`;
}

/** On an order, for whoever may make shipments (the warehouse role): the way to its ship form. */
function shipLink(s: ScreenState, r: Route & { kind: "doc" }): TemplateResult | typeof nothing {
  if (r.doc !== "order" || s.tables.find((t) => t.name === "shipments")?.access?.create !== true) return nothing;
  return html`<div class="drawer-tools" style="padding:12px 16px 0"><a href="#/ship/${r.id}" data-ship-order>${msg("Ship…", { id: "stock.ship.button" })}</a></div>`;
}
