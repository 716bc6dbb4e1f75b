/// <reference types="vite/client" />
/**
 * Every problem code the server can send has a wording in en and zh-CN: the codes are read from the
 * worker's and plugins' sources (ErrorCode in worker/errors.ts and every `code: "..."` literal), so a
 * new code without wording fails here.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { problemText as boardProblemText } from "../sg-kanban/board-model";
import { mapProblem } from "../sg-grid/edits";
import { fieldErrorText } from "./field-errors";
import { setLocale } from "./index";

// @lit/localize announces a locale change on window; this runs outside a page.
(globalThis as { window?: unknown }).window ??= { dispatchEvent: () => true };
globalThis.CustomEvent ??= class extends Event {} as unknown as typeof CustomEvent;

const sources: Record<string, string> = {
  ...import.meta.glob<string>("../../worker/**/*.ts", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob<string>("../../plugins/**/*.ts", { query: "?raw", import: "default", eager: true }),
};

function serverCodes(): string[] {
  const codes = new Set<string>();
  for (const [path, text] of Object.entries(sources)) {
    if (path.endsWith(".test.ts")) continue;
    for (const m of text.matchAll(/\bcode(?:: | = )"([A-Za-z_]+)"/g)) codes.add(m[1]!);
  }
  const errors = sources["../../worker/errors.ts"]!;
  const union = /export type ErrorCode =([^;]+);/.exec(errors)![1]!;
  for (const m of union.matchAll(/"([a-z_]+)"/g)) codes.add(m[1]!);
  return [...codes].sort();
}

// Values for the codes worded from params (limits, formats, date parts).
const PARAMS = { limit: 5, expected: "number", format: "email", part: "day", min: "1900-01-01", max: "9999-12-31" };
const SERVER = "server message";
const wording = (code: string, message = SERVER) => fieldErrorText({ code, message, params: PARAMS });

describe("problem codes worded in the UI's language", () => {
  afterAll(() => setLocale("en"));

  it("finds the server's codes", () => {
    const codes = serverCodes();
    expect(codes).toEqual(expect.arrayContaining(["validation_failed", "version_conflict", "required", "maximum"]));
    expect(codes.length).toBeGreaterThan(60);
  });

  it("has en and zh-CN wording for every code", async () => {
    await setLocale("en");
    // English screens keep the server's own message when it sends one; the wording is for when it does not.
    const en = new Map(serverCodes().map((c) => [c, wording(c, "")]));
    const noEn = [...en].filter(([, t]) => !t).map(([c]) => c);
    await setLocale("zh-CN");
    const noZh = [...en].filter(([c, t]) => wording(c) === t || !/[\u4e00-\u9fff]/.test(wording(c))).map(([c]) => c);
    expect({ noEn, noZh }).toEqual({ noEn: [], noZh: [] });
  });

  it("words a percent range with its unit in both languages", async () => {
    const p = { code: "maximum", message: SERVER, params: { limit: 100, unit: "%" } };
    await setLocale("en");
    expect(fieldErrorText(p)).toBe("Must be at most 100%");
    await setLocale("zh-CN");
    expect(fieldErrorText(p)).toBe("不能高于 100%");
    await setLocale("en");
  });

  it("API errors, the grid and the board show the wording in the UI's language", async () => {
    await setLocale("zh-CN");
    const conflict = { title: "Version conflict", status: 409, code: "version_conflict", detail: "Record 3 is at 4" };
    const zh = "他人已修改此内容，请重新加载后再试";
    expect(new ApiError(409, conflict).message).toBe(zh);
    expect(boardProblemText(conflict, "x")).toBe(zh);
    expect(mapProblem(conflict, [], []).general).toBe(zh);
    const tooHigh = {
      title: "Validation failed",
      status: 422,
      code: "validation_failed",
      errors: [
        { field: "fields/probability", code: "maximum", message: "at most 100%", params: { limit: 100, unit: "%" } },
      ],
    };
    expect(new ApiError(422, tooHigh).message).toBe("不能高于 100%");
    expect(boardProblemText(tooHigh, "x")).toBe("不能高于 100%");
    await setLocale("en");
    // In English the server's own words stay: they name the record or the rule.
    expect(new ApiError(409, conflict).message).toBe("Record 3 is at 4");
  });

  it("keeps the server's message for a code it does not know", () => {
    expect(fieldErrorText({ code: "no_such_code_here", message: SERVER })).toBe(SERVER);
  });
});
