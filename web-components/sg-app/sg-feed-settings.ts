/**
 * `<sg-feed-settings>`: on the profile page, the user's personal calendar feed (/api/feeds/personal):
 * turn it on, see its address once (only a hash is kept on the server), copy it into Outlook or Google
 * Calendar, turn it on again for a new address (the old one stops), or revoke it (asked first).
 */
import { LitElement, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { PersonalFeed } from "../../schemas/types";
import type { ApiClient } from "../api/client";
import { localized, msg, str } from "../i18n/index";
import { formatDateTime } from "../i18n/time";
import "./once-reveal";
import { SettingsTask } from "./settings-task";
import { controls, profileSection } from "./styles";

const PATH = "/api/feeds/personal";

@customElement("sg-feed-settings")
@localized()
export class SgFeedSettings extends LitElement {
  static override styles = [controls, profileSection];

  @property({ attribute: false }) api?: ApiClient;
  @state() private feed: PersonalFeed | null = null;
  /** The address the last turn-on showed; gone once the user leaves the page. */
  @state() private url = "";
  private readonly task = new SettingsTask(this);

  override updated(changed: Map<string, unknown>) {
    if (changed.has("api") && this.api) void this.load();
  }

  private async load() {
    await this.task.run(async () => {
      this.feed = (await this.api!.request<{ feed: PersonalFeed }>("GET", PATH)).feed;
    });
  }

  private async turnOn() {
    const work = async () => {
      const r = await this.api!.request<{ url: string; feed: PersonalFeed }>("POST", PATH, {});
      this.feed = r.feed;
      this.url = r.url;
    };
    // A new address ends the one calendars hold: ask first.
    if (!this.feed?.active) return this.task.run(work);
    const ask = {
      title: msg("Make a new feed address?", { id: "app.feed.renewTitle" }),
      line: msg(
        "The current address stops working at once: calendars subscribed to it must subscribe to the new one.",
        { id: "app.feed.renewLine" },
      ),
      confirm: msg("New address", { id: "app.feed.renew" }),
    };
    await this.task.runConfirmed(ask, work);
  }

  private async revoke() {
    const ask = {
      title: msg("Revoke the calendar feed?", { id: "app.feed.revokeTitle" }),
      line: msg("Calendars subscribed to it stop getting your tasks and events.", { id: "app.feed.revokeLine" }),
      confirm: msg("Revoke feed", { id: "app.feed.revoke" }),
    };
    await this.task.runConfirmed(ask, async () => {
      this.feed = (await this.api!.request<{ feed: PersonalFeed }>("DELETE", PATH)).feed;
      this.url = "";
      this.task.say(msg("The feed is revoked", { id: "app.feed.revoked" }));
    });
  }

  override render() {
    const f = this.feed;
    const busy = this.task.busy;
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
            ? html`<sg-once-reveal data-feed-url name="feed" .value=${this.url}
                .label=${msg("Your feed address, shown only this once:", { id: "app.feed.urlOnce" })}
                .hint=${msg("Anyone with this address sees your calendar: keep it private.", { id: "app.feed.keepPrivate" })}
                .doneLabel=${msg("Done", { id: "app.feed.done" })}
                @sg-reveal-done=${() => (this.url = "")}></sg-once-reveal>`
            : nothing
        }
        ${this.task.status()}
        <div class="actions">
          <button type="button" class="primary" data-action="feed-on" ?disabled=${busy || !f} @click=${this.turnOn}>
            ${
              f?.active
                ? msg("New address", { id: "app.feed.renew" })
                : msg("Turn the feed on", { id: "app.feed.turnOn" })
            }
          </button>
          ${
            f?.active
              ? html`<button type="button" class="danger" data-action="feed-revoke" ?disabled=${busy} @click=${this.revoke}>
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
