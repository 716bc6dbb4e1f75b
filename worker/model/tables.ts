/**
 * Table lifecycle: create (with fields), change metadata, soft delete, restore, purge.
 * Each change is one D1 batch: meta rows, DDL, schema version bump and an audit row together.
 */
import { runBatch, type BatchOptions } from "../db/batch";
import { AppError, badRequest, type FieldError } from "../errors";
import type { Stmt } from "../query/write";
import { createTableSql, dropTableSql } from "./ddl";
import { conflict, validateTableInput } from "./definitions";
import { junctionTable, newId, q } from "./names";
import { auditSchema, ddl, planField, type SchemaContext } from "./plan";
import { bumpSchemaVersion, findTable, loadRegistry, type Registry } from "./registry";
import type { FieldMeta, TableMeta } from "./types";
import { validate } from "./validate";

/** A schema change: its statements and the schema version bump in one batch (db/batch.ts maps failures). */
export async function runSchemaBatch(db: D1Database, stmts: Stmt[], opts: BatchOptions = {}): Promise<void> {
  await runBatch(db, [...stmts, bumpSchemaVersion(db)], opts);
}

const PRIMARY_TYPES = new Set<FieldMeta["type"]>(["text", "email", "phone", "url", "autonumber", "number", "date"]);

function pickPrimary(table: TableMeta, ref: string | undefined, path: string): string | null {
  if (ref) {
    const f = table.fields.find((x) => x.id === ref || x.name === ref);
    if (!f || f.type === "link")
      throw badRequest(
        path,
        `primaryField ${JSON.stringify(ref)} is not a field of ${table.name} that can be shown`,
        "unknown_field",
      );
    return f.id;
  }
  return (
    table.fields.find((f) => PRIMARY_TYPES.has(f.type))?.id ?? table.fields.find((f) => f.type !== "link")?.id ?? null
  );
}

export async function createTable(ctx: SchemaContext, body: unknown): Promise<TableMeta> {
  const input = validateTableInput(body);
  const reg = await loadRegistry(ctx.db);
  if (findTable(reg, input.name)) throw conflict("name", `A table named ${input.name} already exists`);
  const table: TableMeta = {
    id: newId("tbl"),
    name: input.name,
    label: input.label ?? input.labels?.en ?? input.name,
    labels: input.labels ?? {},
    description: input.description ?? "",
    primaryFieldId: null,
    ownerFieldId: null,
    slots: 1,
    plugin: null,
    deletedAt: null,
    createdAt: ctx.at,
    updatedAt: ctx.at,
    version: 1,
    fields: [],
    deletedFields: [],
  };
  const working = new Map<string, TableMeta>([[table.id, table]]);
  const fieldStmts: Stmt[] = [];
  (input.fields ?? []).forEach((f, i) =>
    fieldStmts.push(...planField(table, f, reg, ctx.at, `fields/${i}`, working).stmts),
  );
  table.primaryFieldId = pickPrimary(table, input.primaryField, "primaryField");
  const stmts: Stmt[] = [
    {
      sql: "INSERT INTO sg_tables (id, name, label, labels, description, slots, created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?6)",
      params: [table.id, table.name, table.label, JSON.stringify(table.labels), table.description, ctx.at, ctx.userId],
    },
    ...createTableSql(table.id).map(ddl),
    ...fieldStmts,
    {
      sql: "UPDATE sg_tables SET primary_field_id = ?1, slots = ?2 WHERE id = ?3",
      params: [table.primaryFieldId, table.slots, table.id],
    },
    auditSchema(ctx, "table.create", table.id, null, {
      name: table.name,
      fields: table.fields.map((f) => ({ id: f.id, name: f.name, type: f.type })),
    }),
  ];
  await runSchemaBatch(ctx.db, stmts);
  return await requireLive(ctx.db, table.id);
}

async function requireLive(db: D1Database, id: string): Promise<TableMeta> {
  const reg = await loadRegistry(db);
  return findTable(reg, id, { includeDeleted: true })!;
}

const TABLE_PATCH_SCHEMA = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: "string", pattern: "^[a-z][a-z0-9_]{0,62}$" },
    label: { type: "string", minLength: 1, maxLength: 200 },
    labels: {
      type: "object",
      additionalProperties: false,
      properties: { en: { type: "string", maxLength: 200 }, "zh-CN": { type: "string", maxLength: 200 } },
    },
    description: { type: "string", maxLength: 2000 },
    primaryField: { type: "string", maxLength: 64 },
    version: { type: "integer", minimum: 1 },
  },
};

