/**
 * Handsontable column settings per field type: a renderer that shows the API value (select chips
 * in their colours, money, dates, links, placeholders while a row loads, error and conflict marks)
 * and an editor that starts from the text a user would type (copyText) and hands back text, which
 * the grid parses with values.ts before anything is written.
 */
import { CheckboxEditor, DateEditor, TextEditor } from "handsontable/editors";
import { baseRenderer, checkboxRenderer } from "handsontable/renderers";
import { currentLocale, labelOf } from "../i18n/index";
import { isStageList, stageSummary } from "../sg-form/stage-values";
import { readableTextOn } from "../contrast";
import { copyText, defaultChipColor, formatValue, SERVER_ASSIGNED, type CellNames, type GridField } from "./values";

/** What the grid tells the renderer about a cell beyond its value. */
export interface CellState {
  loading: boolean;
  /** A validation or write error for this cell. */
  error?: string;
  /** Someone else changed the record: the current value is shown, with this note. */
  conflict?: string;
}

export interface CellContext {
  field: GridField;
  state(row: number): CellState;
  timeZone?: string | null;
  /** Names for the user and link ids the cell holds. */
  names?: CellNames;
  /** Options for a user or link cell matching `text` (id and the label to show). */
  search?: (text: string) => Promise<{ id: string; label: string }[]>;
  /** Opens the row's record in the form (structured values such as a stage list are edited there). */
  open?: (row: number) => void;
}

type Renderer = (
  instance: unknown,
  td: HTMLTableCellElement,
  row: number,
  col: number,
  prop: string | number,
  value: unknown,
  cellProperties: Record<string, unknown>,
) => void;

function chip(doc: Document, text: string, color: string): HTMLElement {
  const el = doc.createElement("span");
  el.className = "sg-chip";
  el.textContent = text;
  el.style.background = color;
  el.style.color = readableTextOn(color);
  return el;
}

/** The renderer for one field: value display plus the loading / error / conflict marks. */
export function rendererFor(ctx: CellContext, locked = false): Renderer {
  const f = ctx.field;
  const choices = new Map((f.options.choices ?? []).map((c) => [c.name, c]));
  return function (this: unknown, instance, td, row, col, prop, value, cellProperties) {
    const st = ctx.state(row);
    if (f.type === "checkbox" && !st.loading) {
      (checkboxRenderer as unknown as Renderer).call(
        this,
        instance,
        td,
        row,
        col,
        prop,
        value === true,
        cellProperties,
      );
    } else {
      (baseRenderer as unknown as Renderer).call(this, instance, td, row, col, prop, value, cellProperties);
      td.replaceChildren();
      if (st.loading) {
        td.classList.add("sg-loading");
        td.textContent = "";
      } else if ((f.type === "single_select" || f.type === "multi_select") && value !== null && value !== undefined) {
        const names = Array.isArray(value) ? (value as string[]) : [String(value)];
        for (const n of names) {
          const c = choices.get(n);
          td.append(chip(td.ownerDocument, c ? labelOf(c) : n, c?.color ?? defaultChipColor(n)));
        }
      } else if (f.type === "url" && typeof value === "string" && /^https?:\/\//.test(value)) {
        const a = td.ownerDocument.createElement("a");
        a.href = value;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = value;
        td.append(a);
      } else if (isStageList(f)) {
        td.textContent = stageSummary(value, currentLocale());
      } else {
        td.textContent = formatValue(f, value, ctx.timeZone, ctx.names);
      }
      if (["number", "currency", "percent", "autonumber"].includes(f.type)) td.classList.add("htRight");
    }
    // A field the user may not change is marked as such (and Handsontable's editor stays shut).
    td.classList.toggle("sg-readonly", locked);
    if (locked) td.setAttribute("aria-readonly", "true");
    else td.removeAttribute("aria-readonly");
    td.classList.toggle("sg-invalid", !!st.error);
    td.classList.toggle("sg-conflict", !!st.conflict);
    const note = st.error ?? st.conflict;
    if (note) td.title = note;
    else td.removeAttribute("title");
    if (note) td.dataset.problem = note;
    else delete td.dataset.problem;
  };
}

/**
 * A text editor that opens with the typed-form text of the value (1234.50, 12.5%, a, b) and hands the
 * text back with setDataAtCell. (Handsontable's own save, populateFromArray, drops text written over a
 * cell holding an object or array: a link's ids, a multi-select's names, an amount in another currency.)
 */
