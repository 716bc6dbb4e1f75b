/**
 * The write pipeline: shape checks -> access (operation, writable fields) -> schema validation ->
 * reserve ids/numbers -> ONE D1 batch holding the rows of every slot, link rows, guards and audit
 * rows -> read back. A stale version or a concurrent change trips a guard and aborts the batch,
 * so a write happens whole or not at all.
 */
import { AppError, invalid } from "../errors";
import { callerAccess, requireOperation, type TableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { typeSpec } from "../model/field-types";
import type { Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import {
  chunkJson,
  deleteRows,
  deleteVersionedRows,
  fieldColumns,
  guardChanges,
  guardRowsMatch,
  insertAudit,
  insertRows,
  SYSTEM_INSERT_COLUMNS,
  updateRows,
  type Stmt,
} from "../query/write";
import { fieldsDecoder, readRows, rowDecoder, type ApiRecord } from "./read";
import { validateWrites } from "./validate";
import { parseItems, toWriteItems, type Row } from "./write-body";
import { LinkCheck, linkStatements, unlinkDeleted } from "./links";
import { ownerField, type Operation } from "../access/policy";
import { runWriteHooks } from "../plugins/hooks";
import { runBatch } from "../db/batch";
import { uniqueProblem } from "../model/unique";
import { reserveNew } from "../db/reserve";

export interface WriteContext {
  db: D1Database;
  principal: Principal;
  reg: Registry;
  requestId: string | null;
  /** Narrows the caller's access further (an embed token: one view's fields and rows). */
  narrow?: (access: TableAccess) => TableAccess;
  /** The embed token a write came through, recorded on its audit rows. */
  embedId?: string;
  /** Options a plugin action hands to its own hooks (e.g. allowDuplicate); the records API sets none. */
  pluginOptions?: Record<string, unknown>;
  /**
   * A plugin action that folds this write into its own batch: the statements (guards, audit and hook
   * effects included) go here instead of running, and nothing is read back.
   */
  collect?: {
    statements: Stmt[];
    afterWrite: (() => Promise<void>)[];
    /** The hooks' wording of a failed CHECK (e.g. stock short), for the action's own runEffects. */
    onCheck: ((message: string) => Promise<AppError | null>)[];
  };
}

/** Column values of one slot for one record's fields (absent fields are left out). */
function encodeSlot(fields: FieldMeta[], values: Record<string, unknown>, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!(f.name in values) && !full) continue;
    const cols = fieldColumns(f);
    const enc = typeSpec(f.type).encode(values[f.name] ?? null, f);
    cols.forEach((c, i) => (out[c] = enc[i] ?? null));
  }
  return out;
}

function slotsOf(table: TableMeta): number[] {
  return Array.from({ length: table.slots }, (_, i) => i);
}

/** Audit rows [action, record id, changes]; the changes object is stored as the very JSON text it is sent as. */
type AuditRow = [string, number, Record<string, unknown>];

function auditStatements(ctx: WriteContext, table: TableMeta, rows: AuditRow[], at: string): Stmt[] {
  return chunkJson(rows).map((chunk) =>
    insertAudit(chunk, at, ctx.principal.userId, table.id, ctx.requestId, ctx.embedId ?? null),
  );
}

function changesOf(
  fields: FieldMeta[],
  before: ApiRecord | null,
  after: Record<string, unknown>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const f of fields) {
    if (!(f.name in after)) continue;
    const next = after[f.name] ?? null;
    if (!before) {
      // A new record: every value it was given, nothing to compare.
      if (next !== null) out[f.id] = [null, next];
      continue;
    }
    const prev = before.fields[f.name] ?? null;
    if (prev !== next && JSON.stringify(prev) !== JSON.stringify(next)) out[f.id] = [prev, next];
  }
  return out;
}

