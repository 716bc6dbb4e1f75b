/**
 * How cards change cells. A move shows at once (the card and the counts; the sums wait for the
 * server), is sent as a versioned update, and a refusal snaps the card back with the server's message
 * (and the server's current row after a 409); fields the move needs are asked for, then it is sent
 * again (move-ask.ts). Records written elsewhere (the drawer, a grid: sg-app
 * routes them) take their saved values and versions in place, move to the column their values name,
 * or leave the board. Counts and sums of the touched columns come from the server again.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiError, type ApiRecord } from "../api/client";
import type { PagedList, PagedListsController } from "../controllers/paged-lists";
import type { RecordsChange } from "../events";
import { msg, str } from "../i18n/index";
import type { BoardSource } from "./board-data";
import { keepExpanded, moveFields, placeOf, problemText, type BoardField, type Key } from "./board-model";
import type { KeyboardMoveController } from "./keyboard-move";
import { neededFields } from "./move-ask";
import type { BoardTotalsController, TotalsQuery } from "./totals";

export type CellMeta = { column: Key; lane: Key | undefined };
export type Cell = PagedList<CellMeta>;

/** What moves need of the board. */
export interface MovesBoard {
  pages: PagedListsController<CellMeta>;
  totals: BoardTotalsController;
  keys: KeyboardMoveController;
  /** The board is loaded and arranged. */
  ready(): boolean;
  source(): BoardSource;
  table(): string;
  group(): BoardField | null;
  lane(): BoardField | null;
  columns(): Key[];
  lanes(): (Key | undefined)[];
  canMove(): boolean;
  /** A view filter, the user's filter or a search narrows the cards. */
  filtered(): boolean;
  totalsQuery(): TotalsQuery;
  ensureCell(column: Key, lane: Key | undefined): Cell;
  resolveNames(records: ApiRecord[]): void;
  titleOf(rec: ApiRecord): string;
  columnLabel(k: Key): string;
  announce(text: string): void;
  /** A move was refused with this message (the banner and a notification). */
  refuse(message: string): void;
  /** Fields the viewer may write (what a move may ask for). */
  writable(): BoardField[];
  /** Asks for fields a move needs (move-ask.ts); null when cancelled. */
  ask(title: string, column: string, fields: BoardField[]): Promise<Record<string, unknown> | null>;
  /** A move was saved (the board tells the app). */
  written(records: ApiRecord[]): void;
}

export class CardMovesController implements ReactiveController {
  /** Cards whose move is on its way. */
  readonly pending = new Set<number>();
  /** The last refused card and why. */
  refused: { id: number; message: string } | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly b: MovesBoard,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /**
   * Records written elsewhere (sg-app routes the drawer's and the grid's saves here): a card takes the
   * saved values and version in place, moves to the column its values name, or leaves when the board
   * has none; a filtered board reads the touched cells again, so a card that no longer matches leaves.
   * Counts and sums of the touched columns come from the server again.
   */
  recordsChanged(change: RecordsChange): void {
    const b = this.b;
    const group = b.group();
    if (!group || !b.ready() || change.table !== b.table()) return;
    const touched = new Set<Key>();
    const reread = new Set<Cell>();
    const filtered = b.filtered();
    for (const id of change.deleted ?? []) {
      const found = b.pages.find(id);
      if (!found) continue;
      found.list.records.splice(found.index, 1);
      touched.add(found.list.column);
    }
    for (const rec of change.records) {
      const found = b.pages.find(rec.id);
      // A move in flight answers for itself; an older reply must not undo a newer card.
      if (found && (this.pending.has(rec.id) || found.rec.version > rec.version)) continue;
      const place = placeOf(rec.fields, group, b.columns(), b.lane(), b.lanes(), found?.list);
      if (found) {
        found.list.records.splice(found.index, 1);
        touched.add(found.list.column);
      }
      if (!place) continue;
      touched.add(place.column);
      if (!found && !change.created) continue; // not loaded here: its page brings it when scrolled to
      const to = b.ensureCell(place.column, place.lane);
      const next: ApiRecord = found ? { ...rec, fields: keepExpanded(found.rec.fields, rec.fields) } : rec;
      to.records.splice(found && to === found.list ? found.index : 0, 0, next);
      if (filtered) reread.add(to);
    }
    b.resolveNames(change.records);
    this.host.requestUpdate();
    if (touched.size) void b.totals.refresh(b.totalsQuery(), [...touched], b.lanes()).catch(() => undefined);
    for (const cell of reread) void b.pages.reread(cell);
  }

