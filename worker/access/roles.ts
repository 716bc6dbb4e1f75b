/**
 * Roles as admins manage them. A role is a name users carry in sg_users.roles and grants hang off
 * (sg_grants.role); built-in roles may be relabelled but never renamed or deleted, because code and
 * the demo grants refer to them. Renaming or deleting a custom role rewrites every place that names
 * it — grants, users, views — in one batch with its audit row and a registry version bump.
 */
import roleSchema from "../../schemas/role.schema.json";
import type { RoleInput } from "../../schemas/types";
import { AppError, notFound } from "../errors";
import { bumpSchemaVersion } from "../model/registry";
import { guardChanges } from "../query/write";
import { auditRow, checkInput, prepare, type AdminContext } from "../audit/log";
import { runBatch } from "../db/batch";

export interface RoleView {
  name: string;
  label: string;
  labels: Record<string, string>;
  description: string;
  builtin: boolean;
  /** How many users carry the role. */
  users: number;
  createdAt: string;
  updatedAt: string;
}

interface RoleRow {
  name: string;
  label: string;
  labels: string;
  description: string;
  builtin: number;
  users: number;
  created_at: string;
  updated_at: string;
}

// json_each over a corrupt roles cell would fail the whole statement; such a cell counts as no roles.
const ROLES_OF = (col: string) => `json_each(CASE WHEN json_valid(${col}) THEN ${col} ELSE '[]' END)`;

const SELECT_ROLES = `SELECT r.name, r.label, r.labels, r.description, r.builtin, r.created_at, r.updated_at,
  (SELECT COUNT(*) FROM sg_users u, ${ROLES_OF("u.roles")} j WHERE j.value = r.name) AS users FROM sg_roles r`;

