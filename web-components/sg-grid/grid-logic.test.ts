/**
 * The grid's pure logic: value parsing and formatting per field type (money exact), the page cache
 * (bounded memory, cursor after a loaded page, offset for a jump, stale generations dropped), and
 * edits to bulk writes (grouping, paste plans, problem mapping).
 */
import { describe, expect, it } from "vitest";
import type { ApiRecord, ListReply } from "../api/client";
import { RecordSource, type PageRequest } from "./data-source";
import { chunk, mapProblem, planPaste, planUpdates, MAX_BULK } from "./edits";
import { clipboardText, copyText, formatValue, parseValue, type GridField } from "./values";

const field = (type: GridField["type"], options: GridField["options"] = {}, name: string = type): GridField => ({
  id: `fld_${name}`,
  name,
  type,
  options,
  access: "write",
});
const value = (f: GridField, text: unknown) => {
  const p = parseValue(f, text);
  if (!p.ok) throw new Error(p.message);
  return p.value;
};
const problem = (f: GridField, text: unknown) => {
  const p = parseValue(f, text);
  return p.ok ? null : p.message;
};

describe("parseValue", () => {
  it("reads money exactly into integer minor units, in the field's currency or a named one", () => {
    const cny = field("currency", { currency: "CNY" });
    expect(value(cny, "1,234.56")).toBe(123456);
    expect(value(cny, "¥0.1")).toBe(10);
    expect(value(cny, "(12.30)")).toBe(-1230);
    expect(value(cny, "19.99")).toBe(1999); // 19.99 * 100 is 1998.9999999999998 in floats
    expect(value(cny, "10.00 USD")).toEqual({ amount: 1000, currency: "USD" });
    expect(value(field("currency", { currency: "JPY" }), "1,500")).toBe(1500);
    expect(problem(cny, "1.234")).toMatch(/at most 2 decimals/);
    expect(problem(field("currency", { currency: "JPY" }), "1.5")).toMatch(/at most 0 decimals/);
    expect(problem(cny, "abc")).toMatch(/not an amount/);
    expect(problem(cny, "99999999999999999")).not.toBeNull();
  });

  it("reads percentages as basis points and numbers within their range", () => {
    const pct = field("percent");
    expect(value(pct, "12.5%")).toBe(1250);
    expect(value(pct, "7")).toBe(700);
    expect(problem(pct, "1.234%")).not.toBeNull();
    const n = field("number", { min: 0, max: 10 });
    expect(value(field("number"), "1,000")).toBe(1000);
    expect(problem(n, "11")).toMatch(/At most 10/);
    expect(problem(n, "-1")).toMatch(/At least 0/);
    expect(value(n, "2.5")).toBe(2.5);
    expect(problem(n, "2,5x")).toMatch(/not a number/);
    expect(value(field("rating"), "★★★")).toBe(3);
    expect(problem(field("rating"), "9")).toMatch(/At most 5/);
  });

  it("reads dates in ISO, slashes, Chinese and Excel serial forms and refuses impossible days", () => {
    const d = field("date");
    expect(value(d, "2026-01-31")).toBe("2026-01-31");
    expect(value(d, "2026/1/5")).toBe("2026-01-05");
    expect(value(d, "2026年2月3日")).toBe("2026-02-03");
    expect(value(d, "45658")).toBe("2025-01-01");
    expect(problem(d, "2026-02-30")).toMatch(/not a date/);
    expect(problem(d, "tomorrow")).toMatch(/not a date/);
    expect(value(field("datetime"), "2026-03-01T08:30:00Z")).toBe("2026-03-01T08:30:00.000Z");
  });

  it("reads a date and time without a zone as wall time in the user's zone, and writes it back so", () => {
    const dt = field("datetime");
    const at = (text: string, tz: string) => {
      const p = parseValue(dt, text, tz);
      if (!p.ok) throw new Error(p.message);
      return p.value;
    };
    expect(at("2026-03-02 09:15", "Asia/Shanghai")).toBe("2026-03-02T01:15:00.000Z");
    expect(at("2026-03-02T09:15:30", "UTC")).toBe("2026-03-02T09:15:30.000Z");
    expect(at("2026-03-02", "Asia/Shanghai")).toBe("2026-03-01T16:00:00.000Z");
    // A zone in the text wins over the user's.
    expect(at("2026-03-02T09:15:00+02:00", "Asia/Shanghai")).toBe("2026-03-02T07:15:00.000Z");
    expect(parseValue(dt, "2026-02-30 09:15", "UTC").ok).toBe(false);
    expect(parseValue(dt, "2026-03-02 25:00", "UTC").ok).toBe(false);
    expect(copyText(dt, "2026-03-02T01:15:00.000Z", "Asia/Shanghai")).toBe("2026-03-02 09:15");
    expect(copyText(dt, "2026-03-02T01:15:07.000Z", "America/New_York")).toBe("2026-03-01 20:15:07");
    for (const tz of ["Asia/Shanghai", "America/New_York", "UTC"])
      expect(at(copyText(dt, "2026-07-04T23:59:59.000Z", tz), tz)).toBe("2026-07-04T23:59:59.000Z");
  });

  it("reads choices by name or label, checkboxes in words, users and link ids", () => {
    const sel = field("single_select", { choices: [{ name: "won", labels: { "zh-CN": "赢单" } }, { name: "lost" }] });
    expect(value(sel, "WON")).toBe("won");
    expect(value(sel, "赢单")).toBe("won");
    expect(value(sel, "")).toBeNull();
    expect(problem(sel, "maybe")).toMatch(/not one of the choices/);
    const multi = field("multi_select", { choices: [{ name: "a" }, { name: "b" }] });
    expect(value(multi, "a, b; a")).toEqual(["a", "b"]);
    expect(problem(multi, "a, c")).toMatch(/"c"/);
    const cb = field("checkbox");
    expect(value(cb, "TRUE")).toBe(true);
    expect(value(cb, "是")).toBe(true);
    expect(value(cb, "")).toBe(false);
    expect(value(cb, true)).toBe(true);
    expect(problem(cb, "perhaps")).not.toBeNull();
    expect(value(field("user"), "usr_abcdefghijkl")).toBe("usr_abcdefghijkl");
    expect(problem(field("user"), "bob")).not.toBeNull();
    expect(value(field("link"), "#3, 4 3")).toEqual([3, 4]);
    expect(problem(field("link", { multiple: false }), "3,4")).toMatch(/one/);
    expect(problem(field("autonumber"), "5")).not.toBeNull();
    expect(problem(field("text", { maxLength: 3 }), "abcd")).toMatch(/At most 3/);
  });

  it("copy text reads back to the same value for every type (copy then paste is the identity)", () => {
    const cases: [GridField, unknown][] = [
      [field("currency", { currency: "CNY" }), 123456],
      [field("currency", { currency: "CNY" }), { amount: -5, currency: "USD" }],
      [field("percent"), 1250],
      [field("number"), -2.5],
      [field("date"), "2026-12-31"],
      [field("checkbox"), true],
      [field("checkbox"), false],
      [field("multi_select", { choices: [{ name: "x" }, { name: "y" }] }), ["y", "x"]],
      [field("link"), [{ id: 7, primary: "Acme" }, { id: 9 }]],
      [field("text"), "hello\tworld"],
    ];
    for (const [f, v] of cases) {
      const back = value(f, copyText(f, v));
      const expected = f.type === "link" ? [7, 9] : v;
      expect(back, `${f.type} ${JSON.stringify(v)}`).toEqual(expected);
    }
  });

  it("formats values for display", () => {
    expect(formatValue(field("currency", { currency: "CNY" }), 123456)).toMatch(/1,234\.56/);
    expect(formatValue(field("percent"), 1250)).toMatch(/12\.5\s?%/);
    expect(formatValue(field("link"), [{ id: 1, primary: "Acme" }, { id: 2 }])).toBe("Acme, #2");
    const stage = field("single_select", { choices: [{ name: "first_contact", labels: { en: "First contact" } }] });
    expect(formatValue(stage, "first_contact")).toBe("First contact");
  });

  it("shows user and link ids by name, an unreadable target as (no access), never the id", () => {
    const names = {
      user: (id: string) => (id === "usr_aaaaaaaaaaaa" ? "Alice" : id === "usr_bbbbbbbbbbbb" ? null : undefined),
      link: (_f: string, id: number) => (id === 7 ? "Acme" : id === 8 ? null : undefined),
      noAccess: () => "(no access)",
    };
    expect(formatValue(field("user"), "usr_aaaaaaaaaaaa", null, names)).toBe("Alice");
    expect(formatValue(field("user"), "usr_bbbbbbbbbbbb", null, names)).toBe("(no access)");
    expect(formatValue(field("user"), "usr_cccccccccccc", null, names)).toBe("…");
    expect(formatValue(field("link"), [7, 8, 9], null, names)).toBe("Acme, (no access), …");
    expect(formatValue(field("link"), [{ id: 8 }], null, names)).toBe("(no access)");
    expect(formatValue(field("checkbox"), true)).toBe("✓");
    expect(formatValue(field("text"), null)).toBe("");
  });
});

