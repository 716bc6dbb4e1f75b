/**
 * `<sg-toast>`: short messages that say one thing once and go away (toast-list.ts). `show(kind, text)`
 * adds one; the same message again only keeps it longer, never a second copy. Errors are announced
 * at once (role=alert), others politely (role=status); each has a dismiss button.
 */
import { LitElement, css, html } from "lit";
import { state } from "lit/decorators.js";
import { localized, msg } from "../i18n/index";
import { closeIcon } from "../icons";
import { ToastList, type Toast, type ToastKind } from "./toast-list";

@localized()
export class SgToast extends LitElement {
  static override styles = css`
    :host { display: contents; }
    .toasts { display: flex; flex-direction: column; gap: 4px; }
    .toast { display: flex; align-items: center; gap: 6px; padding: 4px 8px; border-radius: 4px; }
    .toast.error { background: #ffebe9; color: #a40e26; }
    .toast.info { background: #ddf4ff; color: #0a3069; }
    button { display: inline-flex; padding: 2px; border: 0; background: none; color: inherit; cursor: pointer; border-radius: 3px; }
    button:focus-visible { outline: 2px solid currentColor; }
  `;

  @state() private items: Toast[] = [];
  private readonly list = new ToastList();
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(kind: ToastKind, text: string): void {
    this.items = this.list.show(kind, text, Date.now());
    this.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const next = this.list.expire(Date.now());
    this.items = this.list.items;
    if (next !== null) this.timer = setTimeout(() => this.schedule(), Math.max(0, next - Date.now()) + 10);
  }

  private dismiss(id: number): void {
    this.items = this.list.dismiss(id);
    this.schedule();
  }

  protected override render() {
    return html`<div class="toasts">
      ${this.items.map(
        (t) =>
          html`<div class="toast ${t.kind}" role=${t.kind === "error" ? "alert" : "status"} data-notice data-toast>
            <span>${t.text}</span>
            <button type="button" aria-label=${msg("Dismiss", { id: "toast.dismiss" })} @click=${() => this.dismiss(t.id)}>${closeIcon}</button>
          </div>`,
      )}
    </div>`;
  }
}

if (!customElements.get("sg-toast")) customElements.define("sg-toast", SgToast);

declare global {
  interface HTMLElementTagNameMap {
    "sg-toast": SgToast;
  }
}
