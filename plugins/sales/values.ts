/** Small readers of stored and written values by the sales hooks (links, money, settings). */
import { DEFAULT_CURRENCY, type Runtime, type Values } from "../../worker/plugin-sdk";
import type { Rounding } from "./totals";

/** The one linked id of a one-valued link value ([7] -> 7), or null. */
export const linkId = (v: unknown): number | null =>
  Array.isArray(v) && typeof v[0] === "number" ? (v[0] as number) : null;

export interface Amount {
  amount: number;
  /** Null when the caller wrote a bare number: it is in the document's currency. */
  currency: string | null;
}

/** A currency value as stored ({amount, currency}) or written (a bare number, or {amount, currency?}). */
export function readAmount(v: unknown): Amount | null {
  if (typeof v === "number") return { amount: v, currency: null };
  if (v && typeof v === "object" && typeof (v as { amount?: unknown }).amount === "number") {
    const c = (v as { currency?: unknown }).currency;
    return { amount: (v as { amount: number }).amount, currency: typeof c === "string" ? c : null };
  }
  return null;
}

export const money = (amount: number, currency: string) => ({ amount, currency });

export interface SalesSettings {
  rounding: Rounding;
  repsMayOverridePrice: boolean;
  defaultCurrency: string;
  quoteValidDays: number;
}

export async function salesSettings(rt: Runtime): Promise<SalesSettings> {
  return parseSettings(await rt.settings());
}

export function parseSettings(s: Values): SalesSettings {
  return {
    rounding: s.rounding === "document" ? "document" : "line",
    repsMayOverridePrice: s.repsMayOverridePrice !== false,
    defaultCurrency: typeof s.defaultCurrency === "string" ? s.defaultCurrency : DEFAULT_CURRENCY,
    quoteValidDays: typeof s.quoteValidDays === "number" ? s.quoteValidDays : 30,
  };
}

/** Managers (and admins) may price below cost; the role names are the workspace's standard ones. */
export const isManager = (rt: Runtime) => rt.principal.isAdmin || rt.principal.roles.includes("sales_manager");

export const TOTAL_KEYS = ["subtotal", "discount_total", "tax_total", "total"] as const;
export const LINE_AMOUNT_KEYS = ["line_subtotal", "line_discount", "line_tax", "line_total"] as const;

/**
 * How many times a line or payment write's own statements bump its document's version before the
 * hook's run: adding or deleting one changes the document's inverse link, which the pipeline bumps
 * once per batch; an update cannot move it (refused), so bumps nothing. A guard on the document
 * expects the version read plus this.
 */
export const linkBump = (op: "create" | "update" | "delete"): number => (op === "update" ? 0 : 1);
