/**
 * `<sg-app base-url="">`: the Salesgrid app. Sign-in; a sidebar of the tables and views the user's
 * roles may open (the server decides: /api/meta/tables and /api/meta/views list only those); a view
 * switcher; the grid; a record drawer (`<sg-record>`); notifications; the language switch. The place
 * in the app lives in the URL hash (route.ts). Child elements get the app's ApiClient as `.api`.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { keyed } from "lit/directives/keyed.js";
import { ApiClient, ApiError, type TableInfo, type User, type ViewInfo } from "../api/client";
import {
  LOCALES,
  LOCALE_NAMES,
  currentLocale,
  formatNumber,
  initLocale,
  labelOf,
  localized,
  msg,
  setLocale,
  str,
  type Locale,
} from "../i18n/index";
import type { RecordsView } from "../events";
import "../sg-record/sg-record";
import "../sg-notifications/sg-notifications";
import { saveProfile, type ProfileReply } from "./sg-profile";
import { askConfirm } from "./confirm-dialog";
import { browserTimeZone, setUserTimeZone } from "../i18n/time";
import { parseRoute, routeHash, type Route } from "./route";
import { appStyles, controls } from "./styles";
import { closeIcon } from "../icons";

interface Note {
  id: number;
  kind: "info" | "error";
  message: string;
}

// localized() must patch the class before customElement() defines it: an element already in the page
// is upgraded at define time and would miss the locale controller.
@customElement("sg-app")
@localized()
export class SgApp extends LitElement {
  static override styles = [controls, appStyles];

  @property({ attribute: "base-url" }) baseUrl = "";
  /** The API client; made from base-url unless a host page hands one in. */
  @property({ attribute: false }) api?: ApiClient;

  @state() private user: User | null = null;
  @state() private phase: "starting" | "signed-out" | "loading" | "ready" | "error" = "starting";
  @state() private tables: TableInfo[] = [];
  @state() private views: ViewInfo[] = [];
  @state() private route: Route = parseRoute(location.hash);
  @state() private notes: Note[] = [];
  @state() private signInError = "";
  @state() private signingIn = false;
  @state() private loadError = "";
  @state() private recordCount: number | null = null;
  @query(".drawer") private drawer?: HTMLElement;
  private noteSeq = 0;
  private countKey = "";
  private lastFocus: HTMLElement | null = null;

  /** Set while moving on after the user chose to discard a form's changes. */
  private leaving = false;
  private asking = false;

  private readonly onHash = () => {
    const before = this.route;
    const next = parseRoute(location.hash);
    if (!this.leaving && this.leavesUnsaved(before, next)) {
      // Stay until the user answers; the address goes back to the open record meanwhile.
      const target = location.hash;
      history.replaceState(null, "", routeHash(before));
      // One question at a time (a close can arrive twice: the button's event and the address).
      if (this.asking) return;
      this.asking = true;
      void this.confirmDiscard().then((ok) => {
        this.asking = false;
        if (!ok) return;
        this.leaving = true;
        location.hash = target;
      });
      return;
    }
    this.leaving = false;
    this.route = next;
    const hadRecord = "record" in before && before.record !== undefined;
    const hasRecord = "record" in this.route && this.route.record !== undefined;
    if (!hadRecord && hasRecord) this.lastFocus = (this.shadowRoot?.activeElement as HTMLElement | null) ?? null;
    if (hadRecord && !hasRecord) void this.updateComplete.then(() => this.lastFocus?.focus());
    if (hasRecord) void this.updateComplete.then(() => this.drawer?.focus());
  };
  /** Whether going from `a` to `b` closes or replaces a record whose form holds unsaved changes. */
  private leavesUnsaved(a: Route, b: Route): boolean {
    const rec = (r: Route) => ("record" in r && r.record !== undefined ? `${routeHash(r)}` : "");
    if (!rec(a) || rec(a) === rec(b)) return false;
    return this.renderRoot.querySelector("sg-record")?.hasUnsavedChanges() ?? false;
  }

  private confirmDiscard(): Promise<boolean> {
    return askConfirm(this, {
      title: msg("Discard your changes?", { id: "app.discard.title" }),
      lines: [msg("This record has changes that are not saved yet.", { id: "app.discard.detail" })],
      confirm: msg("Discard changes", { id: "app.discard.confirm" }),
      danger: true,
    });
  }

  /**
   * Escape typed inside the drawer closes it (asking first when the form holds changes). Taken in the
   * capture phase: the grid behind the drawer otherwise swallows Escape at the document. An open
   * list inside the drawer (a link picker's) keeps its own Escape.
   */
  private readonly onDrawerEscape = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !this.drawer || this.renderRoot.querySelector("sg-confirm")) return;
    const path = e.composedPath();
    if (!path.includes(this.drawer)) return;
    if (path.some((n) => n instanceof Element && n.getAttribute("aria-expanded") === "true")) return;
    // Default prevented too: the same key would otherwise cancel the question it opens at once.
    e.preventDefault();
    e.stopPropagation();
    this.closeRecord();
  };

  private readonly onKey = (e: KeyboardEvent) => {
    // An open question (sg-confirm) takes its own Escape.
    if (this.renderRoot.querySelector("sg-confirm")) return;
    if (e.key === "Escape" && "record" in this.route && this.route.record !== undefined) this.closeRecord();
  };

  override connectedCallback() {
    super.connectedCallback();
    this.api ??= new ApiClient({ baseUrl: this.baseUrl });
    window.addEventListener("hashchange", this.onHash);
    window.addEventListener("keydown", this.onKey);
    window.addEventListener("keydown", this.onDrawerEscape, true);
    this.api.session.onChange(() => {
      if (!this.api?.session.token && this.phase === "ready") {
        this.phase = "signed-out";
        this.notify("info", msg("Your session ended. Please sign in again.", { id: "app.sessionEnded" }));
      }
    });
    this.addEventListener("sg-notify", (e) => {
      const d = e.detail;
      if (d?.message) this.notify(d.kind === "error" ? "error" : "info", d.message);
    });
    this.addEventListener("sg-open-record", (e) => {
      const d = e.detail;
      if (d)
        this.go(
          this.route.kind === "view"
            ? { kind: "view", view: this.route.view, record: d.id }
            : { kind: "table", table: d.table, record: d.id },
        );
    });
    this.addEventListener("sg-records-changed", this.onRecordsChanged);
    this.addEventListener("sg-schema-changed", () => void this.loadWorkspace());
    void this.start();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
    window.removeEventListener("keydown", this.onKey);
    window.removeEventListener("keydown", this.onDrawerEscape, true);
  }

  /**
   * Records written in one place (the drawer's form, a grid, a board) go to every other open view, so
   * they show the saved values and versions at once; the toolbar's count follows creates and deletes.
   */
  private readonly onRecordsChanged = (e: HTMLElementEventMap["sg-records-changed"]) => {
    const from = e.composedPath();
    for (const view of this.renderRoot.querySelectorAll<RecordsView>("sg-grid, sg-kanban")) {
      if (!from.includes(view) && typeof view.recordsChanged === "function") view.recordsChanged(e.detail);
    }
    if (e.detail.created || e.detail.deleted?.length) {
      this.countKey = "";
      this.requestUpdate();
    }
  };

  /** Work that follows the state (never started from render()): the toolbar's record count. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const table = this.phase === "ready" && this.route.kind !== "admin" ? this.currentTable() : undefined;
    if (table) this.refreshCount(table, this.currentView());
  }

  private async start() {
    await initLocale(this.api?.session.user?.locale);
    document.documentElement.lang = currentLocale();
    if (!this.api?.session.token) {
      this.phase = "signed-out";
      return;
    }
    await this.loadWorkspace();
  }

  /** The user, the tables and the views they may open. */
  private async loadWorkspace() {
    const api = this.api!;
    this.phase = this.phase === "ready" ? "ready" : "loading";
    try {
      const [me, { tables }, { views }] = await Promise.all([api.me(), api.tables(), api.views()]);
      const user = await this.adoptZone(me as ProfileReply);
      this.user = user;
      api.session.setUser(user);
      this.tables = tables;
      this.views = views;
      this.phase = "ready";
      if (this.route.kind === "home" && tables[0]) this.go({ kind: "table", table: tables[0].name }, true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        api.session.clear();
        this.phase = "signed-out";
        return;
      }
      this.loadError = err instanceof ApiError ? (err.problem.detail ?? err.message) : String(err);
      this.phase = "error";
    }
  }

  /**
   * Every element shows dates in the user's time zone (i18n/time.ts). One nobody chose yet becomes
   * this browser's at the first sign-in; a chosen one is kept (the profile page changes it).
   */
  private async adoptZone(me: ProfileReply): Promise<User> {
    let user = me.user;
    if (me.timeZoneChosen === false) {
      try {
        user = (await saveProfile(this.api!, { timeZone: browserTimeZone() })).user;
      } catch {
        // the default stays; the profile page can still set it
      }
    }
    setUserTimeZone(user.timeZone);
    return user;
  }

  private async onProfileSaved(e: HTMLElementEventMap["sg-profile-saved"]) {
    const user = e.detail.user;
    this.user = user;
    this.api!.session.setUser(user);
    setUserTimeZone(user.timeZone);
    if (user.locale && user.locale !== currentLocale()) {
      await setLocale(user.locale as Locale);
      document.documentElement.lang = currentLocale();
    }
    this.notify("info", msg("Profile saved", { id: "app.profile.saved" }));
  }

  private go(route: Route, replace = false) {
    const hash = routeHash(route);
    if (replace) history.replaceState(null, "", hash);
    else if (location.hash !== hash) location.hash = hash;
    this.onHash();
  }

  notify(kind: "info" | "error", message: string) {
    const id = ++this.noteSeq;
    this.notes = [...this.notes, { id, kind, message }];
    setTimeout(() => (this.notes = this.notes.filter((n) => n.id !== id)), kind === "error" ? 10_000 : 5000);
  }

  private async signIn(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    this.signingIn = true;
    this.signInError = "";
    try {
      const { user } = await this.api!.login(String(data.get("email") ?? ""), String(data.get("password") ?? ""));
      // The profile's language applies unless this browser already chose one.
      if (!localStorage.getItem("salesgrid.locale")) await initLocale(user.locale);
      document.documentElement.lang = currentLocale();
      await this.loadWorkspace();
    } catch (err) {
      this.signInError =
        err instanceof ApiError && err.status === 401
          ? msg("The email or password is incorrect.", { id: "app.badLogin" })
          : err instanceof ApiError && err.status === 429
            ? msg("Too many attempts. Wait a moment and try again.", { id: "app.throttled" })
            : err instanceof ApiError && err.status === 422
              ? msg("Enter your email and password.", { id: "app.missingLogin" })
              : msg("Could not reach the server. Try again.", { id: "app.network" });
    } finally {
      this.signingIn = false;
    }
  }

  private async signOut() {
    await this.api!.logout().catch(() => undefined);
    this.user = null;
    setUserTimeZone(null);
    this.tables = [];
    this.views = [];
    this.phase = "signed-out";
    history.replaceState(null, "", "#/");
    this.route = { kind: "home" };
  }

  private async changeLocale(e: Event) {
    await setLocale((e.target as HTMLSelectElement).value as Locale);
    document.documentElement.lang = currentLocale();
  }

  private closeRecord() {
    const r = this.route;
    if (r.kind === "table") this.go({ kind: "table", table: r.table });
    else if (r.kind === "view") this.go({ kind: "view", view: r.view });
  }

  // ------------------------------------------------------------------ rendering

  private langSwitch() {
    return html`<select class="lang" aria-label=${msg("Language", { id: "app.language" })} data-lang-switch @change=${this.changeLocale}>
      ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === currentLocale()} lang=${l}>${LOCALE_NAMES[l]}</option>`)}
    </select>`;
  }

  private renderSignIn() {
    return html`<div class="signin">
      <form data-form="sign-in" @submit=${this.signIn} aria-labelledby="signin-title">
        ${this.langSwitch()}
        <h1 id="signin-title">${msg("Sign in to Salesgrid", { id: "app.signInTitle" })}</h1>
        <label>${msg("Email", { id: "app.email" })}<input name="email" type="email" autocomplete="username" required /></label>
        <label>${msg("Password", { id: "app.password" })}<input name="password" type="password" autocomplete="current-password" required /></label>
        ${this.signInError ? html`<p class="error" role="alert">${this.signInError}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${this.signingIn}>${this.signingIn ? msg("Signing in…", { id: "app.signingIn" }) : msg("Sign in", { id: "app.signIn" })}</button>
      </form>
    </div>`;
  }

  private currentTable(): TableInfo | undefined {
    const r = this.route;
    if (r.kind === "table") return this.tables.find((t) => t.name === r.table || t.id === r.table);
    if (r.kind === "view") {
      const v = this.views.find((x) => x.id === r.view || x.name === r.view);
      return v ? this.tables.find((t) => t.id === v.tableId || t.name === v.table) : undefined;
    }
    return undefined;
  }

  private currentView(): ViewInfo | undefined {
    const r = this.route;
    return r.kind === "view" ? this.views.find((x) => x.id === r.view || x.name === r.view) : undefined;
  }

  private renderNav() {
    const t = this.currentTable();
    const v = this.currentView();
    return html`<nav data-nav-root aria-label=${msg("Tables and views", { id: "app.navLabel" })}>
      <h2>${msg("Tables", { id: "app.tables" })}</h2>
      ${this.tables.length === 0 ? html`<p class="muted" style="padding:0 10px">${msg("No tables are shared with you yet.", { id: "app.noTables" })}</p>` : nothing}
      <ul>
        ${this.tables.map((table) => {
          const views = this.views.filter((x) => x.tableId === table.id);
          return html`<li>
            <a href=${routeHash({ kind: "table", table: table.name })} data-nav="table:${table.name}" aria-current=${t === table && !v ? "page" : "false"}>${labelOf(table)}</a>
            ${
              views.length
                ? html`<ul>
                  ${views.map((view) => html`<li><a href=${routeHash({ kind: "view", view: view.id })} data-nav="view:${view.name}" aria-current=${v === view ? "page" : "false"}>${labelOf(view)}</a></li>`)}
                </ul>`
                : nothing
            }
          </li>`;
        })}
      </ul>
      ${
        this.user?.roles?.includes("admin")
          ? html`<h2>${msg("Administration", { id: "app.adminHeading" })}</h2>
            <ul><li><a href="#/admin" data-nav="admin" aria-current=${this.route.kind === "admin" ? "page" : "false"}>${msg("Settings", { id: "app.admin" })}</a></li></ul>`
          : nothing
      }
    </nav>`;
  }

  /** The record count of the table (or view) shown, from the server, for the toolbar. */
  private refreshCount(table: TableInfo, view?: ViewInfo) {
    const key = `${table.name}|${view?.id ?? ""}`;
    if (key === this.countKey) return;
    this.countKey = key;
    this.recordCount = null;
    const api = this.api!;
    const req = view
      ? api.viewRecords(view.id, { limit: 1, count: true, fields: [] })
      : api.listRecords(table.name, { limit: 1, count: true });
    req.then(
      (r) => {
        if (this.countKey === key) this.recordCount = r.total ?? null;
      },
      () => undefined,
    );
  }

  private renderTableArea(table: TableInfo): TemplateResult {
    const view = this.currentView();
    const views = this.views.filter((x) => x.tableId === table.id);
    const select = (r: Route) => () => this.go(r);
    const tabKeys = (e: KeyboardEvent) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const tabs = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]')];
      const i = tabs.indexOf(e.target as HTMLElement);
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      next?.focus();
      next?.click();
    };
    const gridLike = !view || view.type === "grid";
    return html`
      <div class="toolbar">
        <h1 id="main-title">${labelOf(table)}${view ? html` · ${labelOf(view)}` : nothing}</h1>
        <span class="muted" data-record-count=${this.recordCount ?? ""}>${this.recordCount === null ? "" : msg(str`${formatNumber(this.recordCount)} records`, { id: "app.recordCount" })}</span>
        <span style="flex:1"></span>
        ${
          table.access?.create !== false
            ? html`<button class="primary" data-action="new-record" @click=${() => this.go(view ? { kind: "view", view: view.id, record: "new" } : { kind: "table", table: table.name, record: "new" })}>${msg("New record", { id: "app.newRecord" })}</button>`
            : nothing
        }
      </div>
      <div role="tablist" aria-label=${msg("Views", { id: "app.views" })} @keydown=${tabKeys}>
        <button role="tab" aria-selected=${view ? "false" : "true"} tabindex=${view ? -1 : 0} @click=${select({ kind: "table", table: table.name })}>${msg("All records", { id: "app.allRecords" })}</button>
        ${views.map((v) => html`<button role="tab" data-view=${v.name} aria-selected=${v === view ? "true" : "false"} tabindex=${v === view ? 0 : -1} @click=${select({ kind: "view", view: v.id })}>${labelOf(v)}</button>`)}
      </div>
      <div role="tabpanel" aria-labelledby="main-title">
        ${
          gridLike
            ? keyed(
                // A new time zone draws the grid's cells anew.
                `${table.name}/${view?.id ?? ""}/${this.user?.timeZone ?? ""}`,
                html`<sg-grid .api=${this.api} table=${table.name} view=${view?.id ?? ""} base-url=${this.baseUrl}></sg-grid>`,
              )
            : view!.type === "kanban"
              ? keyed(
                  `${view!.id}/${this.user?.timeZone ?? ""}`,
                  html`<sg-kanban .api=${this.api} view=${view!.id} base-url=${this.baseUrl}></sg-kanban>`,
                )
              : html`<div class="placeholder muted">${msg(str`The ${view!.type} view opens here in a later version; the grid shows the same records.`, { id: "app.viewTypeLater" })}</div>`
        }
      </div>`;
  }

  private renderMain(): TemplateResult {
    if (this.route.kind === "profile")
      return html`<sg-profile .api=${this.api} .user=${this.user} @sg-profile-saved=${this.onProfileSaved}></sg-profile>`;
    if (this.route.kind === "admin") {
      // The server refuses a non-admin's admin calls anyway; this keeps them from an empty, broken console.
      if (!this.user?.roles?.includes("admin"))
        return html`<div class="state" role="alert" data-state="no-access"><h1>${msg("No access", { id: "app.noAccess" })}</h1><p>${msg("The settings are for administrators only.", { id: "app.noAccessDetail" })}</p></div>`;
      if (!customElements.get("sg-admin"))
        return html`<p class="state muted">${msg("Loading…", { id: "common.loading" })}</p>`;
      return html`<sg-admin .api=${this.api} section=${this.route.section ?? "tables"} @sg-admin-section=${(e: HTMLElementEventMap["sg-admin-section"]) => this.go({ kind: "admin", section: e.detail.section }, true)}></sg-admin>`;
    }
    const table = this.currentTable();
    if (!table) {
      if (this.tables.length === 0)
        return html`<div class="state muted">${msg("Nothing to show yet: ask an administrator to share a table with you.", { id: "app.emptyWorkspace" })}</div>`;
      return html`<div class="state" role="alert"><h1>${msg("Not found", { id: "app.notFound" })}</h1><p>${msg("This table or view does not exist or is not shared with you.", { id: "app.notFoundDetail" })}</p></div>`;
    }
    return this.renderTableArea(table);
  }

  private renderDrawer() {
    const r = this.route;
    const table = this.currentTable();
    if (!("record" in r) || r.record === undefined || !table) return nothing;
    return html`<aside class="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title" tabindex="-1" data-drawer>
      <span id="drawer-title" class="visually-hidden">${r.record === "new" ? msg("New record", { id: "record.new" }) : msg("Record", { id: "app.record" })}</span>
      <button class="close" aria-label=${msg("Close", { id: "common.close" })} @click=${() => this.closeRecord()}>${closeIcon}</button>
      <sg-record .api=${this.api} .table=${table} record-id=${String(r.record)} .user=${this.user} time-zone=${this.user?.timeZone ?? ""}
        @sg-cancel=${() => this.closeRecord()}
        @sg-record-saved=${(e: HTMLElementEventMap["sg-record-saved"]) => {
          // The open views hear of the save through sg-records-changed (onRecordsChanged).
          if (e.detail.created)
            this.go(
              r.kind === "view"
                ? { kind: "view", view: r.view, record: e.detail.record.id }
                : { kind: "table", table: table.name, record: e.detail.record.id },
              true,
            );
        }}></sg-record>
    </aside>`;
  }

  private renderNotes() {
    return html`<div class="notes" role="status" aria-live="polite" aria-label=${msg("Notifications", { id: "app.notifications" })}>
      ${this.notes.map(
        (n) =>
          html`<div class="note ${n.kind}" role=${n.kind === "error" ? "alert" : nothing}>${n.message}<button aria-label=${msg("Dismiss", { id: "app.dismiss" })} @click=${() => (this.notes = this.notes.filter((x) => x.id !== n.id))}>${closeIcon}</button></div>`,
      )}
    </div>`;
  }

  override render() {
    if (this.phase === "starting")
      return html`<div class="state muted" role="status">${msg("Loading…", { id: "common.loading" })}</div>`;
    if (this.phase === "signed-out") return html`${this.renderSignIn()}${this.renderNotes()}`;
    if (this.phase === "loading")
      return html`<div class="state muted" role="status">${msg("Loading your workspace…", { id: "app.loadingWorkspace" })}</div>`;
    if (this.phase === "error")
      return html`<div class="state" role="alert">
        <p class="error">${msg("The workspace could not be loaded.", { id: "app.loadError" })}</p>
        <p class="muted" data-value>${this.loadError}</p>
        <button @click=${() => void this.loadWorkspace()}>${msg("Retry", { id: "common.retry" })}</button>
      </div>`;
    return html`<div class="shell">
        <header role="banner">
          <span class="brand">Salesgrid</span>
          <span class="spacer"></span>
          <sg-notifications .api=${this.api}></sg-notifications>
          ${this.langSwitch()}
          <a class="user" href="#/profile" data-value data-user aria-current=${this.route.kind === "profile" ? "page" : "false"}
            title=${msg("Your profile", { id: "app.profile.title" })}>${this.user?.name ?? ""}</a>
          <button data-action="sign-out" @click=${() => void this.signOut()}>${msg("Sign out", { id: "app.signOut" })}</button>
        </header>
        ${this.renderNav()}
        <main>${this.renderMain()}</main>
      </div>
      ${this.renderDrawer()}${this.renderNotes()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-app": SgApp;
  }
}
