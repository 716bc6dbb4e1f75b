/**
 * Field lifecycle: add, change (metadata, options, type), soft delete, restore, purge.
 * A type or option change that touches stored values converts each value in the same batch as the
 * meta change; values that do not convert are cleared in the column but kept, with the reason, in
 * the response and in audit rows, so nothing is dropped silently.
 */
import type { FieldInput } from "../../schemas/types";
import { AppError } from "../errors";
import { chunkJson, scanColumn, updateColumnValues, type Stmt } from "../query/write";
import { convertValue } from "./convert";
import {
  addSecondColumnSql,
  createIndexSql,
  createUniqueSql,
  dropUniqueSql,
  dropFieldSql,
  dropIndexSql,
  dropSecondColumnSql,
  freeColumnsInSlot,
} from "./ddl";
import { conflict, normaliseOptions, validateFieldInput } from "./definitions";
import { typeSpec } from "./field-types";
import { column, column2, physicalTable, q } from "./names";
import { auditSchema, cloneTable, ddl, planField, type SchemaContext } from "./plan";
import { findTable, loadRegistry, type Registry } from "./registry";
import { runSchemaBatch } from "./tables";
import type { FieldMeta, TableMeta } from "./types";

export async function addField(ctx: SchemaContext, reg: Registry, table: TableMeta, body: unknown): Promise<FieldMeta> {
  const input = validateFieldInput(body);
  const working = new Map<string, TableMeta>();
  const copy = cloneTable(table);
  working.set(copy.id, copy);
  const { stmts, field } = planField(copy, input, reg, ctx.at, "", working);
  await runSchemaBatch(ctx.db, [
    ...stmts,
    auditSchema(ctx, "field.create", table.id, field.id, {
      name: field.name,
      type: field.type,
      options: field.options,
    }),
  ]);
  return field;
}

export interface Unconverted {
  id: number;
  value: unknown;
  reason: string;
}

const AUDIT_CHUNK = 500;

/** Reads every stored value of `from`, converts to `to`; returns update rows and failures. */
async function convertAll(db: D1Database, table: TableMeta, from: FieldMeta, to: FieldMeta) {
  const userIds =
    to.type === "user"
      ? new Set((await db.prepare("SELECT id FROM sg_users").all<{ id: string }>()).results.map((r) => r.id))
      : undefined;
  const fromSpec = typeSpec(from.type);
  const toSpec = typeSpec(to.type);
  const updates: { id: number; c: Record<string, unknown> }[] = [];
  const failures: Unconverted[] = [];
  let after = 0;
  for (;;) {
    const st = scanColumn(table.id, from, after, 5000);
    const { results } = await db
      .prepare(st.sql)
      .bind(...st.params)
      .all<{ id: number; v: unknown; v2: unknown }>();
    for (const row of results) {
      const value = fromSpec.decode([row.v, row.v2], from);
      const res = convertValue(from, to, value, { userIds });
      const enc = res.ok ? toSpec.encode(res.value, to) : toSpec.encode(null, to);
      if (!res.ok) failures.push({ id: row.id, value, reason: res.reason });
      const c: Record<string, unknown> = { [column(to.id)]: enc[0] ?? null };
      if (toSpec.columns === 2) c[column2(to.id)] = enc[1] ?? null;
      updates.push({ id: row.id, c });
    }
    if (results.length < 5000) break;
    after = results[results.length - 1]!.id;
  }
  return { updates, failures };
}

const VALUE_OPTIONS = ["choices", "precision", "max", "maxLength", "min"] as const;

function valuesAffected(before: FieldMeta, after: FieldMeta): boolean {
  if (before.type !== after.type) return true;
  return VALUE_OPTIONS.some((k) => JSON.stringify(before.options[k]) !== JSON.stringify(after.options[k]));
}

