/**
 * <sg-admin-field-editor>: one field's definition, with the options its type takes
 * (schemas/field.schema.json): text length, number precision and range, currency code, rating max,
 * choices with colours for selects, link target and one/many, autonumber prefix; required, indexed.
 * `field` null creates a field. Emits `sg-admin-saved` {field} after the server accepted it.
 * The draft and its request body live in field-draft.ts, the options sections per type in
 * field-type-options.ts and field-choices.ts, the types and their names in field-types.ts.
 */
import { LitElement, html, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { FieldInfo } from "../api/client";
import type { AdminApi, AdminTable } from "./admin-api";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import { emit } from "../events";
import { FIELD_TYPES, typeLabel, type FieldType } from "./field-types";
import { apiNameFrom, draftOf, fieldBody, type Draft } from "./field-draft";
import { typeOptions, type DraftEditor } from "./field-type-options";

// Other sections name fields and types with these.
export { FIELD_TYPES, apiNameFrom, typeLabel, type FieldType };

@localized()
export class SgAdminFieldEditor extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;
  /** The table the field belongs to (name). */
  @property({ attribute: false }) table = "";
  @property({ attribute: false }) field: FieldInfo | null = null;
  /** Every live table, for a link's target. */
  @property({ attribute: false }) tables: AdminTable[] = [];

  @state() private d: Draft = draftOf(null);
  @state() private problems = Problems.none;
  @state() private busy = false;
  private nameTouched = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("field")) {
      this.d = draftOf(this.field);
      this.problems = Problems.none;
      this.nameTouched = this.field !== null;
    }
  }

  private set<K extends keyof Draft>(k: K, v: Draft[K]): void {
    this.d = { ...this.d, [k]: v };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.problems = Problems.none;
    try {
      let field: FieldInfo;
      let note = "";
      if (this.field) {
        const res = await this.admin.updateField(this.table, this.field.id, fieldBody(this.d, this.field !== null));
        field = res.field;
        if (res.conversion?.unconvertedCount) {
          note = msg(
            str`${res.conversion.unconvertedCount} values could not be converted and were cleared (kept in the audit log).`,
            { id: "admin.field.unconverted" },
          );
        }
      } else {
        field = await this.admin.addField(this.table, fieldBody(this.d, this.field !== null));
      }
      emit(this, "sg-admin-saved", { field });
      emit(this, "sg-notify", {
        kind: note ? "error" : "info",
        message: note || msg("Field saved", { id: "admin.field.saved" }),
      });
    } catch (err) {
      this.problems = Problems.from(err);
    } finally {
      this.busy = false;
    }
  }

  /** The draft and problems as the options sections see them. */
  private editor(): DraftEditor {
    return {
      d: this.d,
      problems: this.problems,
      field: this.field,
      tables: this.tables,
      set: (k, v) => this.set(k, v),
    };
  }

  override render() {
    const d = this.d;
    const p = this.problems;
    const existing = this.field !== null;
    const shown = ["name", "label", "labels", "description", "type", "required", "indexed", "options"];
    return html`<form class="stack panel" data-role="field-editor" aria-label=${existing ? msg("Edit field", { id: "admin.field.edit" }) : msg("New field", { id: "admin.field.new" })} @submit=${this.save}>
      <h3>${existing ? msg("Edit field", { id: "admin.field.edit" }) : msg("New field", { id: "admin.field.new" })}</h3>
      ${banner(p, shown)}
      <div class="row">
        <label class="field"><span>${msg("Label", { id: "admin.label" })}</span>
          <input name="label" .value=${d.label} aria-invalid=${invalid(p, "label")} maxlength="200"
            @input=${(e: Event) => {
              const v = (e.target as HTMLInputElement).value;
              this.set("label", v);
              if (!this.nameTouched) this.set("name", apiNameFrom(v));
            }}>
          ${fieldError(p, "label")}</label>
        <label class="field"><span>${msg("Label (Chinese)", { id: "admin.labelZh" })}</span>
          <input name="label-zh" .value=${d.zh} maxlength="200" @input=${(e: Event) => this.set("zh", (e.target as HTMLInputElement).value)}>
          ${fieldError(p, "labels")}</label>
        <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span>
          <input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${d.name} aria-invalid=${invalid(p, "name")}
            @input=${(e: Event) => {
              this.nameTouched = true;
              this.set("name", (e.target as HTMLInputElement).value);
            }}>
          ${fieldError(p, "name")}</label>
        <label class="field"><span>${msg("Type", { id: "admin.field.type" })}</span>
          <select name="type" aria-invalid=${invalid(p, "type")} ?disabled=${existing && (d.type === "link" || this.field?.type === "link")}
            @change=${(e: Event) => this.set("type", (e.target as HTMLSelectElement).value as FieldType)}>
            ${FIELD_TYPES.map((t) => html`<option value=${t} ?selected=${t === d.type} ?disabled=${existing && this.field?.type !== t && (t === "link" || t === "autonumber")}>${typeLabel(t)}</option>`)}
          </select>
          ${fieldError(p, "type")}</label>
      </div>
      ${typeOptions(this.editor())}
      <div class="row">
        <label><input type="checkbox" name="required" .checked=${d.required} @change=${(e: Event) => this.set("required", (e.target as HTMLInputElement).checked)}>
          ${msg("Required", { id: "admin.field.required" })}</label>
        <label><input type="checkbox" name="indexed" .checked=${d.indexed} ?disabled=${d.type === "link"} @change=${(e: Event) => this.set("indexed", (e.target as HTMLInputElement).checked)}>
          ${msg("Indexed (faster sorting and filtering)", { id: "admin.field.indexed" })}</label>
        ${fieldError(p, "required")}${fieldError(p, "indexed")}
      </div>
      <label class="field"><span>${msg("Description", { id: "admin.description" })}</span>
        <textarea name="description" rows="2" maxlength="2000" .value=${d.description} @input=${(e: Event) => this.set("description", (e.target as HTMLTextAreaElement).value)}></textarea>
        ${fieldError(p, "description")}</label>
      <div class="row">
        <button class="primary" type="submit" data-role="save-field" ?disabled=${this.busy}>${msg("Save field", { id: "admin.field.save" })}</button>
        <button type="button" @click=${() => emit(this, "sg-admin-cancel", undefined)}>${msg("Cancel", { id: "admin.cancel" })}</button>
      </div>
    </form>`;
  }
}

if (!customElements.get("sg-admin-field-editor")) customElements.define("sg-admin-field-editor", SgAdminFieldEditor);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-field-editor": SgAdminFieldEditor;
  }
}
