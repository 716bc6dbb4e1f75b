/**
 * Odd values never answer 500 and never change silently (issue 12, point 3): names that are keys of
 * Object.prototype work like any other name, impossible dates and times are refused naming the field,
 * and text with lone UTF-16 surrogates is refused naming where it was.
 * Storage is shared between tests in this file: every table name is unique.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

type Client = ReturnType<typeof api>;
type Rec = { id: number; version: number; fields: Record<string, any> };

const sfx = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);
const enc = encodeURIComponent;
const filterParam = (f: unknown) => `filter=${enc(JSON.stringify(f))}`;

let admin: Client;

/** A problem+json reply with `status`, no stack trace, and an error at `field` with `code` (when given). */
function expectProblem(res: ApiResponse, status: number, field?: string, code?: string) {
  expect(res.status, res.text.slice(0, 600)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  if (field !== undefined || code !== undefined) {
    const hit = (res.body.errors as { field: string; code: string }[]).some(
      (e) => (field === undefined || e.field === field) && (code === undefined || e.code === code),
    );
    expect(hit, `no error ${field} / ${code} in ${res.text.slice(0, 600)}`).toBe(true);
  }
}

async function createTable(body: unknown) {
  const res = await admin.post("/meta/tables", body);
  expect(res.status, res.text).toBe(201);
  return res.body.table as { id: string; name: string };
}

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
});

