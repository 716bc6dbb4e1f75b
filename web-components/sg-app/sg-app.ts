/**
 * `<sg-app base-url="">`: the Salesgrid app. Sign-in; a sidebar of the tables and views the user's
 * roles may open (the server decides: /api/meta/tables and /api/meta/views list only those); a view
 * switcher; the grid; a record drawer (`<sg-record>`); notifications; the language switch. The place
 * in the app lives in the URL hash (route.ts). Child elements get the app's ApiClient as `.api`.
 * This file holds the state and the moves; the parts it shows are drawn by app-header.ts, app-nav.ts,
 * screens.ts (what the route shows, and the record drawer) and sign-in.ts; toasts by notes.ts and the
 * toolbar's count by record-count.ts.
 */
import { LitElement, html, type PropertyValues } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { ApiClient, ApiError, type TableInfo, type User, type ViewInfo } from "../api/client";
import { currentLocale, initLocale, localized, msg, setLocale, type Locale } from "../i18n/index";
import type { RecordsView } from "../events";
import { saveProfile, type ProfileReply } from "./sg-profile";
import { askConfirm } from "./confirm-dialog";
import { browserTimeZone, setUserTimeZone } from "../i18n/time";
import { parseRoute, routeHash, routeTable, routeView, type Route } from "./route";
import { appStyles, controls } from "./styles";
import { appHeader } from "./app-header";
import { appNav } from "./app-nav";
import { Notes } from "./notes";
import { RecordCount } from "./record-count";
import { mainScreen, recordDrawer, type ScreenState } from "./screens";
import { signInErrorText, signInForm } from "./sign-in";

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
  @state() private signInError = "";
  @state() private signingIn = false;
  @state() private loadError = "";
  @query(".drawer") private drawer?: HTMLElement;
  private readonly notes = new Notes(this);
  private readonly count = new RecordCount(this);
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
      // A quote or order opens as its document (lines, totals, moves), not in the drawer.
      if (d && (d.table === "quotes" || d.table === "orders"))
        this.go({ kind: "doc", doc: d.table === "quotes" ? "quote" : "order", id: d.id });
      else if (d)
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
    for (const view of this.renderRoot.querySelectorAll<RecordsView>("sg-grid, sg-kanban, sg-calendar")) {
      if (!from.includes(view) && typeof view.recordsChanged === "function") view.recordsChanged(e.detail);
    }
    if (e.detail.created || e.detail.deleted?.length) this.count.reset();
  };

  /** Work that follows the state (never started from render()): the toolbar's record count. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const table =
      this.phase === "ready" && this.route.kind !== "admin"
        ? routeTable(this.route, this.tables, this.views)
        : undefined;
    if (table) this.count.refresh(this.api!, table, routeView(this.route, this.views));
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
    this.notes.add(kind, message);
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
      this.signInError = signInErrorText(err);
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

  private closeRecord() {
    const r = this.route;
    if (r.kind === "table") this.go({ kind: "table", table: r.table });
    else if (r.kind === "view") this.go({ kind: "view", view: r.view });
  }

  // ------------------------------------------------------------------ rendering

  private screenState(): ScreenState {
    return {
      api: this.api,
      baseUrl: this.baseUrl,
      user: this.user,
      tables: this.tables,
      views: this.views,
      route: this.route,
      recordCount: this.count.value,
      go: (route, replace) => this.go(route, replace),
      closeRecord: () => this.closeRecord(),
      profileSaved: (e) => void this.onProfileSaved(e),
    };
  }

  override render() {
    if (this.phase === "starting")
      return html`<div class="state muted" role="status">${msg("Loading…", { id: "common.loading" })}</div>`;
    if (this.phase === "signed-out")
      return html`${signInForm({ error: this.signInError, busy: this.signingIn, submit: (e) => void this.signIn(e) })}${this.notes.render()}`;
    if (this.phase === "loading")
      return html`<div class="state muted" role="status">${msg("Loading your workspace…", { id: "app.loadingWorkspace" })}</div>`;
    if (this.phase === "error")
      return html`<div class="state" role="alert">
        <p class="error">${msg("The workspace could not be loaded.", { id: "app.loadError" })}</p>
        <p class="muted" data-value>${this.loadError}</p>
        <button @click=${() => void this.loadWorkspace()}>${msg("Retry", { id: "common.retry" })}</button>
      </div>`;
    const s = this.screenState();
    // The print page is the document alone: no bar, no sidebar, nothing else on paper.
    if (this.route.kind === "print")
      return html`<sg-print .api=${this.api} kind=${this.route.doc} record-id=${this.route.id} doc-lang=${this.route.lang ?? ""}></sg-print>${this.notes.render()}`;
    if (this.route.kind === "pick")
      return html`<sg-pick-list .api=${this.api} order-id=${this.route.order}></sg-pick-list>${this.notes.render()}`;
    return html`<div class="shell">
        ${appHeader({ api: this.api, user: this.user, route: this.route, signOut: () => void this.signOut() })}
        ${appNav(s)}
        <main>${mainScreen(s)}</main>
      </div>
      ${recordDrawer(s)}${this.notes.render()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sg-app": SgApp;
  }
}
