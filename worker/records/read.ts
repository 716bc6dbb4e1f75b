/**
 * The read pipeline: parse the request's query options -> access (readable fields, row filter) ->
 * compile one statement -> D1 -> decode only readable fields -> expand links.
 */
import { AppError, badRequest, notFound } from "../errors";
import { callerAccess, tableAccess, requireOperation, type TableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { isSearchable, isStoredValue, typeSpec } from "../model/field-types";
import { column, column2 } from "../model/names";
import { findTable, loadRegistry, type Registry } from "../model/registry";
import { pendingCheck } from "../auth/freshness";
import {
  freshnessProbe,
  freshnessStatements,
  settleFreshness,
  settleFreshnessNow,
  settleFreshnessProbe,
} from "../auth/principal";
import type { FieldMeta, TableMeta } from "../model/types";
import { parseFilter, type FilterNode } from "../query/filter";
import {
  columnGroups,
  compileCount,
  compileGet,
  compileList,
  MAX_RESULT_COLUMNS,
  parseSort,
  PROBE_COLUMN,
  resultColumns,
  type SortKey,
} from "../query/select";
import { decodeCursor, encodeCursor } from "../query/cursor";
import { requireWellFormed } from "../model/well-formed";

export interface ApiRecord {
  id: number;
  version: number;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
  fields: Record<string, unknown>;
}

export interface ListOptions {
  filter?: string;
  sort?: string;
  limit?: string;
  cursor?: string;
  /** Rows to skip, for random access (a grid jumping to row N); an alternative to `cursor`. */
  offset?: string;
  fields?: string;
  q?: string;
  count?: string;
  expand?: string;
}

export const MAX_LIMIT = 1000;
/** Skipping rows scans them (~75 ms per million in SQLite), so offsets stop at a few million rows. */
export const MAX_OFFSET = 5_000_000;
type Row = Record<string, unknown>;

/** Decodes rows' field values: each field's columns and decoder are looked up once, not once per row. */
export function fieldsDecoder(fields: FieldMeta[]): (row: Row) => Record<string, unknown> {
  const plan = fields.map((f) => {
    const spec = typeSpec(f.type);
    return { f, spec, c1: column(f.id), c2: spec.columns === 2 ? column2(f.id) : null };
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const p of plan) out[p.f.name] = p.spec.decode(p.c2 === null ? [row[p.c1]] : [row[p.c1], row[p.c2]], p.f);
    return out;
  };
}

/** Decodes whole rows (system columns and `fields`) into API records. */
export function rowDecoder(fields: FieldMeta[]): (row: Row) => ApiRecord {
  const decodeFields = fieldsDecoder(fields);
  return (row) => ({
    id: row.id as number,
    version: row.version as number,
    createdAt: row.created_at as string,
    createdBy: (row.created_by as string | null) ?? null,
    updatedAt: row.updated_at as string,
    updatedBy: (row.updated_by as string | null) ?? null,
    fields: decodeFields(row),
  });
}

export const decodeRow = (row: Row, fields: FieldMeta[]): ApiRecord => rowDecoder(fields)(row);

/** Parses `fields=a,b`: readable fields only, in the table's order. */
export function selectFields(access: TableAccess, raw: string | undefined, param = "fields"): FieldMeta[] {
  const readable = access.table.fields.filter((f) => access.canRead(f));
  if (raw === undefined || raw === "") return readable;
  const wanted = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (!readable.some((f) => f.name === name || f.id === name)) {
      throw new AppError("unknown_field", `Unknown field ${JSON.stringify(name.slice(0, 64))}`, [
        { field: param, code: "unknown_field", message: `No field ${JSON.stringify(name.slice(0, 64))}` },
      ]);
    }
  }
  return readable.filter((f) => wanted.includes(f.name) || wanted.includes(f.id));
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 50;
  if (!/^\d{1,7}$/.test(raw)) throw badRequest("limit", "limit is a whole number from 1 to 1000", "type");
  const n = Number(raw);
  if (n < 1 || n > MAX_LIMIT) throw badRequest("limit", `limit must be between 1 and ${MAX_LIMIT}`, "range");
  return n;
}

