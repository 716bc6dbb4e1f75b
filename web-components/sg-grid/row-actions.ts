/**
 * Adding and deleting rows from the grid's toolbar (and its context menu): a new record, then the
 * rows again with the view scrolled to it; the selected records deleted in bulk requests. Each write
 * is told to the app, so other open views follow.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient, ApiRecord } from "../api/client";
import type { RecordsChange } from "../events";
import { msg, str } from "../i18n/index";
import { chunk } from "./edits";
import type { HotController } from "./hot-controller";
import type { GridRowsController } from "./rows-controller";

export interface RowActionsHost {
  rows: GridRowsController;
  sheet: HotController;
  client(): ApiClient;
  table(): string;
  /** Rows selected in the sheet (row indexes). */
  selected(): number[];
  notify(kind: "info" | "error", text: string): void;
  errorText(err: unknown): string;
  refresh(): Promise<void>;
  wrote(): void;
  written(change: RecordsChange): void;
}

export class GridRowActions implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly h: RowActionsHost,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  async addRow(): Promise<void> {
    try {
      this.h.wrote();
      const reply = await this.h.client().createRecords(this.h.table(), [{ fields: {} }]);
      this.h.written({ table: this.h.table(), records: reply.records, created: true });
      await this.h.refresh();
      const last = (this.h.rows.total ?? 1) - 1;
      this.h.sheet.hot?.scrollViewportTo({ row: last });
      this.h.notify("info", msg("Row added", { id: "grid.rowAdded" }));
    } catch (err) {
      this.h.notify("error", this.h.errorText(err));
    }
  }

  async deleteSelected(): Promise<void> {
    const recs = this.h
      .selected()
      .map((r) => this.h.rows.source?.rowAt(r))
      .filter((r): r is ApiRecord => !!r);
    if (!recs.length) return;
    try {
      for (const part of chunk(recs.map((r) => ({ id: r.id, version: r.version })))) {
        this.h.wrote();
        await this.h.client().deleteRecords(this.h.table(), part);
        this.h.written({ table: this.h.table(), records: [], deleted: part.map((r) => r.id) });
      }
      this.h.notify("info", msg(str`${recs.length} rows deleted`, { id: "grid.rowsDeleted" }));
      await this.h.refresh();
    } catch (err) {
      this.h.notify("error", this.h.errorText(err));
    }
  }
}
