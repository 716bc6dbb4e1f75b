import { css } from "lit";

/** The quote/order document's look: a header of facts and moves, the lines table, the totals. */
export const quoteStyles = css`
  :host { display: block; max-width: 1200px; }
  header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: baseline; margin-bottom: 12px; }
  h1 { margin: 0; font-size: 1.35em; }
  .status { display: inline-block; padding: 1px 10px; border-radius: 10px; background: #e0e7ff; font-size: 0.85em; font-weight: 600; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-left: auto; }
  dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 6px 20px; margin: 0 0 16px; }
  dl.facts div { display: flex; flex-direction: column; }
  dt { color: var(--sg-muted); font-size: 0.85em; }
  dd { margin: 0; }
  .adders { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; margin-bottom: 10px; }
  .adders sg-product-search { flex: 1 1 360px; }
  .paste { border: 1px solid var(--sg-border); border-radius: 8px; padding: 10px; margin-bottom: 10px; background: #fff; }
  .paste textarea { width: 100%; box-sizing: border-box; min-height: 90px; font-family: ui-monospace, monospace; }
  .paste ul { margin: 6px 0 0; padding-left: 20px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { border-bottom: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; vertical-align: middle; }
  th { background: #f6f8fa; font-weight: 600; font-size: 0.9em; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td input { width: 6em; text-align: right; }
  td[data-col="product"] { min-width: 9em; }
  td input.desc { width: 100%; min-width: 10em; text-align: left; box-sizing: border-box; }
  tr.dragging { opacity: 0.5; }
  tr.drop-target td { border-top: 2px solid var(--sg-accent); }
  tr.problem td { border-bottom: none; }
  td.line-error { color: var(--sg-danger); padding-top: 0; }
  .row-tools { display: flex; gap: 4px; white-space: nowrap; }
  .row-tools button { padding: 3px 7px; }
  tfoot td { border-bottom: none; }
  tfoot tr.total td { font-weight: 700; font-size: 1.05em; border-top: 2px solid #1f2328; }
  .empty { padding: 16px; text-align: center; }
  .notes { margin-top: 16px; white-space: pre-wrap; }
  .busy { color: var(--sg-muted); font-size: 0.9em; }
  th .stock-where { display: block; font-weight: 400; font-size: 0.8em; color: var(--sg-muted); }
  td[data-col="available"] .short { display: block; color: var(--sg-danger); font-weight: 600; font-size: 0.85em; }
  .sku { font-family: ui-monospace, monospace; color: var(--sg-muted); font-size: 0.9em; }
`;