export async function updateField(
  ctx: SchemaContext,
  reg: Registry,
  table: TableMeta,
  field: FieldMeta,
  body: unknown,
) {
  const input = validateFieldInput(body, "", true) as Partial<FieldInput>;
  if (input.name && input.name !== field.name && table.fields.some((f) => f.name === input.name))
    throw conflict("name", `Table ${table.name} already has a field ${input.name}`);
  const type = input.type ?? field.type;
  if (type !== field.type && (type === "link" || field.type === "link" || type === "autonumber")) {
    throw new AppError("validation_failed", `A ${field.type} field cannot become ${type}; add a new field instead`, [
      { field: "type", code: "unsupported_conversion", message: `${field.type} -> ${type} is not supported` },
    ]);
  }
  const options =
    input.options !== undefined || type !== field.type
      ? normaliseOptions(type, type === field.type ? { ...pick(field), ...input.options } : input.options, reg, "")
      : field.options;
  if (field.type === "link")
    Object.assign(options, {
      table: field.options.table,
      inverseField: field.options.inverseField,
      owner: field.options.owner,
    });
  await checkFixedOptions(ctx.db, table, field, type, options);
  const next: FieldMeta = {
    ...field,
    name: input.name ?? field.name,
    label: input.label ?? field.label,
    labels: input.labels ?? field.labels,
    description: input.description ?? field.description,
    required: input.required ?? field.required,
    indexed: input.indexed ?? field.indexed,
    position: input.position ?? field.position,
    type,
    options,
  };
  const stmts: Stmt[] = [];
  let conversion: { converted: number; unconverted: Unconverted[] } | null = null;
  if (valuesAffected(field, next)) {
    if (typeSpec(next.type).columns === 2 && typeSpec(field.type).columns < 2) {
      if (freeColumnsInSlot(table, field.slot) < 1)
        throw conflict(
          "type",
          "No room for a currency column in this field's storage; add a new currency field instead",
        );
      stmts.push(ddl(addSecondColumnSql(table.id, field)));
    }
    const { updates, failures } = await convertAll(ctx.db, table, field, next);
    stmts.push(...updateColumnValues(table.id, field.slot, updates));
    // Leaving currency: the code column goes too (its values live on in the converted text), so a later
    // change back to currency can add it again and the slot's column count stays true.
    if (typeSpec(field.type).columns === 2 && typeSpec(next.type).columns < 2)
      stmts.push(ddl(dropSecondColumnSql(table.id, field)));
    conversion = { converted: updates.length - failures.length, unconverted: failures };
    // Chunked by size as well as count: one audit row must stay under D1's 2 MB value limit.
    for (let i = 0; i < failures.length; i += AUDIT_CHUNK) {
      for (const chunk of chunkJson(failures.slice(i, i + AUDIT_CHUNK))) {
        stmts.push(
          auditSchema(ctx, "field.unconverted", table.id, field.id, {
            from: field.type,
            to: next.type,
            values: JSON.parse(chunk),
          }),
        );
      }
    }
  }
  if (Boolean(next.options.unique) !== Boolean(field.options.unique))
    stmts.push(ddl(next.options.unique ? createUniqueSql(table.id, next) : dropUniqueSql(next)));
  if (next.indexed !== field.indexed && next.type !== "link")
    stmts.push(ddl(next.indexed ? createIndexSql(table.id, next) : dropIndexSql(next)));
  stmts.push(
    {
      sql: "UPDATE sg_fields SET name = ?1, label = ?2, labels = ?3, description = ?4, required = ?5, indexed = ?6, position = ?7, type = ?8, options = ?9, updated_at = ?10, version = version + 1 WHERE id = ?11",
      params: [
        next.name,
        next.label,
        JSON.stringify(next.labels),
        next.description,
        next.required ? 1 : 0,
        next.indexed ? 1 : 0,
        next.position,
        next.type,
        JSON.stringify(next.options),
        ctx.at,
        field.id,
      ],
    },
    auditSchema(ctx, "field.update", table.id, field.id, {
      before: describe(field),
      after: describe(next),
      converted: conversion?.converted,
      unconverted: conversion?.unconverted.length,
    }),
  );
  await runSchemaBatch(ctx.db, stmts, {
    onUnique: () =>
      conflict("options/unique", `Some records of ${table.name} share a value of ${next.name}; make them differ first`),
  });
  return { field: next, conversion };
}

/**
 * Options stored values depend on: an autonumber's format is set at creation (its values are the
 * numbers it made), a decimal's scale while the field holds values (they are units of it).
 */
