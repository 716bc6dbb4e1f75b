/**
 * From cell changes to bulk writes and back: group edits by record (one PATCH item per record, at
 * most 1000 per request), turn a pasted block into typed changes plus new rows, and map the server's
 * problem+json (422 field errors, 409 conflicts with the current record) back onto cells.
 */
import type { ApiRecord, Problem } from "../api/client";
import { fieldErrorText, problemText } from "../i18n/field-errors";
import { fromSpreadsheetSafe } from "../../lib/spreadsheet-safe";
import { NUMERIC_TYPES, parseValue, SERVER_ASSIGNED, type GridField } from "./values";

/** The API takes at most this many records per request. */
export const MAX_BULK = 1000;

export interface CellChange {
  row: number;
  field: string;
  value: unknown;
}

export interface UpdateItem {
  id: number;
  version: number;
  fields: Record<string, unknown>;
}

export interface CellProblem {
  row: number;
  field: string;
  message: string;
}

/**
 * One update per record (a later change of the same cell wins), in the order rows were first
 * changed, each naming the version the grid holds. Changes to rows not loaded are skipped.
 */
export function planUpdates(
  changes: CellChange[],
  recordAt: (row: number) => ApiRecord | undefined,
): { items: UpdateItem[]; rows: number[] } {
  const byId = new Map<number, { item: UpdateItem; row: number }>();
  for (const c of changes) {
    const rec = recordAt(c.row);
    if (!rec) continue;
    let entry = byId.get(rec.id);
    if (!entry) byId.set(rec.id, (entry = { item: { id: rec.id, version: rec.version, fields: {} }, row: c.row }));
    entry.item.fields[c.field] = c.value;
  }
  const kept = [...byId.values()];
  return { items: kept.map((e) => e.item), rows: kept.map((e) => e.row) };
}

export function chunk<T>(items: T[], size = MAX_BULK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface PastePlan {
  /** Typed changes to existing rows. */
  changes: CellChange[];
  /** Rows past the end of the table, to create (field values by name). */
  newRows: Record<string, unknown>[];
  /** Cells whose text is not a value of their field; nothing is written for them. */
  problems: CellProblem[];
  /** Cells in read-only columns that were left alone. */
  readOnly: number;
}

/**
 * A block of clipboard text (rows of cells) pasted at (row, col) of a grid whose visible columns are
 * `columns`: cells past the last column are dropped; rows past `rowCount` become new rows when
 * `canCreate`, else are dropped.
 */
export function planPaste(
  block: unknown[][],
  at: { row: number; col: number },
  columns: GridField[],
  rowCount: number,
  canWrite: (f: GridField) => boolean,
  canCreate: boolean,
): PastePlan {
  const plan: PastePlan = { changes: [], newRows: [], problems: [], readOnly: 0 };
  block.forEach((cells, i) => {
    const row = at.row + i;
    const isNew = row >= rowCount;
    if (isNew && !canCreate) return;
    const fresh: Record<string, unknown> = {};
    cells.forEach((text, j) => {
      const f = columns[at.col + j];
      if (!f) return;
      if (!canWrite(f) || SERVER_ASSIGNED.has(f.type)) {
        plan.readOnly++;
        return;
      }
      // A leading ' before a formula character is a spreadsheet's "this is text" marker (and what our
      // own copy adds, values.ts clipboardText): the value is what follows it.
      const parsed = parseValue(
        f,
        typeof text === "string" && !NUMERIC_TYPES.has(f.type) ? fromSpreadsheetSafe(text) : text,
      );
      if (!parsed.ok) plan.problems.push({ row, field: f.name, message: parsed.message });
      else if (isNew) fresh[f.name] = parsed.value;
      else plan.changes.push({ row, field: f.name, value: parsed.value });
    });
    if (isNew && Object.keys(fresh).length) plan.newRows.push(fresh);
  });
  return plan;
}

/** What a failed bulk write says about its cells. */
export interface WriteProblems {
  /** 422 and friends: per cell. */
  cells: CellProblem[];
  /** 409: the record as it is now, with the row it sits in. */
  conflicts: { row: number; current: ApiRecord }[];
  /** A message for the whole write (403, 413, network, ...). */
  general: string | null;
}

/**
 * Maps a problem for a bulk write of `items` (shown at `rows`) to cells. Paths are
 * `records/<i>/fields/<name>` (or `fields/<name>` for one record), `records/<i>/version` for stale ones.
 */
export function mapProblem(problem: Problem, items: UpdateItem[], rows: number[]): WriteProblems {
  const out: WriteProblems = { cells: [], conflicts: [], general: null };
  for (const c of problem.conflicts ?? []) {
    const row = rows[c.index];
    if (row !== undefined) out.conflicts.push({ row, current: c.current });
  }
  if (problem.current && items.length === 1 && rows[0] !== undefined)
    out.conflicts.push({ row: rows[0], current: problem.current });
  for (const e of problem.errors ?? []) {
    const m = /^(?:records\/(\d+)\/)?fields\/([^/]+)/.exec(e.field);
    if (m) {
      const index = m[1] === undefined ? 0 : Number(m[1]);
      const row = rows[index];
      if (row !== undefined) {
        out.cells.push({ row, field: m[2]!, message: fieldErrorText(e) });
        continue;
      }
    }
    if (/version$/.test(e.field) && out.conflicts.length) continue;
    out.general ??= fieldErrorText(e);
  }
  if (!out.cells.length && !out.conflicts.length) out.general ??= problemText({ ...problem, errors: [] });
  return out;
}
