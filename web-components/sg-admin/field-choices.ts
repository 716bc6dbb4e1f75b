/** The field editor's choices section for single and multiple selects. */
import { html, nothing } from "lit";
import { msg } from "@lit/localize";
import { arrowDownIcon, arrowUpIcon, closeIcon } from "../icons";
import { PALETTE, type ChoiceDraft } from "./field-draft";
import type { DraftEditor } from "./field-type-options";
import { fieldError, invalid } from "./problems";

function setChoice(ed: DraftEditor, i: number, patch: Partial<ChoiceDraft>): void {
  ed.set(
    "choices",
    ed.d.choices.map((c, j) => (j === i ? { ...c, ...patch } : c)),
  );
}

function moveChoice(ed: DraftEditor, i: number, by: number): void {
  const list = [...ed.d.choices];
  const j = i + by;
  if (j < 0 || j >= list.length) return;
  [list[i], list[j]] = [list[j]!, list[i]!];
  ed.set("choices", list);
}

/** A select's choices: value, colour, labels in both languages, order; add and remove. */
export function choiceList(ed: DraftEditor) {
  const p = ed.problems;
  const list = ed.d.choices;
  return html`<fieldset class="stack" data-role="choices"><legend>${msg("Choices", { id: "admin.opt.choices" })}</legend>
    ${list.length === 0 ? html`<span class="muted">${msg("No choices yet.", { id: "admin.opt.noChoices" })}</span>` : nothing}
    <ol class="plain">
      ${list.map(
        (c, i) => html`<li class="item" data-role="choice">
        <input type="color" aria-label=${msg("Colour", { id: "admin.opt.colour" })} name="choice-color" .value=${c.color}
          @input=${(e: Event) => setChoice(ed, i, { color: (e.target as HTMLInputElement).value })}>
        <input aria-label=${msg("Choice value", { id: "admin.opt.choiceName" })} name="choice-name" maxlength="100" required .value=${c.name}
          aria-invalid=${invalid(p, `options/choices/${i}`)} @input=${(e: Event) => setChoice(ed, i, { name: (e.target as HTMLInputElement).value })}>
        <input aria-label=${msg("Label (English)", { id: "admin.labelEn" })} name="choice-en" maxlength="200" placeholder="English" .value=${c.en}
          @input=${(e: Event) => setChoice(ed, i, { en: (e.target as HTMLInputElement).value })}>
        <input aria-label=${msg("Label (Chinese)", { id: "admin.labelZh" })} name="choice-zh" maxlength="200" placeholder="中文" .value=${c.zh}
          @input=${(e: Event) => setChoice(ed, i, { zh: (e.target as HTMLInputElement).value })}>
        <button type="button" aria-label=${msg("Move up", { id: "admin.moveUp" })} ?disabled=${i === 0} @click=${() => moveChoice(ed, i, -1)}>${arrowUpIcon}</button>
        <button type="button" aria-label=${msg("Move down", { id: "admin.moveDown" })} ?disabled=${i === list.length - 1} @click=${() => moveChoice(ed, i, 1)}>${arrowDownIcon}</button>
        <button type="button" class="danger" aria-label=${msg("Remove choice", { id: "admin.opt.removeChoice" })}
          @click=${() =>
            ed.set(
              "choices",
              list.filter((_, j) => j !== i),
            )}>${closeIcon}</button>
        ${fieldError(p, `options/choices/${i}`)}
      </li>`,
      )}
    </ol>
    <div class="row"><button type="button" data-role="add-choice"
      @click=${() => ed.set("choices", [...list, { name: "", color: PALETTE[list.length % PALETTE.length]!, zh: "", en: "" }])}>+ ${msg("Add choice", { id: "admin.opt.addChoice" })}</button></div>
    ${fieldError(p, "options/choices", true)}
  </fieldset>`;
}
