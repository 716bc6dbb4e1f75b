/**
 * <sg-kanban base-url view token table>: a board over a table's single-select (or user) field.
 * Columns are the choices in order, cards show the view's fields, column counts and sums come from
 * the server's aggregate endpoint under the viewer's permissions (exact minor units, never added up
 * here), long columns load page by page as they scroll. A card moves by pointer drag, by keyboard
 * (Space to pick up, arrows, Space to drop; Ctrl+arrow moves at once) or by its menu; the move shows
 * at once and is sent as a versioned update, and a refusal snaps the card back with the server's
 * message. Inside <sg-app> it takes the app's ApiClient as `.api`; standalone it builds one from
 * `base-url` and `token` (a sign-in token, or an embed token for the embed API).
 * The element loads and lays out; the rest is in modules with one job each: the arrangement
 * (board-config.ts), names and labels (labels.ts), a cell and its cards (cell-view.ts), the toolbar
 * (toolbar.ts), a column header (column-header.ts), and controllers for the cells' pages
 * (controllers/paged-lists.ts), pointer drag (controllers/pointer-drag.ts), user names
 * (controllers/user-names.ts), keyboard moves and the move menu (keyboard-move.ts), the server's counts
 * and sums (totals.ts), optimistic moves and records saved elsewhere, which arrive through
 * `recordsChanged` as sg-app routes them (moves.ts).
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { ApiClient, ApiError, type ApiRecord, type TableInfo, type ViewInfo } from "../api/client";
import { initLocale, labelOf, localized, msg } from "../i18n/index";
import { GridNamesController } from "../sg-grid/names";
import type { GridField } from "../sg-grid/values";
import type { Filter } from "../../schemas/types";
import { PagedListsController } from "../controllers/paged-lists";
import { PointerDragController } from "../controllers/pointer-drag";
import { UserNamesController } from "../controllers/user-names";
import { BoardSource, PAGE_SIZE } from "./board-data";
import { applyHostHeight, hostHeight } from "../host-height";
import {
  cellFilter,
  cellKey,
  columnKeys,
  expandFields,
  isEmbedToken,
  problemText,
  userIdsOf,
  type BoardField,
  type Key,
} from "./board-model";
import { NO_CONFIG, boardTarget, configureBoard, laneFields, type BoardConfig } from "./board-config";
import { BoardLabels } from "./labels";
import { renderCell, type CardView } from "./cell-view";
import { renderToolbar } from "./toolbar";
import { renderSummary } from "./board-summary";
import { ColumnStripController } from "./column-strip";
import { loadStageKinds, type StageKind } from "./stage-kinds";
import { MoveAskController } from "./move-ask";
import { renderColumnHeader, renderLaneHead } from "./column-header";
import { KeyboardMoveController } from "./keyboard-move";
import { CardMovesController, type Cell, type CellMeta } from "./moves";
import { BoardTotalsController, type TotalsQuery } from "./totals";
import { styles } from "./styles";
import { emit, type RecordsChange } from "../events";

@localized()
export class SgKanban extends LitElement {
  static override styles = [hostHeight, styles];

  @property({ attribute: "base-url" }) baseUrl = "";
  @property() view = "";
  @property() token = "";
  @property() table = "";
  /** The app's client (inside <sg-app>); standalone the element builds one from base-url and token. */
  @property({ attribute: false }) api: ApiClient | null = null;
  /** Its own height when the page gives it none: "250" (px) or a CSS length; 400 px by default. */
  @property() height = "";

  @state() private status: "idle" | "loading" | "ready" | "error" = "idle";
  @state() private loadError = "";
  @state() private banner = "";
  @state() private live = "";
  @state() private showFilters = false;
  @state() private q = "";

  private source: BoardSource | null = null;
  private tableInfo: TableInfo | null = null;
  private viewInfo: ViewInfo | null = null;
  private mode: "read" | "edit" = "edit";
  /** Columns, swimlanes, sum, title and card fields (board-config.ts). */
  private cfg: BoardConfig = NO_CONFIG;
  /** The swimlane field chosen in the toolbar: undefined follows the view, "" means none. */
  private laneChoice: string | undefined = undefined;
  /** Each stage's kind (open, won, lost) where the board's data says it (stage-kinds.ts). */
  private kinds = new Map<string, StageKind>();
  private columns: Key[] = [];
  private lanes: (Key | undefined)[] = [undefined];
  private userFilter: Filter | null = null;
  private draftFilter: Filter | null = null;
  private gen = 0;
  private ownClient: ApiClient | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  /** The cards of each cell, page by page. */
  private readonly pages = new PagedListsController<CellMeta>(this, {
    fetch: (cell, cursor) =>
      this.source!.list(
        this.tableInfo!.name,
        cellFilter(this.cfg.group!, cell.column, this.cfg.lane, cell.lane, this.userFilter),
        cursor,
        this.q,
        PAGE_SIZE,
        this.expand,
      ),
    onPage: (records) => this.resolveNames(records),
    errorText: (err) => (err instanceof ApiError ? problemText(err.problem, err.message) : String(err)),
  });
  /** Column counts and sums from the server. */
  private readonly totals = new BoardTotalsController(this);
  /** Cards dragged with the pointer onto another cell. */
  private readonly dragging = new PointerDragController(this, {
    dropAttribute: "data-cell-key",
    drop: (id, _from, to) => {
      const target = this.pages.lists.get(to);
      if (target) void this.moveCard(id, target.column, target.lane);
    },
  });
  /** Names of the users on cards, columns and lanes; the signed-in user. */
  private readonly people = new UserNamesController(this, () => this.client());
  /** Names of linked records whose ids arrive bare (a write's reply), or "(no access)". */
  private readonly linkNames = new GridNamesController(this, {
    client: () => this.client()!,
    field: (name) => this.tableInfo?.fields.find((f) => f.name === name) as GridField | undefined,
    changed: () => this.requestUpdate(),
  });
  /** Column, lane and card labels in the UI's language. */
  private readonly labels = new BoardLabels(() => this.cfg, this.people, this.linkNames);
  /** The strip of columns above the board, and the board fitted to the window. */
  private readonly strip = new ColumnStripController(this, () => this.renderRoot);
  /** Focus, pick-up and moves from the keyboard. */
  private readonly keys = new KeyboardMoveController(this, {
    root: () => this.renderRoot,
    columns: () => this.columns,
    lanes: () => this.lanes,
    hasLanes: () => !!this.cfg.lane,
    canMove: () => this.canMove,
    cards: (key) => this.pages.lists.get(key)?.records ?? [],
    move: (id, column, lane) => void this.moveCard(id, column, lane),
    open: (rec) => this.openRecord(rec),
    nearEnd: (key) => {
      const cell = this.pages.lists.get(key);
      if (cell) void this.pages.loadMore(cell);
    },
    announce: (text) => (this.live = text),
    titleOf: (rec) => this.labels.title(rec),
    columnLabel: (k) => this.labels.column(k),
    laneLabel: (k) => this.labels.lane(k),
  });

  /** Fields a move needs, asked in a dialog. */
  private readonly asker = new MoveAskController(this, () => this.renderRoot);
  /** Moves of cards, and records changed elsewhere. */
  private readonly moves = new CardMovesController(this, {
    pages: this.pages,
    totals: this.totals,
    keys: this.keys,
    ready: () => this.status === "ready",
    source: () => this.source!,
    table: () => this.tableInfo?.name ?? "",
    group: () => this.cfg.group,
    lane: () => this.cfg.lane,
    columns: () => this.columns,
    lanes: () => this.lanes,
    canMove: () => this.canMove,
    filtered: () => !!(this.viewInfo?.filter || this.userFilter || this.q.trim()),
    totalsQuery: () => this.totalsQuery(),
    ensureCell: (column, lane) => this.ensureCell(column, lane),
    resolveNames: (records) => this.resolveNames(records),
    titleOf: (rec) => this.labels.title(rec),
    columnLabel: (k) => this.labels.column(k),
    announce: (text) => (this.live = text),
    refuse: (message) => {
      this.banner = message;
      emit(this, "sg-notify", { kind: "error", message });
    },
    writable: () => ((this.tableInfo?.fields ?? []) as BoardField[]).filter((f) => f.access === "write"),
    ask: (title, column, fields) => this.asker.ask(title, column, fields),
    written: (records) => void emit(this, "sg-records-changed", { table: this.tableInfo!.name, records }),
  });

  // ------------------------------------------------------------------------------ lifecycle

  private readonly onRefresh = () => void this.refresh();

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener("sg-refresh", this.onRefresh);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener("sg-refresh", this.onRefresh);
  }

  /** Reloads the cards and totals (after a record was changed elsewhere, e.g. in sg-app's drawer). */
  async refresh(): Promise<void> {
    if (this.status === "ready" && this.cfg.group) await this.reloadData();
    else await this.load();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("height")) applyHostHeight(this, this.height);
  }

  override updated(changed: PropertyValues<this>): void {
    if (
      changed.has("api") ||
      changed.has("baseUrl") ||
      changed.has("token") ||
      changed.has("view") ||
      changed.has("table")
    ) {
      if (changed.has("baseUrl") || changed.has("token")) this.ownClient = null;
      void this.load();
    }
  }

  private client(): ApiClient | null {
    if (this.api) return this.api;
    if (!this.token) return null;
    this.ownClient ??= new ApiClient(
      isEmbedToken(this.token)
        ? { baseUrl: this.baseUrl, embedToken: this.token }
        : { baseUrl: this.baseUrl, token: this.token },
    );
    return this.ownClient;
  }

  /** Reloads everything: metadata, fields, totals, first pages. */
  async load(): Promise<void> {
    const gen = ++this.gen;
    const api = this.client();
    const target = api && boardTarget(api.embedded, this.view, this.table);
    if (!api || !target) {
      this.status = "idle";
      return;
    }
    this.status = "loading";
    this.source = new BoardSource(api, target);
    try {
      // Standalone (no app to set it), the board starts in the page's or the browser's language.
      if (!this.api) await initLocale();
      const meta = await this.source.meta();
      if (gen !== this.gen) return;
      this.tableInfo = meta.table;
      this.viewInfo = meta.view;
      this.mode = meta.mode;
      void this.people.loadMe();
      this.cfg = configureBoard(meta.table, meta.view, this.laneChoice);
      this.kinds = new Map();
      if (this.cfg.group?.type === "single_select") void this.loadKinds(api, meta.table, this.source);
      if (!this.cfg.group) {
        this.loadError = msg("This board has no single-select field to arrange cards by.", { id: "kanban.noGroup" });
        this.status = "error";
        return;
      }
      await this.reloadData(gen);
    } catch (err) {
      if (gen !== this.gen) return;
      this.loadError = err instanceof ApiError ? problemText(err.problem, err.message) : String(err);
      this.status = "error";
    }
  }

  /** The stages' kinds arrive beside the first pages; then the totals by kind. */
  private async loadKinds(api: ApiClient, table: TableInfo, source: BoardSource): Promise<void> {
    const kinds = await loadStageKinds(api, table);
    if (source !== this.source || !kinds.size) return;
    this.kinds = kinds;
    await this.totals.reloadKinds(this.totalsQuery()).catch(() => undefined);
  }

  /**
   * Names for the user ids a board shows (cards, user columns, swimlanes), through the client's cached
   * lookup: the directory when signed in, the embed's own people in an embed. An id without a name stays an id.
   */
  private resolveNames(records: ApiRecord[], keys: Key[] = []): void {
    const { cardFields, primary, group, lane } = this.cfg;
    const fields = [...cardFields, primary, group, lane].filter((f): f is BoardField => !!f && f.type === "user");
    this.people.resolve(userIdsOf(records, fields, keys));
  }

  /** Link fields the cards show, to read their linked records' names with the cards. */
  private get expand(): string[] {
    return expandFields([this.cfg.primary, ...this.cfg.cardFields]);
  }

  private get canMove(): boolean {
    return this.mode === "edit" && this.tableInfo?.access?.update !== false && this.cfg.group?.access === "write";
  }

  private totalsQuery(): TotalsQuery {
    const { group, lane, sum } = this.cfg;
    return {
      source: this.source!,
      table: this.tableInfo!.name,
      group: group!,
      lane,
      sum,
      filter: this.userFilter,
      q: this.q,
      kinds: this.kinds,
    };
  }

  /** Cards and totals afresh; before the board is arranged (a search typed while loading) load() does it. */
  private async reloadData(gen?: number): Promise<void> {
    const { group, lane } = this.cfg;
    if (!group) return;
    gen ??= ++this.gen;
    this.pages.reset();
    this.keys.reset();
    this.keys.closeMenu(false);
    const totals = this.totals.load(this.totalsQuery());
    // Choice columns are known before the totals: start their first pages at once.
    if (group.type === "single_select" && !lane) {
      this.columns = columnKeys(group, null);
      this.lanes = [undefined];
      for (const c of this.columns) void this.pages.loadMore(this.ensureCell(c, undefined));
      this.status = "ready";
    }
    const loaded = await totals;
    if (!loaded || gen !== this.gen) return;
    this.columns = columnKeys(group, this.totals.columns);
    this.lanes = loaded.lanes;
    this.resolveNames(
      [],
      [
        ...(group.type === "user" ? this.columns : []),
        ...(lane?.type === "user" ? this.lanes.filter((l): l is Key => l !== undefined) : []),
      ],
    );
    for (const l of this.lanes)
      for (const c of this.columns) {
        const cell = this.ensureCell(c, l);
        if (!cell.loading && !cell.records.length && !cell.done) void this.pages.loadMore(cell);
      }
    this.status = "ready";
    this.requestUpdate();
    await this.updateComplete;
    this.strip.fit();
  }

  /** Records written elsewhere (sg-app routes them here): see moves.ts. */
  recordsChanged(change: RecordsChange): void {
    this.moves.recordsChanged(change);
  }

  private ensureCell(column: Key, lane: Key | undefined): Cell {
    return this.pages.ensure(cellKey(column, lane), { column, lane });
  }

  // ------------------------------------------------------------------------------ moving

  /** Moves a card (see moves.ts); false when it did not move. */
  moveCard(id: number, toColumn: Key, toLane: Key | undefined = undefined): Promise<boolean> {
    return this.moves.move(id, toColumn, toLane);
  }

  private onPointerDown(e: PointerEvent, rec: ApiRecord, cell: Cell): void {
    if (e.button !== 0 || !this.canMove || this.moves.pending.has(rec.id)) return;
    if ((e.target as HTMLElement).closest("button, .menu")) return;
    this.dragging.start(e, rec.id, cell.key);
  }

  private openRecord(rec: ApiRecord): void {
    emit(this, "sg-open-record", { table: this.tableInfo?.name ?? "", id: rec.id });
  }

  // ------------------------------------------------------------------------------ toolbar

  private onSearch(e: Event): void {
    this.q = (e.target as HTMLInputElement).value;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.reloadData(), 300);
  }

  private onLaneChange(e: Event): void {
    this.laneChoice = (e.target as HTMLSelectElement).value;
    if (this.tableInfo) this.cfg = configureBoard(this.tableInfo, this.viewInfo, this.laneChoice);
    void this.reloadData();
  }

  private applyFilter(value: Filter | null): void {
    this.userFilter = value;
    this.showFilters = false;
    void this.reloadData();
  }

  // ------------------------------------------------------------------------------ render

  override render(): TemplateResult {
    const title = this.viewInfo ? labelOf(this.viewInfo) : this.tableInfo ? labelOf(this.tableInfo) : "";
    return html`
      <div class="sr-only" aria-live="polite" data-kanban-live>${this.live}</div>
      <p class="sr-only" id="kanban-help">${msg("Space picks up a card, the arrow keys choose a column, Space drops it and Escape cancels; Ctrl and an arrow key move it at once; M opens the move menu; Enter opens the record.", { id: "kanban.help" })}</p>
      ${this.status === "ready" || this.status === "loading" ? this.renderToolbar(title) : nothing}
      ${
        this.banner
          ? html`<div class="banner" role="alert" data-kanban-error><span>${this.banner}</span><button type="button" @click=${() => (this.banner = "")}>${msg("Dismiss", { id: "kanban.dismiss" })}</button></div>`
          : nothing
      }
      ${this.status === "error" ? html`<div class="state error" role="alert">${this.loadError} <button type="button" @click=${() => void this.load()}>${msg("Retry", { id: "common.retry" })}</button></div>` : nothing}
      ${this.status === "idle" ? html`<div class="state">${msg("Give the board a view and a token.", { id: "kanban.idle" })}</div>` : nothing}
      ${this.status === "loading" && !this.columns.length ? html`<div class="state">${msg("Loading…", { id: "common.loading" })}</div>` : nothing}
      ${this.status === "ready" && this.cfg.group ? this.renderBoard() : nothing}
      ${this.renderGhost()} ${this.asker.render()}
    `;
  }

  private renderToolbar(title: string): TemplateResult {
    const { lane, sum, group } = this.cfg;
    const readOnly = this.mode === "read" || (this.status === "ready" && !this.canMove);
    return renderToolbar({
      title,
      summary: renderSummary(this.totals, sum, readOnly),
      q: this.q,
      lane,
      laneFields: laneFields(this.tableInfo, group),
      fields: this.tableInfo?.fields ?? [],
      showFilters: this.showFilters,
      filter: this.userFilter,
      onSearch: (e) => this.onSearch(e),
      onLaneChange: (e) => this.onLaneChange(e),
      toggleFilters: () => ((this.showFilters = !this.showFilters), (this.draftFilter = this.userFilter)),
      draft: (value) => (this.draftFilter = value),
      apply: (draft) => this.applyFilter(draft ? this.draftFilter : null),
      refresh: () => void this.reloadData(),
    });
  }

  /** What every card of this render shares. */
  private cardView(): CardView {
    return {
      keys: this.keys,
      dragging: this.dragging,
      moves: this.moves,
      labels: this.labels,
      canMove: this.canMove,
      cardFields: this.cfg.cardFields,
      columns: this.columns,
      lane: this.cfg.lane,
      pages: this.pages,
      totals: this.totals,
      open: (rec) => this.openRecord(rec),
      pointerDown: (e, rec, cell) => this.onPointerDown(e, rec, cell),
      move: (id, column, lane) => void this.moveCard(id, column, lane),
    };
  }

  private renderBoard(): TemplateResult {
    const { group, lane, sum } = this.cfg;
    const cols = this.columns;
    const focused = this.keys.focusedId;
    const firstCard =
      focused !== null && this.pages.find(focused)
        ? focused
        : [...this.pages.lists.values()].find((c) => c.records.length)?.records[0]?.id;
    const d = this.dragging;
    const view = this.cardView();
    return html`
      ${this.strip.render(cols, group!, this.totals, this.labels)}
      <div class="board ${lane ? "lanes" : "single"}" @scroll=${this.strip.onScroll} style="grid-template-columns: repeat(${cols.length}, var(--col-width));"
        @pointermove=${d.onPointerMove} @pointerup=${d.onPointerUp} @pointercancel=${d.onPointerCancel}>
        ${cols.map((c) => renderColumnHeader(c, group!, sum, this.totals, this.labels))}
        ${this.lanes.map(
          (l) => html`
          ${lane ? renderLaneHead(lane, l ?? null, sum, this.totals, this.labels) : nothing}
          ${cols.map((c) => renderCell(view, this.ensureCell(c, l), firstCard))}
        `,
        )}
      </div>
    `;
  }

  private renderGhost(): TemplateResult | typeof nothing {
    const d = this.dragging.drag;
    if (!d?.active) return nothing;
    const found = this.pages.find(d.id);
    if (!found) return nothing;
    return html`<div class="ghost" style="left: ${d.x - d.offX}px; top: ${d.y - d.offY}px; width: ${d.width}px">${this.labels.title(found.rec)}</div>`;
  }
}

if (!customElements.get("sg-kanban")) customElements.define("sg-kanban", SgKanban);

declare global {
  interface HTMLElementTagNameMap {
    "sg-kanban": SgKanban;
  }
}