describe("names that are keys of Object.prototype", () => {
  const PROTO_CHOICES = ["__proto__", "toString", "hasOwnProperty", "valueOf", "constructor"];
  let a: string; // a text field named constructor and choices named after prototype keys
  let b: string; // a link field named constructor to a
  let plain: string; // no such names at all

  beforeAll(async () => {
    const s = sfx();
    a = (
      await createTable({
        name: `proto_a_${s}`,
        fields: [
          { name: "constructor", type: "text" },
          { name: "amount", type: "number" },
          { name: "stage", type: "single_select", options: { choices: PROTO_CHOICES.map((name) => ({ name })) } },
          { name: "tags", type: "multi_select", options: { choices: PROTO_CHOICES.map((name) => ({ name })) } },
        ],
      })
    ).name;
    b = (
      await createTable({
        name: `proto_b_${s}`,
        fields: [
          { name: "title", type: "text" },
          { name: "constructor", type: "link", options: { table: a, inverseName: "b_items" } },
        ],
      })
    ).name;
    plain = (await createTable({ name: `proto_plain_${s}`, fields: [{ name: "title", type: "text" }] })).name;
  });

  async function create(table: string, fields: Record<string, unknown>): Promise<Rec> {
    const res = await admin.post(`/tables/${table}/records`, { fields });
    expect(res.status, res.text).toBe(201);
    return res.body.record;
  }
  async function get(table: string, id: number, query = ""): Promise<Rec> {
    const res = await admin.get(`/tables/${table}/records/${id}${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body.record;
  }
  async function list(table: string, query: string): Promise<Rec[]> {
    const res = await admin.get(`/tables/${table}/records?limit=1000&${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body.records;
  }

  it("a text field named constructor and choices named __proto__, toString, hasOwnProperty, valueOf round-trip", async () => {
    const r = await create(a, {
      constructor: "hello",
      stage: "__proto__",
      tags: ["toString", "hasOwnProperty", "__proto__"],
    });
    expect(r.fields).toMatchObject({
      constructor: "hello",
      stage: "__proto__",
      tags: ["toString", "hasOwnProperty", "__proto__"],
    });
    expect((await get(a, r.id)).fields).toMatchObject({
      constructor: "hello",
      stage: "__proto__",
      tags: ["toString", "hasOwnProperty", "__proto__"],
    });
    for (const choice of PROTO_CHOICES) {
      const c = await create(a, { constructor: `c ${choice}`, stage: choice, tags: [choice] });
      expect((await get(a, c.id)).fields).toMatchObject({ stage: choice, tags: [choice] });
    }
  });

  it("a record created without the constructor field reads it back as null", async () => {
    const r = await create(a, { amount: 1 });
    expect(r.fields.constructor).toBeNull();
    expect((await get(a, r.id)).fields.constructor).toBeNull();
  });

  it("an update that leaves constructor out keeps its value; one that sends it changes it", async () => {
    const r = await create(a, { constructor: "kept", amount: 1 });
    const u = await admin.patch(`/tables/${a}/records/${r.id}`, { version: r.version, fields: { amount: 2 } });
    expect(u.status, u.text).toBe(200);
    expect(u.body.record.fields).toMatchObject({ constructor: "kept", amount: 2 });
    expect((await get(a, r.id)).fields).toMatchObject({ constructor: "kept", amount: 2 });
    const v = await admin.patch(`/tables/${a}/records/${r.id}`, {
      version: u.body.record.version,
      fields: { constructor: "changed" },
    });
    expect(v.status, v.text).toBe(200);
    expect((await get(a, r.id)).fields).toMatchObject({ constructor: "changed", amount: 2 });
    const bulk = await admin.patch(`/tables/${a}/records`, {
      records: [{ id: r.id, version: v.body.record.version, fields: { amount: 3 } }],
    });
    expect(bulk.status, bulk.text).toBe(200);
    expect((await get(a, r.id)).fields).toMatchObject({ constructor: "changed", amount: 3 });
  });

  it("filters, sorts, selects and aggregates by those names", async () => {
    const x = await create(a, { constructor: "zz filter me", stage: "valueOf", tags: ["valueOf", "constructor"] });
    expect(
      (await list(a, filterParam({ field: "constructor", op: "eq", value: "zz filter me" }))).map((r) => r.id),
    ).toEqual([x.id]);
    expect(
      (await list(a, filterParam({ field: "constructor", op: "starts_with", value: "zz filter" }))).map((r) => r.id),
    ).toEqual([x.id]);
    expect(
      (
        await list(
          a,
          filterParam({
            and: [
              { field: "stage", op: "eq", value: "valueOf" },
              { field: "tags", op: "contains", value: "constructor" },
            ],
          }),
        )
      ).map((r) => r.id),
    ).toEqual([x.id]);
    const inProto = await list(a, filterParam({ field: "stage", op: "in", value: ["__proto__", "toString"] }));
    expect(inProto.length).toBeGreaterThan(0);
    for (const r of inProto) expect(["__proto__", "toString"]).toContain(r.fields.stage);
    const sorted = await list(a, "sort=-constructor&fields=constructor");
    const names = sorted.map((r) => r.fields.constructor).filter((v) => v !== null);
    expect(names).toEqual([...names].sort().reverse());
    expect(Object.keys(sorted[0]!.fields)).toEqual(["constructor"]);
    const agg = await admin.post(`/tables/${a}/aggregate`, {
      groupBy: ["stage"],
      measures: [{ op: "count" }],
      filter: { field: "stage", op: "is_not_empty" },
    });
    expect(agg.status, agg.text).toBe(200);
    const keys = agg.body.groups.map((g: { key: Record<string, unknown> }) => g.key.stage);
    expect(keys).toEqual(expect.arrayContaining(["__proto__", "toString", "valueOf"]));
    const byName = await admin.post(`/tables/${a}/aggregate`, {
      groupBy: ["constructor"],
      measures: [{ op: "count" }],
      filter: { field: "constructor", op: "eq", value: "zz filter me" },
    });
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.groups).toEqual([expect.objectContaining({ key: { constructor: "zz filter me" } })]);
  });

  it("a link field named constructor writes, reads, expands, filters and keeps its links on other updates", async () => {
    const t1 = await create(a, { constructor: "target one" });
    const t2 = await create(a, { constructor: "target two" });
    const r = await create(b, { title: "linked", constructor: [t1.id, t2.id] });
    expect((await get(b, r.id)).fields.constructor).toEqual([t1.id, t2.id]);
    const expanded = await get(b, r.id, "?expand=constructor");
    expect(expanded.fields.constructor).toEqual([
      { id: t1.id, primary: "target one" },
      { id: t2.id, primary: "target two" },
    ]);
    expect((await get(a, t1.id)).fields.b_items).toEqual([r.id]);
    expect(
      (await list(b, filterParam({ field: "constructor", op: "contains", value: t2.id }))).map((x) => x.id),
    ).toEqual([r.id]);
    // A record made without the link has none, and an update of another field keeps the links.
    const bare = await create(b, { title: "no links" });
    expect((await get(b, bare.id)).fields.constructor).toEqual([]);
    const u = await admin.patch(`/tables/${b}/records/${r.id}`, { version: r.version, fields: { title: "renamed" } });
    expect(u.status, u.text).toBe(200);
    expect((await get(b, r.id)).fields.constructor).toEqual([t1.id, t2.id]);
    const cleared = await admin.patch(`/tables/${b}/records/${r.id}`, {
      version: u.body.record.version,
      fields: { constructor: [t2.id] },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect((await get(b, r.id)).fields.constructor).toEqual([t2.id]);
  });

  it("record bodies naming __proto__, constructor or toString on a table without such fields are 422 unknown_field", async () => {
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const raw = `{"fields": {"title": "x", ${JSON.stringify(key)}: {"title": "y"}}}`;
      expectProblem(await admin.post(`/tables/${plain}/records`, raw), 422, `fields/${key}`, "unknown_field");
      expectProblem(
        await admin.post(`/tables/${plain}/records`, `{"records": [${raw}]}`),
        422,
        `records/0/fields/${key}`,
        "unknown_field",
      );
      const r = await create(plain, { title: "for patch" });
      expectProblem(
        await admin.patch(
          `/tables/${plain}/records/${r.id}`,
          `{"version": ${r.version}, "fields": {${JSON.stringify(key)}: 1}}`,
        ),
        422,
        `fields/${key}`,
        "unknown_field",
      );
      expectProblem(
        await admin.patch(
          `/tables/${plain}/records`,
          `{"records": [{"id": ${r.id}, "version": ${r.version}, "fields": {${JSON.stringify(key)}: 1}}]}`,
        ),
        422,
        `records/0/fields/${key}`,
        "unknown_field",
      );
      // Beside fields, such a key is an unknown key of the body.
      expectProblem(
        await admin.post(`/tables/${plain}/records`, `{"fields": {"title": "x"}, ${JSON.stringify(key)}: {}}`),
        422,
        key,
        "unknown_key",
      );
    }
    // Nothing of the refused writes was stored.
    expect((await list(plain, "")).every((r) => r.fields.title === "for patch")).toBe(true);
  });

  it("query parameters naming those keys on a table without such fields are 400 unknown_field", async () => {
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      expectProblem(
        await admin.get(`/tables/${plain}/records?${filterParam({ field: key, op: "eq", value: "x" })}`),
        400,
        "filter/field",
        "unknown_field",
      );
      expectProblem(await admin.get(`/tables/${plain}/records?sort=${enc(key)}`), 400, "sort", "unknown_field");
      expectProblem(await admin.get(`/tables/${plain}/records?fields=${enc(key)}`), 400, "fields", "unknown_field");
      expectProblem(await admin.get(`/tables/${plain}/records?expand=${enc(key)}`), 400, "expand", "unknown_field");
      const agg = await admin.post(`/tables/${plain}/aggregate`, { groupBy: [key], measures: [{ op: "count" }] });
      expect([400, 422], agg.text).toContain(agg.status);
      expectProblem(agg, agg.status);
      const sum = await admin.post(`/tables/${plain}/aggregate`, { measures: [{ op: "sum", field: key }] });
      expect([400, 422], sum.text).toContain(sum.status);
      expectProblem(sum, sum.status);
    }
  });

  it("definitions with such keys in labels, layouts and options are refused or kept as sent, never a 500", async () => {
    const labels = await admin.post(
      "/meta/tables",
      `{"name": "proto_l_${sfx()}", "labels": {"__proto__": "x"}, "fields": [{"name": "title", "type": "text"}]}`,
    );
    expectProblem(labels, 422);
    const fieldLabels = await admin.post(
      `/meta/tables/${plain}/fields`,
      `{"name": "f_${sfx()}", "type": "text", "labels": {"constructor": "x"}}`,
    );
    expectProblem(fieldLabels, 422);
    const options = await admin.post(
      `/meta/tables/${plain}/fields`,
      `{"name": "f_${sfx()}", "type": "text", "options": {"__proto__": {"maxLength": 1}}}`,
    );
    expectProblem(options, 422);
    const widths = await admin.post(
      "/meta/views",
      `{"name": "v_${sfx()}", "table": "${a}", "type": "grid", "layout": {"columnWidths": {"__proto__": 100}}}`,
    );
    expectProblem(widths, 422, "layout/columnWidths/__proto__", "unknown_field");
    const ok = await admin.post(
      "/meta/views",
      `{"name": "v_${sfx()}", "table": "${a}", "type": "grid", "layout": {"columnWidths": {"constructor": 120}}, "sort": [{"field": "constructor"}], "fields": ["constructor", "stage"]}`,
    );
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.view.layout.columnWidths).toEqual({ constructor: 120 });
    const records = await admin.get(`/meta/views/${ok.body.view.id}/records`);
    expect(records.status, records.text).toBe(200);
    for (const key of ["__proto__", "constructor", "toString"]) {
      expectProblem(
        await admin.request("PUT", "/admin/plugins/customers/settings", `{${JSON.stringify(key)}: {"enabled": true}}`),
        422,
      );
      const role = `r_${sfx()}`;
      expect((await admin.post("/admin/roles", { name: role, label: role })).status).toBe(201);
      const grant = await admin.request(
        "PUT",
        `/admin/roles/${role}/grants/${plain}`,
        `{"read": "all", "create": "none", "update": "none", "delete": "none", "fields": {${JSON.stringify(key)}: "hidden"}}`,
      );
      expectProblem(grant, 422, `fields/${key}`, "unknown_field");
    }
  });
});

