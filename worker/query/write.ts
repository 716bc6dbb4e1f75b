/**
 * Write statements. Rows travel as one JSON parameter read with json_each, so a statement writes
 * hundreds of rows with a single bound value (D1 allows 100 per statement); callers chunk the JSON
 * to stay under D1's 2 MB value limit. Guards insert into sg_guard, whose CHECK aborts the whole
 * batch, when an invariant a write relied on no longer holds.
 */
import { column, column2, junctionTable, physicalTable, q } from "../model/names";
import type { FieldMeta } from "../model/types";
import { typeSpec } from "../model/field-types";
import type { TableMeta } from "../model/types";
import { Columns } from "./columns";
import { compileFilter, type FilterNode } from "./filter";
import { Params } from "./params";
import { chunkJson, type GuardReason, type Stmt } from "../db/batch";

export { chunkJson, type GuardReason, type Stmt };

/** Physical columns a field writes, in the order `encode` returns values. */
export function fieldColumns(f: FieldMeta): string[] {
  const n = typeSpec(f.type).columns;
  return n === 0 ? [] : n === 1 ? [column(f.id)] : [column(f.id), column2(f.id)];
}

export const SYSTEM_INSERT_COLUMNS = ["id", "created_at", "created_by", "updated_at", "updated_by", "version"];

/** INSERT of rows given as JSON arrays in `columns` order. */
export function insertRows(tableId: string, slot: number, columns: string[], rowsJson: string): Stmt {
  const list = columns.map((c) => q(c)).join(", ");
  const values = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  return {
    sql: `INSERT INTO ${q(physicalTable(tableId, slot))} (${list}) SELECT ${values} FROM json_each(?1)`,
    params: [rowsJson],
  };
}

/**
 * UPDATE of rows given as JSON objects {id, v?, c: {column: value}}; a column absent from `c` keeps
 * its value. On slot 0 it checks and bumps the version.
 */
export function updateRows(
  tableId: string,
  slot: number,
  columns: string[],
  rowsJson: string,
  at: string,
  by: string | null,
): Stmt {
  const t = q(physicalTable(tableId, slot));
  const sets = columns.map((c) => {
    const path = `'$.c.${c}'`;
    return `${q(c)} = CASE WHEN json_type(j.value, ${path}) IS NULL THEN ${t}.${q(c)} ELSE json_extract(j.value, ${path}) END`;
  });
  const params: unknown[] = [rowsJson];
  let where = `${t}.id = json_extract(j.value, '$.id')`;
  if (slot === 0) {
    sets.push(`version = ${t}.version + 1`, "updated_at = ?2", "updated_by = ?3");
    params.push(at, by);
    where += ` AND ${t}.version = json_extract(j.value, '$.v')`;
  }
  if (sets.length === 0) sets.push("id = id");
  return { sql: `UPDATE ${t} SET ${sets.join(", ")} FROM json_each(?1) AS j WHERE ${where}`, params };
}

/**
 * Adds to numeric columns in place (`c = COALESCE(c, 0) + delta`) and sets others, for rows given as
 * JSON `[{id, v?, add: {col: delta}, set: {col: value}}]` (ids distinct): concurrent adds never lose
 * one another, and a CHECK on a column (a decimal's `min`) judges the sum as it is when the batch
 * runs. Slot 0 bumps the version, and keeps to the version `v` where a row names one.
 */
export function addToRows(
  tableId: string,
  slot: number,
  adds: string[],
  sets: string[],
  rowsJson: string,
  at: string,
  by: string | null,
): Stmt {
  const t = q(physicalTable(tableId, slot));
  const assign = [
    ...adds.map((c) => `${q(c)} = COALESCE(${t}.${q(c)}, 0) + COALESCE(json_extract(j.value, '$.add.${c}'), 0)`),
    ...sets.map(
      (c) =>
        `${q(c)} = CASE WHEN json_type(j.value, '$.set.${c}') IS NULL THEN ${t}.${q(c)} ELSE json_extract(j.value, '$.set.${c}') END`,
    ),
  ];
  const params: unknown[] = [rowsJson];
  let where = `${t}.id = json_extract(j.value, '$.id')`;
  if (slot === 0) {
    assign.push(`version = ${t}.version + 1`, "updated_at = ?2", "updated_by = ?3");
    params.push(at, by);
    where += ` AND (json_type(j.value, '$.v') IS NULL OR ${t}.version = json_extract(j.value, '$.v'))`;
  }
  if (assign.length === 0) assign.push("id = id");
  return { sql: `UPDATE ${t} SET ${assign.join(", ")} FROM json_each(?1) AS j WHERE ${where}`, params };
}

