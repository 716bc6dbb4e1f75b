/**
 * Saved views: a table shown a certain way (filter, sort, fields, grouping) to certain roles.
 * Definitions arrive with field names and are stored with field ids, so renaming a field keeps its
 * views working; replies turn ids back into names. Who may open a view is decided here (canOpenView)
 * so that the API, and later embed tokens, apply one rule.
 */
import filterSchema from "../../schemas/filter.schema.json";
import viewSchema from "../../schemas/view.schema.json";
import type { Filter, ViewInput } from "../../schemas/types";
import { tableAccess, type TableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { AppError, badRequest, invalid, notFound, type FieldError } from "../errors";
import { MAX_FILTER_DEPTH, parseFilter } from "../query/filter";
import { parseSort } from "../query/select";
import { guardChanges, type Stmt } from "../query/write";
import { aggregateRecords } from "../records/aggregate";
import { listRecords, type ListOptions, type ReadContext } from "../records/read";
import { conflict } from "./definitions";
import { runSchemaBatch } from "./tables";
import { auditSchema, type SchemaContext } from "./plan";
import { bumpSchemaVersion, findTable, type Registry } from "./registry";
import { findField, type FieldMeta, type Labels, type TableMeta } from "./types";
import { validate } from "./validate";
import { newId } from "../db/ids";

type ViewType = ViewInput["type"];
type Layout = NonNullable<ViewInput["layout"]>;

/** What sg_views.definition holds: every field reference is a field id. */
export interface StoredDefinition {
  label: string;
  labels: Labels;
  type: ViewType;
  filter?: Filter;
  sort?: { field: string; direction: "asc" | "desc" }[];
  fields?: string[];
  groupBy?: string;
  layout?: Layout;
}

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
  id: string; name: string; table_id: string; definition: string; roles: string;
  created_at: string; created_by: string | null; updated_at: string; version: number;
}

const GROUPABLE_KANBAN = new Set<FieldMeta["type"]>(["single_select", "user"]);
const SUMMABLE_KANBAN = new Set<FieldMeta["type"]>(["currency", "number"]);
const DATE_TYPES = new Set<FieldMeta["type"]>(["date", "datetime"]);

function decode(r: ViewRow, reg: Registry): ViewMeta {
  return {
    id: r.id, name: r.name, tableId: r.table_id, table: findTable(reg, r.table_id, { includeDeleted: true }) ?? null,
    definition: JSON.parse(r.definition), roles: JSON.parse(r.roles), createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at, version: r.version,
  };
}

/** A view by id, or by name when exactly one view has it; null when none matches. */
export async function loadView(db: D1Database, reg: Registry, idOrName: string): Promise<ViewMeta | null> {
  if (idOrName.length > 64) return null;
  const { results } = await db.prepare("SELECT * FROM sg_views WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC, id").bind(idOrName).all<ViewRow>();
  if (results.length > 1 && results[0]!.id !== idOrName) throw badRequest("view", `Several views are named ${idOrName}; refer to one by its id`, "ambiguous");
  return results[0] ? decode(results[0], reg) : null;
}

export async function loadViews(db: D1Database, reg: Registry, tableId?: string): Promise<ViewMeta[]> {
  const stmt = tableId
    ? db.prepare("SELECT * FROM sg_views WHERE table_id = ?1 ORDER BY name, id").bind(tableId)
    : db.prepare("SELECT * FROM sg_views ORDER BY table_id, name, id");
  return (await stmt.all<ViewRow>()).results.map((r) => decode(r, reg));
}

function filterFieldIds(filter: Filter | undefined, out: string[] = []): string[] {
  if (!filter) return out;
  if ("and" in filter) filter.and.forEach((f) => filterFieldIds(f, out));
  else if ("or" in filter) filter.or.forEach((f) => filterFieldIds(f, out));
  else out.push(filter.field);
  return out;
}

function mapFilter(filter: Filter, fn: (ref: string) => string): Filter {
  if ("and" in filter) return { and: filter.and.map((f) => mapFilter(f, fn)) };
  if ("or" in filter) return { or: filter.or.map((f) => mapFilter(f, fn)) };
  return { ...filter, field: fn(filter.field) };
}

