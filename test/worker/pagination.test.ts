/**
 * Sorting and keyset pagination over data with many ties and NULLs: walking every page with the
 * cursor yields each row exactly once, in the order of one big page and of an independent sort
 * written here (NULL first ascending, last descending; ties broken by id in the direction of the
 * last sort key). Foreign and garbage cursors and bad limits are refused.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api as directApi, userWithToken } from "./helpers";

type Client = ReturnType<typeof directApi>;
type Rec = { id: number; fields: Record<string, unknown> };
type Input = {
  grp: string | null;
  num: number | null;
  d: string | null;
  name: string;
  flag: boolean | null;
  amt: number | { amount: number; currency: string } | null;
};

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

/** Deterministic PRNG so failures reproduce. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROWS = 53; // prime: no page size but 1 divides it evenly
let c: Client;
let table: string;
const rows: { id: number; input: Input }[] = [];

function generate(): Input[] {
  const rnd = mulberry32(20240515);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: ROWS }, () => ({
    grp: pick([null, "a", "b", "c", "b"]),
    num: pick([null, -1, 0, 2.5, 7, 7]),
    d: pick([null, "2024-01-01", "2024-06-30", "2023-12-31"]),
    name: pick(["", "alpha", "Beta", "beta", "gamma", "alpha"]),
    flag: pick([true, false, null]),
    amt: pick([null, 0, 100, { amount: 100, currency: "EUR" }, -50]),
  }));
}

/** The value a sort compares, from the data this test wrote (not from the API). */
function sortValue(input: Input, field: string): string | number | null {
  switch (field) {
    case "grp":
      return input.grp;
    case "num":
      return input.num;
    case "d":
      return input.d;
    case "name":
      return input.name === "" ? null : input.name; // empty string is stored as null
    case "flag":
      return input.flag === true ? 1 : 0; // checkbox: null is false
    case "amt":
      return input.amt === null ? null : typeof input.amt === "number" ? input.amt : input.amt.amount;
    default:
      throw new Error(field);
  }
}

/** NULL sorts first ascending and last descending; ties by id in the last key's direction. */
function expectedOrder(sort: string, filter: (i: Input) => boolean = () => true): number[] {
  const keys = sort
    .split(",")
    .filter(Boolean)
    .map((p) => ({ field: p.replace(/^-/, ""), desc: p.startsWith("-") }));
  const idDesc = keys.length ? keys[keys.length - 1]!.desc : false;
  const cmp = (a: string | number | null, b: string | number | null): number => {
    if (a === b) return 0;
    if (a === null) return -1;
    if (b === null) return 1;
    return a < b ? -1 : 1; // ASCII strings: code-unit order equals SQLite's BINARY collation
  };
  return rows
    .filter((r) => filter(r.input))
    .sort((x, y) => {
      for (const k of keys) {
        const r = cmp(sortValue(x.input, k.field), sortValue(y.input, k.field));
        if (r !== 0) return k.desc ? -r : r;
      }
      return idDesc ? y.id - x.id : x.id - y.id;
    })
    .map((r) => r.id);
}

function listUrl(params: Record<string, string | number | undefined>): string {
  const qs = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `/tables/${table}/records?${qs}`;
}

async function page(params: Record<string, string | number | undefined>) {
  const res = await c.get(listUrl(params));
  expect(res.status, res.text).toBe(200);
  return res.body as { records: Rec[]; nextCursor: string | null };
}

/** Follows nextCursor to the end, checking page sizes on the way. */
async function walk(sort: string, limit: number, filter?: string): Promise<number[]> {
  const out: number[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const p = await page({ sort, limit, cursor, filter });
    out.push(...p.records.map((r) => r.id));
    if (!p.nextCursor) {
      expect(p.records.length).toBeLessThanOrEqual(limit);
      return out;
    }
    expect(p.records.length).toBe(limit);
    cursor = p.nextCursor;
  }
  throw new Error("pagination did not end");
}

