/**
 * <sg-filter-builder>: builds a record filter without typing JSON. A tree of and/or groups (at most
 * `maxDepth` levels) of conditions: a field, an operator its type allows, and a typed operand. With
 * `variables` set (row rules, embed filters) operands may also be $user.id, $user.teams,
 * $user.teamMembers, $user.roles or a date relative to today ({"$today": n}).
 * Emits `sg-filter-change` {value: Filter | null, valid} on every edit. Server errors (`errors`, paths
 * under `errorPrefix`) are shown next to the condition they name.
 */
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { Filter } from "../../schemas/types";
import { currencyDigits, decimalToUnits as parseScaled, unitsToDecimal as formatScaled } from "../i18n/index";
import { labelOf, type MetaField } from "./fields";
import {
  MAX_DEPTH,
  complete,
  depthOf,
  emptyGroup,
  fromFilter,
  isValid,
  newCondition,
  operandAfterOpChange,
  toFilter,
  type CondNode,
  type GroupNode,
} from "./model";
import { arity, opsFor, textOperand, type Op } from "./ops";
import { isToday, opLabel, variableLabel, variablesFor } from "./words";
import { fromZonedInput, toZonedInput } from "../i18n/time";
import { emit } from "../events";
import { closeIcon } from "../icons";
import type { ApiClient } from "../api/client";
import { FilterNamesController } from "./names";
import "../sg-form/link-picker";
import type { LinkItem } from "../sg-form/link-picker";

export interface FieldProblem {
  field: string;
  message: string;
}
export interface UserOption {
  id: string;
  name: string;
}

@localized()
export class SgFilterBuilder extends LitElement {
  static override styles = css`
    :host { display: block; font: inherit; }
    .group { border-left: 3px solid var(--sg-accent, #4c6ef5); padding: 4px 0 4px 10px; margin: 4px 0; display: grid; gap: 6px; }
    .group.nested { background: rgba(76, 110, 245, 0.04); }
    .row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    select, input { font: inherit; padding: 3px 6px; }
    .choices { display: inline-flex; flex-wrap: wrap; gap: 6px; border: 1px solid #ccd; padding: 2px 6px; border-radius: 4px; }
    .error { color: #c92a2a; font-size: 0.9em; flex-basis: 100%; }
    .hint { color: #868e96; font-size: 0.9em; }
    button { font: inherit; cursor: pointer; }
  `;

  /** Fields the filter may name (only readable ones, so a filter cannot probe hidden values). */
  @property({ attribute: false }) fields: MetaField[] = [];
  @property({ attribute: false }) value: Filter | null = null;
  /** Row-rule mode: offer $user variables and today-relative dates. */
  @property({ type: Boolean }) variables = false;
  @property({ attribute: false }) users: UserOption[] = [];
  /** The API client for names of users and linked records (else the enclosing element's `.api`). */
  @property({ attribute: false }) api?: ApiClient;
  @property({ type: Number, attribute: "max-depth" }) maxDepth = MAX_DEPTH;
  @property({ attribute: false }) errors: FieldProblem[] = [];
  /** Where this filter sits in the request body, e.g. "filter" or "read/rule". */
  @property({ attribute: "error-prefix" }) errorPrefix = "filter";
  @property() label = "";

  @state() private root: GroupNode = emptyGroup();
  /** Operand text that did not parse, by condition key and operand slot, shown until corrected. */
  @state() private drafts = new Map<string, string>();
  private emitted = "null";
  private readonly names = new FilterNamesController(this, () => this.api);

  /** Users to offer: the ones handed in, else the directory's. */
  private get people(): UserOption[] {
    return this.users.length ? this.users : this.names.users();
  }

  /** The filter as built so far (null: no conditions). */
  get filter(): Filter | null {
    return toFilter(this.root);
  }