/** Fields that decide which rows and in which order: the caller must be able to read all of them. */
function deciding(d: StoredDefinition): string[] {
  return [...filterFieldIds(d.filter), ...(d.sort ?? []).map((s) => s.field), ...(d.groupBy ? [d.groupBy] : []), ...(d.layout?.dateField ? [d.layout.dateField] : []), ...(d.layout?.swimlaneField ? [d.layout.swimlaneField] : [])];
}

/**
 * The field ids a view shows, or null for every field. A kanban also needs the fields it arranges
 * cards by (columns, swimlanes) and sums, even when its card fields leave them out: moving a card
 * writes its column field, and the column sums measure the sum field.
 */
export function viewFieldIds(d: StoredDefinition): string[] | null {
  if (!d.fields?.length) return null;
  if (d.type !== "kanban") return d.fields;
  const extra = [d.groupBy, d.layout?.swimlaneField, d.layout?.sumField].filter((id): id is string => !!id && !d.fields!.includes(id));
  return [...d.fields, ...extra];
}

/**
 * Admins open every view. Others need one of the view's roles, read access to its live table, and
 * read access to every field the view filters, sorts or groups on: a view must not let them infer
 * hidden values from which rows it shows. An embed principal opens only its own view.
 */
export function canOpenView(principal: Principal, reg: Registry, view: ViewMeta): boolean {
  if (principal.embed && principal.embed.viewId !== view.id) return false;
  if (principal.isAdmin) return true;
  const table = findTable(reg, view.tableId);
  if (!table || !view.roles.some((r) => principal.roles.includes(r))) return false;
  const access = tableAccess(principal, table, reg);
  if (!access.may("read")) return false;
  const readable = (id: string) => { const f = table.fields.find((x) => x.id === id); return !!f && access.canRead(f); };
  if (!deciding(view.definition).every(readable)) return false;
  // A field list the caller can read none of would fall back to every field: refuse instead.
  return !view.definition.fields?.length || view.definition.fields.some(readable);
}

/** The view as `principal` sees it: field names, fields they cannot read dropped from the column list. */
export function viewReply(view: ViewMeta, principal: Principal, reg: Registry) {
  const t = view.table;
  const access = t && !principal.isAdmin ? tableAccess(principal, t, reg) : null;
  const field = (id: string) => t?.fields.find((f) => f.id === id);
  const shown = (id: string) => { const f = field(id); return access ? !!f && access.canRead(f) : true; };
  // A field deleted since keeps its id, so an admin sees what to repair.
  const name = (id: string) => field(id)?.name ?? id;
  const d = view.definition;
  const layout = d.layout && {
    ...d.layout,
    ...(d.layout.dateField ? { dateField: name(d.layout.dateField) } : {}),
    ...(d.layout.swimlaneField ? { swimlaneField: name(d.layout.swimlaneField) } : {}),
    // Not a deciding field: a viewer who cannot read it sees the board without sums.
    ...(d.layout.sumField ? { sumField: shown(d.layout.sumField) ? name(d.layout.sumField) : undefined } : {}),
    ...(d.layout.columnWidths ? { columnWidths: Object.fromEntries(Object.entries(d.layout.columnWidths).filter(([id]) => shown(id)).map(([id, w]) => [name(id), w])) } : {}),
  };
  return {
    id: view.id, name: view.name, label: d.label, labels: d.labels, table: t?.name ?? view.tableId, tableId: view.tableId, type: d.type,
    ...(d.filter ? { filter: mapFilter(d.filter, name) } : {}),
    ...(d.sort ? { sort: d.sort.map((s) => ({ field: name(s.field), direction: s.direction })) } : {}),
    ...(d.fields ? { fields: d.fields.filter(shown).map(name) } : {}),
    ...(d.groupBy ? { groupBy: name(d.groupBy) } : {}),
    ...(layout ? { layout } : {}),
    roles: view.roles, version: view.version, createdAt: view.createdAt, createdBy: view.createdBy, updatedAt: view.updatedAt,
  };
}

