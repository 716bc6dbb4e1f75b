/**
 * A column's header: its label (a choice in the UI's language, a user's name), in the choice's
 * colour, with the server's count and sum of its cards; the sum shows as stale while a move is on its
 * way. A swimlane's header: its label and its own count and sum.
 */
import { html, nothing, type TemplateResult } from "lit";
import { formatNumber } from "../i18n/index";
import type { BoardField, Key } from "./board-model";
import { attrKey } from "./cell-view";
import type { BoardLabels } from "./labels";
import { sumText, type BoardTotalsController } from "./totals";

export function renderColumnHeader(
  c: Key,
  group: BoardField,
  sum: BoardField | null,
  totals: BoardTotalsController,
  labels: BoardLabels,
): TemplateResult {
  const t = totals.column(c);
  const color = c === null ? undefined : group.options.choices?.find((x) => x.name === c)?.color;
  const stale = totals.isStale(c);
  return html`
    <div class="colhead" role="heading" aria-level="3" data-col=${attrKey(c)} style=${color ? `--c: ${color}` : ""}>
      <span class="name" ?data-value=${group.type === "user" && c !== null}>${labels.column(c)}</span>
      <span class="count" data-count=${t?.count ?? 0}>${formatNumber(t?.count ?? 0)}</span>
      ${
        sum
          ? html`<div class="sum ${stale ? "stale" : ""}" data-sum=${JSON.stringify(t?.sum ?? null)} aria-busy=${stale ? "true" : "false"}>${sumText(sum, t)}</div>`
          : nothing
      }
    </div>
  `;
}

export function renderLaneHead(
  lane: BoardField,
  l: Key,
  sum: BoardField | null,
  totals: BoardTotalsController,
  labels: BoardLabels,
): TemplateResult {
  const t = totals.lane(l);
  return html`<div class="lanehead" data-lane=${attrKey(l)}>
    <span ?data-value=${lane.type === "user" && l !== null}>${labels.lane(l)}</span>
    ${t ? html`<span class="count" data-lane-total data-count=${t.count} data-sum=${JSON.stringify(t.sum)}>${formatNumber(t.count)}${sum ? html` · ${sumText(sum, t)}` : nothing}</span>` : nothing}
  </div>`;
}
