/**
 * A record's history from the audit log: who changed what, when, field by field. Changes are stored
 * by field id, so renames do not break history; fields the caller cannot read are left out.
 */
import { badRequest } from "../errors";
import { requireOperation, tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import type { FieldMeta, TableMeta } from "../model/types";
import type { Registry } from "../model/registry";
import { notFound } from "../errors";
import { readRows } from "./read";
import { historyNames } from "./history-names";

/** A link value changed from the other side of its pair: the ids it gained and lost. */
export interface LinkDelta {
  added: number[];
  removed: number[];
}

interface AuditRow {
  id: number;
  at: string;
  user_id: string | null;
  user_name: string | null;
  action: string;
  changes: string;
}

export async function recordHistory(
  db: D1Database,
  principal: Principal,
  reg: Registry,
  table: TableMeta,
  recordId: number,
  opts: { limit?: string; before?: string },
) {
  const access = tableAccess(principal, table, reg);
  requireOperation(access, "read");
  // Only rows the caller may read now have a history for them; deleted rows' history is for admins.
  const filter = access.rowFilter("read");
  if (!principal.isAdmin && (await readRows(db, table, [], [recordId], filter)).length === 0)
    throw notFound(`Record ${recordId} in ${table.name}`, "id");
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw badRequest("limit", "limit is a whole number from 1 to 500", "range");
  const before = opts.before === undefined ? Number.MAX_SAFE_INTEGER : Number(opts.before);
  if (!Number.isSafeInteger(before) || before < 1) throw badRequest("before", "before is an audit entry id", "type");
  const { results } = await db
    .prepare(
      "SELECT a.id, a.at, a.user_id, u.name AS user_name, a.action, a.changes FROM sg_audit a LEFT JOIN sg_users u ON u.id = a.user_id WHERE a.table_id = ?1 AND a.record_id = ?2 AND a.id < ?3 ORDER BY a.id DESC LIMIT ?4",
    )
    .bind(table.id, recordId, before, limit + 1)
    .all<AuditRow>();
  const readable = new Map(
    [...table.fields, ...table.deletedFields].filter((f) => access.canRead(f)).map((f) => [f.id, f]),
  );
  // Every value of a user or link field the page shows, to be named (history-names.ts).
  const toName = new Map<FieldMeta, unknown[]>();
  const page = results.slice(0, limit);
  const entries = page.map((r) => {
    // A change is [before, after], or for a link changed from its other side {added, removed} (query/write.ts).
    const raw = JSON.parse(r.changes) as Record<string, [unknown, unknown] | LinkDelta>;
    const changes: Record<string, { before: unknown; after: unknown } | LinkDelta> = {};
    for (const [fieldId, c] of Object.entries(raw)) {
      const f = readable.get(fieldId);
      if (!f) continue;
      changes[f.name] = Array.isArray(c) ? { before: c[0], after: c[1] } : { added: c.added, removed: c.removed };
      if (f.type === "user" || f.type === "link") {
        const held = toName.get(f) ?? [];
        held.push(...(Array.isArray(c) ? c : [c.added, c.removed]).flat());
        toName.set(f, held);
      }
    }
    return {
      id: r.id,
      at: r.at,
      action: r.action,
      user: r.user_id ? { id: r.user_id, name: r.user_name } : null,
      changes,
    };
  });
  const names = await historyNames(db, principal, reg, toName);
  return { history: entries, names, nextBefore: results.length > limit ? page[page.length - 1]!.id : null };
}
