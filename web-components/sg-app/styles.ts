import { css } from "lit";

/** Shared look of the app's own controls (inside each shadow root). */
export const controls = css`
  :host { --sg-accent: #2563eb; --sg-border: #d0d7de; --sg-muted: #57606a; --sg-danger: #cf222e; --sg-bg: #fff; }
  button, select, input, textarea { font: inherit; }
  button { border: 1px solid var(--sg-border); background: #f6f8fa; border-radius: 6px; padding: 5px 12px; cursor: pointer; color: inherit; }
  button:hover { background: #eef1f4; }
  button.primary { background: var(--sg-accent); border-color: var(--sg-accent); color: #fff; }
  button.primary:hover { background: #1d4ed8; }
  button:disabled { opacity: 0.6; cursor: default; }
  :focus-visible { outline: 2px solid var(--sg-accent); outline-offset: 2px; }
  input, select, textarea { border: 1px solid var(--sg-border); border-radius: 6px; padding: 5px 8px; background: #fff; color: inherit; }
  .muted { color: var(--sg-muted); }
  .error { color: var(--sg-danger); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
