/**
 * zh-CN and en for every element: @lit/localize in runtime mode, English in the source, zh-CN from
 * the dictionaries each element folder keeps (merged in locales/zh-CN.ts, loaded on first use).
 * Elements call `msg("Sign in", { id: "app.signIn" })` and are decorated with `@localized()`.
 * Formatters use Intl with the current locale; money stays integer minor units until display.
 */
import { configureLocalization } from "@lit/localize";
import { currencyDigits, unitsToDecimal } from "./decimal";
import type { Labels } from "../../schemas/types";

export { msg, str, localized } from "@lit/localize";
export { currencyDigits, unitsToDecimal, decimalToUnits } from "./decimal";
// Dates and instants: one module (time.ts) for every element, in the user's time zone.
export { formatDate, formatDateTime } from "./time";

export type Locale = "en" | "zh-CN";
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];
/** Each locale's name in its own language, for the language switch. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", "zh-CN": "简体中文" };
const STORAGE_KEY = "salesgrid.locale";

const lit = configureLocalization({
  sourceLocale: "en",
  targetLocales: ["zh-CN"],
  loadLocale: () => import("./locales/zh-CN"),
});

/** "zh", "zh-Hans-CN", "zh-TW" -> zh-CN; "en-GB" -> en; anything else -> null. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const t = tag.toLowerCase();
  if (t === "zh" || t.startsWith("zh-")) return "zh-CN";
  if (t === "en" || t.startsWith("en-")) return "en";
  return null;
}

/** The page's storage and languages, typed here so this module also compiles where no DOM is declared. */
const page = globalThis as unknown as {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  navigator?: { languages?: readonly string[]; language?: string };
};

function stored(): Locale | null {
  try {
    return matchLocale(page.localStorage?.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

/**
 * The locale to start in: the one chosen in this browser before, else the user's profile, else the
 * browser's languages, else English. Resolves once its messages are loaded.
 */
export async function initLocale(profileLocale?: string | null): Promise<Locale> {
  const fromBrowser = (page.navigator?.languages ?? [page.navigator?.language])
    .map(matchLocale)
    .find((l) => l !== null);
  const locale = stored() ?? matchLocale(profileLocale) ?? fromBrowser ?? "en";
  await lit.setLocale(locale);
  return locale;
}

/** Switches every @localized() element; remembered in this browser. */
export async function setLocale(locale: Locale): Promise<void> {
  try {
    page.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  await lit.setLocale(locale);
}

export function currentLocale(): Locale {
  return (lit.getLocale() as Locale) ?? "en";
}

/** The label in the current locale from a `labels` map (tables, fields, views, choices). */
export function labelOf(item: { label?: string; name?: string; labels?: (Labels & { zh?: string }) | null }): string {
  const l = currentLocale();
  return item.labels?.[l] ?? (l === "zh-CN" ? item.labels?.zh : undefined) ?? item.label ?? item.name ?? "";
}

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${currentLocale()}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(currentLocale(), opts)));
  return f;
}
export function formatNumber(value: number | null | undefined, opts: Intl.NumberFormatOptions = {}): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "";
  return numberFormat(opts).format(value);
}

/** Integer minor units of `currency` -> "¥1,234.50" / "CN¥1,234.50"; exact (a decimal string goes to Intl). */
export function formatMoney(minorUnits: number | null | undefined, currency: string): string {
  if (minorUnits === null || minorUnits === undefined) return "";
  try {
    const digits = currencyDigits(currency);
    const nf = numberFormat({
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    return nf.format(unitsToDecimal(minorUnits, digits) as Intl.StringNumericLiteral);
  } catch {
    return `${unitsToDecimal(minorUnits, 2)} ${currency}`;
  }
}

/** Basis points -> "12.34%" (1234 bp). */
export function formatPercent(basisPoints: number | null | undefined): string {
  if (basisPoints === null || basisPoints === undefined) return "";
  return numberFormat({ style: "percent", maximumFractionDigits: 2 }).format(
    unitsToDecimal(basisPoints, 4) as Intl.StringNumericLiteral,
  );
}
