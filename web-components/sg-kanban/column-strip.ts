/**
 * Every column within reach, however wide the board: a strip above it names each column with its
 * count, marks those in view, and scrolls one into view on click or Enter (one Tab stop; the arrow
 * keys move along the strip). It also fits the board to the window, so the board's own horizontal
 * scroll bar sits on screen instead of below the fold: the cells end above the window's bottom edge.
 */
import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import { formatNumber, msg } from "../i18n/index";
import type { BoardField, Key } from "./board-model";
import { attrKey } from "./cell-view";
import type { BoardLabels } from "./labels";
import type { BoardTotalsController } from "./totals";

/** Room left under the board for its scroll bar and the page's margin. */
const BOTTOM_GAP = 28;

export class ColumnStripController implements ReactiveController {
  /** attrKey of the columns wholly in view. */
  private inView = new Set<string>();
  /** The strip's Tab stop. */
  private active = 0;
  private frame = 0;
  /** The board's offset when it was last fitted: what lies above it may grow (a wrapped toolbar). */
  private fittedAt = -1;
  private readonly onResize = () => this.fit();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly root: () => ParentNode,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener("resize", this.onResize);
  }

  hostDisconnected(): void {
    window.removeEventListener("resize", this.onResize);
    cancelAnimationFrame(this.frame);
  }

  /** Fits again when the board moved within the page (not when the page scrolled: offsets ignore that). */
  hostUpdated(): void {
    const board = this.board();
    if (board && this.fittedAt >= 0 && board.offsetTop !== this.fittedAt) this.fit();
  }

  private board(): HTMLElement | null {
    return this.root().querySelector<HTMLElement>(".board");
  }

  /** Sizes the cells to the window below them (once the board is laid out, and on resize). */
  fit(): void {
    const board = this.board();
    if (!board) return;
    this.fittedAt = board.offsetTop;
    const top = board.getBoundingClientRect().top;
    const head = board.querySelector<HTMLElement>(".colhead")?.offsetHeight ?? 0;
    board.style.setProperty("--fit-height", `${Math.max(240, window.innerHeight - top - BOTTOM_GAP)}px`);
    board.style.setProperty("--fit-cell", `${Math.max(160, window.innerHeight - top - head - BOTTOM_GAP)}px`);
    this.measure();
  }

  /** Which columns are in view, after the board scrolled (once per frame). */
  readonly onScroll = (): void => {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.measure());
  };

  private measure(): void {
    const board = this.board();
    if (!board) return;
    const b = board.getBoundingClientRect();
    const next = new Set<string>();
    for (const h of board.querySelectorAll<HTMLElement>(".colhead")) {
      const r = h.getBoundingClientRect();
      if (r.left >= b.left - 1 && r.right <= Math.min(b.right, window.innerWidth) + 1) next.add(h.dataset.col ?? "");
    }
    if ([...next].join("\n") === [...this.inView].join("\n")) return;
    this.inView = next;
    this.host.requestUpdate();
  }

  /** Scrolls a column into view. */
  show(c: Key): void {
    const h = this.board()?.querySelector<HTMLElement>(`.colhead[data-col="${CSS.escape(attrKey(c))}"]`);
    h?.scrollIntoView({ inline: "nearest", block: "nearest", behavior: "instant" });
    this.onScroll();
  }

  private onKey(e: KeyboardEvent, columns: Key[]): void {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    const to = e.key === "Home" ? 0 : e.key === "End" ? columns.length - 1 : this.active + step;
    if ((!step && e.key !== "Home" && e.key !== "End") || to < 0 || to >= columns.length) return;
    e.preventDefault();
    this.active = to;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() =>
      this.root().querySelectorAll<HTMLElement>("[data-kanban-columns] button")[to]?.focus(),
    );
  }

  render(columns: Key[], group: BoardField, totals: BoardTotalsController, labels: BoardLabels): TemplateResult {
    if (this.active >= columns.length) this.active = 0;
    return html`
      <div class="strip" role="toolbar" aria-label=${msg("Columns", { id: "kanban.columns" })} data-kanban-columns
        @keydown=${(e: KeyboardEvent) => this.onKey(e, columns)}>
        ${columns.map((c, i) => {
          const key = attrKey(c);
          const color = c === null ? undefined : group.options.choices?.find((x) => x.name === c)?.color;
          const shown = this.inView.has(key);
          return html`<button type="button" class=${shown ? "in-view" : ""} data-col=${key} data-in-view=${shown ? "true" : "false"}
            tabindex=${i === this.active ? "0" : "-1"} style=${color ? `--c: ${color}` : ""}
            @focus=${() => (this.active = i)} @click=${() => this.show(c)}>
            <span ?data-value=${group.type === "user" && c !== null}>${labels.column(c)}</span>
            <span class="n">${formatNumber(totals.column(c)?.count ?? 0)}</span>
          </button>`;
        })}
      </div>
    `;
  }
}
