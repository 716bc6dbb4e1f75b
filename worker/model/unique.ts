/**
 * Fields whose options say `unique` get a unique index (model/ddl.ts); a write that would repeat a
 * value fails inside its batch, so of two concurrent writes only one lands. This turns D1's message
 * about that index into a 409 naming the field.
 */
import { AppError } from "../errors";
import { column } from "./names";
import type { TableMeta } from "./types";

export function uniqueProblem(table: TableMeta, message: string): AppError | null {
  // "UNIQUE constraint failed: t_<table>.c_<field>" (an index on one column names the column).
  const col = /UNIQUE constraint failed: \w+\.(c_[a-z0-9]{12})\b/.exec(message)?.[1];
  const field = col ? table.fields.find((f) => f.options.unique && column(f.id) === col) : undefined;
  if (!field) return null;
  const text = `Another record of ${table.name} already has this ${field.name} (compared ignoring case)`;
  return new AppError("conflict", text, [{ field: `fields/${field.name}`, code: "duplicate", message: text }]);
}