function parseOffset(raw: string | undefined, cursor: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  if (!/^\d{1,8}$/.test(raw)) throw badRequest("offset", `offset is a whole number from 0 to ${MAX_OFFSET}`, "type");
  const n = Number(raw);
  if (n > MAX_OFFSET)
    throw badRequest("offset", `offset must be at most ${MAX_OFFSET}; narrow the rows with a filter`, "range");
  if (cursor) throw badRequest("offset", "Send either cursor or offset, not both", "conflict");
  return n;
}

function parseJsonParam(raw: string, name: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError("invalid_json", `${name} is not valid JSON`, [
      { field: name, code: "invalid_json", message: `${name} must be JSON` },
    ]);
  }
  requireWellFormed(value, name);
  return value;
}

/** Cursors carry the sort they belong to, so one cannot be replayed against another order. */
function sortSignature(sort: SortKey[]): string {
  return sort.map((k) => `${k.desc ? "-" : ""}${k.field.id}`).join(",");
}

function encodeListCursor(sort: SortKey[], values: unknown[]): string {
  return encodeCursor({ s: sortSignature(sort), v: values });
}

function decodeListCursor(raw: string, sort: SortKey[]): unknown[] {
  const bad = () =>
    badRequest("cursor", "The cursor is not valid for this query; start again without it", "invalid_cursor");
  const c = decodeCursor(raw, 4096) as { s?: unknown; v?: unknown };
  if (
    typeof c !== "object" ||
    c === null ||
    c.s !== sortSignature(sort) ||
    !Array.isArray(c.v) ||
    c.v.length !== sort.length + 1
  )
    throw bad();
  const scalarsOk = c.v.every((x) => x === null || typeof x === "number" || typeof x === "string");
  if (!scalarsOk || !Number.isSafeInteger(c.v[c.v.length - 1])) throw bad();
  // Each value must be one its sort field can hold (a real date, a canonical date-time, ...).
  const values: unknown[] = c.v;
  if (!sort.every((k, i) => isStoredValue(k.field, values[i]))) throw bad();
  return values;
}

export interface ReadContext {
  db: D1Database;
  principal: Principal;
  reg: Registry;
  /** Narrows the caller's access further (an embed token: one view's fields and rows). */
  narrow?: (access: TableAccess) => TableAccess;
}

/**
 * Lists records. Behind a deferred freshness check (auth/freshness.ts) the caller's user rows and the
 * schema version are re-read in the list's own batch; when they moved, or when the list failed before
 * its batch ran (stale caches can make a new field "unknown" or a new grant "forbidden"), the list is
 * run again with what the database says now.
 */
export async function listRecords(ctx: ReadContext, table: TableMeta, opts: ListOptions) {
  if (!pendingCheck(ctx.db)) return listOnce(ctx, table, opts);
  let found: Awaited<ReturnType<typeof settleFreshness>>;
  try {
    return await listOnce(ctx, table, opts);
  } catch (err) {
    if (err instanceof StaleRead) found = err.found;
    else if (pendingCheck(ctx.db)) {
      found = await settleFreshnessNow(ctx.db);
      if (!found.principal && !found.schemaStale) throw err;
    } else throw err;
  }
  const reg = found.schemaStale ? await loadRegistry(ctx.db) : ctx.reg;
  const fresh = findTable(reg, table.id);
  if (!fresh) throw notFound(`Table ${JSON.stringify(table.name)}`, "table");
  return listOnce({ ...ctx, principal: found.principal ?? ctx.principal, reg }, fresh, opts);
}

