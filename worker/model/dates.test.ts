/**
 * The date and date-time parsers against a reference: Date.UTC builds the instant from its parts
 * (reliable for years from 1900), and a date is real exactly when Date.UTC does not roll it over.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { daysInMonth, MAX_YEAR, MIN_YEAR, parseDate, parseDatetime, shiftDate, shiftMonths } from "./dates";

const p2 = (n: number) => String(n).padStart(2, "0");
const p4 = (n: number) => String(n).padStart(4, "0");

/** Reference: the calendar day exists when Date.UTC gives back the same parts. */
function realDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const year = fc.integer({ min: MIN_YEAR, max: MAX_YEAR });
const anyYear = fc.integer({ min: 0, max: 9999 });
const month = fc.integer({ min: 0, max: 99 });
const day = fc.integer({ min: 0, max: 99 });
const CODES = ["invalid_date", "invalid_datetime", "out_of_range", "leap_second"];

describe("parseDate", () => {
  it("accepts exactly the real days of 1900..9999, unchanged", () => {
    fc.assert(
      fc.property(year, month, day, (y, m, d) => {
        const text = `${p4(y)}-${p2(m)}-${p2(d)}`;
        const r = parseDate(text);
        const real = m >= 1 && m <= 12 && d >= 1 && realDay(y, m, d);
        expect(r.ok, text).toBe(real);
        if (r.ok) expect(r.value).toBe(text);
        else expect(r.code).toBe("invalid_date");
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses real days outside 1900..9999 as out of range, and impossible ones there as invalid", () => {
    fc.assert(
      fc.property(anyYear, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        fc.pre(y < MIN_YEAR);
        const r = parseDate(`${p4(y)}-${p2(m)}-${p2(d)}`);
        expect(r.ok).toBe(false);
        // The Gregorian calendar repeats every 400 years, and Date.UTC reads years 0..99 as 1900..1999.
        if (!r.ok) expect(r.code).toBe(realDay(y + 2000, m, d) ? "out_of_range" : "invalid_date");
      }),
      { numRuns: 500 },
    );
  });

  it("never throws and accepts only its own canonical form", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 14 }), fc.stringMatching(/^\d{4}-\d{1,3}-\d{1,3}$/), fc.anything()),
        (text) => {
          const r = parseDate(text);
          if (r.ok) expect(r.value).toBe(text);
          else expect(CODES).toContain(r.code);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("names what is wrong", () => {
    expect(parseDate("2027-02-30")).toMatchObject({
      ok: false,
      code: "invalid_date",
      params: { part: "day", max: 28 },
    });
    expect(parseDate("2026-13-01")).toMatchObject({ ok: false, code: "invalid_date", params: { part: "month" } });
    expect(parseDate("2024-02-29")).toEqual({ ok: true, value: "2024-02-29" });
    expect(parseDate("1900-02-29")).toMatchObject({ ok: false, code: "invalid_date" });
    expect(parseDate("2000-02-29")).toEqual({ ok: true, value: "2000-02-29" });
    expect(parseDate("1899-12-31")).toMatchObject({
      ok: false,
      code: "out_of_range",
      params: { min: "1900-01-01", max: "9999-12-31" },
    });
    expect(parseDate("2026-1-01")).toMatchObject({ ok: false, code: "invalid_date", params: { part: "syntax" } });
    expect(parseDate("2026-01-01T00:00:00Z")).toMatchObject({ ok: false, code: "invalid_date" });
  });
});

describe("parseDatetime", () => {
  const offset = fc.oneof(
    fc.constant("Z"),
    fc.constant("z"),
    fc
      .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([s, h, m]) => `${s}${p2(h)}:${p2(m)}`),
  );
  const offsetMinutes = (o: string) =>
    o.toUpperCase() === "Z" ? 0 : (o[0] === "-" ? -1 : 1) * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4, 6)));

  it("agrees with Date.UTC on valid parts and offsets, normalised to UTC", () => {
    const parts = fc.record({
      y: year,
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      frac: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
      sep: fc.constantFrom("T", "t"),
      off: offset,
    });
    fc.assert(
      fc.property(parts, ({ y, m, d, h, mi, s, frac, sep, off }) => {
        const text = `${p4(y)}-${p2(m)}-${p2(d)}${sep}${p2(h)}:${p2(mi)}:${p2(s)}${frac === undefined ? "" : `.${frac}`}${off}`;
        const r = parseDatetime(text);
        if (!realDay(y, m, d)) {
          expect(r).toMatchObject({ ok: false, code: "invalid_datetime" });
          return;
        }
        const ms = Number((frac ?? "").padEnd(3, "0").slice(0, 3));
        const t = Date.UTC(y, m - 1, d, h, mi - offsetMinutes(off), s, ms);
        const inRange = t >= Date.UTC(MIN_YEAR, 0, 1) && t < Date.UTC(MAX_YEAR + 1, 0, 1);
        if (inRange) expect(r, text).toEqual({ ok: true, value: new Date(t).toISOString() });
        else expect(r, text).toMatchObject({ ok: false, code: "out_of_range" });
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses any part out of its range, never rolling over", () => {
    const bad = fc.record({
      y: year,
      m: fc.integer({ min: 0, max: 99 }),
      d: fc.integer({ min: 0, max: 99 }),
      h: fc.integer({ min: 0, max: 99 }),
      mi: fc.integer({ min: 0, max: 99 }),
      s: fc.integer({ min: 0, max: 99 }),
      oh: fc.integer({ min: 0, max: 99 }),
      om: fc.integer({ min: 0, max: 99 }),
    });
    fc.assert(
      fc.property(bad, ({ y, m, d, h, mi, s, oh, om }) => {
        const text = `${p4(y)}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}+${p2(oh)}:${p2(om)}`;
        const valid =
          m >= 1 && m <= 12 && d >= 1 && realDay(y, m, d) && h <= 23 && mi <= 59 && s <= 59 && oh <= 23 && om <= 59;
        const r = parseDatetime(text);
        if (!valid) expect(r.ok, text).toBe(false);
        if (r.ok) {
          // Whatever is accepted reads back as the same instant.
          expect(Date.parse(r.value)).toBe(Date.UTC(y, m - 1, d, h, mi - (oh * 60 + om), s));
        } else expect(CODES).toContain(r.code);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws, and what it accepts is canonical and stable", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.anything(),
        ),
        (text) => {
          const r = parseDatetime(text);
          if (r.ok) expect(parseDatetime(r.value)).toEqual(r);
          else expect(CODES).toContain(r.code);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("names what is wrong", () => {
    expect(parseDatetime("2027-02-30T10:00:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "day" },
    });
    expect(parseDatetime("2026-13-01T10:00:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "month" },
    });
    expect(parseDatetime("2026-01-01T24:00:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "hour" },
    });
    expect(parseDatetime("2026-01-01T10:60:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "minute" },
    });
    expect(parseDatetime("2026-01-01T10:00:60Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "second" },
    });
    expect(parseDatetime("2026-12-31T23:59:60Z")).toMatchObject({ ok: false, code: "leap_second" });
    expect(parseDatetime("2027-01-01T00:59:60+01:00")).toMatchObject({ ok: false, code: "leap_second" });
    expect(parseDatetime("2026-01-01T10:00:00+25:00")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "offset" },
    });
    expect(parseDatetime("2026-01-01T10:00:00+00:60")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "offset" },
    });
    expect(parseDatetime("2026-01-01 10:00:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "syntax" },
    });
    expect(parseDatetime("2026-01-01T10:00Z")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "syntax" },
    });
    expect(parseDatetime("2026-01-01T10:00:00")).toMatchObject({
      ok: false,
      code: "invalid_datetime",
      params: { part: "syntax" },
    });
    expect(parseDatetime("1900-01-01T00:00:00+01:00")).toMatchObject({ ok: false, code: "out_of_range" });
    expect(parseDatetime("9999-12-31T23:00:00-05:00")).toMatchObject({ ok: false, code: "out_of_range" });
    expect(parseDatetime("2026-03-01t08:00:00.1239z")).toEqual({ ok: true, value: "2026-03-01T08:00:00.123Z" });
    expect(parseDatetime("2026-12-31T23:59:59.9999-00:00")).toEqual({ ok: true, value: "2026-12-31T23:59:59.999Z" });
  });
});

