/**
 * <sg-admin-embeds>: embed tokens for a view. Mint (read or edit, optional filter from the filter
 * builder, expiry in days or on a date), list, revoke, and a copyable HTML snippet. The token string
 * is shown once, right after minting: the server keeps only its row.
 */
import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { localized, msg } from "@lit/localize";
import type { ViewInfo } from "../api/client";
import type { Filter } from "../../schemas/types";
import { formatDateTime, labelOf } from "../i18n/index";
import type { AdminApi, AdminTable, Embed } from "./admin-api";
import { Problems, banner, fieldError, invalid } from "./problems";
import { adminStyles } from "./styles";
import "../sg-filter/filter-builder";

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The HTML an intranet page pastes: the loader script and the element with the token. */
export function embedSnippet(base: string, view: { id: string; type: string }, token: string): string {
  const tag = view.type === "kanban" ? "sg-kanban" : "sg-grid";
  return `<script type="module" src="${attr(base)}/embed.js"></script><${tag} base-url="${attr(base)}" view="${attr(view.id)}" token="${attr(token)}"></${tag}>`;
}

@localized()
export class SgAdminEmbeds extends LitElement {
  static override styles = adminStyles;

  @property({ attribute: false }) admin!: AdminApi;

  @state() private views: ViewInfo[] = [];
  @state() private tables: AdminTable[] = [];
  @state() private table: AdminTable | null = null;
  @state() private embeds: Embed[] = [];
  @state() private d = {
    view: "",
    mode: "read" as "read" | "edit",
    label: "",
    expiry: "days" as "days" | "date",
    days: "30",
    date: "",
    filter: null as Filter | null,
    filterValid: true,
  };
  @state() private minted: { token: string; snippet: string } | null = null;
  @state() private copied = false;
  @state() private problems = Problems.none;
  private pickSeq = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.views, this.tables, this.embeds] = await Promise.all([
        this.admin.views(),
        this.admin.tables(),
        this.admin.embeds(),
      ]);
      if (!this.d.view && this.views[0]) await this.pickView(this.views[0].id);
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async pickView(id: string): Promise<void> {
    const v = this.views.find((x) => x.id === id);
    const seq = ++this.pickSeq;
    this.d = { ...this.d, view: id, filter: null, filterValid: true };
    this.table = null;
    const table = v ? await this.admin.table(v.tableId) : null;
    if (seq === this.pickSeq) this.table = table;
  }

  private base(): string {
    return this.admin.api.baseUrl || location.origin;
  }

  private async mint(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.d;
    if (!d.filterValid) {
      this.problems = new Problems(
        [],
        msg("Complete or remove the unfinished filter conditions first.", { id: "admin.view.filterIncomplete" }),
      );
      return;
    }
    this.problems = Problems.none;
    try {
      // A date means the end of that day in the admin's time zone.
      const expiry =
        d.expiry === "days"
          ? { expiresInDays: Number(d.days) }
          : { expiresAt: d.date ? new Date(`${d.date}T23:59:59`).toISOString() : "" };
      const reply = await this.admin.mintEmbed({
        view: d.view,
        mode: d.mode,
        ...(d.label ? { label: d.label } : {}),
        ...(d.filter ? { filter: d.filter } : {}),
        ...expiry,
      });
      const view = this.views.find((v) => v.id === reply.embed.view) ?? { id: reply.embed.view, type: "grid" };
      this.minted = { token: reply.token, snippet: embedSnippet(this.base(), view, reply.token) };
      this.copied = false;
      this.embeds = await this.admin.embeds();
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  private async copy(): Promise<void> {
    const text = this.minted!.snippet;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain http, old browser): select the text so Ctrl+C copies it.
      const area = this.renderRoot.querySelector<HTMLTextAreaElement>("[data-role=embed-snippet]");
      area?.select();
      document.execCommand?.("copy");
    }
    this.copied = true;
  }

  private async revoke(id: string): Promise<void> {
    try {
      await this.admin.revokeEmbed(id);
      this.embeds = await this.admin.embeds();
    } catch (err) {
      this.problems = Problems.from(err);
    }
  }

  override render() {
    const d = this.d;
    const p = this.problems;
    const set = (patch: Partial<typeof d>) => {
      this.d = { ...this.d, ...patch };
    };
    const viewLabel = (id: string) => {
      const v = this.views.find((x) => x.id === id);
      return v ? `${labelOf(this.tables.find((t) => t.id === v.tableId) ?? { name: v.table })} / ${labelOf(v)}` : id;
    };
    return html`<div class="stack">
      <form class="stack panel" data-role="mint-embed" aria-label=${msg("New embed token", { id: "admin.embed.new" })} @submit=${this.mint}>
        <h3>${msg("New embed token", { id: "admin.embed.new" })}</h3>
        ${banner(p, ["view", "mode", "label", "filter", "expiresAt", "expiresInDays"])}
        <div class="row">
          <label class="field"><span>${msg("View", { id: "admin.view" })}</span>
            <select name="view" aria-invalid=${invalid(p, "view")} @change=${(e: Event) => this.pickView((e.target as HTMLSelectElement).value)}>
              ${this.views.map((v) => html`<option value=${v.id} ?selected=${v.id === d.view}>${viewLabel(v.id)}</option>`)}
            </select>${fieldError(p, "view")}</label>
          <label class="field"><span>${msg("Access", { id: "admin.embed.mode" })}</span>
            <select name="mode" @change=${(e: Event) => set({ mode: (e.target as HTMLSelectElement).value as "read" | "edit" })}>
              <option value="read" ?selected=${d.mode === "read"}>${msg("read only", { id: "admin.embed.read" })}</option>
              <option value="edit" ?selected=${d.mode === "edit"}>${msg("read and edit", { id: "admin.embed.edit" })}</option>
            </select></label>
          <label class="field"><span>${msg("Label", { id: "admin.label" })}</span>
            <input name="label" maxlength="200" .value=${d.label} @input=${(e: Event) => set({ label: (e.target as HTMLInputElement).value })}>${fieldError(p, "label")}</label>
        </div>
        <div class="row">
          <label class="field"><span>${msg("Expires", { id: "admin.embed.expires" })}</span>
            <select name="expiry" @change=${(e: Event) => set({ expiry: (e.target as HTMLSelectElement).value as "days" | "date" })}>
              <option value="days" ?selected=${d.expiry === "days"}>${msg("after a number of days", { id: "admin.embed.afterDays" })}</option>
              <option value="date" ?selected=${d.expiry === "date"}>${msg("at the end of a date", { id: "admin.embed.onDate" })}</option>
            </select></label>
          ${
            d.expiry === "days"
              ? html`<label class="field"><span>${msg("Days (1 to 365)", { id: "admin.embed.days" })}</span>
                <input name="days" type="number" min="1" max="365" step="1" .value=${d.days} aria-invalid=${invalid(p, "expiresInDays")}
                  @input=${(e: Event) => set({ days: (e.target as HTMLInputElement).value })}>${fieldError(p, "expiresInDays")}</label>`
              : html`<label class="field"><span>${msg("Date", { id: "admin.embed.date" })}</span>
                <input name="date" type="date" .value=${d.date} aria-invalid=${invalid(p, "expiresAt")} @input=${(e: Event) => set({ date: (e.target as HTMLInputElement).value })}>
                ${fieldError(p, "expiresAt")}</label>`
          }
        </div>
        <fieldset><legend>${msg("Only these records (optional)", { id: "admin.embed.filter" })}</legend>
          <sg-filter-builder data-role="embed-filter" .fields=${this.table?.fields ?? []} .value=${d.filter} error-prefix="filter" .errors=${p.under("filter")}
            @sg-filter-change=${(e: HTMLElementEventMap["sg-filter-change"]) => set({ filter: e.detail.value, filterValid: e.detail.valid })}></sg-filter-builder>
        </fieldset>
        <button class="primary" type="submit" data-role="mint" ?disabled=${!d.view}>${msg("Create embed token", { id: "admin.embed.create" })}</button>
        ${
          this.minted
            ? html`<div class="stack" role="status">
          <span>${msg("Paste this into the intranet page. The token is shown only now.", { id: "admin.embed.snippetHint" })}</span>
          <textarea readonly rows="3" data-role="embed-snippet" aria-label=${msg("HTML snippet", { id: "admin.embed.snippet" })} .value=${this.minted.snippet}></textarea>
          <div class="row"><button type="button" data-role="copy-snippet" @click=${this.copy}>${msg("Copy", { id: "admin.embed.copy" })}</button>
            ${this.copied ? html`<span role="status">${msg("Copied", { id: "admin.embed.copied" })}</span>` : nothing}</div>
        </div>`
            : nothing
        }
      </form>
      <table class="grid" data-role="embed-list">
        <thead><tr><th>${msg("Label", { id: "admin.label" })}</th><th>${msg("View", { id: "admin.view" })}</th><th>${msg("Access", { id: "admin.embed.mode" })}</th>
          <th>${msg("Expires", { id: "admin.embed.expires" })}</th><th>${msg("Status", { id: "admin.user.status" })}</th><th></th></tr></thead>
        <tbody>${this.embeds.map((x) => {
          const expired = new Date(x.expiresAt) <= new Date();
          return html`<tr data-embed=${x.id}>
            <td>${x.label || "—"}</td><td>${viewLabel(x.view)}</td>
            <td>${x.mode === "edit" ? msg("read and edit", { id: "admin.embed.edit" }) : msg("read only", { id: "admin.embed.read" })}</td>
            <td>${formatDateTime(x.expiresAt)}</td>
            <td>${x.revokedAt ? msg("revoked", { id: "admin.embed.revoked" }) : expired ? msg("expired", { id: "admin.embed.expired" }) : msg("active", { id: "admin.user.active" })}</td>
            <td>${x.revokedAt ? nothing : html`<button type="button" class="danger" data-role="revoke-embed" @click=${() => this.revoke(x.id)}>${msg("Revoke", { id: "admin.embed.revoke" })}</button>`}</td>
          </tr>`;
        })}</tbody>
      </table>
    </div>`;
  }
}

if (!customElements.get("sg-admin-embeds")) customElements.define("sg-admin-embeds", SgAdminEmbeds);

declare global {
  interface HTMLElementTagNameMap {
    "sg-admin-embeds": SgAdminEmbeds;
  }
}
