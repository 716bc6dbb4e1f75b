/**
 * `<sg-profile>`: the signed-in user's own settings: their time zone (every date and time on every
 * screen shows in it) and language. Saved with PATCH /api/auth/me; emits `sg-profile-saved` {user}.
 */
import { LitElement, html, css, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ApiClient, User } from "../api/client";
import { LOCALES, LOCALE_NAMES, currentLocale, localized, msg, type Locale } from "../i18n/index";
import { browserTimeZone, formatDateTime, timeZones } from "../i18n/time";
import { SettingsTask } from "./settings-task";
import { controls } from "./styles";
import "./sg-webhook-settings";
import "./sg-feed-settings";

export interface ProfileReply {
  user: User;
  timeZoneChosen?: boolean;
}

/** Saves the user's own time zone and/or language. */
export function saveProfile(api: ApiClient, changes: { timeZone?: string; locale?: Locale }): Promise<ProfileReply> {
  return api.request<ProfileReply>("PATCH", "/api/auth/me", changes);
}

@customElement("sg-profile")
@localized()
export class SgProfile extends LitElement {
  static override styles = [
    controls,
    css`
      :host { display: block; padding: 16px 20px; max-width: 560px; }
      form { display: grid; gap: 14px; }
      label { display: grid; gap: 4px; font-weight: 600; }
      .hint { font-weight: normal; font-size: 0.9em; }
      .actions { display: flex; gap: 8px; }
    `,
  ];

  @property({ attribute: false }) api?: ApiClient;
  @property({ attribute: false }) user: User | null = null;
  @state() private zone = "";
  @state() private locale: Locale = currentLocale();
  private readonly task = new SettingsTask(this);

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has("user")) {
      this.zone = this.user?.timeZone ?? browserTimeZone();
      this.locale = (LOCALES as readonly string[]).includes(this.user?.locale ?? "")
        ? (this.user!.locale as Locale)
        : currentLocale();
    }
  }

  private async save(e: Event) {
    e.preventDefault();
    if (!this.api) return;
    const api = this.api;
    await this.task.run(async () => {
      const reply = await saveProfile(api, { timeZone: this.zone, locale: this.locale });
      this.dispatchEvent(new CustomEvent("sg-profile-saved", { detail: reply, bubbles: true, composed: true }));
    });
  }

  override render() {
    const browser = browserTimeZone();
    return html`<h1 id="profile-title">${msg("Your profile", { id: "app.profile.title" })}</h1>
      <form data-form="profile" aria-labelledby="profile-title" @submit=${this.save}>
        <label>${msg("Time zone", { id: "app.profile.timeZone" })}
          <select name="time-zone" @change=${(e: Event) => (this.zone = (e.target as HTMLSelectElement).value)}>
            ${timeZones(this.zone).map((z) => html`<option value=${z} ?selected=${z === this.zone}>${z}</option>`)}
          </select>
          <span class="hint muted">${msg("Dates and times on every screen show in this time zone.", { id: "app.profile.timeZoneHint" })}
            ${msg("Now:", { id: "app.profile.now" })} <span data-now>${formatDateTime(new Date().toISOString(), this.zone)}</span></span>
        </label>
        ${
          browser !== this.zone
            ? html`<p><button type="button" data-action="use-browser-zone" @click=${() => (this.zone = browser)}>${msg("Use this device's time zone", { id: "app.profile.useBrowser" })} (${browser})</button></p>`
            : nothing
        }
        <label>${msg("Language", { id: "app.language" })}
          <select name="locale" @change=${(e: Event) => (this.locale = (e.target as HTMLSelectElement).value as Locale)}>
            ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === this.locale}>${LOCALE_NAMES[l]}</option>`)}
          </select>
        </label>
        ${this.task.status()}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this.task.busy}>${msg("Save", { id: "common.save" })}</button>
        </div>
      </form>
      <sg-feed-settings .api=${this.api}></sg-feed-settings>
      <sg-webhook-settings .api=${this.api}></sg-webhook-settings>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-profile": SgProfile;
  }
  interface HTMLElementEventMap {
    "sg-profile-saved": CustomEvent<ProfileReply>;
  }
}
