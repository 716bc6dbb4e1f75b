/**
 * <sg-admin-feeds>: calendar views published as ICS feeds (/api/feeds/views). Publish a calendar view
 * (its address is shown once, right after: the server keeps only a hash), publish again for a new
 * address (the old one stops), revoke (asked first). A feed reads as the admin who published it, as
 * they may read it at each fetch.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg, str } from "@lit/localize";
import type { ViewInfo } from "../api/client";
import { formatDateTime, labelOf } from "../i18n/index";
import { askConfirm } from "../sg-app/confirm-dialog";
import type { AdminApi } from "./admin-api";
import { Problems, banner } from "./problems";
import { adminStyles } from "./styles";

interface PublishedFeed {
  id: string;
  view: { id: string; name: string; label: string; table?: string };
  publishedBy: { id: string; name: string | null };
  createdAt: string;
}

@localized()
export class SgAdminFeeds extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;

  @state() private views: ViewInfo[] = [];
  @state() private feeds: PublishedFeed[] = [];
  @state() private view = "";
  @state() private published: { view: string; url: string } | null = null;
  @state() private problems = Problems.none;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [views, feeds] = await Promise.all([
        this.admin.views(),
        this.admin.api.request<{ feeds: PublishedFeed[] }>("GET", "/api/feeds/views"),
      ]);
      this.views = views.filter((v) => v.type === "calendar");
      this.feeds = feeds.feeds;
      if (!this.view && this.views[0]) this.view = this.views[0].id;
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private viewName(id: string): string {
    const v = this.views.find((x) => x.id === id);
    return v ? `${v.table} / ${labelOf(v)}` : id;
  }

  private async publish(e: Event): Promise<void> {
    e.preventDefault();
    if (this.feeds.some((f) => f.view.id === this.view)) {
      const ok = await askConfirm(this, {
        title: msg("Publish with a new address?", { id: "admin.feed.renewTitle" }),
        lines: [msg("The view's current feed address stops working at once.", { id: "admin.feed.renewLine" })],
        confirm: msg("New address", { id: "admin.feed.renew" }),
        danger: true,
      });
      if (!ok) return;
    }
    this.problems = Problems.none;
    try {
      const r = await this.admin.api.request<{ url: string }>("POST", "/api/feeds/views", { view: this.view });
      this.published = { view: this.view, url: r.url };
      await this.load();
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async revoke(f: PublishedFeed): Promise<void> {
    const name = this.viewName(f.view.id);
    const ok = await askConfirm(this, {
      title: msg("Revoke this feed?", { id: "admin.feed.revokeTitle" }),
      lines: [msg(str`Calendars subscribed to ${name} stop getting its events.`, { id: "admin.feed.revokeLine" })],
      confirm: msg("Revoke", { id: "admin.embed.revoke" }),
      danger: true,
    });
    if (!ok) return;
    try {
      await this.admin.api.request("DELETE", `/api/feeds/views/${encodeURIComponent(f.view.id)}`);
      if (this.published?.view === f.view.id) this.published = null;
      await this.load();
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  override render() {
    return html`<div class="stack">
      <form class="stack panel" data-role="publish-feed" aria-label=${msg("Calendar feeds", { id: "admin.feed.title" })} @submit=${this.publish}>
        <h3>${msg("Calendar feeds", { id: "admin.feed.title" })}</h3>
        <p>${msg("Publish a calendar view as an ICS feed that Outlook or Google Calendar can subscribe to. It shows the view's events as you may read them at each refresh.", { id: "admin.feed.intro" })}</p>
        ${banner(this.problems, ["view"])}
        ${
          this.views.length
            ? html`<div class="row">
                <label class="field"><span>${msg("View", { id: "admin.view" })}</span>
                  <select name="feed-view" @change=${(e: Event) => (this.view = (e.target as HTMLSelectElement).value)}>
                    ${this.views.map((v) => html`<option value=${v.id} ?selected=${v.id === this.view}>${this.viewName(v.id)}</option>`)}
                  </select></label>
              </div>
              <button class="primary" type="submit" data-role="publish">${msg("Publish as a feed", { id: "admin.feed.publish" })}</button>`
            : html`<p>${msg("No calendar views yet.", { id: "admin.feed.none" })}</p>`
        }
        ${
          this.published
            ? html`<div class="stack" role="status" data-role="feed-url">
                <span>${msg("The feed's address, shown only now. Anyone with it sees these events.", { id: "admin.feed.urlOnce" })}</span>
                <input readonly aria-label=${msg("Feed address", { id: "admin.feed.url" })} .value=${this.published.url}>
              </div>`
            : nothing
        }
      </form>
      <table class="grid" data-role="feed-list">
        <thead><tr><th>${msg("View", { id: "admin.view" })}</th><th>${msg("Published by", { id: "admin.feed.by" })}</th>
          <th>${msg("Since", { id: "admin.feed.since" })}</th><th></th></tr></thead>
        <tbody>${this.feeds.map(
          (f) => html`<tr data-feed=${f.view.name}>
            <td>${this.viewName(f.view.id)}</td><td>${f.publishedBy.name ?? "—"}</td><td>${formatDateTime(f.createdAt)}</td>
            <td><button type="button" class="danger" data-role="revoke-feed" @click=${() => this.revoke(f)}>${msg("Revoke", { id: "admin.embed.revoke" })}</button></td>
          </tr>`,
        )}</tbody>
      </table>
    </div>`;
  }
}

if (!customElements.get("sg-admin-feeds")) customElements.define("sg-admin-feeds", SgAdminFeeds);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-feeds": SgAdminFeeds;
  }
}
