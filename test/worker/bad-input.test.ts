/**
 * Bad input of every kind gets an RFC 9457 problem (application/problem+json) with
 * `errors: [{field, code, message}]` naming what is wrong, a 400/404/409/413/422 status, never a 500,
 * and nothing partly written. Storage is shared between tests in this file: every table name is unique.
 */
import { SELF, env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const PROBLEM = "application/problem+json";
const BAD_STATUSES = [400, 404, 409, 413, 422];

const SQL = "name'; DROP TABLE sg_users;--";
const SQL_OR = "1 OR 1=1";
const HTML = "<script>alert(1)</script>";
const PATH = "../../etc/passwd";
const DOTS = "%2e%2e";
const HOSTILE = [SQL, SQL_OR, HTML, PATH, DOTS];

let admin: ReturnType<typeof api>;
let adminToken: string;

const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const phys = (tableId: string) => `t_${tableId.slice(4)}`;
const enc = encodeURIComponent;
const filterParam = (f: unknown) => `filter=${enc(JSON.stringify(f))}`;

/** Asserts a problem+json reply with `status` and an entry in `errors` matching `expected` (when given). */
function expectProblem(res: ApiResponse, status: number, expected?: { field?: string | RegExp; code?: string }) {
  expect(res.status, res.text.slice(0, 600)).toBe(status);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+/); // never a stack trace
  expect(Array.isArray(res.body.errors)).toBe(true);
  // soft: the rest of the test (nothing written) is still checked when only the naming is missing
  expect.soft(res.body.errors.length, `errors should name what is wrong: ${res.text.slice(0, 400)}`).toBeGreaterThan(0);
  for (const e of res.body.errors) {
    expect(e).toEqual({
      field: expect.any(String),
      code: expect.any(String),
      message: expect.any(String),
      ...(e.params === undefined ? {} : { params: expect.any(Object) }),
    });
  }
  if (expected && res.body.errors.length > 0) {
    const match = res.body.errors.some(
      (e: { field: string; code: string }) =>
        (expected.field === undefined ||
          (typeof expected.field === "string" ? e.field === expected.field : expected.field.test(e.field))) &&
        (expected.code === undefined || e.code === expected.code),
    );
    expect
      .soft(
        match,
        `no error matching ${String(expected.field)} / ${expected.code} in ${JSON.stringify(res.body.errors)}`,
      )
      .toBe(true);
  }
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;
}

interface Fixture {
  id: string;
  name: string;
}

/** A table with one field of each kind the tests probe. */
async function makeTable(prefix: string): Promise<Fixture> {
  const name = uniq(prefix);
  const res = await admin.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text", options: { maxLength: 50 } },
      { name: "notes", type: "long_text" },
      { name: "qty", type: "number", options: { min: 0, max: 1000, precision: 2 } },
      { name: "price", type: "currency", options: { currency: "USD" } },
      { name: "due", type: "date" },
      { name: "done", type: "checkbox" },
      { name: "stage", type: "single_select", options: { choices: [{ name: "open" }, { name: "won" }] } },
      { name: "stars", type: "rating", options: { max: 5 } },
      { name: "pct", type: "percent" },
      { name: "mail", type: "email" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.table.id, name };
}

/** Everything a failed request must leave untouched: rows, their versions and values, audit rows. */
async function snapshot(t: Fixture) {
  const rows = (await DB.prepare(`SELECT * FROM "${phys(t.id)}" ORDER BY id`).all()).results;
  const audit = await count("SELECT COUNT(*) AS n FROM sg_audit WHERE table_id = ?1", t.id);
  const users = await count("SELECT COUNT(*) AS n FROM sg_users");
  const schema = await count("SELECT COUNT(*) AS n FROM sg_fields WHERE table_id = ?1", t.id);
  return { rows, audit, users, schema };
}

async function seed(t: Fixture, n: number) {
  const records = Array.from({ length: n }, (_, i) => ({ fields: { title: `seed ${i}`, qty: i } }));
  const res = await admin.post(`/tables/${t.name}/records`, { records });
  expect(res.status, res.text).toBe(201);
  return res.body.records as { id: number; version: number; fields: Record<string, unknown> }[];
}