describe("shiftDate", () => {
  it("agrees with Date.UTC day arithmetic and refuses leaving the range", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: -4_000_000, max: 4_000_000 }),
        (d, days) => {
          const start = d.toISOString().slice(0, 10);
          const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days);
          const r = shiftDate(start, days);
          if (t >= Date.UTC(MIN_YEAR, 0, 1) && t <= Date.UTC(MAX_YEAR, 11, 31))
            expect(r).toEqual({ ok: true, value: new Date(t).toISOString().slice(0, 10) });
          else expect(r).toMatchObject({ ok: false, code: "out_of_range" });
        },
      ),
      { numRuns: 2000 },
    );
    expect(shiftDate("2026-01-01", 1e300)).toMatchObject({ ok: false });
    expect(shiftDate("2026-01-01", 0.5)).toMatchObject({ ok: false });
  });
});

describe("shiftMonths", () => {
  it("lands on the same day of the target month, or its last day when that is shorter", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: -2000, max: 2000 }),
        (d, months) => {
          const start = d.toISOString().slice(0, 10);
          const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
          const [y, m] = [first.getUTCFullYear(), first.getUTCMonth() + 1];
          const r = shiftMonths(start, months);
          if (y < MIN_YEAR || y > MAX_YEAR) expect(r).toMatchObject({ ok: false, code: "out_of_range" });
          else
            expect(r).toEqual({
              ok: true,
              value: `${p4(y)}-${p2(m)}-${p2(Math.min(d.getUTCDate(), daysInMonth(y, m)))}`,
            });
        },
      ),
      { numRuns: 2000 },
    );
    expect(shiftMonths("2026-03-31", -1)).toEqual({ ok: true, value: "2026-02-28" });
  });
});
