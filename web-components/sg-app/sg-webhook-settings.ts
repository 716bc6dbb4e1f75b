/**
 * `<sg-webhook-settings>`: on the profile page, the user's webhook (/api/notifications/webhook): URL,
 * on/off, the signing secret shown once (at creation and rotation; never read back), how to check the
 * signature, a test ping, and the delivery log (newest first, more on request).
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError, type ApiClient } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";
import { localized, msg, str } from "../i18n/index";
import { formatDateTime } from "../i18n/time";
import { askConfirm } from "./confirm-dialog";
import { controls } from "./styles";

const PATH = "/api/notifications/webhook";

export interface Webhook {
  url: string;
  enabled: boolean;
  secretHint: string;
  createdAt: string;
  updatedAt: string;
  secretRotatedAt: string;
}

export interface WebhookAttempt {
  id: number;
  deliveryId: number;
  notificationId: number | null;
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
  outcome: "delivered" | "retry" | "failed";
  nextRetryAt: string | null;
}

@customElement("sg-webhook-settings")
@localized()
export class SgWebhookSettings extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; margin-top: 28px; border-top: 1px solid var(--sg-border); padding-top: 8px; }
      form { display: grid; gap: 12px; }
      label { display: grid; gap: 4px; font-weight: 600; }
      label.check { display: flex; gap: 8px; align-items: center; }
      .hint { font-weight: normal; font-size: 0.9em; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; }
      .secret { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 10px 12px; }
      .secret code { display: block; word-break: break-all; margin: 6px 0; font-size: 0.95em; }
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
  @state() private error = "";
  @state() private busy = false;
  @state() private note = "";
  @state() private attempts: WebhookAttempt[] = [];
  @state() private next: string | null = null;

  override updated(changed: Map<string, unknown>) {
    if (changed.has("api") && this.api) void this.load();
  }

  private async load() {
    try {
      const r = await this.api!.request<{ webhook: Webhook | null }>("GET", PATH);
      this.webhook = r.webhook;
      this.url = r.webhook?.url ?? "";
      this.enabled = r.webhook?.enabled ?? true;
      await this.loadLog(false);
    } catch (err) {
      this.error = this.problemText(err);
    } finally {
      this.loaded = true;
    }
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

  private problemText(err: unknown): string {
    if (!(err instanceof ApiError)) return msg("Could not reach the server. Try again.", { id: "app.network" });
    const words = (err.problem.errors ?? []).map((p) => {
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
          return fieldErrorText(p);
      }
    });
    return words.join(" ") || (err.problem.detail ?? err.message);
  }

  private async run(work: () => Promise<void>) {
    this.busy = true;
    this.error = "";
    this.note = "";
    try {
      await work();
    } catch (err) {
      this.error = this.problemText(err);
    } finally {
      this.busy = false;
    }
  }

  private save(e: Event) {
    e.preventDefault();
    void this.run(async () => {
      const r = await this.api!.request<{ webhook: Webhook; secret?: string }>("PUT", PATH, {
        url: this.url.trim(),
        enabled: this.enabled,
      });
      this.webhook = r.webhook;
      this.url = r.webhook.url;
      if (r.secret) this.secret = r.secret;
      this.note = msg("Webhook saved", { id: "app.webhook.saved" });
      await this.loadLog(false);
    });
  }

  private async rotate() {
    const ok = await askConfirm(this, {
      title: msg("Make a new secret?", { id: "app.webhook.rotateTitle" }),
      lines: [
        msg("The current secret stops working at once: the receiver must get the new one.", {
          id: "app.webhook.rotateLine",
        }),
      ],
      confirm: msg("New secret", { id: "app.webhook.rotate" }),
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      const r = await this.api!.request<{ webhook: Webhook; secret: string }>("POST", `${PATH}/rotate`);
      this.webhook = r.webhook;
      this.secret = r.secret;
    });
  }

  private async removeWebhook() {
    const ok = await askConfirm(this, {
      title: msg("Remove the webhook?", { id: "app.webhook.removeTitle" }),
      lines: [
        msg("Notifications are no longer sent to it; its delivery log is deleted.", { id: "app.webhook.removeLine" }),
      ],
      confirm: msg("Remove webhook", { id: "app.webhook.remove" }),
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
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
    void this.run(async () => {
      const r = await this.api!.request<{ outcome: string; status: number | null; error: string | null }>(
        "POST",
        `${PATH}/test`,
      );
      const answer = r.status !== null ? "HTTP " + r.status : (r.error ?? "");
      this.note =
        r.outcome === "delivered"
          ? msg(str`Test delivered (${answer}).`, { id: "app.webhook.testOk" })
          : msg(str`Test not delivered: ${answer}`, { id: "app.webhook.testFailed" });
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
    return html`<div class="secret" role="status" data-secret>
      <strong>${msg("Signing secret: copy it now, it is shown only once.", { id: "app.webhook.secretOnce" })}</strong>
      <code data-secret-value>${this.secret}</code>
      <button type="button" @click=${() => void navigator.clipboard?.writeText(this.secret)}>${msg("Copy", { id: "app.webhook.copy" })}</button>
      <button type="button" data-action="hide-secret" @click=${() => (this.secret = "")}>${msg("I have saved it", { id: "app.webhook.hideSecret" })}</button>
    </div>`;
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
        <button type="button" data-action="refresh-log" ?disabled=${this.busy} @click=${() => void this.run(() => this.loadLog(false))}>${msg("Refresh", { id: "app.webhook.refresh" })}</button>
        ${this.next ? html`<button type="button" data-action="more-log" ?disabled=${this.busy} @click=${() => void this.run(() => this.loadLog(true))}>${msg("Older", { id: "app.webhook.older" })}</button>` : nothing}
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
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.note ? html`<p role="status" data-note>${this.note}</p>` : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this.busy}>${w ? msg("Save", { id: "common.save" }) : msg("Create webhook", { id: "app.webhook.create" })}</button>
          ${
            w
              ? html`<button type="button" data-action="test-webhook" ?disabled=${this.busy || !w.enabled} @click=${this.test}>${msg("Send a test", { id: "app.webhook.sendTest" })}</button>
                <button type="button" data-action="rotate-secret" ?disabled=${this.busy} @click=${() => void this.rotate()}>${msg("New secret", { id: "app.webhook.rotate" })}</button>
                <button type="button" data-action="remove-webhook" ?disabled=${this.busy} @click=${() => void this.removeWebhook()}>${msg("Remove webhook", { id: "app.webhook.remove" })}</button>`
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
