/**
 * `<sg-webhook-settings>`: on the profile page, the user's webhook (/api/notifications/webhook): URL,
 * on/off, the signing secret shown once (at creation and rotation; never read back), how to check the
 * signature, a test ping, and the delivery log (newest first, more on request).
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Webhook, WebhookAttempt, WebhookPing } from "../../schemas/types";
import type { ApiClient } from "../api/client";
import { localized, msg, str } from "../i18n/index";
import { formatDateTime } from "../i18n/time";
import "./once-reveal";
import { SettingsTask, type OwnWords } from "./settings-task";
import { controls, profileSection } from "./styles";

const PATH = "/api/notifications/webhook";

/** The webhook's own words for the URL checks (worker/notifications/webhooks.ts). */
const urlWords: OwnWords = (p) => {
  switch (p.code) {
    case "url":
      return msg("Write the full address, e.g. https://intranet.example.com/hooks/salesgrid", {
        id: "app.webhook.err.url",
      });
    case "url_scheme":
      return msg("The address must start with https://", { id: "app.webhook.err.scheme" });
    case "url_credentials":
      return msg("Put no user name or password in the address.", { id: "app.webhook.err.credentials" });
    case "url_host":
      return msg("This address is local or private; use the receiver's public name.", {
        id: "app.webhook.err.host",
      });
    default:
      return undefined;
  }
};

