/**
 * Side effects plugin code adds to a write's batch, and the reads it needs to decide them. Every
 * statement comes from worker/query (parameterised; identifiers from the registry), carries its
 * audit rows, and runs as a system effect of a write the caller was allowed to make: it is never
 * read back to the caller through here, so it cannot show them rows or fields beyond their grants.
 */
import { typeSpec, type Op } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";
import { compileList } from "../query/select";
import {
  chunkJson,
  fieldColumns,
  guardChanges,
  guardExists,
  insertAudit,
  insertRows,
  linkPairs,
  SYSTEM_INSERT_COLUMNS,
  unlinkAll,
  unlinkTargets,
  updateRows,
  type Stmt,
} from "../query/write";
import { runBatch } from "../db/batch";
import type { AppError } from "../errors";
import { randomId } from "../db/ids";
import { reserveNew } from "../db/reserve";
import { decodeRow, readRows } from "../records/read";
import type { BoundTable, Runtime, Values } from "./types";

/** A condition on a bound field; the value is trusted (plugin code), encoded like a filter operand. */
export function cond(t: BoundTable, key: string, op: Op, value?: unknown): FilterNode {
  const f = t.field(key);
  const spec = typeSpec(f.type);
  const enc = (v: unknown) => spec.encodeOperand(v, f);
  return {
    kind: "cond",
    field: f,
    op,
    value: value === undefined ? null : Array.isArray(value) ? value.map(enc) : enc(value),
  };
}
export const and = (...children: FilterNode[]): FilterNode => ({ kind: "and", children });
export const or = (...children: FilterNode[]): FilterNode => ({ kind: "or", children });

export interface FoundRow {
  id: number;
  version: number;
  values: Values;
}

/** Rows matching `filter` (every page), their bound fields `keys` by key. */
export async function findRows(
  rt: Runtime,
  t: BoundTable,
  filter: FilterNode | null,
  keys: string[],
  max = 100_000,
): Promise<FoundRow[]> {
  const fields = keys.map((k) => t.field(k));
  const out: FoundRow[] = [];
  let after: unknown[] | null = null;
  for (;;) {
    const c = compileList({ table: t.meta, select: fields, filter, after, limit: 1000 });
    const { results } = await rt.db
      .prepare(c.sql)
      .bind(...c.params)
      .all<Record<string, unknown>>();
    const page = results.slice(0, 1000);
    for (const r of page) {
      const rec = decodeRow(r, fields);
      out.push({
        id: rec.id,
        version: rec.version,
        values: Object.fromEntries(keys.map((k, i) => [k, rec.fields[fields[i]!.name]])),
      });
    }
    if (results.length <= 1000 || out.length >= max) return out;
    after = [page[page.length - 1]!.id];
  }
}

/** Rows with these ids (as the system; missing ids are left out), their bound fields `keys` by key. */
export async function findByIds(rt: Runtime, t: BoundTable, ids: number[], keys: string[]): Promise<FoundRow[]> {
  if (ids.length === 0) return [];
  const fields = keys.map((k) => t.field(k));
  const out: FoundRow[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    for (const r of await readRows(rt.db, t.meta, fields, ids.slice(i, i + 1000), null)) {
      const rec = decodeRow(r, fields);
      out.push({
        id: rec.id,
        version: rec.version,
        values: Object.fromEntries(keys.map((k, j) => [k, rec.fields[fields[j]!.name]])),
      });
    }
  }
  return out;
}

function byName(t: BoundTable, values: Values): Map<FieldMeta, unknown> {
  return new Map(Object.entries(values).map(([k, v]) => [t.field(k), v]));
}

function linkStatements(rt: Runtime, f: FieldMeta, byRecord: Map<number, number[]>, replace: boolean): Stmt[] {
  const ids = [...byRecord.keys()];
  const targets = [...new Set([...byRecord.values()].flat())];
  const out: Stmt[] = replace ? [unlinkAll(f, JSON.stringify(ids))] : [];
  const other = rt.reg.tables.find((x) => x.id === f.options.table);
  const inverse = other?.fields.find((x) => x.id === f.options.inverseField);
  if (inverse?.options.multiple === false && targets.length) out.push(unlinkTargets(f, JSON.stringify(targets)));
  for (const chunk of chunkJson([...byRecord].flatMap(([id, ts]) => ts.map((x) => [id, x]))))
    out.push(linkPairs(f, chunk));
  if (targets.length && other) out.push(guardExists(other.id, JSON.stringify(targets), targets.length, "missing"));
  return out;
}

function audit(rt: Runtime, table: TableMeta, rows: [string, number, string][]): Stmt[] {
  return chunkJson(rows).map((chunk) => insertAudit(chunk, rt.at, rt.principal.userId || null, table.id, rt.requestId));
}

/**
 * New records (values by key), with their links and audit rows. Ids and autonumbers are reserved now (db/reserve.ts).
 */
