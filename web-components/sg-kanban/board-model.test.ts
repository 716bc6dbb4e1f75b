/** The board's pure logic: columns, swimlanes, cell filters, totals as the server sends them, moves. */
import { describe, expect, it } from "vitest";
import {
  aggregateBody,
  cellFilter,
  cellKey,
  columnKeys,
  columnsFilter,
  expandFields,
  isEmbedToken,
  keepExpanded,
  laneKeys,
  minorToDecimal,
  moveFields,
  neighbour,
  overallTotals,
  pickSumField,
  placeOf,
  problemText,
  readTotals,
  userIdsOf,
  type AggregateReply,
  type BoardField,
} from "./board-model";

const stage: BoardField = {
  name: "stage",
  type: "single_select",
  options: { choices: [{ name: "lead" }, { name: "quote" }, { name: "won" }] },
};
const owner: BoardField = { name: "owner", type: "user", options: {} };
const amount: BoardField = { name: "amount", type: "currency", options: { currency: "CNY" } };

const reply: AggregateReply = {
  groups: [
    { key: { stage: "lead", owner: "usr_a" }, values: { count: 2, "sum:amount": [{ amount: 3125, currency: "CNY" }] } },
    {
      key: { stage: "quote", owner: "usr_b" },
      values: {
        count: 1,
        "sum:amount": [
          { amount: "9007199254747001", currency: "CNY" },
          { amount: 5, currency: "USD" },
        ],
      },
    },
    { key: { stage: "quote", owner: null }, values: { count: 3, "sum:amount": [] } },
    { key: { stage: null, owner: "usr_a" }, values: { count: 1, "sum:amount": [] } },
  ],
  truncated: false,
  totals: { count: 7, "sum:amount": [{ amount: 1, currency: "CNY" }] },
};

describe("columns and swimlanes", () => {
  it("takes a single-select's choices in order, with 'no value' last only when a record has none", () => {
    expect(columnKeys(stage, null)).toEqual(["lead", "quote", "won"]);
    const byColumn = readTotals(
      { groups: [{ key: { stage: null }, values: { count: 2 } }], truncated: false },
      stage,
      null,
      null,
    );
    expect(columnKeys(stage, byColumn)).toEqual(["lead", "quote", "won", null]);
    const none = readTotals(
      { groups: [{ key: { stage: null }, values: { count: 0 } }], truncated: false },
      stage,
      null,
      null,
    );
    expect(columnKeys(stage, none)).toEqual(["lead", "quote", "won"]);
  });

  it("takes a user field's columns from the totals, in the server's order", () => {
    const t = readTotals(
      {
        groups: [
          { key: { owner: "usr_b" }, values: { count: 1 } },
          { key: { owner: "usr_a" }, values: { count: 4 } },
        ],
        truncated: false,
      },
      owner,
      null,
      null,
    );
    expect(columnKeys(owner, t)).toEqual(["usr_b", "usr_a"]);
  });

  it("lists each swimlane once, empty last, leaving out lanes without cards", () => {
    expect(laneKeys(reply, owner)).toEqual(["usr_a", "usr_b", null]);
    expect(
      laneKeys({ groups: [{ key: { stage: "lead", owner: "usr_x" }, values: { count: 0 } }], truncated: false }, owner),
    ).toEqual([]);
  });
});

