/**
 * Physical names are computed from stable ids, never stored and never taken from a request:
 * renaming a table or field touches only metadata.
 */
const ID = /^(tbl|fld)_([a-z0-9]{12})$/;

function suffix(id: string, kind: "tbl" | "fld"): string {
  const m = ID.exec(id);
  if (!m || m[1] !== kind) throw new Error(`not a ${kind} id: ${JSON.stringify(id)}`);
  return m[2]!;
}

export { newId } from "../db/ids";

/** Physical table of a user table's slot: slot 0 holds system columns, later slots extend it. */
export function physicalTable(tableId: string, slot = 0): string {
  const s = suffix(tableId, "tbl");
  return slot === 0 ? `t_${s}` : `t_${s}_${slot}`;
}

/** The (first) column of a field. */
export function column(fieldId: string): string {
  return `c_${suffix(fieldId, "fld")}`;
}

/** Second column of two-column types (currency code). */
export function column2(fieldId: string): string {
  return `${column(fieldId)}_2`;
}

/** Junction table of a link pair, named after the owning side's field. */
export function junctionTable(ownerFieldId: string): string {
  return `l_${suffix(ownerFieldId, "fld")}`;
}

export function indexName(fieldId: string): string {
  return `i_${suffix(fieldId, "fld")}`;
}

/** The unique index of a field whose options say `unique`. */
export function uniqueIndexName(fieldId: string): string {
  return `u_${suffix(fieldId, "fld")}`;
}

/** The named CHECK of a decimal field whose options declare `min` (a batch breaking it fails whole). */
export function minCheckName(fieldId: string): string {
  return `m_${suffix(fieldId, "fld")}`;
}

/** Double-quotes an identifier that this module produced. */
export function q(identifier: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(identifier)) throw new Error(`refusing identifier ${JSON.stringify(identifier)}`);
  return `"${identifier}"`;
}
