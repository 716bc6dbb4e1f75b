/**
 * <sg-admin-field-editor>: one field's definition, with the options its type takes
 * (schemas/field.schema.json): text length, number precision and range, currency code, rating max,
 * choices with colours for selects, link target and one/many, autonumber prefix; required, indexed.
 * `field` null creates a field. Emits `sg-admin-saved` {field} after the server accepted it.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { FieldInfo } from "../api/client";
import type { FieldInput, FieldOptions } from "../../schemas/types";
import { labelOf } from "../i18n/index";
import type { AdminApi, AdminTable } from "./admin-api";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import { emit } from "../events";
import { arrowDownIcon, arrowUpIcon, closeIcon } from "../icons";

export const FIELD_TYPES = [
  "text",
  "long_text",
  "number",
  "currency",
  "percent",
  "date",
  "datetime",
  "checkbox",
  "single_select",
  "multi_select",
  "email",
  "phone",
  "url",
  "rating",
  "user",
  "link",
  "autonumber",
  "decimal",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export function typeLabel(t: string): string {
  switch (t) {
    case "text":
      return msg("Text", { id: "admin.type.text" });
    case "long_text":
      return msg("Long text", { id: "admin.type.long_text" });
    case "number":
      return msg("Number", { id: "admin.type.number" });
    case "currency":
      return msg("Currency", { id: "admin.type.currency" });
    case "percent":
      return msg("Percent", { id: "admin.type.percent" });
    case "date":
      return msg("Date", { id: "admin.type.date" });
    case "datetime":
      return msg("Date and time", { id: "admin.type.datetime" });
    case "checkbox":
      return msg("Checkbox", { id: "admin.type.checkbox" });
    case "single_select":
      return msg("Single select", { id: "admin.type.single_select" });
    case "multi_select":
      return msg("Multiple select", { id: "admin.type.multi_select" });
    case "email":
      return msg("Email", { id: "admin.type.email" });
    case "phone":
      return msg("Phone", { id: "admin.type.phone" });
    case "url":
      return msg("URL", { id: "admin.type.url" });
    case "rating":
      return msg("Rating", { id: "admin.type.rating" });
    case "user":
      return msg("User", { id: "admin.type.user" });
    case "link":
      return msg("Link to another table", { id: "admin.type.link" });
    case "autonumber":
      return msg("Autonumber", { id: "admin.type.autonumber" });
    case "decimal":
      return msg("Exact decimal", { id: "admin.type.decimal" });
    default:
      return t;
  }
}

const PALETTE = [
  "#4c6ef5",
  "#12b886",
  "#fab005",
  "#fa5252",
  "#7950f2",
  "#15aabf",
  "#fd7e14",
  "#82c91e",
  "#e64980",
  "#868e96",
];
const CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "TWD", "SGD", "KRW", "AUD", "CAD", "CHF"];

interface ChoiceDraft {
  id?: string;
  name: string;
  color: string;
  zh: string;
  en: string;
}

interface Draft {
  name: string;
  label: string;
  zh: string;
  description: string;
  type: FieldType;
  required: boolean;
  indexed: boolean;
  maxLength: string;
  precision: string;
  min: string;
  max: string;
  currency: string;
  prefix: string;
  /** An autonumber with a document-number format (prefix, year, padding), set when it is created. */
  formatted: boolean;
  year: boolean;
  padding: string;
  choices: ChoiceDraft[];
  table: string;
  multiple: boolean;
  inverseName: string;
}

function draftOf(f: FieldInfo | null): Draft {
  const o = (f?.options ?? {}) as FieldOptions & {
    choices?: { id?: string; name: string; color?: string; labels?: Record<string, string> }[];
  };
  const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    name: f?.name ?? "",
    label: f?.label ?? "",
    zh: f?.labels?.["zh-CN"] ?? "",
    description: f?.description ?? "",
    type: (f?.type as FieldType) ?? "text",
    required: f?.required ?? false,
    indexed: f?.indexed ?? false,
    maxLength: s(o.maxLength),
    // A decimal's scale is edited in the same "decimal places" box as a number's precision.
    precision: s(o.precision ?? o.scale),
    min: s(o.min),
    max: s(o.max),
    currency: o.currency ?? "CNY",
    prefix: o.format?.prefix ?? o.prefix ?? "",
    formatted: o.format !== undefined,
    year: o.format?.year ?? true,
    padding: s(o.format?.padding ?? 5),
    choices: (o.choices ?? []).map((c, i) => ({
      id: c.id,
      name: c.name,
      color: c.color ?? PALETTE[i % PALETTE.length]!,
      zh: c.labels?.["zh-CN"] ?? "",
      en: c.labels?.en ?? "",
    })),
    table: o.table ?? "",
    multiple: o.multiple ?? true,
    inverseName: o.inverseName ?? "",
  };
}

