/**
 * Names for the ids a record's history holds, so people read "Alice Chen" and "Acme Ltd" instead of
 * `usr_k2...` and `#541`: users by name, linked records by their table's primary field. A linked
 * record the caller may not read (or that is gone) is named `null`, decided by the permission engine
 * for that caller, so the name of a record they may not read never leaves the server.
 */
import { tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { findTable, type Registry } from "../model/registry";
import type { FieldMeta } from "../model/types";
import { decodeRow, readRows } from "./read";

export interface HistoryNames {
  /** User id -> name (users the history's user fields hold). */
  users: Record<string, string>;
  /** Link field name -> record id -> the target's primary value as text, or null: not readable. */
  links: Record<string, Record<string, string | null>>;
}

/** What a change holds: [before, after] values, or a link's {added, removed}. */
type Values = unknown[];

const asText = (v: unknown): string =>
  v === null || v === undefined
    ? ""
    : typeof v === "string"
      ? v
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v);

/**
 * `values` holds, per readable field, every value its changes carried. One statement for the users
 * and one per linked table, run together; history is not the hot read path.
 */
export async function historyNames(
  db: D1Database,
  principal: Principal,
  reg: Registry,
  values: Map<FieldMeta, Values>,
): Promise<HistoryNames> {
  const names: HistoryNames = { users: {}, links: {} };
  const userIds = new Set<string>();
  const work: Promise<void>[] = [];
  for (const [f, vals] of values) {
    if (f.type === "user") {
      for (const v of vals) if (typeof v === "string" && v) userIds.add(v);
    } else if (f.type === "link") {
      const ids = [...new Set(vals.flat().filter((v): v is number => Number.isSafeInteger(v)))];
      if (ids.length) work.push(linkNames(db, principal, reg, f, ids).then((m) => void (names.links[f.name] = m)));
    }
  }
  if (userIds.size)
    work.push(
      db
        .prepare("SELECT id, name FROM sg_users WHERE id IN (SELECT value FROM json_each(?1))")
        .bind(JSON.stringify([...userIds]))
        .all<{ id: string; name: string }>()
        .then(({ results }) => {
          for (const u of results) names.users[u.id] = u.name;
        }),
    );
  await Promise.all(work);
  return names;
}

async function linkNames(
  db: D1Database,
  principal: Principal,
  reg: Registry,
  f: FieldMeta,
  ids: number[],
): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = Object.fromEntries(ids.map((id) => [String(id), null]));
  const target = f.options.table ? findTable(reg, f.options.table) : undefined;
  if (!target) return out;
  const access = tableAccess(principal, target, reg);
  if (!access.may("read")) return out;
  const primary =
    target.fields.find((x) => x.id === target.primaryFieldId) ?? target.fields.find((x) => x.type !== "link");
  const shown = primary && access.canRead(primary) ? primary : undefined;
  // The ids go as one JSON parameter (compileGet), and the caller's read rule joins the statement.
  const rows = await readRows(db, target, shown ? [shown] : [], ids, access.rowFilter("read"));
  for (const row of rows) {
    // A readable record whose primary field is hidden is named by its id, not "(no access)".
    out[String(row.id)] = shown ? asText(decodeRow(row, [shown]).fields[shown.name]) : `#${row.id as number}`;
  }
  return out;
}
