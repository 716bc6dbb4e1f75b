/**
 * Grants as admins edit them: what one role may do on one table. A body is checked against
 * schemas/grant.schema.json, then against the table: field keys must be its fields and each row rule
 * must parse as a filter on it (with $user variables replaced by placeholders; paths through link
 * fields and `readable` checked against the tables they reach). Field references, each step of a path
 * too, are stored by id so renames do not break a grant, and shown by name. Every change bumps the registry
 * version (grants are cached per isolate with it) and writes its audit row in the same batch.
 */
import grantSchema from "../../schemas/grant.schema.json";
import filterSchema from "../../schemas/filter.schema.json";
import type { GrantInput } from "../../schemas/types";
import { AppError, invalid, notFound, type FieldError } from "../errors";
import { auditRow, checkInput, type AdminContext } from "../audit/log";
import { runBatch } from "../db/batch";
import { bumpSchemaVersion, findTable, type Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import { MAX_LINK_HOPS, parseFilter } from "../query/filter";
import {
  OPERATIONS,
  ownerField,
  substitute,
  type FieldAccess,
  type Level,
  type Operation,
  type Subject,
} from "./policy";
import { getRole } from "./roles";

interface GrantRow {
  role: string;
  table_id: string;
  ops: string;
  fields: string;
  default_field: string;
  updated_at: string;
}

export interface StoredGrant {
  ops: Record<Operation, Level>;
  fields: Record<string, FieldAccess>;
  defaultField: FieldAccess;
}

// Placeholders standing in for a real user while a rule is checked: shaped like the real values.
const PLACEHOLDER: Subject = {
  id: "usr_aaaaaaaaaaaa",
  roles: ["placeholder"],
  teams: ["team_aaaaaaaaaaaa"],
  teamMembers: ["usr_aaaaaaaaaaaa"],
  timeZone: "UTC",
};

/** Finds the table a link field points at (the registry's, or an install's working copies). */
export type TableLookup = (id: string) => TableMeta | undefined;

export const registryLookup =
  (reg: Registry): TableLookup =>
  (id) =>
    findTable(reg, id);

/**
 * Rewrites every condition's `field` in a rule through `map` (ids <-> names); a path `a.b.c` is
 * mapped step by step, each in the table the link before it reaches.
 */
function mapRuleFields(
  rule: unknown,
  table: TableMeta,
  tables: TableLookup,
  map: (ref: string, t: TableMeta) => string,
): unknown {
  if (Array.isArray(rule)) return rule.map((r) => mapRuleFields(r, table, tables, map));
  if (!rule || typeof rule !== "object") return rule;
  const obj = rule as Record<string, unknown>;
  if ("and" in obj || "or" in obj)
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, mapRuleFields(v, table, tables, map)]));
  if (typeof obj.field !== "string") return obj;
  let t: TableMeta | undefined = table;
  const steps = obj.field.split(".").map((ref) => {
    if (!t) return ref;
    const mapped = map(ref, t);
    const f: FieldMeta | undefined = allFields(t).find((x) => x.id === ref || x.name === ref);
    t = f?.type === "link" && f.options.table ? tables(f.options.table) : undefined;
    return mapped;
  });
  return { ...obj, field: steps.join(".") };
}

const allFields = (t: TableMeta): FieldMeta[] => [...t.fields, ...t.deletedFields];
const nameOf = (ref: string, t: TableMeta) => allFields(t).find((f) => f.id === ref)?.name ?? ref;
const idOf = (ref: string, t: TableMeta) => t.fields.find((f) => f.id === ref || f.name === ref)?.id ?? ref;