export function deleteRows(tableId: string, slot: number, idsJson: string): Stmt {
  return {
    sql: `DELETE FROM ${q(physicalTable(tableId, slot))} WHERE id IN (SELECT value FROM json_each(?1))`,
    params: [idsJson],
  };
}

/** Deletes main-table rows given as {id, v?}: a row whose version moved past `v` stays (the guard then aborts). */
export function deleteVersionedRows(tableId: string, itemsJson: string): Stmt {
  const t = q(physicalTable(tableId));
  return {
    sql: `DELETE FROM ${t} WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each(?1)) AND version = COALESCE((SELECT json_extract(j.value, '$.v') FROM json_each(?1) AS j WHERE json_extract(j.value, '$.id') = ${t}.id), version)`,
    params: [itemsJson],
  };
}

/** Aborts the batch unless the previous statement changed exactly `n` rows. */

export function guardChanges(n: number, reason: GuardReason): Stmt {
  return { sql: "INSERT INTO sg_guard (reason) SELECT ?2 WHERE changes() <> ?1", params: [n, reason] };
}

/** Aborts the batch unless all `ids` exist in the table (link targets deleted meanwhile). */
export function guardExists(tableId: string, idsJson: string, n: number, reason: GuardReason): Stmt {
  return {
    sql: `INSERT INTO sg_guard (reason) SELECT ?3 WHERE (SELECT COUNT(*) FROM ${q(physicalTable(tableId))} WHERE id IN (SELECT value FROM json_each(?1))) <> ?2`,
    params: [idsJson, n, reason],
  };
}

function junction(f: FieldMeta) {
  const owner = f.options.owner === true;
  return {
    table: q(junctionTable(owner ? f.id : f.options.inverseField!)),
    mine: owner ? "a" : "b",
    theirs: owner ? "b" : "a",
  };
}

/** Removes every link of the given records through field `f`. */
export function unlinkAll(f: FieldMeta, idsJson: string): Stmt {
  const j = junction(f);
  return { sql: `DELETE FROM ${j.table} WHERE ${j.mine} IN (SELECT value FROM json_each(?1))`, params: [idsJson] };
}

/** Removes links held by the given *target* records (a single-valued owner side moving). */
export function unlinkTargets(f: FieldMeta, targetIdsJson: string): Stmt {
  const j = junction(f);
  return {
    sql: `DELETE FROM ${j.table} WHERE ${j.theirs} IN (SELECT value FROM json_each(?1))`,
    params: [targetIdsJson],
  };
}

/**
 * Gives record `to` the links that records `fromIdsJson` hold through `f`, as they stand when the
 * statement runs, so links made after anything was read move too. `single`: only when `to` has none,
 * and only the first (in the order of `fromIdsJson`).
 */
export function moveLinks(f: FieldMeta, fromIdsJson: string, to: number, single: boolean): Stmt {
  const j = junction(f);
  const only = single
    ? ` WHERE NOT EXISTS (SELECT 1 FROM ${j.table} WHERE ${j.mine} = ?2) ORDER BY m.key, l.${j.theirs} LIMIT 1`
    : "";
  return {
    sql: `INSERT OR IGNORE INTO ${j.table} (${j.mine}, ${j.theirs}) SELECT ?2, l.${j.theirs} FROM json_each(?1) AS m JOIN ${j.table} AS l ON l.${j.mine} = m.value${only}`,
    params: [fromIdsJson, to],
  };
}

/** Inserts [mine, theirs] pairs. */
export function linkPairs(f: FieldMeta, pairsJson: string): Stmt {
  const j = junction(f);
  return {
    sql: `INSERT OR IGNORE INTO ${j.table} (${j.mine}, ${j.theirs}) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)`,
    params: [pairsJson],
  };
}

/** A row check in a lookup: a filter, null for every row, false for none. */
export type RowCheck = FilterNode | null | false;

function flag(check: RowCheck, cols: Columns, params: Params): string {
  if (check === false) return "0";
  if (check === null) return "1";
  return `CASE WHEN ${compileFilter(check, cols, params)} THEN 1 ELSE 0 END`;
}

/**
 * Link targets by id: version, and whether each matches the caller's read rule (`r`) and update
 * rule (`u`) now. A missing id is a target that does not exist.
 */
