/**
 * `<sg-form>`: create or edit one record in a form generated from the table's fields as the caller
 * may see them (`access: "read"` fields are shown read-only; hidden ones never arrive). The server
 * decides: its problem+json errors are shown on their fields, and a 409 shows the current values.
 * Events (typed in events.ts): `sg-record-saved` {record, created}, `sg-records-changed` (the saved
 * record, for every open view), `sg-notify` {kind, message}.
 */
import { LitElement, html, css, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient, type ApiRecord, type FieldInfo, type TableInfo, type User } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";
import { labelOf, localized, msg, str } from "../i18n/index";
import { controls } from "../sg-app/styles";
import "./link-picker";
import type { LinkItem } from "./link-picker";
import "./stage-list";
import { isStageList, parseStages, stageProblems, type StageProblems } from "./stage-values";
import { choicesOf, displayValue, fromText, linkIds, sameValue, toText, type ValueNames } from "./values";
import { emit } from "../events";
import { fromZonedInput, toZonedInput } from "../i18n/time";
import { starIcon } from "../icons";

const TEXT_INPUT: Record<string, string> = {
  text: "text",
  email: "email",
  phone: "tel",
  url: "url",
  number: "text",
  currency: "text",
  percent: "text",
};
let seq = 0;

// localized() must patch the class before customElement() defines it: an element already in the page
// is upgraded at define time and would miss the locale controller.
@customElement("sg-form")
@localized()
export class SgForm extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; }
      form { display: grid; gap: 14px; }
      .field { display: grid; gap: 4px; }
      label, .label { font-weight: 600; font-size: 0.92em; }
      .req { color: var(--sg-danger); }
      input:not([type="checkbox"]):not([type="radio"]), select, textarea { width: 100%; box-sizing: border-box; }
      .field > input[type="checkbox"] { justify-self: start; }
      textarea { min-height: 80px; resize: vertical; }
      [aria-invalid="true"] { border-color: var(--sg-danger); }
      .error { margin: 0; font-size: 0.9em; }
      .conflict { margin: 0; font-size: 0.9em; background: #fff8c5; padding: 4px 8px; border-radius: 4px; }
      .readonly { padding: 5px 0; min-height: 1.4em; }
      .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: middle; border: 1px solid rgb(0 0 0 / 0.15); }
      .select-row { display: flex; align-items: center; gap: 6px; }
      .multi { display: flex; flex-wrap: wrap; gap: 6px 14px; }
      .stars { display: flex; gap: 2px; }
      .stars label { font-weight: normal; cursor: pointer; font-size: 1.3em; color: #c9ccd1; }
      .stars label.on { color: #f5a623; }
      .stars input { position: absolute; opacity: 0; width: 1px; height: 1px; }
      .stars input:focus-visible + span { outline: 2px solid var(--sg-accent); }
      .money { display: flex; align-items: center; gap: 6px; }
      .actions { display: flex; gap: 8px; justify-content: flex-end; }
      .banner { padding: 8px 12px; border-radius: 6px; }
      .banner.error { background: #ffebe9; color: var(--sg-danger); }
      .banner.warn { background: #fff8c5; color: #6a4b00; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: false }) table?: TableInfo;
  /** The record to edit; null or absent creates a new one. */
  @property({ attribute: false }) record: ApiRecord | null = null;
  /** The signed-in user (the user picker offers them). */
  @property({ attribute: false }) user: User | null = null;
  @property({ attribute: "time-zone" }) timeZone: string | null = null;
  /** Values a new record starts with, by field name (a calendar's clicked day as its start). */
  @property({ attribute: false }) initial: Record<string, unknown> | null = null;

  /** The values being edited, by field name. */
  @state() private values: Record<string, unknown> = {};
  /** Raw text of controls that parse (number, money, percent), so a bad entry stays as typed. */
  @state() private texts: Record<string, string> = {};
  @state() private errors = new Map<string, string[]>();
  @state() private formError = "";
  @state() private conflict: ApiRecord | null = null;
  @state() private saving = false;
  @state() private users: { id: string; name: string }[] = [];
  /** Server problems of stage list fields, by row. */
  @state() private rowProblems = new Map<string, StageProblems>();
  /** Stage list fields holding a row that is not valid yet (checked before sending). */
  private invalidLists = new Set<string>();
  private readonly uid = `sgf${++seq}`;
  private loadedFor: unknown = undefined;

  /** A reload or closing the tab with unsaved changes asks first (the browser words the question). */
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!this.hasUnsavedChanges()) return;
    e.preventDefault();
    e.returnValue = "";
  };

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener("beforeunload", this.onBeforeUnload);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener("beforeunload", this.onBeforeUnload);
  }

  /** Edits not saved yet: a changed writable field, or typed text that does not parse yet. */
  hasUnsavedChanges(): boolean {
    if (!this.table) return false;
    const { fields, local } = this.payload();
    return Object.keys(fields).length > 0 || local.size > 0;
  }

  override willUpdate(changed: Map<string, unknown>) {
    if ((changed.has("record") || changed.has("table")) && this.loadedFor !== this.record) {
      this.loadedFor = this.record;
      this.reset();
      void this.loadUsers();
    }
  }

  private reset() {
    this.values = { ...(this.record?.fields ?? this.initial ?? {}) };
    this.texts = {};
    this.errors = new Map();
    this.rowProblems = new Map();
    this.invalidLists = new Set();
    this.formError = "";
    this.conflict = null;
  }

  /** Colleagues from the user directory (active users), plus the names of users the record already holds. */
  private async loadUsers() {
    if (!this.api) return;
    try {
      const reply = await this.api.users({ limit: 200 });
      const listed = new Map(reply.users.map((u) => [u.id, u.name]));
      const held = Object.values(this.values).filter(
        (v): v is string => typeof v === "string" && v.startsWith("usr_") && !listed.has(v),
      );
      if (held.length) for (const [id, name] of await this.api.userNames(held)) listed.set(id, name);
      this.users = [...listed].map(([id, name]) => ({ id, name }));
    } catch {
      this.users = [];
    }
  }

  private get fields(): FieldInfo[] {
    return this.table?.fields ?? [];
  }

  /** Names of the users the form knows (the directory and the record's own), for read-only values. */
  private get names(): ValueNames {
    return {
      user: (id) => (id === this.user?.id ? this.user.name : this.users.find((u) => u.id === id)?.name),
    };
  }

  private writable(f: FieldInfo): boolean {
    if (f.type === "autonumber") return false;
    const ops = this.table?.access;
    if (ops && !(this.record ? ops.update : ops.create)) return false;
    return f.access !== "read";
  }

  private set(f: FieldInfo, value: unknown) {
    this.values = { ...this.values, [f.name]: value };
    if (this.errors.has(f.name)) {
      const next = new Map(this.errors);
      next.delete(f.name);
      this.errors = next;
    }
    if (this.rowProblems.has(f.name)) {
      const next = new Map(this.rowProblems);
      next.delete(f.name);
      this.rowProblems = next;
    }
  }

  private setText(f: FieldInfo, text: string) {
    this.texts = { ...this.texts, [f.name]: text };
    const parsed = fromText(f, text);
    if (parsed.ok) this.set(f, parsed.value);
  }

  /** The fields to send: changed writable ones (create: the ones given a value). */
  private payload(): { fields: Record<string, unknown>; local: Map<string, string[]> } {
    const fields: Record<string, unknown> = {};
    const local = new Map<string, string[]>();
    for (const f of this.fields) {
      if (!this.writable(f)) continue;
      if (this.invalidLists.has(f.name)) {
        local.set(f.name, [
          msg("A stage's probability is not a percentage from 0 to 100", { id: "form.stages.fixRows" }),
        ]);
        continue;
      }
      if (f.name in this.texts) {
        const parsed = fromText(f, this.texts[f.name]!);
        if (!parsed.ok) {
          local.set(f.name, [parsed.message]);
          continue;
        }
      }
      let v = this.values[f.name];
      if (f.type === "link") v = linkIds(v);
      if (this.record) {
        if (!sameValue(f, v, this.record.fields[f.name])) fields[f.name] = v ?? null;
      } else if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) {
        fields[f.name] = v;
      }
    }
    return { fields, local };
  }

  /** Saves; resolves to the saved record, or null when nothing was saved. */
  async submit(): Promise<ApiRecord | null> {
    if (!this.api || !this.table || this.saving) return null;
    const { fields, local } = this.payload();
    if (local.size) {
      this.errors = local;
      this.formError = msg("Some fields need attention", { id: "form.fixFields" });
      this.focusFirstError();
      return null;
    }
    if (this.record && Object.keys(fields).length === 0 && !this.conflict) {
      this.notify("info", msg("Nothing to save", { id: "form.nothingChanged" }));
      return null;
    }
    this.saving = true;
    this.formError = "";
    try {
      const base = this.conflict ?? this.record;
      const { record } = base
        ? await this.api.updateRecord(this.table.name, base.id, base.version, fields)
        : await this.api.createRecord(this.table.name, fields);
      const created = !this.record;
      this.record = record;
      this.loadedFor = record;
      this.reset();
      this.notify(
        "info",
        created ? msg("Record created", { id: "form.created" }) : msg("Changes saved", { id: "form.saved" }),
      );
      emit(this, "sg-record-saved", { record, created });
      emit(this, "sg-records-changed", { table: this.table.name, records: [record], created });
      return record;
    } catch (err) {
      this.showError(err);
      return null;
    } finally {
      this.saving = false;
    }
  }

  private showError(err: unknown) {
    if (!(err instanceof ApiError)) {
      this.formError = msg("Could not save. Check your connection and try again.", { id: "form.errNetwork" });
      return;
    }
    const byField = err.fieldErrors();
    const known = new Set(this.fields.map((f) => f.name));
    this.errors = new Map(
      [...byField].filter(([k]) => known.has(k)).map(([k, list]) => [k, list.map((e) => fieldErrorText(e))]),
    );
    // A stage list's row problems go on their rows; what is left stays on the field.
    this.rowProblems = new Map();
    for (const f of this.fields.filter((x) => isStageList(x) && this.errors.has(x.name))) {
      const p = stageProblems(err.problem.errors ?? [], f.name);
      this.rowProblems.set(f.name, p);
      this.errors.set(
        f.name,
        p.rows.size && !p.list.length
          ? [msg("Some stages need attention (marked below)", { id: "form.stages.seeRows" })]
          : p.list,
      );
    }
    if (err.status === 409 && err.current) {
      this.conflict = err.current;
      this.errors = new Map();
      this.formError = msg(
        "Someone else changed this record meanwhile. Their values are shown under each field; save again to keep yours.",
        { id: "form.conflict" },
      );
    } else if (err.status === 403) {
      this.formError = msg(str`You may not do this: ${err.problem.detail ?? ""}`, { id: "form.forbidden" });
    } else if (err.status === 422 || err.status === 400) {
      this.formError = msg("Some fields need attention", { id: "form.fixFields" });
    } else if (err.status === 0) {
      this.formError = msg("Could not save. Check your connection and try again.", { id: "form.errNetwork" });
    } else {
      this.formError = err.problem.detail || err.problem.title;
    }
    this.focusFirstError();
  }

  private focusFirstError() {
    void this.updateComplete.then(() =>
      (this.renderRoot.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus(),
    );
  }

  private notify(kind: "info" | "error", message: string) {
    emit(this, "sg-notify", { kind, message });
  }

  private control(f: FieldInfo, id: string, describedBy: string): TemplateResult {
    const v = this.values[f.name];
    const invalid = this.errors.has(f.name) ? "true" : "false";
    const label = labelOf(f);
    if (!this.writable(f)) {
      return html`<div class="readonly" id=${id} data-value aria-readonly="true">${displayValue(f, v, this.timeZone, this.names) || html`<span class="muted">—</span>`}</div>`;
    }
    if (isStageList(f) && parseStages(v) !== null) {
      return html`<sg-stage-list id=${id} label=${label} aria-describedby=${describedBy} aria-invalid=${invalid} .value=${v ?? null} .base=${this.record} .problems=${this.rowProblems.get(f.name) ?? null}
        @sg-stages-change=${(e: HTMLElementEventMap["sg-stages-change"]) => {
          if (e.detail.valid) this.invalidLists.delete(f.name);
          else this.invalidLists.add(f.name);
          this.set(f, e.detail.value);
        }}></sg-stage-list>`;
    }
    switch (f.type) {
      case "long_text":
        return html`<textarea id=${id} name=${f.name} aria-invalid=${invalid} aria-describedby=${describedBy} ?required=${f.required} .value=${(v as string) ?? ""} @input=${(e: Event) => this.set(f, (e.target as HTMLTextAreaElement).value)}></textarea>`;
      case "date":
        return html`<input id=${id} name=${f.name} type="date" aria-invalid=${invalid} aria-describedby=${describedBy} .value=${(v as string) ?? ""} @input=${(e: Event) => this.set(f, (e.target as HTMLInputElement).value || null)} />`;
      case "datetime":
        return html`<input id=${id} name=${f.name} type="datetime-local" aria-invalid=${invalid} aria-describedby=${describedBy} .value=${toZonedInput(v, this.timeZone)}
          @input=${(e: Event) => {
            // The control shows wall-clock time in the user's zone, not the browser's (i18n/time.ts).
            const t = (e.target as HTMLInputElement).value;
            this.set(f, t ? fromZonedInput(t, this.timeZone) : null);
          }} />`;
      case "checkbox":
        return html`<input id=${id} name=${f.name} type="checkbox" aria-invalid=${invalid} aria-describedby=${describedBy} .checked=${v === true} @change=${(e: Event) => this.set(f, (e.target as HTMLInputElement).checked)} />`;
      case "single_select": {
        const current = choicesOf(f).find((c) => c.name === v);
        return html`<div class="select-row">
          <span class="swatch" style="background:${current?.color ?? "transparent"}" aria-hidden="true"></span>
          <select id=${id} name=${f.name} aria-invalid=${invalid} aria-describedby=${describedBy} @change=${(e: Event) => this.set(f, (e.target as HTMLSelectElement).value || null)}>
            <option value="" ?selected=${!v}>—</option>
            ${choicesOf(f).map((c) => html`<option value=${c.name} ?selected=${c.name === v}>${labelOf(c)}</option>`)}
          </select>
        </div>`;
      }
      case "multi_select": {
        const chosen = new Set(Array.isArray(v) ? (v as string[]) : []);
        return html`<div class="multi" id=${id} role="group" aria-label=${label} aria-invalid=${invalid} aria-describedby=${describedBy}>
          ${choicesOf(f).map(
            (
              c,
            ) => html`<label style="font-weight:normal"><input type="checkbox" name=${f.name} value=${c.name} .checked=${chosen.has(c.name)}
              @change=${(e: Event) => {
                const next = new Set(chosen);
                if ((e.target as HTMLInputElement).checked) next.add(c.name);
                else next.delete(c.name);
                this.set(
                  f,
                  choicesOf(f)
                    .map((x) => x.name)
                    .filter((n) => next.has(n)),
                );
              }} /><span class="swatch" style="background:${c.color ?? "transparent"}" aria-hidden="true"></span>${labelOf(c)}</label>`,
          )}
        </div>`;
      }
      case "rating": {
        const max = typeof f.options.max === "number" ? f.options.max : 5;
        const n = typeof v === "number" ? v : 0;
        return html`<div class="stars" id=${id} role="radiogroup" aria-label=${label} aria-describedby=${describedBy}>
          ${Array.from({ length: max }, (_, i) => i + 1).map(
            (k) =>
              html`<label class=${k <= n ? "on" : ""} title=${String(k)}><input type="radio" name=${`${this.uid}-${f.name}`} value=${k} .checked=${k === n} aria-label=${msg(str`${k} of ${max}`, { id: "form.ratingOf" })} @change=${() => this.set(f, k)} /><span aria-hidden="true">${starIcon}</span></label>`,
          )}
          <button type="button" class="muted" style="margin-left:8px" @click=${() => this.set(f, null)}>${msg("Clear", { id: "form.clear" })}</button>
        </div>`;
      }
      case "user": {
        const options = new Map<string, string>();
        if (this.user) options.set(this.user.id, this.user.name);
        for (const u of this.users) options.set(u.id, u.name);
        if (typeof v === "string" && !options.has(v)) options.set(v, v);
        return html`<select id=${id} name=${f.name} aria-invalid=${invalid} aria-describedby=${describedBy} @change=${(e: Event) => this.set(f, (e.target as HTMLSelectElement).value || null)}>
          <option value="" ?selected=${!v}>—</option>
          ${[...options].map(([uid, name]) => html`<option value=${uid} ?selected=${uid === v}>${name}</option>`)}
        </select>`;
      }
      case "link": {
        const items: LinkItem[] = Array.isArray(v)
          ? v.map((x) => (typeof x === "number" ? { id: x, primary: undefined } : (x as LinkItem)))
          : [];
        return html`<sg-link-picker id=${id} .api=${this.api} target=${String(f.options.table ?? "")} ?multiple=${f.options.multiple !== false} label=${label} .value=${items}
          @change=${(e: CustomEvent<{ value: LinkItem[] }>) => this.set(f, e.detail.value)}></sg-link-picker>`;
      }
      case "currency":
        return html`<div class="money"><input id=${id} name=${f.name} type="text" inputmode="decimal" aria-invalid=${invalid} aria-describedby=${describedBy}
            .value=${this.texts[f.name] ?? toText(f, v)} @input=${(e: Event) => this.setText(f, (e.target as HTMLInputElement).value)} /><span class="muted">${String(f.options.currency ?? "CNY")}</span></div>`;
      case "percent":
        return html`<div class="money"><input id=${id} name=${f.name} type="text" inputmode="decimal" aria-invalid=${invalid} aria-describedby=${describedBy}
            .value=${this.texts[f.name] ?? toText(f, v)} @input=${(e: Event) => this.setText(f, (e.target as HTMLInputElement).value)} /><span class="muted">%</span></div>`;
      case "number":
      case "decimal":
        return html`<input id=${id} name=${f.name} type="text" inputmode="decimal" aria-invalid=${invalid} aria-describedby=${describedBy}
          .value=${this.texts[f.name] ?? toText(f, v)} @input=${(e: Event) => this.setText(f, (e.target as HTMLInputElement).value)} />`;
      default:
        return html`<input id=${id} name=${f.name} type=${TEXT_INPUT[f.type] ?? "text"} aria-invalid=${invalid} aria-describedby=${describedBy} ?required=${f.required}
          .value=${(v as string) ?? ""} @input=${(e: Event) => this.set(f, (e.target as HTMLInputElement).value)} />`;
    }
  }

  private field(f: FieldInfo): TemplateResult {
    const id = `${this.uid}-${f.name}`;
    const errs = this.errors.get(f.name) ?? [];
    const current =
      this.conflict && !sameValue(f, this.conflict.fields[f.name], this.record?.fields[f.name])
        ? this.conflict.fields[f.name]
        : undefined;
    const groupLike = ["multi_select", "rating"].includes(f.type) || isStageList(f) || !this.writable(f);
    const labelText = html`${labelOf(f)}${f.required && this.writable(f) ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}`;
    return html`<div class="field" data-field=${f.name}>
      ${groupLike ? html`<span class="label" id="${id}-label">${labelText}</span>` : html`<label for=${id}>${labelText}</label>`}
      ${this.control(f, id, `${id}-err ${id}-cur`)}
      ${errs.length ? html`<p class="error" id="${id}-err" role="alert">${errs.join(" ")}</p>` : nothing}
      ${current !== undefined ? html`<p class="conflict" id="${id}-cur">${msg("Current value:", { id: "form.currentValue" })} <span data-value>${displayValue(f, current, this.timeZone, this.names) || "—"}</span></p>` : nothing}
    </div>`;
  }

  override render() {
    if (!this.table) return html`<p class="muted">${msg("Loading…", { id: "common.loading" })}</p>`;
    const canSave = this.record ? this.table.access?.update !== false : this.table.access?.create !== false;
    return html`<form novalidate data-form="record" @submit=${(e: Event) => (e.preventDefault(), void this.submit())}>
      ${this.formError ? html`<div class="banner ${this.conflict ? "warn" : "error"}" role="alert">${this.formError}</div>` : nothing}
      ${this.fields.map((f) => this.field(f))}
      ${
        canSave
          ? html`<div class="actions">
            <button type="button" @click=${() => emit(this, "sg-cancel", undefined)}>${msg("Cancel", { id: "common.cancel" })}</button>
            <button type="submit" class="primary" ?disabled=${this.saving}>${this.saving ? msg("Saving…", { id: "form.saving" }) : this.record ? msg("Save", { id: "common.save" }) : msg("Create", { id: "form.create" })}</button>
          </div>`
          : nothing
      }
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-form": SgForm;
  }
}
