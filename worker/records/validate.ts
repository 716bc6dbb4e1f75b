/**
 * Validates record writes against the table's generated JSON Schema, then the checks a schema
 * cannot express (required fields on create, number precision, users and link targets that exist).
 * All problems of a request are collected and reported together, each naming its path.
 */
import { AppError, invalid, type FieldError } from "../errors";
import type { TableAccess } from "../access";
import { percentRangeProblem, typeSpec } from "../model/field-types";
import type { Registry } from "../model/registry";
import { existingUsers, type Stmt } from "../query/write";
import type { FieldMeta, TableMeta } from "../model/types";
import { compileRecordValidator } from "../model/schema-compiler";
import { isCurrencyCode } from "../model/money";

/** The JSON Schema a record's `fields` object must match when the caller writes it. */
export function recordSchema(table: TableMeta, writable: FieldMeta[]): object {
  const properties: Record<string, object> = {};
  for (const f of writable) properties[f.name] = typeSpec(f.type).valueSchema(f);
  return { type: "object", additionalProperties: false, properties };
}

const compiled = new Map<
  string,
  (instance: unknown, base: string) => ReturnType<ReturnType<typeof compileRecordValidator>>
>();

/** Compiled once per distinct schema (a table version as the caller may write it). */
function recordValidator(schema: object) {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    if (compiled.size > 500) compiled.clear();
    v = compileRecordValidator(schema as Record<string, unknown>);
    compiled.set(key, v);
  }
  return v;
}

export interface WriteItem {
  /** Index in the request, for error paths. */
  index: number;
  path: string;
  fields: Record<string, unknown>;
}

/**
 * Lookups another check adds to the validation round trip (records/links.ts: link targets, their
 * versions and whether the caller may read and update them): `report` gets their rows and returns
 * the problems to report with the others.
 */
export interface ReferenceLookup {
  statements(): Stmt[];
  report(results: Record<string, unknown>[][]): FieldError[];
}

export function checkFieldsObject(value: unknown, path: string, errors: FieldError[]): Record<string, unknown> | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    errors.push({ field: path, code: "type", message: "fields must be an object of field name to value" });
    return null;
  }
  // A copy without a prototype, so a field named "constructor" or "toString" is found only when sent.
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/** Validates each item's fields; throws one 422 listing every problem. */
export async function validateWrites(
  db: D1Database,
  reg: Registry,
  access: TableAccess,
  items: WriteItem[],
  mode: "create" | "update",
  /** Link targets are looked up (and must be readable) through it. */
  links: ReferenceLookup,
): Promise<void> {
  const table = access.table;
  const writable = table.fields.filter((f) => access.canWrite(f));
  const writableNames = new Set(writable.map((f) => f.name));
  const check = recordValidator(recordSchema(table, writable));
  const byName = new Map(table.fields.map((f) => [f.name, f]));
  const errors: FieldError[] = [];
  const denied: FieldError[] = [];
  const users = new Set<string>();
  for (const item of items) {
    for (const name of Object.keys(item.fields)) {
      const f = byName.get(name);
      if (!f || !access.canRead(f))
        errors.push({
          field: `${item.path}/${name.slice(0, 64)}`,
          code: "unknown_field",
          message: `Table ${table.name} has no field ${JSON.stringify(name.slice(0, 64))}`,
        });
      else if (!access.canWrite(f))
        denied.push({ field: `${item.path}/${name}`, code: "read_only", message: `You may not write field ${name}` });
    }
    if (errors.length > 200) break;
    const keys = Object.keys(item.fields);
    const known = keys.every((k) => writableNames.has(k))
      ? item.fields
      : Object.fromEntries(keys.filter((k) => writableNames.has(k)).map((k) => [k, item.fields[k]]));
    errors.push(...check(known, item.path));
    for (const f of writable) {
      const v = item.fields[f.name];
      const missing =
        v === undefined ? mode === "create" : v === null || v === "" || (Array.isArray(v) && v.length === 0);
      if (f.required && missing)
        errors.push({ field: `${item.path}/${f.name}`, code: "required", message: `${f.name} is required` });
      if (v === undefined || v === null) continue;
      if (f.type === "number" && typeof v === "number" && !hasPrecision(v, f.options.precision ?? 8)) {
        errors.push({
          field: `${item.path}/${f.name}`,
          code: "precision",
          message: `${f.name} takes at most ${f.options.precision ?? 8} decimals`,
          params: { limit: f.options.precision ?? 8 },
        });
      }
      if (f.type === "percent" && typeof v === "number") {
        const problem = percentRangeProblem(v, f.options);
        if (problem) errors.push({ field: `${item.path}/${f.name}`, ...problem });
      }
      const typeProblem = typeSpec(f.type).check?.(v, f);
      if (typeProblem) errors.push({ field: `${item.path}/${f.name}`, ...typeProblem });
      if (
        f.type === "currency" &&
        typeof v === "object" &&
        typeof (v as { currency?: unknown }).currency === "string" &&
        /^[A-Z]{3}$/.test((v as { currency: string }).currency) &&
        !isCurrencyCode((v as { currency: string }).currency)
      ) {
        errors.push({
          field: `${item.path}/${f.name}/currency`,
          code: "unknown_currency",
          message: `Unknown currency ${(v as { currency: string }).currency}`,
        });
      }
      if (f.type === "user" && typeof v === "string") users.add(v);
    }
  }
  if (denied.length)
    throw new AppError(
      "forbidden",
      `You may not write ${[...new Set(denied.map((d) => d.field.split("/").pop()))].join(", ")} of ${table.name}`,
      denied.slice(0, 200),
    );
  if (errors.length) throw invalid(errors.slice(0, 200));
  await checkReferences(db, items, users, links);
}

function hasPrecision(v: number, precision: number): boolean {
  const s = String(v);
  if (s.includes("e")) return Number.isInteger(v) || precision >= 8;
  const dot = s.indexOf(".");
  return dot < 0 || s.length - dot - 1 <= precision;
}

/** Users named by the writes must exist; link targets are looked up by `links`, in the same round trip. */
async function checkReferences(db: D1Database, items: WriteItem[], users: Set<string>, links: ReferenceLookup) {
  const errors: FieldError[] = [];
  const stmts = users.size ? [existingUsers(JSON.stringify([...users]))] : [];
  stmts.push(...links.statements());
  if (stmts.length === 0) return;
  const results = await db.batch<Record<string, unknown>>(stmts.map((s) => db.prepare(s.sql).bind(...s.params)));
  if (users.size) {
    const found = new Set(results[0]!.results.map((r) => r.id));
    for (const item of items) {
      for (const [name, v] of Object.entries(item.fields)) {
        if (typeof v === "string" && users.has(v) && !found.has(v))
          errors.push({ field: `${item.path}/${name}`, code: "unknown_user", message: `No user ${v}` });
      }
    }
  }
  errors.push(...links.report(results.slice(users.size ? 1 : 0).map((r) => r.results)));
  if (errors.length) throw invalid(errors.slice(0, 200));
}
