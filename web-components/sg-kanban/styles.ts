/** The board's look, inside its shadow root. */
import { css } from "lit";

export const styles = css`
  :host {
    display: flex;
    flex-direction: column;
    box-sizing: border-box;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
    color: #1f2328;
    --col-width: 272px;
  }
  * { box-sizing: border-box; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 4px; }
  .toolbar h2 { font-size: 16px; margin: 0 8px 0 0; }
  .toolbar .summary { color: #57606a; margin-right: auto; }
  .toolbar input[type="search"], .toolbar select { font: inherit; padding: 4px 8px; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
  button { font: inherit; cursor: pointer; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; padding: 4px 10px; }
  button:focus-visible, .card:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
  .filters { padding: 8px; margin: 0 4px 8px; border: 1px solid #d0d7de; border-radius: 8px; background: #fff; }
  .filters .actions { display: flex; gap: 8px; margin-top: 8px; }
  .banner { display: flex; align-items: center; gap: 12px; margin: 0 4px 8px; padding: 8px 12px; border-radius: 6px; background: #ffebe9; border: 1px solid #ff8182; color: #82071e; }
  .banner span { flex: 1; }
  .state { padding: 24px; color: #57606a; }
  .state.error { color: #82071e; }
  .toolbar .summary .kind { margin-left: 10px; padding-left: 10px; border-left: 1px solid #d0d7de; white-space: nowrap; }
  .toolbar .summary .kind.won { color: #116329; }
  .toolbar .summary .kind.lost { color: #82071e; }
  .strip { display: flex; gap: 4px; overflow-x: auto; padding: 0 4px 6px; scrollbar-width: thin; }
  .strip button { display: inline-flex; gap: 6px; align-items: baseline; white-space: nowrap; font-size: 12px; padding: 2px 8px; border-left: 3px solid var(--c, #8c959f); background: #fff; color: #57606a; }
  .strip button.in-view { background: #eef1f4; color: #1f2328; }
  .strip .n { font-variant-numeric: tabular-nums; }
  /* The board fits the window (column-strip.ts measures it), so its horizontal scroll bar is on screen; the bar stays visible. */
  .board { flex: 1; min-height: 0; max-height: var(--fit-height, none); overflow: auto; scrollbar-width: auto; scrollbar-color: #8c959f #eef1f4; display: grid; gap: 8px 10px; align-content: start; padding: 0 4px 8px; }
  .board::-webkit-scrollbar { height: 12px; width: 12px; }
  .board::-webkit-scrollbar-thumb { background: #8c959f; border-radius: 6px; }
  .board::-webkit-scrollbar-track { background: #eef1f4; }
  .colhead { position: sticky; top: 0; z-index: 2; background: #eef1f4; border-radius: 8px 8px 0 0; padding: 8px 10px; border-top: 3px solid var(--c, #8c959f); }
  .colhead .name { font-weight: 600; }
  .colhead .count { float: right; color: #57606a; font-variant-numeric: tabular-nums; }
  .colhead .sum { color: #0a3069; font-variant-numeric: tabular-nums; min-height: 1.4em; }
  .colhead .sum.stale { opacity: 0.5; }
  .lanehead { grid-column: 1 / -1; font-weight: 600; padding: 6px 4px 0; border-top: 1px solid #d0d7de; color: #24292f; }
  .lanehead .count { font-weight: 400; color: #57606a; margin-left: 6px; }
  .cell { background: #eef1f4; border-radius: 0 0 8px 8px; padding: 6px; overflow-y: auto; display: flex; flex-direction: column; gap: 6px; min-height: 64px; }
  .board.single .cell { max-height: var(--fit-cell, calc(100vh - 200px)); }
  .board.lanes .cell { max-height: 380px; border-radius: 8px; }
  .cell.target { background: #ddf4ff; box-shadow: inset 0 0 0 2px #54aeff; }
  .card { position: relative; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 28px 8px 10px; box-shadow: 0 1px 0 rgba(31, 35, 40, 0.04); cursor: grab; user-select: none; touch-action: none; }
  .card.readonly { cursor: default; touch-action: auto; }
  .card.dragging { opacity: 0.35; }
  .card.grabbed { box-shadow: 0 0 0 2px #0969da; }
  .card.pending { opacity: 0.7; }
  .card.refused { border-color: #ff8182; }
  .card .title { font-weight: 600; margin-bottom: 2px; overflow-wrap: anywhere; }
  .card dl { margin: 0; display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: 0 8px; font-size: 12px; }
  .card dt { color: #57606a; max-width: 96px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .card dd { margin: 0; overflow-wrap: break-word; min-width: 0; }
  .card .note { margin-top: 4px; font-size: 12px; color: #82071e; }
  .card .menu-button { position: absolute; top: 4px; right: 4px; padding: 0 6px; border: none; background: transparent; color: #57606a; }
  .menu { position: absolute; right: 4px; top: 26px; z-index: 5; display: flex; flex-direction: column; min-width: 160px; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; box-shadow: 0 8px 24px rgba(140, 149, 159, 0.3); padding: 4px; }
  .menu .label { font-size: 12px; color: #57606a; padding: 2px 8px; }
  .menu button { border: none; background: transparent; text-align: left; padding: 4px 8px; }
  .menu button:hover, .menu button:focus { background: #ddf4ff; }
  .more-row { align-self: center; }
  .more { font-size: 12px; }
  .empty { color: #57606a; font-size: 12px; text-align: center; padding: 8px 0; }
  dialog[data-kanban-ask] { border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; min-width: 320px; max-width: 480px; box-shadow: 0 8px 24px rgba(140, 149, 159, 0.4); }
  dialog[data-kanban-ask]::backdrop { background: rgba(31, 35, 40, 0.3); }
  dialog[data-kanban-ask] h3 { margin: 0 0 4px; font-size: 16px; }
  dialog[data-kanban-ask] .ask-card { margin: 0 0 8px; font-weight: 600; }
  dialog[data-kanban-ask] p { margin: 0 0 8px; color: #57606a; }
  dialog[data-kanban-ask] label { display: block; font-weight: 600; margin: 8px 0 4px; }
  dialog[data-kanban-ask] textarea, dialog[data-kanban-ask] input, dialog[data-kanban-ask] select { width: 100%; font: inherit; padding: 6px 8px; border: 1px solid #d0d7de; border-radius: 6px; }
  dialog[data-kanban-ask] .ask-missing { color: #82071e; }
  dialog[data-kanban-ask] .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
  button.primary { background: #0969da; border-color: #0969da; color: #fff; }
  .ghost { position: fixed; z-index: 1000; pointer-events: none; background: #fff; border: 1px solid #54aeff; border-radius: 6px; padding: 8px 10px; box-shadow: 0 8px 24px rgba(140, 149, 159, 0.4); font-weight: 600; transform: rotate(2deg); }
`;
