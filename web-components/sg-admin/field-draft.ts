/**
 * The field editor's draft: made from a field's definition, and turned back into the request body
 * (schemas/field.schema.json) with only the options its type takes.
 */
import type { FieldInfo } from "../api/client";
import type { FieldInput, FieldOptions } from "../../schemas/types";
import type { FieldType } from "./field-types";

export const PALETTE = [
  "#4c6ef5",
  "#12b886",
  "#fab005",
  "#fa5252",
  "#7950f2",
  "#15aabf",
  "#fd7e14",
  "#82c91e",
  "#e64980",
  "#868e96",
];

export interface ChoiceDraft {
  id?: string;
  name: string;
  color: string;
  zh: string;
  en: string;
}

export interface Draft {
  name: string;
  label: string;
  zh: string;
  description: string;
  type: FieldType;
  required: boolean;
  indexed: boolean;
  maxLength: string;
  precision: string;
  min: string;
  max: string;
  currency: string;
  prefix: string;
  /** An autonumber with a document-number format (prefix, year, padding), set when it is created. */
  formatted: boolean;
  year: boolean;
  padding: string;
  choices: ChoiceDraft[];
  table: string;
  multiple: boolean;
  inverseName: string;
}

export function draftOf(f: FieldInfo | null): Draft {
  const o = (f?.options ?? {}) as FieldOptions & {
    choices?: { id?: string; name: string; color?: string; labels?: Record<string, string> }[];
  };
  const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    name: f?.name ?? "",
    label: f?.label ?? "",
    zh: f?.labels?.["zh-CN"] ?? "",
    description: f?.description ?? "",
    type: (f?.type as FieldType) ?? "text",
    required: f?.required ?? false,
    indexed: f?.indexed ?? false,
    maxLength: s(o.maxLength),
    // A decimal's scale is edited in the same "decimal places" box as a number's precision.
    precision: s(o.precision ?? o.scale),
    min: s(o.min),
    max: s(o.max),
    currency: o.currency ?? "CNY",
    prefix: o.format?.prefix ?? o.prefix ?? "",
    formatted: o.format !== undefined,
    year: o.format?.year ?? true,
    padding: s(o.format?.padding ?? 5),
    choices: (o.choices ?? []).map((c, i) => ({
      id: c.id,
      name: c.name,
      color: c.color ?? PALETTE[i % PALETTE.length]!,
      zh: c.labels?.["zh-CN"] ?? "",
      en: c.labels?.en ?? "",
    })),
    table: o.table ?? "",
    multiple: o.multiple ?? true,
    inverseName: o.inverseName ?? "",
  };
}

/** Letters, digits and underscores from a label: "Deal stage" -> "deal_stage". */
export function apiNameFrom(label: string): string {
  const n = label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 63);
  return /^[a-z]/.test(n) ? n : n ? `f_${n}`.slice(0, 63) : "";
}

/** Only the options the type takes: the server refuses the others. */
function optionsOf(d: Draft, existing: boolean): FieldOptions | undefined {
  const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
  const o: Record<string, unknown> = {};
  switch (d.type) {
    case "text":
    case "long_text":
      o.maxLength = num(d.maxLength);
      break;
    case "number":
      o.precision = num(d.precision);
      o.min = num(d.min);
      o.max = num(d.max);
      break;
    case "currency":
      o.currency = d.currency.trim().toUpperCase();
      break;
    case "decimal":
      o.scale = num(d.precision);
      break;
    case "rating":
      o.max = num(d.max);
      break;
    case "single_select":
    case "multi_select":
      o.choices = d.choices.map((c) => {
        const labels: Record<string, string> = {};
        if (c.en.trim()) labels.en = c.en.trim();
        if (c.zh.trim()) labels["zh-CN"] = c.zh.trim();
        return {
          ...(c.id ? { id: c.id } : {}),
          name: c.name,
          color: c.color,
          ...(Object.keys(labels).length ? { labels } : {}),
        };
      });
      break;
    case "link":
      o.table = d.table;
      o.multiple = d.multiple;
      if (!existing && d.inverseName.trim()) o.inverseName = d.inverseName.trim();
      break;
    case "autonumber":
      // A format is set once, at creation (the server keeps it when a change leaves it out).
      if (d.formatted && !existing)
        o.format = { ...(d.prefix ? { prefix: d.prefix } : {}), year: d.year, padding: num(d.padding) ?? 5 };
      else if (d.prefix && !d.formatted) o.prefix = d.prefix;
      break;
  }
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return Object.keys(o).length ? (o as FieldOptions) : undefined;
}

/** The request body for a field's create or change; `existing` when it changes one. */
export function fieldBody(d: Draft, existing: boolean): FieldInput {
  const labels: Record<string, string> = {};
  if (d.label.trim()) labels.en = d.label.trim();
  if (d.zh.trim()) labels["zh-CN"] = d.zh.trim();
  const options = optionsOf(d, existing);
  return {
    name: d.name.trim(),
    type: d.type,
    ...(d.label.trim() ? { label: d.label.trim() } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(d.description ? { description: d.description } : {}),
    required: d.required,
    indexed: d.indexed,
    ...(options ? { options } : {}),
  };
}
