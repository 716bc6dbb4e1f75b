/**
 * The schema registry: tables and fields read from the meta tables, cached per isolate and
 * reloaded when sg_settings.schema_version moves (every schema change bumps it in its batch).
 */
import { notFound } from "../errors";
import type { FieldMeta, TableMeta } from "./types";
import { ownerField, type Grant } from "../access/policy";
import { pendingCheck } from "../auth/freshness";
import { DERIVED_INDEX_PREFIX, ownerIndexes, reconcileIndexesSql, type DerivedIndex } from "./ddl";

interface TableRow {
  id: string;
  name: string;
  label: string;
  labels: string;
  description: string;
  primary_field_id: string | null;
  owner_field_id: string | null;
  slots: number;
  plugin: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}
interface FieldRow {
  id: string;
  table_id: string;
  name: string;
  label: string;
  labels: string;
  description: string;
  type: string;
  options: string;
  required: number;
  indexed: number;
  position: number;
  slot: number;
  deleted_at: string | null;
}

export interface Registry {
  version: number;
  tables: TableMeta[];
  /** Every role's grants; permission changes bump the same version as schema changes. */
  grants: Grant[];
}

interface GrantRow {
  role: string;
  table_id: string;
  ops: string;
  fields: string;
  default_field: string;
}

let cached: Registry | null = null;

export const bumpSchemaVersion = (db: D1Database) =>
  db.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'");

export async function loadRegistry(db: D1Database): Promise<Registry> {
  // Behind a deferred freshness check (auth/freshness.ts) the cached copy answers; the check then
  // compares its version with the database's inside the read's own batch.
  const pending = pendingCheck(db);
  if (pending && cached) {
    pending.schemaVersion = cached.version;
    return cached;
  }
  return loadRegistryFromDb(db);
}

async function loadRegistryFromDb(db: D1Database): Promise<Registry> {
  const v = await db.prepare("SELECT value FROM sg_settings WHERE key = 'schema_version'").first<{ value: string }>();
  const version = Number(v?.value ?? 0);
  if (cached && cached.version === version) return cached;
  const [tables, fields, grants, indexes, views] = await db.batch<
    TableRow | FieldRow | GrantRow | IndexRow | ViewSortRow
  >([
    db.prepare("SELECT * FROM sg_tables ORDER BY created_at, id"),
    db.prepare("SELECT * FROM sg_fields ORDER BY table_id, position, created_at"),
    db.prepare("SELECT role, table_id, ops, fields, default_field FROM sg_grants"),
    db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND substr(name, 1, ?1) = ?2")
      .bind(DERIVED_INDEX_PREFIX.length, DERIVED_INDEX_PREFIX),
    db.prepare(
      "SELECT table_id, json_extract(definition, '$.sort[0].field') AS field FROM sg_views WHERE json_extract(definition, '$.sort[0].field') IS NOT NULL",
    ),
  ]);
  const reg: Registry = {
    version,
    tables: assemble(tables!.results as TableRow[], fields!.results as FieldRow[]),
    grants: (grants!.results as GrantRow[]).map((g) => ({
      role: g.role,
      tableId: g.table_id,
      ops: JSON.parse(g.ops),
      fields: JSON.parse(g.fields),
      defaultField: g.default_field as Grant["defaultField"],
    })),
  };
  await reconcileIndexes(db, wantedIndexes(reg, views!.results as ViewSortRow[]), indexes!.results as IndexRow[]);
  cached = reg;
  return cached;
}

interface IndexRow {
  name: string;
  sql: string | null;
}

/** The field (id) that leads a view's sort. */
interface ViewSortRow {
  table_id: string;
  field: string;
}

/** The derived indexes the registry's tables, grants and view sorts call for (see ownerIndexes). */
export function wantedIndexes(reg: Registry, viewSorts: ViewSortRow[]): DerivedIndex[] {
  const ownReaders = new Set(
    reg.grants.filter((g) => g.ops.read === "own" || g.ops.read === "team").map((g) => g.tableId),
  );
  return reg.tables
    .filter((t) => !t.deletedAt && ownReaders.has(t.id))
    .flatMap((t) =>
      ownerIndexes(t, ownerField(t), new Set(viewSorts.filter((v) => v.table_id === t.id).map((v) => v.field))),
    );
}

/**
 * Every schema, grant or view change bumps schema_version, so the first load after it brings the derived
 * indexes in line, whichever path made the change. Idempotent (IF [NOT] EXISTS), so isolates that
 * reload at the same time do no harm. A failure is logged, not thrown: reads stay correct without
 * the index, only slower, and the next change retries.
 */
async function reconcileIndexes(db: D1Database, wanted: DerivedIndex[], existing: IndexRow[]): Promise<void> {
  const stmts = reconcileIndexesSql(wanted, existing);
  if (stmts.length === 0) return;
  try {
    await db.batch(stmts.map((sql) => db.prepare(sql)));
  } catch (err) {
    console.error(`could not bring the owner indexes in line: ${String(err)}`);
  }
}

function toField(r: FieldRow): FieldMeta {
  return {
    id: r.id,
    tableId: r.table_id,
    name: r.name,
    label: r.label,
    labels: JSON.parse(r.labels),
    description: r.description,
    type: r.type as FieldMeta["type"],
    options: JSON.parse(r.options),
    required: r.required === 1,
    indexed: r.indexed === 1,
    position: r.position,
    slot: r.slot,
    deletedAt: r.deleted_at,
  };
}

function assemble(tableRows: TableRow[], fieldRows: FieldRow[]): TableMeta[] {
  const byTable = new Map<string, FieldMeta[]>();
  for (const r of fieldRows) {
    const list = byTable.get(r.table_id) ?? [];
    list.push(toField(r));
    byTable.set(r.table_id, list);
  }
  return tableRows.map((t) => {
    const all = byTable.get(t.id) ?? [];
    return {
      id: t.id,
      name: t.name,
      label: t.label,
      labels: JSON.parse(t.labels),
      description: t.description,
      primaryFieldId: t.primary_field_id,
      ownerFieldId: t.owner_field_id,
      slots: t.slots,
      plugin: t.plugin,
      deletedAt: t.deleted_at,
      createdAt: t.created_at,
      updatedAt: t.updated_at,
      version: t.version,
      fields: all.filter((f) => !f.deletedAt),
      deletedFields: all.filter((f) => f.deletedAt),
    };
  });
}

/** A live table by id or API name; soft-deleted tables only when asked for. */
export function findTable(reg: Registry, ref: string, opts: { includeDeleted?: boolean } = {}): TableMeta | undefined {
  return (
    reg.tables.find((t) => t.id === ref && (opts.includeDeleted || !t.deletedAt)) ??
    reg.tables.find((t) => t.name === ref && !t.deletedAt) ??
    (opts.includeDeleted ? reg.tables.find((t) => t.name === ref) : undefined)
  );
}

export async function requireTable(db: D1Database, ref: string, opts: { includeDeleted?: boolean } = {}) {
  let reg = await loadRegistry(db);
  let table = findTable(reg, ref, opts);
  const pending = pendingCheck(db);
  if (!table && pending?.schemaVersion != null) {
    // A table this isolate has not heard of yet (created elsewhere a moment ago) is no 404.
    pending.schemaVersion = null;
    reg = await loadRegistryFromDb(db);
    table = findTable(reg, ref, opts);
  }
  if (!table) throw notFound(`Table ${JSON.stringify(ref.slice(0, 64))}`, "table");
  return { reg, table };
}
