import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  addMoney,
  decimalToString,
  divRoundHalfUp,
  formatMoney,
  includedTax,
  minorDigits,
  multiplyMoney,
  parseDecimal,
  parseMoney,
  rescale,
} from "./money";

const MAX = Number.MAX_SAFE_INTEGER;
const CURRENCIES = ["CNY", "USD", "JPY"] as const;

describe("minorDigits", () => {
  it("reads the minor unit from ICU", () => {
    expect(minorDigits("CNY")).toBe(2);
    expect(minorDigits("USD")).toBe(2);
    expect(minorDigits("JPY")).toBe(0);
    expect(minorDigits("BHD")).toBe(3);
  });

  it("rejects codes that are not currencies with a clear message", () => {
    for (const code of ["usd", "US", "USDX", "", "ZZZ", "12$"])
      expect(() => minorDigits(code)).toThrow(/unknown currency code/);
  });
});

describe("parseMoney", () => {
  const cases: [string, string, number | null][] = [
    ["1234.50", "CNY", 123450],
    ["¥1,234.5", "CNY", 123450],
    ["￥ 1 234", "CNY", 123400],
    ["RMB 88", "CNY", 8800],
    ["88元", "CNY", 8800],
    ["CNY 0.01", "CNY", 1],
    ["-¥3.20", "CNY", -320],
    ["¥-3.20", "CNY", -320],
    ["+5", "CNY", 500],
    [".5", "USD", 50],
    ["5.", "USD", 500],
    ["$12.345", "USD", null],
    ["$12.3400", "USD", 1234],
    ["12.30 usd", "USD", 1230],
    ["€1,000.00", "EUR", 100000],
    ["£0.99", "GBP", 99],
    ["1,000", "JPY", 1000],
    ["1000.0", "JPY", 1000],
    ["1000.5", "JPY", null],
    ["1.234", "BHD", 1234],
    ["-0", "CNY", 0],
    ["12 USD", "CNY", null],
    ["RMB 1", "USD", null],
    ["1,23", "CNY", null],
    ["1,2345", "CNY", null],
    ["12,345,678.9", "CNY", 1234567890],
    ["12abc", "CNY", null],
    ["1$2", "CNY", null],
    ["--1", "CNY", null],
    ["-¥-1", "CNY", null],
    ["1-", "CNY", null],
    ["", "CNY", null],
    ["¥", "CNY", null],
    [".", "CNY", null],
    ["1e3", "CNY", null],
    [String(MAX), "JPY", MAX],
    [String(MAX + 1), "JPY", null],
    ["90071992547409.91", "CNY", MAX],
    ["90071992547409.92", "CNY", null],
    ["-90071992547409.91", "CNY", -MAX],
    ["99999999999999999999999999", "CNY", null],
  ];
  it.each(cases)("%s in %s", (text, currency, want) => {
    const got = parseMoney(text, currency);
    expect(got).toBe(want);
    if (got !== null) expect(Object.is(got, -0)).toBe(false);
  });
});

describe("formatMoney", () => {
  it("formats plainly with the currency's minor digits", () => {
    expect(formatMoney(123450, "CNY")).toBe("1234.50");
    expect(formatMoney(-5, "USD")).toBe("-0.05");
    expect(formatMoney(0, "USD")).toBe("0.00");
    expect(formatMoney(1234, "JPY")).toBe("1234");
    expect(formatMoney(-1, "BHD")).toBe("-0.001");
    expect(formatMoney(MAX, "CNY")).toBe("90071992547409.91");
  });

  it("refuses amounts that are not safe integers", () => {
    for (const bad of [1.5, MAX + 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => formatMoney(bad, "CNY")).toThrow(TypeError);
  });

  it("round-trips with parseMoney for every safe integer", () => {
    const currency = fc.constantFrom(...CURRENCIES);
    fc.assert(
      fc.property(fc.maxSafeInteger(), currency, (amount, c) => {
        expect(parseMoney(formatMoney(amount, c), c)).toBe(amount === 0 ? 0 : amount);
      }),
      { numRuns: 2000 },
    );
    // Small amounts and the edges, where padding and signs go wrong.
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), currency, (amount, c) => {
        expect(parseMoney(formatMoney(amount, c), c)).toBe(amount === 0 ? 0 : amount);
      }),
    );
    for (const c of CURRENCIES) for (const a of [MAX, -MAX, 1, -1]) expect(parseMoney(formatMoney(a, c), c)).toBe(a);
  });

  it("parses grouped and decorated forms of the same amount", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (amount) => {
        const plain = formatMoney(amount, "USD");
        const [int = "", frac = ""] = plain.replace("-", "").split(".");
        const grouped = int.replace(/\B(?=(\d{3})+$)/g, ",");
        const sign = amount < 0 ? "-" : "";
        expect(parseMoney(`${sign}$${grouped}.${frac}`, "USD")).toBe(amount === 0 ? 0 : amount);
        expect(parseMoney(` ${sign}${grouped}.${frac}0 USD `, "USD")).toBe(amount === 0 ? 0 : amount);
      }),
    );
  });
});

