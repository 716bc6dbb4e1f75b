import { describe, expect, it } from "vitest";
import { dayIn, digest } from "./digest";

describe("a busy month's digest", () => {
  const day = dayIn("Asia/Shanghai");
  const ev = (start: string, allDay = false) => ({ start, allDay });

  it("keeps every event while there are few", () => {
    const events = [ev("2026-12-01T01:00:00Z"), ev("2026-12-01T02:00:00Z")];
    expect(digest(events, (e) => day(e.start, e.allDay), 1, 10)).toEqual({ shown: events, more: new Map() });
  });

  it("keeps the first events of each day in the calendar's zone and counts the rest", () => {
    const events = [
      ev("2026-11-30T16:30:00Z"), // Dec 1 in Shanghai
      ev("2026-12-01T01:00:00Z"),
      ev("2026-12-01T02:00:00Z"),
      ev("2026-12-01T17:00:00Z"), // Dec 2 in Shanghai
      ev("2026-12-02", true),
    ];
    const d = digest(events, (e) => day(e.start, e.allDay), 2, 3);
    expect(d.shown).toEqual([events[0], events[1], events[3], events[4]]);
    expect([...d.more]).toEqual([["2026-12-01", 1]]);
  });
});
