/**
 * The filter language: parse (shape, depth, fields the caller may read, operators the type allows,
 * operand types) then compile to a parameterised SQL condition. Parsing happens before any SQL is
 * built, so a bad filter never reaches the database.
 */
import { AppError, badRequest, invalid, type FieldError } from "../errors";
import { typeSpec, type Op } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import { validate } from "../model/validate";
import type { Columns } from "./columns";
import { likeEscape, type Params } from "./params";

export const MAX_FILTER_DEPTH = 8;
export const MAX_CONDITIONS = 100;

export type FilterNode =
  | { kind: "and" | "or"; children: FilterNode[] }
  | { kind: "cond"; field: FieldMeta; op: Op; value: unknown }
  /** Built by the permission engine only (never parsed from a request): rows by who created them. */
  | { kind: "system"; column: "created_by"; op: "in"; value: string[] };

const OPS = new Set<Op>(["eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "contains", "not_contains", "starts_with", "is_empty", "is_not_empty", "between"]);
const NO_VALUE = new Set<Op>(["is_empty", "is_not_empty"]);
const LIST_OPS = new Set<Op>(["in", "nin"]);

export interface ParseOptions {
  /** Fields the caller may filter on; others are reported as unknown (hidden fields do not exist for them). */
  canRead: (f: FieldMeta) => boolean;
}

/** Parses `raw` (already JSON-decoded) into a checked tree. */
export function parseFilter(raw: unknown, table: TableMeta, opts: ParseOptions, path = "filter"): FilterNode {
  const counter = { n: 0 };
  return parseNode(raw, table, opts, path, 1, counter);
}

function parseNode(raw: unknown, table: TableMeta, opts: ParseOptions, path: string, depth: number, counter: { n: number }): FilterNode {
  if (depth > MAX_FILTER_DEPTH) throw badRequest(path, `Filters may nest at most ${MAX_FILTER_DEPTH} levels deep`, "too_deep");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badRequest(path, "A filter is an object: {field, op, value} or {and: [...]} or {or: [...]}", "type");
  }
  const obj = raw as Record<string, unknown>;
  const keys = Object.keys(obj);
  if ("and" in obj || "or" in obj) {
    const kind = "and" in obj ? "and" : "or";
    if (keys.length !== 1) throw badRequest(path, `A group has exactly one key, "and" or "or"`, "shape");
    const list = obj[kind];
    if (!Array.isArray(list)) throw badRequest(`${path}/${kind}`, `"${kind}" takes an array of filters`, "type");
    return { kind, children: list.map((child, i) => parseNode(child, table, opts, `${path}/${kind}/${i}`, depth + 1, counter)) };
  }
  if (++counter.n > MAX_CONDITIONS) throw badRequest(path, `A filter holds at most ${MAX_CONDITIONS} conditions`, "too_many");
  const unknown = keys.filter((k) => k !== "field" && k !== "op" && k !== "value");
  if (unknown.length) throw badRequest(`${path}/${unknown[0]}`, `Unknown key ${JSON.stringify(unknown[0]!.slice(0, 64))} in a condition`, "unknown_key");
  if (typeof obj.field !== "string") throw badRequest(`${path}/field`, "A condition names a field", "required");
  const field = table.fields.find((f) => (f.id === obj.field || f.name === obj.field) && opts.canRead(f));
  if (!field) {
    throw new AppError("unknown_field", `Table ${table.name} has no field ${JSON.stringify(obj.field.slice(0, 64))}`, [
      { field: `${path}/field`, code: "unknown_field", message: `No field ${JSON.stringify(obj.field.slice(0, 64))}` },
    ]);
  }
  const op = obj.op as Op;
  if (typeof op !== "string" || !OPS.has(op)) {
    throw new AppError("unknown_operator", `Unknown operator ${JSON.stringify(String(obj.op).slice(0, 32))}`, [
      { field: `${path}/op`, code: "unknown_operator", message: `Operators are ${[...OPS].join(", ")}` },
    ]);
  }
  const spec = typeSpec(field.type);
  if (!spec.ops.includes(op)) {
    throw new AppError("unknown_operator", `Operator ${op} does not apply to ${field.type} field ${field.name}`, [
      { field: `${path}/op`, code: "operator_not_allowed", message: `${field.type} fields allow ${spec.ops.join(", ")}` },
    ]);
  }
  return { kind: "cond", field, op, value: parseOperand(field, op, obj.value, `${path}/value`, "value" in obj) };
}

/**
 * The schema an operand of `op` on `field` must match. Kept per field object (fields are replaced, not
 * changed, when the schema moves), so the validator compiled for it is found again by identity.
 */
const operandSchemas = new WeakMap<FieldMeta, Map<string, object>>();
function operandSchema(field: FieldMeta, op: Op): object {
  const spec = typeSpec(field.type);
  const textMatch = (op === "contains" || op === "not_contains" || op === "starts_with") && spec.searchable && field.type !== "multi_select";
  const kind = LIST_OPS.has(op) ? "list" : op === "between" ? "between" : textMatch ? "text" : "one";
  let byKind = operandSchemas.get(field);
  if (!byKind) operandSchemas.set(field, (byKind = new Map()));
  let schema = byKind.get(kind);
  if (!schema) {
    const one = spec.operandSchema(field);
    schema =
      kind === "list" ? { type: "array", minItems: 1, maxItems: 1000, items: one }
      : kind === "between" ? { type: "array", minItems: 2, maxItems: 2, items: one }
      : kind === "text" ? { type: "string", minLength: 1, maxLength: 1000 }
      : one;
    byKind.set(kind, schema);
  }
  return schema;
}

function parseOperand(field: FieldMeta, op: Op, value: unknown, path: string, present: boolean): unknown {
  const spec = typeSpec(field.type);
  if (NO_VALUE.has(op)) {
    if (present && value !== null) throw badRequest(path, `${op} takes no value`, "unexpected");
    return null;
  }
  if (!present) throw invalid([{ field: path, code: "required", message: `${op} needs a value` }]);
  const schema = operandSchema(field, op);
  const errors: FieldError[] = validate(schema, value, path);
  if (errors.length) throw invalid(errors, `Invalid value for ${op} on ${field.name}`);
  const enc = (v: unknown) => spec.encodeOperand(v, field);
  return Array.isArray(value) ? value.map(enc) : enc(value);
}

/** Compiles a parsed tree into a SQL condition, adding its operands to `params`. */
export function compileFilter(node: FilterNode, cols: Columns, params: Params): string {
  if (node.kind === "system") return `s0.created_by IN (SELECT value FROM json_each(${params.add(JSON.stringify(node.value))}))`;
  if (node.kind !== "cond") {
    if (node.children.length === 0) return node.kind === "and" ? "1" : "0";
    const joiner = node.kind === "and" ? " AND " : " OR ";
    return `(${node.children.map((c) => compileFilter(c, cols, params)).join(joiner)})`;
  }
  const { field: f, op, value } = node;
  if (f.type === "link") return compileLink(node.field, op, value, cols, params);
  const col = cols.ref(f);
  if (f.type === "multi_select") return compileSet(col, op, value, params);
  const p = () => params.add(value);
  switch (op) {
    case "eq":
      return f.type === "checkbox" ? `COALESCE(${col}, 0) = ${p()}` : `${col} = ${p()}`;
    case "neq":
      return f.type === "checkbox" ? `COALESCE(${col}, 0) <> ${p()}` : `(${col} IS NULL OR ${col} <> ${p()})`;
    case "lt":
      return `${col} < ${p()}`;
    case "lte":
      return `${col} <= ${p()}`;
    case "gt":
      return `${col} > ${p()}`;
    case "gte":
      return `${col} >= ${p()}`;
    case "between": {
      const [lo, hi] = value as unknown[];
      return `${col} BETWEEN ${params.add(lo)} AND ${params.add(hi)}`;
    }
    case "in":
      return `${col} IN (SELECT value FROM json_each(${params.add(JSON.stringify(value))}))`;
    case "nin":
      return `(${col} IS NULL OR ${col} NOT IN (SELECT value FROM json_each(${params.add(JSON.stringify(value))})))`;
    case "contains":
      return `${col} LIKE ${params.add(`%${likeEscape(value as string)}%`)} ESCAPE '\\'`;
    case "not_contains":
      return `(${col} IS NULL OR ${col} NOT LIKE ${params.add(`%${likeEscape(value as string)}%`)} ESCAPE '\\')`;
    case "starts_with":
      return `${col} LIKE ${params.add(`${likeEscape(value as string)}%`)} ESCAPE '\\'`;
    case "is_empty":
      return `${col} IS NULL`;
    case "is_not_empty":
      return `${col} IS NOT NULL`;
  }
}

/** multi_select: the column holds a JSON array of choice names. */
function compileSet(col: string, op: Op, value: unknown, params: Params): string {
  switch (op) {
    case "contains":
      return `EXISTS (SELECT 1 FROM json_each(${col}) WHERE value = ${params.add(value)})`;
    case "not_contains":
      return `NOT EXISTS (SELECT 1 FROM json_each(${col}) WHERE value = ${params.add(value)})`;
    case "in":
      return `EXISTS (SELECT 1 FROM json_each(${col}) WHERE value IN (SELECT value FROM json_each(${params.add(JSON.stringify(value))})))`;
    case "nin":
      return `NOT EXISTS (SELECT 1 FROM json_each(${col}) WHERE value IN (SELECT value FROM json_each(${params.add(JSON.stringify(value))})))`;
    case "is_empty":
      return `${col} IS NULL`;
    case "is_not_empty":
      return `${col} IS NOT NULL`;
    default:
      throw new Error(`unreachable: ${op} on multi_select`);
  }
}

function compileLink(f: FieldMeta, op: Op, value: unknown, cols: Columns, params: Params): string {
  const j = cols.link(f);
  const any = `SELECT 1 FROM ${j.table} WHERE ${j.mine} = s0.id`;
  switch (op) {
    case "contains":
      return `EXISTS (${any} AND ${j.theirs} = ${params.add(value)})`;
    case "not_contains":
      return `NOT EXISTS (${any} AND ${j.theirs} = ${params.add(value)})`;
    case "is_empty":
      return `NOT EXISTS (${any})`;
    case "is_not_empty":
      return `EXISTS (${any})`;
    default:
      throw new Error(`unreachable: ${op} on link`);
  }
}