describe("filters and requests", () => {
  it("builds a cell's filter from the user's filter, the column and the swimlane", () => {
    expect(cellFilter(stage, "quote", null, undefined, null)).toEqual({ field: "stage", op: "eq", value: "quote" });
    const user = { field: "amount", op: "gt", value: 100 } as const;
    expect(cellFilter(stage, null, owner, "usr_a", user)).toEqual({
      and: [user, { field: "stage", op: "is_empty" }, { field: "owner", op: "eq", value: "usr_a" }],
    });
    expect(cellFilter(stage, "won", owner, null, null)).toEqual({
      and: [
        { field: "stage", op: "eq", value: "won" },
        { field: "owner", op: "is_empty" },
      ],
    });
  });

  it("narrows a refresh to the columns of a move", () => {
    expect(columnsFilter(stage, ["lead", "quote", "lead"])).toEqual({
      field: "stage",
      op: "in",
      value: ["lead", "quote"],
    });
    expect(columnsFilter(stage, ["lead", null])).toEqual({
      or: [
        { field: "stage", op: "in", value: ["lead"] },
        { field: "stage", op: "is_empty" },
      ],
    });
    expect(columnsFilter(stage, [])).toBeNull();
  });

  it("asks for counts and the sum field, grouped by column (and swimlane), with overall totals only without lanes", () => {
    expect(aggregateBody(stage, null, amount, null, " ")).toEqual({
      groupBy: ["stage"],
      measures: [{ op: "count" }, { op: "sum", field: "amount" }],
      limit: 1000,
      totals: true,
    });
    expect(aggregateBody(stage, owner, null, { field: "x", op: "is_empty" }, "acme")).toEqual({
      groupBy: ["stage", "owner"],
      measures: [{ op: "count" }],
      filter: { field: "x", op: "is_empty" },
      q: "acme",
      limit: 1000,
      totals: false,
    });
  });
});

describe("totals", () => {
  it("keeps the server's exact amounts per currency and cell", () => {
    const t = readTotals(reply, stage, owner, amount);
    expect(t.get(cellKey("quote", "usr_b"))).toEqual({
      count: 1,
      sum: [
        { amount: "9007199254747001", currency: "CNY" },
        { amount: 5, currency: "USD" },
      ],
    });
    expect(t.get(cellKey(null, "usr_a"))).toEqual({ count: 1, sum: [] });
    expect(t.get(cellKey("won", "usr_a"))).toBeUndefined();
    expect(overallTotals(reply, amount)).toEqual({ count: 7, sum: [{ amount: 1, currency: "CNY" }] });
    expect(readTotals(reply, stage, owner, null).get(cellKey("lead", "usr_a"))).toEqual({ count: 2, sum: null });
  });

  it("writes minor units as exact decimals, past 2^53 too", () => {
    expect(minorToDecimal(123456, 2)).toBe("1234.56");
    expect(minorToDecimal(-5, 2)).toBe("-0.05");
    expect(minorToDecimal("9007199254747001", 2)).toBe("90071992547470.01");
    expect(minorToDecimal(7, 0)).toBe("7");
  });
});

describe("moves", () => {
  it("finds the neighbouring column or nothing at the edge", () => {
    const cols = ["lead", "quote", "won", null];
    expect(neighbour(cols, "quote", 1)).toBe("won");
    expect(neighbour(cols, "won", 1)).toBeNull();
    expect(neighbour(cols, null, 1)).toBeUndefined();
    expect(neighbour(cols, "lead", -1)).toBeUndefined();
    expect(neighbour(cols, "gone", 1)).toBeUndefined();
  });

  it("writes the column field, and the swimlane field only when the lane changes", () => {
    expect(moveFields(stage, "won", null, undefined, undefined)).toEqual({ stage: "won" });
    expect(moveFields(stage, "won", owner, "usr_a", "usr_a")).toEqual({ stage: "won" });
    expect(moveFields(stage, null, owner, "usr_a", null)).toEqual({ stage: null, owner: null });
  });

  it("shows the server's own words for a refusal", () => {
    expect(
      problemText(
        { title: "Validation failed", detail: "1 problem", errors: [{ message: "A lost deal needs a loss reason" }] },
        "x",
      ),
    ).toBe("A lost deal needs a loss reason");
    expect(problemText({ title: "Forbidden", detail: "You may not update deals" }, "x")).toBe(
      "You may not update deals",
    );
    expect(problemText(undefined, "fallback")).toBe("fallback");
  });
});

