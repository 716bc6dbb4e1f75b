/**
 * The permission engine's entry point. Every record read and write asks it for the caller's access to
 * a table: which operations, which fields may be read and written, and a row filter.
 * Until role grants arrive, every signed-in user may read and write records and only admins change
 * schemas; the pipeline already consults this module on every path so grants plug in here.
 */
import { forbidden } from "../errors";
import type { Principal } from "../auth/principal";
import { typeSpec } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";

export type Operation = "read" | "create" | "update" | "delete";

export interface TableAccess {
  table: TableMeta;
  may(op: Operation): boolean;
  canRead(f: FieldMeta): boolean;
  canWrite(f: FieldMeta): boolean;
  /** Rows the caller may see, as a filter tree; null when unrestricted. */
  rowFilter: FilterNode | null;
}

export function tableAccess(_principal: Principal, table: TableMeta): TableAccess {
  return {
    table,
    may: () => true,
    canRead: () => true,
    canWrite: (f) => typeSpec(f.type).writable,
    rowFilter: null,
  };
}

export function requireOperation(access: TableAccess, op: Operation): void {
  if (!access.may(op)) throw forbidden(`${op} records of ${access.table.name}`);
}

export function requireAdmin(principal: Principal, action: string): void {
  if (!principal.isAdmin) throw forbidden(action, `Only admins may ${action}`);
}
