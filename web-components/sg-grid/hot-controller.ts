/**
 * The grid's Handsontable instance: created into the element's shadow root (its CSS adopted there,
 * never injected into the page), its rows virtual (as many as the server counts; a row's data is its
 * cached record, and the rows shown are asked of the source as the user scrolls), re-rendered at most
 * once a frame, its texts following the app's language, destroyed with the element. Copy and cut
 * write spreadsheet-safe text: each cell through `copyCell`, then text/plain with every cell whole.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { toTsv } from "../../lib/spreadsheet-safe";
import { currentLocale, msg } from "../i18n/index";
import { Handsontable, handsontableSheets, hotLanguage, THEME } from "./hot";
import type { GridRowsController } from "./rows-controller";

export type Hot = InstanceType<typeof Handsontable.Core>;

const PLACEHOLDER = Object.freeze({});
/** The clipboard type under which Handsontable's copy also puts the raw cell values. */
const HOT_SOURCE_DATA_TYPE = "application/ht-source-data-json-html";

export interface HotOptions {
  /** Column headers (again after a language switch). */
  headers(): string[];
  /** Whether the column at `col` is one this user may not change (its header shows a lock). */
  locked(col: number): boolean;
  /** A copied cell's text, from its column's property and stored value. */
  copyCell(prop: string, value: unknown): unknown;
}

type Host = ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment };

export class HotController implements ReactiveController {
  hot: Hot | null = null;
  private locale = "";
  private queued = false;
  private styled = false;
  /** The cells of the copy or cut being handled, until its event reaches the window (finishClipboard). */
  private clipboardRows: string[][] | null = null;

  constructor(
    private readonly host: Host,
    private readonly rows: GridRowsController,
    private readonly opts: HotOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener("copy", this.finishClipboard);
    window.addEventListener("cut", this.finishClipboard);
  }

  hostDisconnected(): void {
    window.removeEventListener("copy", this.finishClipboard);
    window.removeEventListener("cut", this.finishClipboard);
    this.destroy();
  }

  hostUpdated(): void {
    if (!this.styled) {
      this.styled = true;
      const root = this.host.renderRoot as ShadowRoot;
      root.adoptedStyleSheets = [...handsontableSheets(), ...root.adoptedStyleSheets];
    }
    // A language switch (@localized re-renders the element): Handsontable's texts and the headers follow.
    const hot = this.hot;
    if (!hot || this.locale === currentLocale()) return;
    this.locale = currentLocale();
    hot.updateSettings({ language: hotLanguage(this.locale), colHeaders: this.opts.headers() } as never);
  }

  /** Handsontable in `container` with the grid's settings and hooks, over the rows' source. */
  create(
    container: HTMLElement,
    settings: Record<string, unknown>,
    hooks: Record<string, (...args: never[]) => unknown>,
  ): Hot {
    const source = this.rows.source!;
    const hot = new Handsontable(container, {
      themeName: THEME,
      language: hotLanguage((this.locale = currentLocale())),
      // Its CSS is adopted into this shadow root (hot.ts); injected into the page's head it would
      // restyle the host page's own tables.
      injectCoreCss: false,
      data: [],
      colHeaders: this.opts.headers(),
      ...settings,
    } as never) as Hot;
    // Virtual rows: the table is as long as the server says; a row's data is its cached record.
    hot.addHook("modifySourceLength" as never, (() => source.total ?? 0) as never);
    hot.addHook("modifyRowData", ((row: number) => source.rowAt(row)?.fields ?? { ...PLACEHOLDER }) as never);
    hot.addHook("afterRender", () => this.requestVisible());
    hot.addHook("afterScrollVertically", () => this.requestVisible());
    hot.addHook("beforeCopy", ((data: unknown[][], coords: { startRow: number; startCol: number }[]) =>
      this.beforeCopy(data, coords)) as never);
    hot.addHook("beforeCut", ((data: unknown[][], coords: { startRow: number; startCol: number }[]) =>
      this.beforeCopy(data, coords)) as never);
    // Walkontable labels the corner header in English whatever the language: say it in ours.
    hot.addHook("afterGetColHeader", ((col: number, th: HTMLTableCellElement) => {
      if (col < 0) th.setAttribute("aria-label", msg("Select whole grid", { id: "grid.selectAll" }));
      // The lock is drawn by CSS (an SVG, not an emoji a font may lack) and named for screen readers.
      const locked = col >= 0 && this.opts.locked(col);
      th.classList.toggle("sg-locked", locked);
      if (locked) th.setAttribute("title", msg("Read-only", { id: "grid.readOnly" }));
      else if (col >= 0) th.removeAttribute("title");
    }) as never);
    for (const [name, fn] of Object.entries(hooks)) hot.addHook(name as never, fn as never);
    this.hot = hot;
    // The length hook is in place only now: make Handsontable read the row count again.
    hot.updateData([]);
    return hot;
  }

  destroy(): void {
    this.hot?.destroy();
    this.hot = null;
  }

  /** Draws again on the next frame (many page arrivals and row changes make one render). */
  queueRender(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      if (!this.hot || !this.rows.source) return;
      // The row count can move (a short last page); Handsontable re-reads the length on updateData.
      if (this.rows.syncTotal()) this.hot.updateData([]);
      else this.hot.render();
    });
  }

  /** The rows read again from the top (after a refresh). */
  reloaded(): void {
    this.hot?.updateData([]);
    this.hot?.scrollViewportTo({ row: 0 });
  }

  setSortConfig(config: unknown): void {
    (this.hot?.getPlugin("columnSorting") as unknown as { setSortConfig(c: unknown): void } | undefined)?.setSortConfig(
      config,
    );
  }

  private requestVisible(): void {
    const hot = this.hot;
    const source = this.rows.source;
    if (!hot || !source) return;
    const first = hot.view?.getFirstRenderedVisibleRow() ?? 0;
    const last = hot.view?.getLastRenderedVisibleRow() ?? first + 40;
    source.want(Math.max(0, first ?? 0), Math.max(first ?? 0, last ?? 0));
  }

  /**
   * Copies (and cuts) what a spreadsheet reads back: each cell through `copyCell` (plain numbers, ISO
   * dates, TRUE/FALSE, ids for links, and text it would run as a formula behind a leading '). The
   * stored values do not change.
   */
  private beforeCopy(data: unknown[][], coords: { startRow: number; startCol: number }[]): void {
    const hot = this.hot;
    const at = coords[0];
    if (!hot || !at) return;
    for (const row of data) {
      row.forEach((v, j) => {
        row[j] = this.opts.copyCell(hot.colToProp(at.startCol + j) as string, v);
      });
    }
    this.clipboardRows = data.map((row) => row.map((v) => (v === null || v === undefined ? "" : String(v))));
    // Only for this event: a copy whose event never reaches the window must not leak into the next.
    setTimeout(() => (this.clipboardRows = null));
  }

  /**
   * The end of a copy or cut event (a window listener, after Handsontable's own): Handsontable's
   * text/plain quotes only cells with line feeds, so a cell holding a tab or a carriage return would
   * become several cells in a spreadsheet (and "a\t=1+1" a formula of its own); it also adds the raw
   * stored values under a type of its own. Write text/plain with every cell whole, and drop the raw one.
   */
  private readonly finishClipboard = (e: ClipboardEvent): void => {
    const rows = this.clipboardRows;
    this.clipboardRows = null;
    if (!rows || !e.clipboardData) return;
    e.clipboardData.setData("text/plain", toTsv(rows));
    e.clipboardData.clearData(HOT_SOURCE_DATA_TYPE);
  };
}
