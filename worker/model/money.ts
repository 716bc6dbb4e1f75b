/**
 * Money and exact decimals. Amounts are integer minor units (fen, cents; yen have none) paired with an
 * ISO 4217 code. Nothing here multiplies or divides a float: a binary double cannot hold 0.1, so every
 * scale change goes through decimal strings and BigInt, and rounding happens once, at the end.
 *
 * Rounding rule everywhere in this module: half-up, away from zero (1.005 -> 1.01, -1.005 -> -1.01),
 * the rule accountants and most invoicing systems expect, rather than banker's half-even.
 */

export interface Money {
  /** Integer minor units, always a safe integer. */
  amount: number;
  /** ISO 4217 code, upper case. */
  currency: string;
}

/** An exact decimal number: units / 10^scale (scale >= 0). */
export interface Decimal {
  units: bigint;
  scale: number;
}

export const DEFAULT_CURRENCY = "CNY";
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Exponents beyond this are rejected so "1e999999" cannot make us build a megabyte-long BigInt. */
const MAX_EXPONENT = 400;

const digitsCache = new Map<string, number>();
let knownCurrencies: Set<string> | null | undefined;

/** Is `code` a currency ICU knows? Intl accepts any well-formed code ("ZZZ"), so ask its list too. */
function isKnownCurrency(code: string): boolean {
  if (knownCurrencies === undefined) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    knownCurrencies = typeof intl.supportedValuesOf === "function" ? new Set(intl.supportedValuesOf("currency")) : null;
  }
  return knownCurrencies === null || knownCurrencies.has(code);
}

/** Decimal places of the currency's minor unit (CNY 2, JPY 0, BHD 3), as ICU's CLDR data says. */
export function minorDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  // The stored code is upper case by schema; Intl alone would accept "usd" and unknown codes.
  if (!/^[A-Z]{3}$/.test(currency) || !isKnownCurrency(currency))
    throw new Error(`unknown currency code "${currency}"`);
  let digits: number;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`unknown currency code "${currency}"`);
    throw e;
  }
  digitsCache.set(currency, digits);
  return digits;
}

export function isCurrencyCode(code: string): boolean {
  try {
    minorDigits(code);
    return true;
  } catch {
    return false;
  }
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** n / d rounded half-up away from zero; d must be positive. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d; // BigInt division truncates toward zero
  const r = abs(n % d);
  if (r * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Parses a plain decimal: optional sign, digits with an optional point, optional exponent. */
export function parseDecimal(text: string): Decimal | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(text);
  if (!m) return null;
  const int = m[2] ?? "";
  const frac = m[3] ?? "";
  if (int === "" && frac === "") return null;
  const exp = m[4] ? Number(m[4]) : 0;
  if (Math.abs(exp) > MAX_EXPONENT) return null;
  let units = BigInt(int + frac || "0");
  let scale = frac.length - exp;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units: m[1] === "-" ? -units : units, scale };
}

/** The exact decimal a JS number prints as (its shortest round-trip form), e.g. 0.1 -> 1/10. */
export function decimalFromNumber(n: number): Decimal {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const d = parseDecimal(String(n));
  if (!d) throw new Error(`cannot read number ${n}`);
  return d;
}

/**
 * The decimal's units at another scale. "exact" returns null when digits would be lost; "half-up"
 * rounds away from zero.
 */
export function rescale(d: Decimal, scale: number, mode: "exact" | "half-up"): bigint | null {
  if (scale >= d.scale) return d.units * pow10(scale - d.scale);
  const divisor = pow10(d.scale - scale);
  if (mode === "exact") return d.units % divisor === 0n ? d.units / divisor : null;
  return divRoundHalfUp(d.units, divisor);
}

/** units / 10^scale as a plain decimal string; `trim` drops trailing fraction zeros ("12.50" -> "12.5"). */
export function decimalToString(units: bigint, scale: number, trim = false): string {
  const digits = abs(units)
    .toString()
    .padStart(scale + 1, "0");
  let int = digits.slice(0, digits.length - scale);
  let frac = digits.slice(digits.length - scale);
  if (trim) frac = frac.replace(/0+$/, "");
  int = (units < 0n ? "-" : "") + int;
  return frac ? `${int}.${frac}` : int;
}

function toSafe(n: bigint, what: string): number {
  if (abs(n) > MAX_SAFE) throw new RangeError(`${what} exceeds the largest safe amount`);
  return Number(n);
}

function requireAmount(amount: number): bigint {
  if (!Number.isSafeInteger(amount)) throw new TypeError(`money amount must be a safe integer, got ${amount}`);
  return BigInt(amount);
}

