import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { FieldOptions, FieldType } from "../../schemas/types";
import { convertValue, formatAsText, parseFromText } from "./convert";

const FAIL = Symbol("fail");
const SIZES: FieldOptions = { choices: [{ name: "Small" }, { name: "Medium" }, { name: "Large, XL" }] };
const STAGE: FieldOptions = { choices: [{ name: "Lead" }, { name: "Won" }, { name: "Lost" }] };
const ctx = { userIds: new Set(["usr_abcdefghijkl"]) };
type F = FieldType | [FieldType, FieldOptions];
const shape = (f: F) => (Array.isArray(f) ? { type: f[0], options: f[1] } : { type: f });

// [from, to, stored value, expected value or FAIL]
const CASES: [F, F, unknown, unknown][] = [
  // null is empty everywhere; an empty checkbox is false
  ["text", "number", null, null],
  ["number", "checkbox", null, false],
  ["multi_select", "text", [], null],
  // text -> number: grouping, spaces, rounding to precision (half-up, away from zero)
  ["text", "number", "1,234.5", 1234.5],
  ["text", "number", " 12 ", 12],
  ["text", "number", "12abc", FAIL],
  ["text", "number", "1,23", FAIL],
  ["text", ["number", { precision: 2 }], "3.14159", 3.14],
  ["text", ["number", { precision: 0 }], "2.5", 3],
  ["text", ["number", { precision: 0 }], "-2.5", -3],
  ["text", ["number", { precision: 1 }], "0.05", 0.1],
  ["text", ["number", { max: 10 }], "11", FAIL],
  ["text", "number", "1e20", FAIL],
  ["number", "text", 1234.5, "1234.5"],
  [["number", { precision: 4 }], ["number", { precision: 1 }], 1.25, 1.3],
  // currency: text through parseMoney, exact, never rounded
  ["text", "currency", "¥1,234.50", { amount: 123450, currency: "CNY" }],
  ["text", ["currency", { currency: "USD" }], "$ -12.5", { amount: -1250, currency: "USD" }],
  ["text", "currency", "USD 7.25", { amount: 725, currency: "USD" }],
  ["text", "currency", "1,000 JPY", { amount: 1000, currency: "JPY" }],
  ["text", "currency", "12.345", FAIL],
  ["text", "currency", "12.3400", { amount: 1234, currency: "CNY" }],
  ["text", "currency", "ten yuan", FAIL],
  ["currency", "text", { amount: 123450, currency: "CNY" }, "1234.50"],
  ["currency", "text", { amount: 5, currency: "USD" }, "USD 0.05"],
  ["currency", "text", 99, "0.99"],
  ["currency", ["currency", { currency: "USD" }], { amount: 1, currency: "CNY" }, { amount: 1, currency: "CNY" }],
  ["currency", "currency", "12", FAIL],
  ["currency", "number", { amount: 1, currency: "XXQ" }, FAIL],
  ["checkbox", "number", "yes", FAIL],
  ["user", "user", 5, FAIL],
  // number <-> currency: number is major units
  ["number", "currency", 12.5, { amount: 1250, currency: "CNY" }],
  ["number", ["currency", { currency: "JPY" }], 1500, { amount: 1500, currency: "JPY" }],
  ["number", ["currency", { currency: "JPY" }], 1.5, FAIL],
  ["number", "currency", 0.1, { amount: 10, currency: "CNY" }],
  ["number", "currency", 1e17, FAIL],
  ["currency", "number", { amount: 123456, currency: "CNY" }, 1234.56],
  ["currency", "number", { amount: 1234, currency: "JPY" }, 1234],
  ["currency", ["number", { precision: 0 }], { amount: 150, currency: "USD" }, 2],
  // number <-> percent: number is percent points
  ["number", "percent", 12.5, 1250],
  ["number", "percent", 0.125, 13],
  ["percent", "number", 1250, 12.5],
  ["percent", "text", 2500, "25%"],
  ["percent", "text", 1250, "12.5%"],
  ["percent", "text", -5, "-0.05%"],
  ["text", "percent", "25%", 2500],
  ["text", "percent", "12.5 %", 1250],
  ["text", "percent", "25", 2500],
  ["text", "percent", "25%%", FAIL],
  // checkbox
  ["checkbox", "number", true, 1],
  ["checkbox", "number", false, 0],
  ["number", "checkbox", 0, false],
  ["number", "checkbox", -3.5, true],
  ["checkbox", "text", true, "true"],
  ["checkbox", "text", false, "false"],
  ...["yes", "Y", "1", "是", "ON", "TRUE"].map((t): [F, F, unknown, unknown] => ["text", "checkbox", t, true]),
  ...["no", "n", "0", "否", "off", "False"].map((t): [F, F, unknown, unknown] => ["text", "checkbox", t, false]),
  ["text", "checkbox", "maybe", FAIL],
  // dates
  ["date", "datetime", "2024-02-29", "2024-02-29T00:00:00.000Z"],
  ["datetime", "date", "2024-03-01T23:30:00.000Z", "2024-03-01"],
  ["text", "date", "2024/3/5", "2024-03-05"],
  ["text", "date", "2023-02-29", FAIL],
  ["text", "date", "2024-13-01", FAIL],
  ["text", "date", "2024-03-01T01:00:00+08:00", "2024-02-29"],
  ["text", "datetime", "2024-03-01T08:00:00+08:00", "2024-03-01T00:00:00.000Z"],
  ["text", "datetime", "2024-03-01T08:00-0530", "2024-03-01T13:30:00.000Z"],
  ["text", "datetime", "2024-03-01", "2024-03-01T00:00:00.000Z"],
  ["text", "datetime", "0050-01-01T00:00:00Z", FAIL], // years before 1900 are out of range
  ["text", "date", "2027-02-30", FAIL],
  ["text", "datetime", "2026-12-31T23:59:60Z", FAIL], // a leap second cannot be stored
  ["text", "datetime", "2026-01-01T10:00:00+25:00", FAIL],
  ["text", "datetime", "2026-01-01 10:00+00:60", FAIL],
  ["text", "datetime", "2024-03-01T08:00:00.123456Z", "2024-03-01T08:00:00.123Z"],
  ["text", "datetime", "2024-03-01T08:00:00", FAIL],
  ["text", "datetime", "2024-03-01T24:00:00Z", FAIL],
  ["date", "text", "2024-01-02", "2024-01-02"],
  // selects
  [["single_select", STAGE], ["multi_select", STAGE], "Won", ["Won"]],
  [["single_select", SIZES], ["multi_select", SIZES], "Large, XL", ["Large, XL"]],
  [["single_select", STAGE], ["multi_select", SIZES], "Won", FAIL],
  [["multi_select", STAGE], ["single_select", STAGE], ["Lost"], "Lost"],
  [["multi_select", STAGE], ["single_select", STAGE], [], null],
  [["multi_select", STAGE], ["single_select", STAGE], ["Lead", "Won"], FAIL],
  ["text", ["single_select", STAGE], "won", "Won"],
  ["text", ["single_select", STAGE], "Maybe", FAIL],
  ["text", ["multi_select", SIZES], "small；Medium, Large, XL,", ["Small", "Medium", "Large, XL"]],
  ["text", ["multi_select", SIZES], "Small，Small", ["Small"]],
  ["text", ["multi_select", SIZES], "Small, Huge", FAIL],
  [["multi_select", SIZES], "text", ["Small", "Large, XL"], "Small, Large, XL"],
  [
    ["multi_select", SIZES],
    ["multi_select", SIZES],
    ["Small", "Large, XL"],
    ["Small", "Large, XL"],
  ],
  [["single_select", STAGE], ["single_select", { choices: [{ name: "Lead" }] }], "Won", FAIL],
  // text-like types
  ["text", "email", " ann@example.com ", "ann@example.com"],
  ["text", "email", "ann@example", FAIL],
  ["text", "email", "ann example.com", FAIL],
  ["text", "url", "https://example.com/a?b=1", "https://example.com/a?b=1"],
  ["text", "url", "ftp://example.com", FAIL],
  ["text", "url", "example.com", FAIL],
  ["text", "phone", "+86 (10) 1234-5678", "+86 (10) 1234-5678"],
  ["text", "phone", "12-34", FAIL],
  ["text", "phone", "call 12345", FAIL],
  ["email", "text", "a@b.co", "a@b.co"],
  ["long_text", ["text", { maxLength: 5 }], "abcdef", FAIL],
  ["long_text", ["text", { maxLength: 5 }], "汉字汉字汉", "汉字汉字汉"],
  ["number", "phone", 13800138000, "13800138000"],
  // rating, user, autonumber, link
  ["text", "rating", "4", 4],
  ["text", "rating", "6", FAIL],
  ["text", ["rating", { max: 10 }], "6", 6],
  ["text", "rating", "2.5", FAIL],
  ["number", "rating", 3, 3],
  ["rating", "number", 3, 3],
  ["text", "user", "usr_abcdefghijkl", "usr_abcdefghijkl"],
  ["text", "user", "usr_nobodyatall1", FAIL],
  ["user", "text", "usr_abcdefghijkl", "usr_abcdefghijkl"],
  [["autonumber", { prefix: "Q-" }], "text", 42, "Q-42"],
  [["autonumber", { prefix: "Q-" }], "number", 42, 42],
  ["number", "autonumber", 42, FAIL],
  ["link", "text", [1, 2], FAIL],
  ["text", "link", "1", FAIL],
  ["link", "link", null, FAIL],
  // malformed stored values fail instead of throwing
  ["number", "text", "12", FAIL],
  ["multi_select", "text", "Small", FAIL],
  ["date", "datetime", 20240101, FAIL],
];

