/**
 * A calendar view's options in the view editor: the start field (date or datetime), an optional end
 * field of the same type, the title field and the single-select field whose choice colours colour
 * the events. The server checks them again and names the option it refuses (layout/<key>).
 */
import { html, type TemplateResult } from "lit";
import { msg } from "@lit/localize";
import { labelOf } from "../i18n/index";
import type { AdminTable } from "./admin-api";
import { fieldError, invalid, type Problems } from "./problems";

export interface CalendarDraft {
  dateField: string;
  endField: string;
  titleField: string;
  colorField: string;
}

const TITLE_TYPES = new Set([
  "text",
  "long_text",
  "email",
  "phone",
  "url",
  "single_select",
  "autonumber",
  "number",
  "decimal",
]);

export function calendarDraft(layout: Record<string, unknown> | undefined): CalendarDraft {
  const s = (k: string) => (typeof layout?.[k] === "string" ? (layout[k] as string) : "");
  return {
    dateField: s("dateField"),
    endField: s("endField"),
    titleField: s("titleField"),
    colorField: s("colorField"),
  };
}

/** The layout keys a calendar sends: only those chosen. */
export function calendarLayout(d: CalendarDraft): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["dateField", "endField", "titleField", "colorField"] as const) if (d[k]) out[k] = d[k];
  return out;
}

export function renderCalendarOptions(
  d: CalendarDraft,
  t: AdminTable,
  p: Problems,
  set: (key: keyof CalendarDraft, value: string) => void,
): TemplateResult {
  const startType = t.fields.find((f) => f.name === d.dateField)?.type;
  const select = (
    key: keyof CalendarDraft,
    name: string,
    label: string,
    pred: (type: string, fname: string) => boolean,
  ) =>
    html`<label class="field"><span>${label}</span>
      <select name=${name} aria-invalid=${invalid(p, `layout/${key}`)}
        @change=${(e: Event) => set(key, (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${!d[key]}>—</option>
        ${t.fields
          .filter((f) => pred(f.type, f.name))
          .map((f) => html`<option value=${f.name} ?selected=${f.name === d[key]}>${labelOf(f)}</option>`)}
      </select>${fieldError(p, `layout/${key}`)}</label>`;
  return html`<fieldset data-role="calendar-options"><legend>${msg("Calendar", { id: "admin.view.calendarOptions" })}</legend>
    <div class="row">
      ${select("dateField", "date-field", msg("Date field", { id: "admin.view.dateField" }), (type) => type === "date" || type === "datetime")}
      ${select(
        "endField",
        "end-field",
        msg("End field (optional)", { id: "admin.view.endField" }),
        (type, name) =>
          (type === "date" || type === "datetime") && name !== d.dateField && (!startType || type === startType),
      )}
      ${select("titleField", "title-field", msg("Title field", { id: "admin.view.titleField" }), (type) => TITLE_TYPES.has(type))}
      ${select("colorField", "color-field", msg("Colour by (single select)", { id: "admin.view.colorField" }), (type) => type === "single_select")}
    </div>
  </fieldset>`;
}
