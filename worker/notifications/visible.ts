/**
 * Which records a notification reader may read now: per table of the page, the reader's read access
 * (grants and row rule, as any read), then one statement per table, all in one batch. A table that
 * is gone or hidden, a record that was deleted, or one outside the reader's rows is simply absent.
 */
import { tableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { findTable, type Registry } from "../model/registry";
import { compileGet } from "../query/select";

export interface RecordRef {
  table: string;
  id: number;
}

/** The readable ones among `refs`, as "table/id". */
export async function recordsReadable(
  db: D1Database,
  reg: Registry,
  principal: Principal,
  refs: RecordRef[],
): Promise<Set<string>> {
  const byTable = new Map<string, number[]>();
  for (const r of refs) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.id]);
  const checks: { table: string; stmt: D1PreparedStatement }[] = [];
  for (const [id, ids] of byTable) {
    const table = findTable(reg, id);
    if (!table || table.id !== id) continue;
    const access = tableAccess(principal, table, reg);
    if (!access.may("read")) continue;
    const c = compileGet(table, [], ids, access.rowFilter("read"));
    checks.push({ table: id, stmt: db.prepare(c.sql).bind(...c.params) });
  }
  const out = new Set<string>();
  if (checks.length === 0) return out;
  const results = await db.batch<{ id: number }>(checks.map((c) => c.stmt));
  results.forEach((res, i) => {
    for (const row of res.results) out.add(`${checks[i]!.table}/${row.id}`);
  });
  return out;
}