/** Schema first, then what a schema cannot say: the table, its fields, the roles. */
async function checkDefinition(db: D1Database, reg: Registry, input: unknown): Promise<{ name: string; table: TableMeta; def: StoredDefinition; roles: string[] }> {
  const schemaErrors = validate(viewSchema, input, "", [filterSchema]);
  if (schemaErrors.length) throw invalid(schemaErrors, "The view definition is invalid");
  const v = input as ViewInput;
  const table = findTable(reg, v.table);
  if (!table) throw invalid([{ field: "table", code: "unknown_table", message: `No table ${JSON.stringify(v.table)}` }], "The view definition is invalid");
  const errors: FieldError[] = [];
  const ref = (r: string, path: string): FieldMeta | undefined => {
    const f = findField(table, r);
    if (!f) errors.push({ field: path, code: "unknown_field", message: `Table ${table.name} has no field ${JSON.stringify(r.slice(0, 64))}` });
    return f;
  };
  const all = () => true;
  let filter: Filter | undefined;
  if (v.filter !== undefined) {
    try {
      parseFilter(v.filter, table, { canRead: all }, "filter");
      filter = mapFilter(v.filter, (r) => findField(table, r)!.id);
      // A caller's filter is AND'ed on as {and: [view, caller]}: leave that level free.
      if (filterDepth(v.filter) >= MAX_FILTER_DEPTH) errors.push({ field: "filter", code: "too_deep", message: `A view's filter nests at most ${MAX_FILTER_DEPTH - 1} levels deep` });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...(err.errors.length ? err.errors : [{ field: "filter", code: err.code, message: err.message }]));
    }
  }
  const sortRefs = (v.sort ?? []).map((s, i) => ref(s.field, `sort/${i}/field`));
  let sort: StoredDefinition["sort"];
  if (v.sort && sortRefs.every(Boolean)) {
    try {
      parseSort(sortRefs.map((f, i) => `${v.sort![i]!.direction === "desc" ? "-" : ""}${f!.id}`).join(","), table, all);
      sort = v.sort.map((s, i) => ({ field: sortRefs[i]!.id, direction: s.direction ?? "asc" }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...err.errors);
    }
  }
  const fields = v.fields?.map((r, i) => ref(r, `fields/${i}`)?.id ?? "");
  fields?.forEach((id, i) => { if (id && fields.indexOf(id) !== i) errors.push({ field: `fields/${i}`, code: "duplicate", message: `Field ${v.fields![i]} is listed twice` }); });
  const groupBy = v.groupBy !== undefined ? ref(v.groupBy, "groupBy") : undefined;
  if (v.type === "kanban" && !(groupBy && GROUPABLE_KANBAN.has(groupBy.type)) && (v.groupBy === undefined || groupBy)) {
    errors.push({ field: "groupBy", code: "kanban_group", message: "A kanban groups by a single_select or user field" });
  }
  const dateField = v.layout?.dateField !== undefined ? ref(v.layout.dateField, "layout/dateField") : undefined;
  if (v.type === "calendar" && !(dateField && DATE_TYPES.has(dateField.type)) && (v.layout?.dateField === undefined || dateField)) {
    errors.push({ field: "layout/dateField", code: "calendar_date", message: "A calendar places records by a date or datetime field" });
  }
  const kanbanField = (key: "sumField" | "swimlaneField", types: Set<FieldMeta["type"]>, what: string): FieldMeta | undefined => {
    const r = v.layout?.[key];
    if (r === undefined) return undefined;
    if (v.type !== "kanban") {
      errors.push({ field: `layout/${key}`, code: "kanban_only", message: `layout.${key} belongs to kanban views` });
      return undefined;
    }
    const f = ref(r, `layout/${key}`);
    if (f && !types.has(f.type)) errors.push({ field: `layout/${key}`, code: `kanban_${key === "sumField" ? "sum" : "swimlane"}`, message: `A kanban ${what}; ${f.name} is a ${f.type} field` });
    return f;
  };
  const sumField = kanbanField("sumField", SUMMABLE_KANBAN, "sums a currency or number field");
  const swimlaneField = kanbanField("swimlaneField", GROUPABLE_KANBAN, "splits swimlanes by a single_select or user field");
  if (swimlaneField && groupBy && swimlaneField.id === groupBy.id) errors.push({ field: "layout/swimlaneField", code: "kanban_swimlane", message: "The swimlanes need another field than the columns" });
  const widths = v.layout?.columnWidths && Object.fromEntries(Object.entries(v.layout.columnWidths).map(([r, w]) => [ref(r, `layout/columnWidths/${r.slice(0, 64)}`)?.id ?? r, w]));
  const roles = [...new Set(v.roles ?? [])];
  if (roles.length) {
    const known = new Set((await db.prepare("SELECT name FROM sg_roles").all<{ name: string }>()).results.map((r) => r.name));
    roles.forEach((r) => { if (!known.has(r)) errors.push({ field: `roles/${(v.roles ?? []).indexOf(r)}`, code: "unknown_role", message: `No role ${JSON.stringify(r.slice(0, 64))}` }); });
  }
  if (errors.length) throw invalid(errors, "The view definition is invalid");
  const layout: Layout | undefined = v.layout && {
    ...v.layout, ...(dateField ? { dateField: dateField.id } : {}), ...(widths ? { columnWidths: widths } : {}),
    ...(sumField ? { sumField: sumField.id } : {}), ...(swimlaneField ? { swimlaneField: swimlaneField.id } : {}),
  };
  const def: StoredDefinition = {
    label: v.label ?? v.labels?.en ?? v.name, labels: v.labels ?? {}, type: v.type,
    ...(filter ? { filter } : {}), ...(sort ? { sort } : {}), ...(fields ? { fields } : {}), ...(groupBy ? { groupBy: groupBy.id } : {}), ...(layout ? { layout } : {}),
  };
  return { name: v.name, table, def, roles };
}