/** Reference: round(a * qUnits * bp / (10^scale * 10000)) half-up, by plain BigInt sign handling. */
function reference(a: bigint, qUnits: bigint, scale: number, bp: bigint): bigint {
  const n = a * qUnits * bp;
  const d = 10n ** BigInt(scale) * 10_000n;
  const m = n < 0n ? -n : n;
  const q = (m * 2n + d) / (2n * d); // floor(m / d + 1/2)
  return n < 0n ? -q : q;
}

describe("arithmetic", () => {
  it("rounds half-up away from zero", () => {
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(divRoundHalfUp(4n, 3n)).toBe(1n);
    expect(divRoundHalfUp(-4n, 3n)).toBe(-1n);
    expect(multiplyMoney(1, "0.5")).toBe(1);
    expect(multiplyMoney(-1, "0.5")).toBe(-1);
    expect(multiplyMoney(1, "0.49")).toBe(0);
  });

  it("computes quote lines exactly", () => {
    expect(multiplyMoney(1999, 3)).toBe(5997);
    expect(multiplyMoney(1999, 3, 10_000 - 1500)).toBe(5097); // 15% off 59.97 = 50.9745
    expect(multiplyMoney(5097, 1, 1300)).toBe(663); // 13% VAT of 50.97 = 6.6261
    expect(multiplyMoney(10, 0.1)).toBe(1); // 0.1 is read as the decimal it prints as
    expect(multiplyMoney(333, "2.5")).toBe(833); // 832.5 -> 833
    expect(multiplyMoney(100, "1e2")).toBe(10_000);
    expect(() => multiplyMoney(MAX, 2)).toThrow(RangeError);
    expect(() => multiplyMoney(1, "abc")).toThrow(TypeError);
    expect(() => multiplyMoney(1.5, 1)).toThrow(TypeError);
  });

  it("matches a BigInt reference", () => {
    const quantity = fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 4 }));
    fc.assert(
      fc.property(
        fc.integer({ min: -1e10, max: 1e10 }),
        quantity,
        fc.integer({ min: 0, max: 20_000 }),
        (a, [qu, qs], bp) => {
          const q = decimalToString(BigInt(qu), qs);
          const want = reference(BigInt(a), BigInt(qu), qs, BigInt(bp));
          if (want > BigInt(MAX) || want < -BigInt(MAX)) expect(() => multiplyMoney(a, q, bp)).toThrow(RangeError);
          else expect(multiplyMoney(a, q, bp)).toBe(Number(want));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("extracts the tax a gross amount includes, rounded once", () => {
    expect(includedTax(11300, 1300)).toBe(1300); // 113.00 at 13% holds 13.00
    expect(includedTax(100, 1300)).toBe(12); // 1.00 x 13/113 = 0.11504 -> 0.12
    expect(includedTax(50, 1000)).toBe(5); // 0.50 x 10/110 = 0.04545 -> 0.05
    expect(includedTax(1, 1300)).toBe(0);
    expect(includedTax(-11300, 1300)).toBe(-1300);
    expect(includedTax(5000, 0)).toBe(0);
    expect(() => includedTax(1.5, 1300)).toThrow(TypeError);
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 100_000 }), (g, bp) => {
        const want = divRoundHalfUp(BigInt(g) * BigInt(bp), 10_000n + BigInt(bp));
        expect(includedTax(g, bp)).toBe(Number(want));
      }),
    );
  });

  it("adds without losing precision, or throws", () => {
    expect(addMoney()).toBe(0);
    expect(addMoney(MAX, -MAX, 5)).toBe(5);
    expect(() => addMoney(MAX, 1)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e12, max: 1e12 })), (xs) => {
        expect(addMoney(...xs)).toBe(Number(xs.reduce((s, x) => s + BigInt(x), 0n)));
      }),
    );
  });

  it("reads and rescales exact decimals", () => {
    expect(parseDecimal("1.50")).toEqual({ units: 150n, scale: 2 });
    expect(parseDecimal("-1e-3")).toEqual({ units: -1n, scale: 3 });
    expect(parseDecimal("2.5e3")).toEqual({ units: 2500n, scale: 0 });
    expect(parseDecimal("1e999")).toBeNull();
    expect(rescale({ units: 1005n, scale: 3 }, 2, "half-up")).toBe(101n);
    expect(rescale({ units: -1005n, scale: 3 }, 2, "half-up")).toBe(-101n);
    expect(rescale({ units: 1005n, scale: 3 }, 2, "exact")).toBeNull();
    expect(decimalToString(1250n, 2, true)).toBe("12.5");
  });
});
