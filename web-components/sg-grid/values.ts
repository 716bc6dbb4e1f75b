/**
 * Cell values per field type: API value -> display text (renderers, copy to Excel) and typed text ->
 * API value (editors, paste from Excel). Pure and exact: money goes through decimal strings and
 * integer minor units, never a float.
 */
import {
  currencyDigits,
  decimalToUnits,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  labelOf,
  unitsToDecimal,
} from "../i18n/index";
import { fromZonedInput, toZonedInput } from "../i18n/time";
import { decimalText } from "../i18n/decimal";
import { spreadsheetSafe } from "../../lib/spreadsheet-safe";
import { percentRangeText } from "../i18n/field-errors";
import type { Choice, FieldInfo } from "../../schemas/types";

export type { Choice };

/** The part of a field (GET /api/meta/tables/{t} or /api/embed/view) the grid needs. */
export type GridField = Pick<FieldInfo, "id" | "name" | "type" | "options"> &
  Partial<Pick<FieldInfo, "label" | "labels" | "required" | "access">>;

/**
 * Names for the ids a cell holds (names.ts): a user's name, a linked record's primary value; null
 * when the viewer may not know it, undefined while it is being asked.
 */
export interface CellNames {
  user(id: string): string | null | undefined;
  link(field: string, id: number): string | null | undefined;
  /** "(no access)" in the UI's language. */
  noAccess(): string;
}

/** Shown while a name is being asked for: never the id. */
const ASKING = "…";

/** A parsed cell: a value the API accepts, or a message saying why the text is not one. */
export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (message: string): Parsed => ({ ok: false, message });

/** Types the server assigns (never written from the grid). */
export const SERVER_ASSIGNED = new Set(["autonumber"]);

export function fieldCurrency(f: GridField): string {
  return f.options.currency ?? "CNY";
}

/** A link cell holds ids or expanded `{id, primary}` objects. */
function linkItems(v: unknown): { id: number; primary?: unknown }[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => (typeof x === "number" ? { id: x } : (x as { id: number; primary?: unknown })));
}

/**
 * A link cell holds expanded `{id, primary}` objects (a page read with expand; one without `primary`
 * is a record the viewer may not read) or bare ids (a write's reply). With `names`, every one shows a
 * name or "(no access)"; without, a bare id shows as #id.
 */
function linkText(f: GridField, v: unknown, names?: CellNames): string {
  if (!Array.isArray(v)) return "";
  return v
    .map((x) => {
      if (typeof x === "object" && x !== null) {
        const item = x as { id: number; primary?: unknown };
        if (!("primary" in item)) return names ? (names.link(f.name, item.id) ?? names.noAccess()) : `#${item.id}`;
        return item.primary === null || item.primary === "" ? `#${item.id}` : String(item.primary);
      }
      if (!names) return `#${x}`;
      const named = names.link(f.name, x as number);
      return named === null ? names.noAccess() : (named ?? ASKING);
    })
    .join(", ");
}

/** A choice's label in the UI's language (its name when the field no longer has it). */
export function choiceLabel(f: GridField, name: string): string {
  const c = f.options.choices?.find((x) => x.name === name);
  return c ? labelOf(c) : name;
}

/** Text shown in a cell (`names` turns user and link ids into names). */
export function formatValue(f: GridField, v: unknown, timeZone?: string | null, names?: CellNames): string {
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "currency": {
      if (typeof v === "number") return formatMoney(v, fieldCurrency(f));
      const m = v as { amount: number; currency?: string };
      return formatMoney(m.amount, m.currency ?? fieldCurrency(f));
    }
    case "percent":
      return formatPercent(v as number);
    case "number":
      return formatNumber(
        v as number,
        f.options.precision !== undefined ? { maximumFractionDigits: f.options.precision } : {},
      );
    case "rating":
      return "★".repeat(Math.max(0, Math.min(10, v as number)));
    case "date":
      return formatDate(v as string);
    case "datetime":
      return formatDateTime(v as string, timeZone);
    case "checkbox":
      return v === true ? "✓" : "";
    case "single_select":
      return choiceLabel(f, String(v));
    case "multi_select":
      return Array.isArray(v) ? v.map((n) => choiceLabel(f, String(n))).join(", ") : String(v);
    case "link":
      return linkText(f, v, names);
    case "user": {
      if (!names || typeof v !== "string") return String(v);
      const named = names.user(v);
      return named === null ? names.noAccess() : (named ?? ASKING);
    }
    default:
      return String(v);
  }
}

