/**
 * Integer minor units <-> decimal text, by string arithmetic only: money never passes through a
 * float (12345 CNY minor units is "123.45", never 123.44999).
 */

/** Decimal places of a currency's minor unit per the browser's ICU data (CNY 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** 12345 with 2 digits -> "123.45"; -5 -> "-0.05". */
export function unitsToDecimal(units: number, digits: number): string {
  const neg = units < 0;
  const s = String(Math.abs(Math.trunc(units))).padStart(digits + 1, "0");
  const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return neg ? `-${body}` : body;
}

/**
 * "1,234.5" with 2 digits -> 123450. Null when the text is not a plain decimal number, has more
 * decimal places than `digits`, or leaves the safe integer range. Grouping commas and spaces are ignored.
 */
export function decimalToUnits(text: string, digits: number): number | null {
  const t = text.trim().replace(/[,\s\u00a0]/g, "");
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || ((m[2] ?? "") === "" && (m[3] ?? "") === "")) return null;
  const frac = m[3] ?? "";
  if (frac.length > digits) return null;
  const units = BigInt((m[2] || "0") + frac.padEnd(digits, "0"));
  const signed = m[1] === "-" ? -units : units;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(signed);
}

/**
 * A decimal field's typed text ("1,234.5") -> its API value, a decimal string with exactly `scale`
 * places ("1234.500"), by string operations only. Null when it is not a plain decimal number or has
 * more places than `scale` (trailing zeros aside).
 */
export function decimalText(text: string, scale: number): string | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text.trim().replace(/[,\s\u00a0]/g, ""));
  if (!m || ((m[2] ?? "") === "" && (m[3] ?? "") === "")) return null;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > scale) return null;
  const int = (m[2] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const body = scale > 0 ? `${int}.${frac.padEnd(scale, "0")}` : int;
  return m[1] === "-" && /[1-9]/.test(body) ? `-${body}` : body;
}

/** "3.000" -> "3", "0.250" -> "0.25": a decimal string shown without its padding zeros. */
export const trimDecimal = (s: string): string => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
