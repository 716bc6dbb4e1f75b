/**
 * JSON Schema validation (@cfworker/json-schema: no eval, so it runs on Workers), with compiled
 * validators cached by schema and errors turned into one clear message per location.
 */
import { Validator, type OutputUnit } from "@cfworker/json-schema";
import type { FieldError } from "../errors";
import { dateParser } from "./formats";

const cache = new Map<string, Validator>();
const WRAPPERS = new Set([
  "properties",
  "items",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "additionalProperties",
  "prefixItems",
  "if",
  "then",
  "else",
]);

/** Schemas that are the same object each time (the filter and view schemas) skip the stringify below. */
const bySchemaObject = new WeakMap<object, Validator>();

export function validatorFor(schema: object, extra: object[] = []): Validator {
  const known = bySchemaObject.get(schema);
  if (known) return known;
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    v = new Validator(schema as never, "2020-12", false);
    for (const s of extra) v.addSchema(s as never);
    if (cache.size > 2000) cache.clear();
    cache.set(key, v);
  }
  bySchemaObject.set(schema, v);
  return v;
}

/** Validates and returns field errors; `base` prefixes each path (e.g. `records/3/fields`). */
export function validate(schema: object, instance: unknown, base: string, extra: object[] = []): FieldError[] {
  return compileValidator(schema, extra)(instance, base);
}

/** A reusable check for many instances of one schema (bulk writes). */
export function compileValidator(
  schema: object,
  extra: object[] = [],
): (instance: unknown, base: string) => FieldError[] {
  const v = validatorFor(schema, extra);
  return (instance, base) => {
    const result = v.validate(instance);
    return result.valid ? [] : summarise(result.errors, base, instance);
  };
}

/** The value at a JSON pointer such as `#/records/0/due` (own properties only). */
function valueAt(instance: unknown, pointer: string): unknown {
  let v = instance;
  for (const raw of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A date or date-time format failure says what is wrong, as the record validator does. */
function dateProblem(e: OutputUnit, instance: unknown): Pick<FieldError, "code" | "message" | "params"> | null {
  if (e.keyword !== "format") return null;
  const parse = dateParser(/format "([^"]+)"/.exec(e.error)?.[1]);
  const r = parse?.(valueAt(instance, e.instanceLocation));
  return r && !r.ok ? { code: r.code, message: r.message, params: r.params } : null;
}

function summarise(errors: OutputUnit[], base: string, instance: unknown): FieldError[] {
  const byPlace = new Map<string, OutputUnit[]>();
  for (const e of errors) {
    const list = byPlace.get(e.instanceLocation) ?? [];
    list.push(e);
    byPlace.set(e.instanceLocation, list);
  }
  const out: FieldError[] = [];
  for (const [place, list] of byPlace) {
    // Prefer a specific complaint over a wrapper ("does not match schema") or the null branch of anyOf.
    const specific = list.filter((e) => !WRAPPERS.has(e.keyword) && !/Expected "null"/.test(e.error));
    const pick = specific[0] ?? list.find((e) => e.keyword === "additionalProperties") ?? list[0]!;
    // A deeper location already explains a wrapper failure here.
    if (specific.length === 0 && [...byPlace.keys()].some((k) => k !== place && k.startsWith(`${place}/`))) continue;
    const path = place.replace(/^#\/?/, "");
    // The validator reports a missing property at its parent: name the property itself.
    const missing = pick.keyword === "required" ? /property "([^"]+)"/.exec(pick.error)?.[1] : undefined;
    const field = [base, path, missing].filter(Boolean).join("/");
    out.push({
      field,
      code: pick.keyword,
      message: missing ? `${field} is required` : pick.error,
      ...dateProblem(pick, instance),
    });
  }
  return out;
}
