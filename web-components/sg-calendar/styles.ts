/**
 * The calendar's look inside its shadow root. FullCalendar puts its own style sheet into the shadow
 * root when it first draws there (calendar-controller.ts); its colours are custom properties that its
 * sheet sets on `:root`, which a shadow root does not match, so they are set on the host here, in
 * colours that keep WCAG AA contrast (dimmed days and grey labels included).
 */
import { css } from "lit";

export const styles = css`
  :host {
    display: block;
    box-sizing: border-box;
    height: var(--sg-height, 600px);
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
    color: #1f2328;
    --fc-small-font-size: 0.85em;
    --fc-page-bg-color: #fff;
    --fc-neutral-bg-color: #eef1f4;
    --fc-neutral-text-color: #57606a;
    --fc-border-color: #d0d7de;
    --fc-button-text-color: #fff;
    --fc-button-bg-color: #24527a;
    --fc-button-border-color: #24527a;
    --fc-button-hover-bg-color: #1b3f5e;
    --fc-button-hover-border-color: #1b3f5e;
    --fc-button-active-bg-color: #12304a;
    --fc-button-active-border-color: #12304a;
    --fc-event-bg-color: #1f5fae;
    --fc-event-border-color: #1f5fae;
    --fc-event-text-color: #fff;
    --fc-event-selected-overlay-color: rgba(0, 0, 0, 0.25);
    --fc-more-link-bg-color: #d0d7de;
    --fc-more-link-text-color: inherit;
    --fc-event-resizer-thickness: 8px;
    --fc-event-resizer-dot-total-width: 8px;
    --fc-event-resizer-dot-border-width: 1px;
    --fc-non-business-color: rgba(215, 215, 215, 0.3);
    --fc-bg-event-color: #8fdf82;
    --fc-bg-event-opacity: 0.3;
    --fc-highlight-color: rgba(188, 232, 241, 0.3);
    --fc-today-bg-color: #fff8d6;
    --fc-now-indicator-color: #cf222e;
  }
  * { box-sizing: border-box; }
  .wrap { display: flex; flex-direction: column; height: 100%; }
  .cal { flex: 1; min-height: 0; }
  .state { padding: 24px; color: #57606a; margin: 0; }
  .state[role="alert"] { color: #82071e; }
  .banner { margin: 0 0 8px; padding: 6px 10px; border-radius: 6px; background: #fff8c5; color: #6a4b00; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  /* Days of the neighbouring months: dimmed by colour, not by opacity, so their numbers stay readable. */
  .fc .fc-day-other .fc-daygrid-day-top { opacity: 1; color: #57606a; }
  .fc .fc-toolbar-title { font-size: 1.25em; }
  .fc a { color: inherit; }
  .fc .fc-button:focus-visible, .fc a:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
  .fc .fc-list-event:hover td { background: #eef1f4; }
  .fc .fc-daygrid-event { cursor: pointer; }
  dialog { border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; }
  dialog.form { width: min(640px, 92vw); max-height: 86vh; }
  dialog::backdrop { background: rgba(31, 35, 40, 0.3); }
`;