function toView(r: RoleRow): RoleView {
  return {
    name: r.name,
    label: r.label,
    labels: JSON.parse(r.labels),
    description: r.description,
    builtin: r.builtin === 1,
    users: r.users,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function listRoles(db: D1Database): Promise<RoleView[]> {
  return (await db.prepare(`${SELECT_ROLES} ORDER BY r.builtin DESC, r.name`).all<RoleRow>()).results.map(toView);
}

export async function getRole(db: D1Database, name: string): Promise<RoleView> {
  const row = await db.prepare(`${SELECT_ROLES} WHERE r.name = ?1`).bind(name).first<RoleRow>();
  if (!row) throw notFound(`Role ${JSON.stringify(name.slice(0, 64))}`, "role");
  return toView(row);
}

/** The names among `names` that are not roles. */
export async function missingRoles(db: D1Database, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { results } = await db
    .prepare("SELECT name FROM sg_roles WHERE name IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(names))
    .all<{ name: string }>();
  const known = new Set(results.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

const conflict = (field: string, message: string) =>
  new AppError("conflict", message, [{ field, code: "conflict", message }]);

export async function createRole(ctx: AdminContext, body: unknown): Promise<RoleView> {
  const input = checkInput<RoleInput>(roleSchema, body, "The role is invalid");
  if ((await missingRoles(ctx.db, [input.name])).length === 0)
    throw conflict("name", `A role ${input.name} already exists`);
  const after = {
    name: input.name,
    label: input.label ?? input.name,
    labels: input.labels ?? {},
    description: input.description ?? "",
  };
  await runBatch(
    ctx.db,
    [
      ctx.db
        .prepare(
          "INSERT INTO sg_roles (name, label, labels, description, builtin, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5)",
        )
        .bind(after.name, after.label, JSON.stringify(after.labels), after.description, ctx.at),
      auditRow(ctx, "role.create", { target: input.name, after }),
    ],
    { what: "Creating the role" },
  );
  return getRole(ctx.db, input.name);
}

/** Replaces role `from` with `to` (or removes it when `to` is null) in users' and views' role lists. */
function rewriteRoleLists(db: D1Database, from: string, to: string | null, at: string): D1PreparedStatement[] {
  const item = to === null ? "value" : "CASE WHEN value = ?1 THEN ?2 ELSE value END";
  const keep = to === null ? "WHERE value <> ?1" : "";
  const holds = (col: string) =>
    `CASE WHEN json_valid(${col}) THEN EXISTS (SELECT 1 FROM json_each(${col}) WHERE value = ?1) ELSE 0 END`;
  return [
    db
      .prepare(
        `UPDATE sg_users SET roles = (SELECT json_group_array(${item}) FROM json_each(sg_users.roles) ${keep}), updated_at = ?3 WHERE ${holds("roles")}`,
      )
      .bind(from, to, at),
    // ?2 appears only when renaming; D1 refuses more bindings than the statement has parameters.
    db
      .prepare(
        `UPDATE sg_views SET roles = (SELECT json_group_array(${item}) FROM json_each(sg_views.roles) ${keep}) WHERE ${holds("roles")}`,
      )
      .bind(...(to === null ? [from] : [from, to])),
  ];
}

export async function updateRole(ctx: AdminContext, name: string, body: unknown): Promise<RoleView> {
  const input = checkInput<Partial<RoleInput>>(
    { ...roleSchema, required: [], minProperties: 1 },
    body,
    "The role change is invalid",
  );
  const before = await getRole(ctx.db, name);
  const rename = input.name !== undefined && input.name !== name ? input.name : null;
  if (rename && before.builtin)
    throw conflict("name", `${name} is a built-in role; it can be relabelled but not renamed`);
  if (rename && (await missingRoles(ctx.db, [rename])).length === 0)
    throw conflict("name", `A role ${rename} already exists`);
  const next = {
    name: rename ?? name,
    label: input.label ?? before.label,
    labels: input.labels ?? before.labels,
    description: input.description ?? before.description,
  };
  const stmts = [
    ctx.db
      .prepare(
        "UPDATE sg_roles SET name = ?2, label = ?3, labels = ?4, description = ?5, updated_at = ?6 WHERE name = ?1",
      )
      .bind(name, next.name, next.label, JSON.stringify(next.labels), next.description, ctx.at),
    // Deleted or renamed by someone else since we read it: abort rather than audit a change that did not happen.
    prepare(ctx.db, guardChanges(1, "missing")),
  ];
  if (rename) {
    stmts.push(
      ctx.db.prepare("UPDATE sg_grants SET role = ?2 WHERE role = ?1").bind(name, rename),
      ...rewriteRoleLists(ctx.db, name, rename, ctx.at),
      bumpSchemaVersion(ctx.db),
    );
  }
  const was = { name: before.name, label: before.label, labels: before.labels, description: before.description };
  stmts.push(auditRow(ctx, "role.update", { target: name, before: was, after: next }));
  await runBatch(ctx.db, stmts, { what: "Changing the role" });
  return getRole(ctx.db, next.name);
}

/** Deletes a custom role with its grants, and takes it from every user and view that had it. */
export async function deleteRole(ctx: AdminContext, name: string): Promise<{ deleted: string; users: string[] }> {
  const before = await getRole(ctx.db, name);
  if (before.builtin) throw conflict("role", `${name} is a built-in role and cannot be deleted`);
  const [grants, holders] = await ctx.db.batch<Record<string, string>>([
    ctx.db.prepare("SELECT table_id, ops, fields, default_field FROM sg_grants WHERE role = ?1").bind(name),
    ctx.db.prepare(`SELECT u.id FROM sg_users u, ${ROLES_OF("u.roles")} j WHERE j.value = ?1 ORDER BY u.id`).bind(name),
  ]);
  const users = holders!.results.map((r) => r.id!);
  await runBatch(
    ctx.db,
    [
      ctx.db.prepare("DELETE FROM sg_roles WHERE name = ?1 AND builtin = 0").bind(name),
      prepare(ctx.db, guardChanges(1, "missing")),
      ctx.db.prepare("DELETE FROM sg_grants WHERE role = ?1").bind(name),
      ...rewriteRoleLists(ctx.db, name, null, ctx.at),
      auditRow(ctx, "role.delete", { target: name, before: { ...before, grants: grants!.results }, users }),
      bumpSchemaVersion(ctx.db),
    ],
    { what: "Deleting the role" },
  );
  return { deleted: name, users };
}
