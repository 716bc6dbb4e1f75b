/**
 * The filter language: parse (shape, depth, fields the caller may read, operators the type allows,
 * operand types) then compile to a parameterised SQL condition. Parsing happens before any SQL is
 * built, so a bad filter never reaches the database.
 */
import { AppError, badRequest, invalid, type FieldError } from "../errors";
import { typeSpec, type Op } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import { validate } from "../model/validate";
import { shiftDate } from "../model/dates";
import { instantOf, wallAt, wallDate } from "../../lib/zoned-time";
import { physicalTable, q } from "../model/names";
import type { Columns } from "./columns";
import { likeEscape, type Params } from "./params";

export const MAX_FILTER_DEPTH = 8;
export const MAX_CONDITIONS = 100;
/** Link fields a grant rule may follow, in total: a path's links plus those a `readable` parent's own rule follows. */
export const MAX_LINK_HOPS = 2;

export type FilterNode =
  | { kind: "and" | "or"; children: FilterNode[] }
  | { kind: "cond"; field: FieldMeta; op: Op; value: unknown }
  /** Built by the permission engine only (never parsed from a request): rows by who created them. */
  | { kind: "system"; column: "created_by"; op: "in"; value: string[] }
  /** `{"field": "id", ...}`: the record's own id (a client naming the records it holds ids of, in one request). */
  | { kind: "id"; op: CompareOp; value: number | number[] }
  /**
   * Grant rules only: some record of `target` linked through `field` matches `where` (null: the row has
   * any linked record). A path `customer.owner` and `{field: "customer", op: "readable"}` parse to it.
   */
  | { kind: "linked"; field: FieldMeta; target: TableMeta; where: FilterNode | null };

/** Matches no row. */
export const NOTHING: FilterNode = { kind: "or", children: [] };

type RuleOp = Op | "readable";
const OPS = new Set<RuleOp>([
  "eq",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
  "in",
  "nin",
  "contains",
  "not_contains",
  "starts_with",
  "is_empty",
  "is_not_empty",
  "between",
]);
const RULE_OPS = new Set<RuleOp>([...OPS, "readable"]);
const NO_VALUE = new Set<RuleOp>(["is_empty", "is_not_empty", "readable"]);
const LIST_OPS = new Set<Op>(["in", "nin"]);

