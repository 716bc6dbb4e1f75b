/**
 * The pure part of task reminders (plugins/tasks/reminders.ts): what an offset choice means, the
 * year limit, the texts in both languages, and when "tomorrow 09:00" is in the user's zone (across a
 * daylight-saving change, and late in the evening).
 */
import { describe, expect, it } from "vitest";
import {
  checkReminders,
  fireAt,
  offsetMinutes,
  reminderKey,
  reminderTexts,
  snoozeUntil,
} from "../../plugins/tasks/reminders";

describe("reminder offsets", () => {
  it("reads minutes, hours, days and weeks, and refuses a year or more and anything else", () => {
    expect(["0m", "10m", "2h", "1d", "1w"].map(offsetMinutes)).toEqual([0, 10, 120, 1440, 10080]);
    expect(["10", "1y", "-5m", "1.5h", " 10m", 10, null].map(offsetMinutes)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(checkReminders(["1h", "10m", "60m"])).toEqual({ offsets: [10, 60], problems: [] });
    expect(checkReminders(["52w"]).problems).toEqual([]);
    expect(checkReminders(["365d"]).problems.map((p) => [p.field, p.code])).toEqual([["reminders", "out_of_range"]]);
    expect(checkReminders(["53w", "soon"]).problems.map((p) => p.code)).toEqual(["out_of_range", "invalid_reminder"]);
    expect(checkReminders(null)).toEqual({ offsets: [], problems: [] });
  });

  it("fires the offset before the occurrence's start, keyed per task, occurrence and offset", () => {
    const ref = { task: 7, occurrence: "2026-03-09T13:00:00.000Z", start: "2026-03-09T13:00:00.000Z", offset: 1440 };
    expect(fireAt(ref)).toBe("2026-03-08T13:00:00.000Z");
    expect(reminderKey(ref)).toBe("7@2026-03-09T13:00:00.000Z/1440m");
  });

  it("words the reminder in en and zh-CN", () => {
    expect(reminderTexts("Call Acme", { offset: 10 })).toEqual({
      title: { en: "Reminder: Call Acme", "zh-CN": "提醒：Call Acme" },
      body: { en: "Starts in 10 minutes", "zh-CN": "10 分钟后开始" },
    });
    expect(reminderTexts("x", { offset: 1440, due: true }).body).toEqual({ en: "Due in 1 day", "zh-CN": "1 天后到期" });
    expect(reminderTexts("x", { offset: 0 }).body.en).toBe("Starts now");
    expect(reminderTexts("x", { offset: 10, snooze: "2026-01-01T00:00:00Z" }).body.en).toBe("Snoozed reminder");
    expect(reminderTexts("y".repeat(400), { offset: 60 }).title.en.length).toBeLessThanOrEqual(200);
  });
});

describe("snooze", () => {
  const at = (s: string) => Date.parse(s);
  it("ends after 10 minutes or an hour", () => {
    expect(snoozeUntil("10m", at("2026-03-07T12:00:00Z"), "UTC")).toBe(at("2026-03-07T12:10:00Z"));
    expect(snoozeUntil("1h", at("2026-03-07T12:00:00Z"), "UTC")).toBe(at("2026-03-07T13:00:00Z"));
  });

  it("ends tomorrow at 09:00 in the user's zone, across a daylight-saving change and late in the evening", () => {
    // New York, Saturday 2026-03-07 20:00 EST: tomorrow 09:00 is EDT (clocks go forward that night).
    expect(snoozeUntil("tomorrow", at("2026-03-08T01:00:00Z"), "America/New_York")).toBe(at("2026-03-08T13:00:00Z"));
    // Shanghai, 23:30 on 2026-03-07: tomorrow is the 8th there, although UTC is still the 7th.
    expect(snoozeUntil("tomorrow", at("2026-03-07T15:30:00Z"), "Asia/Shanghai")).toBe(at("2026-03-08T01:00:00Z"));
    // Shanghai, 00:30 on the 8th (UTC the 7th): tomorrow is the 9th.
    expect(snoozeUntil("tomorrow", at("2026-03-07T16:30:00Z"), "Asia/Shanghai")).toBe(at("2026-03-09T01:00:00Z"));
  });
});
