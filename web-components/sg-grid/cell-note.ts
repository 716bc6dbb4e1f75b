/**
 * A message beside one cell: why the server (or the field's rules) refused what was typed there. It
 * is announced at once (role=alert), sits under the cell, and goes when the user moves on (another
 * cell selected, the sheet scrolled) or after a while.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import type { HotController } from "./hot-controller";

const NOTE_MS = 10_000;

export class CellNoteController implements ReactiveController {
  private note: { row: number; col: number; text: string; top: number; left: number } | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sheet: HotController,
    /** The element the note is placed in (positioned; the sheet fills it). */
    private readonly frame: () => HTMLElement | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  /** Shows `text` beside the cell of `row` and the field `prop`. */
  show(row: number, prop: string, text: string): void {
    const hot = this.sheet.hot;
    const frame = this.frame();
    if (!hot || !frame) return;
    const col = hot.propToCol(prop) as number;
    const td = hot.getCell(row, col, true);
    const box = frame.getBoundingClientRect();
    const at = td?.getBoundingClientRect();
    this.note = {
      row,
      col,
      text,
      top: at ? at.bottom - box.top + 2 : 4,
      left: at ? Math.max(0, Math.min(at.left - box.left, box.width - 280)) : 4,
    };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), NOTE_MS);
    this.host.requestUpdate();
  }

  /** The user moved to another cell: a note about a different cell goes. */
  selected(row: number, col: number): void {
    if (this.note && (this.note.row !== row || this.note.col !== col)) this.clear();
  }

  clear(): void {
    if (!this.note) return;
    this.note = null;
    clearTimeout(this.timer);
    this.host.requestUpdate();
  }

  render(): TemplateResult | typeof nothing {
    const n = this.note;
    if (!n) return nothing;
    return html`<div class="cell-note" role="alert" data-cell-note style="top:${n.top}px;left:${n.left}px">${n.text}</div>`;
  }
}
