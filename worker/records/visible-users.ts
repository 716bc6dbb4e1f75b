/**
 * Which of some user ids the caller can see in the data: those held by a user field they may read,
 * in a row they may read. An embed names owners with this, so it can resolve the people on its own
 * cards but cannot walk the user directory. Runs through the aggregate pipeline, so the row rules,
 * the embed's narrowing and hidden fields apply exactly as they do to the records.
 */
import { callerAccess } from "../access";
import type { TableMeta } from "../model/types";
import { aggregateRecords } from "./aggregate";
import type { ReadContext } from "./read";

export async function visibleUserIds(ctx: ReadContext, table: TableMeta, ids: string[]): Promise<Set<string>> {
  const access = callerAccess(ctx, table);
  const seen = new Set<string>();
  if (!ids.length || !access.may("read")) return seen;
  const userFields = table.fields.filter((f) => f.type === "user" && access.canRead(f));
  // One grouped count per user field: a handful of fields, each one statement.
  for (const f of userFields) {
    const reply = await aggregateRecords(ctx, table, {
      groupBy: [f.name],
      measures: [{ op: "count" }],
      filter: { field: f.name, op: "in", value: ids },
      limit: ids.length,
    });
    for (const g of reply.groups) {
      const id = (g.key as Record<string, unknown>)[f.name];
      if (typeof id === "string") seen.add(id);
    }
  }
  return seen;
}
