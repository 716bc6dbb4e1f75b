import { describe, expect, it } from "vitest";
import { ID_ALPHABET, newId, randomId } from "./ids";
import { newId as namesNewId } from "../model/names";
import { newUserId } from "../auth/users";
import { newEmbedId } from "../auth/embed";
import { newTeamId } from "../access/teams";

describe("the one id generator", () => {
  it("draws `length` characters of the one alphabet, and prefixes with `_`", () => {
    expect(ID_ALPHABET).toBe("abcdefghijklmnopqrstuvwxyz0123456789");
    expect(randomId(8)).toMatch(/^[a-z0-9]{8}$/);
    expect(newId("viw")).toMatch(/^viw_[a-z0-9]{12}$/);
    expect(newId("emb", 16)).toMatch(/^emb_[a-z0-9]{16}$/);
  });

  it("is unbiased: bytes past the last whole multiple of 36 are redrawn", () => {
    // Every byte value maps to a character; with b % 36 alone, 'a'..'d' (bytes 252..255) came up 8/7 as often.
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const ch of randomId(900)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(36);
    // 10000 each on average, 100 either way by chance; the old bias put 'a'..'d' at 11250.
    const mean = 360_000 / 36;
    for (const n of counts.values()) expect(Math.abs(n - mean)).toBeLessThan(500);
  });

  it("is the generator behind tables, fields, users, embeds and teams", () => {
    expect(namesNewId("tbl")).toMatch(/^tbl_[a-z0-9]{12}$/);
    expect(newUserId()).toMatch(/^usr_[a-z0-9]{12}$/);
    expect(newEmbedId()).toMatch(/^emb_[a-z0-9]{16}$/);
    expect(newTeamId()).toMatch(/^team_[a-z0-9]{12}$/);
    expect(namesNewId).toBe(newId);
  });
});
