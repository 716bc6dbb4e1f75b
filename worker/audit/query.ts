/**
 * The audit log as admins search it: by who acted, which table, which kind of action (a prefix, so
 * `grant.` finds grant.set and grant.delete), what it was about (`target`: a user, role or team) and
 * when, newest first with keyset paging by id. Names are resolved for display: the acting user, the
 * table, and the fields of record changes (stored by id, so renames and deletions do not break them).
 */
import { AppError, badRequest } from "../errors";
import { parseDate, parseDatetime } from "../model/dates";
import { findTable, type Registry } from "../model/registry";
import type { FieldMeta } from "../model/types";
import { likeEscape, Params } from "../query/params";
import { checkQuery, intParam } from "./log";

export const AUDIT_PARAMS = ["user", "table", "action", "target", "from", "to", "limit", "before"];
const RECORD_ACTIONS = new Set(["create", "update", "delete", "restore"]);

interface AuditRow {
  id: number;
  at: string;
  user_id: string | null;
  user_name: string | null;
  action: string;
  table_id: string | null;
  record_id: number | null;
  field_id: string | null;
  changes: string;
  request_id: string | null;
}

/** A date (its first instant, UTC) or an RFC 3339 date-time, normalised to the form sg_audit.at is stored in. */
function instant(raw: string | undefined, name: string): string | null {
  if (raw === undefined) return null;
  const r = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseDate(raw) : parseDatetime(raw);
  if (!r.ok) {
    const message = `${name} is a date (2026-01-31) or a date-time with a zone (2026-01-31T08:00:00Z): ${r.message}`;
    throw new AppError("bad_request", message, [{ field: name, code: r.code, message, params: r.params }]);
  }
  return r.value.length === 10 ? `${r.value}T00:00:00.000Z` : r.value;
}

function parseChanges(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {}; // a corrupt cell shows as no details rather than failing the whole page
  }
}

export async function queryAudit(db: D1Database, reg: Registry, query: Record<string, string>) {
  checkQuery(query, AUDIT_PARAMS);
  const limit = intParam(query.limit, "limit", 100, 1, 500);
  const before = intParam(query.before, "before", Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
  const from = instant(query.from, "from");
  const to = instant(query.to, "to");
  if (from && to && from > to) throw badRequest("from", "from is after to", "range");
  const params = new Params();
  const where = [`a.id < ${params.add(before)}`];
  if (query.user !== undefined) {
    if (!/^usr_[a-z0-9]{12}$/.test(query.user))
      throw badRequest("user", "user is a user id (usr_ and 12 letters or digits)", "format");
    where.push(`a.user_id = ${params.add(query.user)}`);
  }
  if (query.table !== undefined) {
    const table = findTable(reg, query.table, { includeDeleted: true });
    if (!table)
      throw new AppError("not_found", `No table ${JSON.stringify(query.table.slice(0, 64))}`, [
        { field: "table", code: "unknown_table", message: "No such table" },
      ]);
    where.push(`a.table_id = ${params.add(table.id)}`);
  }
  if (query.action !== undefined) {
    if (!/^[a-z][a-z_.]{0,63}$/.test(query.action))
      throw badRequest("action", "action is an action name or its prefix (e.g. grant. or user.update)", "format");
    where.push(`a.action LIKE ${params.add(`${likeEscape(query.action)}%`)} ESCAPE '\\'`);
  }
  if (query.target !== undefined) {
    if (query.target.length < 1 || query.target.length > 64)
      throw badRequest("target", "target is a user id, role name or team id", "format");
    where.push(
      `CASE WHEN json_valid(a.changes) THEN json_extract(a.changes, '$.target') = ${params.add(query.target)} ELSE 0 END`,
    );
  }
  if (from) where.push(`a.at >= ${params.add(from)}`);
  if (to) where.push(`a.at <= ${params.add(to)}`);
  const { results } = await db
    .prepare(
      `SELECT a.id, a.at, a.user_id, u.name AS user_name, a.action, a.table_id, a.record_id, a.field_id, a.changes, a.request_id
       FROM sg_audit a LEFT JOIN sg_users u ON u.id = a.user_id WHERE ${where.join(" AND ")} ORDER BY a.id DESC LIMIT ${params.add(limit + 1)}`,
    )
    .bind(...params.values)
    .all<AuditRow>();
  const fields = new Map<string, FieldMeta>(
    reg.tables.flatMap((t) => [...t.fields, ...t.deletedFields]).map((f) => [f.id, f]),
  );
  const page = results.slice(0, limit);
  const entries = page.map((r) => {
    const table = r.table_id ? reg.tables.find((t) => t.id === r.table_id) : undefined;
    const field = r.field_id ? fields.get(r.field_id) : undefined;
    let changes = parseChanges(r.changes);
    // Record changes map field id -> [before, after]; shown by field name like a record's history.
    if (
      r.record_id !== null &&
      RECORD_ACTIONS.has(r.action) &&
      changes &&
      typeof changes === "object" &&
      !Array.isArray(changes)
    ) {
      changes = Object.fromEntries(
        Object.entries(changes as Record<string, unknown>).map(([id, pair]) => {
          const [b, a] = Array.isArray(pair) ? pair : [null, null];
          return [fields.get(id)?.name ?? id, { before: b ?? null, after: a ?? null }];
        }),
      );
    }
    return {
      id: r.id,
      at: r.at,
      action: r.action,
      user: r.user_id ? { id: r.user_id, name: r.user_name } : null,
      table: r.table_id ? { id: r.table_id, name: table?.name ?? null } : null,
      recordId: r.record_id,
      field: r.field_id ? { id: r.field_id, name: field?.name ?? null } : null,
      changes,
      requestId: r.request_id,
    };
  });
  return { entries, nextBefore: results.length > limit ? page[page.length - 1]!.id : null };
}
