/**
 * <sg-kanban base-url view token table>: a board over a table's single-select (or user) field.
 * Columns are the choices in order, cards show the view's fields, column counts and sums come from
 * the server's aggregate endpoint under the viewer's permissions (exact minor units, never added up
 * here), long columns load page by page as they scroll. A card moves by pointer drag, by keyboard
 * (Space to pick up, arrows, Space to drop; Ctrl+arrow moves at once) or by its menu; the move shows
 * at once and is sent as a versioned update, and a refusal snaps the card back with the server's
 * message. Inside <sg-app> it takes the app's ApiClient as `.api`; standalone it builds one from
 * `base-url` and `token` (a sign-in token, or an embed token for the embed API).
 * Controllers own what the element borrows: the cells' pages (controllers/paged-lists.ts), pointer
 * drag (controllers/pointer-drag.ts), user names (controllers/user-names.ts), keyboard moves and the
 * move menu (keyboard-move.ts), the server's counts and sums (totals.ts), optimistic moves and
 * records saved elsewhere, which arrive through `recordsChanged` as sg-app routes them (moves.ts).
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { ApiClient, ApiError, type ApiRecord, type TableInfo, type ViewInfo } from "../api/client";
import { formatNumber, labelOf, localized, msg, str } from "../i18n/index";
import { formatValue, type GridField } from "../sg-grid/values";
import "../sg-filter/filter-builder";
import type { Filter } from "../../schemas/types";
import { PagedListsController } from "../controllers/paged-lists";
import { PointerDragController } from "../controllers/pointer-drag";
import { UserNamesController } from "../controllers/user-names";
import { BoardSource, PAGE_SIZE, type BoardTarget } from "./board-data";
import { applyHostHeight, hostHeight } from "../host-height";
import {
  GROUPABLE,
  cellFilter,
  cellKey,
  columnKeys,
  expandFields,
  isEmbedToken,
  pickSumField,
  problemText,
  userIdsOf,
  type BoardField,
  type Key,
} from "./board-model";
import { KeyboardMoveController } from "./keyboard-move";
import { CardMovesController, type Cell, type CellMeta } from "./moves";
import { BoardTotalsController, sumText, type TotalsQuery } from "./totals";
import { styles } from "./styles";
import { emit, type RecordsChange } from "../events";
import { moreIcon } from "../icons";

const NONE = "\u0000none";
const attrKey = (k: Key | undefined) => (k === null ? NONE : (k ?? ""));

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
  private group: BoardField | null = null;
  private lane: BoardField | null = null;
  /** The swimlane field chosen in the toolbar: undefined follows the view, "" means none. */
  private laneChoice: string | undefined = undefined;
  private sum: BoardField | null = null;
  private cardFields: BoardField[] = [];
  private primary: BoardField | null = null;
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
        cellFilter(this.group!, cell.column, this.lane, cell.lane, this.userFilter),
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
  /** Focus, pick-up and moves from the keyboard. */
  private readonly keys = new KeyboardMoveController(this, {
    root: () => this.renderRoot,
    columns: () => this.columns,
    lanes: () => this.lanes,
    hasLanes: () => !!this.lane,
    canMove: () => this.canMove,
    cards: (key) => this.pages.lists.get(key)?.records ?? [],
    move: (id, column, lane) => void this.moveCard(id, column, lane),
    open: (rec) => this.openRecord(rec),
    nearEnd: (key) => {
      const cell = this.pages.lists.get(key);
      if (cell) void this.pages.loadMore(cell);
    },
    announce: (text) => (this.live = text),
    titleOf: (rec) => this.titleOf(rec),
    columnLabel: (k) => this.columnLabel(k),
    laneLabel: (k) => this.laneLabel(k),
  });

  /** Moves of cards, and records changed elsewhere. */
  private readonly moves = new CardMovesController(this, {
    pages: this.pages,
    totals: this.totals,
    keys: this.keys,
    ready: () => this.status === "ready",
    source: () => this.source!,
    table: () => this.tableInfo?.name ?? "",
    group: () => this.group,
    lane: () => this.lane,
    columns: () => this.columns,
    lanes: () => this.lanes,
    canMove: () => this.canMove,
    filtered: () => !!(this.viewInfo?.filter || this.userFilter || this.q.trim()),
    totalsQuery: () => this.totalsQuery(),
    ensureCell: (column, lane) => this.ensureCell(column, lane),
    resolveNames: (records) => this.resolveNames(records),
    titleOf: (rec) => this.titleOf(rec),
    columnLabel: (k) => this.columnLabel(k),
    announce: (text) => (this.live = text),
    refuse: (message) => {
      this.banner = message;
      emit(this, "sg-notify", { kind: "error", message });
    },
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
    if (this.status === "ready" && this.group) await this.reloadData();
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

  private target(api: ApiClient): BoardTarget | null {
    if (api.embedded) return { kind: "embed" };
    if (this.view) return { kind: "view", view: this.view };
    if (this.table) return { kind: "table", table: this.table };
    return null;
  }

  /** Reloads everything: metadata, fields, totals, first pages. */
  async load(): Promise<void> {
    const gen = ++this.gen;
    const api = this.client();
    const target = api && this.target(api);
    if (!api || !target) {
      this.status = "idle";
      return;
    }
    this.status = "loading";
    this.source = new BoardSource(api, target);
    try {
      const meta = await this.source.meta();
      if (gen !== this.gen) return;
      this.tableInfo = meta.table;
      this.viewInfo = meta.view;
      this.mode = meta.mode;
      void this.people.loadMe();
      this.configure();
      if (!this.group) {
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

  /**
   * Names for the user ids a board shows (cards, user columns, swimlanes), through the client's cached
   * lookup: the directory when signed in, the embed's own people in an embed. An id without a name stays an id.
   */
  private resolveNames(records: ApiRecord[], keys: Key[] = []): void {
    const fields = [...this.cardFields, this.primary, this.group, this.lane].filter(
      (f): f is BoardField => !!f && f.type === "user",
    );
    this.people.resolve(userIdsOf(records, fields, keys));
  }

  /** Link fields the cards show, to read their linked records' names with the cards. */
  private get expand(): string[] {
    return expandFields([this.primary, ...this.cardFields]);
  }

  private configure(): void {
    const t = this.tableInfo!;
    const v = this.viewInfo;
    const fields = t.fields as BoardField[];
    const byName = new Map(fields.map((f) => [f.name, f]));
    const groupName = v?.groupBy ?? fields.find((f) => f.type === "single_select")?.name;
    this.group = (groupName && byName.get(groupName)) || null;
    if (this.group && !GROUPABLE.has(this.group.type)) this.group = null;
    const layout = (v?.layout ?? {}) as { sumField?: string; swimlaneField?: string };
    const laneName = this.laneChoice === undefined ? layout.swimlaneField : this.laneChoice;
    const lane = laneName ? byName.get(laneName) : undefined;
    this.lane = lane && GROUPABLE.has(lane.type) && lane.name !== this.group?.name ? lane : null;
    this.primary = fields.find((f) => f.id === t.primaryFieldId) ?? fields[0] ?? null;
    const shown = v?.fields?.length ? v.fields : fields.slice(0, 6).map((f) => f.name);
    this.cardFields = shown
      .map((n) => byName.get(n))
      .filter((f): f is BoardField => !!f && f !== this.group && f !== this.primary && f !== this.lane);
    this.sum = pickSumField(fields, layout.sumField, shown);
  }

  private get canMove(): boolean {
    return this.mode === "edit" && this.tableInfo?.access?.update !== false && this.group?.access === "write";
  }

  private totalsQuery(): TotalsQuery {
    return {
      source: this.source!,
      table: this.tableInfo!.name,
      group: this.group!,
      lane: this.lane,
      sum: this.sum,
      filter: this.userFilter,
      q: this.q,
    };
  }

  private async reloadData(gen = ++this.gen): Promise<void> {
    const group = this.group!;
    this.pages.reset();
    this.keys.reset();
    this.keys.closeMenu(false);
    const totals = this.totals.load(this.totalsQuery());
    // Choice columns are known before the totals: start their first pages at once.
    if (group.type === "single_select" && !this.lane) {
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
        ...(this.lane?.type === "user" ? this.lanes.filter((l): l is Key => l !== undefined) : []),
      ],
    );
    for (const l of this.lanes)
      for (const c of this.columns) {
        const cell = this.ensureCell(c, l);
        if (!cell.loading && !cell.records.length && !cell.done) void this.pages.loadMore(cell);
      }
    this.status = "ready";
    this.requestUpdate();
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
    this.configure();
    void this.reloadData();
  }

  private applyFilter(value: Filter | null): void {
    this.userFilter = value;
    this.showFilters = false;
    void this.reloadData();
  }

  // ------------------------------------------------------------------------------ display helpers

  private userName(id: string): string {
    return this.people.name(id);
  }

  private keyLabel(field: BoardField, key: Key): string {
    if (key === null) return msg("No value", { id: "kanban.noValue" });
    if (field.type === "user") return this.userName(key);
    const c = field.options.choices?.find((x) => x.name === key);
    return c ? labelOf(c) : key;
  }

  private columnLabel(key: Key): string {
    return this.keyLabel(this.group!, key);
  }

  private laneLabel(key: Key): string {
    return this.lane ? this.keyLabel(this.lane, key) : "";
  }

  private titleOf(rec: ApiRecord): string {
    const v = this.primary ? rec.fields[this.primary.name] : undefined;
    return v === null || v === undefined || v === "" ? `#${rec.id}` : this.valueText(this.primary!, v);
  }

  private valueText(f: BoardField, v: unknown): string {
    if (f.type === "user" && typeof v === "string") return this.userName(v);
    if (f.type === "single_select" && typeof v === "string") return this.keyLabel(f, v);
    return formatValue(f as GridField, v, this.people.me?.timeZone ?? null);
  }

  private laneFields(): BoardField[] {
    return ((this.tableInfo?.fields ?? []) as BoardField[]).filter(
      (f) => GROUPABLE.has(f.type) && f.name !== this.group?.name,
    );
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
      ${this.status === "ready" && this.group ? this.renderBoard() : nothing}
      ${this.renderGhost()}
    `;
  }

  private renderToolbar(title: string): TemplateResult {
    const o = this.totals.overall;
    return html`
      <div class="toolbar">
        <h2 data-value>${title}</h2>
        <span class="summary" data-kanban-summary>
          ${o ? msg(str`${formatNumber(o.count)} cards`, { id: "kanban.cards" }) : nothing}${o && this.sum ? html` · ${sumText(this.sum, o)}` : nothing}
          ${this.mode === "read" || (this.status === "ready" && !this.canMove) ? html` · ${msg("Read-only", { id: "kanban.readOnly" })}` : nothing}
        </span>
        <input type="search" .value=${this.q} @input=${this.onSearch} placeholder=${msg("Search", { id: "kanban.search" })} aria-label=${msg("Search", { id: "kanban.search" })} />
        <label>
          ${msg("Swimlanes", { id: "kanban.swimlanes" })}
          <select @change=${this.onLaneChange} data-kanban-lanes>
            <option value="" ?selected=${!this.lane}>${msg("None", { id: "kanban.noLanes" })}</option>
            ${this.laneFields().map((f) => html`<option value=${f.name} ?selected=${this.lane?.name === f.name}>${labelOf(f)}</option>`)}
          </select>
        </label>
        <button type="button" aria-expanded=${this.showFilters ? "true" : "false"} @click=${() => ((this.showFilters = !this.showFilters), (this.draftFilter = this.userFilter))}>
          ${msg("Filter", { id: "kanban.filter" })}${this.userFilter ? " •" : ""}
        </button>
        <button type="button" @click=${() => void this.reloadData()}>${msg("Refresh", { id: "kanban.refresh" })}</button>
      </div>
      ${
        this.showFilters
          ? html`<div class="filters">
            <sg-filter-builder .fields=${this.tableInfo?.fields ?? []} .value=${this.userFilter} @sg-filter-change=${(e: HTMLElementEventMap["sg-filter-change"]) => (this.draftFilter = e.detail.valid ? e.detail.value : this.draftFilter)}></sg-filter-builder>
            <div class="actions">
              <button type="button" @click=${() => this.applyFilter(this.draftFilter)}>${msg("Apply", { id: "kanban.apply" })}</button>
              <button type="button" @click=${() => this.applyFilter(null)}>${msg("Clear", { id: "kanban.clear" })}</button>
            </div>
          </div>`
          : nothing
      }
    `;
  }

  private renderBoard(): TemplateResult {
    const cols = this.columns;
    const lanes = this.lanes;
    const focused = this.keys.focusedId;
    const firstCard =
      focused !== null && this.pages.find(focused)
        ? focused
        : [...this.pages.lists.values()].find((c) => c.records.length)?.records[0]?.id;
    const d = this.dragging;
    return html`
      <div class="board ${this.lane ? "lanes" : "single"}" style="grid-template-columns: repeat(${cols.length}, var(--col-width));"
        @pointermove=${d.onPointerMove} @pointerup=${d.onPointerUp} @pointercancel=${d.onPointerCancel}>
        ${cols.map((c) => this.renderHeader(c))}
        ${lanes.map(
          (l) => html`
          ${this.lane ? html`<div class="lanehead" data-lane=${attrKey(l)}><span ?data-value=${this.lane.type === "user" && l !== null}>${this.laneLabel(l ?? null)}</span></div>` : nothing}
          ${cols.map((c) => this.renderCell(this.ensureCell(c, l), firstCard))}
        `,
        )}
      </div>
    `;
  }

  private renderHeader(c: Key): TemplateResult {
    const t = this.totals.column(c);
    const color = c === null ? undefined : this.group!.options.choices?.find((x) => x.name === c)?.color;
    const stale = this.totals.isStale(c);
    return html`
      <div class="colhead" role="heading" aria-level="3" data-col=${attrKey(c)} style=${color ? `--c: ${color}` : ""}>
        <span class="name" ?data-value=${this.group!.type === "user" && c !== null}>${this.columnLabel(c)}</span>
        <span class="count" data-count=${t?.count ?? 0}>${formatNumber(t?.count ?? 0)}</span>
        ${
          this.sum
            ? html`<div class="sum ${stale ? "stale" : ""}" data-sum=${JSON.stringify(t?.sum ?? null)} aria-busy=${stale ? "true" : "false"}>${sumText(this.sum, t)}</div>`
            : nothing
        }
      </div>
    `;
  }

  private renderCell(cell: Cell, firstCard: number | undefined): TemplateResult {
    const target = this.dragging.isOver(cell.key) || this.keys.isTarget(cell.key);
    const label = this.lane
      ? `${this.columnLabel(cell.column)}, ${this.laneLabel(cell.lane ?? null)}`
      : this.columnLabel(cell.column);
    const total = (this.lane ? this.totals.cell(cell.column, cell.lane) : this.totals.column(cell.column))?.count ?? 0;
    return html`
      <div class="cell ${target ? "target" : ""}" role="list" aria-label=${label} aria-describedby="kanban-help"
        data-cell-key=${cell.key} data-col=${attrKey(cell.column)} data-lane=${attrKey(cell.lane)} @scroll=${(e: Event) => this.pages.onScroll(e, cell)}>
        ${repeat(
          cell.records,
          (r) => r.id,
          (r) => this.renderCard(r, cell, r.id === firstCard),
        )}
        ${cell.failed ? html`<div class="empty" role="listitem"><span role="alert">${cell.failed}</span></div>` : nothing}
        ${!cell.records.length && cell.done && !cell.failed ? html`<div class="empty" role="listitem">${msg("No cards", { id: "kanban.empty" })}</div>` : nothing}
        ${cell.loading ? html`<div class="empty" role="listitem">${msg("Loading…", { id: "common.loading" })}</div>` : nothing}
        ${
          !cell.done && !cell.loading && cell.records.length
            ? html`<div role="listitem" class="more-row"><button type="button" class="more" @click=${() => void this.pages.loadMore(cell)}>${msg(str`Load more (${formatNumber(Math.max(0, total - cell.records.length))} left)`, { id: "kanban.loadMore" })}</button></div>`
            : nothing
        }
      </div>
    `;
  }

  private renderCard(rec: ApiRecord, cell: Cell, tabbable: boolean): TemplateResult {
    const grabbed = this.keys.grab?.id === rec.id;
    const dragging = this.dragging.isDragging(rec.id);
    const refused = this.moves.refused?.id === rec.id ? this.moves.refused.message : "";
    const movable = this.canMove;
    return html`
      <div class="card ${movable ? "" : "readonly"} ${dragging ? "dragging" : ""} ${grabbed ? "grabbed" : ""} ${this.moves.pending.has(rec.id) ? "pending" : ""} ${refused ? "refused" : ""}"
        role="listitem" tabindex=${tabbable ? "0" : "-1"} aria-current=${this.keys.focusedId === rec.id ? "true" : "false"}
        aria-roledescription=${msg("card", { id: "kanban.card" })} aria-describedby="kanban-help"
        data-card-id=${rec.id} data-kanban-card
        @focus=${() => this.keys.focused(rec.id)}
        @keydown=${(e: KeyboardEvent) => this.keys.onKey(e, rec, cell)}
        @dblclick=${() => this.openRecord(rec)}
        @pointerdown=${(e: PointerEvent) => this.onPointerDown(e, rec, cell)}>
        <div class="title" data-value>${this.titleOf(rec)}</div>
        <dl>
          ${this.cardFields.map((f) => {
            const v = rec.fields[f.name];
            if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return nothing;
            return html`<dt>${labelOf(f)}</dt><dd data-value data-field=${f.name}>${this.valueText(f, v)}</dd>`;
          })}
        </dl>
        ${refused ? html`<div class="note" data-kanban-refused>${refused}</div>` : nothing}
        ${
          movable
            ? html`<button type="button" class="menu-button" tabindex="-1" aria-haspopup="menu" aria-label=${msg("Move card", { id: "kanban.moveMenu" })}
              @click=${() => (this.keys.menuFor === rec.id ? this.keys.closeMenu() : this.keys.openMenu(rec.id))}>${moreIcon}</button>`
            : nothing
        }
        ${this.keys.menuFor === rec.id ? this.renderMenu(rec, cell) : nothing}
      </div>
    `;
  }

  private renderMenu(rec: ApiRecord, cell: Cell): TemplateResult {
    const targets = this.columns.filter((c) => c !== cell.column);
    return html`
      <div class="menu" role="menu" aria-label=${msg("Move to", { id: "kanban.moveTo" })} @keydown=${this.keys.onMenuKey} @focusout=${(
        e: FocusEvent,
      ) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) this.keys.closeMenu(false);
      }}>
        <span class="label">${msg("Move to", { id: "kanban.moveTo" })}</span>
        ${targets.map(
          (c) =>
            html`<button type="button" role="menuitem" data-move-to=${attrKey(c)} @click=${() => {
              this.keys.closeMenu();
              void this.moveCard(rec.id, c, cell.lane);
            }}>${this.columnLabel(c)}</button>`,
        )}
      </div>
    `;
  }

  private renderGhost(): TemplateResult | typeof nothing {
    const d = this.dragging.drag;
    if (!d?.active) return nothing;
    const found = this.pages.find(d.id);
    if (!found) return nothing;
    return html`<div class="ghost" style="left: ${d.x - d.offX}px; top: ${d.y - d.offY}px; width: ${d.width}px">${this.titleOf(found.rec)}</div>`;
  }
}

if (!customElements.get("sg-kanban")) customElements.define("sg-kanban", SgKanban);

declare global {
  interface HTMLElementTagNameMap {
    "sg-kanban": SgKanban;
  }
}
