/**
 * Which filter operators each field type allows, mirroring the server's field-type table
 * (worker/model/field-types.ts; a test holds the two equal), and what kind of operand each needs.
 */
import type { Condition } from "../../schemas/types";

export type Op = Condition["op"];
export type FieldType =
  | "text"
  | "long_text"
  | "number"
  | "currency"
  | "percent"
  | "date"
  | "datetime"
  | "checkbox"
  | "single_select"
  | "multi_select"
  | "email"
  | "phone"
  | "url"
  | "rating"
  | "user"
  | "link"
  | "autonumber"
  | "decimal";

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
const CHOICE_OPS = ["eq", "neq", "in", "nin", "is_empty", "is_not_empty"] as const;
const SET_OPS = ["contains", "not_contains", "in", "nin", "is_empty", "is_not_empty"] as const;

export const OPS_BY_TYPE: Record<FieldType, readonly Op[]> = {
  text: TEXT_OPS,
  long_text: TEXT_OPS,
  email: TEXT_OPS,
  phone: TEXT_OPS,
  url: TEXT_OPS,
  number: NUMBER_OPS,
  currency: NUMBER_OPS,
  percent: NUMBER_OPS,
  rating: NUMBER_OPS,
  autonumber: NUMBER_OPS,
  decimal: NUMBER_OPS,
  date: NUMBER_OPS,
  datetime: NUMBER_OPS,
  checkbox: ["eq", "neq"],
  single_select: CHOICE_OPS,
  user: CHOICE_OPS,
  multi_select: SET_OPS,
  link: ["contains", "not_contains", "is_empty", "is_not_empty"],
};

/** How many operands an operator takes: none, one, a list, or a [low, high] pair. */
export type Arity = "none" | "one" | "list" | "pair";

export function arity(op: Op): Arity {
  if (op === "is_empty" || op === "is_not_empty" || op === "readable") return "none";
  if (op === "in" || op === "nin") return "list";
  if (op === "between") return "pair";
  return "one";
}

export const opsFor = (type: string): readonly Op[] => OPS_BY_TYPE[type as FieldType] ?? [];

/**
 * The operand of a field the server compares as text, read from what the user typed: a decimal's
 * digits ("1,234.5" -> "1234.5", exact: never through a float) or a formatted autonumber's number
 * (Q-2026-00042). Undefined: not a valid operand; null: the field is not such a type.
 */
export function textOperand(
  f: { type: string; options?: { format?: unknown } },
  typed: string,
): string | undefined | null {
  const t = typed.trim();
  if (f.type === "decimal") {
    const d = t.replace(/[,\s]/g, "");
    return /^-?\d{1,22}(\.\d{1,30})?$/.test(d) ? d : undefined;
  }
  if (f.type === "autonumber" && f.options?.format) return t !== "" && t.length <= 64 ? t : undefined;
  return null;
}
