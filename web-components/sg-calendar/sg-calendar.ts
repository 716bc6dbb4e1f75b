/**
 * <sg-calendar base-url view token height time-zone>: a saved calendar view of any table with a date
 * or datetime field, drawn by FullCalendar (month, week, day, list) in the user's language (weeks
 * start on Monday in zh-CN) and time zone (the profile's, set by the app; `time-zone` overrides).
 * Events come per visible range from the server, under the viewer's permissions. Dragging an event
 * or its edge is a versioned update of the record's start and end fields (one occurrence of a
 * recurring task: the tasks plugin's move-occurrence action); a refusal snaps it back and says the
 * server's reason. Clicking a day or time opens the record form with the start filled in; clicking an
 * event opens the record (sg-open-record, which the app turns into its drawer). Inside <sg-app> it
 * takes the app's ApiClient as `.api`; standalone it builds one from `base-url` and `token` (an embed
 * token for the embed API). The FullCalendar instance is owned by calendar-controller.ts; data and
 * moves are routed by calendar-data.ts; what a move writes is moves.ts.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import type { EventApi, EventInput } from "@fullcalendar/core";
import { ApiClient, ApiError, type TableInfo } from "../api/client";
import { currentLocale, initLocale, labelOf, localized, msg, str } from "../i18n/index";
import { problemText } from "../i18n/field-errors";
import { onTimeZoneChange, timeZone } from "../i18n/time";
import { applyHostHeight } from "../host-height";
import { readableTextOn } from "../contrast";
import { emit, type RecordsChange } from "../events";
import { isEmbedToken } from "../sg-kanban/board-model";
import "../sg-toast/sg-toast";
import type { SgToast } from "../sg-toast/sg-toast";
import { CalendarController } from "./calendar-controller";
import type { CalendarEvent } from "../../schemas/types";
import { CalendarData, type CalendarMeta } from "./calendar-data";
import { moveValues, slotValue } from "./moves";
import { dayIn, digest } from "./digest";
import { styles } from "./styles";

/** Events without a colour of their own: white text on it passes WCAG AA. */
const DEFAULT_COLOR = "#1f5fae";
/** Past this many events a day grid shows the first few of each day and "+N more" (digest.ts). */
const BUSY = 500;
const PER_DAY = 4;

@localized()
export class SgCalendar extends LitElement {
  static override styles = styles;

  @property({ attribute: "base-url" }) baseUrl = "";
  @property() view = "";
  @property() token = "";
  /** The app's client (inside <sg-app>); standalone the element builds one from base-url and token. */
  @property({ attribute: false }) api: ApiClient | null = null;
  /** Its own height when the page gives it none: "500" (px) or a CSS length; 600 px by default. */
  @property() height = "";
  /** An IANA zone to show instants in; by default the signed-in user's (the app sets it), else the browser's. */
  @property({ attribute: "time-zone" }) timeZone = "";
  /** The day to show (`YYYY-MM-DD`); today by default. */
  @property() date = "";

  @state() private status: "idle" | "loading" | "ready" | "error" = "idle";
  @state() private loadError = "";
  @state() private truncated = false;
  @state() private live = "";
  /** The start value of the record being created from a clicked slot, or null when no form is open. */
  @state() private creating: Record<string, unknown> | null = null;

  @query("sg-toast") private toast!: SgToast | null;
  @query(".cal") private container!: HTMLElement | null;

  private meta: CalendarMeta | null = null;
  private data: CalendarData | null = null;
  private ownClient: ApiClient | null = null;
  private gen = 0;
  private offZone: (() => void) | null = null;
  /** Events the server sent for the range on screen. */
  private served = 0;