beforeAll(async () => {
  const admin = await userWithToken(["admin"]);
  c = directApi(admin.token);
  table = `pg_${sfx()}`;
  const res = await c.post("/meta/tables", {
    name: table,
    fields: [
      { name: "grp", type: "single_select", options: { choices: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
      { name: "num", type: "number", options: { precision: 1 } },
      { name: "d", type: "date" },
      { name: "name", type: "text" },
      { name: "flag", type: "checkbox" },
      { name: "amt", type: "currency", options: { currency: "USD" } },
    ],
  });
  expect(res.status, res.text).toBe(201);
  const inputs = generate();
  const created = await c.post(`/tables/${table}/records`, { records: inputs.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  created.body.records.forEach((r: Rec, i: number) => rows.push({ id: r.id, input: inputs[i]! }));
  expect(rows).toHaveLength(ROWS);
});

const SORTS = [
  "",
  "num",
  "-num",
  "grp,num",
  "grp,-num",
  "-grp,num",
  "-grp,-num,-d",
  "d,-grp,name",
  "name",
  "-name",
  "flag,-amt",
  "-amt",
  "amt,flag",
  "-d,grp",
];

describe("the data set", () => {
  it("has many ties and NULLs in every sort field", () => {
    for (const f of ["grp", "num", "d", "name", "amt"]) {
      const vals = rows.map((r) => sortValue(r.input, f));
      expect(vals.filter((v) => v === null).length, f).toBeGreaterThanOrEqual(3);
      expect(new Set(vals).size, f).toBeLessThan(ROWS / 5);
    }
  });
});

describe("sorting", () => {
  it.each(SORTS)("sort=%s: one big page equals the independent sort", async (sort) => {
    const big = await page({ sort, limit: 1000 });
    expect(big.nextCursor).toBeNull();
    expect(big.records.map((r) => r.id)).toEqual(expectedOrder(sort));
  });

  it("sort=num puts NULLs first; sort=-num puts them last", async () => {
    const asc = (await page({ sort: "num", limit: 1000 })).records;
    const desc = (await page({ sort: "-num", limit: 1000 })).records;
    const nulls = rows.filter((r) => r.input.num === null).length;
    expect(asc.slice(0, nulls).every((r) => r.fields.num === null)).toBe(true);
    expect(asc[nulls]!.fields.num).toBe(-1);
    expect(desc.slice(-nulls).every((r) => r.fields.num === null)).toBe(true);
    expect(desc[0]!.fields.num).toBe(7);
  });

  it("ties are broken by id ascending after an ascending last key and descending after a descending one", async () => {
    const asc = (await page({ sort: "grp", limit: 1000 })).records.filter((r) => r.fields.grp === "b").map((r) => r.id);
    const desc = (await page({ sort: "-grp", limit: 1000 })).records
      .filter((r) => r.fields.grp === "b")
      .map((r) => r.id);
    expect(asc.length).toBeGreaterThan(3);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(desc).toEqual([...asc].reverse());
    // Mixed: the id follows the LAST key (here ascending num) even though grp is descending.
    const mixed = (await page({ sort: "-grp,num", limit: 1000 })).records;
    const tie = mixed.filter((r) => r.fields.grp === "b" && r.fields.num === 7).map((r) => r.id);
    expect(tie.length).toBeGreaterThan(1);
    expect(tie).toEqual([...tie].sort((a, b) => a - b));
  });

  it("without sort the list is in ascending id order and a default page holds 50 rows", async () => {
    const p = await page({});
    expect(p.records.map((r) => r.id)).toEqual(rows.map((r) => r.id).slice(0, 50));
    expect(p.nextCursor).not.toBeNull();
  });

  it("refuses to sort by a multi-valued or duplicated field or by more than 5 keys", async () => {
    for (const sort of ["num,-num", "grp,grp", "grp,num,d,name,flag,amt"]) {
      const res = await c.get(listUrl({ sort }));
      expect(res.status, sort).toBe(400);
      expect(res.body.errors[0].field).toBe("sort");
    }
  });
});

describe("walking pages with the cursor", () => {
  for (const limit of [1, 2, 7, 50]) {
    it.each(SORTS)(`limit ${limit}, sort=%s: every row exactly once, in the big page's order`, async (sort) => {
      const walked = await walk(sort, limit);
      const big = (await page({ sort, limit: 1000 })).records.map((r) => r.id);
      expect(new Set(walked).size).toBe(walked.length);
      expect(walked).toEqual(big);
      expect(walked).toEqual(expectedOrder(sort));
    });
  }

  it("walks a filtered list the same way", async () => {
    const filter = JSON.stringify({
      or: [
        { field: "grp", op: "neq", value: "b" },
        { field: "num", op: "is_empty" },
      ],
    });
    const keep = (i: Input) => i.grp !== "b" || i.num === null;
    for (const sort of ["-num,grp", "d,name"]) {
      for (const limit of [1, 3]) {
        expect(await walk(sort, limit, filter)).toEqual(expectedOrder(sort, keep));
      }
    }
  });

  it("the last page has no nextCursor even when it is full", async () => {
    const filter = JSON.stringify({ field: "grp", op: "eq", value: "a" });
    const n = rows.filter((r) => r.input.grp === "a").length;
    expect(n).toBeGreaterThan(1);
    const p = await page({ filter, limit: n, sort: "num" });
    expect(p.records).toHaveLength(n);
    expect(p.nextCursor).toBeNull();
  });
});

describe("cursor validation", () => {
  async function cursorFor(sort: string): Promise<string> {
    const p = await page({ sort, limit: 2 });
    expect(p.nextCursor).toEqual(expect.any(String));
    return p.nextCursor!;
  }

  it("refuses a cursor made for another sort with 400", async () => {
    const pairs: [string, string][] = [
      ["num", "-num"],
      ["num", ""],
      ["", "num"],
      ["grp,num", "num,grp"],
      ["grp,num", "grp"],
      ["-d,grp", "-d,-grp"],
    ];
    for (const [from, to] of pairs) {
      const cursor = await cursorFor(from);
      const res = await c.get(listUrl({ sort: to, cursor }));
      expect(res.status, `${from} -> ${to}`).toBe(400);
      expect(res.body.errors[0].field).toBe("cursor");
      // The same cursor is fine with its own sort.
      expect((await c.get(listUrl({ sort: from, cursor }))).status).toBe(200);
    }
  });

  it("refuses a cursor from another table with 400", async () => {
    const other = `pg_other_${sfx()}`;
    expect((await c.post("/meta/tables", { name: other, fields: [{ name: "num", type: "number" }] })).status).toBe(201);
    expect(
      (
        await c.post(`/tables/${other}/records`, {
          records: [{ fields: { num: 1 } }, { fields: { num: 2 } }, { fields: { num: 3 } }],
        })
      ).status,
    ).toBe(201);
    const p = await c.get(`/tables/${other}/records?sort=num&limit=1`);
    const res = await c.get(listUrl({ sort: "num", cursor: p.body.nextCursor }));
    expect(res.status).toBe(400);
  });

  it("refuses garbage cursors with 400", async () => {
    const enc = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const garbage = [
      "not a cursor!",
      "abc",
      "%%%",
      "x".repeat(5000),
      enc("hello"),
      enc(null),
      enc([1, 2]),
      enc({ s: "", v: [] }),
      enc({ s: "", v: ["1"] }),
      enc({ s: "", v: [1.5] }),
      enc({ s: "", v: [{}] }),
      enc({ s: "", v: [1, 2] }),
      enc({ v: [1] }),
      enc({ s: "", v: [Number.MAX_SAFE_INTEGER + 2] }),
    ];
    for (const cursor of garbage) {
      const res = await c.get(listUrl({ cursor }));
      expect(res.status, cursor.slice(0, 40)).toBe(400);
      expect(res.body.code).toBe("bad_request");
    }
    const real = await cursorFor("num");
    const res = await c.get(listUrl({ sort: "num", cursor: `${real.slice(0, -3)}###` }));
    expect(res.status).toBe(400);
  });
});

describe("limit validation", () => {
  it.each(["0", "1001", "abc", "-1", "1.5", "1e2", " 5", "99999999"])(
    "limit=%j is refused with 400 naming limit",
    async (limit) => {
      const res = await c.get(`/tables/${table}/records?limit=${encodeURIComponent(limit)}`);
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors[0].field).toBe("limit");
    },
  );

  it("limits 1 and 1000 are accepted and honoured", async () => {
    expect((await page({ limit: 1 })).records).toHaveLength(1);
    expect((await page({ limit: 1000 })).records).toHaveLength(ROWS);
  });
});
