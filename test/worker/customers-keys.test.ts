import { describe, expect, it } from "vitest";
import { emailKey, nameKey, phoneKey } from "../../plugins/customers/keys";

describe("duplicate keys", () => {
  it("treats spelling variants of a company name as one", () => {
    expect(nameKey("上海华腾科技有限公司")).toBe(nameKey(" 上海华腾科技 "));
    expect(nameKey("上海华腾科技股份有限公司")).toBe("上海华腾科技");
    expect(nameKey("Acme Trading Co., Ltd.")).toBe(nameKey("ACME  trading"));
    expect(nameKey("Acme, Inc.")).toBe("acme");
    expect(nameKey("Ａｃｍｅ Inc")).toBe("acme");
    expect(nameKey("Globex GmbH")).toBe("globex");
  });

  it("keeps names that differ apart", () => {
    expect(nameKey("Acme Trading")).not.toBe(nameKey("Acme Logistics"));
    expect(nameKey("北京华腾")).not.toBe(nameKey("上海华腾"));
    // A name that is only a suffix stays itself rather than becoming empty.
    expect(nameKey("Inc")).toBe("inc");
    expect(nameKey("")).toBeNull();
    expect(nameKey(null)).toBeNull();
  });

  it("compares phones by digits and emails without case", () => {
    expect(phoneKey("+86 138 0013 8000")).toBe("13800138000");
    expect(phoneKey("138-0013-8000")).toBe("13800138000");
    expect(phoneKey("0086 13800138000")).toBe("13800138000");
    expect(phoneKey("(021) 6123 4567")).toBe("2161234567");
    expect(phoneKey("+86 21 6123 4567")).toBe("2161234567");
    expect(phoneKey("+1 415 555 0100")).toBe("14155550100");
    expect(phoneKey("12")).toBeNull();
    expect(emailKey(" Sales@Example.COM ")).toBe("sales@example.com");
    expect(emailKey("not-an-email")).toBeNull();
  });
});