export function linkTargetRows(table: TableMeta, idsJson: string, read: RowCheck, update: RowCheck): Stmt {
  const cols = new Columns(table);
  const params = new Params();
  const ids = params.add(idsJson);
  const r = flag(read, cols, params);
  const u = flag(update, cols, params);
  return {
    sql: `SELECT s0.id AS id, s0.version AS version, ${r} AS r, ${u} AS u FROM ${cols.from()} WHERE s0.id IN (SELECT value FROM json_each(${ids}))`,
    params: params.values,
  };
}

/** The records of `table` holding `targets` through `f` now, and whether each matches `update`. */
export function linkHolderRows(table: TableMeta, f: FieldMeta, targetIdsJson: string, update: RowCheck): Stmt {
  const cols = new Columns(table);
  const params = new Params();
  const ids = params.add(targetIdsJson);
  const u = flag(update, cols, params);
  const j = junction(f);
  return {
    sql: `SELECT l.${j.theirs} AS target, s0.id AS id, ${u} AS u FROM ${cols.from()} JOIN ${j.table} AS l ON l.${j.mine} = s0.id WHERE l.${j.theirs} IN (SELECT value FROM json_each(${ids}))`,
    params: params.values,
  };
}

/** Bumps the version of rows whose link value changed without the caller deciding it (plugin-derived links). */
export function bumpVersions(tableId: string, idsJson: string, at: string, by: string | null): Stmt {
  const t = q(physicalTable(tableId));
  return {
    sql: `UPDATE ${t} SET version = version + 1, updated_at = ?2, updated_by = ?3 WHERE id IN (SELECT value FROM json_each(?1))`,
    params: [idsJson, at, by],
  };
}

/**
 * Before records `counterpartIdsJson` of table `counterpartTableId` lose their links (deleted, merged):
 * bumps the version of every record linked to them through `h`, the field on that record's side,
 * leaving out the counterparts themselves when the link is a self-link.
 */
export function bumpLinked(
  h: FieldMeta,
  counterpartTableId: string,
  counterpartIdsJson: string,
  at: string,
  by: string | null,
): Stmt {
  const t = q(physicalTable(h.tableId));
  const j = junction(h);
  const self = h.tableId === counterpartTableId ? " AND id NOT IN (SELECT value FROM json_each(?1))" : "";
  return {
    sql: `UPDATE ${t} SET version = version + 1, updated_at = ?2, updated_by = ?3 WHERE id IN (SELECT ${j.mine} FROM ${j.table} WHERE ${j.theirs} IN (SELECT value FROM json_each(?1)))${self}`,
    params: [counterpartIdsJson, at, by],
  };
}

const AUDIT_INSERT = "INSERT INTO sg_audit (at, user_id, action, table_id, record_id, changes, request_id, embed_id)";

/**
 * Link changes seen from the other side are audited as deltas, `{fieldId: {added: [...], removed: [...]}}`,
 * not as the whole list before and after: a pipeline holds every deal, and writing its full list on each
 * deal's create would cost a scan and grow the audit by the list's size per write.
 */
const delta = (added: string, removed: string) => `json_object('added', json(${added}), 'removed', json(${removed}))`;

/**
 * Before records `counterpartIdsJson` are deleted: an `update` audit row for every record linked to
 * them through `h`, naming the ids it loses, read from the junction as it is then.
 */
export function auditUnlinked(
  h: FieldMeta,
  counterpartTableId: string,
  counterpartIdsJson: string,
  at: string,
  userId: string | null,
  requestId: string | null,
  embedId: string | null,
): Stmt {
  const j = junction(h);
  const gone = "(SELECT value FROM json_each(?1))";
  const self = h.tableId === counterpartTableId ? ` AND ${j.mine} NOT IN ${gone}` : "";
  const lost = `(SELECT json_group_array(y) FROM (SELECT l.${j.theirs} AS y FROM ${j.table} AS l WHERE l.${j.mine} = x.id AND l.${j.theirs} IN ${gone} ORDER BY y))`;
  return {
    sql: `${AUDIT_INSERT} SELECT ?2, ?3, 'update', ?4, x.id, json_object(?5, ${delta("'[]'", lost)}), ?6, ?7 FROM (SELECT DISTINCT ${j.mine} AS id FROM ${j.table} WHERE ${j.theirs} IN ${gone}${self}) AS x`,
    params: [counterpartIdsJson, at, userId, h.tableId, h.id, requestId, embedId],
  };
}

