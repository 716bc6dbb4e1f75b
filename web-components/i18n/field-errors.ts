/**
 * Field problems from the server worded in the UI's language. The server names what is wrong with a
 * stable `code` and the values involved in `params` (its `message` is English); codes this does not
 * know keep the server's message.
 */
import { msg, str } from "@lit/localize";
import type { FieldProblem } from "../api/client";
import { trimDecimal } from "./decimal";
import { problemWord } from "./problem-words";
import { currentLocale } from "./index";

function typeText(expected: string | undefined): string {
  const kinds = (expected ?? "").split(",");
  if (kinds.includes("number") || kinds.includes("integer"))
    return msg("Enter a number", { id: "common.err.typeNumber" });
  if (kinds.includes("string")) return msg("Enter text", { id: "common.err.typeText" });
  if (kinds.includes("boolean")) return msg("Choose yes or no", { id: "common.err.typeBoolean" });
  if (kinds.includes("array")) return msg("Enter a list", { id: "common.err.typeList" });
  return msg("This value has the wrong form", { id: "common.err.type" });
}

function formatText(format: string | undefined): string {
  switch (format) {
    case "email":
      return msg("Enter a valid email address", { id: "common.err.email" });
    case "uri":
    case "url":
      return msg("Enter a valid web address", { id: "common.err.url" });
    case "date":
      return msg("Enter a date as YYYY-MM-DD", { id: "common.err.date" });
    case "date-time":
      return msg("Enter a date and time", { id: "common.err.dateTime" });
    default:
      return msg("Not in the expected format", { id: "common.err.format" });
  }
}

export function fieldErrorText(e: Pick<FieldProblem, "message" | "params"> & { code?: string }): string {
  const p = e.params ?? {};
  const limit = p.limit;
  const has = limit !== undefined;
  switch (e.code) {
    case "required":
      return msg("Required", { id: "common.err.required" });
    case "type":
      return typeText(p.expected as string | undefined);
    case "minimum":
      if (has && p.unit === "%") return msg(str`Must be at least ${limit}%`, { id: "common.err.percentMinimum" });
      return has ? msg(str`Must be at least ${limit}`, { id: "common.err.minimum" }) : e.message;
    case "maximum":
      if (has && p.unit === "%") return msg(str`Must be at most ${limit}%`, { id: "common.err.percentMaximum" });
      return has ? msg(str`Must be at most ${limit}`, { id: "common.err.maximum" }) : e.message;
    case "minLength":
      return has ? msg(str`At least ${limit} characters`, { id: "common.err.minLength" }) : e.message;
    case "maxLength":
      return has ? msg(str`At most ${limit} characters`, { id: "common.err.maxLength" }) : e.message;
    case "minItems":
      return has ? msg(str`Choose at least ${limit}`, { id: "common.err.minItems" }) : e.message;
    case "maxItems":
      return has ? msg(str`Choose at most ${limit}`, { id: "common.err.maxItems" }) : e.message;
    case "precision":
      return has ? msg(str`At most ${limit} decimal places`, { id: "common.err.precision" }) : e.message;
    case "format":
      return formatText(p.format as string | undefined);
    case "pattern":
      return msg("Not in the expected format", { id: "common.err.format" });
    case "enum":
      return msg("Not one of the choices", { id: "common.err.enum" });
    case "uniqueItems":
      return msg("The same item is listed twice", { id: "common.err.uniqueItems" });
    case "unknown_user":
      return msg("No such user", { id: "common.err.unknownUser" });
    case "unknown_record":
      return msg("The linked record does not exist", { id: "common.err.unknownRecord" });
    case "unknown_currency":
      return msg("Unknown currency", { id: "common.err.unknownCurrency" });
    case "read_only":
      return msg("You may not change this field", { id: "common.err.readOnly" });
    case "unknown_field":
      return msg("No such field", { id: "common.err.unknownField" });
    case "invalid_date":
      return p.part === "month" || p.part === "day"
        ? msg("This date does not exist", { id: "common.err.noSuchDate" })
        : msg("Enter a date as YYYY-MM-DD", { id: "common.err.date" });
    case "invalid_datetime":
      return p.part === "syntax" || p.part === undefined
        ? msg("Enter a date and time", { id: "common.err.dateTime" })
        : msg("This date or time does not exist", { id: "common.err.noSuchDateTime" });
    case "leap_second":
      return msg("A leap second cannot be stored; use :59", { id: "common.err.leapSecond" });
    case "out_of_range":
      return p.min !== undefined && p.max !== undefined
        ? msg(str`Enter a date from ${p.min} to ${p.max}`, { id: "common.err.dateRange" })
        : e.message;
    case "insufficient_stock":
      // In English the server's words name the product; elsewhere the line it sits on does.
      if (currentLocale() === "en" && e.message) return e.message;
      return p.requested !== undefined && p.available !== undefined
        ? msg(
            str`Not enough stock: ${trimDecimal(String(p.requested))} requested, ${trimDecimal(String(p.available))} available`,
            {
              id: "common.err.insufficientStock",
            },
          )
        : (problemWord(e.code) ?? e.message);
    case "lone_surrogate":
      return msg("The text holds a broken character", { id: "common.err.loneSurrogate" });
    default:
      // In English the server's own message names the thing (which field, which rule): keep it.
      if (currentLocale() === "en" && e.message) return e.message;
      return problemWord(e.code) ?? e.message;
  }
}

/**
 * The wording of a whole problem (a toast, a banner): its first field problem, else its code. In
 * English the server's own words are kept, since they name the record or rule ("A lost deal needs a
 * loss reason"); in another language its codes are worded, so no English reaches the screen.
 */
export function problemText(
  problem:
    | {
        code?: string;
        detail?: string;
        title?: string;
        errors?: { code?: string; message?: string; params?: FieldProblem["params"] }[];
      }
    | undefined,
  fallback = "",
): string {
  if (currentLocale() === "en") {
    const own = problem?.errors?.find((e) => e.message)?.message;
    return own || problem?.detail || problem?.title || fallback;
  }
  const first = problem?.errors?.find((e) => e.code || e.message);
  if (first) return fieldErrorText({ ...first, message: first.message ?? "" }) || fallback;
  return problemWord(problem?.code) ?? (problem?.detail || problem?.title || fallback);
}

/**
 * A percent value (basis points) outside its field's declared range (options min/max, in percent),
 * worded as the server's 422 for it is; null when inside or the field declares none.
 */
export function percentRangeText(bp: number, options: { min?: unknown; max?: unknown }): string | null {
  const { min, max } = options;
  if (typeof min === "number" && bp < min * 100)
    return fieldErrorText({ code: "minimum", message: "", params: { limit: min, unit: "%" } });
  if (typeof max === "number" && bp > max * 100)
    return fieldErrorText({ code: "maximum", message: "", params: { limit: max, unit: "%" } });
  return null;
}
