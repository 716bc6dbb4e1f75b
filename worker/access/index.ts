/**
 * The permission engine's entry point. Every record read and write asks it for the caller's access
 * to a table: which operations, which fields may be read and written, and which rows per operation.
 * Grants live in the registry (cached per isolate, reloaded when the schema version moves); the
 * compiling itself is pure (policy.ts).
 */
import { forbidden } from "../errors";
import type { Principal } from "../auth/principal";
import { findTable, type Registry } from "../model/registry";
import type { TableMeta } from "../model/types";
import { MAX_LINK_HOPS, NOTHING, parseFilter, type FilterNode } from "../query/filter";
import { compileAccess, type Operation, type TableAccess } from "./policy";

export type { Operation, TableAccess };

/**
 * `hops`: link fields a rule may still follow. A rule `{field: "customer", op: "readable"}` takes the
 * customers' read filter of the same principal, compiled here with one hop less, so a chain of parents
 * stops after MAX_LINK_HOPS in total: a rule reached past that (a cycle, a longer chain) matches nothing.
 */
export function tableAccess(principal: Principal, table: TableMeta, reg: Registry, hops = MAX_LINK_HOPS): TableAccess {
  const links = {
    table: (id: string) => findTable(reg, id),
    hops,
    readable: (target: TableMeta, left: number): FilterNode | null => {
      const parent = tableAccess(principal, target, reg, left);
      return parent.may("read") ? parent.rowFilter("read") : NOTHING;
    },
  };
  // A rule that no longer parses (its field was deleted) matches nothing rather than failing the request.
  const parse = (rule: unknown): FilterNode => {
    try {
      return parseFilter(rule, table, { canRead: () => true, links }, "rule");
    } catch (err) {
      console.warn(`grant rule on ${table.name} no longer applies:`, err instanceof Error ? err.message : err);
      return NOTHING;
    }
  };
  const subject = {
    id: principal.userId,
    roles: principal.roles,
    teams: principal.teams,
    teamMembers: principal.teamMembers,
    timeZone: principal.timeZone,
  };
  return compileAccess(table, subject, reg.grants, principal.isAdmin, parse);
}

/** Who is asking, and what narrows their grants (an embed token: one view's fields and rows). */
export interface Caller {
  principal: Principal;
  reg: Registry;
  narrow?: (access: TableAccess) => TableAccess;
}

/**
 * What this caller may do on this table: their grants, narrowed by an embed when there is one. Every
 * records pipeline (list, get, create, update, delete, aggregate, link checks) asks here, so a
 * narrowing applies everywhere or nowhere.
 */
export function callerAccess(caller: Caller, table: TableMeta): TableAccess {
  const granted = tableAccess(caller.principal, table, caller.reg);
  return caller.narrow ? caller.narrow(granted) : granted;
}

export function requireOperation(access: TableAccess, op: Operation): void {
  if (!access.may(op)) throw forbidden(`${op} records of ${access.table.name}`, access.reason(op));
}

export function requireAdmin(principal: Principal, action: string): void {
  if (!principal.isAdmin || principal.embed) throw forbidden(action, `Only admins may ${action}`);
}
