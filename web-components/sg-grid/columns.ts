/**
 * The grid's column set: Handsontable column settings for the shown fields (editor, renderer, lock,
 * width from the view's layout) and the sort as the server takes it ("-amount") both ways to and
 * from Handsontable's header indicators. Multi-selects and links are not sortable on the server.
 */
import { columnFor, type CellContext } from "./cells";
import type { GridField } from "./values";

type SortDest = { column: number; sortOrder: "asc" | "desc" };

const UNSORTABLE = new Set(["multi_select", "link"]);

/** Column settings and widths for `fields`; a column is locked where `locked(f)`. */
export function columnSet(
  fields: GridField[],
  layout: Record<string, unknown> | undefined,
  contextOf: (f: GridField) => CellContext,
  locked: (f: GridField) => boolean,
) {
  const widths = (layout?.columnWidths ?? {}) as Record<string, number>;
  const columns = fields.map((f) => columnFor(contextOf(f), locked(f)));
  return {
    columns,
    lockedCols: columns.map((c) => c.readOnly === true),
    colWidths: fields.map((f) => widths[f.name] ?? (f.type === "long_text" ? 260 : f.type === "checkbox" ? 80 : 150)),
    frozen: Number(layout?.frozenColumns ?? 0),
  };
}

/** Header clicks -> the server's sort keys (`-amount`), leaving out fields the server cannot sort. */
export function sortFromHeaders(dest: SortDest[], fieldAt: (col: number) => GridField | undefined): string[] {
  return dest
    .map((d) => ({ f: fieldAt(d.column), d }))
    .filter((x) => x.f && !UNSORTABLE.has(x.f.type))
    .map(({ f, d }) => `${d.sortOrder === "desc" ? "-" : ""}${f!.name}`);
}

/** The server's sort keys -> Handsontable's indicator (the first key that is a shown column). */
export function sortIndicator(sort: string[], fields: GridField[]): SortDest[] {
  return sort
    .map((s) => ({
      column: fields.findIndex((f) => f.name === s.replace(/^-/, "")),
      sortOrder: (s.startsWith("-") ? "desc" : "asc") as SortDest["sortOrder"],
    }))
    .filter((c) => c.column >= 0)
    .slice(0, 1);
}
