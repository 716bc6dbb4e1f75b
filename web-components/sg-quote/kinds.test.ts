/** Which moves a document offers per status, and the positions a reorder writes. */
import { describe, expect, it } from "vitest";
import { docActions, reorder } from "./kinds";

describe("reorder", () => {
  const lines = [1, 2, 3, 4].map((p) => ({ id: p * 10, position: p }));
  it("renumbers only the lines whose position changes", () => {
    expect(reorder(lines, 3, 1)).toEqual([
      { id: 40, position: 2 },
      { id: 20, position: 3 },
      { id: 30, position: 4 },
    ]);
    expect(reorder(lines, 0, 1)).toEqual([
      { id: 20, position: 1 },
      { id: 10, position: 2 },
    ]);
  });
  it("writes nothing for no move or a move off the ends", () => {
    expect(reorder(lines, 2, 2)).toEqual([]);
    expect(reorder(lines, 0, -1)).toEqual([]);
    expect(reorder(lines, 3, 4)).toEqual([]);
  });
  it("numbers gapped positions 1..n", () => {
    const gapped = [
      { id: 1, position: 5 },
      { id: 2, position: 9 },
    ];
    expect(reorder(gapped, 1, 0)).toEqual([
      { id: 2, position: 1 },
      { id: 1, position: 2 },
    ]);
  });
});

describe("docActions", () => {
  it("follows the lifecycle: a sent quote is accepted, rejected, converted or revised; a confirmed order only cancelled", () => {
    expect(docActions("quote", "draft")).toEqual(["send"]);
    expect(docActions("quote", "sent")).toEqual(["accept", "reject", "convert", "revise"]);
    expect(docActions("quote", "converted")).toEqual([]);
    expect(docActions("order", "confirmed")).toEqual(["cancel"]);
  });
});
