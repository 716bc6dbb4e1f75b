/**
 * The icons of the elements' buttons, as small inline SVG drawn with currentColor: symbol characters
 * (✕, ⋯, ↑, ⠿, ★) show as empty boxes on machines without a font that has them. Each icon is
 * aria-hidden; the button around it carries the accessible name (aria-label).
 */
import { html, svg, type SVGTemplateResult, type TemplateResult } from "lit";

function icon(paths: SVGTemplateResult, filled = false): TemplateResult {
  return html`<svg
    class="sg-icon"
    aria-hidden="true"
    focusable="false"
    width="1em"
    height="1em"
    viewBox="0 0 16 16"
    fill=${filled ? "currentColor" : "none"}
    stroke=${filled ? "none" : "currentColor"}
    stroke-width="1.8"
    stroke-linecap="round"
    stroke-linejoin="round"
    style="vertical-align: -0.125em; flex: none"
  >
    ${paths}
  </svg>`;
}

/** The notifications bell. */
export const bellIcon = icon(
  svg`<path d="M4 11.5V7a4 4 0 0 1 8 0v4.5l1.2 1.3H2.8z" /><path d="M6.6 14.2a1.5 1.5 0 0 0 2.8 0" />`,
);
/** Close, dismiss, remove. */
export const closeIcon = icon(svg`<path d="M4 4l8 8M12 4l-8 8" />`);
/** A menu of more actions. */
export const moreIcon = icon(
  svg`<circle cx="3.5" cy="8" r="1.4" /><circle cx="8" cy="8" r="1.4" /><circle cx="12.5" cy="8" r="1.4" />`,
  true,
);
export const arrowUpIcon = icon(svg`<path d="M8 13V3M3.5 7.5L8 3l4.5 4.5" />`);
export const arrowDownIcon = icon(svg`<path d="M8 3v10M3.5 8.5L8 13l4.5-4.5" />`);
/** The handle that drags an item to reorder it. */
export const gripIcon = icon(
  svg`<circle cx="6" cy="3.5" r="1.2" /><circle cx="10" cy="3.5" r="1.2" /><circle cx="6" cy="8" r="1.2" /><circle cx="10" cy="8" r="1.2" /><circle cx="6" cy="12.5" r="1.2" /><circle cx="10" cy="12.5" r="1.2" />`,
  true,
);
export const starIcon = icon(
  svg`<path d="M8 1.5l1.9 4.1 4.5.5-3.4 3 1 4.4L8 11.2l-3.9 2.3 1-4.4-3.4-3 4.5-.5z" />`,
  true,
);
/** A warning triangle: low or short stock. */
export const warningIcon = icon(svg`<path d="M8 2L1.5 13.5h13L8 2z" /><path d="M8 6.5v3.5M8 12v.01" />`);
