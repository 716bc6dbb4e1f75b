/**
 * Spreadsheet-safe cell text (OWASP CSV injection): formula-like text gets a leading quote, the
 * stored text comes back exactly, and every cell stays one cell in TSV and CSV, checked against the
 * clipboard parser the grid itself pastes with.
 */
import fc from "fast-check";
// The grid's clipboard parser (Handsontable's SheetClip); the package does not export it by name.
import { parse as parseClipboard } from "../node_modules/handsontable/3rdparty/SheetClip/SheetClip.mjs";
import { describe, expect, it } from "vitest";
import { fromSpreadsheetSafe, spreadsheetSafe, toCsv, toTsv } from "./spreadsheet-safe";

/** Text with the characters that matter here over-represented. */
const cellText = fc.string({
  unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", "'", '"', ",", "a", "1", " ", "中"),
  maxLength: 12,
});

describe("spreadsheetSafe", () => {
  it("prefixes text that begins with =, +, -, @, a tab or a carriage return with a single quote", () => {
    expect(spreadsheetSafe('=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`);
    expect(spreadsheetSafe("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(spreadsheetSafe("-2+3")).toBe("'-2+3");
    expect(spreadsheetSafe("@SUM(1)")).toBe("'@SUM(1)");
    expect(spreadsheetSafe("\t=1+1")).toBe("'\t=1+1");
    expect(spreadsheetSafe("\r=1+1")).toBe("'\r=1+1");
  });

  it("leaves other text alone, including formula characters after the first", () => {
    for (const text of ["", "Acme", "a=b", "x\t=1+1", " =1", "'quoted", "1+1", "中文", "\n=1"])
      expect(spreadsheetSafe(text)).toBe(text);
  });

  it("adds one more quote to text that already starts with quotes before a formula character", () => {
    expect(spreadsheetSafe("'=x")).toBe("''=x");
    expect(spreadsheetSafe("''-1")).toBe("'''-1");
  });

  it("never yields text a spreadsheet would run, and fromSpreadsheetSafe gives the original back", () => {
    fc.assert(
      fc.property(cellText, (text) => {
        const safe = spreadsheetSafe(text);
        expect(safe).not.toMatch(/^[=+\-@\t\r]/);
        expect(fromSpreadsheetSafe(safe)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("fromSpreadsheetSafe drops the text marker a spreadsheet user typed, and nothing else", () => {
    expect(fromSpreadsheetSafe("'=1+1")).toBe("=1+1");
    expect(fromSpreadsheetSafe("'hello")).toBe("'hello");
    expect(fromSpreadsheetSafe("=1+1")).toBe("=1+1");
  });
});

describe("toTsv and toCsv", () => {
  it("quote exactly the cells that would otherwise split or lose their quotes", () => {
    expect(
      toTsv([
        ["a", "x\t=1+1", '"q" b', 'in "mid"'],
        ["two\nlines", "'\r+x", "", "-12.5"],
      ]),
    ).toBe('a\t"x\t=1+1"\t"""q"" b"\tin "mid"\n"two\nlines"\t"\'\r+x"\t\t-12.5');
    expect(
      toCsv([
        ["a,b", 'say "hi"', "plain", "-12.5"],
        ["x\r\ny", "", "'=1", "z"],
      ]),
    ).toBe('"a,b","say ""hi""",plain,-12.5\r\n"x\r\ny",,\'=1,z');
    expect(toCsv([["a;b", "c,d"]], ";")).toBe('"a;b";c,d');
  });

  it("TSV keeps every cell whole for the clipboard parser spreadsheets and the grid use", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cellText, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (rows) => {
          const width = rows[0]!.length;
          const block = rows.map((r) => Array.from({ length: width }, (_, i) => spreadsheetSafe(r[i] ?? "")));
          // A parser cannot tell an empty last row from a trailing line end: keep the last row non-empty.
          block[block.length - 1]![0] ||= "end";
          expect(parseClipboard(toTsv(block))).toEqual(block);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
