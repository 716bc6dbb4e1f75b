/**
 * <sg-grid base-url view token table>: a table's records in Handsontable, server-paged so a table of
 * a million rows opens with its first page and scrolls by loading the pages it shows (RecordSource:
 * an LRU of pages, so memory stays bounded). Edits, fills, undo/redo and pastes become bulk PATCHes
 * (one request per 1000 records); the server's problem+json marks the cells it names, and a 409 shows
 * the current value. Read-only fields are locked; hidden fields never arrive. Sort (headers), filter,
 * search and the row count run on the server. Column widths, order and frozen columns are saved to
 * the view (admins). With an embed token it talks to /api/embed only.
 * Controllers own what it borrows: the rows and their count (rows-controller.ts over data-source.ts)
 * the Handsontable instance with its clipboard (hot-controller.ts), edits, pastes and the marks of
 * their problems (edits-controller.ts), adding and deleting rows (row-actions.ts) and saving the
 * layout (layout-controller.ts); columns.ts is the column set, pickers.ts what link and user cells
 * offer, toolbar.ts the bar above the sheet.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import { ApiClient, type ListOptions, type TableInfo, type ViewInfo } from "../api/client";
import { labelOf, localized, msg } from "../i18n/index";
import "../sg-filter/filter-builder";
import { columnSet, sortFromHeaders, sortIndicator } from "./columns";
import type { PageRequest } from "./data-source";
import { isEmbedToken } from "./embed-token";
import { gridStyles } from "./grid-styles";
import { THEME } from "./hot";
import { GridEditsController, type HotChange } from "./edits-controller";
import { HotController } from "./hot-controller";
import { GridLayoutController } from "./layout-controller";
import { GridNamesController } from "./names";
import { pickerSearch } from "./pickers";
import { GridRowActions } from "./row-actions";
import { GridRowsController } from "./rows-controller";
import { toolbar } from "./toolbar";
import { CellNoteController } from "./cell-note";
import "../sg-toast/sg-toast";
import type { SgToast } from "../sg-toast/sg-toast";
import { clipboardText, SERVER_ASSIGNED, type GridField } from "./values";
import { emit, type RecordsChange } from "../events";
import { applyHostHeight, hostHeight } from "../host-height";

const PAGE_SIZE = 100;
const MAX_PAGES = 30;

@localized()
export class SgGrid extends LitElement {
  static override styles = [hostHeight, gridStyles];

  @property({ attribute: "base-url" }) baseUrl = "";
  /** A view id or name (its table, columns, sort, filter and layout). */
  @property() view = "";
  /** A table id or name, when there is no view. */
  @property() table = "";
  /** A sign-in access token or an embed token. */
  @property() token = "";
  /** Handsontable licence key; by default the server's (GET /api/config). */
  @property({ attribute: "license-key" }) licenseKey = "";
  /** Set by <sg-app>: its signed-in client. */
  @property({ attribute: false }) api: ApiClient | null = null;
  /** Its own height when the page gives it none: "250" (px) or a CSS length; 400 px by default. */
  @property() height = "";

  @state() private failure: string | null = null;
  @state() private showFilter = false;
  @state() private selectedRows: number[] = [];

  @query(".hot") private hotHost!: HTMLDivElement;
  @query("sg-toast") private toast!: SgToast | null;

  private client!: ApiClient;
  private tableInfo: TableInfo | null = null;
  private viewInfo: ViewInfo | null = null;
  private mode: "read" | "edit" = "edit";
  private fields: GridField[] = [];
  private sort: string[] = [];
  private filter: unknown = null;
  private q = "";
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  /** Bulk writes sent (the tests count them). */
  writes = 0;

  /** The rows from the server, page by page, and their count. */
  private readonly rows = new GridRowsController(this, {
    fetch: (req) => this.fetchPage(req),
    pageSize: PAGE_SIZE,
    maxPages: MAX_PAGES,
    onChange: () => this.queueRender(),
    onError: (err) => this.notify("error", this.errorText(err)),
  });
  /** The Handsontable instance over those rows. */
  private readonly sheet = new HotController(this, this.rows, {
    headers: () => this.headers(),
    locked: (col) => this.lockedAt(col),
    copyCell: (prop, v) => {
      const f = this.fieldAt(prop);
      return f ? clipboardText(f, v) : v;
    },
  });

  /** Typing, fills, undo and paste, written to the server with their problems on the cells. */
  private readonly edits = new GridEditsController(this, {
    rows: this.rows,
    sheet: this.sheet,
    client: () => this.client,
    table: () => this.tableInfo!.name,
    field: (prop) => this.fieldAt(prop),
    canWrite: (f) => this.canWrite(f),
    canCreate: () => this.canCreate,
    notify: (kind, text) => this.notify(kind, text),
    cellNote: (row, field, text) => this.note.show(row, field, text),
    errorText: (err) => this.errorText(err),
    refresh: () => this.refresh(),
    wrote: () => void this.writes++,
    written: (change) => void emit(this, "sg-records-changed", change),
  });

  /** The message beside a cell whose edit was refused. */
  private readonly note = new CellNoteController(this, this.sheet, () => this.hotHost?.parentElement ?? null);

  /** Add row and delete rows. */
  private readonly rowActions = new GridRowActions(this, {
    rows: this.rows,
    sheet: this.sheet,
    client: () => this.client,
    tableInfo: () => this.tableInfo!,
    selected: () => this.selectedRows,
    column: (name) => this.fields.findIndex((f) => f.name === name),
    notify: (kind, text) => this.notify(kind, text),
    errorText: (err) => this.errorText(err),
    refresh: () => this.refresh(),
    wrote: () => void this.writes++,
    written: (change) => void emit(this, "sg-records-changed", change),
  });

  /** Names for the user and link ids in cells. */
  private readonly names = new GridNamesController(this, {
    client: () => this.client,
    field: (name) => this.fieldAt(name),
    changed: () => this.queueRender(),
  });

  /** Column widths, order and frozen columns, saved to the view. */
  private readonly layout = new GridLayoutController(this, {
    hot: () => this.hot,
    client: () => this.client,
    view: () => this.viewInfo,
    saved: (view) => {
      this.viewInfo = view;
      emit(this, "sg-layout-saved", { view });
    },
    failed: (err) => this.notify("error", this.errorText(err)),
  });

  private get hot() {
    return this.sheet.hot;
  }

  private get source() {
    return this.rows.source;
  }

  private get total(): number | null {
    return this.rows.total;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("height")) applyHostHeight(this, this.height);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.started) return;
    this.started = true;
    queueMicrotask(() => void this.start());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.started = false;
  }

  private headers(): string[] {
    return this.fields.map((f) => labelOf(f));
  }

  /** Columns this user may not change (their headers show a lock). */
  private lockedAt(col: number): boolean {
    const f = this.fields[col];
    return !!f && (!this.canWrite(f) || SERVER_ASSIGNED.has(f.type));
  }

  /** Rows matching the current filter and search. */
  get rowCount(): number | null {
    return this.total;
  }

  /** Reloads meta and rows (after an outside change). */
  async reload(): Promise<void> {
    this.sheet.destroy();
    await this.start();
  }

  /**
   * Records written elsewhere (sg-app routes the drawer's and the board's saves here): rows take the
   * saved values and versions in place. New or deleted records, or a filter or search that a changed
   * record may no longer match, read the rows again from the server.
   */
  recordsChanged(change: RecordsChange): void {
    if (!this.source || change.table !== this.tableInfo?.name) return;
    if (change.created || change.deleted?.length || this.filter || this.q || this.viewInfo?.filter) {
      void this.refresh();
      return;
    }
    this.source.replace(change.records);
    this.queueRender();
  }

  // ---------------------------------------------------------------------------------------- setup

  private async start(): Promise<void> {
    this.rows.setLoading(true);
    this.failure = null;
    try {
      const embed = !this.api && !!this.token && isEmbedToken(this.token);
      this.client =
        this.api ??
        new ApiClient({
          baseUrl: this.baseUrl,
          ...(embed ? { embedToken: this.token } : this.token ? { token: this.token } : {}),
        });
      await this.loadMeta();
      const key =
        this.licenseKey ||
        (await this.client.config().then(
          (c) => c.handsontableLicenseKey,
          () => "",
        )) ||
        "non-commercial-and-evaluation";
      await this.rows.open();
      this.rows.setLoading(false);
      await this.updateComplete;
      this.createHot(key);
    } catch (err) {
      this.rows.setLoading(false);
      this.failure = this.errorText(err);
    }
  }

  private async loadMeta(): Promise<void> {
    if (this.client.embedded) {
      const r = await this.client.embedView();
      this.viewInfo = r.view;
      this.tableInfo = r.table;
      this.mode = r.mode;
    } else if (this.view) {
      this.viewInfo = (await this.client.view(this.view)).view;
      this.tableInfo = (await this.client.table(this.viewInfo.tableId)).table;
    } else {
      this.tableInfo = (await this.client.table(this.table)).table;
    }
    const all: GridField[] = this.tableInfo.fields;
    const order = this.viewInfo?.fields;
    // Hidden fields are not in the table reply at all, so they cannot show up here.
    this.fields = order?.length
      ? order.map((n) => all.find((f) => f.name === n)).filter((f): f is GridField => !!f)
      : all;
    this.sort = (this.viewInfo?.sort ?? []).map((s) => `${s.direction === "desc" ? "-" : ""}${s.field}`);
  }

  private get canUpdate(): boolean {
    return this.mode === "edit" && this.tableInfo?.access?.update !== false;
  }

  private get canCreate(): boolean {
    return !!this.client && !this.client.embedded && this.tableInfo?.access?.create === true;
  }

  private get canDelete(): boolean {
    return !!this.client && !this.client.embedded && this.tableInfo?.access?.delete === true;
  }

  private canWrite(f: GridField): boolean {
    return this.canUpdate && f.access !== "read";
  }

  private fetchPage(req: PageRequest) {
    const links = this.fields.filter((f) => f.type === "link").map((f) => f.name);
    const opts: ListOptions = {
      limit: req.limit,
      count: req.count,
      ...(req.cursor ? { cursor: req.cursor } : {}),
      ...(req.offset ? { offset: req.offset } : {}),
      ...(this.sort.length ? { sort: this.sort } : {}),
      ...(this.filter ? { filter: this.filter } : {}),
      ...(this.q ? { q: this.q } : {}),
    };
    if (this.viewInfo && !this.client.embedded) return this.client.viewRecords(this.viewInfo.id, opts);
    return this.client.listRecords(this.tableInfo!.name, {
      ...opts,
      ...(links.length && !this.client.embedded ? { expand: links } : {}),
    });
  }

  private createHot(licenseKey: string): void {
    const host = this.hotHost;
    if (!host || !this.source) return;
    const source = this.source;
    const rows = { rowAt: (r: number) => source.rowAt(r), total: () => this.total ?? 0 };
    const { columns, lockedCols, colWidths, frozen } = columnSet(
      this.fields,
      this.viewInfo?.layout,
      (f) => ({
        field: f,
        state: (row) => this.edits.cellState(row, f.name),
        names: this.names,
        search: pickerSearch(this.client, f, rows),
        open: (row) => this.openRow(row),
      }),
      (f) => !this.canWrite(f),
    );
    this.sheet.create(
      host,
      {
        licenseKey,
        columns,
        colWidths,
        rowHeaders: true,
        rowHeights: 28,
        height: "100%",
        width: "100%",
        fixedColumnsStart: frozen,
        autoRowSize: false,
        autoColumnSize: false,
        // Rendering a few rows beyond the viewport keeps scrolling smooth without rendering the table.
        viewportRowRenderingOffset: 20,
        manualColumnResize: true,
        manualColumnMove: true,
        manualColumnFreeze: true,
        columnSorting: { headerAction: true, indicator: true, sortEmptyCells: true },
        copyPaste: { rowsLimit: 10_000, columnsLimit: 300 },
        fillHandle: this.canUpdate ? { autoInsertRow: false, direction: "vertical" } : false,
        undo: true,
        outsideClickDeselects: false,
        contextMenu: this.contextMenu(),
        // Always say readOnly either way: a cell's meta outlives a render, so a row first drawn while
        // loading would otherwise stay locked after its page arrives.
        cells: (row: number, col: number) => ({ readOnly: !source.has(row) || lockedCols[col] === true }),
      },
      {
        beforeChange: (changes: (HotChange | null)[], src: string) => this.edits.beforeChange(changes, src),
        afterChange: (changes: HotChange[] | null, src: string) => void this.edits.afterChange(changes, src),
        beforePaste: (data: unknown[][], coords: { startRow: number; startCol: number }[]) =>
          this.edits.beforePaste(data, coords),
        beforeColumnSort: (_current: unknown, dest: { column: number; sortOrder: "asc" | "desc" }[]) =>
          this.beforeColumnSort(dest),
        afterColumnResize: () => this.layout.changed(),
        afterColumnMove: () => this.layout.changed(),
        afterColumnFreeze: () => this.layout.changed(),
        afterColumnUnfreeze: () => this.layout.changed(),
        afterScrollVertically: () => this.note.clear(),
        afterSelectionEnd: (r1: number, c1: number, r2: number) => {
          this.note.selected(r1, c1);
          const [a, b] = [Math.min(r1, r2), Math.max(r1, r2)];
          this.selectedRows = b - a < 1000 ? Array.from({ length: b - a + 1 }, (_, i) => a + i) : [];
        },
      },
    );
    this.applySortIndicator();
    emit(this, "sg-grid-ready", { total: this.total });
  }

  /** Asks the page (the app's drawer) to open a row's record. */
  private openRow(row: number): void {
    const rec = this.source?.rowAt(row);
    if (rec) emit(this, "sg-open-record", { table: this.tableInfo?.name ?? "", id: rec.id });
  }

  private contextMenu() {
    const items: Record<string, unknown> = {
      freeze_column: {},
      unfreeze_column: {},
      "---------": {},
      undo: {},
      redo: {},
      copy: {},
      cut: {},
    };
    if (this.canDelete) {
      items.sg_delete = {
        name: msg("Delete rows", { id: "grid.deleteRows" }),
        callback: () => void this.rowActions.deleteSelected(),
      };
    }
    return { items };
  }

  private queueRender(): void {
    this.sheet.queueRender();
  }

  private fieldAt(prop: string | number): GridField | undefined {
    return this.fields.find((f) => f.name === prop);
  }

  private beforeColumnSort(dest: { column: number; sortOrder: "asc" | "desc" }[]): boolean {
    const hot = this.hot;
    if (!hot) return false;
    const next = sortFromHeaders(dest, (col) => this.fieldAt(hot.colToProp(col) as string));
    this.sheet.setSortConfig(dest);
    this.sort = next;
    void this.refresh();
    return false;
  }

  private applySortIndicator(): void {
    if (this.hot) this.sheet.setSortConfig(sortIndicator(this.sort, this.fields));
  }

  /** Reloads rows for the current sort, filter and search, from the top. */
  private async refresh(): Promise<void> {
    if (!this.source) return;
    this.edits.clear();
    if (await this.rows.refresh()) this.sheet.reloaded();
  }

  // ---------------------------------------------------------------------------------------- chrome

  private onSearch(e: Event): void {
    const value = (e.target as HTMLInputElement).value.trim().slice(0, 200);
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      if (value === this.q) return;
      this.q = value;
      void this.refresh();
    }, 250);
  }

  private onFilter(e: HTMLElementEventMap["sg-filter-change"]): void {
    e.stopPropagation();
    if (!e.detail.valid) return;
    if (JSON.stringify(e.detail.value ?? null) === JSON.stringify(this.filter ?? null)) return;
    this.filter = e.detail.value;
    void this.refresh();
  }

  /**
   * A message for the user: inside <sg-app> (which hands the grid its `api`) the app's notifications
   * show it; on its own (a page, an embed) the grid's toast does. Either way once, never stacked.
   */
  private notify(kind: "info" | "error", text: string): void {
    emit(this, "sg-notify", { kind, message: text });
    if (!this.api) this.toast?.show(kind, text);
  }

  private errorText(err: unknown): string {
    // An ApiError's message is already worded in the UI's language (api/client.ts).
    return err instanceof Error ? err.message : String(err);
  }

  protected override render() {
    if (this.failure) return html`<div class="message error" role="alert">${this.failure}</div>`;
    const readable = this.fields.filter((f) => f.type !== "link");
    return html`
      ${toolbar(
        {
          filtered: !!this.filter,
          canCreate: this.canCreate,
          canDelete: this.canDelete,
          selected: this.selectedRows.length,
          loading: this.rows.loading,
          total: this.total,
        },
        {
          search: (e) => this.onSearch(e),
          toggleFilter: () => (this.showFilter = !this.showFilter),
          addRow: () => void this.rowActions.addRow(),
          deleteRows: () => void this.rowActions.deleteSelected(),
        },
      )}
      ${this.showFilter ? html`<div class="filter"><sg-filter-builder .fields=${readable} .value=${this.filter} @sg-filter-change=${this.onFilter}></sg-filter-builder></div>` : nothing}
      <div class="sheet"><div class="hot ${THEME}"></div>${this.note.render()}</div>
      ${this.rowActions.render()}
    `;
  }
}

// Defined after @localized() has wrapped the class, so a grid already in the page (an embed) gets the
// locale controller too; guarded, as app.js and embed.js may both be on one page.
if (!customElements.get("sg-grid")) customElements.define("sg-grid", SgGrid);

declare global {
  interface HTMLElementTagNameMap {
    "sg-grid": SgGrid;
  }
}