async function checkFixedOptions(
  db: D1Database,
  table: TableMeta,
  field: FieldMeta,
  type: FieldMeta["type"],
  options: FieldMeta["options"],
): Promise<void> {
  const fixed = (key: string, message: string) =>
    new AppError("validation_failed", message, [{ field: `options/${key}`, code: "fixed", message }]);
  // A decimal's min is a CHECK on its column in its units (model/ddl.ts): type, min and scale stay.
  const checked = field.type === "decimal" && field.options.min !== undefined;
  const sameUnless = JSON.stringify(options.minUnless ?? null) === JSON.stringify(field.options.minUnless ?? null);
  if (
    checked &&
    (type !== field.type || options.min !== field.options.min || options.scale !== field.options.scale || !sameUnless)
  )
    throw fixed(
      "min",
      `${field.name} declares a minimum, so its type, min and scale are fixed; add a new field instead`,
    );
  if (type !== field.type) return;
  if (type === "autonumber" && JSON.stringify(options.format) !== JSON.stringify(field.options.format))
    throw fixed("format", "An autonumber's format is fixed when it is created; add a new field instead");
  if (type === "decimal" && options.scale !== field.options.scale) {
    const sql = `SELECT 1 AS x FROM ${q(physicalTable(table.id, field.slot))} WHERE ${q(column(field.id))} IS NOT NULL LIMIT 1`;
    if (await db.prepare(sql).first())
      throw fixed("scale", `${field.name} holds values, so its scale is fixed; add a new field instead`);
  }
}

function pick(f: FieldMeta) {
  const { table: _t, inverseField: _i, owner: _o, ...rest } = f.options;
  return rest;
}

function describe(f: FieldMeta) {
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    options: f.options,
    required: f.required,
    indexed: f.indexed,
    position: f.position,
  };
}

/** The pair of a link field (deleting one side of a link deletes both). */
function linkPair(reg: Registry, f: FieldMeta): FieldMeta[] {
  if (f.type !== "link") return [f];
  const other = findTable(reg, f.options.table!, { includeDeleted: true });
  const inverse = other && [...other.fields, ...other.deletedFields].find((x) => x.id === f.options.inverseField);
  return inverse && inverse.id !== f.id ? [f, inverse] : [f];
}

export async function deleteField(
  ctx: SchemaContext,
  reg: Registry,
  table: TableMeta,
  field: FieldMeta,
  purge: boolean,
) {
  if (table.primaryFieldId === field.id && !field.deletedAt)
    throw conflict("field", `${field.name} is the primary field of ${table.name}; choose another primary field first`);
  const pair = linkPair(reg, field);
  if (!purge) {
    if (field.deletedAt)
      throw conflict("field", `Field ${field.name} is already deleted; purge it with ?purge=true or restore it`);
    await runSchemaBatch(ctx.db, [
      ...pair.map((f) => ({
        sql: "UPDATE sg_fields SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2",
        params: [ctx.at, f.id],
      })),
      auditSchema(ctx, "field.delete", table.id, field.id, { name: field.name }),
    ]);
    return { purged: false };
  }
  await runSchemaBatch(ctx.db, [
    ...pair.flatMap((f) => dropFieldSql(f.tableId, f).map(ddl)),
    {
      sql: "DELETE FROM sg_fields WHERE id IN (SELECT value FROM json_each(?1))",
      params: [JSON.stringify(pair.map((f) => f.id))],
    },
    auditSchema(ctx, "field.purge", table.id, field.id, { name: field.name, type: field.type }),
  ]);
  return { purged: true };
}

export async function restoreField(ctx: SchemaContext, reg: Registry, table: TableMeta, field: FieldMeta) {
  if (!field.deletedAt) throw conflict("field", `Field ${field.name} is not deleted`);
  const pair = linkPair(reg, field);
  for (const f of pair) {
    const owner = findTable(reg, f.tableId, { includeDeleted: true });
    if (owner?.fields.some((x) => x.name === f.name))
      throw conflict("name", `${owner.name} now has another field named ${f.name}; rename it before restoring`);
  }
  await runSchemaBatch(ctx.db, [
    ...pair.map((f) => ({
      sql: "UPDATE sg_fields SET deleted_at = NULL, updated_at = ?1 WHERE id = ?2",
      params: [ctx.at, f.id],
    })),
    auditSchema(ctx, "field.restore", table.id, field.id, { name: field.name }),
  ]);
  const fresh = await loadRegistry(ctx.db);
  return findTable(fresh, table.id)!.fields.find((f) => f.id === field.id)!;
}
