/**
 * Converting stored values when an admin changes a field's type (or its options: precision, choices,
 * maxLength). Pure: no database, no clock. Every value goes through its text form unless a direct path
 * keeps more of it (select <-> select, number <-> currency/percent, checkbox <-> number,
 * date <-> datetime, autonumber -> numbers). Whether a failed value blocks the change or is cleared is
 * the caller's decision; here a failure only carries a reason an admin can read.
 *
 * Numbers and percents round half-up to their precision, because typing "3.14159" into a 2-decimal
 * field is lossy by nature; money never rounds (see money.ts): an amount that does not fit the currency
 * fails instead.
 */
import type { FieldOptions, FieldType } from "../../schemas/types";
import {
  DEFAULT_CURRENCY,
  decimalFromNumber,
  decimalToString,
  formatMoney,
  isCurrencyCode,
  minorDigits,
  parseDecimal,
  parseMoney,
  rescale,
  type Decimal,
  type Money,
} from "./money";
import { scaleOf } from "./decimal";
import { dateFromParts, instantFromParts, type DateResult } from "./dates";

export type ConvertResult = { ok: true; value: unknown } | { ok: false; reason: string };
export interface ConvertContext {
  /** Ids of existing users; converting to `user` fails for any id not in it (and for all if absent). */
  userIds?: ReadonlySet<string>;
}
export interface FieldShape {
  type: FieldType;
  options?: FieldOptions;
}

// Mirrors the value schemas in field-types.ts, so a converted value also passes write validation.
const MAX_NUMBER = 1e15;
const MAX_PERCENT_BP = 1_000_000_000;
const TEXT_MAX: Partial<Record<FieldType, number>> = {
  text: 10_000,
  long_text: 100_000,
  email: 320,
  phone: 40,
  url: 2048,
};

const ok = (value: unknown): ConvertResult => ({ ok: true, value });
const fail = (reason: string): ConvertResult => ({ ok: false, reason });
const emptyOf = (type: FieldType): unknown => (type === "checkbox" ? false : null);
const isBlank = (v: unknown) => v === null || v === undefined;

/** A stored currency value; a bare integer (allowed on write) is in the field's default currency. */
function readMoney(value: unknown, options: FieldOptions): Money {
  const m: Partial<Record<keyof Money, unknown>> =
    typeof value === "object" && value !== null ? value : { amount: value };
  const currency = m.currency ?? options.currency ?? DEFAULT_CURRENCY;
  if (!Number.isSafeInteger(m.amount) || typeof currency !== "string")
    throw new TypeError("not a valid currency value");
  minorDigits(currency); // throws for an unknown code
  return { amount: m.amount as number, currency };
}

/** Asserts a stored value has its type's shape; the TypeError becomes a failed conversion. */
function must<T>(ok: boolean, value: T, type: FieldType): T {
  if (!ok) throw new TypeError(`not a valid ${type} value`);
  return value;
}

/**
 * The text form of a stored value, or null when it is empty. Throws TypeError for a value that is not
 * of `type` (convertValue turns that into a failure) and for link, which has no text form.
 */
export function formatAsText(type: FieldType, value: unknown, options: FieldOptions = {}): string | null {
  if (type === "checkbox") return value === true ? "true" : "false";
  if (isBlank(value)) return null;
  switch (type) {
    case "text":
    case "long_text":
    case "email":
    case "phone":
    case "url":
    case "date":
    case "datetime":
    case "single_select":
    case "user":
      return must(typeof value === "string", value as string, type) || null;
    case "number":
    case "rating":
      return String(must(typeof value === "number" && Number.isFinite(value), value as number, type));
    case "autonumber":
      // A formatted autonumber already holds its document number as text.
      if (options.format) return must(typeof value === "string", value as string, type);
      return (options.prefix ?? "") + String(must(Number.isSafeInteger(value), value, type));
    case "decimal":
      return must(typeof value === "string" && parseDecimal(value) !== null, value as string, type);
    case "percent":
      must(Number.isSafeInteger(value), value, type);
      return `${decimalToString(BigInt(value as number), 2, true)}%`;
    case "currency": {
      // The code is written only when it differs from the field's default, so text -> currency round-trips.
      const m = readMoney(value, options);
      const text = formatMoney(m.amount, m.currency);
      return m.currency === (options.currency ?? DEFAULT_CURRENCY) ? text : `${m.currency} ${text}`;
    }
    case "multi_select": {
      const names = must(Array.isArray(value) && value.every((v) => typeof v === "string"), value as string[], type);
      return names.length ? names.join(", ") : null;
    }
    case "link":
      throw new TypeError("link values have no text form");
  }
}

