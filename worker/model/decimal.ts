/**
 * The decimal field type's values: exact decimals with a fixed number of places (`scale`, 0..6).
 * Stored as an INTEGER of units (value x 10^scale), so SQL sorts, compares and sums them exactly;
 * answered as a decimal string with exactly `scale` places ("1.250"). A write may send that string
 * or a JSON number, which is read through the text it prints as (1.25 -> "1.25"), never through
 * binary arithmetic. Units stay within Number.MAX_SAFE_INTEGER so a D1 row holds them exactly.
 */
import type { FieldError } from "../errors";
import { decimalFromNumber, decimalToString, parseDecimal, rescale, type Decimal } from "./money";

export const DEFAULT_SCALE = 2;
export const MAX_SCALE = 6;
const MAX_UNITS = BigInt(Number.MAX_SAFE_INTEGER);
/** A decimal as text: an optional minus, digits, optional places (no exponent, no grouping). */
export const DECIMAL_PATTERN = "^[+-]?[0-9]{1,22}(\\.[0-9]{1,30})?$";
const DECIMAL_RE = new RegExp(DECIMAL_PATTERN);

export const scaleOf = (options: { scale?: number }): number => options.scale ?? DEFAULT_SCALE;

/** A string or number as the exact decimal it says; null when it is neither. */
export function readDecimal(v: unknown): Decimal | null {
  if (typeof v === "number") return Number.isFinite(v) ? decimalFromNumber(v) : null;
  if (typeof v === "string" && DECIMAL_RE.test(v)) return parseDecimal(v);
  return null;
}

export type UnitsResult =
  { ok: true; units: number } | { ok: false; problem: Pick<FieldError, "code" | "message" | "params"> };

/** The value's units at `scale`: too many places (other than trailing zeros) or out of range is a problem. */
export function toUnits(v: unknown, scale: number): UnitsResult {
  const d = readDecimal(v);
  if (!d) return { ok: false, problem: { code: "type", message: "must be a decimal number or a decimal string" } };
  const units = rescale(d, scale, "exact");
  if (units === null)
    return {
      ok: false,
      problem: { code: "precision", message: `takes at most ${scale} decimals`, params: { limit: scale } },
    };
  if (units > MAX_UNITS || units < -MAX_UNITS) {
    const limit = decimalToString(MAX_UNITS, scale);
    return {
      ok: false,
      problem: { code: "out_of_range", message: `must be between -${limit} and ${limit}`, params: { limit } },
    };
  }
  return { ok: true, units: units === 0n ? 0 : Number(units) };
}

/** Stored units to the API value: exactly `scale` places. */
export function unitsToString(units: unknown, scale: number): string | null {
  if (units === null || units === undefined) return null;
  if (typeof units === "bigint") return decimalToString(units, scale);
  if (typeof units !== "number" || !Number.isSafeInteger(units)) throw new Error(`not decimal units: ${String(units)}`);
  return decimalToString(BigInt(units), scale);
}

/**
 * A filter operand as the value compared with the stored units. One with more places than the field
 * has cannot equal a stored value but still orders correctly (1.2345 lies between 1.234 and 1.235),
 * so it is compared as the real number of units it names.
 */
export function operandUnits(v: unknown, scale: number): number {
  const d = readDecimal(v);
  if (!d) throw new Error("unvalidated decimal operand");
  const exact = rescale(d, scale, "exact");
  if (exact !== null) return Number(exact);
  return Number(decimalToString(d.units, d.scale - scale));
}

function must(v: string | number): Decimal {
  const d = readDecimal(typeof v === "string" ? v.trim() : v);
  if (!d) throw new TypeError(`not a decimal: ${String(v)}`);
  return d;
}

/**
 * Exact sum of decimals (strings as the API answers them, or numbers read through their text), as a
 * decimal string with `scale` places (rounded half-up if the sum has more) or, without one, the most
 * places of its terms: addDecimals("0.1", "0.2") is "0.3".
 */
export function addDecimals(a: string | number, b: string | number, scale?: number): string {
  const x = must(a);
  const y = must(b);
  const s = Math.max(x.scale, y.scale);
  const sum: Decimal = { units: rescale(x, s, "exact")! + rescale(y, s, "exact")!, scale: s };
  const out = scale ?? s;
  return decimalToString(rescale(sum, out, "half-up")!, out);
}

/** -1, 0 or 1 as a is below, equal to or above b, exactly ("1.50" equals 1.5). */
export function compareDecimals(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = must(a);
  const y = must(b);
  const s = Math.max(x.scale, y.scale);
  const d = rescale(x, s, "exact")! - rescale(y, s, "exact")!;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
