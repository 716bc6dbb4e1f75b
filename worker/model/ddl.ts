/**
 * DDL for user tables. Every identifier comes from names.ts (stable ids), never from a request.
 *
 * D1 caps a physical table at 100 columns, so a table's fields are spread over "slots": slot 0 is
 * the main table with the system columns, slots 1.. are extension tables sharing its ids. Every
 * record has a row in every slot, so reads join on id and writes update each slot they touch.
 */
import { DEFAULT_PADDING, formatNumber } from "./autonumber";
import { columnCount, typeSpec } from "./field-types";
import { scaleOf, toUnits } from "./decimal";
import { minUnlessSql } from "./min-unless";
import { column, column2, indexName, junctionTable, minCheckName, physicalTable, q, uniqueIndexName } from "./names";
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
  return [
    `CREATE TABLE ${ext} (id INTEGER PRIMARY KEY)`,
    `INSERT INTO ${ext} (id) SELECT id FROM ${q(physicalTable(tableId))}`,
  ];
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

export function addFieldSql(
  tableId: string,
  f: Pick<FieldMeta, "id" | "type" | "slot" | "indexed"> & { options?: FieldMeta["options"] },
  /** An autonumber's counter floor (model/autonumber.ts): existing rows are numbered above it. */
  floor = 0,
): string[] {
  if (f.type === "link") return [];
  const t = q(physicalTable(tableId, f.slot));
  // Rows that exist before a checkbox is added read as false and sort with the other falses.
  const out = [
    `ALTER TABLE ${t} ADD COLUMN ${q(column(f.id))}${f.type === "checkbox" ? " DEFAULT 0" : ""}${minCheckSql(f)}`,
  ];
  if (columnCount(f) === 2) out.push(`ALTER TABLE ${t} ADD COLUMN ${q(column2(f.id))}`);
  if (f.indexed || f.type === "user" || f.type === "autonumber") out.push(createIndexSql(tableId, f));
  if (f.options?.unique) out.push(createUniqueSql(tableId, f));
  if (f.type === "autonumber") {
    // Existing rows are numbered in creation order.
    const fmt = f.options?.format;
    // A formatted number's text: the format's prefix is letters, digits and _./- only (field.schema.json).
    const value = fmt
      ? `${sqlText(formatNumber(fmt, floor).slice(0, -(fmt.padding ?? DEFAULT_PADDING)))} || printf('%0${fmt.padding ?? DEFAULT_PADDING}d', r.n)`
      : "r.n";
    out.push(
      `UPDATE ${t} SET ${q(column(f.id))} = ${value} FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${t}) AS r WHERE r.id = ${t}.id`,
    );
  }
  return out;
}

/**
 * A decimal's declared `min` as a named CHECK on its column: no statement, concurrent or not, can
 * store less (db/batch.ts maps its failure to a 409). Fixed at creation: SQLite cannot add a CHECK
 * to an existing column.
 */
function minCheckSql(f: Pick<FieldMeta, "id" | "type"> & { options?: FieldMeta["options"] }): string {
  if (f.type !== "decimal" || typeof f.options?.min !== "number") return "";
  const r = toUnits(String(f.options.min), scaleOf(f.options));
  if (!r.ok) throw new Error(`decimal min ${f.options.min} does not fit the field's scale`);
  const unless = f.options.minUnless;
  const floor = `${q(column(f.id))} >= ${r.units}`;
  // A conditional minimum (model/min-unless.ts): other checkbox columns of the row may lift it.
  const cond =
    unless && Object.keys(unless).length ? `${floor} OR (${minUnlessSql(unless, (id) => q(column(id)))})` : floor;
  return ` CONSTRAINT ${q(minCheckName(f.id))} CHECK (${cond})`;
}

/** Text compares case-insensitively (ASCII) for uniqueness: SKU-1 and sku-1 are the same code. */
const CASELESS = new Set<FieldMeta["type"]>(["text", "email", "phone", "url"]);

