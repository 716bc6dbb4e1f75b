/**
 * The shape of a write's body, checked before anything else: one record (`{fields}`, `{id, version,
 * fields}`) or `{records: [...]}` of at most MAX_BATCH, only the keys the operation allows, ids and
 * versions positive integers, each record's `fields` an object. Problems name their path (422; 413 past
 * the batch size).
 */
import { AppError, invalid, type FieldError } from "../errors";
import { checkFieldsObject, type WriteItem } from "./validate";

export const MAX_BATCH = 1000;

export type Row = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Splits a body into items: `{fields}` / `{id, version, fields}` or `{records: [...]}`. */
export function parseItems(body: unknown, allowed: string[], required: string[]): { items: Row[]; single: boolean } {
  if (!isObject(body)) throw invalid([{ field: "", code: "type", message: "The body is a JSON object" }]);
  if ("records" in body) {
    const extra = Object.keys(body).filter((k) => k !== "records");
    if (extra.length)
      throw invalid(
        extra.map((k) => ({
          field: k.slice(0, 64),
          code: "unknown_key",
          message: `Unknown key ${JSON.stringify(k.slice(0, 64))}`,
        })),
      );
    if (!Array.isArray(body.records))
      throw invalid([{ field: "records", code: "type", message: "records is an array" }]);
    if (body.records.length === 0)
      throw invalid([{ field: "records", code: "min_items", message: "records is empty" }]);
    if (body.records.length > MAX_BATCH) {
      throw new AppError("payload_too_large", `At most ${MAX_BATCH} records per request`, [
        { field: "records", code: "max_items", message: `${body.records.length} records sent; at most ${MAX_BATCH}` },
      ]);
    }
    checkShape(body.records, allowed, required, "records/");
    return { items: body.records as Row[], single: false };
  }
  checkShape([body], allowed, required, "");
  return { items: [body], single: true };
}

function checkShape(items: unknown[], allowed: string[], required: string[], prefix: string) {
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const at = prefix ? `${prefix}${i}` : "";
    if (!isObject(item)) return errors.push({ field: at, code: "type", message: "Each record is an object" });
    for (const k of Object.keys(item)) {
      if (!allowed.includes(k))
        errors.push({
          field: [at, k.slice(0, 64)].filter(Boolean).join("/"),
          code: "unknown_key",
          message: `Unknown key ${JSON.stringify(k.slice(0, 64))}; expected ${allowed.join(", ")}`,
        });
    }
    for (const k of required)
      if (!(k in item))
        errors.push({ field: [at, k].filter(Boolean).join("/"), code: "required", message: `${k} is required` });
    if ("id" in item && !(Number.isSafeInteger(item.id) && (item.id as number) > 0))
      errors.push({ field: [at, "id"].filter(Boolean).join("/"), code: "type", message: "id is a positive integer" });
    if ("version" in item && !(Number.isSafeInteger(item.version) && (item.version as number) > 0))
      errors.push({
        field: [at, "version"].filter(Boolean).join("/"),
        code: "type",
        message: "version is a positive integer",
      });
  });
  if (errors.length) throw invalid(errors.slice(0, 200));
}

export function toWriteItems(items: Row[], single: boolean): WriteItem[] {
  const errors: FieldError[] = [];
  const out = items.map((it, index) => {
    const path = single ? "fields" : `records/${index}/fields`;
    const fields = it.fields === undefined ? {} : (checkFieldsObject(it.fields, path, errors) ?? {});
    return { index, path, fields };
  });
  if (errors.length) throw invalid(errors);
  return out;
}
