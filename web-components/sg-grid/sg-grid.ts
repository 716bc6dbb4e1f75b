/**
 * <sg-grid base-url view token table>: a table's records in Handsontable, server-paged so a table of
 * a million rows opens with its first page and scrolls by loading the pages it shows (RecordSource:
 * an LRU of pages, so memory stays bounded). Edits, fills, undo/redo and pastes become bulk PATCHes
 * (one request per 1000 records); the server's problem+json marks the cells it names, and a 409 shows
 * the current value. Read-only fields are locked; hidden fields never arrive. Sort (headers), filter,
 * search and the row count run on the server. Column widths, order and frozen columns are saved to
 * the view (admins). With an embed token it talks to /api/embed only.
 * Controllers own what it borrows: the rows and their count (rows-controller.ts over data-source.ts)
 * the Handsontable instance with its clipboard (hot-controller.ts), and edits, pastes and the
 * marks of their problems (edits-controller.ts).
 */
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import { ApiClient, ApiError, type ApiRecord, type ListOptions, type TableInfo, type ViewInfo } from "../api/client";
import { formatNumber, labelOf, localized, msg, str } from "../i18n/index";
import "../sg-filter/filter-builder";
import { columnFor, type CellContext } from "./cells";
import type { PageRequest } from "./data-source";
import { chunk } from "./edits";
import { THEME } from "./hot";
import { GridEditsController, type HotChange } from "./edits-controller";
import { HotController } from "./hot-controller";
import { GridRowsController } from "./rows-controller";
import { clipboardText, SERVER_ASSIGNED, type GridField } from "./values";
import { emit, type RecordsChange } from "../events";
import { applyHostHeight, hostHeight } from "../host-height";

const PAGE_SIZE = 100;
const MAX_PAGES = 30;

/** Embed tokens are JWTs for the audience salesgrid-embed; sign-in tokens are not. */
function isEmbedToken(token: string): boolean {
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const aud = payload.aud;
    return aud === "salesgrid-embed" || (Array.isArray(aud) && aud.includes("salesgrid-embed"));
  } catch {
    return false;
  }
}

@localized()
export class SgGrid extends LitElement {
  static override styles = [
    hostHeight,
    css`
    :host { display: flex; flex-direction: column; font: 14px/1.4 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f2328; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 6px 4px; }
    .bar input[type=search] { font: inherit; padding: 4px 8px; min-width: 14em; border: 1px solid #ccd; border-radius: 4px; }
    .bar button { font: inherit; padding: 4px 10px; border: 1px solid #ccd; background: #fff; border-radius: 4px; cursor: pointer; }
    .bar button:disabled { opacity: 0.5; cursor: default; }
    .count { margin-left: auto; color: #57606a; }
    .message { padding: 4px 8px; border-radius: 4px; }
    .message.error { background: #ffebe9; color: #a40e26; }
    .message.info { background: #ddf4ff; color: #0a3069; }
    .filter { padding: 4px; border: 1px solid #e5e7eb; border-radius: 4px; margin: 0 4px 6px; }
    .hot { flex: 1; min-height: 120px; position: relative; overflow: hidden; }
    .sg-chip { display: inline-block; padding: 0 8px; margin: 1px 3px 1px 0; border-radius: 10px; font-size: 12px; line-height: 18px; }
    td.sg-loading { background: linear-gradient(90deg, #f3f4f6 25%, #e5e7eb 50%, #f3f4f6 75%); }
    td.sg-readonly { color: #57606a; background: #f6f8fa; }
    td.sg-invalid { box-shadow: inset 0 0 0 2px #d1242f; background: #ffebe9; }
    td.sg-conflict { box-shadow: inset 0 0 0 2px #bf8700; background: #fff8c5; }
    .sg-picker { position: absolute; z-index: 300; list-style: none; margin: 0; padding: 2px 0; background: #fff; border: 1px solid #ccd; max-height: 240px; overflow: auto; min-width: 14em; box-shadow: 0 4px 12px rgba(0,0,0,.15); }
    .sg-picker li { padding: 3px 8px; cursor: pointer; white-space: nowrap; }
    .sg-picker li:hover { background: #ddf4ff; }
  `,
  ];

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
  @state() private notice: { kind: "info" | "error"; text: string } | null = null;
  @state() private showFilter = false;
  @state() private selectedRows: number[] = [];

  @query(".hot") private hotHost!: HTMLDivElement;