/**
 * Text for the clipboard and the editors: plain and locale-free where a spreadsheet needs to read it
 * back (1234.50, 12.5%, 2026-01-31, 2026-03-02 09:15, TRUE), so copy then paste returns the same
 * values. An instant is wall time in the user's zone (or `timeZone`), as the cell and the form show it.
 */
export function copyText(f: GridField, v: unknown, timeZone?: string | null): string {
  if (v === null || v === undefined) return "";
  switch (f.type) {
    case "datetime":
      return instantText(v, timeZone);
    case "currency": {
      const m =
        typeof v === "number"
          ? { amount: v, currency: fieldCurrency(f) }
          : (v as { amount: number; currency?: string });
      const cur = m.currency ?? fieldCurrency(f);
      const text = unitsToDecimal(m.amount, currencyDigits(cur));
      return cur === fieldCurrency(f) ? text : `${text} ${cur}`;
    }
    case "percent":
      return `${trimZeros(unitsToDecimal(v as number, 2))}%`;
    case "checkbox":
      return v === true ? "TRUE" : "FALSE";
    case "multi_select":
      return Array.isArray(v) ? v.join(", ") : String(v);
    case "link":
      return linkItems(v)
        .map((x) => String(x.id))
        .join(", ");
    default:
      return String(v);
  }
}

/** Types whose copy text is a number we wrote (-12.5, -12.50 USD, 12.5%): never a formula, so never quoted. */
export const NUMERIC_TYPES = new Set(["number", "currency", "percent", "rating", "autonumber", "decimal"]);

/**
 * What the clipboard gets for a spreadsheet: `copyText`, with text that a spreadsheet would run
 * (=, +, -, @, tab, CR first) behind a leading ' (lib/spreadsheet-safe.ts). Numbers stay numbers.
 * The grid's own paste drops that quote again (edits.ts `planPaste`).
 */
export function clipboardText(f: GridField, v: unknown): string {
  const text = copyText(f, v);
  return NUMERIC_TYPES.has(f.type) ? text : spreadsheetSafe(text);
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "x", "✓", "是", "对"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "", "否"]);

/** Excel serial date (days since 1899-12-30) or a date text -> YYYY-MM-DD. */
function parseDateText(t: string): string | null {
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t);
  if (m) return validDate(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(t);
  if (m) return validDate(+m[1]!, +m[2]!, +m[3]!);
  if (/^\d{5}$/.test(t)) {
    const d = new Date(Date.UTC(1899, 11, 30) + Number(t) * 86_400_000);
    return d.toISOString().slice(0, 10);
  }
  return null;
}

/** An ISO instant -> "YYYY-MM-DD HH:mm[:ss]" wall time in the zone (seconds only when not zero). */
function instantText(v: unknown, tz?: string | null): string {
  const wall = toZonedInput(v, tz);
  if (!wall) return String(v);
  const s = new Date(v as string).getUTCSeconds();
  return `${wall.replace("T", " ")}${s ? `:${String(s).padStart(2, "0")}` : ""}`;
}

/**
 * Typed date and time -> ISO instant. With a zone ("Z", "+08:00") it is that instant; without, it is
 * wall time in the user's zone (or `tz`), never the browser's; a date alone is its midnight there.
 */
