/**
 * Adding and deleting rows from the grid's toolbar (and its context menu). "Add row" creates an empty
 * record and selects its first cell, or, when the table has required fields (which an empty record
 * cannot fill), opens the record form in a dialog, so it never fails with "Required". Deleting asks
 * first, naming how many records go; then the selected records are deleted in bulk requests. Each
 * write is told to the app, so other open views follow.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import type { ApiClient, ApiRecord, TableInfo } from "../api/client";
import type { RecordsChange } from "../events";
import { msg, str } from "../i18n/index";
import { chunk } from "./edits";
import type { HotController } from "./hot-controller";
import type { GridRowsController } from "./rows-controller";
import { SERVER_ASSIGNED, type GridField } from "./values";

export interface RowActionsHost {
  rows: GridRowsController;
  sheet: HotController;
  client(): ApiClient;
  tableInfo(): TableInfo;
  /** Rows selected in the sheet (row indexes). */
  selected(): number[];
  /** The column of a field in the sheet (-1 when not shown). */
  column(name: string): number;
  notify(kind: "info" | "error", text: string): void;
  errorText(err: unknown): string;
  refresh(): Promise<void>;
  wrote(): void;
  written(change: RecordsChange): void;
}

/** Fields an empty new record cannot satisfy: required, and not assigned by the server or defaulted. */
export function needsForm(fields: GridField[]): boolean {
  return fields.some((f) => f.required === true && !SERVER_ASSIGNED.has(f.type) && f.type !== "checkbox");
}

type Host = ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment };

export class GridRowActions implements ReactiveController {
  /** Records the delete dialog asks about, or null when it is shut. */
  private confirming: ApiRecord[] | null = null;
  /** The new-record form is open. */
  private creating = false;

  constructor(
    private readonly host: Host,
    private readonly h: RowActionsHost,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Opens the dialogs Lit just drew as modal ones (focus kept inside, Escape cancels). */
  hostUpdated(): void {
    const root = this.host.renderRoot as ShadowRoot;
    for (const d of root.querySelectorAll<HTMLDialogElement>("dialog[data-dialog]"))
      if (!d.open && d.isConnected) d.showModal();
  }

  async addRow(): Promise<void> {
    const table = this.h.tableInfo();
    if (needsForm(table.fields)) {
      // The form ships with the grid's add-row only: loaded when first needed (embeds never create).
      await import("../sg-form/sg-form");
      this.creating = true;
      this.host.requestUpdate();
      return;
    }
    try {
      this.h.wrote();
      const reply = await this.h.client().createRecords(table.name, [{ fields: {} }]);
      this.h.written({ table: table.name, records: reply.records, created: true });
      await this.h.refresh();
      await this.select(reply.records[0]?.id);
      this.h.notify("info", msg("Row added", { id: "grid.rowAdded" }));
    } catch (err) {
      this.h.notify("error", this.h.errorText(err));
    }
  }

  /** The new record's row, scrolled to and its first editable cell selected, ready for typing. */
  private async select(id: number | undefined): Promise<void> {
    const source = this.h.rows.source;
    const hot = this.h.sheet.hot;
    const total = this.h.rows.total ?? 0;
    if (!source || !hot || !total) return;
    await source.ensure(total - 1, total - 1).catch(() => undefined);
    let row = total - 1;
    for (let r = 0; r < Math.min(total, 200); r++) if (source.rowAt(r)?.id === id) row = r;
    if (source.rowAt(total - 1)?.id === id) row = total - 1;
    const table = this.h.tableInfo();
    const first = table.fields.find((f) => f.access !== "read" && !SERVER_ASSIGNED.has(f.type));
    hot.selectCell(row, Math.max(0, first ? this.h.column(first.name) : 0));
    hot.scrollViewportTo({ row });
  }

  /** Asks before deleting the selected rows (the dialog names how many). */
  deleteSelected(): void {
    const recs = this.h
      .selected()
      .map((r) => this.h.rows.source?.rowAt(r))
      .filter((r): r is ApiRecord => !!r);
    if (!recs.length) return;
    this.confirming = recs;
    this.host.requestUpdate();
  }

  private async confirmDelete(): Promise<void> {
    const recs = this.confirming ?? [];
    this.confirming = null;
    this.host.requestUpdate();
    const table = this.h.tableInfo().name;
    try {
      for (const part of chunk(recs.map((r) => ({ id: r.id, version: r.version })))) {
        this.h.wrote();
        await this.h.client().deleteRecords(table, part);
        this.h.written({ table, records: [], deleted: part.map((r) => r.id) });
      }
      this.h.notify("info", msg(str`${recs.length} rows deleted`, { id: "grid.rowsDeleted" }));
      await this.h.refresh();
    } catch (err) {
      this.h.notify("error", this.h.errorText(err));
    }
  }

  private close(): void {
    this.confirming = null;
    this.creating = false;
    this.host.requestUpdate();
  }

  private async created(e: HTMLElementEventMap["sg-record-saved"]): Promise<void> {
    e.stopPropagation();
    this.creating = false;
    this.host.requestUpdate();
    await this.h.refresh();
    await this.select(e.detail.record.id);
    this.h.notify("info", msg("Row added", { id: "grid.rowAdded" }));
  }

  /** The open dialog, if any: the delete question or the new record's form. */
  render(): TemplateResult | typeof nothing {
    if (this.confirming) {
      const n = this.confirming.length;
      return html`<dialog data-dialog="confirm-delete" aria-labelledby="sg-del-title" @cancel=${() => this.close()}>
        <p id="sg-del-title">${msg(str`Delete ${n} records?`, { id: "grid.confirmDelete" })}</p>
        <p>${msg("Their values and links are removed from the table; an admin can restore them from the audit log.", { id: "grid.confirmDeleteDetail" })}</p>
        <div class="actions">
          <button type="button" data-action="cancel" @click=${() => this.close()}>${msg("Cancel", { id: "grid.cancel" })}</button>
          <button type="button" class="danger" data-action="confirm-delete" @click=${() => void this.confirmDelete()}>${msg(str`Delete ${n} records`, { id: "grid.deleteCount" })}</button>
        </div>
      </dialog>`;
    }
    if (this.creating) {
      return html`<dialog data-dialog="new-record" class="form" aria-label=${msg("New record", { id: "grid.newRecord" })} @cancel=${() => this.close()}>
        <sg-form .api=${this.h.client()} .table=${this.h.tableInfo()} .record=${null}
          @sg-record-saved=${(e: HTMLElementEventMap["sg-record-saved"]) => void this.created(e)}
          @sg-cancel=${() => this.close()}></sg-form>
      </dialog>`;
    }
    return nothing;
  }
}
