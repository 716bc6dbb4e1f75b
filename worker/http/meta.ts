/** Meta API: tables and fields. Reading is open to signed-in users; changing needs an admin. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireAdmin, tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import type { Registry } from "../model/registry";
import { recordSchema } from "../records/validate";
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
    id: f.id,
    name: f.name,
    label: f.label,
    labels: f.labels,
    description: f.description,
    type: f.type,
    options,
    required: f.required,
    indexed: f.indexed,
    position: f.position,
    ...(f.deletedAt ? { deletedAt: f.deletedAt } : {}),
  };
}

export function tableView(t: TableMeta, opts: { withDeletedFields?: boolean } = {}) {
  return {
    id: t.id,
    name: t.name,
    label: t.label,
    labels: t.labels,
    description: t.description,
    primaryFieldId: t.primaryFieldId,
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    ...(t.deletedAt ? { deletedAt: t.deletedAt } : {}),
    fields: t.fields.map(fieldView),
    ...(opts.withDeletedFields ? { deletedFields: t.deletedFields.map(fieldView) } : {}),
  };
}

function fieldOf(table: TableMeta, ref: string, includeDeleted = false): FieldMeta {
  const f =
    table.fields.find((x) => x.id === ref || x.name === ref) ??
    (includeDeleted ? table.deletedFields.find((x) => x.id === ref || x.name === ref) : undefined);
  if (!f) throw notFound(`Field ${JSON.stringify(ref.slice(0, 64))} of ${table.name}`, "field");
  return f;
}

/** The table as this caller may see it: only readable fields; null when they may not read it at all. */
function visibleTable(principal: Principal, reg: Registry, t: TableMeta): TableMeta | null {
  if (principal.isAdmin) return t;
  const access = tableAccess(principal, t, reg);
  if (!access.may("read")) return null;
  return { ...t, fields: t.fields.filter((f) => access.canRead(f)), deletedFields: [] };
}

/**
 * The table as `tableView` shapes it plus what the caller may do: `access` on the table (each
 * operation, true when any row may qualify) and on each field ("read" or "write"), so a client builds
 * its forms and grids from one reply. Hidden fields are already gone (visibleTable).
 */
function tableWithAccess(
  principal: Principal,
  reg: Registry,
  shown: TableMeta,
  opts: { withDeletedFields?: boolean } = {},
) {
  const access = tableAccess(principal, shown, reg);
  const view = tableView(shown, opts);
  const fieldAccess = (f: { id: string }) => {
    const meta = shown.fields.find((x) => x.id === f.id);
    return meta && access.canWrite(meta) ? ("write" as const) : ("read" as const);
  };
  return {
    ...view,
    fields: view.fields.map((f) => ({ ...f, access: fieldAccess(f) })),
    access: {
      read: access.may("read"),
      create: access.may("create"),
      update: access.may("update"),
      delete: access.may("delete"),
    },
  };
}

async function visible(c: { env: AppEnv["Bindings"]; get: (k: "principal") => Principal }, ref: string) {
  const { reg, table } = await requireTable(c.env.DB, ref);
  const shown = visibleTable(c.get("principal"), reg, table);
  if (!shown) throw notFound(`Table ${JSON.stringify(ref.slice(0, 64))}`, "table");
  return { reg, table: shown };
}

export const meta = new Hono<AppEnv>()
  .get("/tables", async (c) => {
    const reg = await loadRegistry(c.env.DB);
    const deleted = c.req.query("deleted") === "true";
    if (deleted) requireAdmin(c.get("principal"), "list deleted tables");
    const tables = reg.tables
      .filter((t) => (deleted ? t.deletedAt : !t.deletedAt))
      .map((t) => visibleTable(c.get("principal"), reg, t));
    return c.json({
      tables: tables.filter((t): t is TableMeta => t !== null).map((t) => tableWithAccess(c.get("principal"), reg, t)),
    });
  })
  .get("/tables/:table/schema", async (c) => {
    // The JSON Schema of a record as this caller may write it: fields they cannot write are absent.
    const { reg, table } = await visible(c, c.req.param("table"));
    const access = tableAccess(c.get("principal"), table, reg);
    return c.json({
      schema: recordSchema(
        table,
        table.fields.filter((f) => access.canWrite(f)),
      ),
    });
  })
  .post("/tables", async (c) => {
    requireAdmin(c.get("principal"), "create tables");
    const table = await createTable(schemaContext(c), await readJson(c));
    return c.json({ table: tableView(table) }, 201);
  })
  .get("/tables/:table", async (c) => {
    const { reg, table } = await visible(c, c.req.param("table"));
    return c.json({
      table: tableWithAccess(c.get("principal"), reg, table, { withDeletedFields: c.get("principal").isAdmin }),
    });
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
    const res = await updateField(
      schemaContext(c),
      reg,
      table,
      fieldOf(table, c.req.param("field")),
      await readJson(c),
    );
    return c.json({
      field: fieldView(res.field),
      ...(res.conversion
        ? {
            conversion: {
              converted: res.conversion.converted,
              unconvertedCount: res.conversion.unconverted.length,
              unconverted: res.conversion.unconverted.slice(0, 1000),
            },
          }
        : {}),
    });
  })
  .delete("/tables/:table/fields/:field", async (c) => {
    requireAdmin(c.get("principal"), "delete fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json(
      await deleteField(schemaContext(c), reg, table, fieldOf(table, c.req.param("field"), true), purgeFlag(c)),
    );
  })
  .post("/tables/:table/fields/:field/restore", async (c) => {
    requireAdmin(c.get("principal"), "restore fields");
    const { reg, table } = await requireTable(c.env.DB, c.req.param("table"));
    return c.json({
      field: fieldView(await restoreField(schemaContext(c), reg, table, fieldOf(table, c.req.param("field"), true))),
    });
  });