/** Text of a decimal rounded half-up to `precision`, checked against the number field's range. */
function toNumber(d: Decimal, options: FieldOptions): ConvertResult {
  const precision = options.precision ?? 2;
  const units = rescale(d, precision, "half-up")!;
  const n = Number(decimalToString(units, precision));
  if (!Number.isFinite(n) || Math.abs(n) > MAX_NUMBER) return fail("number is out of range");
  if (options.min !== undefined && n < options.min) return fail(`number is below the minimum ${options.min}`);
  if (options.max !== undefined && n > options.max) return fail(`number is above the maximum ${options.max}`);
  return ok(n === 0 ? 0 : n);
}

/** A decimal field's value: rounded half-up to its scale, within the safe range of units. */
function toDecimal(d: Decimal, options: FieldOptions): ConvertResult {
  const scale = scaleOf(options);
  const units = rescale(d, scale, "half-up")!;
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER))
    return fail("decimal is out of range");
  return ok(decimalToString(units, scale));
}

function toPercent(points: Decimal): ConvertResult {
  const bp = rescale(points, 2, "half-up")!; // 12.345 % -> 1235 bp: basis points are the storage precision
  if (bp > BigInt(MAX_PERCENT_BP) || bp < -BigInt(MAX_PERCENT_BP)) return fail("percentage is out of range");
  return ok(Number(bp));
}

/** Plain numbers as people type them: "1,234.5", " -12 ", "1e3"; "," must group thousands. */
function readNumberText(text: string): Decimal | null {
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)((?:\.\d*)?(?:[eE][+-]?\d+)?)$/.exec(text.trim());
  return m ? parseDecimal(m[1]! + m[2]!.replace(/,/g, "") + m[3]!) : null;
}

/**
 * Dates and date-times as people type them: "YYYY-MM-DD" or "YYYY/M/D"; a date-time with a "T", "t"
 * or space, minutes without seconds, a comma fraction, an offset without its colon, or a plain date
 * (midnight UTC). Only the syntax is lenient here: whether the parts name a real day and time, and
 * the range, are model/dates.ts's, the one parser every API value goes through. Null: not date-shaped.
 */
function readDate(text: string): DateResult | null {
  const m = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/.exec(text);
  return m ? dateFromParts(Number(m[1]), Number(m[3]), Number(m[4])) : null;
}

function readDatetime(text: string): DateResult | null {
  const date = readDate(text);
  if (date) return date.ok ? { ok: true, value: `${date.value}T00:00:00.000Z` } : date;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)$/i.exec(
      text,
    );
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  if (n(10) > 23 || n(11) > 59)
    return {
      ok: false,
      code: "invalid_datetime",
      message: "A UTC offset is -23:59 to +23:59",
      params: { part: "offset" },
    };
  const offsetMinutes = (m[9] === "-" ? -1 : 1) * (n(10) * 60 + n(11)); // 0 for "Z"
  return instantFromParts({
    year: n(1),
    month: n(2),
    day: n(3),
    hour: n(4),
    minute: n(5),
    second: n(6),
    fraction: m[7],
    offsetMinutes,
  });
}

/** A failed date read as a conversion failure: why the parts are wrong, or that it is no date at all. */
const dateFailure = (r: DateResult | null, t: string, what: string): ConvertResult =>
  r?.ok ? ok(r.value) : fail(r ? `"${t}": ${r.message}` : `"${t}" is not ${what}`);

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "on", "是", "t", "checked"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "off", "否", "f", "unchecked"]);

/** The canonical choice name: exact match first, else the one case-insensitive match. */
function findChoice(name: string, options: FieldOptions): string | null {
  const choices = options.choices ?? [];
  if (choices.some((c) => c.name === name)) return name;
  const folded = choices.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0]!.name : null;
}