/** The comparisons a column and the record's id share (compileCompare); the id takes no other. */
type CompareOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "in" | "nin";
const ID_OPS = new Set<RuleOp>(["eq", "neq", "lt", "lte", "gt", "gte", "in", "nin"]);
const isCompare = (op: Op): op is CompareOp => ID_OPS.has(op);
/** Ids an `in`/`nin` on id may list: one page of a client's records, bound as one JSON parameter. */
export const MAX_ID_LIST = 1000;
const ID_SCHEMA = { type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
const ID_LIST_SCHEMA = { type: "array", minItems: 1, maxItems: MAX_ID_LIST, items: ID_SCHEMA };

export interface ParseOptions {
  /** Fields the caller may filter on; others are reported as unknown (hidden fields do not exist for them). */
  canRead: (f: FieldMeta) => boolean;
  /**
   * Grant rules only: conditions on linked records. Without it a dotted path is an unknown field and
   * `readable` an unknown operator, so a caller's own filter can never reach another table's fields.
   */
  links?: LinkRules;
  /**
   * The caller's user id: `"$user"` (or `"$user.id"`) as an operand of a user field, alone or in an
   * `in`/`nin` list, stands for it, so one saved filter ("my open quotes") gives each caller their own
   * rows. Resolved per request by the pipeline that parses the caller's or a view's filter; without it
   * (checking a definition) the text stays as written. Grant rules get theirs from access/policy.ts.
   */
  user?: string;
  /**
   * The caller's time zone: `{"$today": n}` as an operand of a date field is today + n days there
   * (YYYY-MM-DD), of a datetime field that day's first instant there, so "due before tomorrow" is
   * each viewer's own day. Without it (checking a definition) UTC.
   */
  timeZone?: string;
}

const USER_OPERANDS = new Set(["$user", "$user.id"]);

export interface LinkRules {
  /** The live table a link field points at. */
  table(id: string): TableMeta | undefined;
  /** Link hops this rule may still follow: MAX_LINK_HOPS for a grant, fewer inside a parent's rule. */
  hops: number;
  /**
   * `readable`: the rows of `target` the same principal may read (null: every row; NOTHING: none), with
   * `hopsLeft` hops for that table's own rule.
   */
  readable(target: TableMeta, hopsLeft: number): FilterNode | null;
}

/** Parses `raw` (already JSON-decoded) into a checked tree. */
export function parseFilter(raw: unknown, table: TableMeta, opts: ParseOptions, path = "filter"): FilterNode {
  const counter = { n: 0 };
  return parseNode(raw, table, opts, path, 1, counter);
}

function parseNode(
  raw: unknown,
  table: TableMeta,
  opts: ParseOptions,
  path: string,
  depth: number,
  counter: { n: number },
): FilterNode {
  if (depth > MAX_FILTER_DEPTH)
    throw badRequest(path, `Filters may nest at most ${MAX_FILTER_DEPTH} levels deep`, "too_deep");
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
    return {
      kind,
      children: list.map((child, i) => parseNode(child, table, opts, `${path}/${kind}/${i}`, depth + 1, counter)),
    };
  }
  if (++counter.n > MAX_CONDITIONS)
    throw badRequest(path, `A filter holds at most ${MAX_CONDITIONS} conditions`, "too_many");
  const unknown = keys.filter((k) => k !== "field" && k !== "op" && k !== "value");
  if (unknown.length)
    throw badRequest(
      `${path}/${unknown[0]}`,
      `Unknown key ${JSON.stringify(unknown[0]!.slice(0, 64))} in a condition`,
      "unknown_key",
    );
  if (typeof obj.field !== "string") throw badRequest(`${path}/field`, "A condition names a field", "required");
  const ops = opts.links ? RULE_OPS : OPS;
  const op = obj.op as RuleOp;
  if (typeof op !== "string" || !ops.has(op)) {
    throw new AppError("unknown_operator", `Unknown operator ${JSON.stringify(String(obj.op).slice(0, 32))}`, [
      { field: `${path}/op`, code: "unknown_operator", message: `Operators are ${[...ops].join(", ")}` },
    ]);
  }
  // `id` is the record's own id, unless the table has a field of that name the caller reads.
  if (obj.field === "id" && !table.fields.some((f) => f.name === "id" && opts.canRead(f)))
    return parseIdCondition(op, obj, path);
  // A path `link.link.field` walks link fields first (grant rules only); a plain name is a path of one.
  const segments = opts.links ? obj.field.split(".") : [obj.field];
  const links = opts.links;
  if (links && segments.length - (op === "readable" ? 0 : 1) > MAX_LINK_HOPS) {
    throw badRequest(`${path}/field`, `A path follows at most ${MAX_LINK_HOPS} link fields`, "too_deep");
  }
  const hops: { field: FieldMeta; target: TableMeta }[] = [];
  let t = table;
  const lookup = (ref: string, inTable: TableMeta): FieldMeta => {
    const found = inTable.fields.find(
      (f) => (f.id === ref || f.name === ref) && (inTable !== table || opts.canRead(f)),
    );
    if (found) return found;
    throw new AppError("unknown_field", `Table ${inTable.name} has no field ${JSON.stringify(ref.slice(0, 64))}`, [
      {
        field: `${path}/field`,
        code: "unknown_field",
        message: `No field ${JSON.stringify(ref.slice(0, 64))}${inTable === table ? "" : ` in ${inTable.name}`}`,
      },
    ]);
  };
  const follow = (f: FieldMeta): TableMeta => {
    const target = f.type === "link" ? links!.table(f.options.table!) : undefined;
    if (f.type !== "link")
      throw badRequest(
        `${path}/field`,
        `${f.name} is a ${f.type} field; a path and readable go through link fields`,
        "not_link",
      );
    if (!target) throw badRequest(`${path}/field`, `The table ${f.name} links to is gone`, "unknown_table");
    hops.push({ field: f, target });
    return target;
  };
  for (const ref of segments.slice(0, -1)) t = follow(lookup(ref, t));
  const field = lookup(segments[segments.length - 1]!, t);
  let node: FilterNode;
  if (op === "readable") {
    if ("value" in obj && obj.value !== null)
      throw badRequest(`${path}/value`, "readable takes no value", "unexpected");
    const target = follow(field);
    // A chain longer than this rule may still go (a parent's rule inside a parent's rule) matches nothing.
    node =
      hops.length > links!.hops
        ? NOTHING
        : { kind: "linked", field, target, where: links!.readable(target, links!.hops - hops.length) };
    hops.pop();
  } else {
    const spec = typeSpec(field.type);
    if (!spec.ops.includes(op as Op)) {
      throw new AppError("unknown_operator", `Operator ${op} does not apply to ${field.type} field ${field.name}`, [
        {
          field: `${path}/op`,
          code: "operator_not_allowed",
          message: `${field.type} fields allow ${spec.ops.join(", ")}`,
        },
      ]);
    }
    node = {
      kind: "cond",
      field,
      op: op as Op,
      value: parseOperand(
        field,
        op as Op,
        withToday(field, withUser(field, obj.value, opts.user), opts.timeZone),
        `${path}/value`,
        "value" in obj,
      ),
    };
  }
  if (links && hops.length > links.hops) return NOTHING;
  for (const h of hops.reverse()) node = { kind: "linked", field: h.field, target: h.target, where: node };
  return node;
}

