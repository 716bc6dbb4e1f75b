/**
 * `<sg-stage-list>`: edits a stage list field row by row (API name derived from the English label
 * until edited, labels in both languages, default probability in percent, kind), with add, remove
 * and reorder (buttons, or Alt+Up / Alt+Down in a row). It emits `sg-stages-change`
 * {value: JSON string | null, valid} and shows the server's problems on their rows.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { localized, msg, str } from "../i18n/index";
import { controls } from "../sg-app/styles";
import {
  emptyRow,
  parseStages,
  rowName,
  rowProbability,
  rowsFrom,
  serialise,
  STAGE_KINDS,
  type StageKind,
  type StageProblems,
  type StageRow,
} from "./stage-values";
import { emit } from "../events";
import { arrowDownIcon, arrowUpIcon } from "../icons";

@customElement("sg-stage-list")
@localized()
export class SgStageList extends LitElement {
  // The form focuses the first field with a problem: the host hands that to its first control.
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    controls,
    css`
      :host { display: block; }
      ol { list-style: none; margin: 0 0 8px; padding: 0; display: grid; gap: 8px; }
      li { border: 1px solid var(--sg-border, #d0d7de); border-radius: 6px; padding: 8px; display: grid; gap: 6px; }
      li:focus-within { border-color: var(--sg-accent, #0969da); }
      li.invalid { border-color: var(--sg-danger, #d1242f); }
      .grid { display: grid; grid-template-columns: 2em repeat(3, minmax(0, 1fr)); gap: 6px; align-items: end; }
      .grid.second { grid-template-columns: 2em 7em 9em 1fr; }
      .num { font-weight: 600; text-align: center; padding-bottom: 6px; }
      label { display: grid; gap: 2px; font-size: 0.85em; font-weight: 600; }
      input, select { width: 100%; box-sizing: border-box; font-weight: normal; }
      .tools { display: flex; gap: 4px; justify-content: flex-end; }
      .error { margin: 0; font-size: 0.9em; color: var(--sg-danger, #d1242f); }
      .hint { font-size: 0.85em; }
      [aria-invalid="true"] { border-color: var(--sg-danger, #d1242f); }
    `,
  ];

  /** The stored value (a JSON string). Rows are rebuilt when it changes from outside. */
  @property({ attribute: false }) value: unknown = null;
  /** The server's problems for this field, by row. */
  @property({ attribute: false }) problems: StageProblems | null = null;
  @property() label = "";
  /** The record being edited: a new one (e.g. after a save) rebuilds the rows from `value`. */
  @property({ attribute: false }) base: unknown = null;

  @state() private rows: StageRow[] = [];
  /** Announced after a move, for screen readers. */
  @state() private live = "";
  private emitted: unknown = Symbol("none");

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has("base") || (changed.has("value") && this.value !== this.emitted)) {
      this.rows = rowsFrom(parseStages(this.value) ?? []);
      this.emitted = this.value;
    }
  }

  private emit(rows: StageRow[]) {
    this.rows = rows;
    const { value, badRows } = serialise(rows);
    this.emitted = value;
    emit(this, "sg-stages-change", { value, valid: badRows.length === 0 });
  }

  private edit(i: number, patch: Partial<StageRow>) {
    this.emit(this.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  }

  private move(i: number, to: number, focus: string) {
    if (to < 0 || to >= this.rows.length) return;
    const rows = [...this.rows];
    const [row] = rows.splice(i, 1);
    rows.splice(to, 0, row!);
    this.emit(rows);
    this.live = msg(str`Moved to position ${to + 1} of ${rows.length}`, { id: "form.stages.moved" });
    // Focus follows the row, so repeated Alt+arrows keep moving it.
    void this.updateComplete.then(() => {
      const li = this.renderRoot.querySelector(`li[data-key="${row!.key}"]`);
      const el = li?.querySelector<HTMLInputElement>(focus);
      (el && !el.disabled ? el : li?.querySelector<HTMLElement>("input[name=label-en]"))?.focus();
    });
  }

  private add() {
    const row = emptyRow();
    this.emit([...this.rows, row]);
    void this.updateComplete.then(() =>
      (this.renderRoot.querySelector(`li[data-key="${row.key}"] input[name=label-en]`) as HTMLElement | null)?.focus(),
    );
  }

  private removeRow(i: number) {
    this.emit(this.rows.filter((_, j) => j !== i));
    this.live = msg("Stage removed", { id: "form.stages.removed" });
  }

  private onKey(e: KeyboardEvent, i: number) {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    const target = e.composedPath()[0] as HTMLElement;
    const focus = target.getAttribute("name") ? `[name="${target.getAttribute("name")}"]` : "input[name=label-en]";
    this.move(i, e.key === "ArrowUp" ? i - 1 : i + 1, focus);
  }

  private kindLabel(k: StageKind): string {
    return k === "won"
      ? msg("Won", { id: "form.stages.kindWon" })
      : k === "lost"
        ? msg("Lost", { id: "form.stages.kindLost" })
        : msg("Open", { id: "form.stages.kindOpen" });
  }

  private row(r: StageRow, i: number) {
    const errs = this.problems?.rows.get(i) ?? [];
    const badPercent = rowProbability(r) === null;
    const n = this.rows.length;
    return html`<li data-key=${r.key} data-stage-row=${i} class=${errs.length || badPercent ? "invalid" : ""} aria-label=${msg(str`Stage ${i + 1} of ${n}`, { id: "form.stages.rowLabel" })}
      @keydown=${(e: KeyboardEvent) => this.onKey(e, i)}>
      <div class="grid">
        <span class="num" aria-hidden="true">${i + 1}</span>
        <label>${msg("Label (English)", { id: "form.stages.labelEn" })}
          <input name="label-en" .value=${r.en} maxlength="100" @input=${(e: Event) => this.edit(i, { en: (e.target as HTMLInputElement).value })} /></label>
        <label>${msg("Label (Chinese)", { id: "form.stages.labelZh" })}
          <input name="label-zh" .value=${r.zh} maxlength="100" @input=${(e: Event) => this.edit(i, { zh: (e.target as HTMLInputElement).value })} /></label>
        <label>${msg("API name", { id: "form.stages.name" })}
          <input name="name" .value=${rowName(r)} maxlength="63" spellcheck="false" aria-invalid=${errs.length ? "true" : "false"}
            placeholder=${msg("from the English label", { id: "form.stages.namePlaceholder" })}
            @input=${(e: Event) => this.edit(i, { name: (e.target as HTMLInputElement).value, nameTouched: true })} /></label>
      </div>
      <div class="grid second">
        <span></span>
        <label>${msg("Probability %", { id: "form.stages.probability" })}
          <input name="probability" inputmode="decimal" .value=${r.percent} aria-invalid=${badPercent ? "true" : "false"}
            @input=${(e: Event) => this.edit(i, { percent: (e.target as HTMLInputElement).value })} /></label>
        <label>${msg("Kind", { id: "form.stages.kind" })}
          <select name="kind" @change=${(e: Event) => this.edit(i, { kind: (e.target as HTMLSelectElement).value as StageKind })}>
            ${STAGE_KINDS.map((k) => html`<option value=${k} ?selected=${k === r.kind}>${this.kindLabel(k)}</option>`)}
          </select></label>
        <div class="tools">
          <button type="button" data-action="up" ?disabled=${i === 0} aria-label=${msg(str`Move stage ${i + 1} up`, { id: "form.stages.moveUp" })} @click=${() => this.move(i, i - 1, "[data-action=up]")}>${arrowUpIcon}</button>
          <button type="button" data-action="down" ?disabled=${i === n - 1} aria-label=${msg(str`Move stage ${i + 1} down`, { id: "form.stages.moveDown" })} @click=${() => this.move(i, i + 1, "[data-action=down]")}>${arrowDownIcon}</button>
          <button type="button" data-action="remove" @click=${() => this.removeRow(i)}>${msg("Remove", { id: "form.stages.remove" })}</button>
        </div>
      </div>
      ${badPercent ? html`<p class="error" role="alert">${msg("Enter a percentage from 0 to 100 with at most 2 decimal places", { id: "form.stages.errPercent" })}</p>` : nothing}
      ${errs.length ? html`<p class="error" role="alert" data-row-error>${errs.join(" ")}</p>` : nothing}
    </li>`;
  }

  override render() {
    return html`<div role="group" aria-label=${this.label}>
      ${
        this.rows.length
          ? html`<ol>${repeat(
              this.rows,
              (r) => r.key,
              (r, i) => this.row(r, i),
            )}</ol>`
          : html`<p class="muted hint">${msg("No stages yet. A pipeline needs at least one open, one won and one lost stage.", { id: "form.stages.empty" })}</p>`
      }
      <button type="button" data-action="add-stage" @click=${() => this.add()}>${msg("Add stage", { id: "form.stages.add" })}</button>
      <span class="muted hint">${msg("Alt+↑ / Alt+↓ moves the stage you are in.", { id: "form.stages.keyboardHint" })}</span>
      <div role="status" aria-live="polite" style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)">${this.live}</div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-stage-list": SgStageList;
  }
}
