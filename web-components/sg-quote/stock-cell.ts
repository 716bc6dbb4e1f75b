/**
 * The lines table's stock column: its heading (which warehouses the figures cover) and a line's cell (what
 * is available, each warehouse's figure on hover and for screen readers, and a short mark in words and an
 * icon, not colour alone, when less is available than the line's quantity).
 */
import { html, nothing } from "lit";
import { trimDecimal } from "../i18n/decimal";
import { msg, str } from "../i18n/index";
import type { Warehouse } from "../sg-stock/stock-data";
import { fromUnits, isShort, toUnits, type Availability } from "./availability";
import type { DocKind } from "./kinds";
import { warningIcon } from "../icons";

export function stockHeading(kind: DocKind, scope: Warehouse[]) {
  const where =
    kind === "order" ? (scope[0]?.name ?? "") : msg("all active warehouses", { id: "quote.stock.allWarehouses" });
  return html`<th scope="col" class="num" data-col-head="available">${msg("Available", { id: "quote.col.available" })}${where ? html`<span class="stock-where">${where}</span>` : nothing}</th>`;
}

/**
 * A line's stock cell: empty for a product that does not track stock; `checkShort` is false where a
 * shortage no longer means anything (a confirmed order holds its stock).
 */
export function stockCell(a: Availability | undefined, quantity: unknown, checkShort: boolean) {
  if (!a) return html`<td class="num" data-col="available"></td>`;
  const parts = a.byWarehouse.map((w) => `${w.name}: ${trimDecimal(w.available)}`).join("\n");
  const short = checkShort && isShort(a.available, quantity);
  const missing = short ? fromUnits((toUnits(String(quantity)) ?? 0n) - (toUnits(a.available) ?? 0n)) : "";
  return html`<td class="num" data-col="available">
    <span data-available title=${parts}>${trimDecimal(a.available)}</span>${a.byWarehouse.length > 1 ? html`<span class="visually-hidden"> (${parts.replaceAll("\n", ", ")})</span>` : nothing}
    ${short ? html`<span class="short" data-short>${warningIcon} ${msg(str`Short by ${trimDecimal(missing)}`, { id: "quote.stock.short" })}</span>` : nothing}
  </td>`;
}
