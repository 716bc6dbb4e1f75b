import { describe, expect, it } from "vitest";
import { dayBefore, moveValues, slotValue } from "./moves";

describe("calendar moves", () => {
  it("writes a date field's day and its inclusive last day from an all-day event's exclusive end", () => {
    const v = moveValues(
      { start: { name: "day", type: "date" }, end: { name: "last", type: "date" } },
      {
        start: new Date("2026-12-03T00:00:00Z"),
        end: new Date("2026-12-05T00:00:00Z"),
        startStr: "2026-12-03",
        endStr: "2026-12-05",
      },
    );
    expect(v).toEqual({ day: "2026-12-03", last: "2026-12-04" });
  });

  it("writes instants for datetime fields and leaves an absent end alone", () => {
    const start = new Date("2026-12-03T01:30:00Z");
    expect(
      moveValues(
        { start: { name: "at", type: "datetime" }, end: { name: "until", type: "datetime" } },
        { start, end: null, startStr: "2026-12-03T09:30:00+08:00", endStr: "" },
      ),
    ).toEqual({ at: "2026-12-03T01:30:00.000Z" });
  });

  it("steps back over month and year ends", () => {
    expect(dayBefore("2027-01-01")).toBe("2026-12-31");
    expect(dayBefore("2028-03-01")).toBe("2028-02-29");
  });

  it("prefills a date field with the clicked day and a datetime with the instant", () => {
    expect(slotValue("date", new Date("2026-12-02T16:00:00Z"), "2026-12-03")).toBe("2026-12-03");
    expect(slotValue("datetime", new Date("2026-12-02T16:00:00Z"), "2026-12-03T00:00:00+08:00")).toBe(
      "2026-12-02T16:00:00.000Z",
    );
  });
});