function filterDepth(f: Filter): number {
  if ("and" in f) return 1 + Math.max(0, ...f.and.map(filterDepth));
  if ("or" in f) return 1 + Math.max(0, ...f.or.map(filterDepth));
  return 1;
}

async function requireFreeName(db: D1Database, tableId: string, name: string, exceptId: string | null) {
  const other = await db.prepare("SELECT id FROM sg_views WHERE table_id = ?1 AND name = ?2 AND id <> ?3").bind(tableId, name, exceptId ?? "").first();
  if (other) throw conflict("name", `The table already has a view named ${name}`);
}

/** Runs a view change with its audit row and the schema version bump; a name taken meanwhile is 409 on `name`. */
async function runViewBatch(db: D1Database, stmts: Stmt[], onStale?: () => Promise<never>): Promise<void> {
  await runSchemaBatch(db, stmts, { what: "The view change", onStale, onUnique: () => conflict("name", "The table already has a view with that name") });
}

const newViewId = () => newId("viw");

export async function createView(ctx: SchemaContext, reg: Registry, body: unknown): Promise<ViewMeta> {
  const { name, table, def, roles } = await checkDefinition(ctx.db, reg, body);
  await requireFreeName(ctx.db, table.id, name, null);
  const id = newViewId();
  await runViewBatch(ctx.db, [
    { sql: "INSERT INTO sg_views (id, name, table_id, definition, roles, created_at, created_by, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, 1)",
      params: [id, name, table.id, JSON.stringify(def), JSON.stringify(roles), ctx.at, ctx.userId] },
    auditSchema(ctx, "view.create", table.id, null, { view: id, name, definition: def, roles }),
  ]);
  return (await loadView(ctx.db, reg, id))!;
}

function stale(view: ViewMeta, current: ViewMeta | null, reply: (v: ViewMeta) => unknown): AppError {
  if (!current) return notFound(`View ${view.id}`, "view");
  return new AppError("version_conflict", `View ${view.name} changed meanwhile; nothing was written`,
    [{ field: "version", code: "stale", message: `The view is at version ${current.version}` }], { current: reply(current) });
}

const PATCH_KEYS = Object.keys(viewSchema.properties);

/**
 * A PATCH names the version it read and the keys to change; null removes an optional key. The merged
 * view is checked as a whole, so a change of table must bring fields of the new table.
 */
