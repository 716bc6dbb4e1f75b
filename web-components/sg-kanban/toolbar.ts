/**
 * The board's toolbar: its title and summary (cards, sums, read-only), search, the swimlane field,
 * the filter builder and refresh. The element keeps the state; this draws it and reports the user's choices.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { FieldInfo } from "../api/client";
import type { Filter } from "../../schemas/types";
import { labelOf, msg } from "../i18n/index";
import "../sg-filter/filter-builder";
import type { BoardField } from "./board-model";

export interface ToolbarView {
  title: string;
  /** The board's totals line. */
  summary: TemplateResult | typeof nothing;
  q: string;
  lane: BoardField | null;
  laneFields: BoardField[];
  fields: FieldInfo[];
  showFilters: boolean;
  filter: Filter | null;
  onSearch(e: Event): void;
  onLaneChange(e: Event): void;
  toggleFilters(): void;
  /** The filter builder's value while it is being edited (valid values only). */
  draft(value: Filter | null): void;
  /** Apply the draft (true) or clear the filter (false). */
  apply(draft: boolean): void;
  refresh(): void;
}

export function renderToolbar(v: ToolbarView): TemplateResult {
  return html`
    <div class="toolbar">
      <h2 data-value>${v.title}</h2>
      <span class="summary" data-kanban-summary>${v.summary}</span>
      <input type="search" .value=${v.q} @input=${v.onSearch} placeholder=${msg("Search", { id: "kanban.search" })} aria-label=${msg("Search", { id: "kanban.search" })} />
      <label>
        ${msg("Swimlanes", { id: "kanban.swimlanes" })}
        <select @change=${v.onLaneChange} data-kanban-lanes>
          <option value="" ?selected=${!v.lane}>${msg("None", { id: "kanban.noLanes" })}</option>
          ${v.laneFields.map((f) => html`<option value=${f.name} ?selected=${v.lane?.name === f.name}>${labelOf(f)}</option>`)}
        </select>
      </label>
      <button type="button" aria-expanded=${v.showFilters ? "true" : "false"} @click=${() => v.toggleFilters()}>
        ${msg("Filter", { id: "kanban.filter" })}${v.filter ? " •" : ""}
      </button>
      <button type="button" @click=${() => v.refresh()}>${msg("Refresh", { id: "kanban.refresh" })}</button>
    </div>
    ${
      v.showFilters
        ? html`<div class="filters">
          <sg-filter-builder .fields=${v.fields} .value=${v.filter} @sg-filter-change=${(e: HTMLElementEventMap["sg-filter-change"]) => e.detail.valid && v.draft(e.detail.value)}></sg-filter-builder>
          <div class="actions">
            <button type="button" @click=${() => v.apply(true)}>${msg("Apply", { id: "kanban.apply" })}</button>
            <button type="button" @click=${() => v.apply(false)}>${msg("Clear", { id: "kanban.clear" })}</button>
          </div>
        </div>`
        : nothing
    }
  `;
}
