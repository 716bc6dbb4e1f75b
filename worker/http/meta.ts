/** Meta API: tables and fields. Reading is open to signed-in users; changing needs an admin. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin } from "../access";
import { notFound } from "../errors";
import { addField, deleteField, restoreField, updateField } from "../model/fields";
import { loadRegistry, requireTable } from "../model/registry";
import { createTable, deleteTable, restoreTable, updateTable } from "../model/tables";
import type { FieldMeta, TableMeta } from "../model/types";
import { readJson } from "./body";
import { purgeFlag, schemaContext } from "./context";

/** The public shape of a field: options without storage internals. */
export function fieldView(f: FieldMeta) {
  const { owner: _owner, ...options } = f.options;
  return {
    id: f.id, name: f.name, label: f.label, labels: f.labels, description: f.description, type: f.type, options,
    required: f.required, indexed: f.indexed, position: f.position, ...(f.deletedAt ? { deletedAt: f.deletedAt } : {}),
  };
}

export function tableView(t: TableMeta, opts: { withDeletedFields?: boolean } = {}) {
  return {
    id: t.id, name: t.name, label: t.label, labels: t.labels, description: t.description, primaryFieldId: t.primaryFieldId,
    version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt, ...(t.deletedAt ? { deletedAt: t.deletedAt } : {}),
    fields: t.fields.map(fieldView),
    ...(opts.withDeletedFields ? { deletedFields: t.deletedFields.map(fieldView) } : {}),
  };
}

function fieldOf(table: TableMeta, ref: string, includeDeleted = false): FieldMeta {
  const f = table.fields.find((x) => x.id === ref || x.name === ref) ?? (includeDeleted ? table.deletedFields.find((x) => x.id === ref || x.name === ref) : undefined);
  if (!f) throw notFound(`Field ${JSON.stringify(ref.slice(0, 64))} of ${table.name}`, "field");
  return f;
}

export const meta = new Hono<AppEnv>()
  .get("/tables", async (c) => {
    const reg = await loadRegistry(c.env.DB);
    const deleted = c.req.query("deleted") === "true";
    if (deleted) requireAdmin(c.get("principal"), "list deleted tables");
    return c.json({ tables: reg.tables.filter((t) => (deleted ? t.deletedAt : !t.deletedAt)).map((t) => tableView(t)) });
  })
  .post("/tables", async (c) => {
    requireAdmin(c.get("principal"), "create tables");
    const table = await createTable(schemaContext(c), await readJson(c));
    return c.json({ table: tableView(table) }, 201);
  })
  .get("/tables/:table", async (c) => {
    const { table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ table: tableView(table, { withDeletedFields: c.get("principal").isAdmin }) });
  })
  .patch("/tables/:table", async (c) => {
    requireAdmin(c.get("principal"), "change tables");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ table: tableView(await updateTable(schemaContext(c), reg, table, await readJson(c))) });
  })
  .delete("/tables/:table", async (c) => {
    requireAdmin(c.get("principal"), "delete tables");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"), { includeDeleted: true });
    return c.json(await deleteTable(schemaContext(c), reg, table, purgeFlag(c)));
  })
  .post("/tables/:table/restore", async (c) => {
    requireAdmin(c.get("principal"), "restore tables");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"), { includeDeleted: true });
    return c.json({ table: tableView(await restoreTable(schemaContext(c), reg, table)) });
  })
  .post("/tables/:table/fields", async (c) => {
    requireAdmin(c.get("principal"), "add fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    const field = await addField(schemaContext(c), reg, table, await readJson(c));
    return c.json({ field: fieldView(field) }, 201);
  })
  .patch("/tables/:table/fields/:field", async (c) => {
    requireAdmin(c.get("principal"), "change fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    const res = await updateField(schemaContext(c), reg, table, fieldOf(table, c.req.param("field")), await readJson(c));
    return c.json({ field: fieldView(res.field), ...(res.conversion ? { conversion: { converted: res.conversion.converted, unconvertedCount: res.conversion.unconverted.length, unconverted: res.conversion.unconverted.slice(0, 1000) } } : {}) });
  })
  .delete("/tables/:table/fields/:field", async (c) => {
    requireAdmin(c.get("principal"), "delete fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json(await deleteField(schemaContext(c), reg, table, fieldOf(table, c.req.param("field"), true), purgeFlag(c)));
  })
  .post("/tables/:table/fields/:field/restore", async (c) => {
    requireAdmin(c.get("principal"), "restore fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({ field: fieldView(await restoreField(schemaContext(c), reg, table, fieldOf(table, c.req.param("field"), true))) });
  });