/** `raw({ columnNames: true })` rows as objects: one plain loop per row. */
function rowObjects(raw: unknown[][]): Row[] {
  const names = (raw[0] ?? []) as string[];
  const out: Row[] = new Array(Math.max(0, raw.length - 1));
  for (let r = 1; r < raw.length; r++) {
    const values = raw[r]!;
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    out[r - 1] = row;
  }
  return out;
}

/** Thrown inside listOnce when its batch showed the caches it was built from were stale. */
class StaleRead extends Error {
  constructor(readonly found: Awaited<ReturnType<typeof settleFreshness>>) {
    super("stale principal or registry");
  }
}

async function listOnce(ctx: ReadContext, table: TableMeta, opts: ListOptions) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "read");
  const canRead = (f: FieldMeta) => access.canRead(f);
  const expand = parseExpand(access, opts.expand);
  const select = withExpanded(selectFields(access, opts.fields), expand);
  const filter: FilterNode | null = opts.filter
    ? parseFilter(parseJsonParam(opts.filter, "filter"), table, {
        canRead,
        user: ctx.principal.userId,
        timeZone: ctx.principal.timeZone,
      })
    : null;
  const sort = opts.sort ? parseSort(opts.sort, table, canRead) : [];
  const limit = parseLimit(opts.limit);
  if (opts.q !== undefined && opts.q.length > 200)
    throw badRequest("q", "Search text is at most 200 characters", "too_long");
  const search = opts.q ? { text: opts.q, fields: table.fields.filter((f) => canRead(f) && isSearchable(f)) } : null;
  const count = parseBool(opts.count, "count");
  const after = opts.cursor ? decodeListCursor(opts.cursor, sort) : null;
  const offset = parseOffset(opts.offset, opts.cursor);
  // Sort fields are selected too (not returned unless asked) so the next cursor can be made.
  const sortFields = sort.map((k) => k.field);
  const selectWithSort = [...select, ...sortFields.filter((f) => !select.includes(f))];
  // A selection too wide for one result row pages on ids and sort keys, then reads the rows by id.
  const wide = resultColumns(selectWithSort) > MAX_RESULT_COLUMNS;
  const base = { table, select: [], filter, rowFilter: access.rowFilter("read"), search };
  // Without a count the page is one statement that also carries the freshness check (a `probe`
  // column), read as arrays: no batch, and no per-row object building in the D1 client.
  const probe = count ? undefined : freshnessProbe(ctx.db);
  const list = compileList({ ...base, select: wide ? sortFields : selectWithSort, sort, after, limit, offset, probe });
  let rows: Row[];
  let total: number | undefined;
  if (count) {
    const c = compileCount(base);
    const check = freshnessStatements(ctx.db);
    const batch = await ctx.db.batch<Row>([
      ...check,
      ctx.db.prepare(list.sql).bind(...list.params),
      ctx.db.prepare(c.sql).bind(...c.params),
    ]);
    if (check.length) {
      const found = await settleFreshness(ctx.db, batch.slice(0, check.length));
      if (found.principal || found.schemaStale) throw new StaleRead(found);
    }
    rows = batch[check.length]!.results;
    total = (batch[check.length + 1]!.results[0] as { n: number }).n;
  } else {
    rows = rowObjects(
      await ctx.db
        .prepare(list.sql)
        .bind(...list.params)
        .raw({ columnNames: true }),
    );
    if (probe) {
      // An empty page carries no probe value: the check then runs on its own.
      const found = rows.length
        ? await settleFreshnessProbe(ctx.db, rows[0]![PROBE_COLUMN] === 1)
        : await settleFreshnessNow(ctx.db);
      if (found.principal || found.schemaStale) throw new StaleRead(found);
    }
  }
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  const nextCursor =
    hasMore && last ? encodeListCursor(sort, [...sort.map((k) => last[column(k.field.id)] ?? null), last.id]) : null;
  const full = wide
    ? new Map(
        (
          await readRows(
            ctx.db,
            table,
            select,
            page.map((r) => r.id as number),
          )
        ).map((r) => [r.id as number, r]),
      )
    : null;
  const decode = rowDecoder(select);
  const records = page.map((r) => decode(full?.get(r.id as number) ?? r));
  if (expand.length) await expandLinks(ctx, records, expand);
  return { records, nextCursor, ...(total !== undefined ? { total } : {}) };
}

