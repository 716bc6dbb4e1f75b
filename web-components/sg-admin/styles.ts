/** Styles shared by the admin console's sections (each has its own shadow root). */
import { css } from "lit";

export const adminStyles = css`
  :host { display: block; font: inherit; color: inherit; }
  h2 { font-size: 1.15em; margin: 0.4em 0; }
  h3 { font-size: 1.05em; margin: 0.6em 0 0.3em; }
  .cols { display: grid; grid-template-columns: minmax(180px, 240px) 1fr; gap: 16px; align-items: start; }
  .panel { border: 1px solid #dee2e6; border-radius: 6px; padding: 10px 12px; background: #fff; }
  .stack { display: grid; gap: 8px; }
  .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  label.field { display: grid; gap: 2px; }
  label.field > span:first-child { font-size: 0.85em; color: #495057; }
  input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid #adb5bd; border-radius: 4px; }
  input[aria-invalid="true"], select[aria-invalid="true"] { border-color: #c92a2a; }
  input[type="checkbox"], input[type="radio"] { padding: 0; }
  input[type="color"] { padding: 0; width: 2.2em; height: 1.8em; }
  button { font: inherit; cursor: pointer; padding: 4px 10px; border-radius: 4px; border: 1px solid #adb5bd; background: #f8f9fa; }
  button.primary { background: #3b5bdb; color: #fff; border-color: #3b5bdb; }
  button.danger { color: #c92a2a; border-color: #c92a2a; background: #fff; }
  button:disabled { opacity: 0.5; cursor: default; }
  .error { color: #c92a2a; font-size: 0.9em; }
  .banner { border: 1px solid #c92a2a; background: #fff5f5; padding: 6px 10px; border-radius: 4px; }
  .banner ul { margin: 4px 0 0; padding-left: 1.2em; }
  .muted { color: #59636e; font-size: 0.9em; }
  ul.plain { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
  .item { display: flex; gap: 6px; align-items: center; padding: 4px 6px; border-radius: 4px; }
  .item[aria-current="true"], .item[aria-selected="true"] { background: #edf2ff; }
  .item.dragging { opacity: 0.4; }
  .item.drop-target { outline: 2px dashed #4c6ef5; }
  .handle { cursor: grab; user-select: none; color: #59636e; padding: 0 4px; }
  table.grid { border-collapse: collapse; }
  table.grid th, table.grid td { border: 1px solid #dee2e6; padding: 4px 6px; text-align: left; vertical-align: top; }
  /* Words stay whole in every language (Chinese may otherwise break after any character): headers
     keep to one line and cells to a readable width; a wide table scrolls in its box instead. */
  table.grid th { white-space: nowrap; }
  table.grid td { min-width: 6em; word-break: keep-all; overflow-wrap: anywhere; }
  table.grid th[scope="row"] { position: sticky; left: 0; z-index: 1; }
  :focus-visible { outline: 2px solid #3b5bdb; outline-offset: 2px; }
  table.grid th { background: #f1f3f5; font-weight: 600; }
  code { font-family: ui-monospace, monospace; font-size: 0.9em; }
  .swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; vertical-align: middle; }
  .tag { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e9ecef; font-size: 0.85em; }
`;
