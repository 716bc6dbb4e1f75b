/**
 * The sales plugin's pure totals (plugins/sales/totals.ts): exact line and document amounts in
 * integer minor units, for both rounding modes and for prices with or without tax.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeTotals, type LineInput, type TotalsOptions } from "../../plugins/sales/totals";

const MODES: TotalsOptions[] = [
  { rounding: "line", pricesIncludeTax: false },
  { rounding: "document", pricesIncludeTax: false },
  { rounding: "line", pricesIncludeTax: true },
  { rounding: "document", pricesIncludeTax: true },
];

const quantity = fc
  .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 3 }))
  .map(([units, scale]) => {
    const s = String(units).padStart(scale + 1, "0");
    return scale ? `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}` : s;
  });
const line: fc.Arbitrary<LineInput> = fc.record({
  quantity,
  unitPrice: fc.integer({ min: 0, max: 100_000_000 }),
  discount: fc.integer({ min: 0, max: 10_000 }),
  taxRate: fc.oneof(fc.constantFrom(0, 300, 600, 900, 1300), fc.integer({ min: 0, max: 3000 })),
});
const options = fc.constantFrom(...MODES);

describe("sales totals", () => {
  it("computes a worked line per line: 15% off 3 x 19.99 with 13% VAT", () => {
    const t = computeTotals([{ quantity: "3", unitPrice: 1999, discount: 1500, taxRate: 1300 }], MODES[0]!);
    expect(t.lines[0]).toEqual({ subtotal: 5997, discount: 900, tax: 663, total: 5760 });
    expect(t).toMatchObject({ subtotal: 5997, discountTotal: 900, taxTotal: 663, total: 5760 });
  });

  it("rounds half away from zero once per value", () => {
    // 0.5 x 0.01 = 0.005 -> 0.01; 1 x 0.05 at 10% = 0.005 -> 0.01
    const t = computeTotals(
      [
        { quantity: "0.5", unitPrice: 1, discount: 0, taxRate: 0 },
        { quantity: "1", unitPrice: 5, discount: 0, taxRate: 1000 },
      ],
      MODES[0]!,
    );
    expect(t.lines.map((l) => [l.subtotal, l.tax])).toEqual([
      [1, 0],
      [5, 1],
    ]);
  });

  it("reads 0.1 + 0.2 quantities exactly", () => {
    const a = computeTotals(
      [
        { quantity: "0.1", unitPrice: 1000, discount: 0, taxRate: 0 },
        { quantity: "0.2", unitPrice: 1000, discount: 0, taxRate: 0 },
      ],
      MODES[0]!,
    );
    const b = computeTotals([{ quantity: "0.3", unitPrice: 1000, discount: 0, taxRate: 0 }], MODES[0]!);
    expect(a.total).toBe(300);
    expect(b.total).toBe(300);
    // A float sum carries binary noise past 3 places: refused, never rounded into the amount.
    expect(() => computeTotals([{ quantity: 0.1 + 0.2, unitPrice: 1000, discount: 0, taxRate: 0 }], MODES[0]!)).toThrow(
      RangeError,
    );
    expect(computeTotals([{ quantity: 0.3, unitPrice: 1000, discount: 0, taxRate: 0 }], MODES[0]!).total).toBe(300);
  });

  it("taxes the summed net per rate when rounding per document, and the lines still add up", () => {
    // Three lines of 0.10 at 5%: per line 0.005 -> 0.01 each (0.03); per document 0.015 -> 0.02.
    const lines = [1, 2, 3].map(() => ({ quantity: "1", unitPrice: 10, discount: 0, taxRate: 500 }));
    expect(computeTotals(lines, MODES[0]!).taxTotal).toBe(3);
    const doc = computeTotals(lines, MODES[1]!);
    expect(doc.taxTotal).toBe(2);
    expect(doc.lines.map((l) => l.tax)).toEqual([1, 1, 0]);
    expect(doc.total).toBe(32);
  });

  it("extracts tax from the gross when prices include it", () => {
    // 113.00 gross at 13%: 100.00 net + 13.00 tax; the total is the gross the customer pays.
    const t = computeTotals([{ quantity: "1", unitPrice: 11300, discount: 0, taxRate: 1300 }], MODES[2]!);
    expect(t.lines[0]).toEqual({ subtotal: 10000, discount: 0, tax: 1300, total: 11300 });
    // 10% off: gross 101.70, tax 11.70, discount without tax 10.00.
    const d = computeTotals([{ quantity: "1", unitPrice: 11300, discount: 1000, taxRate: 1300 }], MODES[2]!);
    expect(d.lines[0]).toEqual({ subtotal: 10000, discount: 1000, tax: 1170, total: 10170 });
  });

  it("refuses values the hooks must have refused first", () => {
    const ok = { quantity: "1", unitPrice: 100, discount: 0, taxRate: 0 };
    for (const bad of [
      { ...ok, quantity: "0" },
      { ...ok, quantity: "-1" },
      { ...ok, quantity: "1.0001" },
      { ...ok, quantity: "abc" },
      { ...ok, discount: 10_001 },
      { ...ok, discount: -1 },
      { ...ok, unitPrice: -1 },
      { ...ok, unitPrice: 1.5 },
      { ...ok, taxRate: -1 },
    ])
      expect(() => computeTotals([bad], MODES[0]!), JSON.stringify(bad)).toThrow(RangeError);
  });

  it("property: every line adds up and total = subtotal - discount_total + tax_total", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), options, (lines, opts) => {
        const t = computeTotals(lines, opts);
        const sum = (k: "subtotal" | "discount" | "tax" | "total") => t.lines.reduce((s, l) => s + BigInt(l[k]), 0n);
        for (const l of t.lines) {
          expect(l.total).toBe(l.subtotal - l.discount + l.tax);
          for (const v of Object.values(l)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
        }
        expect(BigInt(t.subtotal)).toBe(sum("subtotal"));
        expect(BigInt(t.discountTotal)).toBe(sum("discount"));
        expect(BigInt(t.taxTotal)).toBe(sum("tax"));
        expect(BigInt(t.total)).toBe(sum("total"));
        expect(t.total).toBe(t.subtotal - t.discountTotal + t.taxTotal);
      }),
      { numRuns: 500 },
    );
  });

  it("property: the same quote computed twice, or its lines reordered, gives the same cents", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), options, (lines, opts) => {
        const a = computeTotals(lines, opts);
        const b = computeTotals(
          lines.map((l) => ({ ...l })),
          opts,
        );
        expect(b).toEqual(a);
        const r = computeTotals([...lines].reverse(), opts);
        expect([r.subtotal, r.discountTotal, r.taxTotal, r.total]).toEqual([
          a.subtotal,
          a.discountTotal,
          a.taxTotal,
          a.total,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it("property: per line, tax is the discounted net times the rate within half a cent", () => {
    fc.assert(
      fc.property(line, (l) => {
        const t = computeTotals([l], MODES[0]!).lines[0]!;
        const net = BigInt(t.subtotal - t.discount);
        const exact2 = net * BigInt(l.taxRate) * 2n; // twice the exact tax, times 10000
        const diff = BigInt(t.tax) * 20_000n - exact2;
        expect(diff <= 10_000n && diff > -10_000n).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: per document, the tax of each rate is the rate on its summed net, rounded once", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
        const t = computeTotals(lines, MODES[1]!);
        const byRate = new Map<number, { net: bigint; tax: bigint }>();
        lines.forEach((l, i) => {
          const g = byRate.get(l.taxRate) ?? { net: 0n, tax: 0n };
          g.net += BigInt(t.lines[i]!.subtotal - t.lines[i]!.discount);
          g.tax += BigInt(t.lines[i]!.tax);
          byRate.set(l.taxRate, g);
        });
        for (const [rate, g] of byRate) {
          const n = g.net * BigInt(rate);
          expect(g.tax).toBe(n / 10_000n + (n % 10_000n >= 5_000n ? 1n : 0n));
        }
      }),
      { numRuns: 300 },
    );
  });
});
