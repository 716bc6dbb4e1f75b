/**
 * Column expressions for a compiled query. The main table is aliased s0, extension slot k is sk;
 * link values come from the pair's junction table.
 */
import { column, column2, junctionTable, physicalTable, q } from "../model/names";
import type { FieldMeta, TableMeta } from "../model/types";

export class Columns {
  readonly slots = new Set<number>([0]);
  constructor(readonly table: TableMeta) {}

  /** The (first) column of a scalar field. */
  ref(f: FieldMeta): string {
    if (f.type === "link") throw new Error("link fields have no column");
    this.slots.add(f.slot);
    return `s${f.slot}.${q(column(f.id))}`;
  }

  ref2(f: FieldMeta): string {
    this.slots.add(f.slot);
    return `s${f.slot}.${q(column2(f.id))}`;
  }

  /** The junction as seen from this table: `mine` is our record's column, `theirs` the target's. */
  link(f: FieldMeta): { table: string; mine: string; theirs: string } {
    const ownerId = f.options.owner ? f.id : f.options.inverseField!;
    return { table: q(junctionTable(ownerId)), mine: f.options.owner ? "a" : "b", theirs: f.options.owner ? "b" : "a" };
  }

  /** JSON array of linked ids, as a scalar subquery. */
  linkValues(f: FieldMeta): string {
    const j = this.link(f);
    return `(SELECT json_group_array(${j.theirs}) FROM ${j.table} WHERE ${j.mine} = s0.id)`;
  }

  /** FROM clause joining every slot that the query referenced. */
  from(): string {
    let sql = `${q(physicalTable(this.table.id))} AS s0`;
    for (const s of [...this.slots].sort((a, b) => a - b)) {
      if (s === 0) continue;
      sql += ` LEFT JOIN ${q(physicalTable(this.table.id, s))} AS s${s} ON s${s}.id = s0.id`;
    }
    return sql;
  }
}
