/**
 * Where a board's data comes from. Three sources with one shape: a saved view (its records and its
 * aggregate endpoint, so the sums cover exactly the cards the view shows), a table (a board over any
 * table with a single-select field), and an embed token (the embed API, narrowed by the server).
 * Every read and write goes through the server's permission checks; this module only routes.
 */
import { ApiClient, type ApiRecord, type ListReply, type TableInfo, type ViewInfo } from "../api/client";
import type { Filter } from "../../schemas/types";
import type { AggregateReply } from "./board-model";

export type BoardTarget = { kind: "view"; view: string } | { kind: "table"; table: string } | { kind: "embed" };

export interface BoardMeta {
  table: TableInfo;
  view: ViewInfo | null;
  /** Embeds may be read-only whatever the creator's rights. */
  mode: "read" | "edit";
}

export const PAGE_SIZE = 20;

export class BoardSource {
  constructor(
    readonly api: ApiClient,
    readonly target: BoardTarget,
  ) {}

  async meta(): Promise<BoardMeta> {
    switch (this.target.kind) {
      case "embed": {
        const r = await this.api.embedView();
        return { table: r.table, view: r.view, mode: r.mode };
      }
      case "view": {
        const { view } = await this.api.view(this.target.view);
        const { table } = await this.api.table(view.tableId || view.table);
        return { table, view, mode: "edit" };
      }
      default: {
        const { table } = await this.api.table(this.target.table);
        return { table, view: null, mode: "edit" };
      }
    }
  }

  /**
   * One page of a cell: `filter` already holds the column (and swimlane) condition. `expand` names
   * link fields to come back as {id, primary}; an embed reaches one table, so its links stay ids.
   */
  list(
    table: string,
    filter: Filter,
    cursor: string | null,
    q: string,
    limit = PAGE_SIZE,
    expand: string[] = [],
  ): Promise<ListReply> {
    const opts = {
      filter,
      limit,
      cursor,
      ...(q.trim() ? { q: q.trim() } : {}),
      ...(expand.length && this.target.kind !== "embed" ? { expand } : {}),
    };
    switch (this.target.kind) {
      case "view":
        return this.api.viewRecords(this.target.view, opts);
      default:
        // In embed mode the client sends this to /api/embed/records.
        return this.api.listRecords(table, opts);
    }
  }

  aggregate(table: string, body: Record<string, unknown>): Promise<AggregateReply> {
    switch (this.target.kind) {
      case "embed":
        return this.api.request("POST", "/api/embed/aggregate", body);
      case "view":
        return this.api.request("POST", `/api/meta/views/${encodeURIComponent(this.target.view)}/aggregate`, body);
      default:
        return this.api.aggregate(table, body) as Promise<AggregateReply>;
    }
  }

  /** The move itself: one record, the version it was read at (a stale one gets 409 with the current row). */
  async update(table: string, rec: ApiRecord, fields: Record<string, unknown>): Promise<ApiRecord> {
    const reply = await this.api.updateRecords(table, [{ id: rec.id, version: rec.version, fields }]);
    const saved = reply.records[0];
    if (!saved) throw new Error("The server did not return the moved record");
    return saved;
  }
}