describe("configuration", () => {
  it("sums the configured field when readable, else the first currency field on the cards", () => {
    const fields: BoardField[] = [
      { name: "name", type: "text", options: {} },
      amount,
      { name: "units", type: "number", options: {} },
    ];
    expect(pickSumField(fields, "units", ["name"])?.name).toBe("units");
    expect(pickSumField(fields, "hidden", ["name", "amount"])).toBeNull();
    expect(pickSumField(fields, undefined, ["name", "amount"])?.name).toBe("amount");
    expect(pickSumField(fields, undefined, ["name", "units"])).toBeNull();
  });

  it("tells embed tokens from sign-in tokens by their audience", () => {
    const jwt = (claims: object) =>
      `e30.${btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.sig`;
    expect(isEmbedToken(jwt({ aud: "salesgrid-embed" }))).toBe(true);
    expect(isEmbedToken(jwt({ aud: ["salesgrid-embed"] }))).toBe(true);
    expect(isEmbedToken(jwt({ aud: "salesgrid-api" }))).toBe(false);
    expect(isEmbedToken("not-a-token")).toBe(false);
  });
});

describe("names and expanded links", () => {
  const customer: BoardField = { name: "customer", type: "link", options: {} };
  it("expands the link fields the cards show, once each", () => {
    expect(expandFields([customer, amount, null, owner, customer])).toEqual(["customer"]);
    expect(expandFields([amount, owner])).toEqual([]);
  });

  it("collects user ids from cards and keys, without empties or repeats", () => {
    const recs = [{ fields: { owner: "usr_a", helpers: ["usr_b", "usr_a"] } }, { fields: { owner: null } }];
    expect(userIdsOf(recs, [owner, { name: "helpers", type: "user", options: {} }], ["usr_c", null]).sort()).toEqual([
      "usr_a",
      "usr_b",
      "usr_c",
    ]);
  });

  it("keeps a card's expanded links when a write's reply names the same records", () => {
    const shown = { customer: [{ id: 76, primary: "Acme" }], stage: "lead", contact: [{ id: 3, primary: "Ann" }] };
    expect(keepExpanded(shown, { customer: [76], stage: "quote", contact: [4] })).toEqual({
      customer: [{ id: 76, primary: "Acme" }],
      stage: "quote",
      contact: [4],
    });
    // Bare ids on both sides, or a reply without the field: the reply (or what was shown) as is.
    expect(keepExpanded({ customer: [1] }, { customer: [2] })).toEqual({ customer: [2] });
    expect(keepExpanded(shown, { stage: "won" })).toEqual({ ...shown, stage: "won" });
  });
});

describe("records saved elsewhere", () => {
  it("places a record by its column and lane values, keeps the place of a field it does not carry, and drops it when the board has no column for it", () => {
    const cols = ["lead", "quote", "won"];
    expect(placeOf({ stage: "won" }, stage, cols, null, [undefined])).toEqual({ column: "won", lane: undefined });
    expect(placeOf({ name: "x" }, stage, cols, null, [undefined], { column: "quote", lane: undefined })).toEqual({
      column: "quote",
      lane: undefined,
    });
    expect(placeOf({ stage: null }, stage, cols, null, [undefined])).toBeNull();
    expect(placeOf({ stage: null }, stage, [...cols, null], null, [undefined])).toEqual({
      column: null,
      lane: undefined,
    });
    expect(placeOf({ stage: "gone" }, stage, cols, null, [undefined])).toBeNull();
    expect(placeOf({ stage: "lead", owner: "usr_b" }, stage, cols, owner, ["usr_a", "usr_b"])).toEqual({
      column: "lead",
      lane: "usr_b",
    });
    expect(placeOf({ stage: "lead", owner: "usr_c" }, stage, cols, owner, ["usr_a", "usr_b"])).toBeNull();
    expect(placeOf({ stage: "lead" }, stage, cols, owner, ["usr_a", null], { column: "quote", lane: null })).toEqual({
      column: "lead",
      lane: null,
    });
  });
});
