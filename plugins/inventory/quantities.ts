/**
 * Stock quantities as exact integer units (3 decimal places, the ledger's and levels' scale) and
 * money as integer minor units: never binary floats, so 0.1 + 0.2 units is 0.3.
 */
import { decimalToUnits, divRoundHalfUp, unitsToString, type FieldError } from "../../worker/plugin-sdk";

export const SCALE = 3;
const ONE = 1000n;

/** A decimal string or number as units, or null when it is not one with at most 3 places. */
export function units(v: unknown): bigint | null {
  const r = decimalToUnits(v, SCALE);
  return r.ok ? BigInt(r.units) : null;
}

/** Units as the decimal string the API answers ("1.250"). */
export const qty = (u: bigint): string => unitsToString(u, SCALE)!;

/** A stored decimal (null as zero) as units. */
export const stored = (v: unknown): bigint => (v === null || v === undefined ? 0n : (units(v) ?? 0n));

/** The value of `u` units at `perUnit` minor units each, rounded half away from zero once. */
export const valueOf = (u: bigint, perUnit: bigint): bigint => divRoundHalfUp(u * perUnit, ONE);

/** Minor units per unit of a value spread over `u` units (the moving average), rounded once. */
export const perUnit = (value: bigint, u: bigint): bigint => (u === 0n ? 0n : divRoundHalfUp(value * ONE, u));

/** A request's quantity: a decimal with at most 3 places, above zero (or non-zero when `signed`). */
export function requestQuantity(v: unknown, field: string, signed = false): { units: bigint } | FieldError {
  const u = units(v);
  if (u === null)
    return { field, code: "invalid", message: "must be a decimal number with at most 3 places", params: { limit: 3 } };
  if (signed ? u === 0n : u <= 0n)
    return {
      field,
      code: signed ? "zero" : "not_positive",
      message: signed ? "must not be zero" : "must be above zero",
    };
  return { units: u };
}
