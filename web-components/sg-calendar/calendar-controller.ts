/**
 * The FullCalendar instance of a <sg-calendar>, owned by a reactive controller: made once the host
 * has drawn its container (and is in the document, so FullCalendar puts its style sheet into the
 * host's shadow root), given the language, week start and time zone, destroyed when the host leaves
 * the page. Month, week, day and list views (the MIT packages); drag and resize by the interaction
 * plugin; the user's IANA zone through the Luxon plugin. What events mean is the host's business:
 * it answers `events`, `moved`, `clicked` and `slot`.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { Calendar, type EventInput, type EventApi, type CalendarOptions } from "@fullcalendar/core";
import zhCnLocale from "@fullcalendar/core/locales/zh-cn";
import dayGridPlugin from "@fullcalendar/daygrid";
import timeGridPlugin from "@fullcalendar/timegrid";
import listPlugin from "@fullcalendar/list";
import interactionPlugin from "@fullcalendar/interaction";
import luxonPlugin from "@fullcalendar/luxon3";

export interface CalendarCallbacks {
  /** The container the calendar draws into (null until the host drew it). */
  container(): HTMLElement | null;
  /** Events for [from, to), strings with the zone's offset as FullCalendar gives them. */
  events(from: string, to: string): Promise<EventInput[]>;
  /** An event was dragged or resized; call `revert` when the server refuses it. */
  moved(event: EventApi, revert: () => void): void;
  clicked(event: EventApi): void;
  /** An empty day or time slot was clicked. */
  slot(date: Date, dateStr: string, allDay: boolean): void;
  /** The calendar has drawn events for a range (tests and the host's status wait on it). */
  loaded(count: number): void;
  failed(err: unknown): void;
}

export interface CalendarSettings {
  locale: "en" | "zh-CN";
  timeZone: string;
  /** Whether events may be dragged at all (per event, `editable` narrows it). */
  editable: boolean;
  /** Whether clicking a slot creates a record. */
  creatable: boolean;
  /** A calendar on a date field has no times: the week and day views show all-day rows only. */
  allDayOnly: boolean;
  initialDate?: string;
  initialView?: string;
}

export class CalendarController implements ReactiveController {
  calendar: Calendar | null = null;
  private applied: CalendarSettings | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly cb: CalendarCallbacks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.calendar?.destroy();
    this.calendar = null;
    this.applied = null;
  }

  /** Makes the calendar, or brings its settings up to date; called by the host after it drew. */
  apply(settings: CalendarSettings): void {
    const el = this.cb.container();
    if (!el || !el.isConnected) return;
    if (this.calendar && this.applied && sameSettings(this.applied, settings)) return;
    if (this.calendar) {
      // A new language, zone or permission draws anew, keeping the date and view.
      const date = this.calendar.getDate();
      const view = this.calendar.view.type;
      this.calendar.destroy();
      settings = { ...settings, initialDate: date.toISOString(), initialView: view };
    }
    this.applied = settings;
    this.calendar = new Calendar(el, this.options(settings));
    this.calendar.render();
  }

  private hideIcons(): void {
    for (const icon of this.cb.container()?.querySelectorAll(".fc-icon") ?? []) {
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    }
  }

  refetch(): void {
    this.calendar?.refetchEvents();
  }

  private options(s: CalendarSettings): CalendarOptions {
    return {
      plugins: [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin],
      locales: [zhCnLocale],
      // FullCalendar's English starts weeks on Sunday; its zh-cn locale on Monday (GB/T 7408).
      locale: s.locale === "zh-CN" ? "zh-cn" : "en",
      timeZone: s.timeZone,
      initialView: s.initialView ?? "dayGridMonth",
      ...(s.initialDate ? { initialDate: s.initialDate } : {}),
      headerToolbar: {
        left: "prev,next today",
        center: "title",
        // A calendar of days has no hours: its week and day are rows of days, not time grids.
        right: s.allDayOnly
          ? "dayGridMonth,dayGridWeek,dayGridDay,listWeek"
          : "dayGridMonth,timeGridWeek,timeGridDay,listWeek",
      },
      height: "100%",
      editable: s.editable,
      eventStartEditable: s.editable,
      eventDurationEditable: s.editable,
      selectable: false,
      dayMaxEventRows: true,
      nowIndicator: true,
      // A day's "+N more" entry (sg-calendar's digest of a busy month) comes after its events.
      eventOrder: "last,start,-duration,allDay,title",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      // Each view asks for its own range: a month's digest of a busy range is not a week's events.
      lazyFetching: false,
      events: (info, success, failure) => {
        this.cb.events(info.startStr, info.endStr).then(
          (events) => {
            success(events);
            // FullCalendar draws the events after this callback; tell the host once they are there.
            requestAnimationFrame(() => this.cb.loaded(events.length));
          },
          (err: unknown) => {
            failure(err instanceof Error ? err : new Error(String(err)));
            this.cb.failed(err);
          },
        );
      },
      // Accessibility: a day cell is named by its own content (its number and events), not by its
      // number alone (axe: label-content-name-mismatch); the toolbar's icons are decoration, the
      // buttons carry the names.
      dayCellDidMount: ({ el }) => el.removeAttribute("aria-labelledby"),
      datesSet: () => this.hideIcons(),
      eventDrop: (info) => this.cb.moved(info.event, info.revert),
      eventResize: (info) => this.cb.moved(info.event, info.revert),
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        this.cb.clicked(info.event);
      },
      dateClick: (info) => {
        if (s.creatable) this.cb.slot(info.date, info.dateStr, info.allDay);
      },
    };
  }
}

function sameSettings(a: CalendarSettings, b: CalendarSettings): boolean {
  return (
    a.locale === b.locale &&
    a.timeZone === b.timeZone &&
    a.editable === b.editable &&
    a.creatable === b.creatable &&
    a.allDayOnly === b.allDayOnly
  );
}
