/**
 * The board's totals line: all cards and their sum, then the open deals apart from the won and the
 * lost ones (when the board knows its stages' kinds), each as the server counted and summed them.
 */
import { html, nothing, type TemplateResult } from "lit";
import { formatNumber, msg, str } from "../i18n/index";
import type { BoardField } from "./board-model";
import { KINDS, type StageKind } from "./stage-kinds";
import { sumText, type BoardTotalsController } from "./totals";

function kindLabel(kind: StageKind): string {
  switch (kind) {
    case "open":
      return msg("Open", { id: "kanban.kind.open" });
    case "won":
      return msg("Won", { id: "kanban.kind.won" });
    default:
      return msg("Lost", { id: "kanban.kind.lost" });
  }
}

export function renderSummary(
  totals: BoardTotalsController,
  sum: BoardField | null,
  readOnly: boolean,
): TemplateResult {
  const o = totals.overall;
  const kinds = KINDS.filter((k) => totals.kinds.has(k));
  return html`${o ? msg(str`${formatNumber(o.count)} cards`, { id: "kanban.cards" }) : nothing}${o && sum ? html` · ${sumText(sum, o)}` : nothing}
    ${kinds.map((k) => {
      const t = totals.kinds.get(k)!;
      return html`<span class="kind ${k}" data-kind-total=${k} data-count=${t.count} data-sum=${JSON.stringify(t.sum)}
        >${kindLabel(k)} ${formatNumber(t.count)}${sum ? html` · ${sumText(sum, t)}` : nothing}</span>`;
    })}
    ${readOnly ? html` · ${msg("Read-only", { id: "kanban.readOnly" })}` : nothing}`;
}