export async function getRecord(
  ctx: ReadContext,
  table: TableMeta,
  id: number,
  opts: { fields?: string; expand?: string },
) {
  const access = callerAccess(ctx, table);
  requireOperation(access, "read");
  const expand = parseExpand(access, opts.expand);
  const select = withExpanded(selectFields(access, opts.fields), expand);
  const rows = await readRows(ctx.db, table, select, [id], access.rowFilter("read"));
  if (!rows[0]) throw notFound(`Record ${id} in ${table.name}`, "id");
  const records = [decodeRow(rows[0], select)];
  if (expand.length) await expandLinks(ctx, records, expand);
  return records[0]!;
}

/** Raw rows by id, in id order; selections wider than a result row are read in groups and merged. */
export async function readRows(
  db: D1Database,
  table: TableMeta,
  select: FieldMeta[],
  ids: number[],
  rowFilter: FilterNode | null = null,
): Promise<Row[]> {
  if (ids.length === 0) return [];
  const stmts = columnGroups(select).map((group) => {
    const c = compileGet(table, group, ids, rowFilter);
    return db.prepare(c.sql).bind(...c.params);
  });
  const results = stmts.length === 1 ? [await stmts[0]!.all<Row>()] : await db.batch<Row>(stmts);
  const [first, ...rest] = results.map((r) => r.results);
  if (rest.length === 0) return first!;
  const byId = new Map(first!.map((r) => [r.id as number, { ...r }]));
  for (const rows of rest) for (const r of rows) Object.assign(byId.get(r.id as number) ?? {}, r);
  return [...byId.values()];
}

/** Expanding a link returns it even when `fields` did not name it. */
function withExpanded(select: FieldMeta[], expand: FieldMeta[]): FieldMeta[] {
  const extra = expand.filter((f) => !select.includes(f));
  return extra.length ? [...select, ...extra] : select;
}

function parseBool(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  throw badRequest(name, `${name} is true or false`, "type");
}

function parseExpand(access: TableAccess, raw: string | undefined): FieldMeta[] {
  if (!raw) return [];
  return selectFields(access, raw, "expand").map((f) => {
    if (f.type !== "link") throw badRequest("expand", `${f.name} is not a link field`, "not_link");
    return f;
  });
}

/** Replaces link id arrays with [{id, primary}] using each target table's primary field. */
async function expandLinks(ctx: ReadContext, records: ApiRecord[], fields: FieldMeta[]) {
  for (const f of fields) {
    const target = findTable(ctx.reg, f.options.table!);
    if (!target) continue;
    const targetAccess = tableAccess(ctx.principal, target, ctx.reg);
    const primary =
      target.fields.find((x) => x.id === target.primaryFieldId) ?? target.fields.find((x) => x.type !== "link");
    const ids = [...new Set(records.flatMap((r) => (r.fields[f.name] as number[]) ?? []))];
    const readable = targetAccess.may("read")
      ? await readRows(
          ctx.db,
          target,
          primary && targetAccess.canRead(primary) ? [primary] : [],
          ids,
          targetAccess.rowFilter("read"),
        )
      : [];
    const byId = new Map(readable.map((row) => [row.id as number, row]));
    for (const r of records) {
      r.fields[f.name] = ((r.fields[f.name] as number[]) ?? []).map((id) => {
        const row = byId.get(id);
        // A linked row the caller cannot read comes back as its id alone.
        if (!row || !primary || !targetAccess.canRead(primary)) return { id };
        return { id, primary: decodeRow(row, [primary]).fields[primary.name] };
      });
    }
  }
}