  /** Every condition has a field, operator and a complete operand, and no operand text is unparsed. */
  get valid(): boolean {
    return isValid(this.root) && this.drafts.size === 0;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("value") && JSON.stringify(this.value ?? null) !== this.emitted) {
      this.root = fromFilter(this.value);
      this.emitted = JSON.stringify(this.value ?? null);
      this.drafts = new Map();
    }
  }

  private changed(): void {
    this.root = { ...this.root };
    const value = this.filter;
    this.emitted = JSON.stringify(value);
    this.value = value;
    emit(this, "sg-filter-change", { value, valid: this.valid });
  }

  private field(name: string): MetaField | undefined {
    return this.fields.find((f) => f.name === name);
  }

  private problems(path: string): FieldProblem[] {
    return this.errors.filter(
      (e) =>
        e.field === path ||
        e.field === `${path}/field` ||
        e.field === `${path}/op` ||
        e.field.startsWith(`${path}/value`),
    );
  }

  override render() {
    return html`<div role="group" aria-label=${this.label || msg("Filter", { id: "filter.label" })}>
      ${this.renderGroup(this.root, this.errorPrefix, 1, null)}
    </div>`;
  }

  private renderGroup(g: GroupNode, path: string, depth: number, parent: GroupNode | null): TemplateResult {
    const groupProblems = this.errors.filter((e) => e.field === path);
    return html`<div class="group ${parent ? "nested" : ""}" role="group" data-depth=${depth}
        aria-label=${parent ? msg("Condition group", { id: "filter.group" }) : msg("All conditions", { id: "filter.root" })}>
      <div class="row">
        <label>
          ${g.children.length > 1 || parent ? html`<span>${msg("Match", { id: "filter.match" })}</span>` : nothing}
          <select aria-label=${msg("Match all or any", { id: "filter.matchMode" })} data-role="group-op"
              ?hidden=${g.children.length < 2 && !parent}
              @change=${(e: Event) => {
                g.op = (e.target as HTMLSelectElement).value as "and" | "or";
                this.changed();
              }}>
            <option value="and" ?selected=${g.op === "and"}>${msg("all of these (and)", { id: "filter.and" })}</option>
            <option value="or" ?selected=${g.op === "or"}>${msg("any of these (or)", { id: "filter.or" })}</option>
          </select>
        </label>
        ${
          parent
            ? html`<button type="button" data-role="remove-group" aria-label=${msg("Remove group", { id: "filter.removeGroup" })}
              @click=${() => {
                parent.children = parent.children.filter((c) => c !== g);
                this.changed();
              }}>${closeIcon}</button>`
            : nothing
        }
      </div>
      ${g.children.length === 0 && !parent ? html`<span class="hint">${msg("No conditions: every record.", { id: "filter.none" })}</span>` : nothing}
      ${g.children.map((c, i) => {
        const at = `${path}/${g.op}/${i}`;
        return c.kind === "group" ? this.renderGroup(c, at, depth + 1, g) : this.renderCondition(c, at, g);
      })}
      <div class="row">
        <button type="button" data-role="add-condition" ?disabled=${this.fields.length === 0}
            @click=${() => {
              g.children = [...g.children, newCondition(this.fields[0])];
              this.changed();
            }}>
          + ${msg("Condition", { id: "filter.addCondition" })}</button>
        <button type="button" data-role="add-group" ?disabled=${depth + 1 > this.maxDepth - 1 || this.fields.length === 0}
            title=${depth + 1 > this.maxDepth - 1 ? msg(str`Groups nest at most ${this.maxDepth} levels`, { id: "filter.maxDepth" }) : ""}
            @click=${() => {
              const sub = emptyGroup(g.op === "and" ? "or" : "and");
              sub.children.push(newCondition(this.fields[0]));
              g.children = [...g.children, sub];
              this.changed();
            }}>
          + ${msg("Group", { id: "filter.addGroup" })}</button>
      </div>
      ${groupProblems.map((p) => html`<div class="error" role="alert">${p.message}</div>`)}
    </div>`;
  }

  /** The operators of a field; a row rule may also ask whether a link reaches a record the user may read. */
  private opsOf(f: MetaField | undefined): readonly Op[] {
    if (!f) return [];
    return this.variables && f.type === "link" ? [...opsFor(f.type), "readable"] : opsFor(f.type);
  }

  private renderCondition(c: CondNode, path: string, parent: GroupNode): TemplateResult {
    const f = this.field(c.field);
    const ops = this.opsOf(f);
    const problems = this.problems(path);
    const incomplete = !complete(c);
    return html`<div class="row cond" role="group" data-role="condition" data-field=${c.field} aria-label=${msg("Condition", { id: "filter.condition" })}>
      <select aria-label=${msg("Field", { id: "filter.field" })} data-role="field" @change=${(e: Event) => this.setField(c, (e.target as HTMLSelectElement).value)}>
        ${f ? nothing : html`<option value="" selected>${c.field || "—"}</option>`}
        ${this.fields.map((x) => html`<option value=${x.name} ?selected=${x.name === c.field}>${labelOf(x)}</option>`)}
      </select>
      <select aria-label=${msg("Operator", { id: "filter.operator" })} data-role="op" @change=${(e: Event) => this.setOp(c, (e.target as HTMLSelectElement).value as Op)}>
        ${ops.map((op) => html`<option value=${op} ?selected=${op === c.op}>${opLabel(op)}</option>`)}
      </select>
      ${f ? this.renderOperand(c, f) : nothing}
      <button type="button" data-role="remove-condition" aria-label=${msg("Remove condition", { id: "filter.removeCondition" })}
          @click=${() => {
            parent.children = parent.children.filter((x) => x !== c);
            this.dropDrafts(c);
            this.changed();
          }}>${closeIcon}</button>
      ${incomplete && !problems.length ? html`<span class="hint">${msg("needs a value", { id: "filter.needsValue" })}</span>` : nothing}
      ${[...this.drafts.keys()].some((k) => k.startsWith(`${c.key}:`)) ? html`<div class="error" role="alert">${msg("Not a valid value for this field", { id: "filter.badValue" })}</div>` : nothing}
      ${problems.map((p) => html`<div class="error" role="alert">${p.message}</div>`)}
    </div>`;
  }

  private setField(c: CondNode, name: string): void {
    const f = this.field(name);
    c.field = name;
    const ops = this.opsOf(f);
    if (!ops.includes(c.op)) c.op = ops[0] ?? "eq";
    c.value = undefined;
    this.dropDrafts(c);
    this.changed();
  }

  private setOp(c: CondNode, op: Op): void {
    c.value = operandAfterOpChange(c.value, c.op, op);
    c.op = op;
    this.dropDrafts(c);
    this.changed();
  }

  private dropDrafts(c: CondNode): void {
    for (const k of [...this.drafts.keys()]) if (k.startsWith(`${c.key}:`)) this.drafts.delete(k);
    this.drafts = new Map(this.drafts);
  }

  private setDraft(c: CondNode, slot: string, text: string | null): void {
    const k = `${c.key}:${slot}`;
    if (text === null) this.drafts.delete(k);
    else this.drafts.set(k, text);
    this.drafts = new Map(this.drafts);
  }

  private renderOperand(c: CondNode, f: MetaField): TemplateResult | typeof nothing {
    const ar = arity(c.op);
    if (ar === "none") return nothing;
    const vars = this.variables ? variablesFor(f.type, ar) : [];
    const current = typeof c.value === "string" && vars.includes(c.value) ? c.value : "";
    const source = vars.length
      ? html`<select aria-label=${msg("Value source", { id: "filter.source" })} data-role="source"
          @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            c.value = v || undefined;
            this.dropDrafts(c);
            this.changed();
          }}>
          <option value="" ?selected=${!current}>${msg("a value", { id: "filter.aValue" })}</option>
          ${vars.map((v) => html`<option value=${v} ?selected=${v === current}>${variableLabel(v)}</option>`)}
        </select>`
      : nothing;
    if (current) return source;
    if (ar === "one")
      return html`${source}${this.scalar(c, f, "0", c.value, (v) => {
        c.value = v;
      })}`;
    if (ar === "pair") {
      const pair = Array.isArray(c.value) ? c.value : [undefined, undefined];
      const set = (i: number) => (v: unknown) => {
        const next = [...pair];
        next[i] = v;
        c.value = next;
      };
      return html`${this.scalar(c, f, "0", pair[0], set(0))}<span>${msg("and", { id: "filter.between.and" })}</span>${this.scalar(c, f, "1", pair[1], set(1))}`;
    }
    return html`${source}${this.list(c, f)}`;
  }

  /** One operand of the field's type. `set` stores the parsed value (undefined when cleared). */
  private scalar(c: CondNode, f: MetaField, slot: string, v: unknown, set: (v: unknown) => void): TemplateResult {
    const label = msg("Value", { id: "filter.value" });
    const commit = (value: unknown) => {
      set(value);
      this.setDraft(c, slot, null);
      this.changed();
    };
    const onSelect = (parse: (s: string) => unknown) => (e: Event) => {
      const s = (e.target as HTMLSelectElement).value;
      commit(s === "" ? undefined : parse(s));
    };
    switch (f.type) {
      case "checkbox":
        return html`<select aria-label=${label} data-role="value" @change=${onSelect((s) => s === "true")}>
          <option value="" ?selected=${v === undefined}>—</option>
          <option value="true" ?selected=${v === true}>${msg("checked", { id: "filter.checked" })}</option>
          <option value="false" ?selected=${v === false}>${msg("unchecked", { id: "filter.unchecked" })}</option>
        </select>`;
      case "single_select":
      case "multi_select":
        return html`<select aria-label=${label} data-role="value" @change=${onSelect((s) => s)}>
          <option value="" ?selected=${v === undefined}>—</option>
          ${(f.options?.choices ?? []).map((ch) => html`<option value=${ch.name} ?selected=${ch.name === v}>${labelOf(ch)}</option>`)}
        </select>`;
      case "user": {
        const people = this.people;
        if (people.length) {
          const known = typeof v !== "string" || people.some((u) => u.id === v);
          return html`<select aria-label=${label} data-role="value" @change=${onSelect((s) => s)}>
            <option value="" ?selected=${v === undefined}>—</option>
            ${known ? nothing : html`<option value=${v as string} selected>${v as string}</option>`}
            ${people.map((u) => html`<option value=${u.id} ?selected=${u.id === v}>${u.name}</option>`)}
          </select>`;
        }
        return this.textInput(c, slot, v, (s) => s, commit);
      }
      case "link": {
        const target = f.options?.table;
        if (!target || !this.names.api) return this.textInput(c, slot, v, (s) => this.parseScalar(f, s), commit);
        let items: LinkItem[] = [];
        if (typeof v === "number") {
          const name = this.names.linkName(target, v);
          // No `primary` at all reads "(no access)" in the picker.
          items = [name === null ? { id: v } : { id: v, primary: name }];
        }
        return html`<sg-link-picker data-role="value" .api=${this.names.api} target=${target} .multiple=${false} label=${label} .value=${items}
          @change=${(e: CustomEvent<{ value: LinkItem[] }>) => {
            e.stopPropagation();
            const picked = e.detail.value[0];
            if (picked && picked.primary !== undefined && picked.primary !== null)
              this.names.rememberLink(target, picked.id, String(picked.primary));
            commit(picked?.id);
          }}></sg-link-picker>`;
      }
      case "date": {
        const relative = isToday(v);
        const mode = this.variables
          ? html`<select aria-label=${msg("Date kind", { id: "filter.dateKind" })} data-role="date-kind"
              @change=${(e: Event) => commit((e.target as HTMLSelectElement).value === "today" ? { $today: 0 } : undefined)}>
              <option value="date" ?selected=${!relative}>${msg("a date", { id: "filter.aDate" })}</option>
              <option value="today" ?selected=${relative}>${msg("days from today", { id: "filter.today" })}</option>
            </select>`
          : nothing;
        if (relative) {
          return html`${mode}<input type="number" step="1" min="-36500" max="36500" aria-label=${msg("Days from today (negative: past)", { id: "filter.todayDays" })}
            data-role="today-days" .value=${String(v.$today)}
            @change=${(e: Event) => {
              const n = Number((e.target as HTMLInputElement).value);
              commit({ $today: Number.isInteger(n) ? n : 0 });
            }}>`;
        }
        return html`${mode}<input type="date" aria-label=${label} data-role="value" .value=${typeof v === "string" ? v : ""}
          @change=${(e: Event) => {
            const s = (e.target as HTMLInputElement).value;
            commit(s || undefined);
          }}>`;
      }
      case "datetime":
        return html`<input type="datetime-local" aria-label=${label} data-role="value" .value=${toZonedInput(v)}
          @change=${(e: Event) => {
            // A wall-clock time in the user's zone (i18n/time.ts), not the browser's.
            const s = (e.target as HTMLInputElement).value;
            commit(s ? (fromZonedInput(s) ?? undefined) : undefined);
          }}>`;
      default:
        return this.textInput(c, slot, v, (s) => this.parseScalar(f, s), commit);
    }
  }

  private textInput(
    c: CondNode,
    slot: string,
    v: unknown,
    parse: (s: string) => unknown,
    commit: (v: unknown) => void,
  ): TemplateResult {
    const draft = this.drafts.get(`${c.key}:${slot}`);
    const f = this.field(c.field);
    const numeric = f && ["number", "currency", "percent", "rating", "autonumber", "link"].includes(f.type);
    return html`<input type="text" inputmode=${numeric ? "decimal" : "text"} aria-label=${msg("Value", { id: "filter.value" })} data-role="value"
      aria-invalid=${draft !== undefined ? "true" : "false"}
      .value=${draft ?? (v === undefined || v === null ? "" : f ? this.showScalar(f, v) : String(v))}
      @change=${(e: Event) => {
        const s = (e.target as HTMLInputElement).value;
        if (s.trim() === "") return commit(undefined);
        const parsed = parse(s);
        if (parsed === undefined) {
          this.setDraft(c, slot, s);
          this.changed();
        } else commit(parsed);
      }}>`;
  }

  /** Text to the operand the API expects; undefined when it does not parse. Money and percent stay exact. */
  private parseScalar(f: MetaField, s: string): unknown {
    const t = s.trim();
    const text = textOperand(f, t);
    if (text !== null) return text;
    switch (f.type) {
      case "number": {
        const n = Number(t);
        return t !== "" && Number.isFinite(n) ? n : undefined;
      }
      case "currency":
        return parseScaled(t, currencyDigits(f.options?.currency ?? "CNY")) ?? undefined;
      case "percent":
        return parseScaled(t, 2) ?? undefined;
      case "rating":
      case "autonumber":
      case "link":
        return /^-?\d{1,15}$/.test(t) ? Number(t) : undefined;
      default:
        return t.length <= 1000 ? s : undefined;
    }
  }

  private showScalar(f: MetaField, v: unknown): string {
    if (typeof v !== "number") return String(v);
    if (f.type === "currency") return formatScaled(v, currencyDigits(f.options?.currency ?? "CNY"));
    if (f.type === "percent") return formatScaled(v, 2);
    return String(v);
  }

  /** The operand of in / nin: ticks for choices and users, comma-separated text otherwise. */
  private list(c: CondNode, f: MetaField): TemplateResult {
    const values = Array.isArray(c.value) ? c.value : [];
    const toggle = (x: string, on: boolean) => {
      const next = on ? [...values.filter((y) => y !== x), x] : values.filter((y) => y !== x);
      c.value = next.length ? next : undefined;
      this.changed();
    };
    const options =
      f.type === "single_select" || f.type === "multi_select"
        ? (f.options?.choices ?? []).map((ch) => ({ value: ch.name, label: labelOf(ch) }))
        : f.type === "user" && this.people.length
          ? this.people.map((u) => ({ value: u.id, label: u.name }))
          : null;
    if (options) {
      return html`<span class="choices" role="group" aria-label=${msg("Values", { id: "filter.values" })} data-role="value-list">
        ${options.map(
          (o) => html`<label><input type="checkbox" .checked=${values.includes(o.value)} value=${o.value}
          @change=${(e: Event) => toggle(o.value, (e.target as HTMLInputElement).checked)}>${o.label}</label>`,
        )}
      </span>`;
    }
    const draft = this.drafts.get(`${c.key}:list`);
    return html`<input type="text" aria-label=${msg("Values, separated by commas", { id: "filter.valuesCsv" })} data-role="value"
      aria-invalid=${draft !== undefined ? "true" : "false"}
      .value=${draft ?? values.map((v) => this.showScalar(f, v)).join(", ")}
      @change=${(e: Event) => {
        const s = (e.target as HTMLInputElement).value;
        const parts = s
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
        const parsed = parts.map((p) =>
          f.type === "date"
            ? /^\d{4}-\d{2}-\d{2}$/.test(p)
              ? p
              : undefined
            : f.type === "datetime"
              ? Number.isNaN(Date.parse(p))
                ? undefined
                : new Date(p).toISOString()
              : this.parseScalar(f, p),
        );
        if (parsed.some((p) => p === undefined)) {
          this.setDraft(c, "list", s);
          this.changed();
          return;
        }
        this.setDraft(c, "list", null);
        c.value = parsed.length ? parsed : undefined;
        this.changed();
      }}>`;
  }
}

/** Deepest nesting of a filter, for callers that must stay under the server's limit. */
export const filterDepth = (f: Filter | null): number => (f ? depthOf(fromFilter(f)) : 0);

if (!customElements.get("sg-filter-builder")) customElements.define("sg-filter-builder", SgFilterBuilder);

declare global {
  interface HTMLElementTagNameMap {
    "sg-filter-builder": SgFilterBuilder;
  }
}
