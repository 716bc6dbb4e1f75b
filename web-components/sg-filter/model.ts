/**
 * The filter builder's working tree: and/or groups of conditions, each node with a stable key for
 * rendering. Converts to and from the filter language of schemas/filter.schema.json; the root is
 * always a group so that server error paths (`<prefix>/and/0/value`) line up with the tree.
 */
import type { Filter } from "../../schemas/types";
import { arity, opsFor, type Op } from "./ops";

export interface CondNode {
  kind: "cond";
  key: number;
  field: string;
  op: Op;
  /** The operand as the API takes it; undefined while the admin has not given one. */
  value: unknown;
}

export interface GroupNode {
  kind: "group";
  key: number;
  op: "and" | "or";
  children: FilterNode[];
}

export type FilterNode = CondNode | GroupNode;

/** The server allows 8 levels of nesting (worker/query/filter.ts); views keep one for the caller's filter. */
export const MAX_DEPTH = 8;

let nextKey = 1;
export const newKey = () => nextKey++;

export function emptyGroup(op: "and" | "or" = "and"): GroupNode {
  return { kind: "group", key: newKey(), op, children: [] };
}

export function newCondition(field: { name: string; type: string } | undefined): CondNode {
  const op = field ? (opsFor(field.type)[0] ?? "eq") : "eq";
  return { kind: "cond", key: newKey(), field: field?.name ?? "", op, value: undefined };
}

function fromNode(f: Filter): FilterNode {
  if ("and" in f) return { kind: "group", key: newKey(), op: "and", children: f.and.map(fromNode) };
  if ("or" in f) return { kind: "group", key: newKey(), op: "or", children: f.or.map(fromNode) };
  return { kind: "cond", key: newKey(), field: f.field, op: f.op, value: f.value };
}

/** A filter (or none) as a tree whose root is a group. */
export function fromFilter(f: Filter | null | undefined): GroupNode {
  if (!f) return emptyGroup();
  const node = fromNode(f);
  return node.kind === "group" ? node : { kind: "group", key: newKey(), op: "and", children: [node] };
}

function toNode(n: FilterNode): Filter {
  if (n.kind === "group") return n.op === "and" ? { and: n.children.map(toNode) } : { or: n.children.map(toNode) };
  const c: Filter = { field: n.field, op: n.op };
  if (arity(n.op) !== "none" && n.value !== undefined) c.value = n.value;
  return c;
}

/** The tree as filter JSON; null when it holds no condition at all. */
export function toFilter(root: GroupNode): Filter | null {
  return countConditions(root) === 0 ? null : toNode(root);
}

export function countConditions(n: FilterNode): number {
  return n.kind === "cond" ? 1 : n.children.reduce((s, c) => s + countConditions(c), 0);
}

export function depthOf(n: FilterNode): number {
  return n.kind === "cond" ? 1 : 1 + Math.max(0, ...n.children.map(depthOf));
}

/** Is the operand complete for the operator (a value, a non-empty list, both ends of a range)? */
export function complete(c: CondNode): boolean {
  if (!c.field) return false;
  switch (arity(c.op)) {
    case "none":
      return true;
    case "one":
      return c.value !== undefined && c.value !== null && c.value !== "";
    case "list":
      return typeof c.value === "string" ? c.value.startsWith("$user.") : Array.isArray(c.value) && c.value.length > 0;
    case "pair":
      return (
        Array.isArray(c.value) &&
        c.value.length === 2 &&
        c.value.every((v) => v !== undefined && v !== null && v !== "")
      );
  }
}

/** Every condition complete, every group non-empty (an empty root is fine: no filter). */
export function isValid(root: GroupNode): boolean {
  const ok = (n: FilterNode, isRoot: boolean): boolean =>
    n.kind === "cond" ? complete(n) : (isRoot || n.children.length > 0) && n.children.every((c) => ok(c, false));
  return ok(root, true);
}

/**
 * Keeps an operand when the operator changes if its shape still fits (one -> one), otherwise clears
 * it, so a condition never carries a list where a scalar belongs.
 */
export function operandAfterOpChange(value: unknown, from: Op, to: Op): unknown {
  if (arity(from) === arity(to)) return value;
  if (arity(from) === "one" && arity(to) === "list" && value !== undefined && typeof value !== "object") return [value];
  if (arity(from) === "list" && arity(to) === "one" && Array.isArray(value) && value.length) return value[0];
  return undefined;
}
