/**
 * <sg-kanban base-url view token table>: a board over a table's single-select (or user) field.
 * Columns are the choices in order, cards show the view's fields, column counts and sums come from
 * the server's aggregate endpoint under the viewer's permissions (exact minor units, never added up
 * here), long columns load page by page as they scroll. A card moves by pointer drag, by keyboard
 * (Space to pick up, arrows, Space to drop; Ctrl+arrow moves at once) or by its menu; the move shows
 * at once and is sent as a versioned update, and a refusal snaps the card back with the server's
 * message. Inside <sg-app> it takes the app's ApiClient as `.api`; standalone it builds one from
 * `base-url` and `token` (a sign-in token, or an embed token for the embed API).
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { ApiClient, ApiError, type ApiRecord, type TableInfo, type User, type ViewInfo } from "../api/client";
import { currencyDigits, currentLocale, formatMoney, formatNumber, labelOf, localized, msg, str } from "../i18n/index";
import { formatValue, type GridField } from "../sg-grid/values";
import "../sg-filter/filter-builder";
import type { Filter } from "../../schemas/types";
import { BoardSource, PAGE_SIZE, type BoardTarget } from "./board-data";
import {
  GROUPABLE, aggregateBody, andFilters, cellFilter, cellKey, columnKeys, columnsFilter, expandFields, isEmbedToken, keepExpanded, laneKeys, minorToDecimal,
  moveFields, neighbour, overallTotals, pickSumField, placeOf, problemText, readTotals, userIdsOf,
  type BoardField, type Key, type Money, type Totals,
} from "./board-model";
import { styles } from "./styles";
import { emit, type RecordsChange } from "../events";

interface Cell {
  key: string;
  column: Key;
  lane: Key | undefined;
  records: ApiRecord[];
  cursor: string | null;
  done: boolean;
  loading: boolean;
  failed: string | null;
}

interface Drag {
  id: number;
  cell: string;
  pointerId: number;
  startX: number;
  startY: number;
  offX: number;
  offY: number;
  width: number;
  x: number;
  y: number;
  active: boolean;
  target: string | null;
}

interface Grab {
  id: number;
  cell: string;
  column: Key;
  lane: Key | undefined;
}

const NONE = "\u0000none";
const attrKey = (k: Key | undefined) => (k === null ? NONE : (k ?? ""));

@localized()
export class SgKanban extends LitElement {
  static override styles = styles;

  @property({ attribute: "base-url" }) baseUrl = "";
  @property() view = "";
  @property() token = "";
  @property() table = "";
  /** The app's client (inside <sg-app>); standalone the element builds one from base-url and token. */
  @property({ attribute: false }) api: ApiClient | null = null;

  @state() private status: "idle" | "loading" | "ready" | "error" = "idle";
  @state() private loadError = "";
  @state() private banner = "";
  @state() private live = "";
  @state() private showFilters = false;
  @state() private q = "";
  @state() private grab: Grab | null = null;
  @state() private menuFor: number | null = null;
  @state() private focusedId: number | null = null;
  @state() private refused: { id: number; message: string } | null = null;

  private source: BoardSource | null = null;
  private tableInfo: TableInfo | null = null;
  private viewInfo: ViewInfo | null = null;
  private mode: "read" | "edit" = "edit";
  private me: User | null = null;
  private userNames = new Map<string, string>();
  private group: BoardField | null = null;
  private lane: BoardField | null = null;
  /** The swimlane field chosen in the toolbar: undefined follows the view, "" means none. */
  private laneChoice: string | undefined = undefined;
  private sum: BoardField | null = null;
  private cardFields: BoardField[] = [];
  private primary: BoardField | null = null;
  private columns: Key[] = [];
  private lanes: (Key | undefined)[] = [undefined];
  private cells = new Map<string, Cell>();
  private colTotals = new Map<string, Totals>();
  private cellTotals = new Map<string, Totals>();
  private overall: Totals | null = null;
  private staleColumns = new Set<string>();
  private pending = new Set<number>();
  private userFilter: Filter | null = null;
  private draftFilter: Filter | null = null;
  private drag: Drag | null = null;
  private gen = 0;
  private ownClient: ApiClient | null = null;
  private focusAfterRender: number | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

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

  override updated(changed: PropertyValues<this>): void {
    if (changed.has("api") || changed.has("baseUrl") || changed.has("token") || changed.has("view") || changed.has("table")) {
      if (changed.has("baseUrl") || changed.has("token")) this.ownClient = null;
      void this.load();
    }
    if (this.focusAfterRender !== null) {
      const card = this.renderRoot.querySelector<HTMLElement>(`[data-card-id="${this.focusAfterRender}"]`);
      this.focusAfterRender = null;
      card?.focus();
    }
  }

  private client(): ApiClient | null {
    if (this.api) return this.api;
    if (!this.token) return null;
    this.ownClient ??= new ApiClient(isEmbedToken(this.token) ? { baseUrl: this.baseUrl, embedToken: this.token } : { baseUrl: this.baseUrl, token: this.token });
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
      if (!api.embedded && !this.me) void this.loadMe(api);
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

  /** The signed-in user, for their time zone (dates on cards) and their own name. */
  private async loadMe(api: ApiClient): Promise<void> {
    try {
      const { user } = await api.me();
      this.me = user;
      this.userNames.set(user.id, user.name);
      this.requestUpdate();
    } catch {
      // dates then show in UTC; nothing else depends on it
    }
  }

  /**
   * Names for the user ids a board shows (cards, user columns, swimlanes), through the client's cached
   * lookup: the directory when signed in, the embed's own people in an embed. An id without a name stays an id.
   */
  private resolveNames(records: ApiRecord[], keys: Key[] = []): void {
    const api = this.client();
    const fields = [...this.cardFields, this.primary, this.group, this.lane].filter((f): f is BoardField => !!f && f.type === "user");
    const ids = userIdsOf(records, fields, keys).filter((id) => !this.userNames.has(id));
    if (!api || !ids.length) return;
    const gen = this.gen;
    api.userNames(ids).then((names) => {
      for (const [id, name] of names) this.userNames.set(id, name);
      if (names.size && gen === this.gen) this.requestUpdate();
    }).catch(() => undefined); // names are a nicety; ids still show
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
    this.cardFields = shown.map((n) => byName.get(n)).filter((f): f is BoardField => !!f && f !== this.group && f !== this.primary && f !== this.lane);
    this.sum = pickSumField(fields, layout.sumField, shown);
  }

  private get canMove(): boolean {
    return this.mode === "edit" && this.tableInfo?.access?.update !== false && this.group?.access === "write";
  }

  private async reloadData(gen = ++this.gen): Promise<void> {
    const src = this.source!;
    const t = this.tableInfo!.name;
    const group = this.group!;
    this.cells = new Map();
    this.grab = null;
    this.menuFor = null;
    this.staleColumns.clear();
    const colReq = src.aggregate(t, aggregateBody(group, null, this.sum, this.userFilter, this.q));
    const laneReq = this.lane ? src.aggregate(t, aggregateBody(group, this.lane, this.sum, this.userFilter, this.q)) : null;
    // Choice columns are known before the totals: start their first pages at once.
    if (group.type === "single_select" && !this.lane) {
      this.columns = columnKeys(group, null);
      this.lanes = [undefined];
      for (const c of this.columns) void this.loadCell(this.ensureCell(c, undefined), gen);
      this.status = "ready";
    }
    const [colReply, laneReply] = await Promise.all([colReq, laneReq]);
    if (gen !== this.gen) return;
    this.colTotals = readTotals(colReply, group, null, this.sum);
    this.overall = overallTotals(colReply, this.sum);
    this.columns = columnKeys(group, this.colTotals);
    this.lanes = this.lane && laneReply ? laneKeys(laneReply, this.lane) : [undefined];
    this.cellTotals = this.lane && laneReply ? readTotals(laneReply, group, this.lane, this.sum) : this.colTotals;
    this.resolveNames([], [...(group.type === "user" ? this.columns : []), ...(this.lane?.type === "user" ? this.lanes.filter((l): l is Key => l !== undefined) : [])]);
    for (const l of this.lanes) for (const c of this.columns) {
      const cell = this.ensureCell(c, l);
      if (!cell.loading && !cell.records.length && !cell.done) void this.loadCell(cell, gen);
    }
    this.status = "ready";
    this.requestUpdate();
  }

  /**
   * Records written elsewhere (sg-app routes the drawer's and the grid's saves here): a card takes the
   * saved values and version in place, moves to the column its values name, or leaves when the board
   * has none; a filtered board reads the touched cells again, so a card that no longer matches leaves.
   * Counts and sums of the touched columns come from the server again.
   */
  recordsChanged(change: RecordsChange): void {
    const group = this.group;
    if (this.status !== "ready" || !group || change.table !== this.tableInfo?.name) return;
    const touched = new Set<Key>();
    const reread = new Set<Cell>();
    const filtered = !!(this.viewInfo?.filter || this.userFilter || this.q.trim());
    for (const id of change.deleted ?? []) {
      const found = this.findCard(id);
      if (!found) continue;
      found.cell.records.splice(found.index, 1);
      touched.add(found.cell.column);
    }
    for (const rec of change.records) {
      const found = this.findCard(rec.id);
      // A move in flight answers for itself; an older reply must not undo a newer card.
      if (found && (this.pending.has(rec.id) || found.rec.version > rec.version)) continue;
      const place = placeOf(rec.fields, group, this.columns, this.lane, this.lanes, found?.cell);
      if (found) {
        found.cell.records.splice(found.index, 1);
        touched.add(found.cell.column);
      }
      if (!place) continue;
      touched.add(place.column);
      if (!found && !change.created) continue; // not loaded here: its page brings it when scrolled to
      const to = this.ensureCell(place.column, place.lane);
      const next: ApiRecord = found ? { ...rec, fields: keepExpanded(found.rec.fields, rec.fields) } : rec;
      to.records.splice(found && to === found.cell ? found.index : 0, 0, next);
      if (filtered) reread.add(to);
    }
    this.resolveNames(change.records);
    this.requestUpdate();
    if (touched.size) void this.refreshColumns([...touched]).catch(() => undefined);
    for (const cell of reread) void this.rereadCell(cell);
  }

  /** A cell's first page again (after a change that may have taken a card out of the view's filter). */
  private async rereadCell(cell: Cell): Promise<void> {
    if (cell.loading) return;
    cell.records = [];
    cell.cursor = null;
    cell.done = false;
    await this.loadCell(cell);
  }

  private ensureCell(column: Key, lane: Key | undefined): Cell {
    const key = cellKey(column, lane);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { key, column, lane, records: [], cursor: null, done: false, loading: false, failed: null };
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** The next page of a cell (the first when it has none). */
  private async loadCell(cell: Cell, gen = this.gen): Promise<void> {
    if (cell.loading || cell.done) return;
    cell.loading = true;
    cell.failed = null;
    this.requestUpdate();
    try {
      const filter = cellFilter(this.group!, cell.column, this.lane, cell.lane, this.userFilter);
      const page = await this.source!.list(this.tableInfo!.name, filter, cell.cursor, this.q, PAGE_SIZE, this.expand);
      if (gen !== this.gen) return;
      const have = new Set(cell.records.map((r) => r.id));
      cell.records.push(...page.records.filter((r) => !have.has(r.id)));
      this.resolveNames(page.records);
      cell.cursor = page.nextCursor;
      cell.done = !page.nextCursor;
    } catch (err) {
      if (gen !== this.gen) return;
      cell.failed = err instanceof ApiError ? problemText(err.problem, err.message) : String(err);
    } finally {
      cell.loading = false;
      if (gen === this.gen) this.requestUpdate();
    }
  }

  private onCellScroll(e: Event, cell: Cell): void {
    const el = e.currentTarget as HTMLElement;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 160) void this.loadCell(cell);
  }

  /** Counts and sums of some columns again, from the server (after a move). */
  private async refreshColumns(cols: Key[]): Promise<void> {
    const group = this.group!;
    const gen = this.gen;
    const filter = andFilters(this.userFilter, columnsFilter(group, cols));
    const t = this.tableInfo!.name;
    const [colReply, laneReply] = await Promise.all([
      this.source!.aggregate(t, { ...aggregateBody(group, null, this.sum, filter, this.q), totals: false }),
      this.lane ? this.source!.aggregate(t, aggregateBody(group, this.lane, this.sum, filter, this.q)) : null,
    ]);
    if (gen !== this.gen) return;
    const fresh = readTotals(colReply, group, null, this.sum);
    for (const c of cols) this.colTotals.set(cellKey(c, undefined), fresh.get(cellKey(c, undefined)) ?? { count: 0, sum: null });
    if (this.lane && laneReply) {
      const cells = readTotals(laneReply, group, this.lane, this.sum);
      for (const c of cols) for (const l of this.lanes) this.cellTotals.set(cellKey(c, l), cells.get(cellKey(c, l)) ?? { count: 0, sum: null });
    } else this.cellTotals = this.colTotals;
    for (const c of cols) this.staleColumns.delete(attrKey(c));
    this.requestUpdate();
  }

  // ------------------------------------------------------------------------------ moving

  private findCard(id: number): { cell: Cell; index: number; rec: ApiRecord } | null {
    for (const cell of this.cells.values()) {
      const index = cell.records.findIndex((r) => r.id === id);
      if (index >= 0) return { cell, index, rec: cell.records[index]! };
    }
    return null;
  }

  private notify(kind: "info" | "error", message: string): void {
    emit(this, "sg-notify", { kind, message });
  }

  /** Shows the move at once, sends it, and snaps back with the server's message when refused. */
  async moveCard(id: number, toColumn: Key, toLane: Key | undefined = undefined): Promise<boolean> {
    const found = this.findCard(id);
    if (!found || !this.canMove || this.pending.has(id)) return false;
    const { cell: from, index, rec } = found;
    const lane = this.lane ? (toLane === undefined ? from.lane : toLane) : undefined;
    if (from.column === toColumn && from.lane === lane) return false;
    const to = this.ensureCell(toColumn, lane);
    const fields = moveFields(this.group!, toColumn, this.lane, from.lane, lane);
    const title = this.titleOf(rec);
    const toLabel = this.columnLabel(toColumn);
    // Optimistic: the card moves and the counts follow; the sums wait for the server.
    from.records.splice(index, 1);
    const moved: ApiRecord = { ...rec, fields: { ...rec.fields, ...fields } };
    to.records.unshift(moved);
    this.pending.add(id);
    this.refused = null;
    this.bump(from, -1);
    this.bump(to, +1);
    this.staleColumns.add(attrKey(from.column));
    this.staleColumns.add(attrKey(toColumn));
    this.focusAfterRender = this.focusedId === id ? id : null;
    this.requestUpdate();
    try {
      const saved = await this.source!.update(this.tableInfo!.name, rec, fields);
      const i = to.records.findIndex((r) => r.id === id);
      if (i >= 0) to.records[i] = { ...saved, fields: keepExpanded(moved.fields, saved.fields) };
      emit(this, "sg-records-changed", { table: this.tableInfo!.name, records: [saved] });
      this.live = msg(str`Moved ${title} to ${toLabel}`, { id: "kanban.moved" });
      this.pending.delete(id);
      this.requestUpdate();
      await this.refreshColumns([from.column, toColumn]).catch(() => undefined);
      return true;
    } catch (err) {
      const message = err instanceof ApiError ? problemText(err.problem, err.message) : String(err);
      // Snap back to where the card was, with the server's current row after a 409.
      const i = to.records.findIndex((r) => r.id === id);
      if (i >= 0) to.records.splice(i, 1);
      const current = err instanceof ApiError ? err.current : undefined;
      from.records.splice(Math.min(index, from.records.length), 0, current && current.id === id ? { ...current, fields: keepExpanded(rec.fields, current.fields) } : rec);
      this.bump(from, +1);
      this.bump(to, -1);
      this.staleColumns.delete(attrKey(from.column));
      this.staleColumns.delete(attrKey(toColumn));
      this.pending.delete(id);
      this.banner = message;
      this.refused = { id, message };
      this.live = msg(str`Move refused: ${message}`, { id: "kanban.refused" });
      this.notify("error", message);
      this.focusAfterRender = this.focusedId === id ? id : null;
      this.requestUpdate();
      return false;
    }
  }

  /** Adjusts a count by one while the server decides (counts are integers; sums are left alone). */
  private bump(cell: Cell, by: 1 | -1): void {
    const adjust = (m: Map<string, Totals>, key: string) => {
      const t = m.get(key);
      m.set(key, { count: Math.max(0, (t?.count ?? 0) + by), sum: t?.sum ?? null });
    };
    adjust(this.colTotals, cellKey(cell.column, undefined));
    if (this.lane) adjust(this.cellTotals, cell.key);
  }

  // ------------------------------------------------------------------------------ pointer drag

  private onPointerDown(e: PointerEvent, rec: ApiRecord, cell: Cell): void {
    if (e.button !== 0 || !this.canMove || this.pending.has(rec.id)) return;
    if ((e.target as HTMLElement).closest("button, .menu")) return;
    const el = e.currentTarget as HTMLElement;
    const box = el.getBoundingClientRect();
    this.drag = { id: rec.id, cell: cell.key, pointerId: e.pointerId, startX: e.clientX, startY: e.clientY, offX: e.clientX - box.left, offY: e.clientY - box.top, width: box.width, x: e.clientX, y: e.clientY, active: false, target: null };
    el.setPointerCapture?.(e.pointerId);
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    if (!d.active && Math.hypot(e.clientX - d.startX, e.clientY - d.startY) < 5) return;
    d.active = true;
    d.x = e.clientX;
    d.y = e.clientY;
    d.target = this.cellAt(e.clientX, e.clientY);
    this.requestUpdate();
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointerId) return;
    this.drag = null;
    this.requestUpdate();
    if (!d.active) return;
    const target = d.target && this.cells.get(d.target);
    if (target && d.target !== d.cell) void this.moveCard(d.id, target.column, target.lane);
  }

  private onPointerCancel(): void {
    this.drag = null;
    this.requestUpdate();
  }

  private cellAt(x: number, y: number): string | null {
    const root = this.renderRoot as ShadowRoot;
    for (const el of root.elementsFromPoint(x, y)) {
      const cell = (el as HTMLElement).closest<HTMLElement>("[data-cell-key]");
      if (cell) return cell.dataset.cellKey ?? null;
    }
    return null;
  }

  // ------------------------------------------------------------------------------ keyboard

  private cardsOf(key: string): ApiRecord[] {
    return this.cells.get(key)?.records ?? [];
  }

  private focusCard(id: number | undefined): void {
    if (id === undefined) return;
    this.focusedId = id;
    this.focusAfterRender = id;
    this.requestUpdate();
  }

  private onCardKey(e: KeyboardEvent, rec: ApiRecord, cell: Cell): void {
    if ((e.target as HTMLElement).closest(".menu")) return;
    const g = this.grab;
    if (g && g.id === rec.id) {
      e.preventDefault();
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        const next = neighbour(this.columns, g.column, e.key === "ArrowLeft" ? -1 : 1);
        if (next !== undefined) {
          this.grab = { ...g, column: next };
          this.live = msg(str`Over ${this.columnLabel(next)}`, { id: "kanban.over" });
        }
      } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && this.lane) {
        const i = this.lanes.indexOf(g.lane) + (e.key === "ArrowUp" ? -1 : 1);
        if (i >= 0 && i < this.lanes.length) {
          this.grab = { ...g, lane: this.lanes[i] };
          this.live = msg(str`Over ${this.columnLabel(g.column)}, ${this.laneLabel(this.lanes[i] ?? null)}`, { id: "kanban.overLane" });
        }
      } else if (e.key === " " || e.key === "Enter") {
        this.grab = null;
        if (g.column === cell.column && g.lane === cell.lane) this.live = msg("Move cancelled", { id: "kanban.cancelled" });
        else void this.moveCard(rec.id, g.column, g.lane);
      } else if (e.key === "Escape") {
        this.grab = null;
        this.live = msg("Move cancelled", { id: "kanban.cancelled" });
      }
      return;
    }
    const list = this.cardsOf(cell.key);
    const i = list.findIndex((r) => r.id === rec.id);
    const side = (step: -1 | 1) => {
      const col = neighbour(this.columns, cell.column, step);
      if (col === undefined) return;
      if (e.ctrlKey || e.metaKey) {
        void this.moveCard(rec.id, col, cell.lane);
        return;
      }
      const other = this.cardsOf(cellKey(col, cell.lane));
      this.focusCard(other[Math.min(i, other.length - 1)]?.id);
    };
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        this.focusCard(list[i + 1]?.id);
        if (i + 1 >= list.length - 3) void this.loadCell(cell);
        break;
      case "ArrowUp":
        e.preventDefault();
        this.focusCard(list[i - 1]?.id);
        break;
      case "Home":
        e.preventDefault();
        this.focusCard(list[0]?.id);
        break;
      case "End":
        e.preventDefault();
        this.focusCard(list[list.length - 1]?.id);
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
        if (!this.canMove) break;
        this.grab = { id: rec.id, cell: cell.key, column: cell.column, lane: cell.lane };
        this.live = msg(str`Picked up ${this.titleOf(rec)}. Left and right arrows choose the column, Space drops, Escape cancels.`, { id: "kanban.pickedUp" });
        break;
      case "Enter":
        e.preventDefault();
        this.openRecord(rec);
        break;
      case "m":
      case "M":
      case "ContextMenu":
        if (!this.canMove) break;
        e.preventDefault();
        this.openMenu(rec.id);
        break;
    }
  }

  private openRecord(rec: ApiRecord): void {
    emit(this, "sg-open-record", { table: this.tableInfo?.name ?? "", id: rec.id });
  }

  private openMenu(id: number): void {
    this.menuFor = id;
    this.focusedId = id;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(".menu button")?.focus());
  }

  private closeMenu(refocus = true): void {
    const id = this.menuFor;
    this.menuFor = null;
    if (refocus && id !== null) this.focusCard(id);
  }

  private onMenuKey(e: KeyboardEvent): void {
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>(".menu button")];
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
    return this.userNames.get(id) ?? id;
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
    return formatValue(f as GridField, v, this.me?.timeZone ?? null);
  }

  private money(m: Money): string {
    if (typeof m.amount === "number") return formatMoney(m.amount, m.currency);
    // Past 2^53 the server sends digits; Intl formats the exact decimal string.
    const digits = currencyDigits(m.currency);
    try {
      const nf = new Intl.NumberFormat(currentLocale(), { style: "currency", currency: m.currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
      return nf.format(minorToDecimal(m.amount, digits) as Intl.StringNumericLiteral);
    } catch {
      return `${minorToDecimal(m.amount, digits)} ${m.currency}`;
    }
  }

  private sumText(t: Totals | undefined): string {
    const f = this.sum;
    if (!f) return "";
    const s = t?.sum;
    if (Array.isArray(s)) return s.length ? s.map((m) => this.money(m)).join(" · ") : this.money({ amount: 0, currency: f.options.currency ?? "CNY" });
    if (typeof s === "number") return formatNumber(s);
    return f.type === "currency" ? this.money({ amount: 0, currency: f.options.currency ?? "CNY" }) : formatNumber(0);
  }

  private laneFields(): BoardField[] {
    return ((this.tableInfo?.fields ?? []) as BoardField[]).filter((f) => GROUPABLE.has(f.type) && f.name !== this.group?.name);
  }

  // ------------------------------------------------------------------------------ render

  override render(): TemplateResult {
    const title = this.viewInfo ? labelOf(this.viewInfo) : this.tableInfo ? labelOf(this.tableInfo) : "";
    return html`
      <div class="sr-only" aria-live="polite" data-kanban-live>${this.live}</div>
      <p class="sr-only" id="kanban-help">${msg("Space picks up a card, the arrow keys choose a column, Space drops it and Escape cancels; Ctrl and an arrow key move it at once; M opens the move menu; Enter opens the record.", { id: "kanban.help" })}</p>
      ${this.status === "ready" || this.status === "loading" ? this.renderToolbar(title) : nothing}
      ${this.banner
        ? html`<div class="banner" role="alert" data-kanban-error><span>${this.banner}</span><button type="button" @click=${() => (this.banner = "")}>${msg("Dismiss", { id: "kanban.dismiss" })}</button></div>`
        : nothing}
      ${this.status === "error" ? html`<div class="state error" role="alert">${this.loadError} <button type="button" @click=${() => void this.load()}>${msg("Retry", { id: "common.retry" })}</button></div>` : nothing}
      ${this.status === "idle" ? html`<div class="state">${msg("Give the board a view and a token.", { id: "kanban.idle" })}</div>` : nothing}
      ${this.status === "loading" && !this.columns.length ? html`<div class="state">${msg("Loading…", { id: "common.loading" })}</div>` : nothing}
      ${this.status === "ready" && this.group ? this.renderBoard() : nothing}
      ${this.renderGhost()}
    `;
  }

  private renderToolbar(title: string): TemplateResult {
    const o = this.overall;
    return html`
      <div class="toolbar">
        <h2 data-value>${title}</h2>
        <span class="summary" data-kanban-summary>
          ${o ? msg(str`${formatNumber(o.count)} cards`, { id: "kanban.cards" }) : nothing}${o && this.sum ? html` · ${this.sumText(o)}` : nothing}
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
      ${this.showFilters
        ? html`<div class="filters">
            <sg-filter-builder .fields=${this.tableInfo?.fields ?? []} .value=${this.userFilter} @sg-filter-change=${(e: CustomEvent<{ value: Filter | null; valid: boolean }>) => (this.draftFilter = e.detail.valid ? e.detail.value : this.draftFilter)}></sg-filter-builder>
            <div class="actions">
              <button type="button" @click=${() => this.applyFilter(this.draftFilter)}>${msg("Apply", { id: "kanban.apply" })}</button>
              <button type="button" @click=${() => this.applyFilter(null)}>${msg("Clear", { id: "kanban.clear" })}</button>
            </div>
          </div>`
        : nothing}
    `;
  }

  private renderBoard(): TemplateResult {
    const cols = this.columns;
    const lanes = this.lanes;
    const firstCard = this.focusedId !== null && this.findCard(this.focusedId) ? this.focusedId : [...this.cells.values()].find((c) => c.records.length)?.records[0]?.id;
    return html`
      <div class="board ${this.lane ? "lanes" : "single"}" style="grid-template-columns: repeat(${cols.length}, var(--col-width));"
        @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp} @pointercancel=${this.onPointerCancel}>
        ${cols.map((c) => this.renderHeader(c))}
        ${lanes.map((l) => html`
          ${this.lane ? html`<div class="lanehead" data-lane=${attrKey(l)}><span ?data-value=${this.lane.type === "user" && l !== null}>${this.laneLabel(l ?? null)}</span></div>` : nothing}
          ${cols.map((c) => this.renderCell(this.ensureCell(c, l), firstCard))}
        `)}
      </div>
    `;
  }

  private renderHeader(c: Key): TemplateResult {
    const t = this.colTotals.get(cellKey(c, undefined));
    const color = c === null ? undefined : this.group!.options.choices?.find((x) => x.name === c)?.color;
    const stale = this.staleColumns.has(attrKey(c));
    return html`
      <div class="colhead" role="heading" aria-level="3" data-col=${attrKey(c)} style=${color ? `--c: ${color}` : ""}>
        <span class="name" ?data-value=${this.group!.type === "user" && c !== null}>${this.columnLabel(c)}</span>
        <span class="count" data-count=${t?.count ?? 0}>${formatNumber(t?.count ?? 0)}</span>
        ${this.sum
          ? html`<div class="sum ${stale ? "stale" : ""}" data-sum=${JSON.stringify(t?.sum ?? null)} aria-busy=${stale ? "true" : "false"}>${this.sumText(t)}</div>`
          : nothing}
      </div>
    `;
  }

  private renderCell(cell: Cell, firstCard: number | undefined): TemplateResult {
    const d = this.drag;
    const g = this.grab;
    const target = (d?.active && d.target === cell.key) || (g && cellKey(g.column, this.lane ? g.lane : undefined) === cell.key && g.cell !== cell.key);
    const label = this.lane ? `${this.columnLabel(cell.column)}, ${this.laneLabel(cell.lane ?? null)}` : this.columnLabel(cell.column);
    const total = (this.lane ? this.cellTotals : this.colTotals).get(cellKey(cell.column, cell.lane))?.count ?? 0;
    return html`
      <div class="cell ${target ? "target" : ""}" role="listbox" aria-label=${label} aria-describedby="kanban-help"
        data-cell-key=${cell.key} data-col=${attrKey(cell.column)} data-lane=${attrKey(cell.lane)} @scroll=${(e: Event) => this.onCellScroll(e, cell)}>
        ${repeat(cell.records, (r) => r.id, (r) => this.renderCard(r, cell, r.id === firstCard))}
        ${cell.failed ? html`<div class="empty" role="alert">${cell.failed}</div>` : nothing}
        ${!cell.records.length && cell.done && !cell.failed ? html`<div class="empty">${msg("No cards", { id: "kanban.empty" })}</div>` : nothing}
        ${cell.loading ? html`<div class="empty">${msg("Loading…", { id: "common.loading" })}</div>` : nothing}
        ${!cell.done && !cell.loading && cell.records.length
          ? html`<button type="button" class="more" @click=${() => void this.loadCell(cell)}>${msg(str`Load more (${formatNumber(Math.max(0, total - cell.records.length))} left)`, { id: "kanban.loadMore" })}</button>`
          : nothing}
      </div>
    `;
  }

  private renderCard(rec: ApiRecord, cell: Cell, tabbable: boolean): TemplateResult {
    const grabbed = this.grab?.id === rec.id;
    const dragging = this.drag?.active && this.drag.id === rec.id;
    const refused = this.refused?.id === rec.id ? this.refused.message : "";
    const movable = this.canMove;
    return html`
      <div class="card ${movable ? "" : "readonly"} ${dragging ? "dragging" : ""} ${grabbed ? "grabbed" : ""} ${this.pending.has(rec.id) ? "pending" : ""} ${refused ? "refused" : ""}"
        role="option" tabindex=${tabbable ? "0" : "-1"} aria-selected=${this.focusedId === rec.id ? "true" : "false"}
        aria-roledescription=${msg("card", { id: "kanban.card" })} aria-describedby="kanban-help"
        data-card-id=${rec.id} data-kanban-card
        @focus=${() => (this.focusedId = rec.id)}
        @keydown=${(e: KeyboardEvent) => this.onCardKey(e, rec, cell)}
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
        ${movable
          ? html`<button type="button" class="menu-button" tabindex="-1" aria-haspopup="menu" aria-label=${msg("Move card", { id: "kanban.moveMenu" })}
              @click=${() => (this.menuFor === rec.id ? this.closeMenu() : this.openMenu(rec.id))}>⋯</button>`
          : nothing}
        ${this.menuFor === rec.id ? this.renderMenu(rec, cell) : nothing}
      </div>
    `;
  }

  private renderMenu(rec: ApiRecord, cell: Cell): TemplateResult {
    const targets = this.columns.filter((c) => c !== cell.column);
    return html`
      <div class="menu" role="menu" aria-label=${msg("Move to", { id: "kanban.moveTo" })} @keydown=${this.onMenuKey} @focusout=${(e: FocusEvent) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node)) this.closeMenu(false);
      }}>
        <span class="label">${msg("Move to", { id: "kanban.moveTo" })}</span>
        ${targets.map((c) => html`<button type="button" role="menuitem" data-move-to=${attrKey(c)} @click=${() => {
          this.closeMenu();
          void this.moveCard(rec.id, c, cell.lane);
        }}>${this.columnLabel(c)}</button>`)}
      </div>
    `;
  }

  private renderGhost(): TemplateResult | typeof nothing {
    const d = this.drag;
    if (!d?.active) return nothing;
    const found = this.findCard(d.id);
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
