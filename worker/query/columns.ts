/**
 * Column expressions for a compiled query. The main table is aliased s0, extension slot k is sk;
 * link values come from the pair's junction table. A condition on linked records (a grant rule's
 * `customer.owner`) compiles against `nested` Columns with aliases of their own (r1s0, r1j, ...),
 * numbered per statement, so the inner query never captures the outer one's names.
 */
import { column, column2, junctionTable, physicalTable, q } from "../model/names";
import type { FieldMeta, TableMeta } from "../model/types";

export interface Junction {
  table: string;
  /** Our record's column. */
  mine: "a" | "b";
  /** The linked record's column. */
  theirs: "a" | "b";
}

/** The junction of link field `f` as seen from its own table. */
export function junctionOf(f: FieldMeta): Junction {
  const owner = f.options.owner === true;
  return {
    table: q(junctionTable(owner ? f.id : f.options.inverseField!)),
    mine: owner ? "a" : "b",
    theirs: owner ? "b" : "a",
  };
}

export class Columns {
  readonly slots = new Set<number>([0]);
  private readonly counter: { n: number };

  constructor(
    readonly table: TableMeta,
    private readonly prefix = "s",
    counter?: { n: number },
  ) {
    this.counter = counter ?? { n: 0 };
  }

  /** The alias of slot `slot`. */
  alias(slot = 0): string {
    return `${this.prefix}${slot}`;
  }

  /** The record id of the row being tested. */
  get id(): string {
    return `${this.alias(0)}.id`;
  }

  /** Columns of a linked table inside this statement, and the alias its junction gets. */
  nested(table: TableMeta): { cols: Columns; junction: string } {
    const n = ++this.counter.n;
    return { cols: new Columns(table, `r${n}s`, this.counter), junction: `r${n}j` };
  }

  /** The (first) column of a scalar field. */
  ref(f: FieldMeta): string {
    if (f.type === "link") throw new Error("link fields have no column");
    this.slots.add(f.slot);
    return `${this.alias(f.slot)}.${q(column(f.id))}`;
  }

  ref2(f: FieldMeta): string {
    this.slots.add(f.slot);
    return `${this.alias(f.slot)}.${q(column2(f.id))}`;
  }

  /** The junction as seen from this table: `mine` is our record's column, `theirs` the target's. */
  link(f: FieldMeta): Junction {
    return junctionOf(f);
  }

  /** JSON array of linked ids, as a scalar subquery. */
  linkValues(f: FieldMeta): string {
    const j = this.link(f);
    return `(SELECT json_group_array(${j.theirs}) FROM ${j.table} WHERE ${j.mine} = ${this.id})`;
  }

  /** FROM clause joining every slot that the query referenced. */
  from(): string {
    return `${q(physicalTable(this.table.id))} AS ${this.alias(0)}${this.slotJoins()}`;
  }

  /** The LEFT JOINs of the extension slots referenced so far (slot 0 is joined by the caller). */
  slotJoins(): string {
    let sql = "";
    for (const s of [...this.slots].sort((a, b) => a - b)) {
      if (s === 0) continue;
      sql += ` LEFT JOIN ${q(physicalTable(this.table.id, s))} AS ${this.alias(s)} ON ${this.alias(s)}.id = ${this.id}`;
    }
    return sql;
  }
}