describe("convertValue", () => {
  it.each(CASES.map(([from, to, value, want]) => ({ from, to, value, want })))(
    "$from -> $to: $value",
    ({ from, to, value, want }) => {
      const got = convertValue(shape(from), shape(to), value, ctx);
      if (want === FAIL) {
        expect(got.ok, JSON.stringify(got)).toBe(false);
        if (!got.ok) expect(got.reason).toMatch(/\S/);
      } else expect(got).toEqual({ ok: true, value: want });
    },
  );

  it("fails every user conversion when no user directory is given", () => {
    expect(convertValue({ type: "text" }, { type: "user" }, "usr_abcdefghijkl").ok).toBe(false);
    expect(convertValue({ type: "user" }, { type: "user" }, "usr_abcdefghijkl")).toEqual({
      ok: true,
      value: "usr_abcdefghijkl",
    });
  });
});

describe("formatAsText / parseFromText", () => {
  it("treats empty and blank text as the type's empty value", () => {
    expect(parseFromText("number", "   ")).toEqual({ ok: true, value: null });
    expect(parseFromText("checkbox", "")).toEqual({ ok: true, value: false });
    expect(parseFromText("multi_select", " , ", SIZES)).toEqual({ ok: true, value: null });
    expect(formatAsText("checkbox", null)).toBe("false");
    expect(formatAsText("text", "")).toBeNull();
  });

  it("refuses link and autonumber", () => {
    expect(() => formatAsText("link", [1])).toThrow(TypeError);
    expect(parseFromText("autonumber", "5").ok).toBe(false);
    expect(parseFromText("link", "5").ok).toBe(false);
  });

  const roundTrip = (type: FieldType, value: unknown, options: FieldOptions = {}) => {
    const text = formatAsText(type, value, options);
    expect(parseFromText(type, text ?? "", options, ctx)).toEqual({ ok: true, value });
  };

  it("round-trips numbers and percents through text", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 4 }), (n, p) => {
        const value = Number(`${n}e-${p}`); // a number with at most p decimals
        roundTrip("number", value === 0 ? 0 : value, { precision: 4 });
      }),
    );
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), (bp) => roundTrip("percent", bp)));
  });

  it("round-trips currencies, dates and datetimes through text", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom("CNY", "USD", "JPY", "BHD"), (amount, currency) => {
        roundTrip("currency", { amount, currency }, { currency: "CNY" });
      }),
    );
    // Years 1900..9999, the range model/dates.ts accepts.
    const instant = fc.integer({
      min: Date.parse("1900-01-01T00:00:00Z"),
      max: Date.parse("9999-12-31T23:59:59.999Z"),
    });
    fc.assert(
      fc.property(instant, (t) => {
        const iso = new Date(t).toISOString();
        roundTrip("datetime", iso);
        roundTrip("date", iso.slice(0, 10));
        expect(convertValue({ type: "datetime" }, { type: "date" }, iso)).toEqual({
          ok: true,
          value: iso.slice(0, 10),
        });
      }),
    );
  });
});
