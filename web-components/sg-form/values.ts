/**
 * Field values <-> what a form control shows and takes, per field type. Money and percent go
 * through exact decimal text (integer minor units and basis points), never floats.
 */
import type { FieldInfo } from "../api/client";
import { isStageList, stageSummary } from "./stage-values";
import { percentRangeText } from "../i18n/field-errors";
import { decimalText } from "../i18n/decimal";
import {
  currencyDigits,
  currentLocale,
  decimalToUnits,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  labelOf,
  msg,
  str,
  unitsToDecimal,
} from "../i18n/index";

export interface Choice {
  name: string;
  color?: string;
  label?: string;
  labels?: Record<string, string>;
}

export const choicesOf = (f: FieldInfo): Choice[] =>
  Array.isArray(f.options.choices) ? (f.options.choices as Choice[]) : [];
export const currencyOf = (f: FieldInfo, value?: unknown): string =>
  (value && typeof value === "object" && typeof (value as { currency?: unknown }).currency === "string"
    ? (value as { currency: string }).currency
    : undefined) ?? (typeof f.options.currency === "string" ? f.options.currency : "CNY");

/** Link values arrive as ids, or as {id, primary} when expanded. */
export const linkIds = (v: unknown): number[] =>
  Array.isArray(v)
    ? v.map((x) => (typeof x === "number" ? x : (x as { id: number }).id)).filter((x) => typeof x === "number")
    : [];

/** Text shown for a value in a text control (number, currency, percent, text types). */
export function toText(f: FieldInfo, value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (f.type) {
    case "currency": {
      const amount = typeof value === "number" ? value : (value as { amount: number }).amount;
      return unitsToDecimal(amount, currencyDigits(currencyOf(f, value)));
    }
    case "percent":
      return unitsToDecimal(value as number, 2);
    default:
      return String(value);
  }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** What the user typed -> the API value; a message naming what is wrong otherwise. */
export function fromText(f: FieldInfo, text: string): Parsed {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  switch (f.type) {
    case "number": {
      const n = Number(t.replace(/,/g, ""));
      return Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, message: msg("Enter a number", { id: "form.errNumber" }) };
    }
    case "currency": {
      const digits = currencyDigits(currencyOf(f));
      const units = decimalToUnits(t, digits);
      return units === null
        ? {
            ok: false,
            message: msg(str`Enter an amount with at most ${digits} decimal places`, { id: "form.errMoney" }),
          }
        : { ok: true, value: units };
    }
    case "decimal": {
      const scale = f.options.scale ?? 2;
      const value = decimalText(t, scale);
      return value === null
        ? {
            ok: false,
            message: msg(str`Enter a number with at most ${scale} decimal places`, { id: "form.errDecimal" }),
          }
        : { ok: true, value };
    }
    case "percent": {
      const bp = decimalToUnits(t.replace(/%$/, ""), 2);
      return bp === null
        ? { ok: false, message: msg("Enter a percentage with at most 2 decimal places", { id: "form.errPercent" }) }
        : percentChecked(bp, f);
    }
    default:
      return { ok: true, value: t };
  }
}

function percentChecked(bp: number, f: FieldInfo): Parsed {
  const outside = percentRangeText(bp, f.options);
  return outside === null ? { ok: true, value: bp } : { ok: false, message: outside };
}

/**
 * Names for the ids a value holds, where the caller knows them: a user's name, a linked record's
 * primary value (null: the viewer may not read it).
 */
export interface ValueNames {
  user?(id: string): string | undefined;
  link?(field: string, id: number): string | null | undefined;
}

/** A linked record the viewer may not read: never its id. */
export const noAccessText = () => msg("(no access)", { id: "common.noAccess" });

/** A link value's items as text: the primary value, "(no access)" when unreadable, "#id" when unnamed. */
function linkText(f: FieldInfo, value: unknown, names?: ValueNames): string {
  if (!Array.isArray(value)) return "";
  return value
    .map((x) => {
      if (typeof x === "object" && x) {
        const item = x as { id: number; primary?: unknown };
        // An expanded link without `primary` is one the server would not name for this viewer.
        if (!("primary" in item)) return names?.link?.(f.name, item.id) ?? noAccessText();
        return item.primary === null || item.primary === "" ? `#${item.id}` : String(item.primary);
      }
      const named = names?.link?.(f.name, x as number);
      return named === null ? noAccessText() : (named ?? `#${x}`);
    })
    .join(", ");
}

/** A read-only rendering of a value as text, formatted for the current locale. */
export function displayValue(f: FieldInfo, value: unknown, timeZone?: string | null, names?: ValueNames): string {
  if (value === null || value === undefined || value === "") return "";
  if (isStageList(f)) return stageSummary(value, currentLocale());
  switch (f.type) {
    case "number":
      return formatNumber(value as number);
    case "currency":
      return formatMoney(
        typeof value === "number" ? value : (value as { amount: number }).amount,
        currencyOf(f, value),
      );
    case "percent":
      return formatPercent(value as number);
    case "date":
      return formatDate(value as string);
    case "datetime":
      return formatDateTime(value as string, timeZone);
    case "checkbox":
      return value ? msg("Yes", { id: "common.yes" }) : msg("No", { id: "common.no" });
    case "single_select": {
      const c = choicesOf(f).find((x) => x.name === value);
      return c ? labelOf(c) : String(value);
    }
    case "multi_select":
      return (value as string[]).map((v) => displayValue({ ...f, type: "single_select" }, v)).join(", ");
    case "rating":
      return "★".repeat(Number(value));
    case "link":
      return linkText(f, value, names);
    case "user":
      return typeof value === "string" ? (names?.user?.(value) ?? value) : String(value);
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/** Same value? (decides which fields an edit sends) */
export function sameValue(f: FieldInfo, a: unknown, b: unknown): boolean {
  if (f.type === "link") return JSON.stringify(linkIds(a)) === JSON.stringify(linkIds(b));
  if (f.type === "currency") {
    const amt = (v: unknown) =>
      v === null || v === undefined ? null : typeof v === "number" ? v : (v as { amount: number }).amount;
    return amt(a) === amt(b);
  }
  if (f.type === "datetime" && typeof a === "string" && typeof b === "string")
    return new Date(a).getTime() === new Date(b).getTime();
  const norm = (v: unknown) => (v === undefined || v === "" ? null : Array.isArray(v) && v.length === 0 ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}