/** A stored grant as the API shows it: field ids turned back into names. */
export function grantView(
  role: string,
  table: TableMeta | undefined,
  tableId: string,
  g: StoredGrant,
  updatedAt: string,
  tables: TableLookup,
) {
  const name = (ref: string) => (table ? nameOf(ref, table) : ref);
  const level = (l: Level): Level =>
    typeof l === "object" && table ? { rule: mapRuleFields(l.rule, table, tables, nameOf) as never } : l;
  return {
    role,
    table: { id: tableId, name: table?.name ?? null, ...(table?.deletedAt ? { deleted: true } : {}) },
    ...Object.fromEntries(OPERATIONS.map((op) => [op, level(g.ops[op])])),
    fields: Object.fromEntries(Object.entries(g.fields).map(([id, a]) => [name(id), a])),
    defaultField: g.defaultField,
    updatedAt,
  };
}

const decode = (r: GrantRow): StoredGrant => ({
  ops: JSON.parse(r.ops),
  fields: JSON.parse(r.fields),
  defaultField: r.default_field as FieldAccess,
});

export async function listGrants(db: D1Database, reg: Registry, role: string) {
  await getRole(db, role);
  const { results } = await db
    .prepare("SELECT * FROM sg_grants WHERE role = ?1 ORDER BY table_id")
    .bind(role)
    .all<GrantRow>();
  return results.map((r) =>
    grantView(
      role,
      reg.tables.find((t) => t.id === r.table_id),
      r.table_id,
      decode(r),
      r.updated_at,
      registryLookup(reg),
    ),
  );
}

async function storedGrant(
  db: D1Database,
  role: string,
  tableId: string,
): Promise<{ grant: StoredGrant; updatedAt: string } | null> {
  const row = await db
    .prepare("SELECT * FROM sg_grants WHERE role = ?1 AND table_id = ?2")
    .bind(role, tableId)
    .first<GrantRow>();
  return row ? { grant: decode(row), updatedAt: row.updated_at } : null;
}

const noGrant = (role: string, table: TableMeta) => notFound(`A grant of ${role} on ${table.name}`, "grant");

export async function getGrant(db: D1Database, role: string, table: TableMeta, reg: Registry) {
  await getRole(db, role);
  const found = await storedGrant(db, role, table.id);
  if (!found) throw noGrant(role, table);
  return grantView(role, table, table.id, found.grant, found.updatedAt, registryLookup(reg));
}

/**
 * Checks a grant body against the table and returns it as stored (field ids throughout). `tables`
 * resolves link targets for paths and `readable`. Whether a `readable` parent's own rule fits in the
 * hops left is only known per user (their roles' grants on the parent), so it is decided when the rule
 * applies: past MAX_LINK_HOPS in total the parent's rule matches nothing.
 */
export function checkGrant(body: unknown, table: TableMeta, tables: TableLookup): StoredGrant {
  const input = checkInput<GrantInput>(grantSchema, body, "The grant is invalid", [filterSchema]);
  const errors: FieldError[] = [];
  const fields: Record<string, FieldAccess> = {};
  for (const [ref, access] of Object.entries(input.fields ?? {})) {
    const f = table.fields.find((x) => x.id === ref || x.name === ref);
    const at = `fields/${ref.slice(0, 64)}`;
    if (!f)
      errors.push({
        field: at,
        code: "unknown_field",
        message: `Table ${table.name} has no field ${JSON.stringify(ref.slice(0, 64))}`,
      });
    else if (f.id in fields)
      errors.push({ field: at, code: "duplicate", message: `Field ${f.name} is listed twice (by name and by id)` });
    else fields[f.id] = access;
  }
  const ops = {} as Record<Operation, Level>;
  for (const op of OPERATIONS) {
    const level = input[op] as Level;
    if (typeof level !== "object") {
      ops[op] = level;
      continue;
    }
    try {
      parseFilter(
        substitute(level.rule, PLACEHOLDER),
        table,
        { canRead: () => true, links: { table: tables, hops: MAX_LINK_HOPS, readable: () => null } },
        `${op}/rule`,
      );
      ops[op] = { rule: mapRuleFields(level.rule, table, tables, idOf) as never };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(
        ...(err.errors.length ? err.errors : [{ field: `${op}/rule`, code: err.code, message: err.message }]),
      );
    }
  }
  if (errors.length) throw invalid(errors, "The grant does not fit the table");
  return { ops, fields, defaultField: input.defaultField ?? "write" };
}

