/**
 * The grid's toolbar: search, the filter toggle, add and delete rows (where the caller may), the
 * toasts (sg-toast) and the row count. A template function: the element keeps the state, this only draws it.
 */
import { html, nothing, type TemplateResult } from "lit";
import { formatNumber, msg, str } from "../i18n/index";

export interface ToolbarState {
  filtered: boolean;
  canCreate: boolean;
  canDelete: boolean;
  selected: number;
  loading: boolean;
  total: number | null;
}

export interface ToolbarActions {
  search(e: Event): void;
  toggleFilter(): void;
  addRow(): void;
  deleteRows(): void;
}

export function toolbar(s: ToolbarState, a: ToolbarActions): TemplateResult {
  return html`
    <div class="bar">
      <input type="search" name="q" placeholder=${msg("Search", { id: "grid.search" })} aria-label=${msg("Search", { id: "grid.search" })} @input=${a.search} />
      <button type="button" data-action="filter" @click=${a.toggleFilter}>${msg("Filter", { id: "grid.filter" })}${s.filtered ? " •" : ""}</button>
      ${s.canCreate ? html`<button type="button" data-action="add-row" @click=${a.addRow}>${msg("Add row", { id: "grid.addRow" })}</button>` : nothing}
      ${s.canDelete ? html`<button type="button" data-action="delete-rows" ?disabled=${!s.selected} @click=${a.deleteRows}>${msg("Delete rows", { id: "grid.deleteRows" })}</button>` : nothing}
      <sg-toast></sg-toast>
      <span class="count" data-row-count=${s.total ?? ""}>${s.loading ? msg("Loading…", { id: "grid.loading" }) : msg(str`${formatNumber(s.total ?? 0)} rows`, { id: "grid.rows" })}</span>
    </div>
  `;
}
