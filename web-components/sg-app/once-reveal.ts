/**
 * `<sg-once-reveal>`: a value the server shows only once (the calendar feed's address, the webhook's
 * signing secret) on the profile page: what it is, the value, Copy (which says when it copied) and a
 * button that hides it for good (`sg-reveal-done`: the host forgets the value). `name` names the
 * buttons' `data-action`s, `copy-<name>` and `hide-<name>`.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { localized, msg } from "../i18n/index";
import { controls } from "./styles";

@customElement("sg-once-reveal")
@localized()
export class SgOnceReveal extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; }
      .box { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 10px 12px; }
      code { display: block; word-break: break-all; margin: 6px 0; font-size: 0.95em; }
      .hint { font-size: 0.9em; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 6px; }
    `,
  ];

  @property() value = "";
  /** What the value is and that it is shown once. */
  @property() label = "";
  /** A line under the value (e.g. keep it private); none when empty. */
  @property() hint = "";
  /** The done button's words (e.g. "I have saved it"). */
  @property({ attribute: "done-label" }) doneLabel = "";
  @property() name = "";
  @state() private copied = false;

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has("value")) this.copied = false;
  }

  private async copy() {
    try {
      await navigator.clipboard.writeText(this.value);
      this.copied = true;
    } catch {
      // Without clipboard access the value is still there to select by hand.
    }
  }

  private done() {
    this.dispatchEvent(new CustomEvent("sg-reveal-done"));
  }

  override render() {
    return html`<div class="box" role="status">
      <strong>${this.label}</strong>
      <code>${this.value}</code>
      ${this.hint ? html`<span class="hint">${this.hint}</span>` : nothing}
      <div class="actions">
        <button type="button" data-action=${`copy-${this.name}`} @click=${this.copy}>${msg("Copy", { id: "app.reveal.copy" })}</button>
        <button type="button" data-action=${`hide-${this.name}`} @click=${this.done}>${this.doneLabel}</button>
        ${this.copied ? html`<span data-copied>${msg("Copied", { id: "app.reveal.copied" })}</span>` : nothing}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-once-reveal": SgOnceReveal;
  }
  interface HTMLElementEventMap {
    "sg-reveal-done": CustomEvent<void>;
  }
}
