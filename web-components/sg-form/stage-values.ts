/**
 * A long_text field with `options.editor = "stage_list"` holds a JSON list of stages
 * ({name, labels: {en, zh-CN}, probability in basis points, kind}); the server checks it. Here:
 * the rows an editor shows, the JSON they become, a readable summary, and the server's problems
 * (`stages/N/...`, or a message starting `N/...: `) assigned to their row.
 */
import { decimalToUnits, unitsToDecimal } from "../i18n/decimal";

export type StageKind = "open" | "won" | "lost";
export const STAGE_KINDS: readonly StageKind[] = ["open", "won", "lost"];

export interface Stage {
  name: string;
  labels?: { en?: string; "zh-CN"?: string };
  probability: number;
  kind: StageKind;
}

/** One row of the editor, as typed. */
export interface StageRow {
  /** Stable key for rendering while rows move. */
  key: number;
  name: string;
  /** False while the API name follows the English label. */
  nameTouched: boolean;
  en: string;
  zh: string;
  /** Default probability as typed, in percent ("12.5"). */
  percent: string;
  kind: StageKind;
}

let nextKey = 0;
export const newRowKey = () => ++nextKey;

export function isStageList(f: { type: string; options?: { editor?: string } }): boolean {
  return f.type === "long_text" && f.options?.editor === "stage_list";
}

/** "Needs discussion!" -> "needs_discussion"; "" when the label has no latin letters or digits. */
export function apiNameFrom(label: string): string {
  const slug = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const named = /^[a-z]/.test(slug) ? slug : slug ? `s_${slug}` : "";
  return named.slice(0, 63).replace(/_+$/, "");
}

/** Basis points -> "12.5" (no trailing zeros). */
export function percentText(bp: number): string {
  return unitsToDecimal(bp, 2).replace(/\.?0+$/, "") || "0";
}

/** The stored value as stages; null when it is not a JSON list of objects. */
export function parseStages(raw: unknown): Stage[] | null {
  if (raw === null || raw === undefined || raw === "") return [];
  if (typeof raw !== "string") return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) && v.every((s) => s && typeof s === "object" && !Array.isArray(s)) ? (v as Stage[]) : null;
  } catch {
    return null;
  }
}

export function rowsFrom(stages: Stage[]): StageRow[] {
  return stages.map((s) => ({
    key: newRowKey(),
    name: String(s.name ?? ""),
    nameTouched: true,
    en: s.labels?.en ?? "",
    zh: s.labels?.["zh-CN"] ?? "",
    percent: typeof s.probability === "number" ? percentText(s.probability) : "",
    kind: STAGE_KINDS.includes(s.kind) ? s.kind : "open",
  }));
}

export function emptyRow(): StageRow {
  return { key: newRowKey(), name: "", nameTouched: false, en: "", zh: "", percent: "", kind: "open" };
}

/** The API name a row sends: as typed, or derived from its English label. */
export const rowName = (r: StageRow) => (r.nameTouched ? r.name.trim() : apiNameFrom(r.en));

/** Probability in basis points, or null when the text is not 0 to 100 with at most 2 decimals. */
export function rowProbability(r: StageRow): number | null {
  if (r.percent.trim() === "") return 0;
  const bp = decimalToUnits(r.percent.replace(/%$/, ""), 2);
  return bp === null || bp < 0 || bp > 10000 ? null : bp;
}

/** The JSON the server expects (null for no rows), or the indexes of rows whose probability is not a percentage. */
export function serialise(rows: StageRow[]): { value: string | null; badRows: number[] } {
  const badRows: number[] = [];
  const stages = rows.map((r, i) => {
    const probability = rowProbability(r);
    if (probability === null) badRows.push(i);
    const labels: Stage["labels"] = {};
    if (r.en.trim()) labels.en = r.en.trim();
    if (r.zh.trim()) labels["zh-CN"] = r.zh.trim();
    return {
      name: rowName(r),
      ...(Object.keys(labels).length ? { labels } : {}),
      probability: probability ?? 0,
      kind: r.kind,
    };
  });
  return { value: stages.length ? JSON.stringify(stages) : null, badRows };
}

/** "First contact → Quote → Won / Lost" style summary in the current locale's labels. */
export function stageSummary(raw: unknown, locale: string): string {
  const stages = parseStages(raw);
  if (!stages) return typeof raw === "string" ? raw : "";
  const label = (s: Stage) =>
    (locale === "zh-CN" ? s.labels?.["zh-CN"] : s.labels?.en) || s.labels?.en || s.labels?.["zh-CN"] || s.name;
  const open = stages.filter((s) => s.kind !== "won" && s.kind !== "lost").map(label);
  const closed = stages.filter((s) => s.kind === "won" || s.kind === "lost").map(label);
  return [...open, ...(closed.length ? [closed.join(" / ")] : [])].join(" → ");
}

export interface StageProblems {
  /** Messages by row index. */
  rows: Map<number, string[]>;
  /** Messages about the list as a whole. */
  list: string[];
}

/** Sorts a problem+json's errors about field `name` into row and list problems. */
export function stageProblems(errors: { field: string; message: string }[], name: string): StageProblems {
  const out: StageProblems = { rows: new Map(), list: [] };
  const at = new RegExp(`(?:^|/)fields/${name}(?:/(\\d+)(?:/(.*))?)?$`);
  for (const e of errors) {
    const m = at.exec(e.field);
    if (!m) continue;
    let row = m[1] === undefined ? null : Number(m[1]);
    let message = e.message;
    // The pipeline hook names the row at the start of its message ("2/name: ...").
    const lead = row === null ? /^(\d+)(?:\/[\w/-]*)?: (.*)$/s.exec(message) : null;
    if (lead) {
      row = Number(lead[1]);
      message = lead[2]!;
    }
    if (row === null) out.list.push(message);
    else out.rows.set(row, [...(out.rows.get(row) ?? []), message]);
  }
  return out;
}