async function readBack(ctx: WriteContext, access: TableAccess, ids: number[]): Promise<ApiRecord[]> {
  const select = access.table.fields.filter((f) => access.canRead(f));
  const rows = await readRows(ctx.db, access.table, select, ids, access.rowFilter("read"));
  const decode = rowDecoder(select);
  const byId = new Map(rows.map((r) => [r.id as number, decode(r)]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

/**
 * The reply to a create, decoded from the very column values the batch wrote (what a read-back would
 * return, without reading 1000 rows back). Only when every new row is readable as written: no read
 * rule to apply (it may hide rows the caller could create), no links (their values live in junction
 * tables) and no plugin statements in the batch. Otherwise the rows are read back.
 */
function writtenRecords(
  access: TableAccess,
  ids: number[],
  encoded: Record<string, unknown>[],
  at: string,
  by: string,
): ApiRecord[] | null {
  if (access.rowFilter("read") !== null || access.table.fields.some((f) => f.type === "link")) return null;
  const decodeFields = fieldsDecoder(access.table.fields.filter((f) => access.canRead(f)));
  return ids.map((id, i) => ({
    id,
    version: 1,
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
    fields: decodeFields(encoded[i]!),
  }));
}

/** Every column of every new record (what encodeSlot gives with `full`), columns looked up once per field. */
function encodeAll(fields: FieldMeta[], values: Record<string, unknown>[]): Record<string, unknown>[] {
  const plan = fields
    .filter((f) => f.type !== "link")
    .map((f) => ({ f, spec: typeSpec(f.type), cols: fieldColumns(f) }));
  return values.map((v) => {
    const out: Record<string, unknown> = {};
    for (const p of plan) {
      const enc = p.spec.encode(v[p.f.name] ?? null, p.f);
      for (let k = 0; k < p.cols.length; k++) out[p.cols[k]!] = enc[k] ?? null;
    }
    return out;
  });
}

export async function createRecords(ctx: WriteContext, table: TableMeta, body: unknown) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "create");
  const { items, single } = parseItems(body, ["fields"], []);
  const writes = toWriteItems(items, single);
  const links = new LinkCheck(
    ctx,
    access,
    writes,
    writes.map(() => null),
    null,
  );
  await validateWrites(ctx.db, ctx.reg, access, writes, "create", links);
  links.authorize();
  const n = writes.length;
  const { ids, numbers } = await reserveNew(ctx.db, table, n);
  // Prototype-free copies (as checkFieldsObject made them): a field named like an Object.prototype key is found only
  // when set.
  const values = writes.map((w) => Object.assign(Object.create(null) as Record<string, unknown>, w.fields));
  // A new row without an owner belongs to whoever creates it.
  const owner = ownerField(table);
  if (owner) for (const v of values) if (v[owner.name] === undefined) v[owner.name] = ctx.principal.userId;
  for (const [f, nums] of numbers) values.forEach((v, i) => (v[f.name] = nums[i]));
  // Plugin hooks derive values or refuse the write; their side effects join this batch.
  const hooks = await runWriteHooks(
    ctx,
    table,
    "create",
    values.map((v, i) => ({ id: ids[i]!, path: writes[i]!.path, before: null, fields: v })),
  );
  const at = new Date().toISOString();
  const by = ctx.principal.userId;
  const stmts: Stmt[] = [];
  // Every column of every record, encoded once: the slot rows are cut from it, and so is the reply.
  const encoded = encodeAll(table.fields, values);
  for (const slot of slotsOf(table)) {
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const cols = fields.flatMap(fieldColumns);
    const sys = slot === 0 ? SYSTEM_INSERT_COLUMNS : ["id"];
    const rows = values.map((_, i) => {
      const enc = encoded[i]!;
      const head = slot === 0 ? [ids[i], at, by, at, by, 1] : [ids[i]];
      return [...head, ...cols.map((c) => enc[c])];
    });
    for (const chunk of chunkJson(rows)) stmts.push(insertRows(table.id, slot, [...sys, ...cols], chunk));
  }
  // Links, and the other records whose link values they change (bumped, guarded, audited).
  stmts.push(
    ...(await linkStatements(
      ctx,
      table,
      links,
      values.map((v, i) => ({ id: ids[i]!, before: null, fields: v })),
      at,
    )),
  );
  // The create rule is checked on the rows as written, inside the batch.
  const createFilter = access.rowFilter("create");
  if (createFilter) stmts.push(guardRowsMatch(table, JSON.stringify(ids), ids.length, createFilter));
  const audit = values.map((v, i): AuditRow => ["create", ids[i]!, changesOf(table.fields, null, v)]);
  stmts.push(...auditStatements(ctx, table, audit, at), ...hooks.statements);
  await runBatch(ctx.db, stmts, {
    what: "The write",
    onUnique: (m) => uniqueProblem(table, m),
    onCheck: hooks.onCheck,
  });
  await hooks.afterWrite();
  // Plugin statements in the batch may have touched the new rows: then they are read back as they are.
  const records =
    (hooks.statements.length === 0 ? writtenRecords(access, ids, encoded, at, by) : null) ??
    (await readBack(ctx, access, ids));
  return single ? { record: records[0]! } : { records };
}

/** Current rows for ids, failing with 404 naming the missing ones. */
async function loadCurrent(
  ctx: WriteContext,
  access: TableAccess,
  items: Row[],
  single: boolean,
  op: Operation,
): Promise<Map<number, ApiRecord>> {
  const table = access.table;
  const ids = items.map((it) => it.id as number);
  const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (dup >= 0)
    throw invalid([{ field: `records/${dup}/id`, code: "duplicate", message: `Record ${ids[dup]} appears twice` }]);
  const all = table.fields;
  const rows = await readRows(ctx.db, table, all, ids, access.rowFilter(op));
  const decode = rowDecoder(all);
  const byId = new Map(rows.map((r) => [r.id as number, decode(r)]));
  const missing = ids.map((id, i) => [id, i] as const).filter(([id]) => !byId.has(id));
  if (missing.length) {
    // Rows the caller can see but not change are a 403 naming them; rows they cannot see do not exist for them.
    const visible = new Set(
      (
        await readRows(
          ctx.db,
          table,
          [],
          missing.map(([id]) => id),
          access.rowFilter("read"),
        )
      ).map((r) => r.id as number),
    );
    const denied = missing.filter(([id]) => visible.has(id));
    if (denied.length) {
      throw new AppError(
        "forbidden",
        `You may not ${op} record ${denied.map(([id]) => id).join(", ")} of ${table.name}`,
        denied.map(([id, i]) => ({
          field: single ? "id" : `records/${i}/id`,
          code: "forbidden",
          message: `You may not ${op} record ${id}`,
        })),
      );
    }
  }
  if (missing.length) {
    throw new AppError(
      "not_found",
      `No record ${missing.map(([id]) => id).join(", ")} in ${table.name}`,
      missing.map(([id, i]) => ({
        field: single ? "id" : `records/${i}/id`,
        code: "not_found",
        message: `No record ${id}`,
      })),
    );
  }
  return byId;
}

function checkVersions(access: TableAccess, items: Row[], current: Map<number, ApiRecord>, single: boolean) {
  const stale = items
    .map((it, i) => ({ it, i }))
    .filter(({ it }) => it.version !== undefined && current.get(it.id as number)!.version !== it.version);
  if (!stale.length) return;
  const visible = (r: ApiRecord) => ({
    ...r,
    fields: Object.fromEntries(
      access.table.fields.filter((f) => access.canRead(f)).map((f) => [f.name, r.fields[f.name]]),
    ),
  });
  const conflicts = stale.map(({ it, i }) => ({ index: i, current: visible(current.get(it.id as number)!) }));
  throw new AppError(
    "version_conflict",
    `Record ${stale.map(({ it }) => it.id).join(", ")} was changed by someone else; nothing was written`,
    stale.map(({ it, i }) => ({
      field: single ? "version" : `records/${i}/version`,
      code: "stale",
      message: `You sent version ${it.version}; the record is at version ${current.get(it.id as number)!.version}`,
    })),
    single ? { current: conflicts[0]!.current } : { conflicts },
  );
}

export async function updateRecords(ctx: WriteContext, table: TableMeta, body: unknown, pathId?: number) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "update");
  const bulk = pathId === undefined;
  const parsed = parseItems(
    body,
    bulk ? ["id", "version", "fields"] : ["version", "fields"],
    bulk ? ["id", "version"] : ["version"],
  );
  if (!bulk) {
    if (!parsed.single)
      throw invalid([{ field: "records", code: "unexpected", message: "PATCH /records/{id} takes {version, fields}" }]);
    parsed.items[0]!.id = pathId;
  }
  const { items, single } = parsed;
  const writes = toWriteItems(items, single);
  const current = await loadCurrent(ctx, access, items, single, "update");
  checkVersions(access, items, current, single);
  const links = new LinkCheck(
    ctx,
    access,
    writes,
    items.map((it) => it.id as number),
    current,
  );
  await validateWrites(ctx.db, ctx.reg, access, writes, "update", links);
  links.authorize();
  const hooks = await runWriteHooks(
    ctx,
    table,
    "update",
    items.map((it, i) => ({
      id: it.id as number,
      path: writes[i]!.path,
      before: current.get(it.id as number)!,
      fields: writes[i]!.fields,
    })),
  );
  const at = new Date().toISOString();
  const stmts: Stmt[] = [];
  for (const slot of slotsOf(table)) {
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const rows = items.map((it, i) => ({ id: it.id, v: it.version, c: encodeSlot(fields, writes[i]!.fields, false) }));
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r.c)))];
    if (slot !== 0 && cols.length === 0) continue;
    for (const chunk of chunkJson(rows)) {
      stmts.push(updateRows(table.id, slot, cols, chunk, at, ctx.principal.userId));
      if (slot === 0) stmts.push(guardChanges(JSON.parse(chunk).length, "stale"));
    }
  }
  const linked = writes.map((w, i) => ({
    id: items[i]!.id as number,
    before: current.get(items[i]!.id as number)!.fields,
    fields: w.fields,
  }));
  stmts.push(...(await linkStatements(ctx, table, links, linked, at)));
  // The update rule must hold after the change too, so nobody hands a row beyond their reach.
  const updateFilter = access.rowFilter("update");
  if (updateFilter)
    stmts.push(guardRowsMatch(table, JSON.stringify(items.map((it) => it.id)), items.length, updateFilter));
  const audit = writes.map((w, i): AuditRow => {
    const id = items[i]!.id as number;
    return ["update", id, changesOf(table.fields, current.get(id)!, w.fields)];
  });
  stmts.push(...auditStatements(ctx, table, audit, at), ...hooks.statements);
  if (ctx.collect) {
    ctx.collect.statements.push(...stmts);
    ctx.collect.afterWrite.push(hooks.afterWrite);
    ctx.collect.onCheck.push(hooks.onCheck);
    return { records: [] };
  }
  await runBatch(ctx.db, stmts, {
    what: "The write",
    onStale: async () => checkVersions(access, items, await loadCurrent(ctx, access, items, single, "update"), single),
    onUnique: (m) => uniqueProblem(table, m),
    onCheck: hooks.onCheck,
  });
  await hooks.afterWrite();
  const records = await readBack(
    ctx,
    access,
    items.map((it) => it.id as number),
  );
  return single ? { record: records[0]! } : { records };
}