class ValueTextEditor extends TextEditor {
  override beginEditing(newInitialValue?: unknown, event?: Event): void {
    const ctx = (this.cellProperties as unknown as { sgCell?: CellContext }).sgCell;
    const initial = newInitialValue ?? (ctx ? copyText(ctx.field, this.originalValue) : this.originalValue);
    super.beginEditing(initial, event);
  }

  override saveValue(value: unknown[][], ctrlDown: boolean): void {
    const text = value[0]?.[0];
    const cells: [number, number, unknown][] = [];
    // Ctrl+Enter writes the text into every selected cell.
    const ranges = ctrlDown ? (this.hot.getSelectedRange() ?? []) : [];
    for (const range of ranges) {
      const from = range.getTopStartCorner();
      const to = range.getBottomEndCorner();
      for (let r = Math.max(0, from.row ?? 0); r <= (to.row ?? -1); r++)
        for (let c = Math.max(0, from.col ?? 0); c <= (to.col ?? -1); c++) cells.push([r, c, text]);
    }
    if (!cells.length && this.row !== null && this.col !== null) cells.push([this.row, this.col, text]);
    this.hot.setDataAtCell(cells as never, "edit");
  }
}

/** Enter, a double click or typing on a stage list cell opens the record's form instead of the raw JSON. */
class OpenRecordEditor extends TextEditor {
  override beginEditing(): void {
    (this.cellProperties as unknown as { sgCell?: CellContext }).sgCell?.open?.(this.row ?? -1);
  }
}

/**
 * A picker for user, link and single-select cells: type to search (the target table, the users, the
 * choices by label), choose with a click; the cell receives the chosen ids or choice name as text
 * ("12, 15", "usr_...", "won"), parsed as usual.
 */
class PickerEditor extends ValueTextEditor {
  private list: HTMLUListElement | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;

  override open(): void {
    super.open();
    const doc = this.TEXTAREA.ownerDocument;
    this.list ??= doc.createElement("ul");
    this.list.className = "sg-picker";
    this.list.replaceChildren();
    this.TEXTAREA.parentElement?.append(this.list);
    this.TEXTAREA.addEventListener("input", this.onInput);
    this.search();
  }

  override close(): void {
    this.TEXTAREA.removeEventListener("input", this.onInput);
    this.list?.remove();
    super.close();
  }

  private onInput = () => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), 200);
  };

  private async search(): Promise<void> {
    const ctx = (this.cellProperties as unknown as { sgCell?: CellContext }).sgCell;
    if (!ctx?.search || !this.list) return;
    const text = String(this.getValue() ?? "");
    // While the text is already ids, search by the last word typed.
    const term = text
      .split(/[,;]\s*/)
      .pop()!
      .trim();
    const seq = ++this.seq;
    const options = await ctx.search(/^#?\d+$|^usr_/.test(term) ? "" : term).catch(() => []);
    if (seq !== this.seq || !this.list) return;
    this.list.replaceChildren(
      ...options.slice(0, 20).map((o) => {
        const li = this.list!.ownerDocument.createElement("li");
        li.textContent = o.label;
        li.dataset.id = o.id;
        li.addEventListener("mousedown", (ev) => {
          ev.preventDefault();
          this.pick(o.id);
        });
        return li;
      }),
    );
  }

  private pick(id: string): void {
    const ctx = (this.cellProperties as unknown as { sgCell?: CellContext }).sgCell;
    const multiple = ctx?.field.type === "link" && ctx.field.options.multiple !== false;
    const parts = String(this.getValue() ?? "")
      .split(/[,;]\s*/)
      .map((s) => s.trim())
      .filter((s) => /^#?\d+$|^usr_[a-z0-9]{12}$/.test(s));
    this.setValue(multiple ? [...new Set([...parts, id])].join(", ") : id);
    this.finishEditing();
  }
}

/** Column settings (type, editor, renderer, source) for a field. */
export function columnFor(ctx: CellContext, readOnly: boolean): Record<string, unknown> {
  const f = ctx.field;
  const locked = readOnly || SERVER_ASSIGNED.has(f.type);
  const base = { data: f.name, renderer: rendererFor(ctx, locked), readOnly: locked, sgCell: ctx };
  if (isStageList(f)) return { ...base, editor: OpenRecordEditor };
  switch (f.type) {
    case "checkbox":
      return { ...base, editor: CheckboxEditor };
    case "date":
      return { ...base, editor: DateEditor };
    case "single_select":
    case "user":
    case "link":
      return { ...base, editor: PickerEditor };
    default:
      return { ...base, editor: ValueTextEditor };
  }
}
