/**
 * Sums of a numeric field grouped by other fields, in ONE statement over the table, for plugin code
 * that must check a whole ledger (inventory/verify over a million moves) without paging it through
 * the Worker. As the system, like findRows: never hand the rows to a caller unchecked.
 */
import { column, physicalTable, q } from "../model/names";
import type { BoundTable, Runtime } from "../plugins/types";

/** `[...group values (stored form), sum as BigInt]` per group of `groupBy` keys, summing `sum`. */
export async function sumRows(
  rt: Runtime,
  t: BoundTable,
  groupBy: string[],
  sum: string,
): Promise<{ groups: unknown[]; sum: bigint }[]> {
  const fields = [...groupBy, sum].map((k) => t.field(k));
  if (fields.some((f) => f.slot !== 0 || f.type === "link"))
    throw new Error("sumRows: fields of the table's first slot, not links");
  const cols = fields.map((f) => q(column(f.id)));
  const keys = cols.slice(0, -1);
  const sql = `SELECT ${[...keys, `CAST(SUM(${cols.at(-1)}) AS TEXT) AS s`].join(", ")} FROM ${q(physicalTable(t.meta.id, 0))}${keys.length ? ` GROUP BY ${keys.join(", ")}` : ""}`;
  const { results } = await rt.db
    .prepare(sql)
    .raw<unknown[]>()
    .then((rows) => ({ results: rows }));
  return results.map((r) => ({ groups: r.slice(0, -1), sum: BigInt(String(r.at(-1) ?? "0").split(".")[0]!) }));
}
