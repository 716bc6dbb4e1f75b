/**
 * `<sg-record>`: one record in the drawer: its form (`<sg-form>`) and its history from the audit API
 * (who changed which field from what to what, newest first). `record-id="new"` opens an empty form.
 * Plugin panels below the form: a customer's purchase history, a stocked product's stock and moves.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord, type HistoryEntry, type TableInfo, type User } from "../api/client";
import { formatDateTime, labelOf, localized, msg, str } from "../i18n/index";
import { controls } from "../sg-app/styles";
import "../sg-form/sg-form";
import "./purchase-history";
import "./product-stock";
import { displayValue, type ValueNames } from "../sg-form/values";
import { emit } from "../events";

/** The history reply with the names the server gives for the ids its changes hold (history-names.ts). */
interface HistoryReply {
  history: HistoryEntry[];
  names?: { users?: Record<string, string>; links?: Record<string, Record<string, string | null>> };
}

// localized() must patch the class before customElement() defines it: an element already in the page
// is upgraded at define time and would miss the locale controller.
@customElement("sg-record")
@localized()
export class SgRecord extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; }
      h2 { margin: 0 0 12px; font-size: 1.2em; }
      h3 { margin: 24px 0 8px; font-size: 1em; }
      ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
      li { border-left: 3px solid var(--sg-border); padding: 2px 0 2px 10px; }
      .when { font-size: 0.85em; }
      .change { font-size: 0.92em; }
      del { color: var(--sg-muted); }
      .state { padding: 16px 0; }
      dl.last { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 12px 0; }
      dl.last dt { font-weight: 600; }
      dl.last dd { margin: 0; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: false }) table?: TableInfo;
  @property({ attribute: "record-id" }) recordId: string | number | null = null;
  @property({ attribute: false }) user: User | null = null;
  @property({ attribute: "time-zone" }) timeZone: string | null = null;

  @state() private record: ApiRecord | null = null;
  @state() private history: HistoryEntry[] | null = null;
  @state() private names: ValueNames = {};
  @state() private status: "loading" | "ready" | "error" | "missing" | "deleted" = "loading";
  @state() private restoring = false;
  @state() private error = "";
  private loadedKey = "";

  override willUpdate(changed: Map<string, unknown>) {
    const key = `${this.table?.name}/${this.recordId}`;
    if (
      (changed.has("recordId") || changed.has("table") || changed.has("api")) &&
      key !== this.loadedKey &&
      this.api &&
      this.table
    ) {
      this.loadedKey = key;
      void this.load();
    }
  }

  /** Whether its form holds edits not saved yet (the app asks before closing it). */
  hasUnsavedChanges(): boolean {
    return this.renderRoot.querySelector("sg-form")?.hasUnsavedChanges() ?? false;
  }

  private get isNew() {
    return this.recordId === "new" || this.recordId === null;
  }

  async load() {
    if (!this.api || !this.table) return;
    if (this.isNew) {
      this.record = null;
      this.history = null;
      this.status = "ready";
      return;
    }
    this.status = "loading";
    const id = Number(this.recordId);
    const links = this.table.fields.filter((f) => f.type === "link").map((f) => f.name);
    try {
      const [{ record }] = await Promise.all([
        this.api.getRecord(this.table.name, id, { expand: links }),
        this.loadHistory(id),
      ]);
      this.record = record;
      this.status = "ready";
    } catch (err) {
      this.status = err instanceof ApiError && (err.status === 404 || err.status === 403) ? "missing" : "error";
      this.error = err instanceof ApiError ? (err.problem.detail ?? err.message) : String(err);
      if (this.status === "missing" && this.mayRestore) await this.findDeleted(id);
    }
  }

  /** Restoring a deleted record is an administrator's (the server's restore route decides as well). */
  private get mayRestore(): boolean {
    return this.user?.roles?.includes("admin") === true;
  }

  /** A record gone from the table whose history ends in its deletion can be restored from that history. */
  private async findDeleted(id: number) {
    try {
      await this.loadHistory(id);
      if (this.history?.[0]?.action.endsWith("delete")) this.status = "deleted";
    } catch {
      // not readable or never existed: "not available" stays
    }
  }

  private async restore() {
    if (!this.api || !this.table || this.restoring) return;
    const id = Number(this.recordId);
    this.restoring = true;
    try {
      await this.api.request("POST", `/api/admin/tables/${encodeURIComponent(this.table.name)}/records/${id}/restore`);
      await this.load();
      if (this.record)
        emit(this, "sg-records-changed", { table: this.table.name, records: [this.record], created: true });
      emit(this, "sg-notify", { kind: "info", message: msg("Record restored", { id: "record.restoredNote" }) });
    } catch (err) {
      emit(this, "sg-notify", { kind: "error", message: err instanceof ApiError ? err.message : String(err) });
    } finally {
      this.restoring = false;
    }
  }

  /** The deleted record's last values, from its delete entry, and the way back. */
  private renderDeleted() {
    const entry = this.history?.[0];
    const fields = new Map((this.table?.fields ?? []).map((f) => [f.name, f]));
    const values = Object.entries(entry?.changes ?? {}).flatMap(([name, c]) => {
      const f = fields.get(name);
      const v = f && "before" in c ? displayValue(f, c.before, this.timeZone, this.names) : "";
      return f && v ? [html`<dt>${labelOf(f)}</dt><dd data-value>${v}</dd>`] : [];
    });
    return html`<div class="state" role="region" aria-labelledby="deleted-title" data-state="deleted">
        <h2 id="deleted-title">${msg("This record was deleted", { id: "record.deletedTitle" })}</h2>
        <p class="muted">${entry ? html`<time datetime=${entry.at}>${formatDateTime(entry.at, this.timeZone)}</time> · ${entry.user?.name ?? msg("System", { id: "record.system" })}` : nothing}</p>
        ${values.length ? html`<dl class="last">${values}</dl>` : nothing}
        <button type="button" class="primary" data-action="restore-record" ?disabled=${this.restoring} @click=${() => void this.restore()}>${msg("Restore this record", { id: "record.restore" })}</button>
      </div>
      ${this.renderHistory()}`;
  }

  private async onSaved(e: HTMLElementEventMap["sg-record-saved"]) {
    if (!this.api || !this.table) return;
    this.record = e.detail.record;
    if (e.detail.created) {
      // The app moves to the new record's address; this element then shows it with its history.
      return;
    }
    const id = e.detail.record.id;
    const links = this.table.fields.filter((f) => f.type === "link").map((f) => f.name);
    try {
      // Read back expanded, so links show their names (the write's reply holds ids).
      const [{ record }] = await Promise.all([
        links.length ? this.api.getRecord(this.table.name, id, { expand: links }) : { record: e.detail.record },
        this.loadHistory(id),
      ]);
      this.record = record;
    } catch {
      // the form already saved; a stale history is not worth an error
    }
  }

  private async loadHistory(id: number) {
    const reply = (await this.api!.history(this.table!.name, id, { limit: 50 })) as HistoryReply;
    const users = reply.names?.users ?? {};
    const links = reply.names?.links ?? {};
    this.names = {
      user: (uid) => users[uid],
      link: (field, rid) => links[field]?.[String(rid)],
    };
    this.history = reply.history;
  }

  private heading(): string {
    if (this.isNew) return msg("New record", { id: "record.new" });
    const primary = this.table?.fields.find((f) => f.id === this.table?.primaryFieldId);
    const v = primary && this.record ? this.record.fields[primary.name] : undefined;
    return v === undefined || v === null || v === ""
      ? msg(str`Record ${this.recordId}`, { id: "record.title" })
      : String(v);
  }

  /** A customer's purchase history (the sales plugin's; the panel hides itself where there is none). */
  private renderPurchases() {
    if (this.isNew || this.table?.name !== "customers" || !this.record) return nothing;
    return html`<sg-purchase-history .api=${this.api} customer-id=${String(this.record.id)}></sg-purchase-history>`;
  }

  /**
   * A stocked product's levels and moves (the inventory plugin's; the panel hides itself unless stock
   * levels are readable and link to this table).
   */
  private renderStock() {
    if (this.isNew || !this.record || !this.table || this.record.fields.track_stock !== true) return nothing;
    return html`<sg-product-stock .api=${this.api} table-id=${this.table.id} product-id=${String(this.record.id)} time-zone=${this.timeZone ?? ""}></sg-product-stock>`;
  }

  private renderHistory() {
    if (this.isNew || !this.history || !this.table) return nothing;
    const fields = new Map(this.table.fields.map((f) => [f.name, f]));
    const action = (a: string) =>
      a.endsWith("create")
        ? msg("created the record", { id: "record.created" })
        : a.endsWith("delete")
          ? msg("deleted the record", { id: "record.deleted" })
          : a.endsWith("restore")
            ? msg("restored the record", { id: "record.restored" })
            : msg("changed", { id: "record.changed" });
    return html`<section aria-labelledby="hist">
      <h3 id="hist">${msg("History", { id: "record.history" })}</h3>
      ${
        this.history.length === 0
          ? html`<p class="muted">${msg("No changes recorded yet.", { id: "record.noHistory" })}</p>`
          : html`<ol>
            ${this.history.map(
              (h) => html`<li>
                <div class="when muted"><time datetime=${h.at}>${formatDateTime(h.at, this.timeZone)}</time> · <span data-value>${h.user?.name ?? msg("System", { id: "record.system" })}</span> ${action(h.action)}</div>
                ${Object.entries(h.changes).map(([name, c]) => {
                  const f = fields.get(name);
                  if (!f) return nothing;
                  if ("added" in c) {
                    const added = displayValue(f, c.added, this.timeZone, this.names);
                    const removed = displayValue(f, c.removed, this.timeZone, this.names);
                    return html`<div class="change">${labelOf(f)}: ${added ? html`+ <span data-value>${added}</span> ` : nothing}${removed ? html`− <del data-value>${removed}</del>` : nothing}</div>`;
                  }
                  const before = displayValue(f, c.before, this.timeZone, this.names);
                  const after = displayValue(f, c.after, this.timeZone, this.names);
                  return html`<div class="change">${labelOf(f)}: ${before ? html`<del data-value>${before}</del> → ` : nothing}<span data-value>${after || "—"}</span></div>`;
                })}
              </li>`,
            )}
          </ol>`
      }
    </section>`;
  }

  override render() {
    if (!this.table) return nothing;
    if (this.status === "loading")
      return html`<p class="state muted" role="status">${msg("Loading…", { id: "common.loading" })}</p>`;
    if (this.status === "deleted") return this.renderDeleted();
    if (this.status === "missing")
      return html`<div class="state" role="alert"><h2>${msg("Record not available", { id: "record.missingTitle" })}</h2><p>${msg("It does not exist or you may not see it.", { id: "record.missing" })}</p></div>`;
    if (this.status === "error")
      return html`<div class="state" role="alert"><p class="error">${msg("The record could not be loaded.", { id: "record.loadError" })}</p><button @click=${() => void this.load()}>${msg("Retry", { id: "common.retry" })}</button></div>`;
    return html`<h2 id="record-title">${this.heading()}</h2>
      <sg-form .api=${this.api} .table=${this.table} .record=${this.record} .user=${this.user} time-zone=${this.timeZone ?? ""} @sg-record-saved=${this.onSaved}></sg-form>
      ${this.renderPurchases()}
      ${this.renderStock()}
      ${this.renderHistory()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-record": SgRecord;
  }
}
