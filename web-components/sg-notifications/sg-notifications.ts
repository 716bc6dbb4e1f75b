/**
 * `<sg-notifications>`: the bell in the app's header. It shows the signed-in user's unread count
 * (kept current by UnreadCountController: every 30 s and when the window gets focus) and opens a
 * panel with `<sg-notification-list>`. Keyboard: the bell is a button (Enter or Space opens, the
 * focus moves to the newest notification); Escape closes and returns to the bell; a click outside or
 * opening a record closes too. Give it the app's client as `.api`.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { ApiClient } from "../api/client";
import { formatNumber, localized, msg, str } from "../i18n/index";
import { bellIcon } from "../icons";
import { UnreadCountController } from "./unread-count";
import { bellStyles } from "./styles";
import "./sg-notification-list";
import type { SgNotificationList } from "./sg-notification-list";

@customElement("sg-notifications")
@localized()
export class SgNotifications extends LitElement {
  static override styles = bellStyles;
  // Focusing the element (the app giving the focus back after the drawer closes) focuses the bell.
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  @property({ attribute: false }) api?: ApiClient;
  @state() private open = false;
  @query("button[data-bell]") private bell?: HTMLButtonElement;
  @query("sg-notification-list") private list?: SgNotificationList;

  private readonly count = new UnreadCountController(this, {
    fetch: () => (this.api ? this.api.unreadNotifications() : Promise.reject(new Error("no API client yet"))),
  });

  private readonly onOutside = (e: Event) => {
    if (this.open && !e.composedPath().includes(this)) this.close(false);
  };

  override connectedCallback() {
    super.connectedCallback();
    document.addEventListener("pointerdown", this.onOutside);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    document.removeEventListener("pointerdown", this.onOutside);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A client handed in after the element connected: count now rather than at the next poll.
    if (changed.has("api") && this.api && !this.count.known) void this.count.refresh();
  }

  private async toggle() {
    if (this.open) return this.close(true);
    this.open = true;
    await this.updateComplete;
    const list = this.list!;
    await list.reload();
    // The count may have moved since the last poll: the list is fresh, so is the count.
    void this.count.refresh();
    if (this.open && !list.focusFirst()) this.renderRoot.querySelector<HTMLElement>("[data-panel]")?.focus();
  }

  private close(returnFocus: boolean) {
    this.open = false;
    if (returnFocus) this.bell?.focus();
  }

  private onKeydown(e: KeyboardEvent) {
    if (e.key === "Escape" && this.open) {
      e.stopPropagation();
      this.close(true);
    }
  }

  private label(): string {
    const c = this.count;
    if (!c.unread) return msg("Notifications", { id: "notifications.title" });
    const n = c.more ? `${formatNumber(c.unread)}+` : formatNumber(c.unread);
    return msg(str`Notifications, ${n} unread`, { id: "notifications.bellUnread" });
  }

  override render() {
    const c = this.count;
    return html`<button type="button" data-bell aria-label=${this.label()} aria-haspopup="dialog" aria-expanded=${this.open ? "true" : "false"} aria-controls="panel" @click=${() => void this.toggle()}>
        ${bellIcon}${c.unread ? html`<span data-unread aria-hidden="true">${c.more ? `${formatNumber(c.unread)}+` : formatNumber(c.unread)}</span>` : nothing}
      </button>
      <div id="panel" data-panel role="dialog" aria-modal="false" aria-labelledby="panel-title" tabindex="-1" ?hidden=${!this.open}
        @keydown=${this.onKeydown}
        @sg-notifications-read=${(e: HTMLElementEventMap["sg-notifications-read"]) => this.count.set(e.detail)}
        @sg-notification-open=${() => this.close(false)}>
        <h2 id="panel-title">${msg("Notifications", { id: "notifications.title" })}</h2>
        <sg-notification-list .api=${this.api} .unread=${c.unread}></sg-notification-list>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-notifications": SgNotifications;
  }
}
