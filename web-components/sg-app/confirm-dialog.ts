/**
 * `askConfirm()`: a modal question before losing work (deleting a table, a field or a view; leaving
 * a form with unsaved changes). A native `<dialog>` opened with showModal(): focus stays inside,
 * Escape cancels, and the safe answer (Cancel) has the focus first, so Enter never deletes by
 * accident. Resolves true only when the user confirms.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { localized, msg } from "../i18n/index";
import { controls } from "./styles";

export interface ConfirmOptions {
  title: string;
  /** What is lost, one sentence a line. */
  lines: string[];
  /** The confirming button's words (e.g. "Delete table"). */
  confirm: string;
  /** Red confirming button for a deletion. */
  danger?: boolean;
}

@customElement("sg-confirm")
@localized()
export class SgConfirm extends LitElement {
  static override styles = [
    controls,
    css`
      dialog { border: 1px solid var(--sg-border); border-radius: 10px; padding: 20px 24px; max-width: min(480px, 92vw); box-shadow: 0 12px 32px rgb(0 0 0 / 0.2); color: #1f2328; }
      dialog::backdrop { background: rgb(0 0 0 / 0.35); }
      h2 { margin: 0 0 10px; font-size: 1.15em; }
      p { margin: 0 0 8px; }
      .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
      button.danger { background: #b42318; border-color: #b42318; color: #fff; }
    `,
  ];

  @property({ attribute: false }) options: ConfirmOptions | null = null;
  @query("dialog") private dialog?: HTMLDialogElement;
  private answer: (ok: boolean) => void = () => undefined;

  /** Opens the dialog; resolves with the answer once it closes. */
  async ask(options: ConfirmOptions): Promise<boolean> {
    this.options = options;
    await this.updateComplete;
    const result = new Promise<boolean>((resolve) => (this.answer = resolve));
    this.dialog!.showModal();
    this.renderRoot.querySelector<HTMLButtonElement>("button[data-role=cancel]")?.focus();
    return result;
  }

  private close(ok: boolean) {
    this.dialog?.close();
    this.answer(ok);
    this.answer = () => undefined;
  }

  override render() {
    const o = this.options;
    return html`<dialog aria-labelledby="confirm-title" data-role="confirm" @cancel=${(e: Event) => (e.preventDefault(), this.close(false))}>
      ${
        o
          ? html`<h2 id="confirm-title">${o.title}</h2>
            ${o.lines.map((l) => html`<p>${l}</p>`)}
            <div class="actions">
              <button type="button" data-role="cancel" @click=${() => this.close(false)}>${msg("Cancel", { id: "common.cancel" })}</button>
              <button type="button" data-role="confirm" class=${o.danger ? "danger" : "primary"} @click=${() => this.close(true)}>${o.confirm}</button>
            </div>`
          : nothing
      }
    </dialog>`;
  }
}

/**
 * Asks in a dialog placed in `host`'s shadow root (so it takes the host's styles and sits in its
 * tree for tests and assistive technology); the dialog goes away after the answer.
 */
export async function askConfirm(host: HTMLElement, options: ConfirmOptions): Promise<boolean> {
  const root = host.shadowRoot ?? host;
  const el = document.createElement("sg-confirm");
  root.appendChild(el);
  try {
    return await el.ask(options);
  } finally {
    el.remove();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-confirm": SgConfirm;
  }
}
