/**
 * <sg-admin>: the admin console. Sections behind an ARIA tablist: tables & fields, views,
 * permissions, users/teams/roles, embed tokens. Inside <sg-app> it gets the app's ApiClient as `.api`;
 * standalone it builds one from `base-url` and `token`. Each section loads fresh when shown, so
 * what it shows follows changes made in the others.
 */
import { LitElement, css, html, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg } from "@lit/localize";
import { ApiClient } from "../api/client";
import { AdminApi } from "./admin-api";
import "./tables-section";
import "./views-section";
import "./permissions-section";
import "./people-section";
import "./embeds-section";
import "./feeds-section";
import { emit } from "../events";

export const SECTIONS = ["tables", "views", "permissions", "people", "embeds"] as const;
export type Section = (typeof SECTIONS)[number];

function sectionLabel(s: Section): string {
  switch (s) {
    case "tables":
      return msg("Tables & fields", { id: "admin.section.tables" });
    case "views":
      return msg("Views", { id: "admin.section.views" });
    case "permissions":
      return msg("Permissions", { id: "admin.section.permissions" });
    case "people":
      return msg("Users, teams & roles", { id: "admin.section.people" });
    case "embeds":
      return msg("Embed tokens", { id: "admin.section.embeds" });
  }
}

@localized()
export class SgAdmin extends LitElement {
  static override styles = css`
    :host { display: block; font: inherit; }
    [role="tablist"] { display: flex; flex-wrap: wrap; gap: 2px; border-bottom: 1px solid #dee2e6; margin-bottom: 12px; }
    [role="tab"] { font: inherit; border: 1px solid transparent; border-bottom: none; background: none; padding: 6px 12px; cursor: pointer; border-radius: 6px 6px 0 0; }
    [role="tab"][aria-selected="true"] { border-color: #dee2e6; background: #fff; font-weight: 600; margin-bottom: -1px; }
    [role="tab"]:focus-visible { outline: 2px solid #4c6ef5; }
  `;

  @property({ attribute: false }) api: ApiClient | null = null;
  @property({ attribute: "base-url" }) baseUrl = "";
  @property() token = "";
  @property({ reflect: true }) section: Section = "tables";

  @state() private admin: AdminApi | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("api") || changed.has("baseUrl") || changed.has("token")) {
      const api = this.api ?? (this.token ? new ApiClient({ baseUrl: this.baseUrl, token: this.token }) : null);
      this.admin = api ? new AdminApi(api) : null;
    }
    if (!SECTIONS.includes(this.section)) this.section = "tables";
  }

  private select(s: Section, focus = false): void {
    if (s === this.section) return;
    this.section = s;
    emit(this, "sg-admin-section", { section: s });
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${s}`)?.focus());
  }

  /** Arrow keys, Home and End move along the tabs (WAI-ARIA tabs pattern, automatic activation). */
  private onKey(e: KeyboardEvent): void {
    const i = SECTIONS.indexOf(this.section);
    const next =
      e.key === "ArrowRight"
        ? (i + 1) % SECTIONS.length
        : e.key === "ArrowLeft"
          ? (i - 1 + SECTIONS.length) % SECTIONS.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? SECTIONS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    this.select(SECTIONS[next]!, true);
  }

  override render() {
    if (!this.admin)
      return html`<p>${msg("Sign in as an admin to use the admin console.", { id: "admin.signIn" })}</p>`;
    return html`
      <div role="tablist" aria-label=${msg("Admin console", { id: "admin.title" })} @keydown=${this.onKey}>
        ${SECTIONS.map(
          (s) => html`<button role="tab" id=${`tab-${s}`} data-section=${s} aria-controls=${`panel-${s}`}
            aria-selected=${s === this.section ? "true" : "false"} tabindex=${s === this.section ? "0" : "-1"}
            @click=${() => this.select(s)}>${sectionLabel(s)}</button>`,
        )}
      </div>
      <div role="tabpanel" id=${`panel-${this.section}`} aria-labelledby=${`tab-${this.section}`}>${this.renderSection()}</div>`;
  }

  private renderSection() {
    const a = this.admin!;
    switch (this.section) {
      case "tables":
        return html`<sg-admin-tables .admin=${a}></sg-admin-tables>`;
      case "views":
        return html`<sg-admin-views .admin=${a}></sg-admin-views>`;
      case "permissions":
        return html`<sg-admin-permissions .admin=${a}></sg-admin-permissions>`;
      case "people":
        return html`<sg-admin-people .admin=${a}></sg-admin-people>`;
      case "embeds":
        return html`<sg-admin-embeds .admin=${a}></sg-admin-embeds><sg-admin-feeds .admin=${a}></sg-admin-feeds>`;
    }
  }
}

if (!customElements.get("sg-admin")) customElements.define("sg-admin", SgAdmin);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin": SgAdmin;
  }
}
