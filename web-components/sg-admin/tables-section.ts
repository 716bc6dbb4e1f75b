/**
 * <sg-admin-tables>: the Tables & fields section. Tables: list, create, rename/relabel, pick the
 * primary field, delete and restore. Fields of the chosen table: the field editor, delete/restore,
 * and reordering by drag and drop or from the keyboard (Alt+Arrow on a field, or its move buttons),
 * saved as positions.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { FieldInfo } from "../api/client";
import { labelOf } from "../i18n/index";
import type { AdminApi, AdminTable } from "./admin-api";
import { apiNameFrom, typeLabel } from "./field-editor";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import "./field-editor";
import { emit } from "../events";
import { arrowDownIcon, arrowUpIcon, gripIcon } from "../icons";
import { confirmFieldDelete, confirmTableDelete } from "./losses";

function notify(el: HTMLElement, kind: "info" | "error", message: string) {
  emit(el, "sg-notify", { kind, message });
}

export function schemaChanged(el: HTMLElement, table: string | null) {
  emit(el, "sg-schema-changed", { table });
}

/** Moves item `from` to index `to`, returning a new array. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(to, next.length)), 0, item!);
  return next;
}

@localized()
export class SgAdminTables extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;

  @state() private tables: AdminTable[] = [];
  @state() private deleted: AdminTable[] | null = null;
  @state() private selected: AdminTable | null = null;
  @state() private editing: FieldInfo | "new" | null = null;
  @state() private newTable = { label: "", zh: "", name: "" };
  @state() private newProblems = Problems.none;
  @state() private settings = { label: "", zh: "", name: "", description: "", primaryField: "" };
  @state() private settingsProblems = Problems.none;
  @state() private fieldProblems = Problems.none;
  @state() private dragFrom: number | null = null;
  @state() private dropAt: number | null = null;
  private newNameTouched = false;
  private openSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(select?: string): Promise<void> {
    try {
      this.tables = await this.admin.tables();
      if (this.deleted !== null) this.deleted = await this.admin.tables(true);
      const want = select ?? this.selected?.name ?? this.tables[0]?.name;
      if (want && this.tables.some((t) => t.name === want)) await this.open(want);
      else this.selected = null;
    } catch (err) {
      notify(this, "error", Problems.from(err).summary ?? "");
    }
  }

  private async open(name: string): Promise<void> {
    // The latest open wins: an earlier one that answers later must not replace it.
    const seq = ++this.openSeq;
    const t = await this.admin.table(name);
    if (seq !== this.openSeq) return;
    this.selected = t;
    this.settings = {
      label: t.label ?? "",
      zh: t.labels?.["zh-CN"] ?? "",
      name: t.name,
      description: (t.description as string) ?? "",
      primaryField: t.fields.find((f) => f.id === t.primaryFieldId)?.name ?? "",
    };
    this.settingsProblems = Problems.none;
    this.fieldProblems = Problems.none;
    if (this.editing && this.editing !== "new")
      this.editing = t.fields.find((f) => f.id === (this.editing as FieldInfo).id) ?? null;
  }

  private async createTable(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.newTable;
    const labels: Record<string, string> = {};
    if (d.label.trim()) labels.en = d.label.trim();
    if (d.zh.trim()) labels["zh-CN"] = d.zh.trim();
    try {
      const t = await this.admin.createTable({
        name: d.name.trim(),
        ...(d.label.trim() ? { label: d.label.trim() } : {}),
        ...(Object.keys(labels).length ? { labels } : {}),
      });
      this.newTable = { label: "", zh: "", name: "" };
      this.newNameTouched = false;
      this.newProblems = Problems.none;
      this.editing = "new";
      await this.load(t.name);
      schemaChanged(this, t.name);
      notify(this, "info", msg(str`Table ${labelOf(t)} created`, { id: "admin.table.created" }));
    } catch (err) {
      this.newProblems = Problems.from(err);
    }
  }

  private async saveSettings(e: Event): Promise<void> {
    e.preventDefault();
    const t = this.selected!;
    const s = this.settings;
    const labels: Record<string, string> = { ...(t.labels ?? {}) };
    if (s.label.trim()) labels.en = s.label.trim();
    if (s.zh.trim()) labels["zh-CN"] = s.zh.trim();
    else delete labels["zh-CN"];
    try {
      const next = await this.admin.updateTable(t.id, {
        name: s.name.trim(),
        ...(s.label.trim() ? { label: s.label.trim() } : {}),
        labels,
        description: s.description,
        ...(s.primaryField ? { primaryField: s.primaryField } : {}),
        ...(typeof t.version === "number" ? { version: t.version } : {}),
      });
      await this.load(next.name);
      schemaChanged(this, next.name);
      notify(this, "info", msg("Table saved", { id: "admin.table.saved" }));
    } catch (err) {
      this.settingsProblems = Problems.from(err);
    }
  }

  private async deleteTable(): Promise<void> {
    const t = this.selected!;
    if (!(await confirmTableDelete(this, this.admin, t))) return;
    try {
      await this.admin.deleteTable(t.id);
      this.selected = null;
      this.editing = null;
      await this.load("");
      schemaChanged(this, t.name);
      notify(
        this,
        "info",
        msg(str`Table ${labelOf(t)} deleted; it can be restored from the deleted tables.`, {
          id: "admin.table.deleted",
        }),
      );
    } catch (err) {
      this.settingsProblems = Problems.from(err);
    }
  }

  private async restoreTable(t: AdminTable): Promise<void> {
    try {
      await this.admin.restoreTable(t.id);
      this.deleted = await this.admin.tables(true);
      await this.load(t.name);
      schemaChanged(this, t.name);
    } catch (err) {
      notify(this, "error", Problems.from(err).summary ?? "");
    }
  }

  private async fieldAction(action: () => Promise<unknown>): Promise<void> {
    this.fieldProblems = Problems.none;
    try {
      await action();
      await this.load(this.selected!.name);
      schemaChanged(this, this.selected?.name ?? null);
    } catch (err) {
      this.fieldProblems = Problems.from(err);
    }
  }

  /** Saves a new order as positions 0..n-1, patching only the fields whose position moved. */
  private async reorder(from: number, to: number): Promise<void> {
    const t = this.selected!;
    if (from === to || to < 0 || to >= t.fields.length) return;
    const order = moved(t.fields, from, to);
    this.selected = { ...t, fields: order };
    await this.fieldAction(async () => {
      for (const [i, f] of order.entries())
        if (f.position !== i) await this.admin.updateField(t.id, f.id, { position: i });
    });
    this.updateComplete.then(() =>
      (this.renderRoot.querySelector(`[data-field-item="${order[to]!.name}"] .handle`) as HTMLElement | null)?.focus(),
    );
  }

  override render() {
    return html`<div class="cols">
      <nav class="stack" aria-label=${msg("Tables", { id: "admin.tables" })}>
        <h2>${msg("Tables", { id: "admin.tables" })}</h2>
        <ul class="plain" data-role="table-list">
          ${this.tables.map(
            (t) => html`<li><button class="item" style="width:100%" data-table=${t.name}
              aria-current=${this.selected?.id === t.id ? "true" : "false"} @click=${() => {
                this.editing = null;
                void this.open(t.name);
              }}>
            ${labelOf(t)} <code class="muted">${t.name}</code></button></li>`,
          )}
        </ul>
        ${this.renderNewTable()}
        <label><input type="checkbox" data-role="show-deleted" .checked=${this.deleted !== null}
          @change=${async (e: Event) => {
            this.deleted = (e.target as HTMLInputElement).checked ? await this.admin.tables(true) : null;
          }}>
          ${msg("Show deleted tables", { id: "admin.table.showDeleted" })}</label>
        ${
          this.deleted
            ? html`<ul class="plain" data-role="deleted-tables">${this.deleted.length === 0 ? html`<li class="muted">${msg("None", { id: "admin.none" })}</li>` : nothing}
              ${this.deleted.map((t) => html`<li class="item">${labelOf(t)} <button data-role="restore-table" data-table=${t.name} @click=${() => this.restoreTable(t)}>${msg("Restore", { id: "admin.restore" })}</button></li>`)}</ul>`
            : nothing
        }
      </nav>
      <section>${this.selected ? this.renderTable(this.selected) : html`<p class="muted">${msg("Choose or create a table.", { id: "admin.table.choose" })}</p>`}</section>
    </div>`;
  }

  private renderNewTable() {
    const d = this.newTable;
    const p = this.newProblems;
    return html`<form class="stack panel" data-role="new-table" aria-label=${msg("New table", { id: "admin.table.new" })} @submit=${this.createTable}>
      <h3>${msg("New table", { id: "admin.table.new" })}</h3>
      ${banner(p, ["name", "label", "labels"])}
      <label class="field"><span>${msg("Label", { id: "admin.label" })}</span>
        <input name="label" maxlength="200" .value=${d.label} aria-invalid=${invalid(p, "label")}
          @input=${(e: Event) => {
            const v = (e.target as HTMLInputElement).value;
            this.newTable = {
              ...this.newTable,
              label: v,
              name: this.newNameTouched ? this.newTable.name : apiNameFrom(v),
            };
          }}>
        ${fieldError(p, "label")}</label>
      <label class="field"><span>${msg("Label (Chinese)", { id: "admin.labelZh" })}</span>
        <input name="label-zh" maxlength="200" .value=${d.zh} @input=${(e: Event) => {
          this.newTable = { ...this.newTable, zh: (e.target as HTMLInputElement).value };
        }}>
        ${fieldError(p, "labels")}</label>
      <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span>
        <input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${d.name} aria-invalid=${invalid(p, "name")}
          @input=${(e: Event) => {
            this.newNameTouched = true;
            this.newTable = { ...this.newTable, name: (e.target as HTMLInputElement).value };
          }}>
        ${fieldError(p, "name")}</label>
      <button class="primary" type="submit" data-role="create-table">${msg("Create table", { id: "admin.table.create" })}</button>
    </form>`;
  }

  private renderTable(t: AdminTable) {
    const s = this.settings;
    const p = this.settingsProblems;
    return html`<div class="stack">
      <form class="stack panel" data-role="table-settings" aria-label=${msg("Table settings", { id: "admin.table.settings" })} @submit=${this.saveSettings}>
        <h2>${labelOf(t)}</h2>
        ${banner(p, ["name", "label", "labels", "description", "primaryField"])}
        <div class="row">
          <label class="field"><span>${msg("Label", { id: "admin.label" })}</span>
            <input name="label" maxlength="200" .value=${s.label} aria-invalid=${invalid(p, "label")} @input=${(
              e: Event,
            ) => {
              this.settings = { ...s, label: (e.target as HTMLInputElement).value };
            }}>
            ${fieldError(p, "label")}</label>
          <label class="field"><span>${msg("Label (Chinese)", { id: "admin.labelZh" })}</span>
            <input name="label-zh" maxlength="200" .value=${s.zh} @input=${(e: Event) => {
              this.settings = { ...s, zh: (e.target as HTMLInputElement).value };
            }}>
            ${fieldError(p, "labels")}</label>
          <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span>
            <input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${s.name} aria-invalid=${invalid(p, "name")} @input=${(
              e: Event,
            ) => {
              this.settings = { ...s, name: (e.target as HTMLInputElement).value };
            }}>
            ${fieldError(p, "name")}</label>
          <label class="field"><span>${msg("Primary field", { id: "admin.table.primary" })}</span>
            <select name="primary-field" aria-invalid=${invalid(p, "primaryField")} @change=${(e: Event) => {
              this.settings = { ...s, primaryField: (e.target as HTMLSelectElement).value };
            }}>
              <option value="" ?selected=${!s.primaryField}>—</option>
              ${t.fields.map((f) => html`<option value=${f.name} ?selected=${f.name === s.primaryField}>${labelOf(f)}</option>`)}
            </select>${fieldError(p, "primaryField")}</label>
        </div>
        <label class="field"><span>${msg("Description", { id: "admin.description" })}</span>
          <textarea name="description" rows="2" maxlength="2000" .value=${s.description} @input=${(e: Event) => {
            this.settings = { ...s, description: (e.target as HTMLTextAreaElement).value };
          }}></textarea></label>
        <div class="row">
          <button class="primary" type="submit" data-role="save-table">${msg("Save table", { id: "admin.table.save" })}</button>
          <button type="button" class="danger" data-role="delete-table" @click=${this.deleteTable}>${msg("Delete table", { id: "admin.table.delete" })}</button>
        </div>
      </form>
      ${this.renderFields(t)}
      ${
        this.editing
          ? html`<sg-admin-field-editor .admin=${this.admin} .table=${t.id} .tables=${this.tables} .field=${this.editing === "new" ? null : this.editing}
            @sg-admin-saved=${async (e: HTMLElementEventMap["sg-admin-saved"]) => {
              this.editing = null;
              await this.load(t.name);
              schemaChanged(this, t.name);
              void e;
            }}
            @sg-admin-cancel=${() => {
              this.editing = null;
            }}></sg-admin-field-editor>`
          : nothing
      }
    </div>`;
  }

  private renderFields(t: AdminTable) {
    const fields = t.fields;
    return html`<div class="stack panel">
      <div class="row"><h3>${msg("Fields", { id: "admin.fields" })}</h3>
        <button class="primary" data-role="add-field" @click=${() => {
          this.editing = "new";
        }}>+ ${msg("Add field", { id: "admin.field.add" })}</button></div>
      ${banner(this.fieldProblems)}
      <p class="muted">${msg("Drag a field to reorder it, or focus its handle and press Alt+↑ / Alt+↓.", { id: "admin.field.reorderHint" })}</p>
      <ol class="plain" data-role="field-list" aria-label=${msg("Fields", { id: "admin.fields" })}>
        ${fields.map(
          (
            f,
            i,
          ) => html`<li class="item ${this.dragFrom === i ? "dragging" : ""} ${this.dropAt === i && this.dragFrom !== i ? "drop-target" : ""}"
            data-field-item=${f.name} draggable="true"
            aria-current=${this.editing !== "new" && this.editing?.id === f.id ? "true" : "false"}
            @dragstart=${(e: DragEvent) => {
              this.dragFrom = i;
              e.dataTransfer?.setData("text/plain", f.name);
              if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
            }}
            @dragover=${(e: DragEvent) => {
              e.preventDefault();
              this.dropAt = i;
            }}
            @dragend=${() => {
              this.dragFrom = null;
              this.dropAt = null;
            }}
            @drop=${(e: DragEvent) => {
              e.preventDefault();
              const from = this.dragFrom;
              this.dragFrom = null;
              this.dropAt = null;
              if (from !== null) void this.reorder(from, i);
            }}>
          <button type="button" class="handle" aria-label=${msg(str`Reorder ${labelOf(f)} (Alt+Arrow keys)`, { id: "admin.field.handle" })}
            @keydown=${(e: KeyboardEvent) => {
              if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
              e.preventDefault();
              void this.reorder(i, e.key === "ArrowUp" ? i - 1 : i + 1);
            }}>${gripIcon}</button>
          <span style="flex:1">${labelOf(f)} <code class="muted">${f.name}</code> <span class="tag">${typeLabel(f.type)}</span>
            ${f.required ? html`<span class="tag">${msg("required", { id: "admin.field.requiredTag" })}</span>` : nothing}
            ${f.id === t.primaryFieldId ? html`<span class="tag">${msg("primary", { id: "admin.field.primaryTag" })}</span>` : nothing}</span>
          <button type="button" aria-label=${msg("Move up", { id: "admin.moveUp" })} ?disabled=${i === 0} @click=${() => this.reorder(i, i - 1)}>${arrowUpIcon}</button>
          <button type="button" aria-label=${msg("Move down", { id: "admin.moveDown" })} ?disabled=${i === fields.length - 1} @click=${() => this.reorder(i, i + 1)}>${arrowDownIcon}</button>
          <button type="button" data-role="edit-field" @click=${() => {
            this.editing = f;
          }}>${msg("Edit", { id: "admin.edit" })}</button>
          <button type="button" class="danger" data-role="delete-field" @click=${async () => {
            if (await confirmFieldDelete(this, this.admin, t.name, f))
              await this.fieldAction(() => this.admin.deleteField(t.id, f.id));
          }}>${msg("Delete", { id: "admin.delete" })}</button>
        </li>`,
        )}
      </ol>
      ${
        t.deletedFields?.length
          ? html`<h3>${msg("Deleted fields", { id: "admin.field.deletedList" })}</h3>
            <ul class="plain" data-role="deleted-fields">${t.deletedFields.map(
              (f) => html`<li class="item">${labelOf(f)} <code class="muted">${f.name}</code>
              <button type="button" data-role="restore-field" @click=${() => this.fieldAction(() => this.admin.restoreField(t.id, f.id))}>${msg("Restore", { id: "admin.restore" })}</button></li>`,
            )}</ul>`
          : nothing
      }
    </div>`;
  }
}

if (!customElements.get("sg-admin-tables")) customElements.define("sg-admin-tables", SgAdminTables);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-tables": SgAdminTables;
  }
}
