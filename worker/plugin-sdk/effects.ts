/**
 * Effects beyond insert and update by key (plugins/effects.ts): what an action that rewires records
 * needs (the customers merge), on any field of a table, including fields an admin added. Each
 * returns statements for one batch (runEffects); every row write is guarded by the version read.
 */
import { typeSpec } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import type { BoundTable, Runtime, Values } from "../plugins/types";
import {
  addToRows,
  bumpLinked,
  chunkJson,
  deleteRows,
  deleteVersionedRows,
  fieldColumns,
  guardChanges,
  guardRowsMatch,
  insertAudit,
  moveLinks,
  unlinkAll,
  updateRows,
  type Stmt,
} from "../query/write";
import { accessTo } from "./records";

/** Columns and encoded values of fields (values by field name), for one slot of a table. */
export function encodeFields(fields: FieldMeta[], values: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type === "link" || !(f.name in values)) continue;
    const enc = typeSpec(f.type).encode(values[f.name], f);
    fieldColumns(f).forEach((col, i) => (c[col] = enc[i] ?? null));
  }
  return c;
}

/**
 * One record's fields (values by field name; no links) written at the version read, the version
 * bumped; without an audit row (the caller writes its own, e.g. `merge`).
 */
export function updateFieldsEffect(
  rt: Runtime,
  table: TableMeta,
  row: { id: number; version: number },
  values: Record<string, unknown>,
): Stmt[] {
  const out: Stmt[] = [];
  for (let slot = 0; slot < table.slots; slot++) {
    const c = encodeFields(
      table.fields.filter((f) => f.slot === slot),
      values,
    );
    if (slot !== 0 && Object.keys(c).length === 0) continue;
    out.push(
      updateRows(
        table.id,
        slot,
        Object.keys(c),
        JSON.stringify([{ id: row.id, v: row.version, c }]),
        rt.at,
        rt.principal.userId || null,
      ),
    );
    if (slot === 0) out.push(guardChanges(1, "stale"));
  }
  return out;
}

/**
 * Moves the links of `from` through `f` to `to`, from the junction as it is when the batch runs (a
 * link added after the read still moves); a one-valued `f` keeps `to`'s own link, else takes the
 * first. The records on the other side get a version bump (their link value changes).
 */
export function moveLinksEffect(rt: Runtime, f: FieldMeta, from: number[], to: number): Stmt[] {
  const ids = JSON.stringify(from);
  const inverse = rt.reg.tables
    .find((x) => x.id === f.options.table)
    ?.fields.find((x) => x.id === f.options.inverseField);
  return [
    ...(inverse ? [bumpLinked(inverse, f.tableId, ids, rt.at, rt.principal.userId || null)] : []),
    moveLinks(f, ids, to, f.options.multiple === false),
    unlinkAll(f, ids),
  ];
}

/** Deletes records at the versions read (all slots and links; 409 when one changed); no audit row. */
export function deleteEffect(table: TableMeta, rows: { id: number; version: number }[]): Stmt[] {
  const ids = JSON.stringify(rows.map((r) => r.id));
  const out: Stmt[] = [
    deleteVersionedRows(table.id, JSON.stringify(rows.map((r) => ({ id: r.id, v: r.version })))),
    guardChanges(rows.length, "stale"),
  ];
  for (let slot = 1; slot < table.slots; slot++) out.push(deleteRows(table.id, slot, ids));
  for (const f of [...table.fields, ...table.deletedFields].filter((x) => x.type === "link"))
    out.push(unlinkAll(f, ids));
  return out;
}

/** Fails the batch (403) unless every record in `ids` still matches the caller's `op` rule when it runs. */
export function guardRowsEffect(rt: Runtime, table: TableMeta, ids: number[], op: "update" | "delete"): Stmt[] {
  const rule = accessTo(rt, table).rowFilter(op);
  return rule ? [guardRowsMatch(table, JSON.stringify(ids), ids.length, rule)] : [];
}

/** Audit rows `[action, recordId, changes JSON]` on `tableId`, by the caller, in the batch. */
export function auditEffect(rt: Runtime, tableId: string, rows: [string, number, string][]): Stmt[] {
  return chunkJson(rows).map((chunk) => insertAudit(chunk, rt.at, rt.principal.userId || null, tableId, rt.requestId));
}

/**
 * Counters changed in place, in the batch: `add` (values by key, e.g. a decimal "-1.000" or a currency
 * amount) is added to what the row holds when the batch runs, so concurrent requests never lose each
 * other's change; `set` writes values; `version`, where given, must still be the row's (else 409).
 * A decimal field's `min` (a CHECK on its column) then refuses the whole batch if a sum falls below
 * it: the only safe way to take from a shared balance (stock) without reading it first. One entry per
 * record; fails the batch (409) when a record is gone. No audit row: the caller's own rows (a ledger)
 * say why.
 */
export function addEffect(
  rt: Runtime,
  t: BoundTable,
  rows: { id: number; add?: Values; set?: Values; version?: number }[],
): Stmt[] {
  if (rows.length === 0) return [];
  if (new Set(rows.map((r) => r.id)).size !== rows.length) throw new Error("addEffect: one entry per record");
  const table = t.meta;
  const encoded = rows.map((r) => {
    const add: Record<string, unknown> = {};
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.add ?? {})) {
      const f = t.field(k);
      const units = typeSpec(f.type).encode(v, f)[0];
      if (typeof units !== "number") throw new Error(`addEffect: ${k} does not add as a number`);
      add[f.id] = units;
    }
    for (const [k, v] of Object.entries(r.set ?? {})) {
      const f = t.field(k);
      const enc = typeSpec(f.type).encode(v, f);
      fieldColumns(f).forEach((col, i) => (set[col] = enc[i] ?? null));
    }
    return { id: r.id, version: r.version, add, set };
  });
  const out: Stmt[] = [];
  for (let slot = 0; slot < table.slots; slot++) {
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const addCols = fields.filter((f) => encoded.some((e) => f.id in e.add)).map((f) => fieldColumns(f)[0]!);
    const setCols = fields.flatMap(fieldColumns).filter((c) => encoded.some((e) => c in e.set));
    if (slot !== 0 && addCols.length + setCols.length === 0) continue;
    const data = encoded.map((e) => ({
      id: e.id,
      ...(e.version !== undefined ? { v: e.version } : {}),
      add: Object.fromEntries(fields.filter((f) => f.id in e.add).map((f) => [fieldColumns(f)[0]!, e.add[f.id]])),
      set: Object.fromEntries(Object.entries(e.set).filter(([c]) => setCols.includes(c))),
    }));
    for (const chunk of chunkJson(data)) {
      out.push(addToRows(table.id, slot, addCols, setCols, chunk, rt.at, rt.principal.userId || null));
      if (slot === 0)
        out.push(
          guardChanges(JSON.parse(chunk).length, rows.some((r) => r.version !== undefined) ? "stale" : "missing"),
        );
    }
  }
  return out;
}
