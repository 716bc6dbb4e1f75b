/**
 * Record ids and autonumbers for new records, reserved from their counters (sg_tables.next_record_id,
 * sg_fields.next_number) in ONE round trip before the write's batch. Every create reserves here: the
 * records API and plugin inserts alike, so a number is never handed out twice. A formatted autonumber
 * (Q-2026-00042) gets its text here, from the counter value the database returned (model/autonumber.ts).
 */
import { counterFloor, formatNumber } from "../model/autonumber";
import type { FieldMeta, TableMeta } from "../model/types";
import { reserveNumbers, reserveRecordIds } from "../query/write";
import { runBatch } from "./batch";

export interface Reserved {
  ids: number[];
  /** Per autonumber field, the values of the new records in order: numbers, or texts for a formatted one. */
  numbers: Map<FieldMeta, (number | string)[]>;
}

export async function reserveNew(db: D1Database, table: TableMeta, n: number, at = new Date()): Promise<Reserved> {
  const autos = table.fields.filter((f) => f.type === "autonumber");
  const results = await runBatch<{ first: number }>(db, [
    reserveRecordIds(table.id, n),
    ...autos.map((f) => reserveNumbers(f.id, n, counterFloor(f.options.format, at))),
  ]);
  const run = (i: number) => Array.from({ length: n }, (_, k) => results[i]!.results[0]!.first + k);
  return {
    ids: run(0),
    numbers: new Map(
      autos.map((f, i) => {
        const format = f.options.format;
        return [f, format ? run(i + 1).map((c) => formatNumber(format, c)) : run(i + 1)];
      }),
    ),
  };
}
