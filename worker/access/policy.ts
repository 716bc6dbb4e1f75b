/**
 * The permission compiler: pure functions from a subject (user, roles, teams) and the grants of
 * their roles to what they may do on one table. Order: collect the grants of the subject's roles for
 * the table -> per operation, the union of each role's rows (all wins; own/team/rule become filter
 * trees; none adds nothing) -> per field, the most generous access any granting role gives.
 * No I/O here, so the server and the web components can share it.
 */
import type { Filter } from "../../schemas/types";
import { wallAt } from "../../lib/zoned-time";
import { invalid } from "../errors";
import { shiftDate } from "../model/dates";
import { typeSpec } from "../model/field-types";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";

export const OPERATIONS = ["read", "create", "update", "delete"] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Level = "none" | "own" | "team" | "all" | { rule: Filter };
export type FieldAccess = "hidden" | "read" | "write";

export interface Grant {
  role: string;
  tableId: string;
  ops: Record<Operation, Level>;
  /** Access per field id; fields not listed get `defaultField`. */
  fields: Record<string, FieldAccess>;
  defaultField: FieldAccess;
}

export interface Subject {
  id: string;
  roles: string[];
  /** Teams the user belongs to. */
  teams: string[];
  /** Users in those teams (including the user), for `team` grants. */
  teamMembers: string[];
  timeZone: string;
}

const RANK: Record<FieldAccess, number> = { hidden: 0, read: 1, write: 2 };

/** The user field that says who owns a row, or null to fall back on created_by. */
export function ownerField(table: TableMeta): FieldMeta | null {
  return (
    table.fields.find((f) => f.id === table.ownerFieldId && f.type === "user") ??
    table.fields.find((f) => f.name === "owner" && f.type === "user") ??
    null
  );
}

/** Today in the user's time zone, shifted by whole `days`, as YYYY-MM-DD; 422 when that leaves the calendar. */
export function relativeDate(days: number, timeZone: string, now = new Date()): string {
  const w = wallAt(now.getTime(), timeZone);
  const today = `${String(w.year).padStart(4, "0")}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
  const r = shiftDate(today, days);
  if (!r.ok)
    throw invalid(
      [{ field: "$today", code: r.code, message: `{"$today": ${days}}: ${r.message}`, params: r.params }],
      "A rule's $today is out of range",
    );
  return r.value;
}

/** Replaces $user.* and {"$today": n} in a rule with the subject's values. */
export function substitute(rule: unknown, subject: Subject, now = new Date()): unknown {
  if (typeof rule === "string") {
    switch (rule) {
      case "$user.id":
      case "$user": // shorthand for $user.id
        return subject.id;
      case "$user.teams":
        return subject.teams;
      case "$user.teamMembers":
        return subject.teamMembers;
      case "$user.roles":
        return subject.roles;
      default:
        return rule;
    }
  }
  if (Array.isArray(rule)) return rule.map((r) => substitute(r, subject, now));
  if (rule && typeof rule === "object") {
    const obj = rule as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.$today === "number")
      return relativeDate(obj.$today, subject.timeZone, now);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, substitute(v, subject, now)]));
  }
  return rule;
}

/** A principal's access to one table, as the pipelines ask it (re-exported by access/index.ts). */
export interface TableAccess {
  table: TableMeta;
  may(op: Operation): boolean;
  canRead(f: FieldMeta): boolean;
  canWrite(f: FieldMeta): boolean;
  /** Rows the subject may touch with `op`: null = every row; never called when !may(op). */
  rowFilter(op: Operation): FilterNode | null;
  /** Why an operation is refused, for a message a person can act on. */
  reason(op: Operation): string;
}

/** Turns one level into a filter tree; `parse` checks a rule against the table (fields, ops). */
function levelFilter(
  level: Level,
  table: TableMeta,
  subject: Subject,
  parse: (f: unknown) => FilterNode,
): FilterNode | "all" | null {
  if (level === "all") return "all";
  if (level === "none") return null;
  const owner = ownerField(table);
  const ownerCond = (ids: string[]): FilterNode =>
    owner
      ? { kind: "cond", field: owner, op: "in", value: ids }
      : { kind: "system", column: "created_by", op: "in", value: ids };
  if (level === "own") return ownerCond([subject.id]);
  if (level === "team") return ownerCond([...new Set([subject.id, ...subject.teamMembers])]);
  return parse(substitute(level.rule, subject));
}

export function compileAccess(
  table: TableMeta,
  subject: Subject,
  grants: Grant[],
  isAdmin: boolean,
  parse: (f: unknown) => FilterNode,
): TableAccess {
  if (isAdmin) {
    return {
      table,
      may: () => true,
      canRead: () => true,
      canWrite: (f) => typeSpec(f.type).writable,
      rowFilter: () => null,
      reason: () => "",
    };
  }
  const mine = grants.filter((g) => g.tableId === table.id && subject.roles.includes(g.role));
  const allowed = new Set<Operation>(OPERATIONS.filter((op) => mine.some((g) => g.ops[op] !== "none")));
  // Row filters are built when first asked for: a rule that follows a link (`readable`) compiles the
  // parent table's access too, which a caller that only reads never needs for update or delete.
  const filters = new Map<Operation, FilterNode | null>();
  const rowFilter = (op: Operation): FilterNode | null => {
    if (filters.has(op)) return filters.get(op)!;
    const parts: FilterNode[] = [];
    let all = false;
    for (const g of mine) {
      const f = levelFilter(g.ops[op], table, subject, parse);
      if (f === "all") all = true;
      else if (f) parts.push(f);
    }
    const filter = all ? null : parts.length === 1 ? parts[0]! : { kind: "or" as const, children: parts };
    filters.set(op, filter);
    return filter;
  };
  // Field access comes only from roles that may read the table at all.
  const readers = mine.filter((g) => g.ops.read !== "none");
  const level = (f: FieldMeta): number =>
    readers.reduce((m, g) => Math.max(m, RANK[g.fields[f.id] ?? g.defaultField]), 0);
  return {
    table,
    may: (op) => allowed.has(op),
    canRead: (f) => level(f) >= RANK.read,
    canWrite: (f) => level(f) >= RANK.write && typeSpec(f.type).writable,
    rowFilter,
    reason: (op) => `Your roles (${subject.roles.join(", ") || "none"}) do not allow ${op} on ${table.name}`,
  };
}