/** Minor units as a plain major-unit string: 123450 CNY -> "1234.50", -5 -> "-0.05", 1234 JPY -> "1234". */
export function formatMoney(amount: number, currency: string): string {
  return decimalToString(requireAmount(amount), minorDigits(currency));
}

// Symbols and local spellings accepted around an amount. "$" and "¥" are shared by several currencies,
// so they are accepted for any; the field's currency decides what the digits mean.
const SYMBOLS = new Set(["¥", "￥", "$", "€", "£", "₩", "₹", "₽", "₺", "₫", "฿", "₪", "₱"]);
const ALIASES: Record<string, readonly string[]> = {
  CNY: ["RMB", "CN¥", "元"],
  USD: ["US$"],
  HKD: ["HK$"],
  TWD: ["NT$"],
  JPY: ["円"],
};

function isAffix(s: string, currency: string): boolean {
  return (
    s === "" ||
    SYMBOLS.has(s) ||
    s.toUpperCase() === currency ||
    (ALIASES[currency]?.includes(s.toUpperCase()) ?? false)
  );
}

/**
 * Reads a typed amount ("¥1,234.5", "-12 USD", "1 234,00" is NOT accepted: "," only groups thousands)
 * into minor units of `currency`. Returns null for anything that is not exactly one amount: bad
 * grouping, a foreign code, more decimals than the currency has (unless they are zeros, so "5.000"
 * is fine for CNY), or a result beyond Number.MAX_SAFE_INTEGER minor units.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const compact = text.replace(/\s+/g, "");
  // sign, prefix (symbol or code), sign, number, suffix; the sign may sit either side of the prefix.
  const m = /^([+-]?)([^\d.,+-]*)([+-]?)([\d,]*(?:\.\d*)?)([^\d.,+-]*)$/u.exec(compact);
  if (!m) return null;
  const [, sign1 = "", prefix = "", sign2 = "", num = "", suffix = ""] = m;
  if (sign1 && sign2) return null;
  if (!isAffix(prefix, currency) || !isAffix(suffix, currency)) return null;
  const parts = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(num);
  if (!parts) return null;
  const int = parts[1] ?? "";
  let frac = parts[2] ?? "";
  if (int === "" && frac === "") return null;
  if (frac.length > digits) {
    if (/[^0]/.test(frac.slice(digits))) return null;
    frac = frac.slice(0, digits);
  }
  let units = BigInt(int.replace(/,/g, "") + frac.padEnd(digits, "0") || "0");
  if (sign1 === "-" || sign2 === "-") units = -units;
  if (abs(units) > MAX_SAFE) return null;
  return units === 0n ? 0 : Number(units); // never -0
}

/** Sum of amounts in the same currency; throws rather than lose precision past the safe range. */
export function addMoney(...amounts: readonly number[]): number {
  let total = 0n;
  for (const a of amounts) total += requireAmount(a);
  return toSafe(total, "sum");
}

/**
 * amount x quantity x basisPoints / 10000, rounded once, half-up away from zero. Quantity may be
 * fractional (2.5 kg); a number is read as the decimal it prints as, a string is read exactly. Quote
 * lines use it twice: unit price x qty x (10000 - discount bp), then net x 1 x tax bp.
 */
export function multiplyMoney(amount: number, quantity: number | string, basisPoints = 10_000): number {
  const a = requireAmount(amount);
  const q = typeof quantity === "string" ? parseDecimal(quantity.trim()) : decimalFromNumber(quantity);
  if (!q) throw new TypeError(`quantity is not a decimal number: ${quantity}`);
  if (!Number.isSafeInteger(basisPoints))
    throw new TypeError(`basis points must be a safe integer, got ${basisPoints}`);
  const product = a * q.units * BigInt(basisPoints);
  return toSafe(divRoundHalfUp(product, pow10(q.scale) * 10_000n), "product");
}

/**
 * The tax a gross (tax-included) amount holds at `basisPoints`: gross x bp / (10000 + bp), rounded
 * once, half-up away from zero. Prices that include tax use it; the net is gross minus this.
 */
export function includedTax(gross: number, basisPoints: number): number {
  const g = requireAmount(gross);
  if (!Number.isSafeInteger(basisPoints) || basisPoints < 0)
    throw new TypeError(`basis points must be a non-negative safe integer, got ${basisPoints}`);
  return toSafe(divRoundHalfUp(g * BigInt(basisPoints), 10_000n + BigInt(basisPoints)), "tax");
}