beforeAll(async () => {
  adminToken = (await userWithToken(["admin"])).token;
  admin = api(adminToken);
});

describe("malformed JSON", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("malformed");
    await seed(t, 1);
  });

  it("answers 400 invalid_json on every write endpoint and writes nothing", async () => {
    const before = await snapshot(t);
    const bodies = [
      '{"fields": {"title": "x",}',
      "{",
      "{'fields': {}}",
      '{"fields": {"title": "x"}} trailing',
      "nul",
      "\u0000",
    ];
    const targets: [string, string][] = [
      ["POST", "/meta/tables"],
      ["PATCH", `/meta/tables/${t.name}`],
      ["POST", `/meta/tables/${t.name}/fields`],
      ["PATCH", `/meta/tables/${t.name}/fields/title`],
      ["POST", `/tables/${t.name}/records`],
      ["PATCH", `/tables/${t.name}/records`],
      ["PATCH", `/tables/${t.name}/records/1`],
      ["DELETE", `/tables/${t.name}/records`],
    ];
    for (const [method, path] of targets) {
      for (const body of bodies) {
        const res = await admin.request(method, path, body);
        expectProblem(res, 400, { code: "invalid_json" });
        expect(res.body.code).toBe("invalid_json");
      }
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 400 naming the parameter for a filter that is not JSON", async () => {
    for (const raw of ["{", "{field: title}", SQL, HTML]) {
      const res = await admin.get(`/tables/${t.name}/records?filter=${enc(raw)}`);
      expectProblem(res, 400, { field: "filter", code: "invalid_json" });
    }
  });
});

describe("unknown table, field and operator", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("unknowns");
    await seed(t, 2);
  });

  it("answers 404 naming the table for a table that does not exist", async () => {
    const ghost = uniq("ghost");
    for (const res of [
      await admin.get(`/tables/${ghost}/records`),
      await admin.get(`/tables/${ghost}/records/1`),
      await admin.post(`/tables/${ghost}/records`, { fields: { title: "x" } }),
      await admin.patch(`/tables/${ghost}/records/1`, { version: 1, fields: {} }),
      await admin.delete(`/tables/${ghost}/records/1`),
      await admin.get(`/meta/tables/${ghost}`),
      await admin.post(`/meta/tables/${ghost}/fields`, { name: "a", type: "text" }),
    ]) {
      expectProblem(res, 404, { field: "table", code: "not_found" });
      expect(res.body.detail).toContain(ghost);
    }
    expect(await count("SELECT COUNT(*) AS n FROM sg_tables WHERE name = ?1", ghost)).toBe(0);
  });

  it("answers 422 naming an unknown field in a record write and writes nothing", async () => {
    const before = await snapshot(t);
    const res = await admin.post(`/tables/${t.name}/records`, { fields: { title: "ok", nope: 1 } });
    expectProblem(res, 422, { field: "fields/nope", code: "unknown_field" });
    const upd = await admin.patch(`/tables/${t.name}/records`, {
      records: [{ id: 1, version: 1, fields: { ghost_field: 2 } }],
    });
    expectProblem(upd, 422, { field: "records/0/fields/ghost_field", code: "unknown_field" });
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 400 naming an unknown field in filter, sort, fields and expand", async () => {
    expectProblem(
      await admin.get(`/tables/${t.name}/records?${filterParam({ field: "nope", op: "eq", value: 1 })}`),
      400,
      { field: "filter/field", code: "unknown_field" },
    );
    expectProblem(
      await admin.get(
        `/tables/${t.name}/records?${filterParam({
          and: [
            { field: "title", op: "eq", value: "a" },
            { field: "nope", op: "eq", value: 1 },
          ],
        })}`,
      ),
      400,
      { field: "filter/and/1/field", code: "unknown_field" },
    );
    expectProblem(await admin.get(`/tables/${t.name}/records?sort=-nope`), 400, {
      field: "sort",
      code: "unknown_field",
    });
    expectProblem(await admin.get(`/tables/${t.name}/records?fields=title,nope`), 400, {
      field: "fields",
      code: "unknown_field",
    });
    expectProblem(await admin.get(`/tables/${t.name}/records?expand=nope`), 400, {
      field: "expand",
      code: "unknown_field",
    });
  });

  it("answers 400 naming the operator for an unknown or inapplicable operator", async () => {
    const unknownOp = await admin.get(
      `/tables/${t.name}/records?${filterParam({ field: "title", op: "like", value: "%" })}`,
    );
    expectProblem(unknownOp, 400, { field: "filter/op", code: "unknown_operator" });
    const wrongOp = await admin.get(
      `/tables/${t.name}/records?${filterParam({ field: "qty", op: "contains", value: "1" })}`,
    );
    expectProblem(wrongOp, 400, { field: "filter/op", code: "operator_not_allowed" });
    const sqlOp = await admin.get(
      `/tables/${t.name}/records?${filterParam({ field: "title", op: "= 1 OR 1=1 --", value: "x" })}`,
    );
    expectProblem(sqlOp, 400, { field: "filter/op", code: "unknown_operator" });
  });

  it("answers 404 naming the field for an unknown field in the meta API", async () => {
    for (const res of [
      await admin.patch(`/meta/tables/${t.name}/fields/nope`, { label: "x" }),
      await admin.delete(`/meta/tables/${t.name}/fields/nope`),
      await admin.post(`/meta/tables/${t.name}/fields/nope/restore`),
    ])
      expectProblem(res, 404, { field: "field", code: "not_found" });
  });

  it("answers 404 for a record that does not exist and 400 for a record id that is not one", async () => {
    expectProblem(await admin.get(`/tables/${t.name}/records/987654`), 404);
    expectProblem(await admin.patch(`/tables/${t.name}/records/987654`, { version: 1, fields: { title: "x" } }), 404, {
      field: "id",
      code: "not_found",
    });
    for (const id of ["0", "-1", "abc", "1.5", "1e3", "99999999999999999999", enc(SQL_OR), enc(SQL)]) {
      expectProblem(await admin.get(`/tables/${t.name}/records/${id}`), 400, { field: "id", code: "type" });
    }
  });
});