/** Renames and relabels touch metadata only; physical names derive from ids. */
export async function updateTable(
  ctx: SchemaContext,
  reg: Registry,
  table: TableMeta,
  body: unknown,
): Promise<TableMeta> {
  const errors: FieldError[] = validate(TABLE_PATCH_SCHEMA, body, "");
  if (errors.length) throw new AppError("validation_failed", "The table change is invalid", errors);
  const patch = body as {
    name?: string;
    label?: string;
    labels?: object;
    description?: string;
    primaryField?: string;
    version?: number;
  };
  if (patch.version !== undefined && patch.version !== table.version) {
    throw new AppError("version_conflict", `Table ${table.name} changed meanwhile`, [
      { field: "version", code: "stale", message: `The table is at version ${table.version}` },
    ]);
  }
  if (patch.name && patch.name !== table.name && findTable(reg, patch.name))
    throw conflict("name", `A table named ${patch.name} already exists`);
  const primary =
    patch.primaryField !== undefined ? pickPrimary(table, patch.primaryField, "primaryField") : table.primaryFieldId;
  const next = {
    name: patch.name ?? table.name,
    label: patch.label ?? table.label,
    labels: patch.labels ?? table.labels,
    description: patch.description ?? table.description,
  };
  await runSchemaBatch(ctx.db, [
    {
      sql: "UPDATE sg_tables SET name = ?1, label = ?2, labels = ?3, description = ?4, primary_field_id = ?5, updated_at = ?6, version = version + 1 WHERE id = ?7",
      params: [next.name, next.label, JSON.stringify(next.labels), next.description, primary, ctx.at, table.id],
    },
    auditSchema(ctx, "table.update", table.id, null, {
      before: {
        name: table.name,
        label: table.label,
        labels: table.labels,
        description: table.description,
        primaryField: table.primaryFieldId,
      },
      after: { ...next, primaryField: primary },
    }),
  ]);
  return requireLive(ctx.db, table.id);
}

/** Link fields elsewhere that point into `table` (the other side of its links). */
function inverseFields(reg: Registry, table: TableMeta): FieldMeta[] {
  return reg.tables
    .filter((t) => t.id !== table.id)
    .flatMap((t) => [...t.fields, ...t.deletedFields])
    .filter((f) => f.type === "link" && f.options.table === table.id);
}

export async function deleteTable(
  ctx: SchemaContext,
  reg: Registry,
  table: TableMeta,
  purge: boolean,
): Promise<{ purged: boolean }> {
  const others = inverseFields(reg, table);
  if (!purge) {
    if (table.deletedAt)
      throw conflict("table", `Table ${table.name} is already deleted; purge it with ?purge=true or restore it`);
    // The other side of each link goes with the table, marked with the same time so a restore brings it back.
    await runSchemaBatch(ctx.db, [
      {
        sql: "UPDATE sg_tables SET deleted_at = ?1, updated_at = ?1, version = version + 1 WHERE id = ?2",
        params: [ctx.at, table.id],
      },
      ...others
        .filter((f) => !f.deletedAt)
        .map((f) => ({ sql: "UPDATE sg_fields SET deleted_at = ?1 WHERE id = ?2", params: [ctx.at, f.id] })),
      auditSchema(ctx, "table.delete", table.id, null, { name: table.name }),
    ]);
    return { purged: false };
  }
  const stmts: Stmt[] = [
    ...dropTableSql(table).map(ddl),
    ...others.filter((f) => f.options.owner).map((f) => ddl(`DROP TABLE IF EXISTS ${q(junctionTable(f.id))}`)),
    {
      sql: "DELETE FROM sg_fields WHERE table_id = ?1 OR id IN (SELECT value FROM json_each(?2))",
      params: [table.id, JSON.stringify(others.map((f) => f.id))],
    },
    { sql: "DELETE FROM sg_tables WHERE id = ?1", params: [table.id] },
    auditSchema(ctx, "table.purge", table.id, null, { name: table.name }),
  ];
  await runSchemaBatch(ctx.db, stmts);
  return { purged: true };
}

export async function restoreTable(ctx: SchemaContext, reg: Registry, table: TableMeta): Promise<TableMeta> {
  if (!table.deletedAt) throw conflict("table", `Table ${table.name} is not deleted`);
  if (reg.tables.some((t) => t.id !== table.id && !t.deletedAt && t.name === table.name)) {
    throw conflict("name", `Another table is now named ${table.name}; rename it before restoring`);
  }
  const others = inverseFields(reg, table).filter((f) => f.deletedAt === table.deletedAt);
  await runSchemaBatch(ctx.db, [
    {
      sql: "UPDATE sg_tables SET deleted_at = NULL, updated_at = ?1, version = version + 1 WHERE id = ?2",
      params: [ctx.at, table.id],
    },
    ...others.map((f) => ({ sql: "UPDATE sg_fields SET deleted_at = NULL WHERE id = ?1", params: [f.id] })),
    auditSchema(ctx, "table.restore", table.id, null, { name: table.name }),
  ]);
  return requireLive(ctx.db, table.id);
}