/**
 * Multi-select text: parts split on , ， ; ；. Choice names may contain a separator themselves
 * ("Small, medium"), so adjacent parts are rejoined, longest first, when that spells a choice.
 */
const SEPARATOR = /([,，;；])/;
function readMultiSelect(text: string, options: FieldOptions): ConvertResult {
  const tokens = text.split(SEPARATOR); // odd indexes are the separators
  // Rejoining is bounded by the most separators any choice name holds, so long text stays linear.
  const span = Math.max(0, ...(options.choices ?? []).map((c) => c.name.split(SEPARATOR).length - 1));
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    if (tokens[i]!.trim() === "") continue;
    let found: string | null = null;
    let end = i;
    for (let j = Math.min(tokens.length - 1, i + span); j >= i && !found; j -= 2) {
      found = findChoice(
        tokens
          .slice(i, j + 1)
          .join("")
          .trim(),
        options,
      );
      end = j;
    }
    if (!found) return fail(`"${tokens[i]!.trim()}" is not one of the choices`);
    if (!names.includes(found)) names.push(found);
    i = end;
  }
  return ok(names.length ? names : null);
}

const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;.]+(?:\.[^\s@"<>,;.]+)+$/;
const PHONE = /^\+?[0-9 ().-]+$/;

/** Reads typed text as a value of `type`. Empty text is the type's empty value. */
export function parseFromText(
  type: FieldType,
  text: string,
  options: FieldOptions = {},
  ctx: ConvertContext = {},
): ConvertResult {
  const t = text.trim();
  if (t === "") return ok(type === "link" || type === "autonumber" ? null : emptyOf(type));
  switch (type) {
    case "text":
    case "long_text": {
      const max = options.maxLength ?? TEXT_MAX[type]!;
      // Code points, as JSON Schema maxLength counts them.
      return [...text].length > max ? fail(`text is longer than ${max} characters`) : ok(text);
    }
    case "email":
    case "phone":
    case "url": {
      const max = options.maxLength ?? TEXT_MAX[type]!;
      if ([...t].length > max) return fail(`${type} is longer than ${max} characters`);
      if (type === "email") return EMAIL.test(t) ? ok(t) : fail(`"${t}" is not an email address`);
      if (type === "phone")
        return PHONE.test(t) && t.replace(/\D/g, "").length >= 5 ? ok(t) : fail(`"${t}" is not a phone number`);
      let url: URL;
      try {
        url = new URL(t);
      } catch {
        return fail(`"${t}" is not a URL`);
      }
      return /^https?:$/.test(url.protocol) && url.hostname ? ok(t) : fail(`"${t}" is not an http(s) URL`);
    }
    case "number": {
      const d = readNumberText(t);
      return d ? toNumber(d, options) : fail(`"${t}" is not a number`);
    }
    case "currency": {
      // A code before or after the digits ("USD 12.00") names the currency; otherwise the field's default.
      const code = /^([A-Za-z]{3})(?![A-Za-z])|(?<![A-Za-z])([A-Za-z]{3})$/.exec(t);
      const named = code ? (code[1] ?? code[2])!.toUpperCase() : null;
      const currency =
        named && named !== "RMB" && isCurrencyCode(named) ? named : (options.currency ?? DEFAULT_CURRENCY);
      const amount = parseMoney(t, currency);
      return amount === null ? fail(`"${t}" is not an amount of ${currency}`) : ok({ amount, currency });
    }
    case "percent": {
      const d = readNumberText(t.replace(/\s*[%％]$/, ""));
      return d ? toPercent(d) : fail(`"${t}" is not a percentage`);
    }
    case "date": {
      const d = readDate(t) ?? readDatetime(t);
      return dateFailure(d?.ok ? { ok: true, value: d.value.slice(0, 10) } : d, t, "a date");
    }
    case "datetime":
      return dateFailure(readDatetime(t), t, "a date-time with a time zone");
    case "checkbox": {
      const w = t.toLowerCase();
      return TRUE_WORDS.has(w) ? ok(true) : FALSE_WORDS.has(w) ? ok(false) : fail(`"${t}" is not yes or no`);
    }
    case "single_select": {
      const name = findChoice(t, options);
      return name ? ok(name) : fail(`"${t}" is not one of the choices`);
    }
    case "multi_select":
      return readMultiSelect(t, options);
    case "rating": {
      const max = options.max ?? 5;
      const d = readNumberText(t);
      const n = d && rescale(d, 0, "exact");
      return n !== null && n !== undefined && n >= 1n && n <= BigInt(max)
        ? ok(Number(n))
        : fail(`"${t}" is not a rating from 1 to ${max}`);
    }
    case "user":
      return ctx.userIds?.has(t) ? ok(t) : fail(`"${t}" is not a known user`);
    case "autonumber":
      return fail("autonumber values are assigned by the server");
    case "decimal": {
      const d = readNumberText(t);
      return d ? toDecimal(d, options) : fail(`"${t}" is not a number`);
    }
    case "link":
      return fail("link fields cannot be converted");
  }
}

/** A direct conversion that keeps more than text would, or undefined to go through text. */
function direct(from: FieldShape, to: FieldShape, value: unknown, ctx: ConvertContext): ConvertResult | undefined {
  const fo = from.options ?? {};
  const to_ = to.options ?? {};
  const pair = `${from.type}>${to.type}`;
  switch (pair) {
    case "single_select>multi_select": {
      // Not through text: a choice name containing "," would split into several.
      const name = findChoice(must(typeof value === "string", value as string, from.type), to_);
      return name ? ok([name]) : fail(`"${value}" is not one of the choices`);
    }
    case "multi_select>single_select": {
      const names = must(Array.isArray(value), value as unknown[], from.type);
      if (names.length > 1) return fail(`${names.length} choices cannot become one`);
      return names.length ? parseFromText("single_select", String(names[0]), to_, ctx) : ok(null);
    }
    case "number>currency":
    case "autonumber>currency": {
      const currency = to_.currency ?? DEFAULT_CURRENCY;
      const units = rescale(
        decimalFromNumber(must(typeof value === "number", value as number, from.type)),
        minorDigits(currency),
        "exact",
      );
      if (units === null) return fail(`${value} has more decimals than ${currency} allows`);
      if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER))
        return fail("amount is out of range");
      return ok({ amount: Number(units), currency });
    }
    case "currency>currency":
      return ok(readMoney(value, fo)); // the value keeps its own currency when the field's default changes
    case "currency>number": {
      const m = readMoney(value, fo);
      return toNumber(parseDecimal(formatMoney(m.amount, m.currency))!, to_);
    }
    case "number>percent":
    case "autonumber>percent":
      return toPercent(decimalFromNumber(must(typeof value === "number", value as number, from.type)));
    case "percent>number":
      return toNumber({ units: BigInt(must(Number.isSafeInteger(value), value as number, from.type)), scale: 2 }, to_);
    case "checkbox>number":
      return ok(must(typeof value === "boolean", value, from.type) ? 1 : 0);
    case "number>checkbox":
    case "percent>checkbox":
    case "rating>checkbox":
      return ok(must(Number.isFinite(value), value, from.type) !== 0);
    case "date>datetime":
      return parseFromText("datetime", must(typeof value === "string", value as string, from.type), to_, ctx);
    case "datetime>date":
      return parseFromText("date", must(typeof value === "string", value as string, from.type), to_, ctx);
    case "autonumber>number":
    case "autonumber>rating":
      return parseFromText(to.type, String(must(Number.isSafeInteger(value), value, from.type)), to_, ctx);
    case "user>user":
      return ok(must(typeof value === "string", value, from.type)); // valid whatever the options; no directory needed
  }
  return undefined;
}

/** Converts one stored value from one field shape to another. Never throws for a malformed value. */
export function convertValue(
  from: FieldShape,
  to: FieldShape,
  value: unknown,
  ctx: ConvertContext = {},
): ConvertResult {
  if (from.type === "link" || to.type === "link") return fail("link fields cannot be converted to or from other types");
  if (to.type === "autonumber") return fail("autonumber values are assigned by the server");
  if (isBlank(value)) return ok(emptyOf(to.type));
  try {
    const d = direct(from, to, value, ctx);
    if (d) return d;
    const text = formatAsText(from.type, value, from.options);
    return text === null ? ok(emptyOf(to.type)) : parseFromText(to.type, text, to.options, ctx);
  } catch (e) {
    return fail(e instanceof Error ? e.message : "value cannot be converted");
  }
}