/** An `update` audit row per record given as {id, add, rm}: the ids its value through `h` gained and lost. */
export function auditLinkDeltas(
  h: FieldMeta,
  deltasJson: string,
  at: string,
  userId: string | null,
  requestId: string | null,
  embedId: string | null,
): Stmt {
  const d = (k: string) => `json_extract(d.value, '$.${k}')`;
  return {
    sql: `${AUDIT_INSERT} SELECT ?2, ?3, 'update', ?4, ${d("id")}, json_object(?5, ${delta(d("add"), d("rm"))}), ?6, ?7 FROM json_each(?1) AS d`,
    params: [deltasJson, at, userId, h.tableId, h.id, requestId, embedId],
  };
}

/**
 * Audit rows given as JSON arrays [action, record_id, changes]; changes is an object (json_extract keeps
 * its JSON text exactly as sent) or a JSON string. `embedId` names the embed token acted through.
 */
export function insertAudit(
  rowsJson: string,
  at: string,
  userId: string | null,
  tableId: string | null,
  requestId: string | null,
  embedId: string | null = null,
): Stmt {
  return {
    sql: "INSERT INTO sg_audit (at, user_id, action, table_id, record_id, changes, request_id, embed_id) SELECT ?2, ?3, json_extract(value, '$[0]'), ?4, json_extract(value, '$[1]'), json_extract(value, '$[2]'), ?5, ?6 FROM json_each(?1)",
    params: [rowsJson, at, userId, tableId, requestId, embedId],
  };
}

/** Reserves `n` consecutive record ids; returns the first. Run before the batch (gaps are harmless). */
export function reserveRecordIds(tableId: string, n: number): Stmt {
  return {
    sql: "UPDATE sg_tables SET next_record_id = next_record_id + ?1 WHERE id = ?2 RETURNING next_record_id - ?1 AS first",
    params: [n, tableId],
  };
}

/** `floor`: the counter first moves up to floor + 1 (a formatted autonumber's new year starts at 1). */
export function reserveNumbers(fieldId: string, n: number, floor = 0): Stmt {
  return {
    sql: "UPDATE sg_fields SET next_number = MAX(next_number, ?3 + 1) + ?1 WHERE id = ?2 RETURNING next_number - ?1 AS first",
    params: [n, fieldId, floor],
  };
}

export function existingIds(tableId: string, idsJson: string): Stmt {
  return {
    sql: `SELECT id FROM ${q(physicalTable(tableId))} WHERE id IN (SELECT value FROM json_each(?1))`,
    params: [idsJson],
  };
}

export function existingUsers(idsJson: string): Stmt {
  return { sql: "SELECT id FROM sg_users WHERE id IN (SELECT value FROM json_each(?1))", params: [idsJson] };
}

/** Reads a field's stored columns in id order, `limit` rows after `afterId` (for type conversion). */
export function scanColumn(tableId: string, f: FieldMeta, afterId: number, limit: number): Stmt {
  const cols = fieldColumns(f);
  const v2 = cols[1] ? q(cols[1]) : "NULL";
  return {
    sql: `SELECT id, ${q(cols[0]!)} AS v, ${v2} AS v2 FROM ${q(physicalTable(tableId, f.slot))} WHERE id > ?1 ORDER BY id LIMIT ?2`,
    params: [afterId, limit],
  };
}

/** Sets columns of rows given as {id, c: {column: value}}, without touching versions (schema conversions). */
export function updateColumnValues(
  tableId: string,
  slot: number,
  rows: { id: number; c: Record<string, unknown> }[],
): Stmt[] {
  if (rows.length === 0) return [];
  const t = q(physicalTable(tableId, slot));
  const cols = Object.keys(rows[0]!.c);
  const sets = cols.map((c) => `${q(c)} = json_extract(j.value, '$.c.${c}')`).join(", ");
  return chunkJson(rows).map((chunk) => ({
    sql: `UPDATE ${t} SET ${sets} FROM json_each(?1) AS j WHERE ${t}.id = json_extract(j.value, '$.id')`,
    params: [chunk],
  }));
}

/** Aborts the batch (as `denied`) unless every row in `ids` matches `filter` after the batch's writes so far. */
export function guardRowsMatch(table: TableMeta, idsJson: string, n: number, filter: FilterNode): Stmt {
  const cols = new Columns(table);
  const params = new Params();
  const ids = params.add(idsJson);
  const count = params.add(n);
  const where = compileFilter(filter, cols, params);
  return {
    sql: `INSERT INTO sg_guard (reason) SELECT 'denied' WHERE (SELECT COUNT(*) FROM ${cols.from()} WHERE s0.id IN (SELECT value FROM json_each(${ids})) AND ${where}) <> ${count}`,
    params: params.values,
  };
}