  private readonly cal = new CalendarController(this, {
    container: () => this.container,
    events: (from, to) => this.fetchEvents(from, to),
    moved: (event, revert) => void this.move(event, revert),
    clicked: (event) => this.open(event),
    slot: (date, dateStr) => void this.create(date, dateStr),
    // The count is the server's (a busy month draws a digest of them).
    loaded: () => {
      this.dataset.events = String(this.served);
      this.dispatchEvent(new CustomEvent("sg-calendar-loaded", { detail: { count: this.served } }));
    },
    failed: (err) => this.notify("error", this.errorText(err)),
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.offZone = onTimeZoneChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offZone?.();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("height")) applyHostHeight(this, this.height);
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has("api") || changed.has("baseUrl") || changed.has("token") || changed.has("view")) {
      if (changed.has("baseUrl") || changed.has("token")) this.ownClient = null;
      void this.load();
    }
    if (this.status === "ready" && this.meta) {
      this.cal.apply({
        locale: currentLocale(),
        timeZone: timeZone(this.timeZone),
        editable: this.canMove,
        creatable: this.canCreate,
        allDayOnly: this.meta.layout.start?.type === "date",
        ...(this.date ? { initialDate: this.date } : {}),
      });
      if (changed.has("date") && this.date) this.cal.calendar?.gotoDate(this.date);
    }
    // The new-record form opens as a modal dialog (focus kept inside, Escape cancels).
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>("dialog[data-dialog]");
    if (dialog && !dialog.open) dialog.showModal();
  }

  /** Records written elsewhere (sg-app routes them here): the calendar asks for its range again. */
  recordsChanged(change: RecordsChange): void {
    if (this.meta && change.table === this.meta.table.name) this.cal.refetch();
  }

  /** Asks the server for the visible range again. */
  refresh(): void {
    this.cal.refetch();
  }

  private client(): ApiClient | null {
    if (this.api) return this.api;
    if (!this.token) return null;
    this.ownClient ??= new ApiClient(
      isEmbedToken(this.token)
        ? { baseUrl: this.baseUrl, embedToken: this.token }
        : { baseUrl: this.baseUrl, token: this.token },
    );
    return this.ownClient;
  }

  private async load(): Promise<void> {
    const gen = ++this.gen;
    const api = this.client();
    if (!api || (!this.view && !api.embedded)) {
      this.status = "idle";
      return;
    }
    this.status = "loading";
    this.data = new CalendarData(api, this.view);
    try {
      // Standalone (no app to set it), the calendar starts in the page's or the browser's language.
      if (!this.api) await initLocale();
      const meta = await this.data.meta();
      if (gen !== this.gen) return;
      if (!meta.layout.start) {
        this.loadError = msg("This calendar has no date field you may read.", { id: "calendar.noDate" });
        this.status = "error";
        return;
      }
      this.meta = meta;
      this.status = "ready";
    } catch (err) {
      if (gen !== this.gen) return;
      this.loadError = this.errorText(err);
      this.status = "error";
    }
  }

  private get table(): TableInfo | null {
    return this.meta?.table ?? null;
  }

  /** Whether any event may move: the server still says per event (`editable`). */
  private get canMove(): boolean {
    const m = this.meta;
    return !!m && m.mode === "edit" && m.table.access?.update !== false && m.layout.start?.access === "write";
  }

  private get canCreate(): boolean {
    const m = this.meta;
    return !!m && !this.client()?.embedded && m.table.access?.create !== false && m.layout.start?.access === "write";
  }

  private async fetchEvents(from: string, to: string): Promise<EventInput[]> {
    const data = this.data!;
    const reply = await data.events(from, to);
    this.truncated = reply.truncated;
    this.served = reply.events.length;
    const embedded = data.api.embedded;
    const resizable = !!this.meta?.layout.end && this.meta.layout.end.access === "write";
    const type = this.cal.calendar?.view.type ?? "";
    if (!type.startsWith("dayGrid")) return reply.events.map((e) => this.toInput(e, embedded, resizable));
    const day = dayIn(timeZone(this.timeZone));
    const { shown, more } = digest(reply.events, (e) => day(e.start, e.allDay), PER_DAY, BUSY);
    return [
      ...shown.map((e) => this.toInput(e, embedded, resizable)),
      ...[...more].map(([date, n]) => ({
        id: `more:${date}`,
        title: msg(str`+${n} more`, { id: "calendar.more" }),
        start: date,
        allDay: true,
        editable: false,
        classNames: ["sg-more"],
        backgroundColor: "#eef1f4",
        borderColor: "#d0d7de",
        textColor: "#1f2328",
        extendedProps: { more: date, last: 1 },
      })),
    ];
  }

  private toInput(e: CalendarEvent, embedded: boolean, resizable: boolean): EventInput {
    const color = e.color ?? DEFAULT_COLOR;
    // An occurrence moves through a plugin action, which an embed cannot call.
    const editable = e.editable && this.canMove && !(embedded && e.occurrence);
    return {
      id: `${e.record}:${e.occurrence ?? ""}`,
      title: e.title ?? msg("(untitled)", { id: "calendar.untitled" }),
      start: e.start,
      end: e.end ?? undefined,
      allDay: e.allDay,
      backgroundColor: color,
      borderColor: color,
      textColor: readableTextOn(color),
      editable,
      durationEditable: editable && (resizable || !!e.occurrence),
      extendedProps: { record: e.record, version: e.version, occurrence: e.occurrence, last: 0 },
    };
  }

  private async move(event: EventApi, revert: () => void): Promise<void> {
    const meta = this.meta!;
    const { record, version, occurrence } = event.extendedProps as {
      record: number;
      version: number;
      occurrence: string | null;
    };
    const title = event.title;
    try {
      if (occurrence) {
        await this.data!.moveOccurrence(
          record,
          occurrence,
          event.start!.toISOString(),
          event.end?.toISOString() ?? null,
        );
        this.cal.refetch();
      } else {
        const start = meta.layout.start!;
        const end = meta.layout.end;
        const fields = moveValues(
          {
            start: { name: start.name, type: start.type },
            end: end && end.access === "write" ? { name: end.name, type: end.type } : null,
          },
          { start: event.start!, end: event.end, startStr: event.startStr, endStr: event.endStr },
        );
        const saved = await this.data!.moveRecord(meta.table.name, record, version, fields);
        event.setExtendedProp("version", saved.version);
        emit(this, "sg-records-changed", { table: meta.table.name, records: [saved] });
      }
      this.live = msg(str`${title} moved`, { id: "calendar.moved" });
    } catch (err) {
      revert();
      this.notify("error", this.errorText(err));
      this.live = msg(str`${title} was not moved`, { id: "calendar.notMoved" });
    }
  }

  private open(event: EventApi): void {
    const table = this.table;
    const more = (event.extendedProps as { more?: string }).more;
    // "+N more" opens its day, where every event of the day is drawn.
    if (more)
      return void this.cal.calendar?.changeView(
        this.meta?.layout.start?.type === "date" ? "dayGridDay" : "timeGridDay",
        more,
      );
    if (!table) return;
    emit(this, "sg-open-record", { table: table.name, id: (event.extendedProps as { record: number }).record });
  }

  private async create(date: Date, dateStr: string): Promise<void> {
    const start = this.meta?.layout.start;
    if (!start) return;
    // The form ships with the calendar's create only: loaded when first needed (embeds never create).
    await import("../sg-form/sg-form");
    this.creating = { [start.name]: slotValue(start.type, date, dateStr) };
  }

  private created(e: HTMLElementEventMap["sg-record-saved"]): void {
    e.stopPropagation();
    this.creating = null;
    emit(this, "sg-records-changed", { table: this.table!.name, records: [e.detail.record], created: true });
    this.cal.refetch();
    this.notify("info", msg("Record added", { id: "calendar.created" }));
  }

  /** Inside the app its notifications show it; on its own (a page, an embed) the calendar's toast does. */
  private notify(kind: "info" | "error", text: string): void {
    emit(this, "sg-notify", { kind, message: text });
    if (!this.api) this.toast?.show(kind, text);
  }

  private errorText(err: unknown): string {
    return err instanceof ApiError
      ? problemText(err.problem, err.message)
      : String(err instanceof Error ? err.message : err);
  }

  protected override render() {
    const label = this.meta ? labelOf(this.meta.view) : msg("Calendar", { id: "calendar.label" });
    return html`
      <section class="wrap" aria-label=${label}>
        ${this.status === "error" ? html`<p class="state" role="alert">${this.loadError}</p>` : nothing}
        ${this.status === "loading" ? html`<p class="state muted">${msg("Loading…", { id: "common.loading" })}</p>` : nothing}
        ${
          this.truncated
            ? html`<p class="banner" role="status" data-truncated>${msg("Not every event fits: showing the first ones. Narrow the range or the filter.", { id: "calendar.truncated" })}</p>`
            : nothing
        }
        <div class="cal" data-calendar></div>
        <sg-toast></sg-toast>
        <span class="visually-hidden" aria-live="polite">${this.live}</span>
      </section>
      ${
        this.creating && this.table
          ? html`<dialog data-dialog="new-record" class="form" aria-label=${msg("New record", { id: "calendar.newRecord" })}
            @cancel=${() => (this.creating = null)}>
            <sg-form .api=${this.client()} .table=${this.table} .record=${null} .initial=${this.creating}
              time-zone=${timeZone(this.timeZone)}
              @sg-record-saved=${(e: HTMLElementEventMap["sg-record-saved"]) => this.created(e)}
              @sg-cancel=${() => (this.creating = null)}></sg-form>
          </dialog>`
          : nothing
      }
    `;
  }
}

if (!customElements.get("sg-calendar")) customElements.define("sg-calendar", SgCalendar);

declare global {
  interface HTMLElementTagNameMap {
    "sg-calendar": SgCalendar;
  }
}