export async function updateView(ctx: SchemaContext, reg: Registry, view: ViewMeta, body: unknown, reply: (v: ViewMeta) => unknown): Promise<ViewMeta> {
  const patchSchema = {
    type: "object", additionalProperties: false, required: ["version"], minProperties: 2,
    properties: { version: { type: "integer", minimum: 1 }, ...Object.fromEntries(PATCH_KEYS.map((k) => [k, {}])) },
  };
  const shapeErrors = validate(patchSchema, body, "");
  if (shapeErrors.length) throw invalid(shapeErrors, "The view change is invalid");
  const { version, ...patch } = body as Record<string, unknown> & { version: number };
  if (version !== view.version) throw stale(view, view, reply);
  const { label, labels, type, ...rest } = view.definition;
  const merged: Record<string, unknown> = { name: view.name, table: view.tableId, label, labels, type, ...rest, roles: view.roles };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const next = await checkDefinition(ctx.db, reg, merged);
  await requireFreeName(ctx.db, next.table.id, next.name, view.id);
  await runViewBatch(ctx.db, [
    { sql: "UPDATE sg_views SET name = ?1, table_id = ?2, definition = ?3, roles = ?4, updated_at = ?5, version = version + 1 WHERE id = ?6 AND version = ?7",
      params: [next.name, next.table.id, JSON.stringify(next.def), JSON.stringify(next.roles), ctx.at, view.id, version] },
    guardChanges(1, "stale"),
    auditSchema(ctx, "view.update", next.table.id, null, {
      view: view.id, before: { name: view.name, table: view.tableId, definition: view.definition, roles: view.roles }, after: { name: next.name, table: next.table.id, definition: next.def, roles: next.roles },
    }),
  ], async () => { throw stale(view, await loadView(ctx.db, reg, view.id), reply); });
  return (await loadView(ctx.db, reg, view.id))!;
}

/** A view definition checked as a create checks it. */
export type CheckedView = Awaited<ReturnType<typeof checkDefinition>>;

/** JSON with object keys sorted, so two definitions compare by content, not by key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

/** `input` checked as a whole view (a plugin's new version of it); null when the view already stores exactly that. */
export async function viewReplacement(db: D1Database, reg: Registry, view: ViewMeta, input: unknown): Promise<CheckedView | null> {
  const next = await checkDefinition(db, reg, input);
  const same = next.name === view.name && next.table.id === view.tableId && canonical(next.def) === canonical(view.definition) && canonical(next.roles) === canonical(view.roles);
  return same ? null : next;
}

/**
 * Whether someone changed the view through the views API since it was made: every such change
 * writes a `view.update` audit row on the view's table at that time, so the latest is on its table now.
 * Plugin upgrades write `view.upgrade` instead and do not count.
 */
export async function viewChangedByAdmin(db: D1Database, view: ViewMeta): Promise<boolean> {
  const row = await db.prepare("SELECT 1 AS x FROM sg_audit WHERE table_id = ?1 AND record_id IS NULL AND action = 'view.update' AND json_extract(changes, '$.view') = ?2 LIMIT 1")
    .bind(view.tableId, view.id).first();
  return row !== null;
}

/**
 * A plugin upgrade's new version of a view it made, in one batch with its audit row (`view.upgrade`,
 * so a later upgrade can tell it from an admin's change) and the caller's bookkeeping statements.
 */
export async function upgradeView(ctx: SchemaContext, reg: Registry, view: ViewMeta, next: CheckedView, details: Record<string, unknown>, extra: Stmt[]): Promise<ViewMeta> {
  await requireFreeName(ctx.db, next.table.id, next.name, view.id);
  await runViewBatch(ctx.db, [
    { sql: "UPDATE sg_views SET name = ?1, table_id = ?2, definition = ?3, roles = ?4, updated_at = ?5, version = version + 1 WHERE id = ?6 AND version = ?7",
      params: [next.name, next.table.id, JSON.stringify(next.def), JSON.stringify(next.roles), ctx.at, view.id, view.version] },
    guardChanges(1, "stale"),
    auditSchema(ctx, "view.upgrade", next.table.id, null, {
      view: view.id, ...details, before: { name: view.name, table: view.tableId, definition: view.definition, roles: view.roles }, after: { name: next.name, table: next.table.id, definition: next.def, roles: next.roles },
    }),
    ...extra,
  ], async () => { throw new AppError("conflict", `View ${view.name} changed during the upgrade; nothing was written to it. Run the upgrade again.`); });
  return (await loadView(ctx.db, reg, view.id))!;
}

