import { css } from "lit";

/** The bell: a button drawn in its surroundings' colour (the app's dark header), its count, the panel. */
export const bellStyles = css`
  :host { position: relative; display: inline-block; color: inherit; }
  [hidden] { display: none !important; }
  button[data-bell] {
    position: relative; display: inline-flex; align-items: center; justify-content: center;
    min-width: 34px; height: 32px; padding: 0 8px; border-radius: 6px; cursor: pointer;
    font: inherit; font-size: 1.1em; color: inherit; background: transparent;
    border: 1px solid color-mix(in srgb, currentColor 40%, transparent);
  }
  button[data-bell]:hover { background: color-mix(in srgb, currentColor 12%, transparent); }
  button[data-bell]:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
  [data-unread] {
    position: absolute; top: -6px; right: -8px; min-width: 18px; height: 18px; padding: 0 5px; box-sizing: border-box;
    border-radius: 9px; background: #cf222e; color: #fff; font-size: 11px; font-weight: 700; line-height: 18px; text-align: center;
  }
  [data-panel] {
    position: absolute; top: calc(100% + 8px); right: 0; z-index: 30; width: min(400px, 92vw); max-height: 70vh;
    display: flex; flex-direction: column; background: #fff; color: #1f2328; border: 1px solid #d0d7de;
    border-radius: 8px; box-shadow: 0 8px 28px rgb(0 0 0 / 0.18); overflow: hidden;
  }
  [data-panel]:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
  h2 { margin: 0; padding: 10px 14px 6px; font-size: 1em; }
  sg-notification-list { flex: 1; min-height: 0; overflow: auto; }
`;

/** The list inside the panel. */
export const listStyles = css`
  :host { display: block; font-size: 0.93em; }
  button { font: inherit; color: inherit; cursor: pointer; }
  .bar { display: flex; justify-content: flex-end; gap: 8px; padding: 0 14px 8px; border-bottom: 1px solid #d0d7de; }
  .bar button, .more button {
    border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 6px; padding: 4px 10px;
  }
  .bar button:disabled { opacity: 0.6; cursor: default; }
  :focus-visible { outline: 2px solid #2563eb; outline-offset: -2px; }
  ul { list-style: none; margin: 0; padding: 0; }
  li + li { border-top: 1px solid #eaeef2; }
  .item {
    display: block; width: 100%; box-sizing: border-box; text-align: left; padding: 10px 14px 10px 26px;
    border: 0; background: transparent; text-decoration: none; color: inherit; position: relative;
  }
  .item:hover { background: #f3f4f6; }
  li[data-read="false"] .item { background: #eff6ff; }
  li[data-read="false"] .item:hover { background: #dbeafe; }
  li[data-read="false"] .item::before {
    content: ""; position: absolute; left: 10px; top: 16px; width: 8px; height: 8px; border-radius: 50%; background: #2563eb;
  }
  .title { display: block; font-weight: 600; }
  li[data-read="true"] .title { font-weight: 500; }
  .body { display: block; margin-top: 2px; white-space: pre-line; }
  .withheld .title { font-style: italic; color: #57606a; }
  .time { display: block; margin-top: 4px; color: #57606a; font-size: 0.88em; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 0 14px 10px 26px; }
  li[data-read="false"] .actions { background: #eff6ff; }
  .actions-label { color: #57606a; font-size: 0.88em; }
  .actions button { border: 1px solid #d0d7de; background: #fff; border-radius: 6px; padding: 2px 8px; font-size: 0.88em; }
  .actions button:hover { background: #f3f4f6; }
  .actions button:disabled { opacity: 0.6; cursor: default; }
  .settled { margin: 0; padding: 0 14px 10px 26px; color: #57606a; font-size: 0.88em; }
  .state { padding: 16px 14px; color: #57606a; }
  .state.error { color: #cf222e; }
  .more { padding: 8px 14px 12px; text-align: center; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
