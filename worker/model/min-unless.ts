/**
 * A decimal's conditional minimum (`options.minUnless`): the CHECK on its column holds unless some
 * checkbox fields of the same row hold the values named (inventory: on_hand below zero only where the
 * level allows negative stock). The checkboxes must exist before the decimal and share its slot (a
 * CHECK sees one physical row), and are stored by id so a rename keeps the CHECK's meaning.
 */
import { AppError, type FieldError } from "../errors";
import type { FieldMeta, TableMeta } from "./types";

export function resolveMinUnless(
  table: TableMeta,
  type: FieldMeta["type"],
  options: FieldMeta["options"],
  slot: number,
  path: string,
): FieldMeta["options"] {
  const unless = options.minUnless;
  if (unless === undefined) return options;
  const at = `${path}/options/minUnless`;
  const errors: FieldError[] = [];
  if (type !== "decimal") errors.push({ field: at, code: "type", message: "Only a decimal's min can be conditional" });
  else if (options.min === undefined)
    errors.push({ field: at, code: "required", message: "minUnless qualifies a min: the field declares none" });
  const resolved: Record<string, boolean> = {};
  for (const [ref, value] of Object.entries(unless)) {
    const f = table.fields.find((x) => x.id === ref || x.name === ref);
    if (!f) errors.push({ field: `${at}/${ref}`, code: "unknown_field", message: `No field ${ref} on ${table.name}` });
    else if (f.type !== "checkbox")
      errors.push({ field: `${at}/${ref}`, code: "type", message: `${ref} is not a checkbox` });
    else if (f.slot !== slot)
      errors.push({ field: `${at}/${ref}`, code: "slot", message: `${ref} is stored apart from this field` });
    else resolved[f.id] = value;
  }
  if (errors.length) throw new AppError("validation_failed", "The field's minUnless is invalid", errors);
  return { ...options, minUnless: resolved };
}

/** The SQL condition under which the minimum does not apply (ids are field ids; columns from names.ts). */
export function minUnlessSql(unless: Record<string, boolean>, column: (fieldId: string) => string): string {
  const parts = Object.entries(unless).map(([id, v]) => `${column(id)} IS ${v ? "1" : "NOT 1"}`);
  return parts.length ? parts.join(" AND ") : "0";
}
