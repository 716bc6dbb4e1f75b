/** The grid's own styles (Handsontable's theme is adopted separately, by hot-controller.ts). */
import { css } from "lit";

export const gridStyles = css`
    :host { display: flex; flex-direction: column; font: 14px/1.4 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f2328; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 6px 4px; }
    .bar input[type=search] { font: inherit; padding: 4px 8px; min-width: 14em; border: 1px solid #ccd; border-radius: 4px; }
    .bar button { font: inherit; padding: 4px 10px; border: 1px solid #ccd; background: #fff; border-radius: 4px; cursor: pointer; }
    .bar button:disabled { opacity: 0.5; cursor: default; }
    .count { margin-left: auto; color: #57606a; }
    .message { padding: 4px 8px; border-radius: 4px; }
    .message.error { background: #ffebe9; color: #a40e26; }
    .message.info { background: #ddf4ff; color: #0a3069; }
    .filter { padding: 4px; border: 1px solid #e5e7eb; border-radius: 4px; margin: 0 4px 6px; }
    .sheet { flex: 1; display: flex; flex-direction: column; min-height: 120px; position: relative; }
    .hot { flex: 1; min-height: 120px; position: relative; overflow: hidden; }
    th.sg-locked .colHeader::before { content: ""; display: inline-block; width: 11px; height: 12px; margin-right: 4px; vertical-align: -1px; background: url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath fill='%2357606a' d='M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z'/%3E%3C/svg%3E") no-repeat center / contain; }
    .cell-note { position: absolute; z-index: 250; max-width: 280px; padding: 4px 8px; border-radius: 4px; background: #a40e26; color: #fff; font-size: 13px; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
    dialog { border: 1px solid #ccd; border-radius: 8px; padding: 16px 20px; max-width: 460px; }
    dialog.form { width: min(640px, 92vw); max-width: none; max-height: 86vh; }
    dialog::backdrop { background: rgba(0,0,0,.3); }
    dialog .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 12px; }
    dialog button { font: inherit; padding: 5px 12px; border: 1px solid #ccd; background: #fff; border-radius: 4px; cursor: pointer; }
    dialog button.danger { background: #cf222e; border-color: #cf222e; color: #fff; }
    .sg-chip { display: inline-block; padding: 0 8px; margin: 1px 3px 1px 0; border-radius: 10px; font-size: 12px; line-height: 18px; }
    td.sg-loading { background: linear-gradient(90deg, #f3f4f6 25%, #e5e7eb 50%, #f3f4f6 75%); }
    td.sg-readonly { color: #57606a; background: #f6f8fa; }
    td.sg-invalid { box-shadow: inset 0 0 0 2px #d1242f; background: #ffebe9; }
    td.sg-conflict { box-shadow: inset 0 0 0 2px #bf8700; background: #fff8c5; }
    .sg-picker { position: absolute; z-index: 300; list-style: none; margin: 0; padding: 2px 0; background: #fff; border: 1px solid #ccd; max-height: 240px; overflow: auto; min-width: 14em; box-shadow: 0 4px 12px rgba(0,0,0,.15); }
    .sg-picker li { padding: 3px 8px; cursor: pointer; white-space: nowrap; }
    .sg-picker li:hover { background: #ddf4ff; }
`;
