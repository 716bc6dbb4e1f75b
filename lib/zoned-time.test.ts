import { describe, expect, it } from "vitest";
import { instantOf, isTimeZone, offsetAt, wallAt } from "./zoned-time";

const iso = (ms: number) => new Date(ms).toISOString();
const w = (year: number, month: number, day: number, hour: number, minute = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
});

describe("zoned time", () => {
  it("reads a wall time that does not exist (New York, 2026-03-08 02:30) with the offset before the gap", () => {
    expect(iso(instantOf(w(2026, 3, 8, 2, 30), "America/New_York"))).toBe("2026-03-08T07:30:00.000Z");
    expect(wallAt(Date.parse("2026-03-08T07:30:00Z"), "America/New_York")).toMatchObject({ hour: 3, minute: 30 });
  });
  it("takes the first of a wall time that occurs twice (New York, 2026-11-01 01:30 is EDT)", () => {
    expect(iso(instantOf(w(2026, 11, 1, 1, 30), "America/New_York"))).toBe("2026-11-01T05:30:00.000Z");
  });
  it("keeps 09:00 local on both sides of a change", () => {
    expect(iso(instantOf(w(2026, 3, 6, 9), "America/New_York"))).toBe("2026-03-06T14:00:00.000Z");
    expect(iso(instantOf(w(2026, 3, 9, 9), "America/New_York"))).toBe("2026-03-09T13:00:00.000Z");
    expect(iso(instantOf(w(2026, 3, 9, 9), "Asia/Shanghai"))).toBe("2026-03-09T01:00:00.000Z");
    expect(offsetAt(Date.parse("2026-07-01T00:00:00Z"), "Europe/Berlin")).toBe(2 * 3_600_000);
  });
  it("knows zones", () => {
    expect(isTimeZone("Asia/Shanghai")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
