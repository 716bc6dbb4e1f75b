/**
 * Plans the statements that create fields (meta rows + DDL), shared by table creation and field
 * addition. Plans mutate a working copy of the table so successive fields are placed in slots
 * that still have room.
 */
import type { FieldInput } from "../../schemas/types";
import type { Stmt } from "../query/write";
import { conflict, normaliseOptions } from "./definitions";
import { counterFloor } from "./autonumber";
import { addFieldSql, createJunctionSql, createSlotSql } from "./ddl";
import { placeField } from "./ddl";
import { resolveMinUnless } from "./min-unless";
import { newId, physicalTable, q } from "./names";
import { findTable, type Registry } from "./registry";
import type { FieldMeta, TableMeta } from "./types";

export interface SchemaContext {
  db: D1Database;
  userId: string;
  requestId: string | null;
  at: string;
}

const raw = (sql: string, ...params: unknown[]): Stmt => ({ sql, params });

export function insertFieldRow(f: FieldMeta, at: string): Stmt {
  return raw(
    "INSERT INTO sg_fields (id, table_id, name, label, labels, description, type, options, required, indexed, position, slot, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    f.id,
    f.tableId,
    f.name,
    f.label,
    JSON.stringify(f.labels),
    f.description,
    f.type,
    JSON.stringify(f.options),
    f.required ? 1 : 0,
    f.indexed ? 1 : 0,
    f.position,
    f.slot,
    at,
  );
}

export function auditSchema(
  ctx: SchemaContext,
  action: string,
  tableId: string | null,
  fieldId: string | null,
  details: unknown,
): Stmt {
  return raw(
    "INSERT INTO sg_audit (at, user_id, action, table_id, field_id, changes, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    ctx.at,
    ctx.userId,
    action,
    tableId,
    fieldId,
    JSON.stringify(details),
    ctx.requestId,
  );
}

export const ddl = (sql: string): Stmt => raw(sql);

/** Unique API name on `table`, adding _2, _3... */
function freeName(table: TableMeta, base: string): string {
  let name = base.slice(0, 60);
  for (let i = 2; table.fields.some((f) => f.name === name); i++) name = `${base.slice(0, 58)}_${i}`;
  return name;
}

/**
 * Statements that add `input` to the working copy `table`; a link also adds its inverse field to
 * the target table (itself a working copy from `tables`).
 */
export function planField(
  table: TableMeta,
  input: FieldInput,
  reg: Registry,
  at: string,
  path: string,
  workingTables: Map<string, TableMeta>,
): { stmts: Stmt[]; field: FieldMeta } {
  if (table.fields.some((f) => f.name === input.name))
    throw conflict(`${path}/name`, `Table ${table.name} already has a field ${input.name}`);
  const normalised = normaliseOptions(input.type, input.options, reg, path, { id: table.id, name: table.name });
  const { slot, newSlot } = placeField(table, input.type);
  const options = resolveMinUnless(table, input.type, normalised, slot, path);
  const stmts: Stmt[] = [];
  if (newSlot) {
    stmts.push(
      ...createSlotSql(table.id, slot).map(ddl),
      raw("UPDATE sg_tables SET slots = ?1 WHERE id = ?2", slot + 1, table.id),
    );
    table.slots = slot + 1;
  }
  const field: FieldMeta = {
    id: newId("fld"),
    tableId: table.id,
    name: input.name,
    label: input.label ?? input.name,
    labels: input.labels ?? {},
    description: input.description ?? "",
    type: input.type,
    options,
    required: input.required ?? false,
    indexed: input.indexed ?? false,
    position: input.position ?? table.fields.reduce((m, f) => Math.max(m, f.position), -1) + 1,
    slot,
    deletedAt: null,
  };
  if (field.type === "link") {
    const target = workingTables.get(options.table!) ?? findTable(reg, options.table!);
    if (!target) throw conflict(`${path}/options/table`, "The link target does not exist");
    const targetCopy = workingTables.get(target.id) ?? cloneTable(target);
    workingTables.set(target.id, targetCopy);
    const inverse: FieldMeta = {
      id: newId("fld"),
      tableId: targetCopy.id,
      name: freeName(targetCopy, input.options?.inverseName ?? table.name),
      label: table.label,
      labels: table.labels,
      description: "",
      type: "link",
      options: { table: table.id, multiple: true, inverseField: field.id, owner: false },
      required: false,
      indexed: false,
      position: targetCopy.fields.reduce((m, f) => Math.max(m, f.position), -1) + 1,
      slot: 0,
      deletedAt: null,
    };
    field.options = { ...options, inverseField: inverse.id, owner: true };
    // A self-link adds both sides to the same table.
    if (targetCopy.id === table.id) table.fields.push(field);
    targetCopy.fields.push(inverse);
    stmts.push(...createJunctionSql(field.id).map(ddl), insertFieldRow(inverse, at));
    if (targetCopy.id === table.id) {
      stmts.push(insertFieldRow(field, at));
      return { stmts, field };
    }
  }
  // Existing rows are numbered from the counter's floor: a formatted number with a year counts within it.
  const floor = field.type === "autonumber" ? counterFloor(field.options.format, at) : 0;
  stmts.push(...addFieldSql(table.id, field, floor).map(ddl), insertFieldRow(field, at));
  if (field.type === "autonumber") {
    stmts.push(
      raw(
        `UPDATE sg_fields SET next_number = ?2 + (SELECT COUNT(*) FROM ${q(physicalTable(table.id))}) + 1 WHERE id = ?1`,
        field.id,
        floor,
      ),
    );
  }
  table.fields.push(field);
  return { stmts, field };
}

export function cloneTable(t: TableMeta): TableMeta {
  return { ...t, fields: [...t.fields], deletedFields: [...t.deletedFields] };
}
