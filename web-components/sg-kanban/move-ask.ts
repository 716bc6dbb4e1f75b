/**
 * What a move needs, asked on the board. When the server refuses a move only because fields are
 * required there (e.g. a lost deal's loss reason, the pipeline's rule), and the viewer may write them,
 * a dialog asks for them in the UI's language; the move is sent again with them. Cancel (or Escape)
 * answers null: the card snaps back and nothing is written. A modal <dialog> keeps the focus inside
 * and gives it back to the card.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import { ApiError } from "../api/client";
import { labelOf, msg, str } from "../i18n/index";
import type { BoardField } from "./board-model";

/** The fields a refused move needs: all its problems say "required", of writable fields it did not send. */
export function neededFields(err: unknown, sent: Record<string, unknown>, writable: BoardField[]): BoardField[] {
  if (!(err instanceof ApiError) || err.status !== 422) return [];
  const byField = err.fieldErrors();
  if (!byField.size || [...byField.values()].flat().some((e) => e.code !== "required")) return [];
  const fields = [...byField.keys()].map((name) => writable.find((f) => f.name === name));
  if (fields.some((f) => !f || f.name in sent || f.type === "link" || f.type === "user")) return [];
  return fields as BoardField[];
}

interface Asking {
  title: string;
  column: string;
  fields: BoardField[];
  values: Record<string, string>;
  answer: (values: Record<string, unknown> | null) => void;
}

export class MoveAskController implements ReactiveController {
  private asking: Asking | null = null;
  /** Shown when Move is pressed with a field still empty. */
  private missing = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly root: () => ParentNode,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.close(null);
  }

  hostUpdated(): void {
    const d = this.root().querySelector<HTMLDialogElement>("dialog[data-kanban-ask]");
    if (d && !d.open) {
      d.showModal();
      d.querySelector<HTMLElement>("[data-ask-field]")?.focus();
    }
  }

  /** Asks for the fields; null when cancelled. */
  ask(title: string, column: string, fields: BoardField[]): Promise<Record<string, unknown> | null> {
    this.close(null);
    return new Promise((answer) => {
      this.asking = { title, column, fields, values: {}, answer };
      this.missing = false;
      this.host.requestUpdate();
    });
  }

  private close(values: Record<string, unknown> | null): void {
    const a = this.asking;
    if (!a) return;
    this.asking = null;
    this.root().querySelector<HTMLDialogElement>("dialog[data-kanban-ask]")?.close();
    this.host.requestUpdate();
    a.answer(values);
  }

  private submit(e: Event): void {
    e.preventDefault();
    const a = this.asking;
    if (!a) return;
    const values: Record<string, unknown> = {};
    for (const f of a.fields) {
      const v = (a.values[f.name] ?? "").trim();
      if (!v) {
        this.missing = true;
        this.host.requestUpdate();
        this.root().querySelector<HTMLElement>(`[data-ask-field="${f.name}"]`)?.focus();
        return;
      }
      values[f.name] = f.type === "number" ? Number(v) : v;
    }
    this.close(values);
  }

  private input(f: BoardField): TemplateResult {
    const a = this.asking!;
    const set = (e: Event) => (a.values[f.name] = (e.target as HTMLInputElement).value);
    const id = `ask-${f.name}`;
    if (f.type === "single_select")
      return html`<select id=${id} data-ask-field=${f.name} required @change=${set}>
        <option value=""></option>
        ${(f.options.choices ?? []).map((c) => html`<option value=${c.name}>${labelOf(c)}</option>`)}
      </select>`;
    if (f.type === "long_text")
      return html`<textarea id=${id} data-ask-field=${f.name} rows="3" required @input=${set}></textarea>`;
    const type = f.type === "number" ? "number" : f.type === "date" ? "date" : "text";
    return html`<input id=${id} type=${type} data-ask-field=${f.name} required @input=${set} />`;
  }

  render(): TemplateResult | typeof nothing {
    const a = this.asking;
    if (!a) return nothing;
    return html`
      <dialog data-kanban-ask aria-labelledby="ask-title" @cancel=${(e: Event) => (e.preventDefault(), this.close(null))}>
        <form @submit=${(e: Event) => this.submit(e)}>
          <h3 id="ask-title">${msg(str`Move to ${a.column}`, { id: "kanban.ask.title" })}</h3>
          <p class="ask-card" data-value>${a.title}</p>
          <p>${msg("This move needs:", { id: "kanban.ask.needs" })}</p>
          ${a.fields.map(
            (f) =>
              html`<label for=${`ask-${f.name}`}>${labelOf(f)} <span aria-hidden="true">*</span></label>${this.input(f)}`,
          )}
          ${this.missing ? html`<p class="ask-missing" role="alert">${msg("Fill in every field to move the card.", { id: "kanban.ask.missing" })}</p>` : nothing}
          <div class="actions">
            <button type="submit" class="primary" data-ask-submit>${msg("Move", { id: "kanban.ask.move" })}</button>
            <button type="button" data-ask-cancel @click=${() => this.close(null)}>${msg("Cancel", { id: "kanban.ask.cancel" })}</button>
          </div>
        </form>
      </dialog>
    `;
  }
}
