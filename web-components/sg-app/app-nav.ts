/** The sidebar: the tables and views the user may open (the server lists only those), and Settings for admins. */
import { html, nothing } from "lit";
import type { TableInfo, User, ViewInfo } from "../api/client";
import { labelOf, msg } from "../i18n/index";
import { routeHash, routeTable, routeView, type Route } from "./route";

export interface NavState {
  tables: TableInfo[];
  views: ViewInfo[];
  user: User | null;
  route: Route;
}

export function appNav(n: NavState) {
  const t = routeTable(n.route, n.tables, n.views);
  const v = routeView(n.route, n.views);
  return html`<nav data-nav-root aria-label=${msg("Tables and views", { id: "app.navLabel" })}>
    <h2>${msg("Tables", { id: "app.tables" })}</h2>
    ${n.tables.length === 0 ? html`<p class="muted" style="padding:0 10px">${msg("No tables are shared with you yet.", { id: "app.noTables" })}</p>` : nothing}
    <ul>
      ${n.tables.map((table) => {
        const views = n.views.filter((x) => x.tableId === table.id);
        return html`<li>
          <a href=${routeHash({ kind: "table", table: table.name })} data-nav="table:${table.name}" aria-current=${t === table && !v ? "page" : "false"}>${labelOf(table)}</a>
          ${
            views.length
              ? html`<ul>
                ${views.map((view) => html`<li><a href=${routeHash({ kind: "view", view: view.id })} data-nav="view:${view.name}" aria-current=${v === view ? "page" : "false"}>${labelOf(view)}</a></li>`)}
              </ul>`
              : nothing
          }
        </li>`;
      })}
    </ul>
    ${inventoryNav(n)}
    ${
      n.user?.roles?.includes("admin")
        ? html`<h2>${msg("Administration", { id: "app.adminHeading" })}</h2>
          <ul><li><a href="#/admin" data-nav="admin" aria-current=${n.route.kind === "admin" ? "page" : "false"}>${msg("Settings", { id: "app.admin" })}</a></li></ul>`
        : nothing
    }
  </nav>`;
}

/** Inventory: the stock grid for whoever may read levels, the receive form for whoever may move stock. */
function inventoryNav(n: NavState) {
  if (!n.tables.some((t) => t.name === "stock_levels")) return nothing;
  const receive = n.tables.find((t) => t.name === "stock_moves")?.access?.create === true;
  return html`<h2>${msg("Inventory", { id: "stock.nav.heading" })}</h2>
    <ul>
      <li><a href="#/stock" data-nav="stock" aria-current=${n.route.kind === "stock" ? "page" : "false"}>${msg("Stock", { id: "stock.nav.stock" })}</a></li>
      ${receive ? html`<li><a href="#/receive" data-nav="receive" aria-current=${n.route.kind === "receive" ? "page" : "false"}>${msg("Receive stock", { id: "stock.nav.receive" })}</a></li>` : nothing}
    </ul>`;
}
