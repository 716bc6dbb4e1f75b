/**
 * DDL for user tables. Every identifier comes from names.ts (stable ids), never from a request.
 *
 * D1 caps a physical table at 100 columns, so a table's fields are spread over "slots": slot 0 is
 * the main table with the system columns, slots 1.. are extension tables sharing its ids. Every
 * record has a row in every slot, so reads join on id and writes update each slot they touch.
 */
import { columnCount } from "./field-types";
import { column, column2, indexName, junctionTable, physicalTable, q } from "./names";
import type { FieldMeta, TableMeta } from "./types";

/** Columns we allow per physical table; D1's hard limit is 100. */
export const MAX_COLUMNS_PER_SLOT = 96;
const SYSTEM_COLUMNS = ["id", "created_at", "created_by", "updated_at", "updated_by", "version"] as const;
export const SYSTEM_COLUMN_COUNT = SYSTEM_COLUMNS.length;

export function createTableSql(tableId: string): string[] {
  const t = q(physicalTable(tableId));
  return [
    `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT, version INTEGER NOT NULL DEFAULT 1)`,
  ];
}

/** A new extension slot, with a row for every existing record. */
export function createSlotSql(tableId: string, slot: number): string[] {
  const ext = q(physicalTable(tableId, slot));
  return [`CREATE TABLE ${ext} (id INTEGER PRIMARY KEY)`, `INSERT INTO ${ext} (id) SELECT id FROM ${q(physicalTable(tableId))}`];
}

export function dropTableSql(table: TableMeta): string[] {
  const out: string[] = [];
  for (const f of [...table.fields, ...table.deletedFields]) {
    if (f.type === "link" && f.options.owner) out.push(`DROP TABLE IF EXISTS ${q(junctionTable(f.id))}`);
  }
  for (let s = table.slots - 1; s >= 0; s--) out.push(`DROP TABLE IF EXISTS ${q(physicalTable(table.id, s))}`);
  return out;
}

/** Columns used per slot, counting soft-deleted fields (their columns remain until purged). */
function usedColumns(table: TableMeta): number[] {
  const used: number[] = Array.from({ length: table.slots }, (_, i) => (i === 0 ? SYSTEM_COLUMN_COUNT : 1));
  for (const f of [...table.fields, ...table.deletedFields]) used[f.slot] = (used[f.slot] ?? 1) + columnCount(f);
  return used;
}

/** Picks the slot for a new field; `slots` grows when every slot is full. */
export function placeField(table: TableMeta, type: FieldMeta["type"]): { slot: number; newSlot: boolean } {
  const need = columnCount({ type });
  if (need === 0) return { slot: 0, newSlot: false };
  const used = usedColumns(table);
  const slot = used.findIndex((n) => n + need <= MAX_COLUMNS_PER_SLOT);
  return slot >= 0 ? { slot, newSlot: false } : { slot: table.slots, newSlot: true };
}

/** Free columns left in a field's slot (a type change to currency needs one more). */
export function freeColumnsInSlot(table: TableMeta, slot: number): number {
  return MAX_COLUMNS_PER_SLOT - (usedColumns(table)[slot] ?? MAX_COLUMNS_PER_SLOT);
}

export function addFieldSql(tableId: string, f: Pick<FieldMeta, "id" | "type" | "slot" | "indexed">): string[] {
  if (f.type === "link") return [];
  const t = q(physicalTable(tableId, f.slot));
  // Rows that exist before a checkbox is added read as false and sort with the other falses.
  const out = [`ALTER TABLE ${t} ADD COLUMN ${q(column(f.id))}${f.type === "checkbox" ? " DEFAULT 0" : ""}`];
  if (columnCount(f) === 2) out.push(`ALTER TABLE ${t} ADD COLUMN ${q(column2(f.id))}`);
  if (f.indexed || f.type === "user" || f.type === "autonumber") out.push(createIndexSql(tableId, f));
  if (f.type === "autonumber") {
    // Existing rows are numbered in creation order.
    out.push(
      `UPDATE ${t} SET ${q(column(f.id))} = r.n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${t}) AS r WHERE r.id = ${t}.id`,
    );
  }
  return out;
}

export function createIndexSql(tableId: string, f: Pick<FieldMeta, "id" | "slot">): string {
  return `CREATE INDEX IF NOT EXISTS ${q(indexName(f.id))} ON ${q(physicalTable(tableId, f.slot))} (${q(column(f.id))})`;
}

export function dropIndexSql(f: Pick<FieldMeta, "id">): string {
  return `DROP INDEX IF EXISTS ${q(indexName(f.id))}`;
}

/** Adds the currency-code column when a field becomes currency. */
export function addSecondColumnSql(tableId: string, f: Pick<FieldMeta, "id" | "slot">): string {
  return `ALTER TABLE ${q(physicalTable(tableId, f.slot))} ADD COLUMN ${q(column2(f.id))}`;
}

/** Drops the currency-code column when a field stops being currency (keeps slot accounting true). */
export function dropSecondColumnSql(tableId: string, f: Pick<FieldMeta, "id" | "slot">): string {
  return `ALTER TABLE ${q(physicalTable(tableId, f.slot))} DROP COLUMN ${q(column2(f.id))}`;
}

export function dropFieldSql(tableId: string, f: FieldMeta): string[] {
  if (f.type === "link") return f.options.owner ? [`DROP TABLE IF EXISTS ${q(junctionTable(f.id))}`] : [];
  const t = q(physicalTable(tableId, f.slot));
  const out = [dropIndexSql(f), `ALTER TABLE ${t} DROP COLUMN ${q(column(f.id))}`];
  if (columnCount(f) === 2) out.push(`ALTER TABLE ${t} DROP COLUMN ${q(column2(f.id))}`);
  return out;
}

/** The junction of a link pair: a = record of the owning side's table, b = record of the target. */
export function createJunctionSql(ownerFieldId: string): string[] {
  const j = junctionTable(ownerFieldId);
  return [
    `CREATE TABLE ${q(j)} (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID`,
    `CREATE INDEX ${q(`${j}_b`)} ON ${q(j)} (b, a)`,
  ];
}
