/**
 * Lists of records loaded page by page (a board's cells; a calendar's days would be the same): each
 * list has its own query and keyset cursor, loads its next page on demand (scrolling near its end, a
 * "load more" button, the keyboard) and never holds a record twice. A reset drops every list and any
 * page still on its way, so a reply to an old query never lands in a new one.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiRecord, ListReply } from "../api/client";

export interface PageState {
  key: string;
  records: ApiRecord[];
  cursor: string | null;
  done: boolean;
  loading: boolean;
  failed: string | null;
}

/** A list: what identifies it to its host (`M`, e.g. a column and a lane) and its page state. */
export type PagedList<M extends object> = M & PageState;

export interface PagedListsOptions<M extends object> {
  /** The page of `list` after `cursor` (null: the first page). */
  fetch(list: PagedList<M>, cursor: string | null): Promise<ListReply>;
  /** Every page's records once they arrived (e.g. to look up the names they mention). */
  onPage?(records: ApiRecord[]): void;
  /** The message a failed page shows in its list. */
  errorText(err: unknown): string;
}

export class PagedListsController<M extends object> implements ReactiveController {
  lists = new Map<string, PagedList<M>>();
  private gen = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: PagedListsOptions<M>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Forgets every list: pages still on their way are dropped when they arrive. */
  reset(): void {
    this.gen++;
    this.lists = new Map();
  }

  /** The list under `key`, made empty (not loaded) when there is none. */
  ensure(key: string, meta: M): PagedList<M> {
    let list = this.lists.get(key);
    if (!list) {
      list = { ...meta, key, records: [], cursor: null, done: false, loading: false, failed: null };
      this.lists.set(key, list);
    }
    return list;
  }

  /** The next page of a list (the first when it has none); nothing when it is loading or complete. */
  async loadMore(list: PagedList<M>): Promise<void> {
    if (list.loading || list.done) return;
    const gen = this.gen;
    list.loading = true;
    list.failed = null;
    this.host.requestUpdate();
    try {
      const page = await this.opts.fetch(list, list.cursor);
      if (gen !== this.gen) return;
      const have = new Set(list.records.map((r) => r.id));
      list.records.push(...page.records.filter((r) => !have.has(r.id)));
      this.opts.onPage?.(page.records);
      list.cursor = page.nextCursor;
      list.done = !page.nextCursor;
    } catch (err) {
      if (gen !== this.gen) return;
      list.failed = this.opts.errorText(err);
    } finally {
      list.loading = false;
      if (gen === this.gen) this.host.requestUpdate();
    }
  }

  /** A list's first page again (after a change that may have taken a record out of its query). */
  async reread(list: PagedList<M>): Promise<void> {
    if (list.loading) return;
    list.records = [];
    list.cursor = null;
    list.done = false;
    await this.loadMore(list);
  }

  /** Where a record is shown: its list and index. */
  find(id: number): { list: PagedList<M>; index: number; rec: ApiRecord } | null {
    for (const list of this.lists.values()) {
      const index = list.records.findIndex((r) => r.id === id);
      if (index >= 0) return { list, index, rec: list.records[index]! };
    }
    return null;
  }

  /** A scroll handler for a list's box: the next page once the end is near. */
  onScroll(e: Event, list: PagedList<M>, margin = 160): void {
    const el = e.currentTarget as HTMLElement;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - margin) void this.loadMore(list);
  }
}