/** A condition on the record's id: integers only, compared as they are (bound parameters like any operand). */
function parseIdCondition(op: RuleOp, obj: Record<string, unknown>, path: string): FilterNode {
  if (!ID_OPS.has(op))
    throw new AppError("unknown_operator", `Operator ${op} does not apply to id`, [
      { field: `${path}/op`, code: "operator_not_allowed", message: `id allows ${[...ID_OPS].join(", ")}` },
    ]);
  if (!("value" in obj)) throw invalid([{ field: `${path}/value`, code: "required", message: `${op} needs a value` }]);
  const errors = validate(LIST_OPS.has(op as Op) ? ID_LIST_SCHEMA : ID_SCHEMA, obj.value, `${path}/value`);
  if (errors.length) throw invalid(errors, `Invalid value for ${op} on id`);
  return { kind: "id", op: op as CompareOp, value: obj.value as number | number[] };
}

/** `$user` in an operand of a user field, as the caller's id (see ParseOptions.user). */
function withUser(field: FieldMeta, value: unknown, user: string | undefined): unknown {
  if (user === undefined || field.type !== "user") return value;
  const one = (v: unknown) => (typeof v === "string" && USER_OPERANDS.has(v) ? user : v);
  return Array.isArray(value) ? value.map(one) : one(value);
}

const MAX_TODAY_SHIFT = 36_600;

