/** Available stock summed over warehouses and compared with a line's quantity, exactly (BigInt units). */
import { describe, expect, it } from "vitest";
import { availabilityOf, fromUnits, isShort, quantitiesByProduct, toUnits } from "./availability";

describe("toUnits / fromUnits", () => {
  it("reads decimal strings as exact units and writes them back with three places", () => {
    expect(toUnits("12.5")).toBe(12500n);
    expect(toUnits("0.001")).toBe(1n);
    expect(toUnits("3")).toBe(3000n);
    expect(toUnits("-0.250")).toBe(-250n);
    expect(toUnits("1.2340")).toBe(1234n);
    expect(fromUnits(12500n)).toBe("12.500");
    expect(fromUnits(-5n)).toBe("-0.005");
    expect(fromUnits(0n)).toBe("0.000");
  });
  it("refuses what is not a plain decimal of at most three places", () => {
    for (const t of ["", "abc", "1e3", "1.2345", "."]) expect(toUnits(t), t).toBeNull();
  });
  it("keeps digits a float would lose", () => {
    expect(fromUnits(toUnits("9007199254740993.001")! + 1n)).toBe("9007199254740993.002");
  });
});

describe("availabilityOf", () => {
  const levels = new Map([
    ["7/1", { available: "0.100" }],
    ["7/2", { available: "0.200" }],
    ["8/1", { available: "5.000" }],
  ]);
  const warehouses = [
    { id: 1, name: "SH" },
    { id: 2, name: "BJ" },
    { id: 3, name: "GZ" },
  ];
  it("sums a product's available over the warehouses exactly (0.1 + 0.2 is 0.3), a missing level as 0", () => {
    expect(availabilityOf(levels, 7, warehouses)).toEqual({
      available: "0.300",
      byWarehouse: [
        { id: 1, name: "SH", available: "0.100" },
        { id: 2, name: "BJ", available: "0.200" },
        { id: 3, name: "GZ", available: "0.000" },
      ],
    });
  });
  it("answers one warehouse's level for an order", () => {
    expect(availabilityOf(levels, 8, [warehouses[0]!]).available).toBe("5.000");
    expect(availabilityOf(levels, 8, [warehouses[1]!]).available).toBe("0.000");
  });
});

describe("isShort", () => {
  it("is short only when less is available than the quantity", () => {
    expect(isShort("4.999", "5.000")).toBe(true);
    expect(isShort("5.000", "5")).toBe(false);
    expect(isShort("5.001", "5.000")).toBe(false);
    expect(isShort("0.000", "0.001")).toBe(true);
  });
  it("compares beyond a float's precision", () => {
    expect(isShort("9007199254740993.000", "9007199254740993.001")).toBe(true);
  });
  it("is never short for a quantity it cannot read", () => {
    expect(isShort("1.000", undefined)).toBe(false);
    expect(isShort("1.000", "abc")).toBe(false);
  });
});

describe("quantitiesByProduct", () => {
  it("adds up the lines of each product exactly, so two lines of one product are compared with its stock together", () => {
    const totals = quantitiesByProduct([
      { product: 7, quantity: "0.100" },
      { product: 8, quantity: "2.000" },
      { product: 7, quantity: "0.200" },
      { product: null, quantity: "5.000" },
      { product: 8, quantity: "abc" },
    ]);
    expect(totals).toEqual(
      new Map([
        [7, "0.300"],
        [8, "2.000"],
      ]),
    );
    expect(isShort("0.299", totals.get(7))).toBe(true);
    expect(isShort("0.300", totals.get(7))).toBe(false);
  });
});
