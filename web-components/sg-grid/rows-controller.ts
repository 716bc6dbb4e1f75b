/**
 * The grid's rows from the server (RecordSource: pages in an LRU, so a table of any size opens with
 * its first page and memory stays bounded), with the row count and the loading state the toolbar
 * shows. A refresh (new sort, filter or search) starts from the top; only the latest refresh may set
 * the count or report an error.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { RecordSource, type FetchPage } from "./data-source";

export interface GridRowsOptions {
  fetch: FetchPage;
  pageSize: number;
  maxPages: number;
  /** Rows changed (a page arrived or a row was replaced). */
  onChange(): void;
  onError(err: unknown): void;
}

export class GridRowsController implements ReactiveController {
  source: RecordSource | null = null;
  /** Rows matching the current query (null while a new query is counted). */
  total: number | null = null;
  loading = true;
  private refreshes = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: GridRowsOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** A new source for the query the fetcher sends, with its first page and count. */
  async open(): Promise<void> {
    this.source = new RecordSource(this.opts.fetch, {
      pageSize: this.opts.pageSize,
      maxPages: this.opts.maxPages,
      onChange: () => this.opts.onChange(),
      onError: (err) => this.opts.onError(err),
    });
    await this.source.reset();
    this.total = this.source.total;
  }

  /** Rows for the current query again, from the top; false when it failed or a newer one took over. */
  async refresh(): Promise<boolean> {
    if (!this.source) return false;
    const run = ++this.refreshes;
    // The old count is not the new query's: show none until the new one arrives.
    this.total = null;
    this.loading = true;
    this.host.requestUpdate();
    try {
      await this.source.reset();
      if (run !== this.refreshes) return false; // a newer query took over; its refresh sets the count
      this.total = this.source.total;
      return true;
    } catch (err) {
      if (run === this.refreshes) this.opts.onError(err);
      return false;
    } finally {
      if (run === this.refreshes) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  setLoading(loading: boolean): void {
    this.loading = loading;
    this.host.requestUpdate();
  }

  /** The count the source knows now (a short last page can move it); true when it moved. */
  syncTotal(): boolean {
    if (!this.source || this.source.total === this.total) return false;
    this.total = this.source.total;
    this.host.requestUpdate();
    return true;
  }
}
