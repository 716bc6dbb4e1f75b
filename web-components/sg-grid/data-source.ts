/**
 * Server-paged rows for the grid: row N of a table of any size, with bounded memory. Rows come in
 * fixed-size pages kept in an LRU of at most `maxPages`; the grid asks for the rows it shows and
 * gets placeholders (undefined) until their page arrives. A page right after a loaded one is read
 * with that page's keyset cursor (cheap at any depth); any other page with `offset` (a jump).
 * Changing the query (sort, filter, search) starts a new generation: late replies of the old one
 * are dropped.
 */
import type { ApiRecord, ListReply } from "../api/client";

export interface PageRequest {
  limit: number;
  /** Keyset cursor of the previous page (preferred), else an offset. */
  cursor?: string;
  offset?: number;
  /** Ask for the total row count too. */
  count: boolean;
}

export type FetchPage = (req: PageRequest) => Promise<ListReply>;

export interface SourceOptions {
  pageSize?: number;
  /** Pages kept in memory; the least recently used beyond this are dropped. */
  maxPages?: number;
  /** Pages loaded at the same time. */
  concurrency?: number;
  /** Rows [first, last] changed (a page arrived or a row was replaced). */
  onChange?: (first: number, last: number) => void;
  /** A page failed to load. */
  onError?: (err: unknown) => void;
}

interface Page {
  rows: ApiRecord[];
  /** Cursor for the page after this one (null at the end). */
  nextCursor: string | null;
}

export class RecordSource {
  readonly pageSize: number;
  readonly maxPages: number;
  private readonly concurrency: number;
  /** Insertion order is recency: a touched page is re-inserted at the end. */
  private pages = new Map<number, Page>();
  private inflight = new Map<number, Promise<void>>();
  private queue: number[] = [];
  private wanted = new Set<number>();
  private generation = 0;
  private _total: number | null = null;
  /** Requests made (for tests and the bench). */
  requests = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly opts: SourceOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 100;
    this.maxPages = Math.max(2, opts.maxPages ?? 40);
    this.concurrency = Math.max(1, opts.concurrency ?? 3);
  }

  /** Rows matching the query, once the first page has told; null before. */
  get total(): number | null {
    return this._total;
  }

  /** Pages held in memory now. */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Forgets every row and loads the first page with the count. */
  async reset(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.queue = [];
    this.wanted.clear();
    this._total = null;
    await this.load(0, true);
  }

  /** The record at row `i`, or undefined while its page is not loaded. */
  rowAt(i: number): ApiRecord | undefined {
    const p = Math.floor(i / this.pageSize);
    const page = this.pages.get(p);
    return page?.rows[i - p * this.pageSize];
  }

  /** Whether row `i` is loaded. */
  has(i: number): boolean {
    return this.rowAt(i) !== undefined;
  }

  /**
   * The grid shows rows [first, last]: load their pages (and one page either side), most wanted
   * first. Pages queued for an earlier range and not yet started are dropped.
   */
  want(first: number, last: number): void {
    // Until the count is known (a new query loading) the grid may still be drawing the old query's
    // rows: only the first page, which brings the count, is known to exist.
    const pages = this._total === null ? [0] : this.pagesOf(Math.max(0, first - this.pageSize), last + this.pageSize);
    this.wanted = new Set(pages);
    for (const p of pages) this.touch(p);
    this.queue = pages.filter((p) => !this.pages.has(p) && !this.inflight.has(p));
    this.pump();
  }

  /** Loads rows [first, last] and resolves when they are all in memory (paste, fill, bulk edits). */
  async ensure(first: number, last: number): Promise<void> {
    const pages = this.pagesOf(first, last);
    if (pages.length > this.maxPages) throw new Error(`At most ${this.maxPages * this.pageSize} rows at once`);
    for (const p of pages) this.wanted.add(p);
    for (const p of pages) if (!this.pages.has(p)) await (this.inflight.get(p) ?? this.load(p, false));
    for (const p of pages) this.touch(p);
  }

  /** Puts records returned by a write in place of the cached rows with the same id. */
  replace(records: ApiRecord[]): void {
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const [p, page] of this.pages) {
      page.rows.forEach((r, i) => {
        const next = byId.get(r.id);
        if (next) {
          page.rows[i] = next;
          this.opts.onChange?.(p * this.pageSize + i, p * this.pageSize + i);
        }
      });
    }
  }

  /** The row index of a cached record, or -1. */
  indexOf(id: number): number {
    for (const [p, page] of this.pages) {
      const i = page.rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * this.pageSize + i;
    }
    return -1;
  }

  private pagesOf(first: number, last: number): number[] {
    const max = this._total === null ? Infinity : Math.max(0, Math.ceil(this._total / this.pageSize) - 1);
    const out: number[] = [];
    for (
      let p = Math.floor(first / this.pageSize);
      p <= Math.min(max, Math.floor(Math.max(first, last) / this.pageSize));
      p++
    )
      out.push(p);
    return out;
  }

  private touch(p: number): void {
    const page = this.pages.get(p);
    if (page) {
      this.pages.delete(p);
      this.pages.set(p, page);
    }
  }

  private pump(): void {
    while (this.inflight.size < this.concurrency && this.queue.length) {
      const p = this.queue.shift()!;
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      // Ask for the count again if the first page's counted read failed.
      this.load(p, this._total === null).catch(() => {});
    }
  }

  private load(p: number, count: boolean): Promise<void> {
    const generation = this.generation;
    const prev = this.pages.get(p - 1);
    const req: PageRequest = prev?.nextCursor
      ? { limit: this.pageSize, cursor: prev.nextCursor, count }
      : { limit: this.pageSize, offset: p * this.pageSize, count };
    if (p === 0) delete req.offset;
    this.requests++;
    const task = this.fetchPage(req)
      .then((reply) => {
        if (generation !== this.generation) return;
        this.pages.set(p, { rows: reply.records, nextCursor: reply.nextCursor });
        if (typeof reply.total === "number") this._total = reply.total;
        // A short last page tells the true end (rows may have been deleted since the count). An empty
        // page past the first only says the end is at or before it: never make a count up from it.
        if (!reply.nextCursor && reply.records.length < this.pageSize) {
          const end = p * this.pageSize + reply.records.length;
          if (reply.records.length > 0 || p === 0) this._total = end;
          else if (this._total !== null) this._total = Math.min(this._total, end);
        }
        this.evict();
        this.opts.onChange?.(p * this.pageSize, p * this.pageSize + Math.max(0, reply.records.length - 1));
      })
      .catch((err: unknown) => {
        if (generation === this.generation) this.opts.onError?.(err);
        throw err;
      })
      .finally(() => {
        if (generation !== this.generation) return;
        this.inflight.delete(p);
        this.pump();
      });
    this.inflight.set(p, task);
    return task;
  }

  /** Drops least recently used pages beyond maxPages, never one the grid is showing. */
  private evict(): void {
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) return;
      if (!this.wanted.has(p)) this.pages.delete(p);
    }
  }
}