export function createUniqueSql(tableId: string, f: Pick<FieldMeta, "id" | "slot" | "type">): string {
  const collate = CASELESS.has(f.type) ? " COLLATE NOCASE" : "";
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${q(uniqueIndexName(f.id))} ON ${q(physicalTable(tableId, f.slot))} (${q(column(f.id))}${collate})`;
}

export function dropUniqueSql(f: Pick<FieldMeta, "id">): string {
  return `DROP INDEX IF EXISTS ${q(uniqueIndexName(f.id))}`;
}

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

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
  // The derived (owner, field) index goes too: SQLite refuses to drop an indexed column.
  const out = [
    dropIndexSql(f),
    dropUniqueSql(f),
    `DROP INDEX IF EXISTS ${q(derivedName(indexName(f.id)))}`,
    `ALTER TABLE ${t} DROP COLUMN ${q(column(f.id))}`,
  ];
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

/**
 * An index the access engine needs rather than one a field asked for. `sql` is the exact text SQLite
 * keeps in sqlite_master, so a changed definition (e.g. a new owner field) is detected by comparing it.
 */
export interface DerivedIndex {
  name: string;
  sql: string;
}

/** Names of derived indexes start with this; nothing else in the database does. */
export const DERIVED_INDEX_PREFIX = "o_";

function derivedName(physicalName: string): string {
  // i_<field suffix> -> o_<field suffix>; t_<table suffix> -> ob_<table suffix> (created_by alone).
  return physicalName.startsWith("i_")
    ? `${DERIVED_INDEX_PREFIX}${physicalName.slice(2)}`
    : `${DERIVED_INDEX_PREFIX}b_${physicalName.slice(2)}`;
}

/**
 * Indexes for tables that some role reads by `own` or `team`. Their row filter is `owner IN (...)`,
 * and with single-column indexes SQLite either takes the owner index and sorts every row the user
 * owns (~100 ms at 1M rows) or walks the sort index skipping everyone else's rows. A composite
 * (owner, F) serves "my rows ordered or ranged by F" as one index range. F is every field that
 * leads the sort of one of the table's views (`sortFields`): views are where an order is chosen on
 * purpose, and each composite roughly doubles what an index costs a bulk insert, so they are not
 * made for every indexed field. The owner column is the table's owner field, or created_by when it
 * has none (which then also gets an index of its own; user fields always have one). Only fields in
 * the owner's slot qualify.
 */
export function ownerIndexes(
  table: TableMeta,
  ownerField: FieldMeta | null,
  sortFields: ReadonlySet<string>,
): DerivedIndex[] {
  const slot = ownerField ? ownerField.slot : 0;
  const ownerCol = ownerField ? column(ownerField.id) : "created_by";
  const phys = physicalTable(table.id, slot);
  const out: DerivedIndex[] = [];
  if (!ownerField)
    out.push({ name: derivedName(phys), sql: `CREATE INDEX ${q(derivedName(phys))} ON ${q(phys)} (${q(ownerCol)})` });
  for (const f of table.fields) {
    if (
      !sortFields.has(f.id) ||
      f.slot !== slot ||
      f.id === ownerField?.id ||
      columnCount(f) === 0 ||
      !typeSpec(f.type).sortable
    )
      continue;
    const name = derivedName(indexName(f.id));
    out.push({ name, sql: `CREATE INDEX ${q(name)} ON ${q(phys)} (${q(ownerCol)}, ${q(column(f.id))})` });
  }
  return out;
}

/**
 * Statements that turn the derived indexes that exist (`existing`, rows of sqlite_master) into the
 * `wanted` ones: drop what is no longer wanted or was defined differently, create what is missing.
 */
export function reconcileIndexesSql(
  wanted: DerivedIndex[],
  existing: { name: string; sql: string | null }[],
): string[] {
  const want = new Map(wanted.map((w) => [w.name, w.sql]));
  const have = new Map(
    existing.filter((e) => e.name.startsWith(DERIVED_INDEX_PREFIX)).map((e) => [e.name, e.sql ?? ""]),
  );
  const out: string[] = [];
  for (const [name, sql] of have) if (want.get(name) !== sql) out.push(`DROP INDEX IF EXISTS ${q(name)}`);
  for (const [name, sql] of want)
    if (have.get(name) !== sql) out.push(sql.replace(/^CREATE INDEX /, "CREATE INDEX IF NOT EXISTS "));
  return out;
}
