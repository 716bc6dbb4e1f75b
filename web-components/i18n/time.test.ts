/** The shared time module: wall-clock input in a zone <-> instants, and calendar days that never shift. */
import { afterEach, describe, expect, it } from "vitest";
import { formatDate, formatDateTime, fromZonedInput, setUserTimeZone, timeZone, toZonedInput } from "./time";

afterEach(() => setUserTimeZone(null));

describe("i18n/time", () => {
  it("reads and writes datetime-local values in the given zone, either side of midnight", () => {
    expect(toZonedInput("2026-03-01T20:30:00.000Z", "UTC")).toBe("2026-03-01T20:30");
    expect(toZonedInput("2026-03-01T20:30:00.000Z", "Asia/Shanghai")).toBe("2026-03-02T04:30");
    expect(fromZonedInput("2026-03-02T04:30", "Asia/Shanghai")).toBe("2026-03-01T20:30:00.000Z");
    expect(fromZonedInput("2026-03-01T20:30", "UTC")).toBe("2026-03-01T20:30:00.000Z");
    expect(fromZonedInput("not a time", "UTC")).toBeNull();
  });

  it("follows daylight saving: a summer and a winter time in New York, and a skipped hour moves forward", () => {
    expect(fromZonedInput("2026-07-01T09:00", "America/New_York")).toBe("2026-07-01T13:00:00.000Z");
    expect(fromZonedInput("2026-01-15T09:00", "America/New_York")).toBe("2026-01-15T14:00:00.000Z");
    expect(toZonedInput(fromZonedInput("2026-03-08T02:30", "America/New_York"), "America/New_York")).toBe(
      "2026-03-08T03:30",
    );
  });

  it("uses the user's zone once set, for formatting and inputs alike", () => {
    setUserTimeZone("Asia/Shanghai");
    expect(timeZone()).toBe("Asia/Shanghai");
    expect(toZonedInput("2026-03-01T20:30:00.000Z")).toBe("2026-03-02T04:30");
    expect(formatDateTime("2026-03-01T20:30:00.000Z").replace(/\s/g, " ")).toBe("Mar 2, 2026, 4:30 AM");
    setUserTimeZone("Not/AZone");
    expect(timeZone("UTC")).toBe("UTC");
  });

  it("shows a date without a time as that calendar day in every zone", () => {
    for (const zone of ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]) {
      setUserTimeZone(zone);
      expect(formatDate("2026-03-01")).toBe("Mar 1, 2026");
    }
  });
});
