/**
 * `<sg-feed-settings>`: on the profile page, the user's personal calendar feed (/api/feeds/personal):
 * turn it on, see its address once (only a hash is kept on the server), copy it into Outlook or Google
 * Calendar, turn it on again for a new address (the old one stops), or revoke it (asked first).
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";
import { localized, msg, str } from "../i18n/index";
import { formatDateTime } from "../i18n/time";
import { askConfirm } from "./confirm-dialog";
import { controls } from "./styles";

const PATH = "/api/feeds/personal";

interface FeedStatus {
  active: boolean;
  createdAt: string | null;
}

@customElement("sg-feed-settings")
@localized()
export class SgFeedSettings extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; margin-top: 28px; border-top: 1px solid var(--sg-border); padding-top: 8px; }
      .hint { font-size: 0.9em; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; }
      .url { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 10px 12px; }
      .url code { display: block; word-break: break-all; margin: 6px 0; font-size: 0.95em; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @state() private feed: FeedStatus | null = null;
  /** The address the last turn-on showed; gone once the user leaves the page. */
  @state() private url = "";
  @state() private error = "";
  @state() private busy = false;
  @state() private note = "";

  override updated(changed: Map<string, unknown>) {
    if (changed.has("api") && this.api) void this.load();
  }

  private async load() {
    await this.run(async () => {
      this.feed = (await this.api!.request<{ feed: FeedStatus }>("GET", PATH)).feed;
    });
  }

  private async run(work: () => Promise<void>) {
    this.busy = true;
    this.error = "";
    this.note = "";
    try {
      await work();
    } catch (err) {
      this.error =
        err instanceof ApiError
          ? (err.problem.errors ?? []).map((p) => fieldErrorText(p)).join(" ") || (err.problem.detail ?? err.message)
          : msg("Could not reach the server. Try again.", { id: "app.network" });
    } finally {
      this.busy = false;
    }
  }

  private async turnOn() {
    if (this.feed?.active) {
      const ok = await askConfirm(this, {
        title: msg("Make a new feed address?", { id: "app.feed.renewTitle" }),
        lines: [
          msg("The current address stops working at once: calendars subscribed to it must subscribe to the new one.", {
            id: "app.feed.renewLine",
          }),
        ],
        confirm: msg("New address", { id: "app.feed.renew" }),
        danger: true,
      });
      if (!ok) return;
    }
    await this.run(async () => {
      const r = await this.api!.request<{ url: string; feed: FeedStatus }>("POST", PATH, {});
      this.feed = r.feed;
      this.url = r.url;
    });
  }

  private async revoke() {
    const ok = await askConfirm(this, {
      title: msg("Revoke the calendar feed?", { id: "app.feed.revokeTitle" }),
      lines: [msg("Calendars subscribed to it stop getting your tasks and events.", { id: "app.feed.revokeLine" })],
      confirm: msg("Revoke feed", { id: "app.feed.revoke" }),
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      this.feed = (await this.api!.request<{ feed: FeedStatus }>("DELETE", PATH)).feed;
      this.url = "";
      this.note = msg("The feed is revoked", { id: "app.feed.revoked" });
    });
  }

  private async copy() {
    try {
      await navigator.clipboard.writeText(this.url);
      this.note = msg("Copied", { id: "app.feed.copied" });
    } catch {
      // Without clipboard access the address is still there to select by hand.
    }
  }

  override render() {
    const f = this.feed;
    return html`<h2 id="feed-title">${msg("Calendar feed", { id: "app.feed.title" })}</h2>
      <section aria-labelledby="feed-title" data-feed>
        <p class="hint muted">
          ${msg(
            "A private address of your tasks and events that Outlook, Google Calendar or Apple Calendar can subscribe to. It shows only what you may see, as you may see it now.",
            { id: "app.feed.intro" },
          )}
        </p>
        ${
          f
            ? html`<p data-feed-status>
              ${
                f.active
                  ? msg(str`On since ${formatDateTime(f.createdAt!)}`, { id: "app.feed.onSince" })
                  : msg("Off", { id: "app.feed.off" })
              }
            </p>`
            : nothing
        }
        ${
          this.url
            ? html`<div class="url" role="status" data-feed-url>
              <strong>${msg("Your feed address, shown only this once:", { id: "app.feed.urlOnce" })}</strong>
              <code>${this.url}</code>
              <span class="hint">${msg("Anyone with this address sees your calendar: keep it private.", {
                id: "app.feed.keepPrivate",
              })}</span>
              <div class="actions">
                <button type="button" data-action="copy-feed" @click=${this.copy}>${msg("Copy", { id: "app.feed.copy" })}</button>
                <button type="button" data-action="hide-feed" @click=${() => (this.url = "")}>${msg("Done", { id: "app.feed.done" })}</button>
              </div>
            </div>`
            : nothing
        }
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.note ? html`<p role="status">${this.note}</p>` : nothing}
        <div class="actions">
          <button type="button" class="primary" data-action="feed-on" ?disabled=${this.busy || !f} @click=${this.turnOn}>
            ${
              f?.active
                ? msg("New address", { id: "app.feed.renew" })
                : msg("Turn the feed on", { id: "app.feed.turnOn" })
            }
          </button>
          ${
            f?.active
              ? html`<button type="button" class="danger" data-action="feed-revoke" ?disabled=${this.busy} @click=${this.revoke}>
                ${msg("Revoke feed", { id: "app.feed.revoke" })}
              </button>`
              : nothing
          }
        </div>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-feed-settings": SgFeedSettings;
  }
}
