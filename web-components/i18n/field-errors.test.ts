import { describe, expect, it } from "vitest";
import { fieldErrorText } from "./field-errors";

describe("field problems worded by the UI", () => {
  it("words known codes from their params, in English by default", () => {
    expect(fieldErrorText({ code: "maxLength", message: "String is too long (25 > 20).", params: { limit: 20 } })).toBe(
      "At most 20 characters",
    );
    expect(
      fieldErrorText({
        code: "type",
        message: 'Instance type "string" is invalid. Expected "number".',
        params: { expected: "number" },
      }),
    ).toBe("Enter a number");
    expect(fieldErrorText({ code: "format", message: "x", params: { format: "email" } })).toBe(
      "Enter a valid email address",
    );
    expect(fieldErrorText({ code: "precision", message: "x", params: { limit: 2 } })).toBe("At most 2 decimal places");
  });

  it("words impossible dates and times, their range and broken text", () => {
    expect(
      fieldErrorText({ code: "invalid_date", message: "x", params: { format: "YYYY-MM-DD", part: "day", max: 28 } }),
    ).toBe("This date does not exist");
    expect(
      fieldErrorText({ code: "invalid_date", message: "x", params: { format: "YYYY-MM-DD", part: "syntax" } }),
    ).toBe("Enter a date as YYYY-MM-DD");
    expect(fieldErrorText({ code: "invalid_datetime", message: "x", params: { part: "hour" } })).toBe(
      "This date or time does not exist",
    );
    expect(fieldErrorText({ code: "invalid_datetime", message: "x", params: { part: "syntax" } })).toBe(
      "Enter a date and time",
    );
    expect(fieldErrorText({ code: "leap_second", message: "x", params: { part: "second" } })).toBe(
      "A leap second cannot be stored; use :59",
    );
    expect(
      fieldErrorText({ code: "out_of_range", message: "x", params: { min: "1900-01-01", max: "9999-12-31" } }),
    ).toBe("Enter a date from 1900-01-01 to 9999-12-31");
    expect(fieldErrorText({ code: "lone_surrogate", message: "x" })).toBe("The text holds a broken character");
  });

  it("keeps the server's message for codes it does not know, or when a limit is missing", () => {
    expect(fieldErrorText({ code: "no_such_code", message: "The stage Won still holds 3 deals" })).toBe(
      "The stage Won still holds 3 deals",
    );
    expect(fieldErrorText({ code: "maxLength", message: "String is too long." })).toBe("String is too long.");
    expect(fieldErrorText({ message: "Something" })).toBe("Something");
  });
});
