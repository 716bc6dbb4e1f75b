/**
 * `<sg-notification-list>`: the signed-in user's notifications, newest first, a page at a time with
 * "load more". Each shows its title and body in the UI language and when it came; one about a record
 * is a link that opens the record in the app, one whose record the reader may no longer read says
 * "(no access)" and opens nothing. Opening one marks it read; "mark all read" marks them all. Every
 * change of the unread count goes up as `sg-notifications-read` (the bell shows it). A task's reminder
 * also has buttons to snooze it (10 minutes, an hour, tomorrow 09:00) or dismiss it; both mark it read.
 * The bell keeps this element in its panel and calls `reload()` each time it opens.
 */
import { str } from "@lit/localize";
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient, AppNotification } from "../api/client";
import { emit } from "../events";
import { currentLocale, formatDateTime, localized, msg } from "../i18n/index";
import { routeHash } from "../sg-app/route";
import { localText } from "./local-text";
import { dismissReminder, isReminder, snoozeReminder, SNOOZES, type Snooze } from "./reminder-actions";
import { listStyles } from "./styles";

/** Notifications per page. */
export const PAGE_SIZE = 20;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

@customElement("sg-notification-list")
@localized()
export class SgNotificationList extends LitElement {
  static override styles = listStyles;

  @property({ attribute: false }) api?: ApiClient;
  /** The unread count the bell knows: "mark all read" has nothing to do at 0. */
  @property({ type: Number }) unread = 0;
  @property({ type: Number, attribute: "page-size" }) pageSize = PAGE_SIZE;

  @state() private items: AppNotification[] = [];
  @state() private cursor: string | null = null;
  @state() private phase: "idle" | "loading" | "ready" | "error" = "idle";
  @state() private loadingMore = false;
  @state() private error = "";
  /** What became of reminders snoozed or dismissed here (shown instead of their buttons), by id. */
  @state() private settled = new Map<number, { snoozedUntil?: string; dismissed?: true; busy?: true }>();
  /** Bumped by reload(): a page asked for before is dropped when it arrives. */
  private gen = 0;

  /** The first page anew (what is shown stays until it arrives). */
  async reload(): Promise<void> {
    const gen = ++this.gen;
    if (this.phase !== "ready") this.phase = "loading";
    try {
      const page = await this.api!.notifications({ limit: this.pageSize });
      if (gen !== this.gen) return;
      this.items = page.notifications;
      this.cursor = page.nextCursor;
      this.phase = "ready";
    } catch (err) {
      if (gen !== this.gen) return;
      this.error = errorText(err);
      this.phase = "error";
    }
    await this.updateComplete;
  }

  /** Focuses the newest notification (or the list's state line); false when there is nothing to focus. */
  focusFirst(): boolean {
    const first = this.renderRoot.querySelector<HTMLElement>("li .item, [data-action=retry]");
    first?.focus();
    return first !== null;
  }

  private async loadMore() {
    if (!this.cursor || this.loadingMore) return;
    const gen = this.gen;
    this.loadingMore = true;
    try {
      const page = await this.api!.notifications({ limit: this.pageSize, cursor: this.cursor });
      if (gen !== this.gen) return;
      const seen = new Set(this.items.map((n) => n.id));
      const added = page.notifications.filter((n) => !seen.has(n.id));
      this.items = [...this.items, ...added];
      this.cursor = page.nextCursor;
      // The button may be gone now: the focus goes on to the first notification that came.
      await this.updateComplete;
      if (added[0]) this.renderRoot.querySelector<HTMLElement>(`[data-notification="${added[0].id}"] .item`)?.focus();
    } catch (err) {
      emit(this, "sg-notify", { kind: "error", message: errorText(err) });
    } finally {
      this.loadingMore = false;
    }
  }

  /** A click (or Enter) on a notification: a link goes on to its record; either way it is now read. */
  private activate(n: AppNotification) {
    if (!n.readAt) void this.markRead({ ids: [n.id] });
    if (n.record && !n.withheld) emit(this, "sg-notification-open", { id: n.id });
  }

  private async markRead(target: { ids: number[] } | { all: true }) {
    const at = new Date().toISOString();
    const before = this.items;
    const hit = (n: AppNotification) => !n.readAt && ("all" in target || target.ids.includes(n.id));
    this.items = this.items.map((n) => (hit(n) ? { ...n, readAt: at } : n));
    try {
      const reply = await this.api!.markNotificationsRead(target);
      emit(this, "sg-notifications-read", { unread: reply.unread, more: reply.more });
    } catch (err) {
      this.items = before;
      emit(this, "sg-notify", { kind: "error", message: errorText(err) });
    }
  }

