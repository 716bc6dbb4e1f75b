/** Lines pasted from a spreadsheet: TSV cells kept whole, the injection guard undone, exact numbers. */
import { describe, expect, it } from "vitest";
import { parseTsv, pastedLines } from "./paste";

describe("parseTsv", () => {
  it("keeps quoted cells with tabs, line breaks and quotes whole, and drops the last empty line", () => {
    expect(parseTsv('A-1\t"two\tcells\nin one"\t"say ""hi"""\r\nB-2\t3\n')).toEqual([
      ["A-1", "two\tcells\nin one", 'say "hi"'],
      ["B-2", "3"],
    ]);
  });
});

describe("pastedLines", () => {
  it("reads SKU, quantity, discount and unit price exactly, skipping a header row", () => {
    const r = pastedLines("SKU\tQty\tDiscount\tPrice\nP-001\t1,234.5\t15%\t12.30\nP-002\t0.1\t\t\n", 2);
    expect(r.problems).toEqual([]);
    expect(r.lines).toEqual([
      { row: 2, sku: "P-001", quantity: "1234.500", discount: 1500, unitPrice: 1230 },
      { row: 3, sku: "P-002", quantity: "0.100" },
    ]);
  });

  it("undoes the spreadsheet guard's leading quote on a SKU", () => {
    expect(pastedLines("'=A1\t2", 2).lines[0]).toMatchObject({ sku: "=A1", quantity: "2.000" });
    expect(pastedLines("'-5\t2", 2).lines[0]).toMatchObject({ sku: "-5" });
  });

  it("names the row and column of what it cannot read, and reads the others", () => {
    const r = pastedLines("P-0\t1\nP-1\tabc\nP-2\t1\t150.5x\nP-3\t1.0001\n\t4\nP-5\t2\t\t1.234", 2);
    expect(r.problems).toEqual([
      { row: 2, column: "quantity" },
      { row: 3, column: "discount" },
      { row: 4, column: "quantity" },
      { row: 5, column: "sku" },
      { row: 6, column: "unit_price" },
    ]);
    expect(r.lines).toEqual([{ row: 1, sku: "P-0", quantity: "1.000" }]);
  });
});
