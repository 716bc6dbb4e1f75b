/**
 * Access checks and the caller's own read and create pipelines, by bound table: what plugin code
 * shows or writes as the caller goes exactly where the records API would take it.
 */
import { tableAccess, type TableAccess } from "../access";
import type { TableMeta } from "../model/types";
import type { BoundTable, Runtime } from "../plugins/types";
import { decodeRow, getRecord, listRecords, readRows, type ApiRecord, type ListOptions } from "../records/read";
import { createRecords, updateRecords } from "../records/write";
import type { Stmt } from "../query/write";
import type { AppError } from "../errors";
import { firstWording } from "../plugins/hooks";

export type { ApiRecord, ListOptions, TableAccess };

const metaOf = (t: BoundTable | TableMeta): TableMeta => ("meta" in t ? t.meta : t);

/** What the caller may do on the table: operations, readable and writable fields, row rules. */
export function accessTo(rt: Runtime, t: BoundTable | TableMeta): TableAccess {
  return tableAccess(rt.principal, metaOf(t), rt.reg);
}

/** The records among `ids` the caller may `op` (its row rule), every field decoded; none without `op`. */
export async function permittedRecords(
  rt: Runtime,
  t: BoundTable | TableMeta,
  op: "read" | "update" | "delete",
  ids: number[],
): Promise<ApiRecord[]> {
  const access = accessTo(rt, t);
  if (!access.may(op) || ids.length === 0) return [];
  const table = metaOf(t);
  return (await readRows(rt.db, table, table.fields, ids, access.rowFilter(op))).map((r) => decodeRow(r, table.fields));
}

/** "May this principal `op` these rows?": the ids among `ids` it may. */
export async function permittedIds(
  rt: Runtime,
  t: BoundTable | TableMeta,
  op: "read" | "update" | "delete",
  ids: number[],
): Promise<Set<number>> {
  const access = accessTo(rt, t);
  if (!access.may(op) || ids.length === 0) return new Set();
  return new Set((await readRows(rt.db, metaOf(t), [], ids, access.rowFilter(op))).map((r) => r.id as number));
}

/** One record as the caller would read it (404 when missing or outside their rows). */
export function readRecord(rt: Runtime, t: BoundTable, id: number): Promise<ApiRecord> {
  return getRecord(rt, t.meta, id, {}) as Promise<ApiRecord>;
}

/** A page of records as GET .../records answers the caller (filter and sort by field id). */
export function listRecordsAs(rt: Runtime, t: BoundTable, opts: ListOptions) {
  return listRecords(rt, t.meta, opts);
}

/** Creates records as POST .../records would for the caller; `options` reach the plugin's own hooks. */
export function createRecordsAs(rt: Runtime, t: BoundTable, body: unknown, options: Record<string, unknown> = {}) {
  return createRecords(
    { db: rt.db, principal: rt.principal, reg: rt.reg, requestId: rt.requestId, pluginOptions: options },
    t.meta,
    body,
  );
}

/**
 * An update as PATCH .../records ({records: [{id, version, fields}]}) would make it for the caller
 * (access, validation, versions, every hook), returned as statements for the action's own batch
 * instead of run: the action's other effects and this update then commit together or not at all.
 * Call `afterWrite` once that batch ran; pass `onCheck` to runEffects, so a hook's CHECK (stock short)
 * answers in its own words.
 */
export async function updateRecordsEffect(
  rt: Runtime,
  t: BoundTable,
  body: unknown,
  options: Record<string, unknown> = {},
): Promise<{
  statements: Stmt[];
  afterWrite(): Promise<void>;
  onCheck(message: string): Promise<AppError | null>;
}> {
  const collect = {
    statements: [] as Stmt[],
    afterWrite: [] as (() => Promise<void>)[],
    onCheck: [] as ((message: string) => Promise<AppError | null>)[],
  };
  await updateRecords(
    { db: rt.db, principal: rt.principal, reg: rt.reg, requestId: rt.requestId, pluginOptions: options, collect },
    t.meta,
    body,
  );
  return {
    statements: collect.statements,
    afterWrite: async () => {
      for (const a of collect.afterWrite) await a();
    },
    // The first hook that words the failed CHECK answers for the batch (as the records API does).
    onCheck: firstWording(collect.onCheck),
  };
}