function parseInstantText(t: string, tz?: string | null): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) return null;
  const [h, mi, s] = [m[4] ?? "00", m[5] ?? "00", m[6] ?? "00"];
  if (+h > 23 || +mi > 59 || +s > 59) return null;
  if (m[8]) {
    if (m[4] === undefined) return null;
    const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${h}:${mi}:${s}${m[7] ?? ""}${m[8].toUpperCase()}`);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return fromZonedInput(`${m[1]}-${m[2]}-${m[3]}T${h}:${mi}:${s}`, tz);
}

function validDate(y: number, mo: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** The choice named `t` (by name or a label, case-insensitive), or undefined. */
function findChoice(f: GridField, t: string): string | undefined {
  const want = t.trim().toLowerCase();
  for (const c of f.options.choices ?? []) {
    if (c.name.toLowerCase() === want) return c.name;
    if (Object.values(c.labels ?? {}).some((l) => l.toLowerCase() === want)) return c.name;
  }
  return undefined;
}

/** A plain decimal number from text with grouping; null when it is not one. */
function parseNumberText(t: string): number | null {
  const s = t.replace(/[,\s\u00a0]/g, "");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Text from an editor or the clipboard -> the API value for field `f`. Values that are already typed
 * (a checkbox's boolean, a date editor's ISO string, a link editor's ids) pass through the same rules.
 * A date and time without a zone is wall time in the user's zone (or `timeZone`), as `copyText` writes it.
 */
export function parseValue(f: GridField, input: unknown, timeZone?: string | null): Parsed {
  if (input === null || input === undefined) return ok(null);
  if (typeof input !== "string") return parseTyped(f, input, timeZone);
  const t = input.trim();
  if (t === "") return ok(f.type === "checkbox" ? false : f.type === "multi_select" || f.type === "link" ? [] : null);
  switch (f.type) {
    case "text":
    case "long_text":
    case "email":
    case "phone":
    case "url": {
      const max = f.options.maxLength;
      if (max !== undefined && input.length > max) return fail(`At most ${max} characters`);
      return ok(f.type === "long_text" || f.type === "text" ? input : t);
    }
    case "number": {
      const n = parseNumberText(t);
      if (n === null) return fail(`"${short(t)}" is not a number`);
      return range(f, n);
    }
    case "rating": {
      const stars = /^★+$/.test(t) ? t.length : parseNumberText(t);
      if (stars === null || !Number.isInteger(stars)) return fail(`"${short(t)}" is not a whole number`);
      return range({ ...f, options: { ...f.options, min: 1, max: f.options.max ?? 5 } }, stars);
    }
    case "percent": {
      // "12.5%" and "12.5" both mean 12.5 % = 1250 basis points.
      const units = decimalToUnits(t.replace(/%$/, ""), 2);
      if (units === null) return fail(`"${short(t)}" is not a percentage (at most 2 decimals)`);
      return percentRange(f, units);
    }
    case "currency": {
      const code = /\b([A-Z]{3})\b/.exec(t)?.[1];
      const currency = code ?? fieldCurrency(f);
      let text = t
        .replace(/\b[A-Z]{3}\b/, "")
        .replace(/[¥￥$€£₩₹]|CN¥|US\$|HK\$/g, "")
        .trim();
      const negative = /^\(.*\)$/.test(text);
      if (negative) text = `-${text.slice(1, -1)}`;
      const digits = currencyDigits(currency);
      const units = decimalToUnits(text, digits);
      if (units === null) return fail(`"${short(t)}" is not an amount in ${currency} (at most ${digits} decimals)`);
      return ok(currency === fieldCurrency(f) ? units : { amount: units, currency });
    }
    case "date": {
      const d = parseDateText(t.replace(/T.*$/, ""));
      return d ? ok(d) : fail(`"${short(t)}" is not a date (YYYY-MM-DD)`);
    }
    case "datetime": {
      const iso = parseInstantText(t, timeZone);
      return iso ? ok(iso) : fail(`"${short(t)}" is not a date and time`);
    }
    case "checkbox": {
      const w = t.toLowerCase();
      if (TRUE_WORDS.has(w)) return ok(true);
      if (FALSE_WORDS.has(w)) return ok(false);
      return fail(`"${short(t)}" is not yes or no`);
    }
    case "single_select": {
      const c = findChoice(f, t);
      return c ? ok(c) : fail(`"${short(t)}" is not one of the choices`);
    }
    case "multi_select": {
      const parts = t
        .split(/[,;，；\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
      const out: string[] = [];
      for (const p of parts) {
        const c = findChoice(f, p);
        if (!c) return fail(`"${short(p)}" is not one of the choices`);
        if (!out.includes(c)) out.push(c);
      }
      return ok(out);
    }
    case "user":
      return /^usr_[a-z0-9]{12}$/.test(t) ? ok(t) : fail(`"${short(t)}" is not a user id`);
    case "link": {
      const ids = t
        .split(/[,;\s]+/)
        .filter(Boolean)
        .map((s) => s.replace(/^#/, ""));
      if (!ids.every((s) => /^[1-9]\d{0,15}$/.test(s))) return fail(`"${short(t)}" is not a list of record ids`);
      const list = [...new Set(ids.map(Number))];
      if (f.options.multiple === false && list.length > 1) return fail("Only one linked record");
      return ok(list);
    }
    case "decimal": {
      const scale = f.options.scale ?? 2;
      const value = decimalText(t, scale);
      return value === null ? fail(`"${short(t)}" is not a number with at most ${scale} decimals`) : ok(value);
    }
    case "autonumber":
      return fail("Assigned by the server");
    default:
      return ok(t);
  }
}

function parseTyped(f: GridField, v: unknown, timeZone?: string | null): Parsed {
  switch (f.type) {
    case "checkbox":
      return typeof v === "boolean" ? ok(v) : fail("Not yes or no");
    case "number":
    case "percent":
    case "rating":
      return typeof v === "number" && Number.isFinite(v)
        ? f.type === "number"
          ? range(f, v)
          : f.type === "percent"
            ? percentRange(f, v)
            : ok(v)
        : fail("Not a number");
    case "currency":
      return typeof v === "number" && Number.isSafeInteger(v)
        ? ok(v)
        : typeof v === "object" && v !== null && Number.isSafeInteger((v as { amount?: unknown }).amount)
          ? ok(v)
          : fail("Not an amount");
    case "multi_select":
      return Array.isArray(v) ? parseValue(f, v.join(",")) : fail("Not a list of choices");
    case "link":
      return Array.isArray(v) ? ok(linkItems(v).map((x) => x.id)) : fail("Not a list of records");
    default:
      return parseValue(f, String(v), timeZone);
  }
}

function range(f: GridField, n: number): Parsed {
  if (f.options.min !== undefined && n < f.options.min) return fail(`At least ${f.options.min}`);
  if (f.options.max !== undefined && n > f.options.max) return fail(`At most ${f.options.max}`);
  return ok(n);
}

function percentRange(f: GridField, bp: number): Parsed {
  const outside = percentRangeText(bp, f.options);
  return outside === null ? ok(bp) : fail(outside);
}

function short(t: string): string {
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/** Two API values are the same cell value (for skipping no-op edits). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const norm = (v: unknown) =>
    Array.isArray(v)
      ? v.map((x) => (typeof x === "object" && x !== null && "id" in x ? (x as { id: number }).id : x))
      : (v ?? null);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** A readable text colour (black or white) on a choice's background colour. */
export function chipTextColor(bg: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(bg);
  if (!m) return "#1f2328";
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => parseInt(h, 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b! > 150 ? "#1f2328" : "#ffffff";
}

/** A stable pastel colour for a choice without one. */
export function defaultChipColor(name: string): string {
  const palette = ["#dbeafe", "#dcfce7", "#fef9c3", "#fde2e4", "#ede9fe", "#cffafe", "#ffedd5", "#e5e7eb"];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length]!;
}
