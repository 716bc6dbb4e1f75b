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

/** The app shell: bar, sidebar, main area, drawer, notifications, sign-in. */
export const appStyles = css`
  :host { display: block; height: 100%; color: #1f2328; background: #f6f7f9; }
  .shell { display: grid; grid-template-rows: 48px 1fr; grid-template-columns: 240px 1fr; height: 100%; }
  header { grid-column: 1 / -1; display: flex; align-items: center; gap: 12px; padding: 0 16px; background: #1f2937; color: #fff; }
  header .brand { font-weight: 700; letter-spacing: 0.2px; }
  header .spacer { flex: 1; }
  header select, header button { background: #374151; color: #fff; border-color: #4b5563; }
  header a.user { color: #fff; text-decoration: underline; text-underline-offset: 3px; }
  header :focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
  nav { overflow: auto; border-right: 1px solid var(--sg-border); background: #fff; padding: 12px 8px; }
  nav h2 { font-size: 0.75em; text-transform: uppercase; color: var(--sg-muted); margin: 8px 8px 4px; }
  nav ul { list-style: none; margin: 0; padding: 0; }
  nav a { display: block; padding: 6px 10px; border-radius: 6px; color: inherit; text-decoration: none; }
  nav a:hover { background: #f3f4f6; }
  nav a[aria-current="page"] { background: #e0e7ff; font-weight: 600; }
  nav ul ul a { padding-left: 26px; font-size: 0.93em; }
  main { overflow: auto; padding: 16px 20px; position: relative; min-width: 0; }
  /* The grid sizes Handsontable to its own box, so it needs a definite height: the viewport below the app bar, title and tabs. */
  [role="tabpanel"] > sg-grid { display: flex; height: calc(100vh - 190px); min-height: 320px; }
  /* The board grows with its cards in the app, instead of the 400 px an embedded board gets by default. */
  [role="tabpanel"] > sg-kanban { height: auto; min-height: 420px; }
  .toolbar { display: flex; align-items: center; gap: 12px; margin-bottom: 12px; flex-wrap: wrap; }
  .toolbar h1 { font-size: 1.3em; margin: 0; }
  [role="tablist"] { display: flex; gap: 4px; border-bottom: 1px solid var(--sg-border); margin-bottom: 12px; flex-wrap: wrap; }
  [role="tab"] { border: 0; border-bottom: 2px solid transparent; border-radius: 0; background: transparent; padding: 6px 12px; }
  [role="tab"][aria-selected="true"] { border-bottom-color: var(--sg-accent); color: var(--sg-accent); font-weight: 600; }
  .state { padding: 40px; text-align: center; }
  .drawer { position: fixed; top: 48px; right: 0; bottom: 0; width: min(520px, 100vw); background: #fff; border-left: 1px solid var(--sg-border); box-shadow: -8px 0 24px rgb(0 0 0 / 0.1); overflow: auto; padding: 16px 20px; box-sizing: border-box; z-index: 10; }
  .drawer .close { position: absolute; top: 10px; right: 12px; }
  .drawer .drawer-tools { display: flex; gap: 8px; margin: 0 40px 8px 0; }
  .notes { position: fixed; bottom: 16px; left: 50%; transform: translateX(-50%); display: grid; gap: 8px; z-index: 20; }
  .note { background: #1f2937; color: #fff; padding: 8px 14px; border-radius: 6px; box-shadow: 0 4px 12px rgb(0 0 0 / 0.2); display: flex; gap: 10px; align-items: center; }
  .note.error { background: var(--sg-danger); }
  .note button { background: transparent; color: inherit; border: 0; padding: 0 4px; }
  .signin { display: grid; place-items: center; height: 100%; }
  .signin form { background: #fff; padding: 28px 32px; border-radius: 10px; box-shadow: 0 6px 24px rgb(0 0 0 / 0.08); display: grid; gap: 12px; width: min(360px, 90vw); }
  .signin h1 { margin: 0 0 4px; font-size: 1.4em; }
  .signin label { display: grid; gap: 4px; font-weight: 600; font-size: 0.92em; }
  .signin .lang { justify-self: end; }
  .placeholder { border: 1px dashed var(--sg-border); border-radius: 8px; padding: 24px; text-align: center; }
`;

/** A section of the profile page below its form (the calendar feed, the webhook). */
export const profileSection = css`
  :host { display: block; margin-top: 28px; border-top: 1px solid var(--sg-border); padding-top: 8px; }
  .hint { font-weight: normal; font-size: 0.9em; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; }
`;
