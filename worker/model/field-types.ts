/**
 * Every field type in one exhaustive table: how many columns it takes, which filter operators it
 * allows, the JSON Schema of a value written to it, and how values map to and from columns.
 * Adding a type to schemas/field.schema.json fails compilation here until it is described.
 */
import type { Condition } from "../../schemas/types";
import type { FieldMeta, FieldType } from "./types";
import { parseDate, parseDatetime } from "./dates";
import type { FieldError } from "../errors";
import { DECIMAL_PATTERN, MAX_SCALE, operandUnits, scaleOf, toUnits, unitsToString } from "./decimal";

/**
 * Operators a field type can allow; `readable` (grant rules through a link) is the filter language's own, see
 * query/filter.ts.
 */
export type Op = Exclude<Condition["op"], "readable">;
type Schema = Record<string, unknown>;

export interface TypeSpec {
  /** Physical columns: 0 for links (junction table), 2 for currency (amount + code). */
  columns: 0 | 1 | 2;
  ops: readonly Op[];
  sortable: boolean;
  /** Included in `q` full-text search. */
  searchable: boolean;
  /** Users may write it (autonumber is assigned by the server). */
  writable: boolean;
  /** JSON Schema of a value written to the field; null is always allowed and means empty. */
  valueSchema(f: FieldMeta): Schema;
  /** JSON Schema of one operand in a filter (eq, lt, items of in and between). */
  operandSchema(f: FieldMeta): Schema;
  /** A validated API value to column values. */
  encode(value: unknown, f: FieldMeta): unknown[];
  /** A validated filter operand to the value compared against the (first) column. */
  encodeOperand(value: unknown, f: FieldMeta): unknown;
  /** Column values to the API value. */
  decode(cols: unknown[], f: FieldMeta): unknown;
  /** What a schema cannot say about a value that passed `valueSchema` (a decimal's places and range). */
  check?(value: unknown, f: FieldMeta): Pick<FieldError, "code" | "message" | "params"> | null;
}

const TEXT_OPS = [
  "eq",
  "neq",
  "in",
  "nin",
  "contains",
  "not_contains",
  "starts_with",
  "is_empty",
  "is_not_empty",
] as const;
const NUMBER_OPS = ["eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "between", "is_empty", "is_not_empty"] as const;
const DATE_OPS = ["eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "between", "is_empty", "is_not_empty"] as const;
const CHOICE_OPS = ["eq", "neq", "in", "nin", "is_empty", "is_not_empty"] as const;
const SET_OPS = ["contains", "not_contains", "in", "nin", "is_empty", "is_not_empty"] as const;

export const MAX_SAFE_NUMBER = 1e15;
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: "null" }] });
const emptyToNull = (v: unknown) => (v === "" || v === undefined ? null : v);
const same = (v: unknown) => v;
const first = (cols: unknown[]) => (cols[0] === undefined ? null : cols[0]);

function textSpec(defaultMax: number, extra: Schema = {}): TypeSpec {
  const schema = (f: FieldMeta): Schema => ({ type: "string", maxLength: f.options.maxLength ?? defaultMax, ...extra });
  return {
    columns: 1,
    ops: TEXT_OPS,
    sortable: true,
    searchable: true,
    writable: true,
    // "" means empty (stored as null) even where a format or pattern would refuse it.
    valueSchema: (f) =>
      Object.keys(extra).length ? { anyOf: [schema(f), { const: "" }, { type: "null" }] } : nullable(schema(f)),
    operandSchema: () => ({ type: "string", maxLength: 1000 }),
    encode: (v) => [emptyToNull(v)],
    encodeOperand: same,
    decode: first,
  };
}

function numberRange(f: FieldMeta): Schema {
  return { minimum: f.options.min ?? -MAX_SAFE_NUMBER, maximum: f.options.max ?? MAX_SAFE_NUMBER };
}