describe("wrong value types and values out of range", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("values");
    await seed(t, 2);
  });

  it("answers 422 naming every field with a value of the wrong type, and writes nothing", async () => {
    const before = await snapshot(t);
    const wrong = {
      title: 42,
      notes: ["x"],
      qty: "ten",
      price: 1.5,
      due: "2024-13-45",
      done: "yes",
      stage: "lost",
      stars: "5",
      pct: 12.5,
      mail: "not-an-email",
    };
    const res = await admin.post(`/tables/${t.name}/records`, { fields: wrong });
    expect(res.status).toBe(422);
    expectProblem(res, 422);
    const named = new Set(res.body.errors.map((e: { field: string }) => e.field));
    for (const k of Object.keys(wrong)) expect(named, `fields/${k} not named`).toContain(`fields/${k}`);
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 422 naming the field for each value out of its range, and writes nothing", async () => {
    const before = await snapshot(t);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ qty: -1 }, "fields/qty", "minimum"],
      [{ qty: 1000.01 }, "fields/qty", "maximum"],
      [{ qty: 1.234 }, "fields/qty", "precision"],
      [{ stars: 6 }, "fields/stars", "maximum"],
      [{ stars: 0 }, "fields/stars", "minimum"],
      [{ title: "x".repeat(51) }, "fields/title", "maxLength"],
      [{ pct: 2_000_000_000 }, "fields/pct", "maximum"],
      [{ price: Number.MAX_SAFE_INTEGER + 2 }, "fields/price", ""],
      [{ price: { amount: 100, currency: "usd" } }, "fields/price/currency", "pattern"],
      [{ price: { amount: 100, currency: "USD", extra: 1 } }, "fields/price/extra", "additionalProperties"],
      [{ due: "2024-02-30" }, "fields/due", "invalid_date"],
    ];
    for (const [fields, field, code] of cases) {
      const res = await admin.post(`/tables/${t.name}/records`, { fields });
      expectProblem(res, 422, code ? { field, code } : { field });
    }
    // and on update
    const [row] = (await admin.get(`/tables/${t.name}/records?limit=1`)).body.records;
    const upd = await admin.patch(`/tables/${t.name}/records/${row.id}`, {
      version: row.version,
      fields: { qty: 5000 },
    });
    expectProblem(upd, 422, { field: "fields/qty", code: "maximum" });
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 400/422 naming the parameter for query values out of range or of the wrong type", async () => {
    expectProblem(await admin.get(`/tables/${t.name}/records?limit=0`), 400, { field: "limit" });
    expectProblem(await admin.get(`/tables/${t.name}/records?limit=1001`), 400, { field: "limit" });
    expectProblem(await admin.get(`/tables/${t.name}/records?limit=${enc("1; DROP TABLE sg_users")}`), 400, {
      field: "limit",
    });
    expectProblem(await admin.get(`/tables/${t.name}/records?cursor=${enc(SQL)}`), 400, { field: "cursor" });
    expectProblem(await admin.get(`/tables/${t.name}/records?count=maybe`), 400, { field: "count" });
    expectProblem(await admin.get(`/tables/${t.name}/records?q=${"x".repeat(201)}`), 400, { field: "q" });
    expectProblem(
      await admin.get(`/tables/${t.name}/records?${filterParam({ field: "qty", op: "gt", value: SQL_OR })}`),
      422,
      { field: "filter/value" },
    );
    expectProblem(
      await admin.get(`/tables/${t.name}/records?${filterParam({ field: "qty", op: "between", value: [1] })}`),
      422,
      { field: "filter/value" },
    );
    expectProblem(
      await admin.get(`/tables/${t.name}/records?${filterParam({ field: "stage", op: "eq", value: SQL })}`),
      422,
      { field: "filter/value" },
    );
    expectProblem(
      await admin.get(`/tables/${t.name}/records?${filterParam({ field: "due", op: "lt", value: PATH })}`),
      422,
      { field: "filter/value" },
    );
    expectProblem(await admin.delete(`/tables/${t.name}/records/1?version=${enc(SQL_OR)}`), 422, { field: "version" });
    expectProblem(await admin.delete(`/meta/tables/${t.name}?purge=${enc(SQL_OR)}`), 400, { field: "purge" });
  });

  it("refuses bodies of the wrong shape with 4xx and writes nothing", async () => {
    const before = await snapshot(t);
    const bodies: unknown[] = [
      [],
      null,
      '"str"',
      42,
      true,
      { records: {} },
      { records: [] },
      { records: [null] },
      { records: [[]] },
      { records: "x" },
      { fields: [] },
      { fields: null },
      { fields: "title" },
      { records: [{ fields: {} }], extra: 1 },
      { fields: { title: { nested: 1 } } },
      { id: 5, fields: {} },
      { fields: {}, version: 1 },
      JSON.parse('{"__proto__": {"polluted": 1}, "fields": {"constructor": 1}}'),
      { fields: { toString: "x" } },
      JSON.parse('{"fields": {"__proto__": "x"}}'),
    ];
    for (const body of bodies) {
      const res = await admin.post(`/tables/${t.name}/records`, body);
      expect(BAD_STATUSES, `${JSON.stringify(body)} -> ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      expectProblem(res, res.status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await snapshot(t)).toEqual(before);
  });
});

describe("too much at once", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("toomuch");
  });

  it("answers 413 naming records for 1,001 records and writes none", async () => {
    const before = await snapshot(t);
    const records = Array.from({ length: 1001 }, (_, i) => ({ fields: { title: `r${i}` } }));
    const res = await admin.post(`/tables/${t.name}/records`, { records });
    expectProblem(res, 413, { field: "records", code: "max_items" });
    const upd = await admin.patch(`/tables/${t.name}/records`, {
      records: records.map((r, i) => ({ id: i + 1, version: 1, ...r })),
    });
    expectProblem(upd, 413, { field: "records" });
    const del = await admin.delete(`/tables/${t.name}/records`, { records: records.map((_, i) => ({ id: i + 1 })) });
    expectProblem(del, 413, { field: "records" });
    expect(await snapshot(t)).toEqual(before);
  });

  it("accepts exactly 1,000 records in one request", async () => {
    const before = await count(`SELECT COUNT(*) AS n FROM "${phys(t.id)}"`);
    const records = Array.from({ length: 1000 }, (_, i) => ({ fields: { title: `k${i}`, qty: i % 1000 } }));
    const res = await admin.post(`/tables/${t.name}/records`, { records });
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    expect(res.body.records).toHaveLength(1000);
    expect(await count(`SELECT COUNT(*) AS n FROM "${phys(t.id)}"`)).toBe(before + 1000);
  });

  it("answers 413 for a body over 5 MB and writes nothing", async () => {
    const before = await snapshot(t);
    const big = JSON.stringify({ fields: { notes: "x".repeat(5 * 1024 * 1024) } });
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    expectProblem(await admin.post(`/tables/${t.name}/records`, big), 413);
    expectProblem(
      await admin.post(
        "/meta/tables",
        JSON.stringify({ name: uniq("huge"), description: "d".repeat(5 * 1024 * 1024 + 10) }),
      ),
      413,
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 413 for a streamed body over 5 MB that declares no length", async () => {
    const before = await snapshot(t);
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"fields": {"notes": "'));
        if (sent < 6) {
          controller.enqueue(chunk);
          sent++;
        } else {
          controller.enqueue(new TextEncoder().encode('"}}'));
          controller.close();
        }
      },
    });
    const res = await SELF.fetch(`http://x/api/tables/${t.name}/records`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: stream,
      // @ts-expect-error: workerd needs duplex for a streamed request body
      duplex: "half",
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(413);
    expect(res.headers.get("content-type")).toContain(PROBLEM);
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 400 naming the filter for nesting deeper than 8 and accepts 8", async () => {
    const rows = await seed(t, 1);
    const leaf = { field: "title", op: "eq", value: rows[0]!.fields.title };
    const nest = (levels: number): unknown => {
      let node: unknown = leaf;
      for (let i = 1; i < levels; i++) node = { and: [node] };
      return node;
    };
    // depth counts the condition itself: 7 groups around one condition is 8 levels
    const ok = await admin.get(`/tables/${t.name}/records?${filterParam(nest(8))}`);
    expect(ok.status, ok.text.slice(0, 300)).toBe(200);
    expect(ok.body.records.map((r: { id: number }) => r.id)).toEqual([rows[0]!.id]);
    for (const levels of [9, 50, 2000]) {
      const res = await admin.get(`/tables/${t.name}/records?${filterParam(nest(levels))}`);
      expectProblem(res, 400, { code: "too_deep" });
      expect(res.body.errors[0].field).toMatch(/^filter(\/and\/0){8}$/);
    }
  });

  it("answers 400 for a filter with too many conditions", async () => {
    const conditions = Array.from({ length: 101 }, (_, i) => ({ field: "qty", op: "eq", value: i }));
    expectProblem(await admin.get(`/tables/${t.name}/records?${filterParam({ or: conditions })}`), 400, {
      code: "too_many",
    });
  });
});

