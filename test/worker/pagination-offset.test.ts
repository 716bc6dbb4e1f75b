/**
 * `offset` on the records list: the grid's random access (jump to row N of a large table). A page at
 * offset N is rows N.. of the same order the cursor walks, under filters, sorts, search and row rules;
 * its nextCursor continues from there. Bad, oversize and injection-shaped offsets, and offset with
 * cursor, are refused naming `offset`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api as directApi, userWithToken } from "./helpers";
import { MAX_OFFSET } from "../../worker/records/read";

type Client = ReturnType<typeof directApi>;
type Rec = { id: number; fields: Record<string, unknown> };

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);
const ROWS = 37;
let c: Client;
let table: string;

function url(params: Record<string, string | number | undefined>): string {
  const qs = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `/tables/${table}/records?${qs}`;
}

async function ids(
  params: Record<string, string | number | undefined>,
): Promise<{ ids: number[]; nextCursor: string | null; total?: number }> {
  const res = await c.get(url(params));
  expect(res.status, res.text).toBe(200);
  return { ids: res.body.records.map((r: Rec) => r.id), nextCursor: res.body.nextCursor, total: res.body.total };
}

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = directApi(admin.token);
  table = `off_${sfx()}`;
  const res = await c.post("/meta/tables", {
    name: table,
    fields: [
      { name: "name", type: "text" },
      { name: "n", type: "number" },
      { name: "grp", type: "single_select", options: { choices: [{ name: "a" }, { name: "b" }] } },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const records = Array.from({ length: ROWS }, (_, i) => ({
    fields: { name: `row ${i % 5 === 0 ? "five" : "x"} ${i}`, n: (i * 7) % 11, grp: i % 3 ? "a" : "b" },
  }));
  const created = await c.post(`/tables/${table}/records`, { records });
  expect(created.status, created.text).toBe(201);
});

describe("offset", () => {
  for (const sort of ["", "n", "-n,grp", "-grp,-n"]) {
    it(`sort=${sort || "(id)"}: every offset is the same slice of the full order`, async () => {
      const all = (await ids({ sort, limit: 1000 })).ids;
      expect(all).toHaveLength(ROWS);
      for (const [offset, limit] of [
        [0, 5],
        [1, 5],
        [10, 7],
        [30, 10],
        [36, 3],
        [37, 5],
        [100, 5],
      ] as const) {
        const page = await ids({ sort, offset, limit });
        expect(page.ids, `offset ${offset}`).toEqual(all.slice(offset, offset + limit));
        expect(page.nextCursor === null, `offset ${offset}`).toBe(offset + limit >= ROWS);
      }
    });
  }

  it("a page's nextCursor continues right after it", async () => {
    const all = (await ids({ sort: "-n", limit: 1000 })).ids;
    const first = await ids({ sort: "-n", offset: 12, limit: 4 });
    const next = await ids({ sort: "-n", cursor: first.nextCursor!, limit: 4 });
    expect([...first.ids, ...next.ids]).toEqual(all.slice(12, 20));
  });

  it("applies with filter, search and count (the total ignores the offset)", async () => {
    const filter = JSON.stringify({ field: "grp", op: "eq", value: "a" });
    const all = (await ids({ filter, sort: "n", limit: 1000 })).ids;
    const page = await ids({ filter, sort: "n", offset: 5, limit: 6, count: "true" });
    expect(page.ids).toEqual(all.slice(5, 11));
    expect(page.total).toBe(all.length);
    const found = (await ids({ q: "five", limit: 1000 })).ids;
    expect((await ids({ q: "five", offset: 2, limit: 2 })).ids).toEqual(found.slice(2, 4));
  });

  it("works through a view's records list", async () => {
    const view = await c.post("/meta/views", {
      name: `v_${sfx()}`,
      table,
      type: "grid",
      sort: [{ field: "n", direction: "desc" }],
    });
    expect(view.status, view.text).toBe(201);
    const all = (await c.get(`/meta/views/${view.body.view.id}/records?limit=1000`)).body.records.map((r: Rec) => r.id);
    const res = await c.get(`/meta/views/${view.body.view.id}/records?limit=3&offset=4`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.records.map((r: Rec) => r.id)).toEqual(all.slice(4, 7));
  });

  it("refuses bad, oversize and injection-shaped offsets, and offset with a cursor", async () => {
    const cursor = (await ids({ limit: 2 })).nextCursor!;
    const bad: Record<string, string | number>[] = [
      { offset: -1 },
      { offset: "1.5" },
      { offset: "abc" },
      { offset: "1e3" },
      { offset: "0; DROP TABLE sg_users" },
      { offset: "1 OR 1=1" },
      { offset: MAX_OFFSET + 1 },
      { offset: "123456789012" },
      { offset: 2, cursor },
    ];
    for (const params of bad) {
      const res = await c.get(url({ limit: 5, ...params }));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.errors[0].field, JSON.stringify(params)).toBe("offset");
    }
    // Still all there.
    expect((await ids({ limit: 1000 })).ids).toHaveLength(ROWS);
  });

  it("an empty offset is no offset", async () => {
    expect((await ids({ offset: "", limit: 3 })).ids).toEqual((await ids({ limit: 3 })).ids);
  });
});
