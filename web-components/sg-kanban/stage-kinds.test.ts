import { describe, expect, it } from "vitest";
import { columnsByKind, kindsFrom } from "./stage-kinds";

const list = (stages: { name: string; kind: string }[]) =>
  JSON.stringify(stages.map((s) => ({ ...s, probability: 0 })));

describe("stage kinds", () => {
  it("reads each stage's kind from the stage lists, the first list naming a stage deciding it", () => {
    const kinds = kindsFrom([
      list([
        { name: "quote", kind: "open" },
        { name: "won", kind: "won" },
        { name: "lost", kind: "lost" },
      ]),
      list([
        { name: "quote", kind: "won" },
        { name: "trial", kind: "open" },
      ]),
      "not json",
      null,
    ]);
    expect([...kinds]).toEqual([
      ["quote", "open"],
      ["won", "won"],
      ["lost", "lost"],
      ["trial", "open"],
    ]);
  });

  it("ignores stages without a known kind", () => {
    expect([...kindsFrom([list([{ name: "odd", kind: "maybe" }])])]).toEqual([]);
  });

  it("splits the columns by kind in column order; a column no list names and 'no value' have none", () => {
    const kinds = kindsFrom([
      list([
        { name: "a", kind: "open" },
        { name: "w", kind: "won" },
        { name: "b", kind: "open" },
        { name: "l", kind: "lost" },
      ]),
    ]);
    expect(columnsByKind(["b", "a", "w", "x", "l", null], kinds)).toEqual({
      open: ["b", "a"],
      won: ["w"],
      lost: ["l"],
    });
  });
});