export async function putGrant(ctx: AdminContext, role: string, table: TableMeta, body: unknown, reg: Registry) {
  await getRole(ctx.db, role);
  const grant = checkGrant(body, table, registryLookup(reg));
  const before = await storedGrant(ctx.db, role, table.id);
  await runBatch(
    ctx.db,
    [
      ctx.db
        .prepare(
          `INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (role, table_id) DO UPDATE SET ops = excluded.ops, fields = excluded.fields, default_field = excluded.default_field, updated_at = excluded.updated_at`,
        )
        .bind(role, table.id, JSON.stringify(grant.ops), JSON.stringify(grant.fields), grant.defaultField, ctx.at),
      auditRow(ctx, "grant.set", { target: role, before: before?.grant ?? null, after: grant }, { tableId: table.id }),
      bumpSchemaVersion(ctx.db),
    ],
    { what: "Setting the grant" },
  );
  return grantView(role, table, table.id, grant, ctx.at, registryLookup(reg));
}

export async function deleteGrant(ctx: AdminContext, role: string, table: TableMeta) {
  await getRole(ctx.db, role);
  const before = await storedGrant(ctx.db, role, table.id);
  if (!before) throw noGrant(role, table);
  await runBatch(
    ctx.db,
    [
      ctx.db.prepare("DELETE FROM sg_grants WHERE role = ?1 AND table_id = ?2").bind(role, table.id),
      auditRow(ctx, "grant.delete", { target: role, before: before.grant, after: null }, { tableId: table.id }),
      bumpSchemaVersion(ctx.db),
    ],
    { what: "Deleting the grant" },
  );
  return { deleted: { role, table: table.name } };
}

/** The table's owner field as shown to admins: explicit, by convention (a user field named owner), or none. */
export function ownerFieldView(table: TableMeta) {
  const f = ownerField(table);
  return {
    table: { id: table.id, name: table.name },
    field: f ? { id: f.id, name: f.name } : null,
    explicit: f !== null && f.id === table.ownerFieldId,
  };
}

/** Sets which user field owns a table's rows (`own`/`team` grants); null returns to the default. */
export async function setOwnerField(ctx: AdminContext, table: TableMeta, body: unknown) {
  const input = checkInput<{ field: string | null }>(
    {
      type: "object",
      additionalProperties: false,
      required: ["field"],
      properties: { field: { type: ["string", "null"], minLength: 1, maxLength: 64 } },
    },
    body,
    "The owner field is invalid",
  );
  const field = input.field === null ? null : table.fields.find((f) => f.id === input.field || f.name === input.field);
  if (field === undefined)
    throw invalid([
      {
        field: "field",
        code: "unknown_field",
        message: `Table ${table.name} has no field ${JSON.stringify(input.field!.slice(0, 64))}`,
      },
    ]);
  if (field && field.type !== "user")
    throw invalid([
      { field: "field", code: "type", message: `${field.name} is a ${field.type} field; the owner is a user field` },
    ]);
  await runBatch(
    ctx.db,
    [
      ctx.db
        .prepare("UPDATE sg_tables SET owner_field_id = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1")
        .bind(table.id, field?.id ?? null, ctx.at),
      auditRow(
        ctx,
        "table.owner_field",
        { before: table.ownerFieldId, after: field?.id ?? null },
        { tableId: table.id, fieldId: field?.id ?? null },
      ),
      bumpSchemaVersion(ctx.db),
    ],
    { what: "Setting the owner field" },
  );
  return ownerFieldView({ ...table, ownerFieldId: field?.id ?? null });
}
