/**
 * The height an embedded element gives itself when the page gives it none. Handsontable and the board
 * size themselves to the host's box, so a host without a definite height would be 0 px tall (or grow
 * without end); the `height` attribute ("250" or a CSS length like "30rem") sets it, 400 px by default.
 * The page's own style for the element still wins: it lies outside the shadow root, above `:host`.
 */
import { css } from "lit";

/** Shared by the elements' `:host` rules: the attribute's value arrives as `--sg-height`. */
export const hostHeight = css`
  :host {
    height: var(--sg-height, 400px);
  }
`;

const LENGTH = /^(\d{1,5}(?:\.\d{1,3})?)(px|em|rem|vh|%)?$/;

/** A CSS length for the attribute's value, or null (default height) when it is empty or not a length. */
export function cssHeight(value: string | null | undefined): string | null {
  const m = LENGTH.exec((value ?? "").trim());
  return m ? `${m[1]}${m[2] ?? "px"}` : null;
}

/** Puts the attribute's height on the host as `--sg-height` (removed when there is none). */
export function applyHostHeight(host: HTMLElement, value: string | null | undefined): void {
  const h = cssHeight(value);
  if (h) host.style.setProperty("--sg-height", h);
  else host.style.removeProperty("--sg-height");
}
