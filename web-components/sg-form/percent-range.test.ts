/**
 * The form and grid percent editors keep to the field's declared range (options min/max in percent,
 * values in basis points), with the same wording as the server's 422; a field without a range takes any.
 */
import { describe, expect, it } from "vitest";
import type { FieldInfo } from "../api/client";
import { parseValue, type GridField } from "../sg-grid/values";
import { fromText } from "./values";

const probability = {
  label: "Probability",
  id: "fld_p",
  name: "probability",
  type: "percent",
  options: { min: 0, max: 100 },
  access: "write",
};
const rate = { ...probability, name: "rate", options: {} };

describe("percent editors keep to the range", () => {
  it("the form refuses 150% and -1%, takes 100% and 0%", () => {
    const f = probability as FieldInfo;
    expect(fromText(f, "150")).toEqual({ ok: false, message: "Must be at most 100%" });
    expect(fromText(f, "-1")).toEqual({ ok: false, message: "Must be at least 0%" });
    expect(fromText(f, "100%")).toEqual({ ok: true, value: 10000 });
    expect(fromText(f, "0")).toEqual({ ok: true, value: 0 });
    expect(fromText(rate as FieldInfo, "150")).toEqual({ ok: true, value: 15000 });
  });

  it("the grid refuses 150% typed or pasted as a number, takes 100%", () => {
    const f = probability as GridField;
    expect(parseValue(f, "150")).toEqual({ ok: false, message: "Must be at most 100%" });
    expect(parseValue(f, 15000)).toEqual({ ok: false, message: "Must be at most 100%" });
    expect(parseValue(f, "-0.5%")).toEqual({ ok: false, message: "Must be at least 0%" });
    expect(parseValue(f, "100")).toEqual({ ok: true, value: 10000 });
    expect(parseValue(rate as GridField, "150")).toEqual({ ok: true, value: 15000 });
  });
});
