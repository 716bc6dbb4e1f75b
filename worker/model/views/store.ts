/**
 * Storing saved views (sg_views): load, create, update, plugin upgrades and delete, each one batch with
 * its audit row and the schema version bump, guarded by the version read.
 */
import viewSchema from "../../../schemas/view.schema.json";
import { newId } from "../../db/ids";
import { AppError, badRequest, invalid, notFound } from "../../errors";
import { guardChanges, type Stmt } from "../../query/write";
import { conflict } from "../definitions";
import { auditSchema, type SchemaContext } from "../plan";
import { findTable, type Registry } from "../registry";
import { runSchemaBatch } from "../tables";
import type { TableMeta } from "../types";
import { validate } from "../validate";
import { checkDefinition, type CheckedView, type StoredDefinition } from "./definition";

export interface ViewMeta {
  id: string;
  name: string;
  tableId: string;
  /** The view's table, soft-deleted ones included; null once purged. */
  table: TableMeta | null;
  definition: StoredDefinition;
  roles: string[];
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  version: number;
}

interface ViewRow {
  id: string;
  name: string;
  table_id: string;
  definition: string;
  roles: string;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  version: number;
}

function decode(r: ViewRow, reg: Registry): ViewMeta {
  return {
    id: r.id,
    name: r.name,
    tableId: r.table_id,
    table: findTable(reg, r.table_id, { includeDeleted: true }) ?? null,
    definition: JSON.parse(r.definition),
    roles: JSON.parse(r.roles),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** A view by id, or by name when exactly one view has it; null when none matches. */
export async function loadView(db: D1Database, reg: Registry, idOrName: string): Promise<ViewMeta | null> {
  if (idOrName.length > 64) return null;
  const { results } = await db
    .prepare("SELECT * FROM sg_views WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC, id")
    .bind(idOrName)
    .all<ViewRow>();
  if (results.length > 1 && results[0]!.id !== idOrName)
    throw badRequest("view", `Several views are named ${idOrName}; refer to one by its id`, "ambiguous");
  return results[0] ? decode(results[0], reg) : null;
}

export async function loadViews(db: D1Database, reg: Registry, tableId?: string): Promise<ViewMeta[]> {
  const stmt = tableId
    ? db.prepare("SELECT * FROM sg_views WHERE table_id = ?1 ORDER BY name, id").bind(tableId)
    : db.prepare("SELECT * FROM sg_views ORDER BY table_id, name, id");
  return (await stmt.all<ViewRow>()).results.map((r) => decode(r, reg));
}

async function requireFreeName(db: D1Database, tableId: string, name: string, exceptId: string | null) {
  const other = await db
    .prepare("SELECT id FROM sg_views WHERE table_id = ?1 AND name = ?2 AND id <> ?3")
    .bind(tableId, name, exceptId ?? "")
    .first();
  if (other) throw conflict("name", `The table already has a view named ${name}`);
}

/** Runs a view change with its audit row and the schema version bump; a name taken meanwhile is 409 on `name`. */
async function runViewBatch(db: D1Database, stmts: Stmt[], onStale?: () => Promise<never>): Promise<void> {
  await runSchemaBatch(db, stmts, {
    what: "The view change",
    onStale,
    onUnique: () => conflict("name", "The table already has a view with that name"),
  });
}

const newViewId = () => newId("viw");

export async function createView(ctx: SchemaContext, reg: Registry, body: unknown): Promise<ViewMeta> {
  const { name, table, def, roles } = await checkDefinition(ctx.db, reg, body);
  await requireFreeName(ctx.db, table.id, name, null);
  const id = newViewId();
  await runViewBatch(ctx.db, [
    {
      sql: "INSERT INTO sg_views (id, name, table_id, definition, roles, created_at, created_by, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, 1)",
      params: [id, name, table.id, JSON.stringify(def), JSON.stringify(roles), ctx.at, ctx.userId],
    },
    auditSchema(ctx, "view.create", table.id, null, { view: id, name, definition: def, roles }),
  ]);
  return (await loadView(ctx.db, reg, id))!;
}

function stale(view: ViewMeta, current: ViewMeta | null, reply: (v: ViewMeta) => unknown): AppError {
  if (!current) return notFound(`View ${view.id}`, "view");
  return new AppError(
    "version_conflict",
    `View ${view.name} changed meanwhile; nothing was written`,
    [{ field: "version", code: "stale", message: `The view is at version ${current.version}` }],
    { current: reply(current) },
  );
}

const PATCH_KEYS = Object.keys(viewSchema.properties);

/**
 * A PATCH names the version it read and the keys to change; null removes an optional key. The merged
 * view is checked as a whole, so a change of table must bring fields of the new table.
 */
export async function updateView(
  ctx: SchemaContext,
  reg: Registry,
  view: ViewMeta,
  body: unknown,
  reply: (v: ViewMeta) => unknown,
): Promise<ViewMeta> {
  const patchSchema = {
    type: "object",
    additionalProperties: false,
    required: ["version"],
    minProperties: 2,
    properties: { version: { type: "integer", minimum: 1 }, ...Object.fromEntries(PATCH_KEYS.map((k) => [k, {}])) },
  };
  const shapeErrors = validate(patchSchema, body, "");
  if (shapeErrors.length) throw invalid(shapeErrors, "The view change is invalid");
  const { version, ...patch } = body as Record<string, unknown> & { version: number };
  if (version !== view.version) throw stale(view, view, reply);
  const { label, labels, type, ...rest } = view.definition;
  const merged: Record<string, unknown> = {
    name: view.name,
    table: view.tableId,
    label,
    labels,
    type,
    ...rest,
    roles: view.roles,
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const next = await checkDefinition(ctx.db, reg, merged);
  await requireFreeName(ctx.db, next.table.id, next.name, view.id);
  await runViewBatch(
    ctx.db,
    [
      {
        sql: "UPDATE sg_views SET name = ?1, table_id = ?2, definition = ?3, roles = ?4, updated_at = ?5, version = version + 1 WHERE id = ?6 AND version = ?7",
        params: [
          next.name,
          next.table.id,
          JSON.stringify(next.def),
          JSON.stringify(next.roles),
          ctx.at,
          view.id,
          version,
        ],
      },
      guardChanges(1, "stale"),
      auditSchema(ctx, "view.update", next.table.id, null, {
        view: view.id,
        before: { name: view.name, table: view.tableId, definition: view.definition, roles: view.roles },
        after: { name: next.name, table: next.table.id, definition: next.def, roles: next.roles },
      }),
    ],
    async () => {
      throw stale(view, await loadView(ctx.db, reg, view.id), reply);
    },
  );
  return (await loadView(ctx.db, reg, view.id))!;
}

/** JSON with object keys sorted, so two definitions compare by content, not by key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** `input` checked as a whole view (a plugin's new version of it); null when the view already stores exactly that. */
export async function viewReplacement(
  db: D1Database,
  reg: Registry,
  view: ViewMeta,
  input: unknown,
): Promise<CheckedView | null> {
  const next = await checkDefinition(db, reg, input);
  const same =
    next.name === view.name &&
    next.table.id === view.tableId &&
    canonical(next.def) === canonical(view.definition) &&
    canonical(next.roles) === canonical(view.roles);
  return same ? null : next;
}

/**
 * Whether someone changed the view through the views API since it was made: every such change
 * writes a `view.update` audit row on the view's table at that time, so the latest is on its table now.
 * Plugin upgrades write `view.upgrade` instead and do not count.
 */
export async function viewChangedByAdmin(db: D1Database, view: ViewMeta): Promise<boolean> {
  const row = await db
    .prepare(
      "SELECT 1 AS x FROM sg_audit WHERE table_id = ?1 AND record_id IS NULL AND action = 'view.update' AND json_extract(changes, '$.view') = ?2 LIMIT 1",
    )
    .bind(view.tableId, view.id)
    .first();
  return row !== null;
}

/**
 * A plugin upgrade's new version of a view it made, in one batch with its audit row (`view.upgrade`,
 * so a later upgrade can tell it from an admin's change) and the caller's bookkeeping statements.
 */
export async function upgradeView(
  ctx: SchemaContext,
  reg: Registry,
  view: ViewMeta,
  next: CheckedView,
  details: Record<string, unknown>,
  extra: Stmt[],
): Promise<ViewMeta> {
  await requireFreeName(ctx.db, next.table.id, next.name, view.id);
  await runViewBatch(
    ctx.db,
    [
      {
        sql: "UPDATE sg_views SET name = ?1, table_id = ?2, definition = ?3, roles = ?4, updated_at = ?5, version = version + 1 WHERE id = ?6 AND version = ?7",
        params: [
          next.name,
          next.table.id,
          JSON.stringify(next.def),
          JSON.stringify(next.roles),
          ctx.at,
          view.id,
          view.version,
        ],
      },
      guardChanges(1, "stale"),
      auditSchema(ctx, "view.upgrade", next.table.id, null, {
        view: view.id,
        ...details,
        before: { name: view.name, table: view.tableId, definition: view.definition, roles: view.roles },
        after: { name: next.name, table: next.table.id, definition: next.def, roles: next.roles },
      }),
      ...extra,
    ],
    async () => {
      throw new AppError(
        "conflict",
        `View ${view.name} changed during the upgrade; nothing was written to it. Run the upgrade again.`,
      );
    },
  );
  return (await loadView(ctx.db, reg, view.id))!;
}

/** Deletes a view; embed tokens of the view are revoked in the same batch so none outlives it. */
export async function deleteView(
  ctx: SchemaContext,
  reg: Registry,
  view: ViewMeta,
  version: number | undefined,
  reply: (v: ViewMeta) => unknown,
): Promise<void> {
  if (version !== undefined && version !== view.version) throw stale(view, view, reply);
  await runViewBatch(
    ctx.db,
    [
      { sql: "DELETE FROM sg_views WHERE id = ?1 AND version = ?2", params: [view.id, version ?? view.version] },
      guardChanges(1, "stale"),
      {
        sql: "UPDATE sg_embed_tokens SET revoked_at = ?1 WHERE view_id = ?2 AND revoked_at IS NULL",
        params: [ctx.at, view.id],
      },
      auditSchema(ctx, "view.delete", view.tableId, null, {
        view: view.id,
        name: view.name,
        definition: view.definition,
        roles: view.roles,
      }),
    ],
    async () => {
      throw stale(view, await loadView(ctx.db, reg, view.id), reply);
    },
  );
}