describe("names and values shaped like SQL, HTML or paths", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("hostile");
    await seed(t, 3);
  });

  it("refuses them as table names with 422 naming the name, creating nothing", async () => {
    const tablesBefore = await count("SELECT COUNT(*) AS n FROM sg_tables");
    const physicalBefore = await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'");
    for (const name of HOSTILE) {
      expectProblem(await admin.post("/meta/tables", { name, fields: [{ name: "a", type: "text" }] }), 422, {
        field: "name",
        code: "pattern",
      });
      expectProblem(await admin.patch(`/meta/tables/${t.name}`, { name }), 422, { field: "name", code: "pattern" });
    }
    expect(await count("SELECT COUNT(*) AS n FROM sg_tables")).toBe(tablesBefore);
    expect(await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'")).toBe(physicalBefore);
    expect((await admin.get(`/meta/tables/${t.id}`)).body.table.name).toBe(t.name);
  });

  it("refuses them as field names with 422 naming the field, adding no column", async () => {
    const before = await snapshot(t);
    const cols = await count("SELECT COUNT(*) AS n FROM pragma_table_info(?1)", phys(t.id));
    for (const name of HOSTILE) {
      expectProblem(await admin.post(`/meta/tables/${t.name}/fields`, { name, type: "text" }), 422, {
        field: "name",
        code: "pattern",
      });
      expectProblem(await admin.patch(`/meta/tables/${t.name}/fields/title`, { name }), 422, {
        field: "name",
        code: "pattern",
      });
      expectProblem(
        await admin.post("/meta/tables", {
          name: uniq("hf"),
          fields: [
            { name: "ok", type: "text" },
            { name, type: "text" },
          ],
        }),
        422,
        { field: "fields/1/name", code: "pattern" },
      );
    }
    expect(await count("SELECT COUNT(*) AS n FROM pragma_table_info(?1)", phys(t.id))).toBe(cols);
    expect(await snapshot(t)).toEqual(before);
  });

  it("answers 404 naming the table when they are used as the table in a path", async () => {
    for (const name of HOSTILE) {
      for (const res of [
        await admin.get(`/tables/${enc(name)}/records`),
        await admin.post(`/tables/${enc(name)}/records`, { fields: { title: "x" } }),
        await admin.get(`/meta/tables/${enc(name)}`),
        await admin.delete(`/meta/tables/${enc(name)}?purge=true`),
      ])
        expectProblem(res, 404, { field: "table", code: "not_found" });
    }
    expect(await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sg_users'")).toBe(1);
  });

  it("answers problem+json naming the resource for raw dot segments in a path", async () => {
    // %2e%2e in a URL path is "..": the URL resolves it before routing, so the path names no table
    for (const path of [
      `/api/tables/${DOTS}/records`,
      `/api/tables/${DOTS}/${DOTS}/${DOTS}/etc/passwd/records`,
      `/api/meta/tables/${DOTS}%2f${DOTS}%2fsg_users`,
    ]) {
      const res = await admin.get(path);
      expect(BAD_STATUSES).toContain(res.status);
      expectProblem(res, res.status);
    }
  });

  it("answers 404 naming the field when they are used as the field in a meta path", async () => {
    for (const name of HOSTILE) {
      expectProblem(await admin.patch(`/meta/tables/${t.name}/fields/${enc(name)}`, { label: "x" }), 404, {
        field: "field",
        code: "not_found",
      });
      expectProblem(await admin.delete(`/meta/tables/${t.name}/fields/${enc(name)}?purge=true`), 404, {
        field: "field",
        code: "not_found",
      });
    }
  });

  it("answers 4xx naming the field when they are used as record field names, filter fields, sort or selected fields", async () => {
    const before = await snapshot(t);
    for (const name of HOSTILE) {
      const w = await admin.post(`/tables/${t.name}/records`, { fields: { title: "fine", [name]: "x" } });
      expectProblem(w, 422, { field: `fields/${name}`, code: "unknown_field" });
      expectProblem(
        await admin.get(`/tables/${t.name}/records?${filterParam({ field: name, op: "eq", value: "x" })}`),
        400,
        { field: "filter/field", code: "unknown_field" },
      );
      expectProblem(await admin.get(`/tables/${t.name}/records?sort=${enc(name)}`), 400, { field: "sort" });
      expectProblem(await admin.get(`/tables/${t.name}/records?sort=-${enc(name)}`), 400, { field: "sort" });
      expectProblem(await admin.get(`/tables/${t.name}/records?fields=${enc(name)}`), 400, {
        field: "fields",
        code: "unknown_field",
      });
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it("stores them verbatim as text values, matches them exactly, and sg_users survives", async () => {
    const usersBefore = await count("SELECT COUNT(*) AS n FROM sg_users");
    const values = [
      ...HOSTILE,
      "%",
      "_",
      "\\",
      "' OR ''='",
      '"; DELETE FROM sg_tables; --',
      "Robert'); DROP TABLE Students;--",
    ];
    const created = await admin.post(`/tables/${t.name}/records`, {
      records: values.map((v, i) => ({ fields: { title: v.slice(0, 50), notes: v, qty: i } })),
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get("content-type")).toContain("application/json");
    const ids = created.body.records.map((r: { id: number }) => r.id);

    for (const [i, v] of values.entries()) {
      const read = await admin.get(`/tables/${t.name}/records/${ids[i]}`);
      expect(read.body.record.fields.notes).toBe(v);
      const stored = await DB.prepare(
        `SELECT "c_${(await fieldId(t, "notes")).slice(4)}" AS v FROM "${phys(t.id)}" WHERE id = ?1`,
      )
        .bind(ids[i])
        .first<{ v: string }>();
      expect(stored!.v).toBe(v);
      // equality finds exactly that record; a LIKE wildcard or quote in the value matches literally
      const eq = await admin.get(`/tables/${t.name}/records?${filterParam({ field: "notes", op: "eq", value: v })}`);
      expect(eq.body.records.map((r: { id: number }) => r.id)).toEqual([ids[i]]);
      const contains = await admin.get(
        `/tables/${t.name}/records?${filterParam({ field: "notes", op: "contains", value: v })}`,
      );
      expect(contains.body.records.map((r: { id: number }) => r.id)).toContain(ids[i]);
      for (const r of contains.body.records) expect(r.fields.notes).toContain(v);
    }
    const search = await admin.get(`/tables/${t.name}/records?q=${enc("' OR 1=1 --")}`);
    expect(search.status).toBe(200);
    expect(search.body.records).toEqual([]);
    const orFilter = await admin.get(
      `/tables/${t.name}/records?${filterParam({ field: "title", op: "eq", value: SQL_OR })}`,
    );
    expect(orFilter.body.records.map((r: { id: number }) => r.id)).toEqual([ids[1]]);

    expect(await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sg_users'")).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM sg_users")).toBe(usersBefore);
  });

  it("returns HTML-shaped values as JSON data, never as markup", async () => {
    const res = await admin.post(`/tables/${t.name}/records`, { fields: { title: HTML } });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.body.record.fields.title).toBe(HTML);
    const problem = await admin.get(`/tables/${enc(HTML)}/records`);
    expect(problem.headers.get("content-type")).toContain(PROBLEM);
    expect(problem.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

async function fieldId(t: Fixture, name: string): Promise<string> {
  return (await DB.prepare("SELECT id FROM sg_fields WHERE table_id = ?1 AND name = ?2")
    .bind(t.id, name)
    .first<{ id: string }>())!.id;
}

describe("nothing partly written", () => {
  let t: Fixture;
  beforeAll(async () => {
    t = await makeTable("atomic");
  });

  it("writes none of a bulk create of 10 valid records and 1 invalid one", async () => {
    await seed(t, 2);
    for (const badAt of [10, 0, 5]) {
      const before = await snapshot(t);
      const records = Array.from({ length: 11 }, (_, i) => ({
        fields: { title: `bulk ${i}`, qty: i === badAt ? 5000 : i },
      }));
      const res = await admin.post(`/tables/${t.name}/records`, { records });
      expectProblem(res, 422, { field: `records/${badAt}/fields/qty`, code: "maximum" });
      expect(res.body.errors).toHaveLength(1);
      expect(await snapshot(t)).toEqual(before);
    }
  });

  it("writes none of a bulk update where one record's version is stale, returning 409 with the current record", async () => {
    const rows = await seed(t, 5);
    // someone else moves the third record on
    const moved = await admin.patch(`/tables/${t.name}/records/${rows[2]!.id}`, {
      version: rows[2]!.version,
      fields: { title: "moved on" },
    });
    expect(moved.status).toBe(200);
    const before = await snapshot(t);

    const res = await admin.patch(`/tables/${t.name}/records`, {
      records: rows.map((r) => ({ id: r.id, version: r.version, fields: { title: `bulk ${r.id}`, qty: 999 } })),
    });
    expectProblem(res, 409, { field: "records/2/version", code: "stale" });
    expect(res.body.conflicts).toEqual([
      { index: 2, current: expect.objectContaining({ id: rows[2]!.id, version: rows[2]!.version + 1 }) },
    ]);
    expect(res.body.conflicts[0].current.fields).toMatchObject({ title: "moved on", qty: 2 });
    expect(await snapshot(t)).toEqual(before);
  });

  it("writes none of a bulk update naming a record that does not exist (404) or holding one invalid value (422)", async () => {
    const rows = await seed(t, 3);
    const before = await snapshot(t);
    const missing = await admin.patch(`/tables/${t.name}/records`, {
      records: [
        ...rows.map((r) => ({ id: r.id, version: r.version, fields: { title: "nope" } })),
        { id: 987654, version: 1, fields: { title: "ghost" } },
      ],
    });
    expectProblem(missing, 404, { field: "records/3/id", code: "not_found" });
    const invalid = await admin.patch(`/tables/${t.name}/records`, {
      records: rows.map((r, i) => ({ id: r.id, version: r.version, fields: { qty: i === 1 ? -5 : 1 } })),
    });
    expectProblem(invalid, 422, { field: "records/1/fields/qty", code: "minimum" });
    const dup = await admin.patch(`/tables/${t.name}/records`, {
      records: [
        { id: rows[0]!.id, version: rows[0]!.version, fields: { qty: 1 } },
        { id: rows[0]!.id, version: rows[0]!.version, fields: { qty: 2 } },
      ],
    });
    expectProblem(dup, 422, { field: "records/1/id", code: "duplicate" });
    expect(await snapshot(t)).toEqual(before);
  });

  it("deletes none of a bulk delete where one record's version is stale", async () => {
    const rows = await seed(t, 3);
    expect(
      (await admin.patch(`/tables/${t.name}/records/${rows[1]!.id}`, { version: rows[1]!.version, fields: { qty: 7 } }))
        .status,
    ).toBe(200);
    const before = await snapshot(t);
    const res = await admin.delete(`/tables/${t.name}/records`, {
      records: rows.map((r) => ({ id: r.id, version: r.version })),
    });
    expectProblem(res, 409, { field: "records/1/version", code: "stale" });
    expect(res.body.conflicts[0].current).toMatchObject({
      id: rows[1]!.id,
      version: rows[1]!.version + 1,
      fields: { qty: 7 },
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it("never answers 500 or writes part of a request for arbitrary JSON bodies", async () => {
    const rows = await seed(t, 2);
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(...HOSTILE),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const fieldName = fc.constantFrom(
      "title",
      "notes",
      "qty",
      "price",
      "due",
      "done",
      "stage",
      "stars",
      "pct",
      "mail",
      SQL,
      "__proto__",
      "constructor",
      "",
    );
    const fieldsObj = fc.dictionary(fieldName, value, { maxKeys: 4 });
    const item = fc.record(
      {
        id: fc.oneof(fc.constantFrom(...rows.map((r) => r.id)), fc.integer()),
        version: fc.oneof(fc.constant(1), fc.integer()),
        fields: fieldsObj,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record({ fields: fieldsObj }, { requiredKeys: [] }),
      fc.record({ records: fc.array(item, { maxLength: 4 }) }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const method = fc.constantFrom("POST", "PATCH", "DELETE");

    await fc.assert(
      fc.asyncProperty(method, body, async (m, b) => {
        const before = await snapshot(t);
        const path =
          m === "PATCH" && Math.abs(JSON.stringify(b).length) % 2 === 0
            ? `/tables/${t.name}/records/${rows[0]!.id}`
            : `/tables/${t.name}/records`;
        const res = await admin.request(m, path, b);
        if (res.status >= 200 && res.status < 300) return; // a valid write happened whole
        expect(
          [...BAD_STATUSES],
          `${m} ${path} ${JSON.stringify(b)} -> ${res.status} ${res.text.slice(0, 300)}`,
        ).toContain(res.status);
        expect(res.headers.get("content-type")).toContain(PROBLEM);
        expect(await snapshot(t)).toEqual(before);
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });
});
