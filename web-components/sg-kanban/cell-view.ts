/**
 * One cell of the board (column x swimlane) and its cards: a card's title, the view's fields as people
 * read them, the refusal note after a snapped-back move, and the menu button (the pointer's path to
 * the keyboard's move menu); a cell's empty, loading, failed and "load more" rows. The element passes
 * what they need; the controllers keep the state.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { ApiRecord } from "../api/client";
import type { PointerDragController } from "../controllers/pointer-drag";
import { repeat } from "lit/directives/repeat.js";
import type { PagedListsController } from "../controllers/paged-lists";
import { formatNumber, labelOf, msg, str } from "../i18n/index";
import { moreIcon } from "../icons";
import type { BoardField, Key } from "./board-model";
import type { KeyboardMoveController } from "./keyboard-move";
import type { BoardLabels } from "./labels";
import type { Cell, CardMovesController, CellMeta } from "./moves";
import type { BoardTotalsController } from "./totals";

/** What a card shows and what it may ask of the board. */
export interface CardView {
  keys: KeyboardMoveController;
  dragging: PointerDragController;
  moves: CardMovesController;
  labels: BoardLabels;
  canMove: boolean;
  cardFields: BoardField[];
  columns: Key[];
  /** The swimlane field, or null. */
  lane: BoardField | null;
  pages: PagedListsController<CellMeta>;
  totals: BoardTotalsController;
  open(rec: ApiRecord): void;
  pointerDown(e: PointerEvent, rec: ApiRecord, cell: Cell): void;
  move(id: number, column: Key, lane: Key | undefined): void;
}

const NONE = "\u0000none";
/** A key as a data attribute: "no value" gets a name no choice or user id can have. */
export const attrKey = (k: Key | undefined): string => (k === null ? NONE : (k ?? ""));

/** A cell's cards, as a list; it loads its next page as it scrolls (or by its button). */
export function renderCell(v: CardView, cell: Cell, firstCard: number | undefined): TemplateResult {
  const target = v.dragging.isOver(cell.key) || v.keys.isTarget(cell.key);
  const label = v.lane
    ? `${v.labels.column(cell.column)}, ${v.labels.lane(cell.lane ?? null)}`
    : v.labels.column(cell.column);
  const total = (v.lane ? v.totals.cell(cell.column, cell.lane) : v.totals.column(cell.column))?.count ?? 0;
  return html`
    <div class="cell ${target ? "target" : ""}" role="list" aria-label=${label} aria-describedby="kanban-help"
      data-cell-key=${cell.key} data-col=${attrKey(cell.column)} data-lane=${attrKey(cell.lane)} @scroll=${(e: Event) => v.pages.onScroll(e, cell)}>
      ${repeat(
        cell.records,
        (r) => r.id,
        (r) => renderCard(v, r, cell, r.id === firstCard),
      )}
      ${cell.failed ? html`<div class="empty" role="listitem"><span role="alert">${cell.failed}</span></div>` : nothing}
      ${!cell.records.length && cell.done && !cell.failed ? html`<div class="empty" role="listitem">${msg("No cards", { id: "kanban.empty" })}</div>` : nothing}
      ${cell.loading ? html`<div class="empty" role="listitem">${msg("Loading…", { id: "common.loading" })}</div>` : nothing}
      ${
        !cell.done && !cell.loading && cell.records.length
          ? html`<div role="listitem" class="more-row"><button type="button" class="more" @click=${() => void v.pages.loadMore(cell)}>${msg(str`Load more (${formatNumber(Math.max(0, total - cell.records.length))} left)`, { id: "kanban.loadMore" })}</button></div>`
          : nothing
      }
    </div>
  `;
}

export function renderCard(v: CardView, rec: ApiRecord, cell: Cell, tabbable: boolean): TemplateResult {
  const grabbed = v.keys.grab?.id === rec.id;
  const dragging = v.dragging.isDragging(rec.id);
  const refused = v.moves.refused?.id === rec.id ? v.moves.refused.message : "";
  const pending = v.moves.pending.has(rec.id);
  return html`
    <div class="card ${v.canMove ? "" : "readonly"} ${dragging ? "dragging" : ""} ${grabbed ? "grabbed" : ""} ${pending ? "pending" : ""} ${refused ? "refused" : ""}"
      role="listitem" tabindex=${tabbable ? "0" : "-1"} aria-current=${v.keys.focusedId === rec.id ? "true" : "false"}
      aria-roledescription=${msg("card", { id: "kanban.card" })} aria-describedby="kanban-help"
      data-card-id=${rec.id} data-kanban-card
      @focus=${() => v.keys.focused(rec.id)}
      @keydown=${(e: KeyboardEvent) => v.keys.onKey(e, rec, cell)}
      @dblclick=${() => v.open(rec)}
      @pointerdown=${(e: PointerEvent) => v.pointerDown(e, rec, cell)}>
      <div class="title" data-value>${v.labels.title(rec)}</div>
      <dl>
        ${v.cardFields.map((f) => {
          const value = rec.fields[f.name];
          if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length))
            return nothing;
          return html`<dt>${labelOf(f)}</dt><dd data-value data-field=${f.name}>${v.labels.value(f, value)}</dd>`;
        })}
      </dl>
      ${refused ? html`<div class="note" data-kanban-refused>${refused}</div>` : nothing}
      ${
        v.canMove
          ? html`<button type="button" class="menu-button" tabindex="-1" aria-haspopup="menu" aria-label=${msg("Move card", { id: "kanban.moveMenu" })}
            @click=${() => (v.keys.menuFor === rec.id ? v.keys.closeMenu() : v.keys.openMenu(rec.id))}>${moreIcon}</button>`
          : nothing
      }
      ${v.keys.menuFor === rec.id ? renderMenu(v, rec, cell) : nothing}
    </div>
  `;
}

function renderMenu(v: CardView, rec: ApiRecord, cell: Cell): TemplateResult {
  const targets = v.columns.filter((c) => c !== cell.column);
  const onFocusOut = (e: FocusEvent) => {
    if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) v.keys.closeMenu(false);
  };
  return html`
    <div class="menu" role="menu" aria-label=${msg("Move to", { id: "kanban.moveTo" })} @keydown=${v.keys.onMenuKey} @focusout=${onFocusOut}>
      <span class="label">${msg("Move to", { id: "kanban.moveTo" })}</span>
      ${targets.map(
        (c) =>
          html`<button type="button" role="menuitem" data-move-to=${attrKey(c)} @click=${() => {
            v.keys.closeMenu();
            v.move(rec.id, c, cell.lane);
          }}>${v.labels.column(c)}</button>`,
      )}
    </div>
  `;
}