  /** Snooze or dismiss a reminder; either way it is read now, and the bell's count follows. */
  private async settle(n: AppNotification, what: Snooze | "dismiss") {
    if (this.settled.get(n.id)?.busy) return;
    this.settled = new Map(this.settled).set(n.id, { busy: true });
    try {
      let done: { snoozedUntil: string } | { dismissed: true };
      if (what === "dismiss") {
        await dismissReminder(this.api!, n.id);
        done = { dismissed: true };
      } else done = { snoozedUntil: (await snoozeReminder(this.api!, n.id, what)).snoozedUntil };
      this.settled = new Map(this.settled).set(n.id, done);
      const at = new Date().toISOString();
      this.items = this.items.map((x) => (x.id === n.id && !x.readAt ? { ...x, readAt: at } : x));
      emit(this, "sg-notifications-read", await this.api!.unreadNotifications());
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[data-notification="${n.id}"] [data-settled]`)?.focus();
    } catch (err) {
      const next = new Map(this.settled);
      next.delete(n.id);
      this.settled = next;
      emit(this, "sg-notify", { kind: "error", message: errorText(err) });
    }
  }

  private renderReminderActions(n: AppNotification): TemplateResult {
    const s = this.settled.get(n.id);
    if (s?.snoozedUntil || s?.dismissed)
      return html`<p class="settled" data-settled tabindex="-1" role="status">${
        s.snoozedUntil
          ? msg(str`Snoozed until ${formatDateTime(s.snoozedUntil)}`, { id: "notifications.snoozedUntil" })
          : msg("Dismissed", { id: "notifications.dismissed" })
      }</p>`;
    const label: Record<Snooze, string> = {
      "10m": msg("In 10 minutes", { id: "notifications.snooze10m" }),
      "1h": msg("In 1 hour", { id: "notifications.snooze1h" }),
      tomorrow: msg("Tomorrow 09:00", { id: "notifications.snoozeTomorrow" }),
    };
    return html`<div class="actions" role="group" aria-label=${msg("Snooze or dismiss", { id: "notifications.snoozeGroup" })}>
      <span class="actions-label" aria-hidden="true">${msg("Remind me", { id: "notifications.remindMe" })}</span>
      ${SNOOZES.map(
        (until) =>
          html`<button type="button" data-action="snooze" data-until=${until} ?disabled=${s?.busy === true} @click=${() => void this.settle(n, until)}>${label[until]}</button>`,
      )}
      <button type="button" data-action="dismiss" ?disabled=${s?.busy === true} @click=${() => void this.settle(n, "dismiss")}>${msg("Dismiss", { id: "notifications.dismiss" })}</button>
    </div>`;
  }

  private renderItem(n: AppNotification): TemplateResult {
    const locale = currentLocale();
    const unread = n.readAt === null;
    const content = html`${unread ? html`<span class="visually-hidden">${msg("Unread:", { id: "notifications.unread" })} </span>` : nothing}<span class="title" data-value>${n.withheld ? msg("(no access)", { id: "common.noAccess" }) : localText(n.title, locale)}</span>${
      !n.withheld && n.body && localText(n.body, locale)
        ? html`<span class="body" data-value>${localText(n.body, locale)}</span>`
        : nothing
    }<time class="time" datetime=${n.createdAt}>${formatDateTime(n.createdAt)}</time>`;
    const item =
      n.record && !n.withheld
        ? html`<a class="item" href=${routeHash({ kind: "table", table: n.record.table, record: n.record.id })} @click=${() => this.activate(n)}>${content}</a>`
        : html`<button type="button" class="item ${n.withheld ? "withheld" : ""}" @click=${() => this.activate(n)}>${content}</button>`;
    return html`<li data-notification=${n.id} data-read=${unread ? "false" : "true"} data-kind=${n.kind}>${item}${
      isReminder(n) ? this.renderReminderActions(n) : nothing
    }</li>`;
  }

  override render() {
    const bar = html`<div class="bar">
      <button type="button" data-action="mark-all-read" ?disabled=${this.unread === 0} @click=${() => void this.markRead({ all: true })}>${msg("Mark all read", { id: "notifications.markAllRead" })}</button>
    </div>`;
    if (this.phase === "loading" || this.phase === "idle")
      return html`${bar}<p class="state" role="status">${msg("Loading…", { id: "common.loading" })}</p>`;
    if (this.phase === "error")
      return html`${bar}<p class="state error" role="alert">${this.error}</p>
        <div class="more"><button type="button" data-action="retry" @click=${() => void this.reload()}>${msg("Retry", { id: "common.retry" })}</button></div>`;
    if (this.items.length === 0)
      return html`${bar}<p class="state">${msg("No notifications yet.", { id: "notifications.empty" })}</p>`;
    return html`${bar}
      <ul aria-label=${msg("Notifications", { id: "notifications.title" })}>${this.items.map((n) => this.renderItem(n))}</ul>
      ${
        this.cursor
          ? html`<div class="more"><button type="button" data-action="load-more" ?disabled=${this.loadingMore} @click=${() => void this.loadMore()}>${this.loadingMore ? msg("Loading…", { id: "common.loading" }) : msg("Load more", { id: "notifications.loadMore" })}</button></div>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-notification-list": SgNotificationList;
  }
}
