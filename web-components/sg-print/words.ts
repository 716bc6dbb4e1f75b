/**
 * The printed document's words in its own language (zh-CN or en), whatever language the app shows:
 * a rep working in English prints a Chinese quote for a Chinese customer. Formatting (money, dates,
 * quantities) follows the same language, from exact values: money from integer minor units.
 */
import { currencyDigits, unitsToDecimal } from "../i18n/decimal";

export type DocLang = "en" | "zh-CN";

const WORDS = {
  en: {
    quote: "Quotation",
    order: "Sales order",
    number: "No.",
    date: "Date",
    validUntil: "Valid until",
    orderDate: "Order date",
    requestedDate: "Requested date",
    customer: "Customer",
    contact: "Contact",
    shipTo: "Ship to",
    revision: "Revision",
    line: "#",
    item: "Item",
    quantity: "Qty",
    unitPrice: "Unit price",
    discount: "Discount",
    taxRate: "Tax",
    lineTotal: "Amount",
    subtotal: "Subtotal",
    discountTotal: "Discount",
    taxTotal: "Tax",
    total: "Total",
    terms: "Terms",
    notes: "Notes",
    currency: "Currency",
    page: "Page",
  },
  "zh-CN": {
    quote: "报价单",
    order: "销售订单",
    number: "编号",
    date: "日期",
    validUntil: "有效期至",
    orderDate: "订单日期",
    requestedDate: "要求交货日期",
    customer: "客户",
    contact: "联系人",
    shipTo: "收货地址",
    revision: "版本",
    line: "序号",
    item: "产品",
    quantity: "数量",
    unitPrice: "单价",
    discount: "折扣",
    taxRate: "税率",
    lineTotal: "金额",
    subtotal: "小计",
    discountTotal: "折扣",
    taxTotal: "税额",
    total: "合计",
    terms: "条款",
    notes: "备注",
    currency: "币种",
    page: "页",
  },
} as const;

export type WordKey = keyof (typeof WORDS)["en"];

export const word = (lang: DocLang, key: WordKey): string => WORDS[lang][key];

export const isDocLang = (s: unknown): s is DocLang => s === "en" || s === "zh-CN";

/** Integer minor units -> "¥1,234.50" in the document's language, exactly (the decimal text goes to Intl). */
export function printMoney(lang: DocLang, units: number | null, currency: string): string {
  if (units === null) return "";
  const digits = currencyDigits(currency);
  const text = unitsToDecimal(units, digits);
  try {
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(text as Intl.StringNumericLiteral);
  } catch {
    return `${text} ${currency}`;
  }
}

/** "2026-12-07" -> "7 December 2026" / "2026年12月7日"; the date never shifts with a time zone. */
export function printDate(lang: DocLang, date: unknown): string {
  if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return "";
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** A decimal string ("1234.500") with grouping and without padding zeros ("1,234.5"), exactly. */
export function printQuantity(lang: DocLang, q: unknown): string {
  if (typeof q !== "string" || !/^-?\d+(\.\d+)?$/.test(q)) return "";
  const trimmed = q.includes(".") ? q.replace(/\.?0+$/, "") : q;
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 6 }).format(trimmed as Intl.StringNumericLiteral);
}

/** Basis points -> "13%" / "12.5%". */
export function printPercent(lang: DocLang, bp: unknown): string {
  const n = typeof bp === "number" ? bp : 0;
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 2 }).format(
    unitsToDecimal(n, 4) as Intl.StringNumericLiteral,
  );
}
