/**
 * The field editor's options section for each field type: text length, number precision and range,
 * exact decimal places, rating max, currency code, autonumber prefix and format, link target and
 * one/many, choices (field-choices.ts).
 */
import { html, nothing } from "lit";
import { msg, str } from "@lit/localize";
import type { FieldInfo } from "../api/client";
import { labelOf } from "../i18n/index";
import type { AdminTable } from "./admin-api";
import type { Draft } from "./field-draft";
import { choiceList } from "./field-choices";
import { type Problems, fieldError, invalid } from "./problems";

/** What an options section reads of the editor, and the one way it changes the draft. */
export interface DraftEditor {
  d: Draft;
  problems: Problems;
  /** The field being changed; null while creating one. */
  field: FieldInfo | null;
  /** Every live table, for a link's target. */
  tables: AdminTable[];
  set<K extends keyof Draft>(k: K, v: Draft[K]): void;
}

const CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "TWD", "SGD", "KRW", "AUD", "CAD", "CHF"];

function numberInput(
  ed: DraftEditor,
  key: "maxLength" | "precision" | "min" | "max",
  label: string,
  attrs: { min?: number; max?: number; step?: string } = {},
) {
  const p = ed.problems;
  return html`<label class="field"><span>${label}</span>
    <input type="number" name=${key} .value=${ed.d[key]} min=${attrs.min ?? ""} max=${attrs.max ?? ""} step=${attrs.step ?? "1"}
      aria-invalid=${invalid(p, `options/${key}`)} @input=${(e: Event) => ed.set(key, (e.target as HTMLInputElement).value)}>
    ${fieldError(p, `options/${key}`)}</label>`;
}

/** The inputs for the options of the draft's type (none for types without options). */
export function typeOptions(ed: DraftEditor) {
  const { d, problems: p } = ed;
  switch (d.type) {
    case "text":
    case "long_text":
      return html`<div class="row">${numberInput(ed, "maxLength", msg("Maximum length", { id: "admin.opt.maxLength" }), { min: 1, max: 100000 })}</div>`;
    case "number":
      return html`<div class="row">
        ${numberInput(ed, "precision", msg("Decimal places", { id: "admin.opt.precision" }), { min: 0, max: 8 })}
        ${numberInput(ed, "min", msg("Minimum", { id: "admin.opt.min" }), { step: "any" })}
        ${numberInput(ed, "max", msg("Maximum", { id: "admin.opt.max" }), { step: "any" })}
      </div>`;
    case "decimal":
      return html`<div class="row">${numberInput(ed, "precision", msg("Decimal places", { id: "admin.opt.precision" }), { min: 0, max: 6 })}
        <span class="muted">${msg("Values are exact (0.1 + 0.2 = 0.3); the places are fixed once the field holds values.", { id: "admin.opt.scaleHint" })}</span></div>`;
    case "rating":
      return html`<div class="row">${numberInput(ed, "max", msg("Highest rating (1 to 10)", { id: "admin.opt.ratingMax" }), { min: 1, max: 10 })}</div>`;
    case "currency":
      return html`<div class="row"><label class="field"><span>${msg("Currency code", { id: "admin.opt.currency" })}</span>
        <input name="currency" list="sg-currencies" maxlength="3" pattern="[A-Z]{3}" .value=${d.currency} aria-invalid=${invalid(p, "options/currency")}
          @input=${(e: Event) => ed.set("currency", (e.target as HTMLInputElement).value.toUpperCase())}>
        <datalist id="sg-currencies">${CURRENCIES.map((c) => html`<option value=${c}></option>`)}</datalist>
        ${fieldError(p, "options/currency")}</label>
        <span class="muted">${msg("Amounts are stored exactly, in the currency's smallest unit.", { id: "admin.opt.currencyHint" })}</span></div>`;
    case "autonumber": {
      const fixed = ed.field !== null && d.formatted;
      const example = `${d.prefix}${d.year ? `${new Date().getFullYear()}-` : ""}${"1".padStart(Number(d.padding) || 1, "0")}`;
      return html`<div class="row"><label class="field"><span>${msg("Prefix", { id: "admin.opt.prefix" })}</span>
        <input name="prefix" maxlength="20" .value=${d.prefix} ?disabled=${fixed} @input=${(e: Event) => ed.set("prefix", (e.target as HTMLInputElement).value)}>
        ${fieldError(p, d.formatted ? "options/format/prefix" : "options/prefix")}</label>
        <label><input type="checkbox" name="number-format" .checked=${d.formatted} ?disabled=${ed.field !== null}
          @change=${(e: Event) => ed.set("formatted", (e.target as HTMLInputElement).checked)}>
          ${msg("Document number (prefix, year, zero padding)", { id: "admin.opt.numberFormat" })}</label>
        ${
          d.formatted
            ? html`<label><input type="checkbox" name="format-year" .checked=${d.year} ?disabled=${fixed}
                @change=${(e: Event) => ed.set("year", (e.target as HTMLInputElement).checked)}>
                ${msg("With the year (counts from 1 each year)", { id: "admin.opt.formatYear" })}</label>
              <label class="field"><span>${msg("Digits", { id: "admin.opt.formatPadding" })}</span>
                <input type="number" name="format-padding" min="1" max="12" .value=${d.padding} ?disabled=${fixed}
                  @input=${(e: Event) => ed.set("padding", (e.target as HTMLInputElement).value)}>
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
          <select name="link-table" ?disabled=${ed.field !== null} aria-invalid=${invalid(p, "options/table")}
            @change=${(e: Event) => ed.set("table", (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!d.table}>—</option>
            ${ed.tables.map((t) => html`<option value=${t.id} ?selected=${t.id === d.table || t.name === d.table}>${labelOf(t)}</option>`)}
          </select>${fieldError(p, "options/table")}</label>
        <label class="field"><span>${msg("Each record links to", { id: "admin.opt.multiple" })}</span>
          <select name="link-multiple" @change=${(e: Event) => ed.set("multiple", (e.target as HTMLSelectElement).value === "many")}>
            <option value="one" ?selected=${!d.multiple}>${msg("one record", { id: "admin.opt.one" })}</option>
            <option value="many" ?selected=${d.multiple}>${msg("many records", { id: "admin.opt.many" })}</option>
          </select></label>
        ${
          ed.field
            ? nothing
            : html`<label class="field"><span>${msg("API name of the field on the other table (optional)", { id: "admin.opt.inverseName" })}</span>
          <input name="inverse-name" pattern="[a-z][a-z0-9_]{0,62}" .value=${d.inverseName} aria-invalid=${invalid(p, "options/inverseName")}
            @input=${(e: Event) => ed.set("inverseName", (e.target as HTMLInputElement).value)}>${fieldError(p, "options/inverseName")}</label>`
        }
      </div>`;
    case "single_select":
    case "multi_select":
      return choiceList(ed);
    default:
      return nothing;
  }
}
