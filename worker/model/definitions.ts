/**
 * Table and field definitions as admins send them: validated against schemas/*.schema.json, then
 * the rules a schema cannot say (options that apply to the type, unique choice names, link targets).
 */
import fieldSchema from "../../schemas/field.schema.json";
import tableSchema from "../../schemas/table.schema.json";
import type { FieldInput, FieldOptions, TableInput } from "../../schemas/types";
import { AppError, invalid, type FieldError } from "../errors";
import { minorDigits } from "./money";
import { DEFAULT_SCALE, toUnits } from "./decimal";
import { isTimeZone } from "../../lib/zoned-time";
import { findTable, type Registry } from "./registry";
import type { FieldType } from "./types";
import { validate } from "./validate";
import { randomId } from "../db/ids";

const OPTION_KEYS: Record<FieldType, (keyof FieldOptions)[]> = {
  text: ["maxLength", "unique"],
  long_text: ["maxLength", "editor"],
  email: ["unique"],
  phone: ["unique"],
  url: ["unique"],
  number: ["precision", "min", "max", "unique"],
  currency: ["currency"],
  percent: ["min", "max"],
  rating: ["max"],
  date: [],
  datetime: [],
  checkbox: [],
  single_select: ["choices"],
  multi_select: ["choices"],
  user: [],
  link: ["table", "multiple", "inverseName"],
  autonumber: ["prefix", "format"],
  decimal: ["scale", "unique", "min", "minUnless"],
};

/**
 * Options that only change how a field is shown and edited, never its stored values: a plugin
 * upgrade may add one an existing field lacks (install.ts), but never changes one already set.
 */
export const PRESENTATION_OPTIONS: readonly (keyof FieldOptions)[] = ["editor"];

const PALETTE = [
  "#4c6ef5",
  "#12b886",
  "#fab005",
  "#fa5252",
  "#7950f2",
  "#15aabf",
  "#fd7e14",
  "#82c91e",
  "#e64980",
  "#868e96",
];

export function validateTableInput(input: unknown, path = ""): TableInput {
  const errors = validate(tableSchema, input, path, [fieldSchema]);
  if (errors.length) throw invalid(errors, "The table definition is invalid");
  return input as TableInput;
}

/** Validates a field definition; `partial` for PATCH (name and type optional). */
export function validateFieldInput(input: unknown, path = "", partial = false): FieldInput {
  const schema = partial ? { ...fieldSchema, required: [] } : fieldSchema;
  const errors = validate(schema, input, path);
  if (errors.length) throw invalid(errors, "The field definition is invalid");
  return input as FieldInput;
}

const randomChoiceId = () => randomId(8);

/**
 * Checks and completes a field's options for its type. `selfTable` names the table being created,
 * so a link may point at it before it exists.
 */
export function normaliseOptions(
  type: FieldType,
  options: FieldOptions | undefined,
  reg: Registry,
  path: string,
  selfTable?: { id: string; name: string },
): FieldOptions {
  const opts: FieldOptions = { ...(options ?? {}) };
  const errors: FieldError[] = [];
  for (const key of Object.keys(opts) as (keyof FieldOptions)[]) {
    if (!OPTION_KEYS[type].includes(key))
      errors.push({
        field: `${path}/options/${key}`,
        code: "not_applicable",
        message: `Option ${key} does not apply to ${type} fields`,
      });
  }
  if (type === "single_select" || type === "multi_select") {
    const seen = new Set<string>();
    opts.choices = (opts.choices ?? []).map((c, i) => {
      if (seen.has(c.name))
        errors.push({
          field: `${path}/options/choices/${i}/name`,
          code: "duplicate",
          message: `Choice ${c.name} appears twice`,
        });
      seen.add(c.name);
      return { ...c, id: c.id ?? randomChoiceId(), color: c.color ?? PALETTE[i % PALETTE.length] };
    });
  }
  if (type === "currency") {
    opts.currency = opts.currency ?? "CNY";
    try {
      minorDigits(opts.currency);
    } catch {
      errors.push({
        field: `${path}/options/currency`,
        code: "unknown_currency",
        message: `Unknown currency ${opts.currency}`,
      });
    }
  }
  if (type === "rating") {
    opts.max = opts.max ?? 5;
    if (!Number.isInteger(opts.max) || opts.max < 1 || opts.max > 10)
      errors.push({ field: `${path}/options/max`, code: "range", message: "A rating's max is 1 to 10" });
  }
  if (type === "number") opts.precision = opts.precision ?? 2;
  if (type === "decimal") opts.scale = opts.scale ?? DEFAULT_SCALE;
  // A decimal's min becomes a CHECK on its column (model/ddl.ts), so it must fit the field's places.
  if (type === "decimal" && opts.min !== undefined && !toUnits(String(opts.min), opts.scale!).ok)
    errors.push({ field: `${path}/options/min`, code: "precision", message: "min has more places than the field" });
  if (type === "autonumber" && opts.format?.timeZone !== undefined && !isTimeZone(opts.format.timeZone))
    errors.push({
      field: `${path}/options/format/timeZone`,
      code: "unknown_time_zone",
      message: `Unknown time zone ${opts.format.timeZone}`,
    });
  if (
    (type === "number" || type === "percent") &&
    opts.min !== undefined &&
    opts.max !== undefined &&
    opts.min > opts.max
  ) {
    errors.push({ field: `${path}/options/min`, code: "range", message: "min is above max" });
  }
  if (type === "link") {
    if (!opts.table)
      errors.push({ field: `${path}/options/table`, code: "required", message: "A link names its target table" });
    else {
      const target = findTable(reg, opts.table);
      if (target) opts.table = target.id;
      else if (selfTable && (opts.table === selfTable.name || opts.table === selfTable.id)) opts.table = selfTable.id;
      else
        errors.push({
          field: `${path}/options/table`,
          code: "unknown_table",
          message: `No table ${JSON.stringify(opts.table)}`,
        });
    }
    opts.multiple = opts.multiple ?? true;
  }
  if (errors.length) throw invalid(errors, "The field options are invalid");
  return opts;
}

export function conflict(field: string, message: string): AppError {
  return new AppError("conflict", message, [{ field, code: "conflict", message }]);
}