describe("impossible dates and times", () => {
  let t: string;
  let tableId: string;
  let viewId: string;
  let seeded: Rec;

  beforeAll(async () => {
    const table = await createTable({
      name: `dates_${sfx()}`,
      fields: [
        { name: "title", type: "text" },
        { name: "due", type: "date" },
        { name: "at", type: "datetime" },
      ],
    });
    t = table.name;
    tableId = table.id;
    const r = await admin.post(`/tables/${t}/records`, {
      fields: { title: "seed", due: "2026-06-01", at: "2026-06-01T10:00:00+08:00" },
    });
    expect(r.status, r.text).toBe(201);
    seeded = r.body.record;
    const view = await admin.post("/meta/views", { name: `v_${sfx()}`, table: t, type: "grid" });
    expect(view.status, view.text).toBe(201);
    viewId = view.body.view.id;
  });

  const BAD_DATES: [string, string][] = [
    ["2027-02-30", "invalid_date"],
    ["2026-13-01", "invalid_date"],
    ["2026-02-29", "invalid_date"],
    ["2026-00-10", "invalid_date"],
    ["1899-12-31", "out_of_range"],
    ["2026-1-1", "invalid_date"],
  ];
  const BAD_DATETIMES: [string, string][] = [
    ["2027-02-30T10:00:00Z", "invalid_datetime"],
    ["2026-13-01T10:00:00Z", "invalid_datetime"],
    ["2026-01-01T24:00:00Z", "invalid_datetime"],
    ["2026-01-01T10:00:60Z", "invalid_datetime"],
    ["2026-12-31T23:59:60Z", "leap_second"],
    ["2026-01-01T10:00:00+25:00", "invalid_datetime"],
    ["1899-12-31T23:00:00Z", "out_of_range"],
    ["9999-12-31T23:00:00-05:00", "out_of_range"],
    ["2026-01-01T10:00:00", "invalid_datetime"],
  ];

  it("record writes refuse them with 422 naming the field, one record or many, create or update, and store nothing", async () => {
    for (const [value, code] of BAD_DATES) {
      expectProblem(
        await admin.post(`/tables/${t}/records`, { fields: { title: "bad", due: value } }),
        422,
        "fields/due",
        code,
      );
      expectProblem(
        await admin.post(`/tables/${t}/records`, {
          records: [{ fields: { title: "ok" } }, { fields: { title: "bad", due: value } }],
        }),
        422,
        "records/1/fields/due",
        code,
      );
      expectProblem(
        await admin.patch(`/tables/${t}/records/${seeded.id}`, { version: seeded.version, fields: { due: value } }),
        422,
        "fields/due",
        code,
      );
    }
    for (const [value, code] of BAD_DATETIMES) {
      expectProblem(
        await admin.post(`/tables/${t}/records`, { fields: { title: "bad", at: value } }),
        422,
        "fields/at",
        code,
      );
      expectProblem(
        await admin.patch(`/tables/${t}/records`, {
          records: [{ id: seeded.id, version: seeded.version, fields: { at: value } }],
        }),
        422,
        "records/0/fields/at",
        code,
      );
    }
    const all = await admin.get(`/tables/${t}/records`);
    expect(all.body.records.map((r: Rec) => r.fields.title)).toEqual(["seed"]);
    expect(all.body.records[0].fields).toMatchObject({ due: "2026-06-01", at: "2026-06-01T02:00:00.000Z" });
    // Valid odd forms are read, not refused: lower-case t and z, a finer fraction (cut), -00:00.
    const ok = await admin.post(`/tables/${t}/records`, {
      fields: { title: "odd but valid", due: "2024-02-29", at: "2026-12-31t23:59:59.9999-00:00" },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.record.fields).toMatchObject({ due: "2024-02-29", at: "2026-12-31T23:59:59.999Z" });
    expect((await admin.delete(`/tables/${t}/records/${ok.body.record.id}`)).status).toBe(200);
  });

  it("filters refuse them with 422 naming the operand, in lists, aggregates and view definitions", async () => {
    for (const [value, code] of BAD_DATES) {
      expectProblem(
        await admin.get(`/tables/${t}/records?${filterParam({ field: "due", op: "eq", value })}`),
        422,
        "filter/value",
        code,
      );
      expectProblem(
        await admin.get(
          `/tables/${t}/records?${filterParam({ field: "due", op: "between", value: ["2026-01-01", value] })}`,
        ),
        422,
        "filter/value/1",
        code,
      );
    }
    for (const [value, code] of BAD_DATETIMES) {
      expectProblem(
        await admin.get(`/tables/${t}/records?${filterParam({ field: "at", op: "gt", value })}`),
        422,
        "filter/value",
        code,
      );
      expectProblem(
        await admin.get(`/tables/${t}/records?${filterParam({ field: "at", op: "in", value: [value] })}`),
        422,
        "filter/value/0",
        code,
      );
      const agg = await admin.post(`/tables/${t}/aggregate`, {
        measures: [{ op: "count" }],
        filter: { field: "at", op: "lt", value },
      });
      expectProblem(agg, 422, undefined, code);
    }
    expectProblem(
      await admin.post("/meta/views", {
        name: `v_${sfx()}`,
        table: t,
        type: "grid",
        filter: { field: "due", op: "eq", value: "2027-02-30" },
      }),
      422,
      "filter/value",
      "invalid_date",
    );
    // A valid datetime operand is compared as the UTC instant it names.
    const hit = await admin.get(
      `/tables/${t}/records?${filterParam({ field: "at", op: "eq", value: "2026-06-01T10:00:00+08:00" })}`,
    );
    expect(hit.status, hit.text).toBe(200);
    expect(hit.body.records.map((r: Rec) => r.id)).toEqual([seeded.id]);
  });

  it("a forged cursor holding an impossible date is 400 invalid_cursor", async () => {
    await admin.post(`/tables/${t}/records`, {
      records: [
        { fields: { title: "p1", due: "2026-07-01", at: "2026-07-01T00:00:00Z" } },
        { fields: { title: "p2", due: "2026-08-01", at: "2026-08-01T00:00:00Z" } },
      ],
    });
    for (const sort of ["due", "-at"]) {
      const page = await admin.get(`/tables/${t}/records?sort=${sort}&limit=1`);
      expect(page.status, page.text).toBe(200);
      const cursor = JSON.parse(atob(page.body.nextCursor.replace(/-/g, "+").replace(/_/g, "/")));
      for (const bad of sort === "due"
        ? ["2027-02-30", "2026-13-01", 5, { x: 1 }]
        : ["2026-12-31T23:59:60Z", "2026-01-01T24:00:00Z", "2026-01-01", 7]) {
        const forged = btoa(JSON.stringify({ ...cursor, v: [bad, cursor.v[1]] }))
          .replace(/\+/g, "-")
          .replace(/\//g, "_")
          .replace(/=+$/, "");
        expectProblem(
          await admin.get(`/tables/${t}/records?sort=${sort}&limit=1&cursor=${forged}`),
          400,
          "cursor",
          "invalid_cursor",
        );
      }
    }
  });

  it("embed token expiry refuses them with 422 naming expiresAt instead of rolling over", async () => {
    const now = new Date();
    // The next 30th of February: within the year an embed may last, so only the date itself is wrong.
    const year = now.getUTCMonth() === 0 ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
    const soon = new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    const cases: [string, string][] = [
      [`${year}-02-30T12:00:00Z`, "invalid_datetime"],
      [`${soon}T23:59:60Z`, "leap_second"],
      [`${soon}T24:00:00Z`, "invalid_datetime"],
      [`${soon}T10:00:00+25:00`, "invalid_datetime"],
      [`${soon.slice(0, 5)}13-01T10:00:00Z`, "invalid_datetime"],
    ];
    for (const [expiresAt, code] of cases) {
      expectProblem(
        await admin.post("/admin/embed-tokens", { view: viewId, mode: "read", expiresAt }),
        422,
        "expiresAt",
        code,
      );
    }
    expectProblem(
      await admin.post("/admin/embed-tokens", {
        view: viewId,
        mode: "read",
        expiresInDays: 1,
        filter: { field: "due", op: "eq", value: "2027-02-30" },
      }),
      422,
      "filter/value",
      "invalid_date",
    );
    const ok = await admin.post("/admin/embed-tokens", {
      view: viewId,
      mode: "read",
      expiresAt: `${soon}T18:00:00+08:00`,
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.embed.expiresAt).toBe(`${soon}T10:00:00.000Z`);
  });

  it("the audit search refuses impossible from and to with 400 naming the parameter", async () => {
    for (const bad of ["2027-02-30", "2026-01-01T24:00:00Z", "2026-12-31T23:59:60Z"]) {
      expectProblem(await admin.get(`/admin/audit?table=${tableId}&from=${enc(bad)}`), 400, "from");
      expectProblem(await admin.get(`/admin/audit?table=${tableId}&to=${enc(bad)}`), 400, "to");
    }
    expect(
      (await admin.get(`/admin/audit?table=${tableId}&from=2026-01-01&to=${enc("2099-01-01T00:00:00Z")}`)).status,
    ).toBe(200);
  });

  it("a rule's $today that leaves the calendar is refused when the grant is set, never a 500", async () => {
    const role = `r_${sfx()}`;
    expect((await admin.post("/admin/roles", { name: role, label: role })).status).toBe(201);
    const NONE = { read: "none", create: "none", update: "none", delete: "none" };
    for (const days of [1e9, 1e7, 0.5]) {
      const res = await admin.request("PUT", `/admin/roles/${role}/grants/${t}`, {
        ...NONE,
        read: { rule: { field: "due", op: "gte", value: { $today: days } } },
      });
      expectProblem(res, 422);
    }
    const ok = await admin.request("PUT", `/admin/roles/${role}/grants/${t}`, {
      ...NONE,
      read: { rule: { field: "due", op: "gte", value: { $today: -30 } } },
    });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe("calendar arithmetic does not roll over", () => {
  it("a grading window N months back from the 31st starts on the last day of the shorter month", async () => {
    const { monthsAgo } = await import("../../plugins/customers/grade");
    expect(monthsAgo(1, new Date("2026-03-31T12:00:00Z"))).toBe("2026-02-28");
    expect(monthsAgo(1, new Date("2024-03-31T12:00:00Z"))).toBe("2024-02-29");
    expect(monthsAgo(6, new Date("2026-08-31T00:00:00Z"))).toBe("2026-02-28");
    expect(monthsAgo(12, new Date("2025-02-28T00:00:00Z"))).toBe("2024-02-28");
    expect(monthsAgo(3, new Date("2026-05-15T00:00:00Z"))).toBe("2026-02-15");
  });
});

describe("text with lone UTF-16 surrogates", () => {
  const LONE = ["a\ud800b", "\udfff", "x\ud83d", "\ude00y"];
  let t: string;
  let seeded: Rec;

  beforeAll(async () => {
    t = (
      await createTable({
        name: `sur_${sfx()}`,
        fields: [
          { name: "title", type: "text" },
          { name: "tags", type: "multi_select", options: { choices: [{ name: "a" }, { name: "b" }] } },
        ],
      })
    ).name;
    const r = await admin.post(`/tables/${t}/records`, { fields: { title: "seed 😀 kept" } });
    expect(r.status, r.text).toBe(201);
    seeded = r.body.record;
  });

  it("record bodies refuse them with 422 lone_surrogate naming where they are, and store nothing", async () => {
    for (const s of LONE) {
      expectProblem(
        await admin.post(`/tables/${t}/records`, { fields: { title: s } }),
        422,
        "fields/title",
        "lone_surrogate",
      );
      expectProblem(
        await admin.post(`/tables/${t}/records`, { records: [{ fields: { title: "ok" } }, { fields: { title: s } }] }),
        422,
        "records/1/fields/title",
        "lone_surrogate",
      );
      expectProblem(
        await admin.patch(`/tables/${t}/records/${seeded.id}`, { version: seeded.version, fields: { title: s } }),
        422,
        "fields/title",
        "lone_surrogate",
      );
      expectProblem(
        await admin.post(`/tables/${t}/records`, { fields: { tags: ["a", s] } }),
        422,
        "fields/tags/1",
        "lone_surrogate",
      );
    }
    // In a key: the path names the object that holds it.
    const key = await admin.post(`/tables/${t}/records`, { fields: { ["ti\ud800tle"]: "x" } });
    expectProblem(key, 422, undefined, "lone_surrogate");
    expect(key.body.errors[0].field).toMatch(/^fields\//);
    const all = await admin.get(`/tables/${t}/records`);
    expect(all.body.records.map((r: Rec) => r.fields.title)).toEqual(["seed 😀 kept"]);
  });

  it("names and labels of tables, fields, choices, views, roles, teams and users are refused the same way", async () => {
    const s = "bad\udc00";
    expectProblem(
      await admin.post("/meta/tables", { name: `sur_t_${sfx()}`, label: s, fields: [{ name: "title", type: "text" }] }),
      422,
      "label",
      "lone_surrogate",
    );
    expectProblem(
      await admin.post("/meta/tables", {
        name: `sur_t_${sfx()}`,
        fields: [{ name: "title", type: "text", labels: { en: s } }],
      }),
      422,
      "fields/0/labels/en",
      "lone_surrogate",
    );
    expectProblem(
      await admin.post(`/meta/tables/${t}/fields`, {
        name: `f_${sfx()}`,
        type: "single_select",
        options: { choices: [{ name: "ok" }, { name: s }] },
      }),
      422,
      "options/choices/1/name",
      "lone_surrogate",
    );
    expectProblem(await admin.patch(`/meta/tables/${t}/fields/title`, { label: s }), 422, "label", "lone_surrogate");
    expectProblem(
      await admin.post("/meta/views", { name: `v_${sfx()}`, table: t, type: "grid", label: s }),
      422,
      "label",
      "lone_surrogate",
    );
    expectProblem(await admin.post("/admin/roles", { name: `r_${sfx()}`, label: s }), 422, "label", "lone_surrogate");
    expectProblem(
      await admin.post("/admin/teams", { name: `team_${sfx()}`, label: s }),
      422,
      "label",
      "lone_surrogate",
    );
    expectProblem(
      await admin.post("/admin/users", { email: `u-${sfx()}@test.example`, name: s }),
      422,
      "name",
      "lone_surrogate",
    );
    // Well-formed text outside the BMP is fine.
    const ok = await admin.post("/meta/tables", {
      name: `sur_ok_${sfx()}`,
      label: "表 😀",
      fields: [{ name: "title", type: "text", label: "标题 🚀" }],
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it("filters, aggregates and cursors carrying them are refused, not run", async () => {
    expectProblem(
      await admin.get(`/tables/${t}/records?${filterParam({ field: "title", op: "eq", value: "a\ud800" })}`),
      422,
      "filter/value",
      "lone_surrogate",
    );
    expectProblem(
      await admin.get(`/tables/${t}/records?${filterParam({ field: "title", op: "in", value: ["ok", "\udfff"] })}`),
      422,
      "filter/value/1",
      "lone_surrogate",
    );
    expectProblem(
      await admin.post(`/tables/${t}/aggregate`, {
        measures: [{ op: "count" }],
        filter: { field: "title", op: "contains", value: "\ud800" },
      }),
      422,
      "filter/value",
      "lone_surrogate",
    );
    await admin.post(`/tables/${t}/records`, { records: [{ fields: { title: "p1" } }, { fields: { title: "p2" } }] });
    const page = await admin.get(`/tables/${t}/records?sort=title&limit=1`);
    expect(page.status, page.text).toBe(200);
    const cursor = JSON.parse(atob(page.body.nextCursor.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...cursor, v: ["p\ud800", cursor.v[1]] }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expectProblem(
      await admin.get(`/tables/${t}/records?sort=title&limit=1&cursor=${forged}`),
      400,
      "cursor",
      "invalid_cursor",
    );
  });

  it("a 5 MB body is checked in a few milliseconds", async () => {
    const { findLoneSurrogates } = await import("../../worker/model/well-formed");
    const records = Array.from({ length: 1000 }, (_, i) => ({
      fields: { title: `record ${i} ${"文字 😀 text ".repeat(450)}`, tags: ["a", "b"] },
    }));
    const body = JSON.parse(JSON.stringify({ records }));
    expect(JSON.stringify(body).length).toBeGreaterThan(4_000_000);
    const start = performance.now();
    for (let i = 0; i < 5; i++) expect(findLoneSurrogates(body)).toEqual([]);
    const ms = (performance.now() - start) / 5;
    console.log(
      `lone surrogate check of a ${(JSON.stringify(body).length / 1e6).toFixed(1)} MB body: ${ms.toFixed(2)} ms`,
    );
    expect(ms).toBeLessThan(50);
  });
});
