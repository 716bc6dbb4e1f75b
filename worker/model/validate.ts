/**
 * JSON Schema validation (@cfworker/json-schema: no eval, so it runs on Workers), with compiled
 * validators cached by schema and errors turned into one clear message per location.
 */
import { Validator, type OutputUnit } from "@cfworker/json-schema";
import type { FieldError } from "../errors";

const cache = new Map<string, Validator>();
const WRAPPERS = new Set(["properties", "items", "anyOf", "oneOf", "allOf", "$ref", "additionalProperties", "prefixItems", "if", "then", "else"]);

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
export function compileValidator(schema: object, extra: object[] = []): (instance: unknown, base: string) => FieldError[] {
  const v = validatorFor(schema, extra);
  return (instance, base) => {
    const result = v.validate(instance);
    return result.valid ? [] : summarise(result.errors, base);
  };
}

function summarise(errors: OutputUnit[], base: string): FieldError[] {
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
    out.push({ field: [base, path].filter(Boolean).join("/"), code: pick.keyword, message: pick.error });
  }
  return out;
}