/** Deletes a view; embed tokens of the view are revoked in the same batch so none outlives it. */
export async function deleteView(ctx: SchemaContext, reg: Registry, view: ViewMeta, version: number | undefined, reply: (v: ViewMeta) => unknown): Promise<void> {
  if (version !== undefined && version !== view.version) throw stale(view, view, reply);
  await runViewBatch(ctx.db, [
    { sql: "DELETE FROM sg_views WHERE id = ?1 AND version = ?2", params: [view.id, version ?? view.version] },
    guardChanges(1, "stale"),
    { sql: "UPDATE sg_embed_tokens SET revoked_at = ?1 WHERE view_id = ?2 AND revoked_at IS NULL", params: [ctx.at, view.id] },
    auditSchema(ctx, "view.delete", view.tableId, null, { view: view.id, name: view.name, definition: view.definition, roles: view.roles }),
  ], async () => { throw stale(view, await loadView(ctx.db, reg, view.id), reply); });
}

/**
 * Records through a view: the view's filter AND the caller's (never instead of it), the view's sort
 * unless the caller sorts, and the view's columns (a caller may narrow them, not widen them).
 * The caller's own grants (row rules, hidden fields) still apply inside listRecords.
 */
export async function listViewRecords(ctx: ReadContext, view: ViewMeta, opts: ListOptions) {
  const table = findTable(ctx.reg, view.tableId);
  if (!table) throw notFound(`Table of view ${view.name}`, "table");
  const d = view.definition;
  let filter = opts.filter;
  if (d.filter && opts.filter) {
    let callerFilter: unknown;
    try {
      callerFilter = JSON.parse(opts.filter);
    } catch {
      throw new AppError("invalid_json", "filter is not valid JSON", [{ field: "filter", code: "invalid_json", message: "filter must be JSON" }]);
    }
    filter = JSON.stringify({ and: [d.filter, callerFilter] });
  } else if (d.filter) filter = JSON.stringify(d.filter);
  const sort = opts.sort ?? d.sort?.map((s) => `${s.direction === "desc" ? "-" : ""}${s.field}`).join(",");
  let fields = opts.fields;
  const listed = viewFieldIds(d);
  const access = tableAccess(ctx.principal, table, ctx.reg);
  const expand = opts.expand ? viewExpand(table, listed, access, opts.expand) : undefined;
  if (listed) {
    const mine = table.fields.filter((f) => listed.includes(f.id) && access.canRead(f));
    const wanted = opts.fields ? opts.fields.split(",").map((s) => s.trim()).filter(Boolean) : [];
    for (const w of wanted) {
      if (!mine.some((f) => f.id === w || f.name === w)) {
        throw new AppError("unknown_field", `View ${view.name} has no field ${JSON.stringify(w.slice(0, 64))}`, [{ field: "fields", code: "unknown_field", message: `No field ${JSON.stringify(w.slice(0, 64))}` }]);
      }
    }
    if (!wanted.length) fields = mine.map((f) => f.id).join(",");
  }
  return listRecords(ctx, table, { ...opts, filter, sort, fields, expand });
}

/**
 * `expand` through a view: only link fields the view shows (and the caller reads). The records
 * pipeline then expands them under the caller's access to the linked table, as the records list does.
 */
function viewExpand(table: TableMeta, listed: string[] | null, access: TableAccess, raw: string): string {
  const shown = table.fields.filter((f) => (!listed || listed.includes(f.id)) && access.canRead(f));
  const wanted = [...new Set(raw.split(",").map((s) => s.trim()).filter(Boolean))];
  return wanted.map((w) => {
    const f = shown.find((x) => x.id === w || x.name === w);
    if (!f) throw badRequest("expand", `The view shows no field ${JSON.stringify(w.slice(0, 64))}`, "unknown_field");
    if (f.type !== "link") throw badRequest("expand", `${f.name} is not a link field`, "not_link");
    return f.id;
  }).join(",");
}

/**
 * Aggregates through a view: the view's filter AND the caller's, over the view's fields only (when it
 * lists any), so a kanban board's column sums match its cards. The caller's grants still apply.
 */
export async function aggregateViewRecords(ctx: ReadContext, view: ViewMeta, body: unknown) {
  const table = findTable(ctx.reg, view.tableId);
  if (!table) throw notFound(`Table of view ${view.name}`, "table");
  const d = view.definition;
  // canOpenView has checked that the caller may read every field the view filters on.
  const filter = d.filter ? parseFilter(d.filter, table, { canRead: () => true }, "view/filter") : null;
  const listed = viewFieldIds(d);
  return aggregateRecords(ctx, table, body, { filter, fields: listed ? new Set(listed) : null });
}