@customElement("sg-webhook-settings")
@localized()
export class SgWebhookSettings extends LitElement {
  static override styles = [
    controls,
    profileSection,
    css`
      form { display: grid; gap: 12px; }
      label { display: grid; gap: 4px; font-weight: 600; }
      label.check { display: flex; gap: 8px; align-items: center; }
      details { font-size: 0.9em; }
      pre { white-space: pre-wrap; background: #f6f8fa; padding: 8px; border-radius: 6px; }
      table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
      th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--sg-border); vertical-align: top; }
      .delivered { color: #1a7f37; }
      .failed { color: var(--sg-danger); }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @state() private webhook: Webhook | null = null;
  @state() private loaded = false;
  @state() private url = "";
  @state() private enabled = true;
  /** The secret the last creation or rotation showed; gone once the user leaves the page. */
  @state() private secret = "";
  @state() private attempts: WebhookAttempt[] = [];
  @state() private next: string | null = null;
  private readonly task = new SettingsTask(this, urlWords);

  override updated(changed: Map<string, unknown>) {
    if (changed.has("api") && this.api) void this.load();
  }

  private async load() {
    await this.task.run(async () => {
      const r = await this.api!.request<{ webhook: Webhook | null }>("GET", PATH);
      this.webhook = r.webhook;
      this.url = r.webhook?.url ?? "";
      this.enabled = r.webhook?.enabled ?? true;
      await this.loadLog(false);
    });
    this.loaded = true;
  }

  private async loadLog(more: boolean) {
    if (!this.webhook) {
      this.attempts = [];
      this.next = null;
      return;
    }
    const cursor = more && this.next ? `&cursor=${encodeURIComponent(this.next)}` : "";
    const r = await this.api!.request<{ attempts: WebhookAttempt[]; nextCursor: string | null }>(
      "GET",
      `${PATH}/deliveries?limit=20${cursor}`,
    );
    this.attempts = more ? [...this.attempts, ...r.attempts] : r.attempts;
    this.next = r.nextCursor;
  }

  private save(e: Event) {
    e.preventDefault();
    void this.task.run(async () => {
      const r = await this.api!.request<{ webhook: Webhook; secret?: string }>("PUT", PATH, {
        url: this.url.trim(),
        enabled: this.enabled,
      });
      this.webhook = r.webhook;
      this.url = r.webhook.url;
      if (r.secret) this.secret = r.secret;
      this.task.say(msg("Webhook saved", { id: "app.webhook.saved" }));
      await this.loadLog(false);
    });
  }

  private async rotate() {
    const ask = {
      title: msg("Make a new secret?", { id: "app.webhook.rotateTitle" }),
      line: msg("The current secret stops working at once: the receiver must get the new one.", {
        id: "app.webhook.rotateLine",
      }),
      confirm: msg("New secret", { id: "app.webhook.rotate" }),
    };
    await this.task.runConfirmed(ask, async () => {
      const r = await this.api!.request<{ webhook: Webhook; secret: string }>("POST", `${PATH}/rotate`);
      this.webhook = r.webhook;
      this.secret = r.secret;
    });
  }

  private async removeWebhook() {
    const ask = {
      title: msg("Remove the webhook?", { id: "app.webhook.removeTitle" }),
      line: msg("Notifications are no longer sent to it; its delivery log is deleted.", {
        id: "app.webhook.removeLine",
      }),
      confirm: msg("Remove webhook", { id: "app.webhook.remove" }),
    };
    await this.task.runConfirmed(ask, async () => {
      await this.api!.request("DELETE", PATH);
      this.webhook = null;
      this.secret = "";
      this.url = "";
      this.enabled = true;
      this.attempts = [];
      this.next = null;
    });
  }

  private test() {
    void this.task.run(async () => {
      const r = await this.api!.request<WebhookPing>("POST", `${PATH}/test`);
      const answer = r.status !== null ? "HTTP " + r.status : (r.error ?? "");
      this.task.say(
        r.outcome === "delivered"
          ? msg(str`Test delivered (${answer}).`, { id: "app.webhook.testOk" })
          : msg(str`Test not delivered: ${answer}`, { id: "app.webhook.testFailed" }),
      );
      await this.loadLog(false);
    });
  }

  private outcomeText(a: WebhookAttempt): string {
    if (a.outcome === "delivered") return msg("Delivered", { id: "app.webhook.delivered" });
    if (a.outcome === "failed") return msg("Failed", { id: "app.webhook.failed" });
    return msg("Will retry", { id: "app.webhook.retry" });
  }

  private renderSecret() {
    if (!this.secret) return nothing;
    return html`<sg-once-reveal data-secret name="secret" .value=${this.secret}
      .label=${msg("Signing secret: copy it now, it is shown only once.", { id: "app.webhook.secretOnce" })}
      .doneLabel=${msg("I have saved it", { id: "app.webhook.hideSecret" })}
      @sg-reveal-done=${() => (this.secret = "")}></sg-once-reveal>`;
  }

  private renderLog() {
    if (!this.webhook) return nothing;
    return html`<h3 id="webhook-log">${msg("Delivery log", { id: "app.webhook.log" })}</h3>
      ${
        this.attempts.length === 0
          ? html`<p class="muted" data-log-empty>${msg("Nothing sent yet.", { id: "app.webhook.logEmpty" })}</p>`
          : html`<table aria-labelledby="webhook-log" data-log>
              <thead><tr>
                <th>${msg("Time", { id: "app.webhook.time" })}</th>
                <th>${msg("Kind", { id: "app.webhook.kind" })}</th>
                <th>${msg("Attempt", { id: "app.webhook.attempt" })}</th>
                <th>${msg("Answer", { id: "app.webhook.answer" })}</th>
                <th>${msg("Outcome", { id: "app.webhook.outcome" })}</th>
                <th>${msg("Next try", { id: "app.webhook.nextTry" })}</th>
              </tr></thead>
              <tbody>${this.attempts.map(
                (a) => html`<tr data-attempt=${a.id}>
                  <td>${formatDateTime(a.at)}</td>
                  <td>${a.notificationId === null ? msg("Test", { id: "app.webhook.test" }) : msg("Notification", { id: "app.webhook.notification" })}</td>
                  <td>${a.attempt}</td>
                  <td>${a.status !== null ? `HTTP ${a.status}` : nothing}${a.error ? html` <span class="muted">${a.error}</span>` : nothing}</td>
                  <td class=${a.outcome}>${this.outcomeText(a)}</td>
                  <td>${a.nextRetryAt ? formatDateTime(a.nextRetryAt) : nothing}</td>
                </tr>`,
              )}</tbody>
            </table>`
      }
      <div class="actions">
        <button type="button" data-action="refresh-log" ?disabled=${this.task.busy} @click=${() => void this.task.run(() => this.loadLog(false))}>${msg("Refresh", { id: "app.webhook.refresh" })}</button>
        ${this.next ? html`<button type="button" data-action="more-log" ?disabled=${this.task.busy} @click=${() => void this.task.run(() => this.loadLog(true))}>${msg("Older", { id: "app.webhook.older" })}</button>` : nothing}
      </div>`;
  }

  override render() {
    if (!this.loaded) return html`<p class="muted">${msg("Loading…", { id: "app.webhook.loading" })}</p>`;
    const w = this.webhook;
    return html`<h2 id="webhook-title">${msg("Webhook", { id: "app.webhook.title" })}</h2>
      <p class="hint muted">${msg("Your notifications can also be POSTed to an address of yours (e.g. an intranet service that forwards them to e-mail, WeCom, DingTalk or Slack).", { id: "app.webhook.intro" })}</p>
      <form data-form="webhook" aria-labelledby="webhook-title" @submit=${this.save}>
        <label>${msg("Address (https)", { id: "app.webhook.url" })}
          <input name="webhook-url" type="url" required maxlength="2000" placeholder="https://intranet.example.com/hooks/salesgrid"
            .value=${this.url} @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} />
        </label>
        <label class="check"><input type="checkbox" name="webhook-enabled" .checked=${this.enabled}
          @change=${(e: Event) => (this.enabled = (e.target as HTMLInputElement).checked)} />${msg("Send my notifications to it", { id: "app.webhook.enabled" })}</label>
        ${w ? html`<p class="hint muted" data-secret-hint>${msg(str`Signing secret ending in ${w.secretHint}, made ${formatDateTime(w.secretRotatedAt)}.`, { id: "app.webhook.secretHint" })}</p>` : nothing}
        ${this.renderSecret()}
        ${this.task.status()}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this.task.busy}>${w ? msg("Save", { id: "common.save" }) : msg("Create webhook", { id: "app.webhook.create" })}</button>
          ${
            w
              ? html`<button type="button" data-action="test-webhook" ?disabled=${this.task.busy || !w.enabled} @click=${this.test}>${msg("Send a test", { id: "app.webhook.sendTest" })}</button>
                <button type="button" data-action="rotate-secret" ?disabled=${this.task.busy} @click=${() => void this.rotate()}>${msg("New secret", { id: "app.webhook.rotate" })}</button>
                <button type="button" data-action="remove-webhook" ?disabled=${this.task.busy} @click=${() => void this.removeWebhook()}>${msg("Remove webhook", { id: "app.webhook.remove" })}</button>`
              : nothing
          }
        </div>
      </form>
      <details>
        <summary>${msg("How to check a delivery", { id: "app.webhook.howTitle" })}</summary>
        <p>${msg("Each notification is POSTed as JSON with the headers X-Salesgrid-Delivery (the same on every retry), X-Salesgrid-Timestamp (Unix seconds) and X-Salesgrid-Signature: sha256= followed by the hex HMAC-SHA256 of the timestamp, a dot and the raw body, keyed with your secret. Compare in constant time and refuse timestamps older than 5 minutes. Answer 2xx within 10 seconds; otherwise it is retried after 1, 2, 4 … minutes, 8 attempts in all.", { id: "app.webhook.how" })}</p>
        <pre>expected = "sha256=" + hex(HMAC_SHA256(secret, timestamp + "." + body))</pre>
      </details>
      ${this.renderLog()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-webhook-settings": SgWebhookSettings;
  }
}