/** Letters, digits and underscores from a label: "Deal stage" -> "deal_stage". */
export function apiNameFrom(label: string): string {
  const n = label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 63);
  return /^[a-z]/.test(n) ? n : n ? `f_${n}`.slice(0, 63) : "";
}

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

  /** Only the options the type takes: the server refuses the others. */
  private options(): FieldOptions | undefined {
    const d = this.d;
    const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
    const o: Record<string, unknown> = {};
    switch (d.type) {
      case "text":
      case "long_text":
        o.maxLength = num(d.maxLength);
        break;
      case "number":
        o.precision = num(d.precision);
        o.min = num(d.min);
        o.max = num(d.max);
        break;
      case "currency":
        o.currency = d.currency.trim().toUpperCase();
        break;
      case "decimal":
        o.scale = num(d.precision);
        break;
      case "rating":
        o.max = num(d.max);
        break;
      case "single_select":
      case "multi_select":
        o.choices = d.choices.map((c) => {
          const labels: Record<string, string> = {};
          if (c.en.trim()) labels.en = c.en.trim();
          if (c.zh.trim()) labels["zh-CN"] = c.zh.trim();
          return {
            ...(c.id ? { id: c.id } : {}),
            name: c.name,
            color: c.color,
            ...(Object.keys(labels).length ? { labels } : {}),
          };
        });
        break;
      case "link":
        o.table = d.table;
        o.multiple = d.multiple;
        if (!this.field && d.inverseName.trim()) o.inverseName = d.inverseName.trim();
        break;
      case "autonumber":
        // A format is set once, at creation (the server keeps it when a change leaves it out).
        if (d.formatted && !this.field)
          o.format = { ...(d.prefix ? { prefix: d.prefix } : {}), year: d.year, padding: num(d.padding) ?? 5 };
        else if (d.prefix && !d.formatted) o.prefix = d.prefix;
        break;
    }
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    return Object.keys(o).length ? (o as FieldOptions) : undefined;
  }

  private body(): FieldInput {
    const d = this.d;
    const labels: Record<string, string> = {};
    if (d.label.trim()) labels.en = d.label.trim();
    if (d.zh.trim()) labels["zh-CN"] = d.zh.trim();
    const options = this.options();
    return {
      name: d.name.trim(),
      type: d.type,
      ...(d.label.trim() ? { label: d.label.trim() } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(d.description ? { description: d.description } : {}),
      required: d.required,
      indexed: d.indexed,
      ...(options ? { options } : {}),
    };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    this.problems = Problems.none;
    try {
      let field: FieldInfo;
      let note = "";
      if (this.field) {
        const res = await this.admin.updateField(this.table, this.field.id, this.body());
        field = res.field;
        if (res.conversion?.unconvertedCount) {
          note = msg(
            str`${res.conversion.unconvertedCount} values could not be converted and were cleared (kept in the audit log).`,
            { id: "admin.field.unconverted" },
          );
        }
      } else {
        field = await this.admin.addField(this.table, this.body());
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
      ${this.renderTypeOptions()}
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

  private num(
    key: "maxLength" | "precision" | "min" | "max",
    label: string,
    attrs: { min?: number; max?: number; step?: string } = {},
  ) {
    const p = this.problems;
    return html`<label class="field"><span>${label}</span>
      <input type="number" name=${key} .value=${this.d[key]} min=${attrs.min ?? ""} max=${attrs.max ?? ""} step=${attrs.step ?? "1"}
        aria-invalid=${invalid(p, `options/${key}`)} @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value)}>
      ${fieldError(p, `options/${key}`)}</label>`;
  }

  private renderTypeOptions() {
    const d = this.d;
    const p = this.problems;
    switch (d.type) {
      case "text":
      case "long_text":
        return html`<div class="row">${this.num("maxLength", msg("Maximum length", { id: "admin.opt.maxLength" }), { min: 1, max: 100000 })}</div>`;
      case "number":
        return html`<div class="row">
          ${this.num("precision", msg("Decimal places", { id: "admin.opt.precision" }), { min: 0, max: 8 })}
          ${this.num("min", msg("Minimum", { id: "admin.opt.min" }), { step: "any" })}
          ${this.num("max", msg("Maximum", { id: "admin.opt.max" }), { step: "any" })}
        </div>`;
      case "decimal":
        return html`<div class="row">${this.num("precision", msg("Decimal places", { id: "admin.opt.precision" }), { min: 0, max: 6 })}
          <span class="muted">${msg("Values are exact (0.1 + 0.2 = 0.3); the places are fixed once the field holds values.", { id: "admin.opt.scaleHint" })}</span></div>`;
      case "rating":
        return html`<div class="row">${this.num("max", msg("Highest rating (1 to 10)", { id: "admin.opt.ratingMax" }), { min: 1, max: 10 })}</div>`;
      case "currency":
        return html`<div class="row"><label class="field"><span>${msg("Currency code", { id: "admin.opt.currency" })}</span>
          <input name="currency" list="sg-currencies" maxlength="3" pattern="[A-Z]{3}" .value=${d.currency} aria-invalid=${invalid(p, "options/currency")}
            @input=${(e: Event) => this.set("currency", (e.target as HTMLInputElement).value.toUpperCase())}>
          <datalist id="sg-currencies">${CURRENCIES.map((c) => html`<option value=${c}></option>`)}</datalist>
          ${fieldError(p, "options/currency")}</label>
          <span class="muted">${msg("Amounts are stored exactly, in the currency's smallest unit.", { id: "admin.opt.currencyHint" })}</span></div>`;
      case "autonumber": {
        const fixed = this.field !== null && d.formatted;
        const example = `${d.prefix}${d.year ? `${new Date().getFullYear()}-` : ""}${"1".padStart(Number(d.padding) || 1, "0")}`;
        return html`<div class="row"><label class="field"><span>${msg("Prefix", { id: "admin.opt.prefix" })}</span>
          <input name="prefix" maxlength="20" .value=${d.prefix} ?disabled=${fixed} @input=${(e: Event) => this.set("prefix", (e.target as HTMLInputElement).value)}>
          ${fieldError(p, d.formatted ? "options/format/prefix" : "options/prefix")}</label>
          <label><input type="checkbox" name="number-format" .checked=${d.formatted} ?disabled=${this.field !== null}
            @change=${(e: Event) => this.set("formatted", (e.target as HTMLInputElement).checked)}>
            ${msg("Document number (prefix, year, zero padding)", { id: "admin.opt.numberFormat" })}</label>
          ${
            d.formatted
              ? html`<label><input type="checkbox" name="format-year" .checked=${d.year} ?disabled=${fixed}
                  @change=${(e: Event) => this.set("year", (e.target as HTMLInputElement).checked)}>
                  ${msg("With the year (counts from 1 each year)", { id: "admin.opt.formatYear" })}</label>
                <label class="field"><span>${msg("Digits", { id: "admin.opt.formatPadding" })}</span>
                  <input type="number" name="format-padding" min="1" max="12" .value=${d.padding} ?disabled=${fixed}
                    @input=${(e: Event) => this.set("padding", (e.target as HTMLInputElement).value)}>
                  ${fieldError(p, "options/format/padding")}</label>
                <span class="muted" data-role="format-example">${msg(str`For example ${example}`, { id: "admin.opt.formatExample" })}${
                  fixed ? ` · ${msg("fixed once created", { id: "admin.opt.formatFixed" })}` : ""
                }</span>`
              : nothing
          }</div>`;
      }
      case "link":
        return html`<div class="row">
          <label class="field"><span>${msg("Links to table", { id: "admin.opt.linkTable" })}</span>
            <select name="link-table" ?disabled=${this.field !== null} aria-invalid=${invalid(p, "options/table")}
              @change=${(e: Event) => this.set("table", (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!d.table}>—</option>
              ${this.tables.map((t) => html`<option value=${t.id} ?selected=${t.id === d.table || t.name === d.table}>${labelOf(t)}</option>`)}
            </select>${fieldError(p, "options/table")}</label>
          <label class="field"><span>${msg("Each record links to", { id: "admin.opt.multiple" })}</span>
            <select name="link-multiple" @change=${(e: Event) => this.set("multiple", (e.target as HTMLSelectElement).value === "many")}>
              <option value="one" ?selected=${!d.multiple}>${msg("one record", { id: "admin.opt.one" })}</option>
              <option value="many" ?selected=${d.multiple}>${msg("many records", { id: "admin.opt.many" })}</option>
            </select></label>
          ${
            this.field
              ? nothing
              : html`<label class="field"><span>${msg("API name of the field on the other table (optional)", { id: "admin.opt.inverseName" })}</span>
            <input name="inverse-name" pattern="[a-z][a-z0-9_]{0,62}" .value=${d.inverseName} aria-invalid=${invalid(p, "options/inverseName")}
              @input=${(e: Event) => this.set("inverseName", (e.target as HTMLInputElement).value)}>${fieldError(p, "options/inverseName")}</label>`
          }
        </div>`;
      case "single_select":
      case "multi_select":
        return this.renderChoices();
      default:
        return nothing;
    }
  }

  private setChoice(i: number, patch: Partial<ChoiceDraft>): void {
    this.set(
      "choices",
      this.d.choices.map((c, j) => (j === i ? { ...c, ...patch } : c)),
    );
  }

  private moveChoice(i: number, by: number): void {
    const list = [...this.d.choices];
    const j = i + by;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j]!, list[i]!];
    this.set("choices", list);
  }

  private renderChoices() {
    const p = this.problems;
    const list = this.d.choices;
    return html`<fieldset class="stack" data-role="choices"><legend>${msg("Choices", { id: "admin.opt.choices" })}</legend>
      ${list.length === 0 ? html`<span class="muted">${msg("No choices yet.", { id: "admin.opt.noChoices" })}</span>` : nothing}
      <ol class="plain">
        ${list.map(
          (c, i) => html`<li class="item" data-role="choice">
          <input type="color" aria-label=${msg("Colour", { id: "admin.opt.colour" })} name="choice-color" .value=${c.color}
            @input=${(e: Event) => this.setChoice(i, { color: (e.target as HTMLInputElement).value })}>
          <input aria-label=${msg("Choice value", { id: "admin.opt.choiceName" })} name="choice-name" maxlength="100" required .value=${c.name}
            aria-invalid=${invalid(p, `options/choices/${i}`)} @input=${(e: Event) => this.setChoice(i, { name: (e.target as HTMLInputElement).value })}>
          <input aria-label=${msg("Label (English)", { id: "admin.labelEn" })} name="choice-en" maxlength="200" placeholder="English" .value=${c.en}
            @input=${(e: Event) => this.setChoice(i, { en: (e.target as HTMLInputElement).value })}>
          <input aria-label=${msg("Label (Chinese)", { id: "admin.labelZh" })} name="choice-zh" maxlength="200" placeholder="中文" .value=${c.zh}
            @input=${(e: Event) => this.setChoice(i, { zh: (e.target as HTMLInputElement).value })}>
          <button type="button" aria-label=${msg("Move up", { id: "admin.moveUp" })} ?disabled=${i === 0} @click=${() => this.moveChoice(i, -1)}>${arrowUpIcon}</button>
          <button type="button" aria-label=${msg("Move down", { id: "admin.moveDown" })} ?disabled=${i === list.length - 1} @click=${() => this.moveChoice(i, 1)}>${arrowDownIcon}</button>
          <button type="button" class="danger" aria-label=${msg("Remove choice", { id: "admin.opt.removeChoice" })}
            @click=${() =>
              this.set(
                "choices",
                list.filter((_, j) => j !== i),
              )}>${closeIcon}</button>
          ${fieldError(p, `options/choices/${i}`)}
        </li>`,
        )}
      </ol>
      <div class="row"><button type="button" data-role="add-choice"
        @click=${() => this.set("choices", [...list, { name: "", color: PALETTE[list.length % PALETTE.length]!, zh: "", en: "" }])}>+ ${msg("Add choice", { id: "admin.opt.addChoice" })}</button></div>
      ${fieldError(p, "options/choices", true)}
    </fieldset>`;
  }
}

if (!customElements.get("sg-admin-field-editor")) customElements.define("sg-admin-field-editor", SgAdminFieldEditor);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-field-editor": SgAdminFieldEditor;
  }
}