export async function deleteRecords(ctx: WriteContext, table: TableMeta, items: Row[], single: boolean) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "delete");
  const current = await loadCurrent(ctx, access, items, single, "delete");
  checkVersions(access, items, current, single);
  const hooks = await runWriteHooks(
    ctx,
    table,
    "delete",
    items.map((it, i) => ({
      id: it.id as number,
      path: single ? "id" : `records/${i}/id`,
      before: current.get(it.id as number)!,
      fields: {},
    })),
  );
  const ids = items.map((it) => it.id as number);
  const idsJson = JSON.stringify(ids);
  const versioned = JSON.stringify(items.map((it) => ({ id: it.id, v: it.version ?? null })));
  const at = new Date().toISOString();
  const stmts: Stmt[] = [deleteVersionedRows(table.id, versioned), guardChanges(ids.length, "stale")];
  for (const slot of slotsOf(table).slice(1)) stmts.push(deleteRows(table.id, slot, idsJson));
  // Records linked to the deleted ones change too: version bumped and the unlink in their history.
  stmts.push(...unlinkDeleted(ctx, table, idsJson, at));
  const audit = ids.map((id): AuditRow => {
    const before = current.get(id)!;
    return ["delete", id, Object.fromEntries(table.fields.map((f) => [f.id, [before.fields[f.name] ?? null, null]]))];
  });
  stmts.push(...auditStatements(ctx, table, audit, at), ...hooks.statements);
  await runBatch(ctx.db, stmts, {
    what: "The delete",
    onStale: async () => checkVersions(access, items, await loadCurrent(ctx, access, items, single, "delete"), single),
  });
  await hooks.afterWrite();
  return { deleted: ids };
}