  private client!: ApiClient;
  private tableInfo: TableInfo | null = null;
  private viewInfo: ViewInfo | null = null;
  private mode: "read" | "edit" = "edit";
  private fields: GridField[] = [];
  private sort: string[] = [];
  private filter: unknown = null;
  private q = "";
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
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
    errorText: (err) => this.errorText(err),
    refresh: () => this.refresh(),
    wrote: () => void this.writes++,
    written: (change) => void emit(this, "sg-records-changed", change),
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
    // A lock marks the columns this user may not change.
    return this.fields.map((f) => (this.canWrite(f) && !SERVER_ASSIGNED.has(f.type) ? labelOf(f) : `🔒 ${labelOf(f)}`));
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

  private searchFor(f: GridField): CellContext["search"] {
    if (f.type === "link" && f.options.table && !this.client.embedded) {
      const target = f.options.table;
      return async (text) => {
        const reply = await this.client.listRecords(target, { q: text || undefined, limit: 20 });
        const t = (await this.client.table(target).catch(() => null))?.table;
        const primary = t?.fields.find((x) => x.id === t.primaryFieldId) ?? t?.fields[0];
        return reply.records.map((r) => ({
          id: String(r.id),
          label: `#${r.id} ${primary ? String(r.fields[primary.name] ?? "") : ""}`.trim(),
        }));
      };
    }
    if (f.type === "user") {
      return async (text) => {
        // The user directory (GET /api/users?q=, for signed-in users; an embed has none): then the
        // users already on screen.
        try {
          const reply = await this.client.users({ ...(text ? { q: text } : {}), limit: 50 });
          return reply.users.map((u) => ({ id: u.id, label: u.email ? `${u.name} <${u.email}>` : u.name }));
        } catch {
          const seen = new Set<string>();
          for (let r = 0; r < (this.total ?? 0) && seen.size < 50; r++) {
            const v = this.source?.rowAt(r)?.fields[f.name];
            if (typeof v === "string") seen.add(v);
            if (r > 2000) break;
          }
          return [...seen].filter((id) => id.includes(text)).map((id) => ({ id, label: id }));
        }
      };
    }
    return undefined;
  }