  /**
   * Shows the move at once, sends it, and snaps back with the server's message when refused. When the
   * server refuses only for fields the move needs (required there), the board asks for them and sends
   * the move again with them; a cancelled question snaps the card back without a message.
   */
  async move(id: number, toColumn: Key, toLane: Key | undefined = undefined): Promise<boolean> {
    const b = this.b;
    const found = b.pages.find(id);
    if (!found || !b.canMove() || this.pending.has(id)) return false;
    const { list: from, index, rec } = found;
    const lane = b.lane() ? (toLane === undefined ? from.lane : toLane) : undefined;
    if (from.column === toColumn && from.lane === lane) return false;
    const to = b.ensureCell(toColumn, lane);
    let fields = moveFields(b.group()!, toColumn, b.lane(), from.lane, lane);
    const title = b.titleOf(rec);
    const toLabel = b.columnLabel(toColumn);
    // Optimistic: the card moves and the counts follow; the sums wait for the server.
    from.records.splice(index, 1);
    const moved: ApiRecord = { ...rec, fields: { ...rec.fields, ...fields } };
    to.records.unshift(moved);
    this.pending.add(id);
    this.refused = null;
    this.bump(from, -1);
    this.bump(to, +1);
    b.totals.setStale(from.column, true);
    b.totals.setStale(toColumn, true);
    b.keys.follow(id);
    this.host.requestUpdate();
    for (;;) {
      try {
        const saved = await b.source().update(b.table(), rec, fields);
        const i = to.records.findIndex((r) => r.id === id);
        if (i >= 0) to.records[i] = { ...saved, fields: keepExpanded(moved.fields, saved.fields) };
        b.written([saved]);
        b.keys.follow(id);
        b.announce(msg(str`Moved ${title} to ${toLabel}`, { id: "kanban.moved" }));
        this.pending.delete(id);
        this.host.requestUpdate();
        await b.totals.refresh(b.totalsQuery(), [from.column, toColumn], b.lanes()).catch(() => undefined);
        return true;
      } catch (err) {
        const needed = neededFields(err, fields, b.writable());
        const values = needed.length ? await b.ask(title, toLabel, needed) : null;
        if (values) {
          fields = { ...fields, ...values };
          continue;
        }
        const message = needed.length
          ? null
          : err instanceof ApiError
            ? problemText(err.problem, err.message)
            : String(err);
        this.snapBack(id, { from, to, index, rec }, err instanceof ApiError ? err.current : undefined, message);
        return false;
      }
    }
  }

  /** Back where the card was (with the server's current row after a 409), and why, unless the user cancelled. */
  private snapBack(
    id: number,
    at: { from: Cell; to: Cell; index: number; rec: ApiRecord },
    current: ApiRecord | undefined,
    message: string | null,
  ): void {
    const b = this.b;
    const { from, to, index, rec } = at;
    const i = to.records.findIndex((r) => r.id === id);
    if (i >= 0) to.records.splice(i, 1);
    from.records.splice(
      Math.min(index, from.records.length),
      0,
      current && current.id === id ? { ...current, fields: keepExpanded(rec.fields, current.fields) } : rec,
    );
    this.bump(from, +1);
    this.bump(to, -1);
    b.totals.setStale(from.column, false);
    b.totals.setStale(to.column, false);
    this.pending.delete(id);
    if (message === null) b.announce(msg("Move cancelled", { id: "kanban.cancelled" }));
    else {
      b.refuse(message);
      this.refused = { id, message };
      b.announce(msg(str`Move refused: ${message}`, { id: "kanban.refused" }));
    }
    b.keys.follow(id);
    this.host.requestUpdate();
  }

  /** Adjusts a cell's count by one while the server decides. */
  private bump(cell: Cell, by: 1 | -1): void {
    this.b.totals.bump(cell.column, cell.lane, !!this.b.lane(), by);
  }
}
