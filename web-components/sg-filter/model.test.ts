/**
 * The filter builder's pure parts: operators per type held equal to the server's field-type table,
 * and the tree <-> filter JSON round trip that the server error paths rely on.
 */
import { describe, expect, it } from "vitest";
import { FIELD_TYPES } from "../../worker/model/field-types";
import type { Filter } from "../../schemas/types";
import {
  complete,
  depthOf,
  fromFilter,
  isValid,
  newCondition,
  operandAfterOpChange,
  toFilter,
  type CondNode,
} from "./model";
import { OPS_BY_TYPE, arity } from "./ops";

describe("operators", () => {
  it("offers exactly the operators the server allows for every field type", () => {
    expect(Object.keys(OPS_BY_TYPE).sort()).toEqual(Object.keys(FIELD_TYPES).sort());
    for (const [type, spec] of Object.entries(FIELD_TYPES))
      expect([...OPS_BY_TYPE[type as keyof typeof OPS_BY_TYPE]], type).toEqual([...spec.ops]);
  });

  it("knows how many operands each operator takes", () => {
    expect(arity("is_empty")).toBe("none");
    expect(arity("in")).toBe("list");
    expect(arity("between")).toBe("pair");
    expect(arity("contains")).toBe("one");
  });

  it("keeps a row rule through a link (readable, a path) complete, so the permission editor can save it as it is", () => {
    const rule: Filter = {
      or: [
        { field: "customer", op: "readable" },
        { field: "customer.owner", op: "eq", value: "$user.id" },
      ],
    };
    const root = fromFilter(rule);
    expect(isValid(root)).toBe(true);
    expect(toFilter(root)).toEqual(rule);
  });
});

describe("tree and filter JSON", () => {
  const nested: Filter = {
    or: [
      { field: "owner", op: "eq", value: "$user.id" },
      {
        and: [
          { field: "stage", op: "in", value: ["won", "lost"] },
          { field: "expected_close", op: "gte", value: { $today: -30 } },
        ],
      },
      { field: "name", op: "is_empty" },
    ],
  };

  it("round-trips a nested filter unchanged", () => {
    expect(toFilter(fromFilter(nested))).toEqual(nested);
  });

  it("wraps a single condition in an and group, so error paths read <prefix>/and/0/...", () => {
    expect(toFilter(fromFilter({ field: "name", op: "eq", value: "x" }))).toEqual({
      and: [{ field: "name", op: "eq", value: "x" }],
    });
  });

  it("gives null for no conditions and for no filter", () => {
    expect(toFilter(fromFilter(null))).toBeNull();
    expect(toFilter(fromFilter({ and: [{ or: [] }] }))).toBeNull();
  });

  it("measures depth as the server does (a condition counts one level)", () => {
    expect(depthOf(fromFilter(nested))).toBe(3);
    expect(depthOf(fromFilter({ field: "a", op: "eq", value: 1 }))).toBe(2);
  });

  it("drops an operand from is_empty and keeps a falsy one elsewhere", () => {
    const t = fromFilter({ and: [{ field: "done", op: "eq", value: false }] });
    expect(toFilter(t)).toEqual({ and: [{ field: "done", op: "eq", value: false }] });
    (t.children[0] as CondNode).op = "is_empty";
    expect(toFilter(t)).toEqual({ and: [{ field: "done", op: "is_empty" }] });
  });
});

describe("completeness", () => {
  const cond = (op: CondNode["op"], value: unknown): CondNode => ({
    ...newCondition({ name: "f", type: "number" }),
    op,
    value,
  });

  it("needs a value, a non-empty list, or both ends of a range", () => {
    expect(complete(cond("eq", undefined))).toBe(false);
    expect(complete(cond("eq", 0))).toBe(true);
    expect(complete(cond("in", []))).toBe(false);
    expect(complete(cond("in", [1]))).toBe(true);
    expect(complete(cond("in", "$user.teamMembers"))).toBe(true);
    expect(complete(cond("between", [1, undefined]))).toBe(false);
    expect(complete(cond("between", [1, 2]))).toBe(true);
    expect(complete(cond("is_empty", undefined))).toBe(true);
  });

  it("refuses an empty nested group but not an empty root", () => {
    expect(isValid(fromFilter(null))).toBe(true);
    expect(isValid(fromFilter({ and: [{ or: [] }] }))).toBe(false);
    expect(isValid(fromFilter({ and: [{ field: "f", op: "eq" }] }))).toBe(false);
  });

  it("keeps an operand across an operator change only when its shape fits", () => {
    expect(operandAfterOpChange(5, "eq", "gt")).toBe(5);
    expect(operandAfterOpChange(5, "eq", "in")).toEqual([5]);
    expect(operandAfterOpChange([5, 6], "in", "eq")).toBe(5);
    expect(operandAfterOpChange(5, "eq", "between")).toBeUndefined();
    expect(operandAfterOpChange("$user.teamMembers", "in", "eq")).toBeUndefined();
  });
});
