/** The printed document's formatting: money exactly from minor units, dates that never shift, both languages. */
import { describe, expect, it } from "vitest";
import { printDate, printMoney, printPercent, printQuantity, word } from "./words";

describe("print formatting", () => {
  it("formats money from minor units exactly, past the float range of cents", () => {
    expect(printMoney("en", 123456789, "CNY")).toBe("CN¥1,234,567.89");
    expect(printMoney("zh-CN", 5, "CNY")).toBe("¥0.05");
    expect(printMoney("en", 9007199254740991, "USD")).toBe("$90,071,992,547,409.91");
    expect(printMoney("en", 1234, "JPY")).toBe("¥1,234");
  });
  it("formats a date in the document's language without shifting it", () => {
    expect(printDate("zh-CN", "2026-12-31")).toBe("2026年12月31日");
    expect(printDate("en", "2026-01-01")).toBe("1 January 2026");
  });
  it("formats quantities and percentages exactly", () => {
    expect(printQuantity("en", "1234.500")).toBe("1,234.5");
    expect(printQuantity("zh-CN", "0.100")).toBe("0.1");
    expect(printPercent("en", 1250)).toBe("12.5%");
  });
  it("has every word in both languages", () => {
    expect(word("zh-CN", "total")).toBe("合计");
    expect(word("en", "quote")).toBe("Quotation");
  });
});
