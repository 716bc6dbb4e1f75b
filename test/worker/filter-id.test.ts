/**
 * `{"field": "id", ...}` in a filter: a client names the records it holds ids of in one request.
 * Integers only (eq, neq, lt, lte, gt, gte, in, nin); anything else, or a list over 1000, is a 422
 * naming the path; values are bound, never spliced; a rep's row rule still decides what comes back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const uniq = (p: string) => `${p}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
let a: ReturnType<typeof api>;
let table: string;
let ids: number[];

const list = (c: ReturnType<typeof api>, filter: unknown) =>
  c.get(`/tables/${table}/records?limit=1000&filter=${encodeURIComponent(JSON.stringify(filter))}`);
const idsOf = (res: { body: { records: { id: number }[] } }) => res.body.records.map((r) => r.id);

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  a = api(admin.token);
  table = uniq("fid");
  const res = await a.post("/meta/tables", { name: table, fields: [{ name: "title", type: "text" }] });
  expect(res.status, res.text).toBe(201);
  const made = await a.post(`/tables/${table}/records`, {
    records: ["mine 1", "theirs 2", "mine 3", "theirs 4", "mine 5"].map((title) => ({ fields: { title } })),
  });
  expect(made.status, made.text).toBe(201);
  ids = idsOf(made);
});

describe("filter on id", () => {
  it("eq, neq, in, nin and the ranges select exactly those records", async () => {
    const [i1, i2, i3, i4, i5] = ids as [number, number, number, number, number];
    const cases: [unknown, number[]][] = [
      [{ field: "id", op: "eq", value: i3 }, [i3]],
      [{ field: "id", op: "neq", value: i3 }, [i1, i2, i4, i5]],
      [{ field: "id", op: "in", value: [i5, i1, 999999999] }, [i1, i5]],
      [{ field: "id", op: "in", value: [i2] }, [i2]],
      [{ field: "id", op: "nin", value: [i1, i2] }, [i3, i4, i5]],
      [{ field: "id", op: "lt", value: i2 }, [i1]],
      [{ field: "id", op: "lte", value: i2 }, [i1, i2]],
      [
        {
          and: [
            { field: "id", op: "gt", value: i2 },
            { field: "id", op: "lte", value: i4 },
          ],
        },
        [i3, i4],
      ],
      [
        {
          and: [
            { field: "id", op: "gte", value: i4 },
            { field: "title", op: "starts_with", value: "mine" },
          ],
        },
        [i5],
      ],
    ];
    for (const [filter, want] of cases) {
      const res = await list(a, { and: [filter, { field: "id", op: "gte", value: i1 }] });
      expect(res.status, `${JSON.stringify(filter)}: ${res.text}`).toBe(200);
      expect(idsOf(res), JSON.stringify(filter)).toEqual(want);
    }
  });

  it("a value that is not an integer is a 422 naming the path", async () => {
    const bad: [unknown, string][] = [
      [{ field: "id", op: "eq", value: "1" }, "filter/value"],
      [{ field: "id", op: "eq", value: 1.5 }, "filter/value"],
      [{ field: "id", op: "eq", value: null }, "filter/value"],
      [{ field: "id", op: "eq", value: [1] }, "filter/value"],
      [{ field: "id", op: "eq" }, "filter/value"],
      [{ field: "id", op: "in", value: 1 }, "filter/value"],
      [{ field: "id", op: "in", value: [] }, "filter/value"],
      [
        {
          and: [
            { field: "title", op: "eq", value: "x" },
            { field: "id", op: "in", value: [1, "2"] },
          ],
        },
        "filter/and/1/value/1",
      ],
      [{ field: "id", op: "gt", value: 1e300 }, "filter/value"],
    ];
    for (const [filter, path] of bad) {
      const res = await list(a, filter);
      expect(res.status, `${JSON.stringify(filter)}: ${res.text}`).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(filter),
      ).toContain(path);
    }
  });

  it("operators id does not have are refused naming the op", async () => {
    for (const op of ["contains", "starts_with", "between", "is_empty"]) {
      const res = await list(a, { field: "id", op, value: op === "between" ? [1, 2] : op === "is_empty" ? null : "1" });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors[0].field).toBe("filter/op");
    }
  });

  it("injection-shaped values are refused or bound, never spliced", async () => {
    const shaped = ["1 OR 1=1", "1); DROP TABLE sg_users; --", "0 UNION SELECT * FROM sg_users"];
    for (const value of shaped) {
      const one = await list(a, { field: "id", op: "eq", value });
      expect(one.status, one.text).toBe(422);
      const many = await list(a, { field: "id", op: "in", value: [ids[0], value] });
      expect(many.status, many.text).toBe(422);
      expect(many.body.errors[0].field).toBe("filter/value/1");
    }
    // Still there, and every record still listed.
    const all = await list(a, { field: "id", op: "gte", value: 0 });
    expect(all.status).toBe(200);
    expect(idsOf(all)).toEqual(expect.arrayContaining(ids));
  });

  it("a list over 1000 ids is a 422; 1000 is fine", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => (ids[0] as number) + i);
    // Sent as a POST-free GET: 1001 short ids stay well under the URL limit.
    const over = await list(a, { field: "id", op: "in", value: many(1001) });
    expect(over.status, over.text).toBe(422);
    expect(over.body.errors[0].field).toBe("filter/value");
    const at = await list(a, { field: "id", op: "nin", value: many(1000) });
    expect(at.status, at.text).toBe(200);
    const ok = await list(a, { field: "id", op: "in", value: many(1000) });
    expect(ok.status, ok.text).toBe(200);
    expect(idsOf(ok)).toEqual(ids);
  });

  it("with a rep's row rule, an id the rep may not read is simply not returned", async () => {
    const role = uniq("role");
    expect((await a.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    const grant = await a.request("PUT", `/admin/roles/${role}/grants/${table}`, {
      read: { rule: { field: "title", op: "starts_with", value: "mine" } },
      create: "none",
      update: "none",
      delete: "none",
    });
    expect(grant.status, grant.text).toBe(200);
    const rep = api((await userWithToken([role])).token);
    const [i1, i2, i3, i4] = ids as [number, number, number, number];
    const res = await list(rep, { field: "id", op: "in", value: [i1, i2, i3, i4] });
    expect(res.status, res.text).toBe(200);
    expect(idsOf(res)).toEqual([i1, i3]);
    const theirs = await list(rep, {
      or: [
        { field: "id", op: "eq", value: i2 },
        { field: "id", op: "eq", value: i4 },
      ],
    });
    expect(theirs.status, theirs.text).toBe(200);
    expect(idsOf(theirs)).toEqual([]);
    // A saved view may filter on id too, and opens for the rep under the same rule.
    const view = await a.post("/meta/views", {
      name: uniq("v"),
      table,
      type: "grid",
      roles: [role],
      filter: { field: "id", op: "in", value: [i1, i2] },
      fields: ["title"],
    });
    expect(view.status, view.text).toBe(201);
    const seen = await rep.get(`/meta/views/${view.body.view.id}/records`);
    expect(seen.status, seen.text).toBe(200);
    expect(idsOf(seen)).toEqual([i1]);
  });
});