/** A fake server over n rows with ids 1..n: honours limit, offset, cursor (the last id) and count. */
function server(n: number, opts: { delay?: number } = {}) {
  const calls: PageRequest[] = [];
  let rows = n;
  const fetchPage = async (req: PageRequest): Promise<ListReply> => {
    calls.push(req);
    if (opts.delay) await new Promise((r) => setTimeout(r, opts.delay));
    const start = req.cursor ? Number(req.cursor) : (req.offset ?? 0);
    const ids = Array.from({ length: Math.max(0, Math.min(req.limit, rows - start)) }, (_, i) => start + i + 1);
    const records: ApiRecord[] = ids.map((id) => ({ id, version: 1, fields: { n: id } }));
    const more = start + req.limit < rows;
    return { records, nextCursor: more ? String(start + req.limit) : null, ...(req.count ? { total: rows } : {}) };
  };
  return { calls, fetchPage, setRows: (r: number) => (rows = r) };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("RecordSource", () => {
  it("loads the first page with the count, then pages on demand: cursor after a loaded page, offset for a jump", async () => {
    const s = server(1_000_000);
    const src = new RecordSource(s.fetchPage, { pageSize: 100, maxPages: 10 });
    await src.reset();
    expect(src.total).toBe(1_000_000);
    expect(s.calls[0]).toEqual({ limit: 100, count: true });
    expect(src.rowAt(0)?.id).toBe(1);
    expect(src.rowAt(150)).toBeUndefined();
    src.want(100, 150);
    await settle();
    expect(src.rowAt(150)?.id).toBe(151);
    expect(s.calls.find((c) => c.cursor === "100")).toBeTruthy(); // page 1 followed page 0's cursor
    s.calls.length = 0;
    src.want(500_000, 500_040);
    await settle();
    expect(src.rowAt(500_020)?.id).toBe(500_021);
    expect(s.calls.some((c) => c.offset === 499_900)).toBe(true); // the page before, by offset
    expect(s.calls.some((c) => c.offset === 500_000)).toBe(true);
    expect(s.calls.every((c) => c.offset === undefined || c.cursor === undefined)).toBe(true);
  });

  it("keeps at most maxPages pages however far the grid scrolls, and never drops the rows on screen", async () => {
    const s = server(100_000);
    const src = new RecordSource(s.fetchPage, { pageSize: 50, maxPages: 6 });
    await src.reset();
    for (let row = 0; row < 20_000; row += 137) {
      src.want(row, row + 30);
      await settle();
      expect(src.pageCount).toBeLessThanOrEqual(6);
      expect(src.rowAt(row)?.id).toBe(row + 1);
      expect(src.rowAt(row + 30)?.id).toBe(row + 31);
    }
  });

  it("drops queued pages the grid no longer wants and late replies of an older query", async () => {
    const s = server(10_000, { delay: 2 });
    const src = new RecordSource(s.fetchPage, { pageSize: 10, maxPages: 50, concurrency: 1 });
    await src.reset();
    src.want(1000, 1200); // many pages queued, one at a time
    src.want(5000, 5005); // jump: the queue is replaced
    await new Promise((r) => setTimeout(r, 60));
    expect(src.rowAt(5000)?.id).toBe(5001);
    expect(s.calls.filter((c) => (c.offset ?? 0) >= 1100 && (c.offset ?? 0) <= 1200).length).toBe(0);
    src.want(7000, 7001);
    const pending = src.reset(); // a new query while pages load
    await pending;
    await new Promise((r) => setTimeout(r, 20));
    expect(src.rowAt(7000)).toBeUndefined();
    expect(src.rowAt(0)?.id).toBe(1);
  });

  it("ensure() resolves with every row of a range loaded; replace() swaps in written records", async () => {
    const s = server(1000);
    const changed: number[] = [];
    const src = new RecordSource(s.fetchPage, { pageSize: 20, maxPages: 20, onChange: (a) => changed.push(a) });
    await src.reset();
    await src.ensure(100, 249);
    for (let i = 100; i <= 249; i++) expect(src.has(i)).toBe(true);
    await expect(src.ensure(0, 999)).rejects.toThrow(/At most/);
    src.replace([{ id: 101, version: 2, fields: { n: -1 } }]);
    expect(src.rowAt(100)).toEqual({ id: 101, version: 2, fields: { n: -1 } });
    expect(changed).toContain(100);
    expect(src.indexOf(101)).toBe(100);
  });

  it("asks for no page past the first while a new query's count is unknown, so the count is never a guess", async () => {
    const s = server(30);
    // Pages after the first answer last, as an offset read can under load.
    const fetchPage = async (req: PageRequest) => {
      if (!req.count) await new Promise((r) => setTimeout(r, 10));
      return s.fetchPage(req);
    };
    const totals: (number | null)[] = [];
    const src: RecordSource = new RecordSource(fetchPage, { pageSize: 100, onChange: () => totals.push(src.total) });
    const pending = src.reset();
    src.want(0, 59); // the grid still draws the old query's 60 rows while the new one loads
    await pending;
    await new Promise((r) => setTimeout(r, 30));
    expect(src.total).toBe(30);
    expect(totals.every((t) => t === 30)).toBe(true);
    expect(s.calls.every((c) => !c.offset)).toBe(true);
  });

  it("learns the true end from a short last page", async () => {
    const s = server(95);
    const src = new RecordSource(s.fetchPage, { pageSize: 50 });
    await src.reset();
    s.setRows(80);
    src.want(50, 94);
    await settle();
    expect(src.total).toBe(80);
  });
});

describe("edits", () => {
  const rec = (id: number, version = 1): ApiRecord => ({ id, version, fields: {} });
  const at = (row: number) => (row < 100 ? rec(row + 1, row + 10) : undefined);

  it("groups changes per record with its version; the last change of a cell wins", () => {
    const { items, rows } = planUpdates(
      [
        { row: 3, field: "a", value: 1 },
        { row: 5, field: "a", value: 2 },
        { row: 3, field: "b", value: "x" },
        { row: 3, field: "a", value: 9 },
        { row: 500, field: "a", value: 0 },
      ],
      at,
    );
    expect(items).toEqual([
      { id: 4, version: 13, fields: { a: 9, b: "x" } },
      { id: 6, version: 15, fields: { a: 2 } },
    ]);
    expect(rows).toEqual([3, 5]);
    expect(chunk(Array.from({ length: 2500 }, (_, i) => i)).map((c) => c.length)).toEqual([MAX_BULK, MAX_BULK, 500]);
  });

  it("plans a 50x3 paste as 150 typed changes, skipping read-only columns and reporting bad cells", () => {
    const cols = [
      field("text", {}, "name"),
      field("currency", { currency: "CNY" }, "amount"),
      field("number", {}, "locked"),
      field("date", {}, "close"),
    ];
    const block = Array.from({ length: 50 }, (_, i) => [`n${i}`, `${i}.5`, `${i}`]);
    const plan = planPaste(block, { row: 10, col: 0 }, cols, 1000, (f) => f.name !== "locked", false);
    expect(plan.changes).toHaveLength(100);
    expect(plan.readOnly).toBe(50);
    expect(plan.changes[1]).toEqual({ row: 10, field: "amount", value: 50 });
    const full = planPaste(block, { row: 0, col: 0 }, [cols[0]!, cols[1]!, cols[3]!], 1000, () => true, false);
    expect(full.problems).toHaveLength(50); // "0" .. "49" are not dates
    const ok = planPaste(
      block.map(([a, b]) => [a, b, "2026-01-02"]),
      { row: 0, col: 0 },
      [cols[0]!, cols[1]!, cols[3]!],
      1000,
      () => true,
      false,
    );
    expect(ok.changes).toHaveLength(150);
    expect(ok.problems).toHaveLength(0);
    expect(new Set(ok.changes.map((c) => c.row)).size).toBe(50);
  });

  it("turns rows pasted past the end into new rows when creating is allowed, drops them otherwise", () => {
    const cols = [field("text", {}, "name")];
    const block = [["a"], ["b"], ["c"]];
    expect(planPaste(block, { row: 1, col: 0 }, cols, 2, () => true, true)).toMatchObject({
      changes: [{ row: 1, field: "name", value: "a" }],
      newRows: [{ name: "b" }, { name: "c" }],
    });
    expect(planPaste(block, { row: 1, col: 0 }, cols, 2, () => true, false).newRows).toEqual([]);
    expect(planPaste([["x", "y"]], { row: 0, col: 0 }, cols, 2, () => true, false).changes).toHaveLength(1);
  });

  it("maps 422 errors to cells and 409 conflicts to rows with the current record", () => {
    const items = [
      { id: 4, version: 1, fields: { amount: "x" } },
      { id: 9, version: 2, fields: { name: "y" } },
    ];
    const v = mapProblem(
      {
        title: "Validation failed",
        status: 422,
        errors: [{ field: "records/1/fields/name", code: "max_length", message: "too long" }],
      },
      items,
      [3, 8],
    );
    expect(v).toEqual({ cells: [{ row: 8, field: "name", message: "too long" }], conflicts: [], general: null });
    const current = { id: 9, version: 3, fields: { name: "theirs" } };
    const c = mapProblem(
      {
        title: "Version conflict",
        status: 409,
        errors: [{ field: "records/1/version", code: "stale", message: "stale" }],
        conflicts: [{ index: 1, current }],
      },
      items,
      [3, 8],
    );
    expect(c.conflicts).toEqual([{ row: 8, current }]);
    expect(c.general).toBeNull();
    const single = mapProblem({ title: "Version conflict", status: 409, current }, [items[1]!], [8]);
    expect(single.conflicts).toEqual([{ row: 8, current }]);
    expect(
      mapProblem({ title: "Forbidden", status: 403, detail: "You may not update amount" }, items, [3, 8]).general,
    ).toBe("You may not update amount");
  });
});

describe("clipboard for spreadsheets", () => {
  it("neutralises formula-like text of text, choice and contact fields, and leaves numbers as numbers", () => {
    expect(clipboardText(field("text"), '=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`);
    expect(clipboardText(field("long_text"), "@SUM(1)")).toBe("'@SUM(1)");
    expect(clipboardText(field("text"), "-2+3")).toBe("'-2+3");
    expect(clipboardText(field("phone"), "+86 138 0000 0000")).toBe("'+86 138 0000 0000");
    expect(clipboardText(field("single_select", { choices: [{ name: "=x" }] }), "=x")).toBe("'=x");
    expect(clipboardText(field("text"), "Acme")).toBe("Acme");
    // Numbers are numbers: a negative one is not a formula and must paste as a number.
    expect(clipboardText(field("number"), -12.5)).toBe("-12.5");
    expect(clipboardText(field("currency", { currency: "CNY" }), -1250)).toBe("-12.50");
    expect(clipboardText(field("currency", { currency: "CNY" }), { amount: -5, currency: "USD" })).toBe("-0.05 USD");
    expect(clipboardText(field("percent"), -1250)).toBe("-12.5%");
    expect(clipboardText(field("autonumber"), 7)).toBe("7");
  });

  it("pasting our own copy back gives the original values: the leading ' is the spreadsheet's text marker and is dropped", () => {
    const cols = [
      field("text", {}, "name"),
      field("number", {}, "qty"),
      field("multi_select", { choices: [{ name: "-a" }, { name: "b" }] }, "tags"),
    ];
    const rows: unknown[][] = [
      ["=1+1", -2.5, ["-a", "b"]],
      ["'=x", 3, []],
      ["@SUM(1)", -0.5, ["b"]],
      ["'hello", 1, []],
      ["\t+cmd", 0, ["-a"]],
    ];
    const block = rows.map((r) => cols.map((f, i) => clipboardText(f, r[i])));
    expect(block.map((r) => r[0])).toEqual(["'=1+1", "''=x", "'@SUM(1)", "'hello", "'\t+cmd"]);
    const plan = planPaste(block, { row: 0, col: 0 }, cols, 10, () => true, false);
    expect(plan.problems).toEqual([]);
    expect(plan.changes).toEqual(rows.flatMap((r, row) => cols.map((f, i) => ({ row, field: f.name, value: r[i] }))));
  });
});
