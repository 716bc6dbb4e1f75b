/**
 * The check of a value a plugin hook derives (`rec.set`), done once per value of every record a hook
 * touches (a 200-line quote sets 1,800). A money value, the commonest, is checked by hand against
 * exactly what the currency schema allows (a safe integer, or {amount, currency?} with an upper-case
 * code): JSON Schema's anyOf costs tens of microseconds a value. Everything else, and any money value
 * the hand check does not accept, goes through the field's schema as before.
 */
import type { FieldError } from "../errors";
import { typeSpec } from "../model/field-types";
import type { FieldMeta } from "../model/types";
import { validate } from "../model/validate";

const CODE = /^[A-Z]{3}$/;

function plainMoney(v: unknown): boolean {
  if (v === null || Number.isSafeInteger(v)) return true;
  if (typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (k !== "amount" && k !== "currency") return false;
  return (
    Number.isSafeInteger(o.amount) &&
    (o.currency === undefined || (typeof o.currency === "string" && CODE.test(o.currency)))
  );
}

export function derivedValueErrors(f: FieldMeta, value: unknown): FieldError[] {
  if (f.type === "currency" && plainMoney(value)) return [];
  return validate(typeSpec(f.type).valueSchema(f), value, f.name);
}