  private createHot(licenseKey: string): void {
    const host = this.hotHost;
    if (!host || !this.source) return;
    const source = this.source;
    const widths = (this.viewInfo?.layout?.columnWidths ?? {}) as Record<string, number>;
    const frozen = Number(this.viewInfo?.layout?.frozenColumns ?? 0);
    const columns = this.fields.map((f) =>
      columnFor(
        {
          field: f,
          state: (row) => this.edits.cellState(row, f.name),
          search: this.searchFor(f),
          open: (row) => this.openRow(row),
        },
        !this.canWrite(f),
      ),
    );
    const lockedCols = columns.map((c) => c.readOnly === true);
    this.sheet.create(
      host,
      {
        licenseKey,
        columns,
        colWidths: this.fields.map(
          (f) => widths[f.name] ?? (f.type === "long_text" ? 260 : f.type === "checkbox" ? 80 : 150),
        ),
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
        afterColumnResize: () => this.layoutChanged(),
        afterColumnMove: () => this.layoutChanged(),
        afterColumnFreeze: () => this.layoutChanged(),
        afterColumnUnfreeze: () => this.layoutChanged(),
        afterSelectionEnd: (r1: number, _c1: number, r2: number) => {
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
        callback: () => void this.deleteSelected(),
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
    const next = dest
      .map((d) => ({ f: this.fieldAt(hot.colToProp(d.column) as string), d }))
      .filter((x) => x.f && !["multi_select", "link"].includes(x.f.type))
      .map(({ f, d }) => `${d.sortOrder === "desc" ? "-" : ""}${f!.name}`);
    this.sheet.setSortConfig(dest);
    this.sort = next;
    void this.refresh();
    return false;
  }

  private applySortIndicator(): void {
    const hot = this.hot;
    if (!hot) return;
    const config = this.sort
      .map((s) => ({
        column: this.fields.findIndex((f) => f.name === s.replace(/^-/, "")),
        sortOrder: s.startsWith("-") ? "desc" : "asc",
      }))
      .filter((c) => c.column >= 0)
      .slice(0, 1);
    this.sheet.setSortConfig(config);
  }

  /** Reloads rows for the current sort, filter and search, from the top. */
  private async refresh(): Promise<void> {
    if (!this.source) return;
    this.edits.clear();
    if (await this.rows.refresh()) this.sheet.reloaded();
  }

  private async addRow(): Promise<void> {
    try {
      this.writes++;
      const reply = await this.client.createRecords(this.tableInfo!.name, [{ fields: {} }]);
      emit(this, "sg-records-changed", { table: this.tableInfo!.name, records: reply.records, created: true });
      await this.refresh();
      const last = (this.total ?? 1) - 1;
      this.hot?.scrollViewportTo({ row: last });
      this.notify("info", msg("Row added", { id: "grid.rowAdded" }));
    } catch (err) {
      this.notify("error", this.errorText(err));
    }
  }

  private async deleteSelected(): Promise<void> {
    const recs = this.selectedRows.map((r) => this.source?.rowAt(r)).filter((r): r is ApiRecord => !!r);
    if (!recs.length) return;
    try {
      for (const part of chunk(recs.map((r) => ({ id: r.id, version: r.version })))) {
        this.writes++;
        await this.client.deleteRecords(this.tableInfo!.name, part);
        emit(this, "sg-records-changed", { table: this.tableInfo!.name, records: [], deleted: part.map((r) => r.id) });
      }
      this.notify("info", msg(str`${recs.length} rows deleted`, { id: "grid.rowsDeleted" }));
      await this.refresh();
    } catch (err) {
      this.notify("error", this.errorText(err));
    }
  }

  /** Column widths, order and frozen columns go to the view (admins may change views). */
  private layoutChanged(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveLayout(), 600);
  }

  private async saveLayout(): Promise<void> {
    const hot = this.hot;
    const view = this.viewInfo;
    if (!hot || !view || this.client.embedded) return;
    const order = Array.from({ length: hot.countCols() }, (_, c) => hot.colToProp(c) as string);
    const columnWidths = Object.fromEntries(
      order.map((name, c) => [name, Math.max(20, Math.min(2000, Math.round(hot.getColWidth(c))))]),
    );
    const frozenColumns = Math.min(20, hot.getSettings().fixedColumnsStart ?? 0);
    try {
      const reply = await this.client.request<{ view: ViewInfo }>(
        "PATCH",
        `/api/meta/views/${encodeURIComponent(view.id)}`,
        {
          version: view.version,
          fields: order,
          layout: { ...(view.layout ?? {}), columnWidths, frozenColumns },
        },
      );
      this.viewInfo = reply.view;
      emit(this, "sg-layout-saved", { view: reply.view });
    } catch (err) {
      // Only admins change views; for others the layout lasts until the page reloads.
      if (!(err instanceof ApiError && (err.status === 403 || err.status === 404)))
        this.notify("error", this.errorText(err));
    }
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

  private notify(kind: "info" | "error", text: string): void {
    this.notice = { kind, text };
    emit(this, "sg-notify", { kind, message: text });
  }

  private errorText(err: unknown): string {
    // An ApiError's message is already worded in the UI's language (api/client.ts).
    return err instanceof Error ? err.message : String(err);
  }

  protected override render() {
    if (this.failure) return html`<div class="message error" role="alert">${this.failure}</div>`;
    const readable = this.fields.filter((f) => f.type !== "link");
    return html`
      <div class="bar">
        <input type="search" name="q" placeholder=${msg("Search", { id: "grid.search" })} aria-label=${msg("Search", { id: "grid.search" })} @input=${this.onSearch} />
        <button type="button" data-action="filter" @click=${() => (this.showFilter = !this.showFilter)}>${msg("Filter", { id: "grid.filter" })}${this.filter ? " •" : ""}</button>
        ${this.canCreate ? html`<button type="button" data-action="add-row" @click=${() => void this.addRow()}>${msg("Add row", { id: "grid.addRow" })}</button>` : nothing}
        ${this.canDelete ? html`<button type="button" data-action="delete-rows" ?disabled=${!this.selectedRows.length} @click=${() => void this.deleteSelected()}>${msg("Delete rows", { id: "grid.deleteRows" })}</button>` : nothing}
        ${this.notice ? html`<span class="message ${this.notice.kind}" role=${this.notice.kind === "error" ? "alert" : "status"} data-notice>${this.notice.text}</span>` : nothing}
        <span class="count" data-row-count=${this.total ?? ""}>${this.rows.loading ? msg("Loading…", { id: "grid.loading" }) : msg(str`${formatNumber(this.total ?? 0)} rows`, { id: "grid.rows" })}</span>
      </div>
      ${this.showFilter ? html`<div class="filter"><sg-filter-builder .fields=${readable} .value=${this.filter} @sg-filter-change=${this.onFilter}></sg-filter-builder></div>` : nothing}
      <div class="hot ${THEME}"></div>
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
