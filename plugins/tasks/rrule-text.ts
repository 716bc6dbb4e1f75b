/**
 * The `recurrence` field's text: an RFC 5545 RRULE value (no `RRULE:` prefix, no DTSTART: the task's
 * start is the series' start). The rrule package reads far more than the grammar allows (BYDAY=XX,
 * COUNT=abc, a repeated part), so every part is checked here first, then rrule reads the text.
 * Tasks repeat yearly, monthly, weekly or daily; finer frequencies are refused, so expanding a
 * series costs at most one step per day.
 */
import { RRule, type Options } from "rrule";

export type RuleCheck = { ok: true; options: Partial<Options>; text: string } | { ok: false; message: string };

const FREQS = new Set(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]);
const DAY = "(?:SU|MO|TU|WE|TH|FR|SA)";
const list = (item: string) => new RegExp(`^${item}(?:,${item})*$`);
const signed = (max: number) => (v: string) =>
  list("[+-]?\\d{1,3}").test(v) && v.split(",").every((x) => Math.abs(Number(x)) >= 1 && Math.abs(Number(x)) <= max);
const plain = (min: number, max: number) => (v: string) =>
  list("\\d{1,2}").test(v) && v.split(",").every((x) => Number(x) >= min && Number(x) <= max);

/** Part name -> whether its value is well formed. */
const PARTS: Record<string, (v: string) => boolean> = {
  FREQ: (v) => /^[A-Z]+$/.test(v),
  UNTIL: (v) => /^\d{8}(T\d{6}Z)?$/.test(v) && validUntil(v),
  COUNT: (v) => /^[1-9]\d{0,4}$/.test(v),
  INTERVAL: (v) => /^[1-9]\d{0,2}$/.test(v),
  BYMINUTE: plain(0, 59),
  BYHOUR: plain(0, 23),
  BYDAY: (v) => list(`(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?${DAY}`).test(v),
  BYMONTHDAY: signed(31),
  BYYEARDAY: signed(366),
  BYWEEKNO: signed(53),
  BYMONTH: plain(1, 12),
  BYSETPOS: signed(366),
  WKST: (v) => new RegExp(`^${DAY}$`).test(v),
};

function validUntil(v: string): boolean {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  if (v.length === 8) return true;
  const [h, mi, s] = [v.slice(9, 11), v.slice(11, 13), v.slice(13, 15)].map(Number) as [number, number, number];
  return h <= 23 && mi <= 59 && s <= 59;
}

/** Checks a rule's text part by part; on success rrule's options for it. */
export function checkRule(raw: string): RuleCheck {
  const text = raw.trim().replace(/^RRULE:/i, "");
  if (!text) return { ok: false, message: "A recurrence rule is empty" };
  if (text.length > 500) return { ok: false, message: "A recurrence rule is at most 500 characters" };
  const seen = new Set<string>();
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    const name = eq > 0 ? part.slice(0, eq).toUpperCase() : "";
    const value = eq > 0 ? part.slice(eq + 1).toUpperCase() : "";
    if (!name || !value) return { ok: false, message: `Not NAME=VALUE: ${JSON.stringify(part.slice(0, 40))}` };
    const check = PARTS[name];
    if (!check) return { ok: false, message: `Unknown or unsupported rule part ${JSON.stringify(name.slice(0, 20))}` };
    if (seen.has(name)) return { ok: false, message: `${name} is given twice` };
    seen.add(name);
    if (!check(value)) return { ok: false, message: `${name}=${value.slice(0, 40)} is not valid` };
    if (name === "FREQ" && !FREQS.has(value))
      return { ok: false, message: `FREQ=${value.slice(0, 20)}: tasks repeat YEARLY, MONTHLY, WEEKLY or DAILY` };
  }
  if (!seen.has("FREQ")) return { ok: false, message: "FREQ is required" };
  if (seen.has("COUNT") && seen.has("UNTIL")) return { ok: false, message: "COUNT and UNTIL exclude each other" };
  const upper = text.toUpperCase();
  try {
    return { ok: true, options: RRule.parseString(upper), text: upper };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message.slice(0, 200) : "Not a recurrence rule" };
  }
}