function integerSpec(schema: (f: FieldMeta) => Schema, writable = true): TypeSpec {
  return {
    columns: 1,
    ops: NUMBER_OPS,
    sortable: true,
    searchable: false,
    writable,
    valueSchema: (f) => nullable({ type: "integer", ...schema(f) }),
    operandSchema: () => ({ type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    encode: (v) => [v ?? null],
    encodeOperand: same,
    decode: first,
  };
}

const choiceNames = (f: FieldMeta) => (f.options.choices ?? []).map((c) => c.name);
/** A validated date-time to the UTC form it is stored and compared in (model/dates.ts is its one parser). */
function normaliseDatetime(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const r = parseDatetime(v);
  if (!r.ok) throw new Error(`unvalidated date-time reached encode: ${r.code}`);
  return r.value;
}
// The format's parser decides the syntax (RFC 3339: "T" or "t", seconds and a zone required).
const DATETIME_SCHEMA = { type: "string", format: "date-time", maxLength: 40 };

export const FIELD_TYPES: Record<FieldType, TypeSpec> = {
  text: textSpec(10_000),
  long_text: textSpec(100_000),
  email: textSpec(320, { format: "email" }),
  phone: textSpec(40, { pattern: "^\\+?[0-9 ()./-]{3,39}$" }),
  url: textSpec(2048, { format: "uri", pattern: "^https?://" }),
  number: {
    columns: 1,
    ops: NUMBER_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: (f) => nullable({ type: "number", ...numberRange(f) }),
    operandSchema: () => ({ type: "number", minimum: -MAX_SAFE_NUMBER, maximum: MAX_SAFE_NUMBER }),
    encode: (v) => [v ?? null],
    encodeOperand: same,
    decode: first,
  },
  currency: {
    columns: 2,
    ops: NUMBER_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () =>
      nullable({
        anyOf: [
          { type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
          {
            type: "object",
            additionalProperties: false,
            required: ["amount"],
            properties: {
              amount: { type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
              currency: { type: "string", pattern: "^[A-Z]{3}$" },
            },
          },
        ],
      }),
    operandSchema: () => ({ type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    encode: (v, f) => {
      if (v === null || v === undefined) return [null, null];
      if (typeof v === "number") return [v, f.options.currency ?? "CNY"];
      const m = v as { amount: number; currency?: string };
      return [m.amount, m.currency ?? f.options.currency ?? "CNY"];
    },
    encodeOperand: same,
    decode: (cols, f) =>
      cols[0] === null || cols[0] === undefined
        ? null
        : { amount: cols[0], currency: cols[1] ?? f.options.currency ?? "CNY" },
  },
  percent: integerSpec(() => ({ minimum: -1_000_000_000, maximum: 1_000_000_000 })),
  rating: integerSpec((f) => ({ minimum: 1, maximum: f.options.max ?? 5 })),
  // A formatted autonumber (options.format) holds its document number as text ("Q-2026-00042"), fixed
  // when the record is created; a plain one holds the counter.
  autonumber: {
    ...integerSpec(() => ({}), false),
    operandSchema: (f) =>
      f.options.format
        ? { type: "string", maxLength: 64 }
        : { type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
  },
  // Exact decimals stored as integer units (value x 10^scale); the API value is a string with `scale` places.
  decimal: {
    columns: 1,
    ops: NUMBER_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () => nullable({ type: ["string", "number"], maxLength: 40, pattern: DECIMAL_PATTERN }),
    operandSchema: () => ({ type: ["string", "number"], maxLength: 40, pattern: DECIMAL_PATTERN }),
    // Not a decimal at all is the schema's to report; this names too many places or out of range.
    check: (v, f) => {
      const r = toUnits(v, scaleOf(f.options));
      if (!r.ok) return r.problem.code === "type" ? null : r.problem;
      const min = f.options.min;
      // The declared minimum is also a CHECK on the column (model/ddl.ts); this words it as a 422.
      // A conditional minimum (minUnless) depends on the row: the CHECK alone decides it.
      if (
        min !== undefined &&
        !f.options.minUnless &&
        r.units < (toUnits(String(min), scaleOf(f.options)) as { units: number }).units
      )
        return { code: "minimum", message: `must be at least ${min}`, params: { limit: min } };
      return null;
    },
    encode: (v, f) => {
      if (v === null || v === undefined || v === "") return [null];
      const r = toUnits(v, scaleOf(f.options));
      if (!r.ok) throw new Error(`unvalidated decimal reached encode: ${r.problem.code}`);
      return [r.units];
    },
    encodeOperand: (v, f) => operandUnits(v, scaleOf(f.options)),
    decode: (cols, f) => unitsToString(cols[0], Math.min(scaleOf(f.options), MAX_SCALE)),
  },
  date: {
    columns: 1,
    ops: DATE_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () => nullable({ type: "string", format: "date" }),
    operandSchema: () => ({ type: "string", format: "date" }),
    encode: (v) => [v ?? null],
    encodeOperand: same,
    decode: first,
  },
  datetime: {
    columns: 1,
    ops: DATE_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () => nullable(DATETIME_SCHEMA),
    operandSchema: () => DATETIME_SCHEMA,
    encode: (v) => [normaliseDatetime(v)],
    encodeOperand: normaliseDatetime,
    decode: first,
  },
  checkbox: {
    columns: 1,
    ops: ["eq", "neq"],
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () => ({ type: ["boolean", "null"] }),
    operandSchema: () => ({ type: "boolean" }),
    encode: (v) => [v === true ? 1 : 0],
    encodeOperand: (v) => (v === true ? 1 : 0),
    decode: (cols) => cols[0] === 1,
  },
  single_select: {
    columns: 1,
    ops: CHOICE_OPS,
    sortable: true,
    searchable: true,
    writable: true,
    valueSchema: (f) => ({ enum: [...choiceNames(f), null] }),
    operandSchema: (f) => ({ enum: choiceNames(f) }),
    encode: (v) => [v ?? null],
    encodeOperand: same,
    decode: first,
  },
  multi_select: {
    columns: 1,
    ops: SET_OPS,
    sortable: false,
    searchable: true,
    writable: true,
    valueSchema: (f) => nullable({ type: "array", uniqueItems: true, maxItems: 500, items: { enum: choiceNames(f) } }),
    operandSchema: (f) => ({ enum: choiceNames(f) }),
    encode: (v) => [Array.isArray(v) && v.length > 0 ? JSON.stringify(v) : null],
    encodeOperand: same,
    decode: (cols) => (typeof cols[0] === "string" ? JSON.parse(cols[0]) : []),
  },
  user: {
    columns: 1,
    ops: CHOICE_OPS,
    sortable: true,
    searchable: false,
    writable: true,
    valueSchema: () => nullable({ type: "string", pattern: "^usr_[a-z0-9]{12}$" }),
    operandSchema: () => ({ type: "string", maxLength: 64 }),
    encode: (v) => [v ?? null],
    encodeOperand: same,
    decode: first,
  },
  link: {
    columns: 0,
    ops: SET_OPS.filter((op) => op !== "in" && op !== "nin"),
    sortable: false,
    searchable: false,
    writable: true,
    valueSchema: (f) =>
      nullable({
        type: "array",
        uniqueItems: true,
        maxItems: f.options.multiple === false ? 1 : 1000,
        items: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      }),
    operandSchema: () => ({ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    encode: () => [],
    encodeOperand: same,
    decode: (cols) => (typeof cols[0] === "string" ? JSON.parse(cols[0]) : []),
  },
};

/**
 * Whether `v` can be the stored value of a field's (first) column, as paging cursors carry them back:
 * a forged cursor is refused rather than compared against the column.
 */
export function isStoredValue(f: Pick<FieldMeta, "type" | "options">, v: unknown): boolean {
  if (v === null) return true;
  switch (f.type) {
    case "date":
      return parseDate(v).ok;
    case "datetime": {
      const r = parseDatetime(v);
      return r.ok && r.value === v;
    }
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "autonumber":
      return f.options.format ? typeof v === "string" : Number.isSafeInteger(v);
    case "currency":
    case "percent":
    case "rating":
    case "decimal":
      return Number.isSafeInteger(v);
    case "checkbox":
      return v === 0 || v === 1;
    case "link":
    case "multi_select":
      return false; // not sortable, so never in a cursor
    default:
      return typeof v === "string";
  }
}

/**
 * A percent field's declared range (options min/max, in percent; values are basis points), worded with
 * the limit in percent so a client can show it as the user typed it.
 */
export function percentRangeProblem(
  v: number,
  options: Pick<FieldMeta["options"], "min" | "max">,
): Pick<FieldError, "code" | "message" | "params"> | null {
  if (options.min !== undefined && v < options.min * 100)
    return { code: "minimum", message: `must be at least ${options.min}%`, params: { limit: options.min, unit: "%" } };
  if (options.max !== undefined && v > options.max * 100)
    return { code: "maximum", message: `must be at most ${options.max}%`, params: { limit: options.max, unit: "%" } };
  return null;
}

/** Included in `q` search: the type's text fields, and a formatted autonumber (people search for "Q-2026-00042"). */
export function isSearchable(f: Pick<FieldMeta, "type" | "options">): boolean {
  return typeSpec(f.type).searchable || (f.type === "autonumber" && f.options.format !== undefined);
}

export function typeSpec(type: FieldType): TypeSpec {
  const spec = FIELD_TYPES[type];
  if (!spec) throw new Error(`unknown field type ${type}`);
  return spec;
}

/** Number of physical columns a field occupies. */
export const columnCount = (f: Pick<FieldMeta, "type">) => typeSpec(f.type).columns;
