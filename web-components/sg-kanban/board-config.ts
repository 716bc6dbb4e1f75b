/**
 * Which board a <sg-kanban> shows and how it is arranged, from the element's attributes and the
 * metadata the server sent: where the data comes from (a view, a table or an embed token), the
 * column field, the swimlane field, the card title and fields, and the field whose sums the headers
 * show. Pure: no network, no DOM.
 */
import type { TableInfo, ViewInfo } from "../api/client";
import type { BoardTarget } from "./board-data";
import { GROUPABLE, pickSumField, type BoardField } from "./board-model";

export interface BoardConfig {
  /** The column field (a single-select or user field); null when the table has none. */
  group: BoardField | null;
  /** The swimlane field, or null for one row of cells. */
  lane: BoardField | null;
  /** The field whose sums the headers show. */
  sum: BoardField | null;
  /** The card's title. */
  primary: BoardField | null;
  /** The fields a card lists under its title. */
  cardFields: BoardField[];
}

export const NO_CONFIG: BoardConfig = { group: null, lane: null, sum: null, primary: null, cardFields: [] };

/** An embed token reads its own view; otherwise the view attribute, else the table attribute. */
export function boardTarget(embedded: boolean, view: string, table: string): BoardTarget | null {
  if (embedded) return { kind: "embed" };
  if (view) return { kind: "view", view };
  if (table) return { kind: "table", table };
  return null;
}

/**
 * The board's arrangement: columns by the view's groupBy (else the first single-select), swimlanes by
 * `laneChoice` (undefined follows the view's layout, "" means none), the sum field the view names (else
 * the first currency field shown), cards titled by the primary field and listing the view's fields.
 */
export function configureBoard(t: TableInfo, v: ViewInfo | null, laneChoice: string | undefined): BoardConfig {
  const fields = t.fields as BoardField[];
  const byName = new Map(fields.map((f) => [f.name, f]));
  const groupName = v?.groupBy ?? fields.find((f) => f.type === "single_select")?.name;
  let group = (groupName && byName.get(groupName)) || null;
  if (group && !GROUPABLE.has(group.type)) group = null;
  const layout = (v?.layout ?? {}) as { sumField?: string; swimlaneField?: string };
  const laneName = laneChoice === undefined ? layout.swimlaneField : laneChoice;
  const laneField = laneName ? byName.get(laneName) : undefined;
  const lane = laneField && GROUPABLE.has(laneField.type) && laneField.name !== group?.name ? laneField : null;
  const primary = fields.find((f) => f.id === t.primaryFieldId) ?? fields[0] ?? null;
  const shown = v?.fields?.length ? v.fields : fields.slice(0, 6).map((f) => f.name);
  const cardFields = shown
    .map((n) => byName.get(n))
    .filter((f): f is BoardField => !!f && f !== group && f !== primary && f !== lane);
  return { group, lane, primary, cardFields, sum: pickSumField(fields, layout.sumField, shown) };
}

/** Fields the toolbar offers as swimlanes: groupable, other than the columns' field. */
export function laneFields(t: TableInfo | null, group: BoardField | null): BoardField[] {
  return ((t?.fields ?? []) as BoardField[]).filter((f) => GROUPABLE.has(f.type) && f.name !== group?.name);
}
