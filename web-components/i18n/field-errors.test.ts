import { describe, expect, it } from "vitest";
import { fieldErrorText } from "./field-errors";

describe("field problems worded by the UI", () => {
  it("words known codes from their params, in English by default", () => {
    expect(fieldErrorText({ code: "maxLength", message: "String is too long (25 > 20).", params: { limit: 20 } })).toBe("At most 20 characters");
    expect(fieldErrorText({ code: "type", message: 'Instance type "string" is invalid. Expected "number".', params: { expected: "number" } })).toBe("Enter a number");
    expect(fieldErrorText({ code: "format", message: "x", params: { format: "email" } })).toBe("Enter a valid email address");
    expect(fieldErrorText({ code: "precision", message: "x", params: { limit: 2 } })).toBe("At most 2 decimal places");
  });

  it("keeps the server's message for codes it does not know, or when a limit is missing", () => {
    expect(fieldErrorText({ code: "stage_in_use", message: "The stage Won still holds 3 deals" })).toBe("The stage Won still holds 3 deals");
    expect(fieldErrorText({ code: "maxLength", message: "String is too long." })).toBe("String is too long.");
    expect(fieldErrorText({ message: "Something" })).toBe("Something");
  });
});
