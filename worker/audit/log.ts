/**
 * What every admin change shares: the audit row that travels in the change's own batch, the batch
 * runner that turns constraint failures from a concurrent change into a 409 instead of a 500, and
 * body validation against a JSON Schema.
 */
import { AppError, invalid } from "../errors";
import type { SchemaContext } from "../model/plan";
import { validate } from "../model/validate";
import type { Stmt } from "../query/write";

export type AdminContext = SchemaContext;

export interface AuditTarget {
  tableId?: string | null;
  fieldId?: string | null;
  recordId?: number | null;
}

/** An sg_audit row; `details` is free-form JSON (for permission changes: {target, before, after}). */
export function auditRow(
  ctx: AdminContext,
  action: string,
  details: unknown,
  target: AuditTarget = {},
): D1PreparedStatement {
  return ctx.db
    .prepare(
      "INSERT INTO sg_audit (at, user_id, action, table_id, record_id, field_id, changes, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(
      ctx.at,
      ctx.userId,
      action,
      target.tableId ?? null,
      target.recordId ?? null,
      target.fieldId ?? null,
      JSON.stringify(details),
      ctx.requestId,
    );
}

export const prepare = (db: D1Database, s: Stmt): D1PreparedStatement => db.prepare(s.sql).bind(...s.params);

/** Validates a body against `schema` (plus `extra` schemas it $refs) and returns it typed, or a 422. */
export function checkInput<T>(schema: object, body: unknown, message: string, extra: object[] = []): T {
  const errors = validate(schema, body, "", extra);
  if (errors.length) throw invalid(errors.slice(0, 100), message);
  return body as T;
}

/** Strict query parameters: unknown ones are refused so a typo is not silently ignored. */
export function checkQuery(query: Record<string, string>, allowed: string[]): void {
  const extra = Object.keys(query).filter((k) => !allowed.includes(k));
  if (extra.length) {
    throw new AppError(
      "bad_request",
      `Unknown query parameter ${JSON.stringify(extra[0]!.slice(0, 64))}; expected ${allowed.join(", ")}`,
      extra.slice(0, 20).map((k) => ({
        field: k.slice(0, 64),
        code: "unknown_parameter",
        message: `Unknown query parameter; expected ${allowed.join(", ")}`,
      })),
    );
  }
}

/** A positive integer from a query string, or the default; 400 naming the parameter otherwise. */
export function intParam(raw: string | undefined, name: string, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new AppError("bad_request", `${name} is a whole number from ${min} to ${max}`, [
      { field: name, code: "range", message: `${name} is a whole number from ${min} to ${max}` },
    ]);
  }
  return Number(raw);
}
