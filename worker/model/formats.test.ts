/**
 * JSON Schema's date and date-time formats mean the same everywhere: the generic validator (settings,
 * plugin inputs, filter operands, definitions) and the compiled record validator both check them with
 * model/dates.ts and name what is wrong with the same code and params.
 */
import { describe, expect, it } from "vitest";
import { compileRecordValidator } from "./schema-compiler";
import { validate } from "./validate";

const SETTINGS = {
  type: "object",
  additionalProperties: false,
  properties: {
    window: {
      type: "object",
      properties: { from: { type: "string", format: "date" }, until: { type: "string", format: "date-time" } },
    },
    days: { type: "array", items: { type: "string", format: "date" } },
  },
};

describe("date formats in every validator", () => {
  const CASES: [unknown, string, string][] = [
    [{ window: { from: "2027-02-30" } }, "window/from", "invalid_date"],
    [{ window: { from: "1899-12-31" } }, "window/from", "out_of_range"],
    [{ window: { until: "2026-12-31T23:59:60Z" } }, "window/until", "leap_second"],
    [{ window: { until: "2026-01-01T10:00:00+25:00" } }, "window/until", "invalid_datetime"],
    [{ window: { until: "0050-01-01T00:00:00Z" } }, "window/until", "out_of_range"],
    [{ days: ["2026-01-01", "2026-02-29"] }, "days/1", "invalid_date"],
  ];

  it("refuses impossible dates and times in settings-like schemas, naming the place, code and params", () => {
    const compiled = compileRecordValidator(SETTINGS);
    for (const [value, field, code] of CASES) {
      const generic = validate(SETTINGS, value, "");
      expect(generic, JSON.stringify(value)).toEqual([
        expect.objectContaining({ field, code, params: expect.any(Object) }),
      ]);
      expect(compiled(value, "")).toEqual([expect.objectContaining({ field, code, params: generic[0]!.params })]);
    }
  });

  it("accepts real ones", () => {
    const ok = {
      window: { from: "2024-02-29", until: "2026-12-31t23:59:59.5+08:00" },
      days: ["1900-01-01", "9999-12-31"],
    };
    expect(validate(SETTINGS, ok, "")).toEqual([]);
    expect(compileRecordValidator(SETTINGS)(ok, "")).toEqual([]);
  });
});