export async function insertEffect(
  rt: Runtime,
  t: BoundTable,
  rows: Values[],
): Promise<{ ids: number[]; statements: Stmt[] }> {
  if (rows.length === 0) return { ids: [], statements: [] };
  const table = t.meta;
  const { ids, numbers } = await reserveNew(rt.db, table, rows.length);
  const maps = rows.map((v) => byName(t, v));
  for (const [f, nums] of numbers) maps.forEach((m, i) => m.set(f, nums[i]));
  const by = rt.principal.userId || null;
  const stmts: Stmt[] = [];
  for (let slot = 0; slot < table.slots; slot++) {
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const cols = fields.flatMap(fieldColumns);
    const data = maps.map((m, i) => {
      const cells = fields.flatMap((f) => {
        const enc = typeSpec(f.type).encode(m.get(f) ?? null, f);
        return fieldColumns(f).map((_, j) => enc[j] ?? null);
      });
      return [...(slot === 0 ? [ids[i], rt.at, by, rt.at, by, 1] : [ids[i]]), ...cells];
    });
    for (const chunk of chunkJson(data))
      stmts.push(insertRows(table.id, slot, [...(slot === 0 ? SYSTEM_INSERT_COLUMNS : ["id"]), ...cols], chunk));
  }
  for (const f of table.fields.filter((x) => x.type === "link")) {
    const byRecord = new Map<number, number[]>();
    maps.forEach(
      (m, i) => Array.isArray(m.get(f)) && (m.get(f) as number[]).length && byRecord.set(ids[i]!, m.get(f) as number[]),
    );
    if (byRecord.size) stmts.push(...linkStatements(rt, f, byRecord, false));
  }
  const rowsAudit = maps.map((m, i): [string, number, string] => [
    "create",
    ids[i]!,
    JSON.stringify(
      Object.fromEntries([...m].filter(([, v]) => v !== null && v !== undefined).map(([f, v]) => [f.id, [null, v]])),
    ),
  ]);
  stmts.push(...audit(rt, table, rowsAudit));
  return { ids, statements: stmts };
}

/**
 * Changes to records read earlier (values by key). Each row names the version it was read at: if
 * anything changed it meanwhile, the guard aborts the whole batch, the caller's write included.
 */
export function updateEffect(
  rt: Runtime,
  t: BoundTable,
  rows: { id: number; version: number; before: Values; set: Values }[],
): Stmt[] {
  if (rows.length === 0) return [];
  const table = t.meta;
  const maps = rows.map((r) => byName(t, r.set));
  const stmts: Stmt[] = [];
  for (let slot = 0; slot < table.slots; slot++) {
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const data = rows.map((r, i) => {
      const c: Record<string, unknown> = {};
      for (const f of fields) {
        if (!maps[i]!.has(f)) continue;
        const enc = typeSpec(f.type).encode(maps[i]!.get(f) ?? null, f);
        fieldColumns(f).forEach((col, j) => (c[col] = enc[j] ?? null));
      }
      return { id: r.id, v: r.version, c };
    });
    const cols = [...new Set(data.flatMap((d) => Object.keys(d.c)))];
    if (slot !== 0 && cols.length === 0) continue;
    for (const chunk of chunkJson(data)) {
      stmts.push(updateRows(table.id, slot, cols, chunk, rt.at, rt.principal.userId || null));
      if (slot === 0) stmts.push(guardChanges(JSON.parse(chunk).length, "stale"));
    }
  }
  for (const f of table.fields.filter((x) => x.type === "link")) {
    const byRecord = new Map<number, number[]>();
    maps.forEach((m, i) => m.has(f) && byRecord.set(rows[i]!.id, (m.get(f) as number[] | null) ?? []));
    if (byRecord.size) stmts.push(...linkStatements(rt, f, byRecord, true));
  }
  const rowsAudit = rows.map((r, i): [string, number, string] => [
    "update",
    r.id,
    JSON.stringify(
      Object.fromEntries([...maps[i]!].map(([f, v]) => [f.id, [r.before[keyOf(t, f)] ?? null, v ?? null]])),
    ),
  ]);
  stmts.push(...audit(rt, table, rowsAudit));
  return stmts;
}

function keyOf(t: BoundTable, f: FieldMeta): string {
  return t.keys().find((k) => t.field(k).id === f.id) ?? f.name;
}

/** Runs an action's or job's statements as one batch (db/batch.ts: a tripped guard is 409, or 403 when denied). */
export async function runEffects(
  db: D1Database,
  stmts: Stmt[],
  opts: { onCheck?: (message: string) => Promise<AppError | null> } = {},
): Promise<void> {
  await runBatch(db, stmts, opts);
}

/** Adds choices to a select field in the batch (guarded on the options read), bumping the schema version. */
export function addChoicesEffect(
  rt: Runtime,
  f: FieldMeta,
  choices: { name: string; labels?: Record<string, string>; color?: string }[],
): Stmt[] {
  const have = new Set((f.options.choices ?? []).map((c) => c.name));
  const extra = choices.filter((c) => !have.has(c.name));
  if (extra.length === 0) return [];
  const palette = ["#4c6ef5", "#12b886", "#fab005", "#fa5252", "#7950f2", "#15aabf", "#fd7e14", "#82c91e"];
  const next = {
    ...f.options,
    choices: [
      ...(f.options.choices ?? []),
      ...extra.map((c, i) => ({
        id: randomId(12),
        name: c.name,
        color: c.color ?? palette[i % palette.length]!,
        ...(c.labels ? { labels: c.labels } : {}),
      })),
    ],
  };
  return [
    {
      sql: "UPDATE sg_fields SET options = ?1, updated_at = ?2, version = version + 1 WHERE id = ?3 AND options = ?4",
      params: [JSON.stringify(next), rt.at, f.id, JSON.stringify(f.options)],
    },
    guardChanges(1, "stale"),
    {
      sql: "INSERT INTO sg_audit (at, user_id, action, table_id, field_id, changes, request_id) VALUES (?1, ?2, 'field.update', ?3, ?4, ?5, ?6)",
      params: [
        rt.at,
        rt.principal.userId || null,
        f.tableId,
        f.id,
        JSON.stringify({ plugin: rt.plugin, addedChoices: extra.map((c) => c.name) }),
        rt.requestId,
      ],
    },
    { sql: "UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'", params: [] },
  ];
}
