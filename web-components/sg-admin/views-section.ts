/**
 * <sg-admin-views>: saved views of a table (grid, kanban, calendar, chart, form) with their filter
 * (the filter builder), sorts, visible fields in order, grouping, calendar date field, a simple chart
 * definition, and the roles that may open them.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { ViewInfo } from "../api/client";
import type { Filter, ViewInput } from "../../schemas/types";
import { labelOf } from "../i18n/index";
import type { AdminApi, AdminTable, Role } from "./admin-api";
import { apiNameFrom } from "./field-editor";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import { schemaChanged } from "./tables-section";
import "../sg-filter/filter-builder";
import { emit } from "../events";
import { arrowDownIcon, arrowUpIcon, closeIcon } from "../icons";
import { confirmViewDelete } from "./losses";
import { calendarDraft, calendarLayout, renderCalendarOptions, type CalendarDraft } from "./calendar-options";

const VIEW_TYPES = ["grid", "kanban", "calendar", "chart", "form"] as const;
type ViewType = (typeof VIEW_TYPES)[number];

export function viewTypeLabel(t: string): string {
  switch (t) {
    case "grid":
      return msg("Grid", { id: "admin.view.grid" });
    case "kanban":
      return msg("Kanban", { id: "admin.view.kanban" });
    case "calendar":
      return msg("Calendar", { id: "admin.view.calendar" });
    case "chart":
      return msg("Chart", { id: "admin.view.chart" });
    case "form":
      return msg("Form", { id: "admin.view.form" });
    default:
      return t;
  }
}

interface ChartDraft {
  mark: string;
  x: string;
  y: string;
  aggregate: string;
}
interface Draft {
  name: string;
  label: string;
  zh: string;
  type: ViewType;
  filter: Filter | null;
  filterValid: boolean;
  sort: { field: string; direction: "asc" | "desc" }[];
  fields: string[];
  groupBy: string;
  calendar: CalendarDraft;
  chart: ChartDraft;
  roles: string[];
}

function draftOf(v: ViewInfo | null, table: AdminTable): Draft {
  const chart = (v?.layout?.chart ?? {}) as Partial<ChartDraft>;
  return {
    name: v?.name ?? "",
    label: v?.label ?? "",
    zh: v?.labels?.["zh-CN"] ?? "",
    type: (v?.type as ViewType) ?? "grid",
    filter: (v?.filter as Filter | undefined) ?? null,
    filterValid: true,
    sort: v?.sort?.map((s) => ({ field: s.field, direction: s.direction ?? "asc" })) ?? [],
    fields: v?.fields ?? table.fields.map((f) => f.name),
    groupBy: v?.groupBy ?? "",
    calendar: calendarDraft(v?.layout),
    chart: { mark: chart.mark ?? "bar", x: chart.x ?? "", y: chart.y ?? "", aggregate: chart.aggregate ?? "count" },
    roles: v?.roles ?? [],
  };
}

@localized()
export class SgAdminViews extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;

  @state() private tables: AdminTable[] = [];
  @state() private table: AdminTable | null = null;
  @state() private views: ViewInfo[] = [];
  @state() private roles: Role[] = [];
  @state() private editing: ViewInfo | "new" | null = null;
  @state() private d: Draft | null = null;
  @state() private problems = Problems.none;
  @state() private loading = true;
  private nameTouched = false;
  private pickSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.init();
  }

  private async init(): Promise<void> {
    try {
      [this.tables, this.roles] = await Promise.all([this.admin.tables(), this.admin.roles()]);
      if (this.tables[0]) await this.pick(this.tables[0].name);
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async pick(name: string): Promise<void> {
    // The latest pick wins: an earlier one that answers later must not replace it.
    const seq = ++this.pickSeq;
    this.edit(null);
    this.loading = true;
    const table = await this.admin.table(name);
    const views = await this.admin.views(table.id);
    if (seq !== this.pickSeq) return;
    this.table = table;
    this.views = views;
    this.loading = false;
  }

  private edit(v: ViewInfo | "new" | null): void {
    this.editing = v;
    this.d = v && this.table ? draftOf(v === "new" ? null : v, this.table) : null;
    this.problems = Problems.none;
    this.nameTouched = v !== "new";
  }

  private set<K extends keyof Draft>(k: K, v: Draft[K]): void {
    this.d = { ...this.d!, [k]: v };
  }

  private body(): ViewInput {
    const d = this.d!;
    const labels: Record<string, string> = {};
    if (d.label.trim()) labels.en = d.label.trim();
    if (d.zh.trim()) labels["zh-CN"] = d.zh.trim();
    const layout: Record<string, unknown> = {};
    if (d.type === "calendar") Object.assign(layout, calendarLayout(d.calendar));
    if (d.type === "chart")
      layout.chart = {
        mark: d.chart.mark,
        ...(d.chart.x ? { x: d.chart.x } : {}),
        ...(d.chart.y ? { y: d.chart.y } : {}),
        aggregate: d.chart.aggregate,
      };
    return {
      name: d.name.trim(),
      table: this.table!.id,
      type: d.type,
      ...(d.label.trim() ? { label: d.label.trim() } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(d.filter ? { filter: d.filter } : {}),
      ...(d.sort.length ? { sort: d.sort } : {}),
      fields: d.fields,
      ...(d.groupBy ? { groupBy: d.groupBy } : {}),
      ...(Object.keys(layout).length ? { layout } : {}),
      roles: d.roles,
    };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.d!.filterValid) {
      this.problems = new Problems(
        [],
        msg("Complete or remove the unfinished filter conditions first.", { id: "admin.view.filterIncomplete" }),
      );
      return;
    }
    try {
      const body = this.body();
      if (this.editing === "new") await this.admin.createView(body);
      else {
        const v = this.editing as ViewInfo;
        const { table: _t, ...rest } = body;
        // Keys the admin cleared are removed with null; the table never changes here.
        const patch: Record<string, unknown> = { ...rest, version: v.version ?? 1 };
        for (const k of ["filter", "sort", "groupBy", "layout", "label", "labels"] as const)
          if (!(k in rest)) patch[k] = null;
        await this.admin.updateView(v.id, patch as Record<string, unknown> & { version: number });
      }
      this.views = await this.admin.views(this.table!.id);
      this.edit(null);
      schemaChanged(this, this.table!.name);
      emit(this, "sg-notify", { kind: "info", message: msg("View saved", { id: "admin.view.saved" }) });
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async deleteView(v: ViewInfo): Promise<void> {
    if (!(await confirmViewDelete(this, this.admin, v))) return;
    try {
      await this.admin.deleteView(v.id, v.version ?? 1);
      this.views = await this.admin.views(this.table!.id);
      if (this.editing !== "new" && this.editing?.id === v.id) this.edit(null);
      schemaChanged(this, this.table!.name);
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  override render() {
    return html`<div class="stack">
      <div class="row">
        <label class="field"><span>${msg("Table", { id: "admin.table" })}</span>
          <select data-role="view-table" @change=${(e: Event) => this.pick((e.target as HTMLSelectElement).value)}>
            ${this.tables.map((t) => html`<option value=${t.name} ?selected=${t.id === this.table?.id}>${labelOf(t)}</option>`)}
          </select></label>
        <button class="primary" data-role="new-view" ?disabled=${!this.table || this.loading} @click=${() => this.edit("new")}>+ ${msg("New view", { id: "admin.view.new" })}</button>
      </div>
      ${this.editing === null ? banner(this.problems) : nothing}
      <table class="grid" data-role="view-list">
        <thead><tr><th>${msg("View", { id: "admin.view" })}</th><th>${msg("Type", { id: "admin.view.type" })}</th><th>${msg("Roles", { id: "admin.roles" })}</th><th></th></tr></thead>
        <tbody>${this.views.map(
          (v) => html`<tr data-view=${v.name}>
          <td>${labelOf(v)} <code class="muted">${v.name}</code></td><td>${viewTypeLabel(v.type)}</td>
          <td>${(v.roles ?? []).map((r) => html`<span class="tag">${labelOf(this.roles.find((x) => x.name === r) ?? { name: r })}</span> `)}</td>
          <td><button data-role="edit-view" @click=${() => this.edit(v)}>${msg("Edit", { id: "admin.edit" })}</button>
            <button class="danger" data-role="delete-view" @click=${() => this.deleteView(v)}>${msg("Delete", { id: "admin.delete" })}</button></td>
        </tr>`,
        )}</tbody>
      </table>
      ${this.d && this.table ? this.renderEditor(this.d, this.table) : nothing}
    </div>`;
  }

  private renderEditor(d: Draft, t: AdminTable) {
    const p = this.problems;
    const fieldOpts = (
      pred: (type: string) => boolean,
      current: string,
    ) => html`<option value="" ?selected=${!current}>—</option>
      ${t.fields.filter((f) => pred(f.type)).map((f) => html`<option value=${f.name} ?selected=${f.name === current}>${labelOf(f)}</option>`)}`;
    const sortable = (type: string) => type !== "link" && type !== "multi_select";
    return html`<form class="stack panel" data-role="view-editor" aria-label=${msg("View editor", { id: "admin.view.editor" })} @submit=${this.save}>
      <h3>${this.editing === "new" ? msg("New view", { id: "admin.view.new" }) : msg(str`Edit view ${d.name}`, { id: "admin.view.edit" })}</h3>
      ${banner(p, ["name", "label", "labels", "type", "filter", "sort", "fields", "groupBy", "layout", "roles"])}
      <div class="row">
        <label class="field"><span>${msg("Label", { id: "admin.label" })}</span>
          <input name="label" maxlength="200" .value=${d.label} aria-invalid=${invalid(p, "label")}
            @input=${(e: Event) => {
              const v = (e.target as HTMLInputElement).value;
              this.set("label", v);
              if (!this.nameTouched) this.set("name", apiNameFrom(v));
            }}>${fieldError(p, "label")}</label>
        <label class="field"><span>${msg("Label (Chinese)", { id: "admin.labelZh" })}</span>
          <input name="label-zh" maxlength="200" .value=${d.zh} @input=${(e: Event) => this.set("zh", (e.target as HTMLInputElement).value)}>${fieldError(p, "labels")}</label>
        <label class="field"><span>${msg("API name", { id: "admin.apiName" })}</span>
          <input name="name" required pattern="[a-z][a-z0-9_]{0,62}" .value=${d.name} aria-invalid=${invalid(p, "name")}
            @input=${(e: Event) => {
              this.nameTouched = true;
              this.set("name", (e.target as HTMLInputElement).value);
            }}>${fieldError(p, "name")}</label>
        <label class="field"><span>${msg("Type", { id: "admin.view.type" })}</span>
          <select name="type" @change=${(e: Event) => this.set("type", (e.target as HTMLSelectElement).value as ViewType)}>
            ${VIEW_TYPES.map((v) => html`<option value=${v} ?selected=${v === d.type}>${viewTypeLabel(v)}</option>`)}
          </select>${fieldError(p, "type")}</label>
      </div>
      ${
        d.type === "kanban" || d.type === "grid"
          ? html`<label class="field"><span>${d.type === "kanban" ? msg("Columns by (single select or user field)", { id: "admin.view.kanbanGroup" }) : msg("Group rows by", { id: "admin.view.groupBy" })}</span>
            <select name="group-by" aria-invalid=${invalid(p, "groupBy")} @change=${(e: Event) => this.set("groupBy", (e.target as HTMLSelectElement).value)}>
              ${fieldOpts((type) => (d.type === "kanban" ? type === "single_select" || type === "user" : sortable(type)), d.groupBy)}
            </select>${fieldError(p, "groupBy")}</label>`
          : nothing
      }
      ${
        d.type === "calendar"
          ? renderCalendarOptions(d.calendar, t, p, (k, v) => this.set("calendar", { ...d.calendar, [k]: v }))
          : nothing
      }
      ${d.type === "chart" ? this.renderChart(d, fieldOpts) : nothing}
      <fieldset><legend>${msg("Filter", { id: "admin.view.filter" })}</legend>
        <sg-filter-builder data-role="view-filter" .fields=${t.fields} .value=${d.filter} max-depth="7" error-prefix="filter" .errors=${p.under("filter")}
          @sg-filter-change=${(e: HTMLElementEventMap["sg-filter-change"]) => {
            this.d = { ...this.d!, filter: e.detail.value, filterValid: e.detail.valid };
          }}></sg-filter-builder>
      </fieldset>
      <fieldset class="stack" data-role="view-sorts"><legend>${msg("Sort", { id: "admin.view.sort" })}</legend>
        ${d.sort.map(
          (s, i) => html`<div class="row">
          <select aria-label=${msg("Sort field", { id: "admin.view.sortField" })} aria-invalid=${invalid(p, `sort/${i}`)}
            @change=${(e: Event) =>
              this.set(
                "sort",
                d.sort.map((x, j) => (j === i ? { ...x, field: (e.target as HTMLSelectElement).value } : x)),
              )}>
            ${fieldOpts(sortable, s.field)}</select>
          <select aria-label=${msg("Direction", { id: "admin.view.direction" })}
            @change=${(e: Event) =>
              this.set(
                "sort",
                d.sort.map((x, j) =>
                  j === i ? { ...x, direction: (e.target as HTMLSelectElement).value as "asc" | "desc" } : x,
                ),
              )}>
            <option value="asc" ?selected=${s.direction === "asc"}>${msg("ascending", { id: "admin.view.asc" })}</option>
            <option value="desc" ?selected=${s.direction === "desc"}>${msg("descending", { id: "admin.view.desc" })}</option></select>
          <button type="button" aria-label=${msg("Remove sort", { id: "admin.view.removeSort" })} @click=${() =>
            this.set(
              "sort",
              d.sort.filter((_, j) => j !== i),
            )}>${closeIcon}</button>
          ${fieldError(p, `sort/${i}`)}</div>`,
        )}
        <div class="row"><button type="button" data-role="add-sort" ?disabled=${d.sort.length >= 5}
          @click=${() => this.set("sort", [...d.sort, { field: t.fields.find((f) => sortable(f.type))?.name ?? "", direction: "asc" }])}>+ ${msg("Sort", { id: "admin.view.addSort" })}</button></div>
      </fieldset>
      ${this.renderVisible(d, t)}
      <fieldset data-role="view-roles"><legend>${msg("Roles that see this view", { id: "admin.view.roles" })}</legend>
        <div class="row">${this.roles.map(
          (r) => html`<label><input type="checkbox" name="role" value=${r.name} .checked=${d.roles.includes(r.name)}
          @change=${(e: Event) => this.set("roles", (e.target as HTMLInputElement).checked ? [...d.roles, r.name] : d.roles.filter((x) => x !== r.name))}>
          ${labelOf(r)}</label>`,
        )}</div>
        ${fieldError(p, "roles")}
      </fieldset>
      <div class="row">
        <button class="primary" type="submit" data-role="save-view">${msg("Save view", { id: "admin.view.save" })}</button>
        <button type="button" @click=${() => this.edit(null)}>${msg("Cancel", { id: "admin.cancel" })}</button>
      </div>
    </form>`;
  }

  private renderVisible(d: Draft, t: AdminTable) {
    const hidden = t.fields.filter((f) => !d.fields.includes(f.name));
    const move = (i: number, by: number) => {
      const list = [...d.fields];
      const j = i + by;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j]!, list[i]!];
      this.set("fields", list);
    };
    return html`<fieldset class="stack" data-role="view-fields"><legend>${msg("Visible fields, in order", { id: "admin.view.fields" })}</legend>
      <ol class="plain">${d.fields.map((name, i) => {
        const f = t.fields.find((x) => x.name === name);
        return html`<li class="item" data-visible-field=${name}>
          <label><input type="checkbox" checked @change=${() =>
            this.set(
              "fields",
              d.fields.filter((x) => x !== name),
            )}>${f ? labelOf(f) : name}</label>
          <button type="button" aria-label=${msg("Move up", { id: "admin.moveUp" })} ?disabled=${i === 0} @click=${() => move(i, -1)}>${arrowUpIcon}</button>
          <button type="button" aria-label=${msg("Move down", { id: "admin.moveDown" })} ?disabled=${i === d.fields.length - 1} @click=${() => move(i, 1)}>${arrowDownIcon}</button>
          ${fieldError(this.problems, `fields/${i}`)}</li>`;
      })}</ol>
      ${
        hidden.length
          ? html`<div class="row"><span class="muted">${msg("Hidden:", { id: "admin.view.hiddenFields" })}</span>
        ${hidden.map((f) => html`<label data-hidden-field=${f.name}><input type="checkbox" @change=${() => this.set("fields", [...d.fields, f.name])}>${labelOf(f)}</label>`)}</div>`
          : nothing
      }
    </fieldset>`;
  }

  private renderChart(d: Draft, fieldOpts: (pred: (type: string) => boolean, current: string) => unknown) {
    const setChart = (k: keyof ChartDraft, v: string) => this.set("chart", { ...d.chart, [k]: v });
    const numeric = (type: string) => ["number", "currency", "percent", "rating"].includes(type);
    return html`<fieldset class="row" data-role="view-chart"><legend>${msg("Chart", { id: "admin.view.chart" })}</legend>
      <label class="field"><span>${msg("Chart type", { id: "admin.chart.mark" })}</span>
        <select name="chart-mark" @change=${(e: Event) => setChart("mark", (e.target as HTMLSelectElement).value)}>
          ${[
            ["bar", msg("Bars", { id: "admin.chart.bar" })],
            ["line", msg("Line", { id: "admin.chart.line" })],
            ["area", msg("Area", { id: "admin.chart.area" })],
            ["arc", msg("Pie", { id: "admin.chart.arc" })],
          ].map(([v, l]) => html`<option value=${v!} ?selected=${d.chart.mark === v}>${l}</option>`)}
        </select></label>
      <label class="field"><span>${msg("Categories (x)", { id: "admin.chart.x" })}</span>
        <select name="chart-x" @change=${(e: Event) => setChart("x", (e.target as HTMLSelectElement).value)}>${fieldOpts((type) => type !== "link" && type !== "long_text", d.chart.x)}</select></label>
      <label class="field"><span>${msg("Measure", { id: "admin.chart.aggregate" })}</span>
        <select name="chart-aggregate" @change=${(e: Event) => setChart("aggregate", (e.target as HTMLSelectElement).value)}>
          ${[
            ["count", msg("Count of records", { id: "admin.chart.count" })],
            ["sum", msg("Sum of", { id: "admin.chart.sum" })],
            ["avg", msg("Average of", { id: "admin.chart.avg" })],
          ].map(([v, l]) => html`<option value=${v!} ?selected=${d.chart.aggregate === v}>${l}</option>`)}
        </select></label>
      ${
        d.chart.aggregate !== "count"
          ? html`<label class="field"><span>${msg("Value field (y)", { id: "admin.chart.y" })}</span>
        <select name="chart-y" @change=${(e: Event) => setChart("y", (e.target as HTMLSelectElement).value)}>${fieldOpts(numeric, d.chart.y)}</select></label>`
          : nothing
      }
      ${fieldError(this.problems, "layout")}
    </fieldset>`;
  }
}

if (!customElements.get("sg-admin-views")) customElements.define("sg-admin-views", SgAdminViews);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-views": SgAdminViews;
  }
}
