/**
 * Moving cards from the keyboard (WAI-ARIA listbox style): arrows move the focus between cards and
 * columns; Space picks a card up, arrows choose the column (and swimlane), Space drops it and Escape
 * cancels; Ctrl (or Cmd) and an arrow moves at once; M or the context-menu key opens the move menu
 * (up and down through it, Escape back to the card); Enter opens the record. Owns the picked-up card,
 * the focused card and the open menu, and puts the focus back on a card after the render that moved it.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiRecord } from "../api/client";
import { msg, str } from "../i18n/index";
import { cellKey, neighbour, type Key } from "./board-model";

export interface Grab {
  id: number;
  cell: string;
  column: Key;
  lane: Key | undefined;
}

/** A card's place: its cell's key, column and lane. */
export interface CardPlace {
  key: string;
  column: Key;
  lane: Key | undefined;
}

/** What the controller asks of the board. */
export interface KeyboardBoard {
  root(): HTMLElement | DocumentFragment;
  columns(): Key[];
  lanes(): (Key | undefined)[];
  hasLanes(): boolean;
  canMove(): boolean;
  cards(cell: string): ApiRecord[];
  move(id: number, column: Key, lane: Key | undefined): void;
  open(rec: ApiRecord): void;
  /** The card is near the end of its loaded cards: load the next page. */
  nearEnd(cell: string): void;
  announce(text: string): void;
  titleOf(rec: ApiRecord): string;
  columnLabel(k: Key): string;
  laneLabel(k: Key): string;
}

export class KeyboardMoveController implements ReactiveController {
  grab: Grab | null = null;
  focusedId: number | null = null;
  /** The card whose move menu is open. */
  menuFor: number | null = null;
  private focusAfterRender: number | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly board: KeyboardBoard,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostUpdated(): void {
    if (this.focusAfterRender === null) return;
    const card = this.board.root().querySelector<HTMLElement>(`[data-card-id="${this.focusAfterRender}"]`);
    this.focusAfterRender = null;
    card?.focus();
  }

  /** Focuses a card after the next render. */
  focus(id: number | undefined): void {
    if (id === undefined) return;
    this.focusedId = id;
    this.focusAfterRender = id;
    this.host.requestUpdate();
  }

  /** After a card moved: the focus follows it when it had the focus. */
  follow(id: number): void {
    this.focusAfterRender = this.focusedId === id ? id : null;
  }

  focused(id: number): void {
    if (this.focusedId === id) return;
    this.focusedId = id;
    this.host.requestUpdate();
  }

  /** True when the picked-up card would drop into this cell. */
  isTarget(cell: string): boolean {
    const g = this.grab;
    return !!g && cellKey(g.column, this.board.hasLanes() ? g.lane : undefined) === cell && g.cell !== cell;
  }

  reset(): void {
    this.grab = null;
  }

  /** Opens a card's move menu with the focus on its first item. */
  openMenu(id: number): void {
    this.menuFor = id;
    this.focused(id);
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.board.root().querySelector<HTMLElement>(".menu button")?.focus());
  }

  closeMenu(refocus = true): void {
    const id = this.menuFor;
    if (id === null) return;
    this.menuFor = null;
    this.host.requestUpdate();
    if (refocus) this.focus(id);
  }

  /** Up and down move through the menu's items; Escape closes it and gives the focus back to the card. */
  readonly onMenuKey = (e: KeyboardEvent): void => {
    const items = [...this.board.root().querySelectorAll<HTMLElement>(".menu button")];
    const i = items.indexOf(e.target as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.closeMenu();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      e.stopPropagation();
      items[(i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length]?.focus();
    }
  };

  onKey(e: KeyboardEvent, rec: ApiRecord, cell: CardPlace): void {
    if ((e.target as HTMLElement).closest(".menu")) return;
    const b = this.board;
    const g = this.grab;
    if (g && g.id === rec.id) {
      e.preventDefault();
      this.whileGrabbed(e, g, rec, cell);
      this.host.requestUpdate();
      return;
    }
    const list = b.cards(cell.key);
    const i = list.findIndex((r) => r.id === rec.id);
    const side = (step: -1 | 1) => {
      const col = neighbour(b.columns(), cell.column, step);
      if (col === undefined) return;
      if (e.ctrlKey || e.metaKey) {
        b.move(rec.id, col, cell.lane);
        return;
      }
      const other = b.cards(cellKey(col, cell.lane));
      this.focus(other[Math.min(i, other.length - 1)]?.id);
    };
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        this.focus(list[i + 1]?.id);
        if (i + 1 >= list.length - 3) b.nearEnd(cell.key);
        break;
      case "ArrowUp":
        e.preventDefault();
        this.focus(list[i - 1]?.id);
        break;
      case "Home":
        e.preventDefault();
        this.focus(list[0]?.id);
        break;
      case "End":
        e.preventDefault();
        this.focus(list[list.length - 1]?.id);
        break;
      case "ArrowLeft":
        e.preventDefault();
        side(-1);
        break;
      case "ArrowRight":
        e.preventDefault();
        side(1);
        break;
      case " ":
        e.preventDefault();
        if (!b.canMove()) break;
        this.grab = { id: rec.id, cell: cell.key, column: cell.column, lane: cell.lane };
        b.announce(
          msg(str`Picked up ${b.titleOf(rec)}. Left and right arrows choose the column, Space drops, Escape cancels.`, {
            id: "kanban.pickedUp",
          }),
        );
        this.host.requestUpdate();
        break;
      case "Enter":
        e.preventDefault();
        b.open(rec);
        break;
      case "m":
      case "M":
      case "ContextMenu":
        if (!b.canMove()) break;
        e.preventDefault();
        this.openMenu(rec.id);
        break;
    }
  }

  private whileGrabbed(e: KeyboardEvent, g: Grab, rec: ApiRecord, cell: CardPlace): void {
    const b = this.board;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const next = neighbour(b.columns(), g.column, e.key === "ArrowLeft" ? -1 : 1);
      if (next !== undefined) {
        this.grab = { ...g, column: next };
        b.announce(msg(str`Over ${b.columnLabel(next)}`, { id: "kanban.over" }));
      }
    } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && b.hasLanes()) {
      const i = b.lanes().indexOf(g.lane) + (e.key === "ArrowUp" ? -1 : 1);
      if (i >= 0 && i < b.lanes().length) {
        this.grab = { ...g, lane: b.lanes()[i] };
        b.announce(
          msg(str`Over ${b.columnLabel(g.column)}, ${b.laneLabel(b.lanes()[i] ?? null)}`, { id: "kanban.overLane" }),
        );
      }
    } else if (e.key === " " || e.key === "Enter") {
      this.grab = null;
      if (g.column === cell.column && g.lane === cell.lane)
        b.announce(msg("Move cancelled", { id: "kanban.cancelled" }));
      else b.move(rec.id, g.column, g.lane);
    } else if (e.key === "Escape") {
      this.grab = null;
      b.announce(msg("Move cancelled", { id: "kanban.cancelled" }));
    }
  }
}