/** `{"$today": n}` in an operand of a date or datetime field, as that day in `zone` (see ParseOptions.timeZone). */
function withToday(field: FieldMeta, value: unknown, zone = "UTC"): unknown {
  if (field.type !== "date" && field.type !== "datetime") return value;
  const one = (v: unknown) => {
    const n = (v as { $today?: unknown } | null)?.$today;
    if (typeof v !== "object" || v === null || Object.keys(v).length !== 1 || !Number.isInteger(n)) return v;
    if (Math.abs(n as number) > MAX_TODAY_SHIFT) return v; // left as written: the operand check names it
    const day = shiftDate(wallDate(wallAt(Date.now(), zone)), n as number);
    if (!day.ok) return v;
    if (field.type === "date") return day.value;
    const [year, month, date] = day.value.split("-").map(Number) as [number, number, number];
    return new Date(instantOf({ year, month, day: date, hour: 0, minute: 0, second: 0 }, zone)).toISOString();
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * The schema an operand of `op` on `field` must match. Kept per field object (fields are replaced, not
 * changed, when the schema moves), so the validator compiled for it is found again by identity.
 */
const operandSchemas = new WeakMap<FieldMeta, Map<string, object>>();
function operandSchema(field: FieldMeta, op: Op): object {
  const spec = typeSpec(field.type);
  const textMatch =
    (op === "contains" || op === "not_contains" || op === "starts_with") &&
    spec.searchable &&
    field.type !== "multi_select";
  const kind = LIST_OPS.has(op) ? "list" : op === "between" ? "between" : textMatch ? "text" : "one";
  let byKind = operandSchemas.get(field);
  if (!byKind) operandSchemas.set(field, (byKind = new Map()));
  let schema = byKind.get(kind);
  if (!schema) {
    const one = spec.operandSchema(field);
    schema =
      kind === "list"
        ? { type: "array", minItems: 1, maxItems: 1000, items: one }
        : kind === "between"
          ? { type: "array", minItems: 2, maxItems: 2, items: one }
          : kind === "text"
            ? { type: "string", minLength: 1, maxLength: 1000 }
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
  if (node.kind === "system") return inList(`${cols.alias(0)}.created_by`, node.value, params);
  if (node.kind === "linked") return compileLinked(node, cols, params);
  // The record's id is never null: the NULL cases of neq and nin never match there.
  if (node.kind === "id") return compileCompare(cols.id, node.op, node.value, params);
  if (node.kind !== "cond") {
    if (node.children.length === 0) return node.kind === "and" ? "1" : "0";
    const joiner = node.kind === "and" ? " AND " : " OR ";
    return `(${node.children.map((c) => compileFilter(c, cols, params)).join(joiner)})`;
  }
  const { field: f, op, value } = node;
  if (f.type === "link") return compileLink(node.field, op, value, cols, params);
  const col = cols.ref(f);
  if (f.type === "multi_select") return compileSet(col, op, value, params);
  // An empty checkbox is false.
  if (f.type === "checkbox" && (op === "eq" || op === "neq"))
    return `COALESCE(${col}, 0) ${op === "eq" ? "=" : "<>"} ${params.add(value)}`;
  if (isCompare(op)) return compileCompare(col, op, value, params);
  switch (op) {
    case "between": {
      const [lo, hi] = value as unknown[];
      return `${col} BETWEEN ${params.add(lo)} AND ${params.add(hi)}`;
    }
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

/**
 * `col IN list`. A list of one (an `own` rule's owner, a one-item filter) is a plain equality: cheaper
 * to test per row than a json_each list, and an index on (col, sort key) then serves the order too.
 */
function inList(col: string, list: unknown[], params: Params): string {
  if (list.length === 1) return `${col} = ${params.add(list[0])}`;
  return `${col} IN (SELECT value FROM json_each(${params.add(JSON.stringify(list))}))`;
}

/** `col op value` for the comparisons; an empty column is unequal to anything and in no list. */
function compileCompare(col: string, op: CompareOp, value: unknown, params: Params): string {
  const p = () => params.add(value);
  switch (op) {
    case "eq":
      return `${col} = ${p()}`;
    case "neq":
      return `(${col} IS NULL OR ${col} <> ${p()})`;
    case "lt":
      return `${col} < ${p()}`;
    case "lte":
      return `${col} <= ${p()}`;
    case "gt":
      return `${col} > ${p()}`;
    case "gte":
      return `${col} >= ${p()}`;
    case "in":
      return inList(col, value as unknown[], params);
    case "nin":
      return `(${col} IS NULL OR ${col} NOT IN (SELECT value FROM json_each(${params.add(JSON.stringify(value))})))`;
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
  const any = `SELECT 1 FROM ${j.table} WHERE ${j.mine} = ${cols.id}`;
  switch (op) {
    case "contains":
      // The ids linked to the value, from the junction's (theirs, mine) key: bounded by what is linked
      // to it, where EXISTS per row scans the whole table (a product's 3 levels among 30,000: 40 ms).
      return `${cols.id} IN (SELECT ${j.mine} FROM ${j.table} WHERE ${j.theirs} = ${params.add(value)})`;
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

/**
 * Some linked record matches: EXISTS over the junction, seeked by our id on its key ((a, b) or its
 * (b, a) index), then the target by id. CROSS JOIN pins that order: SQLite never starts from the
 * target (say, every customer of an owner) and probes the junction for each.
 */
function compileLinked(node: Extract<FilterNode, { kind: "linked" }>, cols: Columns, params: Params): string {
  if (node.where && node.where.kind === "or" && node.where.children.length === 0) return "0";
  const j = cols.link(node.field);
  const { cols: inner, junction } = cols.nested(node.target);
  const mine = `${junction}.${j.mine} = ${cols.id}`;
  if (!node.where) return `EXISTS (SELECT 1 FROM ${j.table} AS ${junction} WHERE ${mine})`;
  const where = compileFilter(node.where, inner, params);
  const target = `${q(physicalTable(node.target.id))} AS ${inner.alias(0)} ON ${inner.id} = ${junction}.${j.theirs}`;
  return `EXISTS (SELECT 1 FROM ${j.table} AS ${junction} CROSS JOIN ${target}${inner.slotJoins()} WHERE ${mine} AND ${where})`;
}
