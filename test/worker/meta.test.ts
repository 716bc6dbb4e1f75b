/**
 * Meta API: tables and fields as real SQLite tables and columns, renames as metadata, type changes
 * that report what did not convert, soft and hard deletes, 250+ fields over D1's 100-column cap, and
 * admin-only schema changes. Storage is shared between tests in this file: every table name is unique.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const PROBLEM = "application/problem+json";

let admin: ReturnType<typeof api>;
let rep: ReturnType<typeof api>;

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  rep = api((await userWithToken(["sales_rep"])).token);
});

const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const phys = (tableId: string, slot = 0) => (slot === 0 ? `t_${tableId.slice(4)}` : `t_${tableId.slice(4)}_${slot}`);
const col = (fieldId: string) => `c_${fieldId.slice(4)}`;

async function physicalTables(tableId: string): Promise<string[]> {
  const { results } = await DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND (name = ?1 OR name LIKE ?1 || '\\_%' ESCAPE '\\') ORDER BY name",
  )
    .bind(phys(tableId))
    .all<{ name: string }>();
  return results.map((r) => r.name);
}

async function columnsOf(physical: string): Promise<string[]> {
  const { results } = await DB.prepare("SELECT name FROM pragma_table_info(?1)").bind(physical).all<{ name: string }>();
  return results.map((r) => r.name);
}

async function rowCount(physical: string): Promise<number> {
  return (await DB.prepare(`SELECT COUNT(*) AS n FROM "${physical}"`).first<{ n: number }>())!.n;
}

async function createTable(body: Record<string, unknown>) {
  const res = await admin.post("/meta/tables", body);
  expect(res.status, res.text).toBe(201);
  return res.body.table as {
    id: string;
    name: string;
    version: number;
    fields: { id: string; name: string; type: string; options: any }[];
  };
}

async function createRecord(table: string, fields: Record<string, unknown>) {
  const res = await admin.post(`/tables/${table}/records`, { fields });
  expect(res.status, res.text).toBe(201);
  return res.body.record as { id: number; version: number; fields: Record<string, unknown> };
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body.status).toBe(status);
  expect(Array.isArray(res.body.errors)).toBe(true);
}

describe("creating and reading tables", () => {
  it("creates a real SQLite table whose columns are named by stable field ids, not API names", async () => {
    const name = uniq("deals");
    const table = await createTable({
      name,
      label: "Deals",
      fields: [
        { name: "title", type: "text" },
        { name: "amount", type: "currency", options: { currency: "USD" } },
        { name: "stage", type: "single_select", options: { choices: [{ name: "open" }, { name: "won" }] } },
      ],
    });
    expect(table.id).toMatch(/^tbl_[a-z0-9]{12}$/);
    expect(table.name).toBe(name);
    expect(table.fields.map((f) => f.name)).toEqual(["title", "amount", "stage"]);
    for (const f of table.fields) expect(f.id).toMatch(/^fld_[a-z0-9]{12}$/);

    expect(await physicalTables(table.id)).toEqual([phys(table.id)]);
    const cols = await columnsOf(phys(table.id));
    expect(cols.slice(0, 6)).toEqual(["id", "created_at", "created_by", "updated_at", "updated_by", "version"]);
    const [title, amount, stage] = table.fields;
    // currency keeps the amount and the currency code in two columns
    expect(cols.slice(6).sort()).toEqual(
      [col(title!.id), col(amount!.id), `${col(amount!.id)}_2`, col(stage!.id)].sort(),
    );
    expect(cols.some((c) => c.includes("title") || c.includes(name))).toBe(false);
  });

  it("lists live tables and finds a table by id and by API name", async () => {
    const name = uniq("accounts");
    const table = await createTable({ name, fields: [{ name: "company", type: "text" }] });
    const list = await admin.get("/meta/tables");
    expect(list.status).toBe(200);
    expect(list.body.tables.filter((t: any) => t.id === table.id)).toHaveLength(1);

    const byId = await admin.get(`/meta/tables/${table.id}`);
    const byName = await admin.get(`/meta/tables/${name}`);
    expect(byId.status).toBe(200);
    expect(byName.status).toBe(200);
    expect(byId.body.table.id).toBe(table.id);
    expect(byName.body.table).toEqual(byId.body.table);
    expect(byName.body.table.fields[0]).toMatchObject({ name: "company", type: "text" });
  });

  it("answers 404 problem+json naming the table for an unknown table", async () => {
    const missing = uniq("nothing");
    const res = await admin.get(`/meta/tables/${missing}`);
    expectProblem(res, 404);
    expect(res.body.errors[0]).toMatchObject({ field: "table", code: "not_found" });
    expect(res.body.detail).toContain(missing);
  });

  it("refuses a second live table with the same name with 409 and leaves the first alone", async () => {
    const name = uniq("dup");
    const first = await createTable({ name, fields: [{ name: "a", type: "text" }] });
    const before = (await DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE name = ?1")
      .bind(name)
      .first<{ n: number }>())!.n;
    const res = await admin.post("/meta/tables", { name, fields: [{ name: "b", type: "number" }] });
    expectProblem(res, 409);
    expect(res.body.errors[0]).toMatchObject({ field: "name", code: "conflict" });
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE name = ?1").bind(name).first<{ n: number }>())!.n,
    ).toBe(before);
    expect((await admin.get(`/meta/tables/${name}`)).body.table.id).toBe(first.id);
  });
});

describe("renaming is metadata only", () => {
  it("renames a table (addressed by id): records keep their values and the physical table keeps its name", async () => {
    const oldName = uniq("leads");
    const newName = uniq("prospects");
    const table = await createTable({
      name: oldName,
      fields: [
        { name: "who", type: "text" },
        { name: "score", type: "number" },
      ],
    });
    const rec = await createRecord(oldName, { who: "Ada", score: 42 });
    const physBefore = await physicalTables(table.id);
    const colsBefore = await columnsOf(phys(table.id));

    const res = await admin.patch(`/meta/tables/${table.id}`, { name: newName, label: "Prospects" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.table).toMatchObject({
      id: table.id,
      name: newName,
      label: "Prospects",
      version: table.version + 1,
    });

    expect(await physicalTables(table.id)).toEqual(physBefore);
    expect(await columnsOf(phys(table.id))).toEqual(colsBefore);
    const read = await admin.get(`/tables/${newName}/records/${rec.id}`);
    expect(read.status).toBe(200);
    expect(read.body.record.fields).toEqual({ who: "Ada", score: 42 });
    expectProblem(await admin.get(`/tables/${oldName}/records`), 404);
  });

  it("rejects a stale table version with 409 and keeps the name", async () => {
    const name = uniq("stale_tbl");
    const table = await createTable({ name, fields: [{ name: "a", type: "text" }] });
    expect((await admin.patch(`/meta/tables/${name}`, { label: "One", version: table.version })).status).toBe(200);
    const res = await admin.patch(`/meta/tables/${name}`, { name: uniq("other"), version: table.version });
    expectProblem(res, 409);
    expect(res.body.errors[0]).toMatchObject({ field: "version", code: "stale" });
    expect((await admin.get(`/meta/tables/${table.id}`)).body.table).toMatchObject({ name, label: "One" });
  });

  it("renames a field addressed by API name and by id: the column and the stored values stay", async () => {
    const name = uniq("contacts");
    const table = await createTable({
      name,
      fields: [
        { name: "email_addr", type: "email" },
        { name: "phone_no", type: "phone" },
      ],
    });
    const [email, phone] = table.fields;
    const rec = await createRecord(name, { email_addr: "ada@example.com", phone_no: "+44 20 7946 0958" });
    const colsBefore = await columnsOf(phys(table.id));

    const byName = await admin.patch(`/meta/tables/${name}/fields/email_addr`, { name: "email", label: "E-mail" });
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.field).toMatchObject({ id: email!.id, name: "email", label: "E-mail", type: "email" });
    expect(byName.body.conversion).toBeUndefined();
    const byId = await admin.patch(`/meta/tables/${table.id}/fields/${phone!.id}`, { name: "mobile" });
    expect(byId.status, byId.text).toBe(200);
    expect(byId.body.field).toMatchObject({ id: phone!.id, name: "mobile" });

    expect(await columnsOf(phys(table.id))).toEqual(colsBefore);
    const read = await admin.get(`/tables/${name}/records/${rec.id}`);
    expect(read.body.record.fields).toEqual({ email: "ada@example.com", mobile: "+44 20 7946 0958" });
    // the old name is gone from the API
    const stale = await admin.post(`/tables/${name}/records`, { fields: { email_addr: "x@example.com" } });
    expectProblem(stale, 422);
    expect(stale.body.errors[0]).toMatchObject({ field: "fields/email_addr", code: "unknown_field" });
  });

  it("refuses renaming a field onto another field's name with 409", async () => {
    const name = uniq("clash");
    await createTable({
      name,
      fields: [
        { name: "a", type: "text" },
        { name: "b", type: "text" },
      ],
    });
    const res = await admin.patch(`/meta/tables/${name}/fields/a`, { name: "b" });
    expectProblem(res, 409);
    expect(res.body.errors[0]).toMatchObject({ field: "name", code: "conflict" });
    expect((await admin.get(`/meta/tables/${name}`)).body.table.fields.map((f: any) => f.name)).toEqual(["a", "b"]);
  });
});

describe("adding fields", () => {
  it("adds a field as a new physical column; existing records read it as empty and can set it", async () => {
    const name = uniq("orders");
    const table = await createTable({ name, fields: [{ name: "ref", type: "text" }] });
    const rec = await createRecord(name, { ref: "A-1" });
    const res = await admin.post(`/meta/tables/${table.id}/fields`, {
      name: "total",
      type: "currency",
      options: { currency: "EUR" },
    });
    expect(res.status, res.text).toBe(201);
    const total = res.body.field;
    expect(total).toMatchObject({ name: "total", type: "currency", options: { currency: "EUR" } });
    const cols = await columnsOf(phys(table.id));
    expect(cols).toContain(col(total.id));
    expect(cols).toContain(`${col(total.id)}_2`);

    expect((await admin.get(`/tables/${name}/records/${rec.id}`)).body.record.fields).toEqual({
      ref: "A-1",
      total: null,
    });
    const upd = await admin.patch(`/tables/${name}/records/${rec.id}`, {
      version: rec.version,
      fields: { total: { amount: 12345, currency: "EUR" } },
    });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.body.record.fields.total).toEqual({ amount: 12345, currency: "EUR" });
  });

  it("rejects a field whose name is already taken with 409 and adds no column", async () => {
    const name = uniq("dupfield");
    const table = await createTable({ name, fields: [{ name: "code", type: "text" }] });
    const before = await columnsOf(phys(table.id));
    const res = await admin.post(`/meta/tables/${name}/fields`, { name: "code", type: "number" });
    expectProblem(res, 409);
    expect(res.body.errors[0]!.field).toBe("/name");
    expect(await columnsOf(phys(table.id))).toEqual(before);
  });
});

describe("changing a field's type", () => {
  it("converts values that convert and reports, keeps and audits those that do not", async () => {
    const name = uniq("conv");
    const table = await createTable({
      name,
      fields: [
        { name: "label", type: "text" },
        { name: "qty", type: "text" },
      ],
    });
    const qty = table.fields[1]!;
    const good = await createRecord(name, { label: "good", qty: "1,234.5" });
    const bad = await createRecord(name, { label: "bad", qty: "twelve" });
    const empty = await createRecord(name, { label: "empty", qty: null });
    const also = await createRecord(name, { label: "also bad", qty: "12 apples" });

    const res = await admin.patch(`/meta/tables/${name}/fields/qty`, { type: "number", options: { precision: 1 } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.field).toMatchObject({ id: qty.id, name: "qty", type: "number", options: { precision: 1 } });
    expect(res.body.conversion.converted).toBe(2); // "1,234.5" and the empty value
    expect(res.body.conversion.unconvertedCount).toBe(2);
    const unconverted = res.body.conversion.unconverted as { id: number; value: unknown; reason: string }[];
    expect(unconverted.map((u) => [u.id, u.value]).sort()).toEqual(
      [
        [bad.id, "twelve"],
        [also.id, "12 apples"],
      ].sort(),
    );
    for (const u of unconverted) expect(u.reason).toEqual(expect.any(String));

    // the values that did not convert are kept in the audit trail
    const { results } = await DB.prepare(
      "SELECT changes FROM sg_audit WHERE action = 'field.unconverted' AND table_id = ?1 AND field_id = ?2",
    )
      .bind(table.id, qty.id)
      .all<{ changes: string }>();
    expect(results).toHaveLength(1);
    const audit = JSON.parse(results[0]!.changes);
    expect(audit).toMatchObject({ from: "text", to: "number" });
    expect(audit.values.map((v: any) => [v.id, v.value]).sort()).toEqual(
      [
        [bad.id, "twelve"],
        [also.id, "12 apples"],
      ].sort(),
    );

    const list = await admin.get(`/tables/${name}/records?sort=label`);
    const byId = Object.fromEntries(list.body.records.map((r: any) => [r.id, r.fields.qty]));
    expect(byId).toEqual({ [good.id]: 1234.5, [bad.id]: null, [empty.id]: null, [also.id]: null });
    // the physical column is the same one
    expect(await columnsOf(phys(table.id))).toContain(col(qty.id));
    // the converted field now behaves as a number
    const gt = await admin.get(
      `/tables/${name}/records?filter=${encodeURIComponent(JSON.stringify({ field: "qty", op: "gt", value: 1000 }))}`,
    );
    expect(gt.body.records.map((r: any) => r.id)).toEqual([good.id]);
  });

  it("converts number to currency adding the code column, refusing amounts finer than the currency", async () => {
    const name = uniq("money");
    const table = await createTable({ name, fields: [{ name: "price", type: "number", options: { precision: 3 } }] });
    const price = table.fields[0]!;
    const a = await createRecord(name, { price: 19.99 });
    const b = await createRecord(name, { price: 0.125 });
    const res = await admin.patch(`/meta/tables/${name}/fields/${price.id}`, {
      type: "currency",
      options: { currency: "USD" },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.conversion).toMatchObject({ converted: 1, unconvertedCount: 1 });
    expect(res.body.conversion.unconverted).toEqual([
      { id: b.id, value: 0.125, reason: expect.stringContaining("USD") },
    ]);
    expect(await columnsOf(phys(table.id))).toContain(`${col(price.id)}_2`);
    expect((await admin.get(`/tables/${name}/records/${a.id}`)).body.record.fields.price).toEqual({
      amount: 1999,
      currency: "USD",
    });
    expect((await admin.get(`/tables/${name}/records/${b.id}`)).body.record.fields.price).toBeNull();
    const audits = await DB.prepare(
      "SELECT COUNT(*) AS n FROM sg_audit WHERE action = 'field.unconverted' AND field_id = ?1",
    )
      .bind(price.id)
      .first<{ n: number }>();
    expect(audits!.n).toBe(1);
  });

  it("writes no audit row for unconverted values when everything converts", async () => {
    const name = uniq("allconv");
    const table = await createTable({ name, fields: [{ name: "n", type: "number", options: { precision: 0 } }] });
    await createRecord(name, { n: 7 });
    const res = await admin.patch(`/meta/tables/${name}/fields/n`, { type: "text" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.conversion).toMatchObject({ converted: 1, unconvertedCount: 0, unconverted: [] });
    const audits = await DB.prepare(
      "SELECT COUNT(*) AS n FROM sg_audit WHERE action = 'field.unconverted' AND table_id = ?1",
    )
      .bind(table.id)
      .first<{ n: number }>();
    expect(audits!.n).toBe(0);
    const list = await admin.get(`/tables/${name}/records`);
    expect(list.body.records[0].fields.n).toBe("7");
  });

  it("converts currency to text and back again, dropping and re-adding the currency-code column", async () => {
    const name = uniq("roundtrip");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "fee", type: "currency", options: { currency: "USD" } },
      ],
    });
    const fee = table.fields[1]!;
    const usd = await createRecord(name, { title: "usd", fee: 1999 });
    const eur = await createRecord(name, { title: "eur", fee: { amount: 1234, currency: "EUR" } });

    const toText = await admin.patch(`/meta/tables/${name}/fields/fee`, { type: "text" });
    expect(toText.status, toText.text).toBe(200);
    expect(toText.body.conversion).toMatchObject({ converted: 2, unconvertedCount: 0 });
    expect((await admin.get(`/tables/${name}/records/${eur.id}`)).body.record.fields.fee).toBe("EUR 12.34");
    expect((await admin.get(`/tables/${name}/records/${usd.id}`)).body.record.fields.fee).toBe("19.99");
    expect(await columnsOf(phys(table.id))).not.toContain(`${col(fee.id)}_2`);

    const back = await admin.patch(`/meta/tables/${name}/fields/${fee.id}`, {
      type: "currency",
      options: { currency: "USD" },
    });
    expect(back.status, back.text).toBe(200);
    expect(back.body.conversion).toMatchObject({ converted: 2, unconvertedCount: 0 });
    expect(await columnsOf(phys(table.id))).toContain(`${col(fee.id)}_2`);
    expect((await admin.get(`/tables/${name}/records/${eur.id}`)).body.record.fields.fee).toEqual({
      amount: 1234,
      currency: "EUR",
    });
    expect((await admin.get(`/tables/${name}/records/${usd.id}`)).body.record.fields.fee).toEqual({
      amount: 1999,
      currency: "USD",
    });
  });

  it("keeps every unconverted value in the audit even when they are too large for one audit row", async () => {
    const name = uniq("bigconv");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "blob", type: "long_text" },
      ],
    });
    const blob = table.fields[1]!;
    const N = 450; // 450 values of 5,000 characters: more than D1's 2 MB per value in one audit row
    const records = Array.from({ length: N }, (_, i) => ({
      fields: { title: `r${i}`, blob: `v${i}:`.padEnd(5000, "x") },
    }));
    const created = await admin.post(`/tables/${name}/records`, { records });
    expect(created.status, created.text.slice(0, 300)).toBe(201);

    const res = await admin.patch(`/meta/tables/${name}/fields/blob`, { type: "number" });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.conversion).toMatchObject({ converted: 0, unconvertedCount: N });
    const { results } = await DB.prepare(
      "SELECT changes FROM sg_audit WHERE action = 'field.unconverted' AND field_id = ?1 ORDER BY id",
    )
      .bind(blob.id)
      .all<{ changes: string }>();
    const kept = results.flatMap((r) => JSON.parse(r.changes).values as { id: number; value: string }[]);
    expect(kept).toHaveLength(N);
    const sent = new Map(created.body.records.map((r: any, i: number) => [r.id, records[i]!.fields.blob]));
    for (const k of kept) expect(k.value).toBe(sent.get(k.id));
  });

  it("refuses converting to or from link with 422 and leaves the field unchanged", async () => {
    const name = uniq("nolink");
    await createTable({ name, fields: [{ name: "t", type: "text" }] });
    const res = await admin.patch(`/meta/tables/${name}/fields/t`, { type: "autonumber" });
    expectProblem(res, 422);
    expect(res.body.errors[0]).toMatchObject({ field: "type", code: "unsupported_conversion" });
    expect((await admin.get(`/meta/tables/${name}`)).body.table.fields[0].type).toBe("text");
  });
});

describe("deleting and restoring fields", () => {
  it("soft-deletes a field keeping its column and data, and restores it with the values intact", async () => {
    const name = uniq("softfld");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "notes", type: "long_text" },
      ],
    });
    const notes = table.fields[1]!;
    const rec = await createRecord(name, { title: "t1", notes: "keep me" });

    const del = await admin.delete(`/meta/tables/${name}/fields/notes`);
    expect(del.status, del.text).toBe(200);
    expect(del.body).toEqual({ purged: false });
    const meta = (await admin.get(`/meta/tables/${name}`)).body.table;
    expect(meta.fields.map((f: any) => f.name)).toEqual(["title"]);
    expect(meta.deletedFields.map((f: any) => f.id)).toEqual([notes.id]);
    expect(meta.deletedFields[0].deletedAt).toEqual(expect.any(String));
    expect(await columnsOf(phys(table.id))).toContain(col(notes.id));
    expect((await admin.get(`/tables/${name}/records/${rec.id}`)).body.record.fields).toEqual({ title: "t1" });
    expect(
      (await DB.prepare(`SELECT "${col(notes.id)}" AS v FROM "${phys(table.id)}" WHERE id = ?1`)
        .bind(rec.id)
        .first<{ v: string }>())!.v,
    ).toBe("keep me");

    const again = await admin.delete(`/meta/tables/${name}/fields/${notes.id}`);
    expectProblem(again, 409);

    const restore = await admin.post(`/meta/tables/${name}/fields/${notes.id}/restore`);
    expect(restore.status, restore.text).toBe(200);
    expect(restore.body.field).toMatchObject({ id: notes.id, name: "notes" });
    expect(restore.body.field.deletedAt).toBeUndefined();
    expect((await admin.get(`/tables/${name}/records/${rec.id}`)).body.record.fields).toEqual({
      title: "t1",
      notes: "keep me",
    });
  });

  it("purges a field with ?purge=true: the column is dropped and the field is gone", async () => {
    const name = uniq("purgefld");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "fee", type: "currency" },
      ],
    });
    const fee = table.fields[1]!;
    const rec = await createRecord(name, { title: "x", fee: 500 });

    const res = await admin.delete(`/meta/tables/${name}/fields/fee?purge=true`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ purged: true });
    const cols = await columnsOf(phys(table.id));
    expect(cols).not.toContain(col(fee.id));
    expect(cols).not.toContain(`${col(fee.id)}_2`);
    expect(cols).toContain(col(table.fields[0]!.id));
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_fields WHERE id = ?1").bind(fee.id).first<{ n: number }>())!.n,
    ).toBe(0);
    const meta = (await admin.get(`/meta/tables/${name}`)).body.table;
    expect(meta.deletedFields).toEqual([]);
    expect((await admin.get(`/tables/${name}/records/${rec.id}`)).body.record.fields).toEqual({ title: "x" });
    expectProblem(await admin.post(`/meta/tables/${name}/fields/${fee.id}/restore`), 404);
  });

  it("purges a field that was soft-deleted first", async () => {
    const name = uniq("purge2");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "tmp", type: "number" },
      ],
    });
    const tmp = table.fields[1]!;
    expect((await admin.delete(`/meta/tables/${name}/fields/tmp`)).status).toBe(200);
    const res = await admin.delete(`/meta/tables/${name}/fields/${tmp.id}?purge=true`);
    expect(res.status, res.text).toBe(200);
    expect(await columnsOf(phys(table.id))).not.toContain(col(tmp.id));
  });

  it("refuses deleting the primary field with 409", async () => {
    const name = uniq("primary");
    const table = await createTable({ name, fields: [{ name: "title", type: "text" }] });
    const res = await admin.delete(`/meta/tables/${name}/fields/title`);
    expectProblem(res, 409);
    expect(res.body.errors[0]).toMatchObject({ field: "field", code: "conflict" });
    expect(await columnsOf(phys(table.id))).toContain(col(table.fields[0]!.id));
  });

  it("answers 404 naming the field for an unknown field", async () => {
    const name = uniq("nofield");
    await createTable({ name, fields: [{ name: "title", type: "text" }] });
    for (const res of [
      await admin.patch(`/meta/tables/${name}/fields/ghost`, { label: "x" }),
      await admin.delete(`/meta/tables/${name}/fields/ghost`),
    ]) {
      expectProblem(res, 404);
      expect(res.body.errors[0]).toMatchObject({ field: "field", code: "not_found" });
    }
  });
});

describe("deleting and restoring tables", () => {
  it("soft-deletes a table keeping its data, hides it, and restores it intact", async () => {
    const name = uniq("softtbl");
    const table = await createTable({ name, fields: [{ name: "title", type: "text" }] });
    const rec = await createRecord(name, { title: "survivor" });

    const del = await admin.delete(`/meta/tables/${name}`);
    expect(del.status, del.text).toBe(200);
    expect(del.body).toEqual({ purged: false });
    expectProblem(await admin.get(`/meta/tables/${name}`), 404);
    expectProblem(await admin.get(`/tables/${name}/records`), 404);
    expect((await admin.get("/meta/tables")).body.tables.some((t: any) => t.id === table.id)).toBe(false);
    const deleted = await admin.get("/meta/tables?deleted=true");
    expect(deleted.body.tables.find((t: any) => t.id === table.id)).toMatchObject({
      name,
      deletedAt: expect.any(String),
    });
    expect(await physicalTables(table.id)).toEqual([phys(table.id)]);
    expect(await rowCount(phys(table.id))).toBe(1);

    const restore = await admin.post(`/meta/tables/${table.id}/restore`);
    expect(restore.status, restore.text).toBe(200);
    expect(restore.body.table).toMatchObject({ id: table.id, name });
    expect(restore.body.table.deletedAt).toBeUndefined();
    expect((await admin.get(`/tables/${name}/records/${rec.id}`)).body.record.fields).toEqual({ title: "survivor" });
  });

  it("purges a table with ?purge=true: every physical table and its meta rows are gone", async () => {
    const name = uniq("purgetbl");
    // 91 one-column fields overflow the main table (6 system columns + 90) into an extension slot
    const fields = Array.from({ length: 91 }, (_, i) => ({ name: `f${i}`, type: "number" }));
    const table = await createTable({ name, fields });
    await createRecord(name, { f0: 1, f90: 90 });
    const before = await physicalTables(table.id);
    expect(before).toEqual([phys(table.id), phys(table.id, 1)]);
    expect(await rowCount(phys(table.id, 1))).toBe(1);

    const res = await admin.delete(`/meta/tables/${table.id}?purge=true`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ purged: true });
    expect(await physicalTables(table.id)).toEqual([]);
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE id = ?1").bind(table.id).first<{ n: number }>())!.n,
    ).toBe(0);
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_fields WHERE table_id = ?1")
        .bind(table.id)
        .first<{ n: number }>())!.n,
    ).toBe(0);
    expectProblem(await admin.get(`/meta/tables/${table.id}`), 404);
    // the name is free again
    await createTable({ name, fields: [{ name: "x", type: "text" }] });
  });

  it("restores a soft-deleted table only while its name is free (409 otherwise)", async () => {
    const name = uniq("reborn");
    const old = await createTable({ name, fields: [{ name: "a", type: "text" }] });
    expect((await admin.delete(`/meta/tables/${name}`)).status).toBe(200);
    const replacement = await createTable({ name, fields: [{ name: "b", type: "text" }] });
    const res = await admin.post(`/meta/tables/${old.id}/restore`);
    expectProblem(res, 409);
    expect(res.body.errors[0]).toMatchObject({ field: "name", code: "conflict" });
    expect((await admin.get(`/meta/tables/${name}`)).body.table.id).toBe(replacement.id);
  });
});

describe("a table holds at least 250 fields over D1's 100-column cap", () => {
  const TYPES = [
    ["text", undefined, (i: number) => `text ${i}`],
    ["number", { precision: 2 }, (i: number) => i + 0.25],
    ["currency", { currency: "USD" }, (i: number) => ({ amount: i * 100 + 1, currency: "USD" })],
    ["date", undefined, (i: number) => `2024-01-${String((i % 28) + 1).padStart(2, "0")}`],
    ["checkbox", undefined, (i: number) => i % 2 === 0],
    ["single_select", { choices: [{ name: "a" }, { name: "b" }] }, (i: number) => (i % 2 ? "a" : "b")],
    ["percent", undefined, (i: number) => i * 10],
    ["currency", { currency: "JPY" }, (i: number) => ({ amount: i, currency: "JPY" })],
    ["rating", undefined, (i: number) => (i % 5) + 1],
    ["email", undefined, (i: number) => `u${i}@example.com`],
    ["datetime", undefined, (i: number) => `2024-02-03T04:05:${String(i % 60).padStart(2, "0")}.000Z`],
    ["long_text", undefined, (i: number) => `long ${i}`],
    ["multi_select", { choices: [{ name: "x" }, { name: "y" }] }, (i: number) => (i % 2 ? ["x"] : ["x", "y"])],
    ["url", undefined, (i: number) => `https://example.com/${i}`],
    ["phone", undefined, (i: number) => `+1 555 ${String(1000 + i)}`],
  ] as const;
  const COUNT = 260;
  const specs = Array.from({ length: COUNT }, (_, i) => {
    const [type, options, value] = TYPES[i % TYPES.length]!;
    return { name: `f${String(i).padStart(3, "0")}_${type}`, type, options, value: value(i) };
  });

  let wide: { id: string; name: string };
  let lateNumber: (typeof specs)[number];
  let lateCurrency: (typeof specs)[number];
  const full = Object.fromEntries(specs.map((s) => [s.name, s.value]));

  beforeAll(async () => {
    const name = uniq("wide");
    const table = await createTable({
      name,
      fields: specs.map(({ name, type, options }) => ({ name, type, ...(options ? { options } : {}) })),
    });
    wide = { id: table.id, name };
    const { results } = await DB.prepare("SELECT name, slot FROM sg_fields WHERE table_id = ?1")
      .bind(table.id)
      .all<{ name: string; slot: number }>();
    const lastSlot = Math.max(...results.map((r) => r.slot));
    const late = new Set(results.filter((r) => r.slot === lastSlot).map((r) => r.name));
    lateNumber = specs.find((s) => late.has(s.name) && s.type === "number")!;
    lateCurrency = specs.find((s) => late.has(s.name) && s.type === "currency")!;
  });

  it(`creates ${COUNT} fields of mixed types spread over physical tables of at most 100 columns`, async () => {
    const meta = (await admin.get(`/meta/tables/${wide.id}`)).body.table;
    expect(meta.fields.map((f: any) => [f.name, f.type])).toEqual(specs.map((s) => [s.name, s.type]));

    const physical = await physicalTables(wide.id);
    expect(physical.length).toBeGreaterThanOrEqual(3);
    let totalCols = 0;
    for (const p of physical) {
      const cols = await columnsOf(p);
      expect(cols.length).toBeLessThanOrEqual(100);
      expect(cols[0]).toBe("id");
      totalCols += cols.length;
    }
    const currencies = specs.filter((s) => s.type === "currency").length;
    expect(totalCols).toBe(6 + (physical.length - 1) + COUNT + currencies);

    // every field's column is in the slot the registry says
    const { results: slots } = await DB.prepare("SELECT id, name, slot FROM sg_fields WHERE table_id = ?1")
      .bind(wide.id)
      .all<{ id: string; name: string; slot: number }>();
    expect(slots).toHaveLength(COUNT);
    for (const s of slots) expect(await columnsOf(phys(wide.id, s.slot))).toContain(col(s.id));
    const lastSlot = Math.max(...slots.map((s) => s.slot));
    expect(lastSlot).toBe(physical.length - 1);
    expect(lastSlot).toBeGreaterThanOrEqual(2);
    const late = slots.filter((s) => s.slot === lastSlot).map((s) => s.name);
    expect(late).toContain(lateNumber?.name);
    expect(late).toContain(lateCurrency?.name);
  });

  it(`writes a record with a value in all ${COUNT} fields and reads it back exactly`, async () => {
    const created = await admin.post(`/tables/${wide.name}/records`, { fields: full });
    expect(created.status, created.text.slice(0, 500)).toBe(201);
    expect(created.body.record.fields).toEqual(full);
    for (const p of await physicalTables(wide.id)) expect(await rowCount(p)).toBe(1);
    const read = await admin.get(`/tables/${wide.name}/records/${created.body.record.id}`);
    expect(read.status, read.text.slice(0, 500)).toBe(200);
    expect(read.body.record.fields).toEqual(full);
    const list = await admin.get(`/tables/${wide.name}/records`);
    expect(list.status, list.text.slice(0, 500)).toBe(200);
    expect(list.body.records.find((r: any) => r.id === created.body.record.id)?.fields).toEqual(full);

    // an update of a late-slot field bumps the version once and keeps every other value
    const upd = await admin.patch(`/tables/${wide.name}/records/${created.body.record.id}`, {
      version: 1,
      fields: { [lateCurrency.name]: { amount: 1, currency: "USD" } },
    });
    expect(upd.status, upd.text.slice(0, 500)).toBe(200);
    expect(upd.body.record.version).toBe(2);
    expect(upd.body.record.fields).toEqual({ ...full, [lateCurrency.name]: { amount: 1, currency: "USD" } });
  });

  it("filters and sorts on fields stored in the last extension slot", async () => {
    const amounts = [700, 300, 900, 500];
    const ids: number[] = [];
    for (const [i, amt] of amounts.entries()) {
      const r = await admin.post(`/tables/${wide.name}/records`, {
        fields: {
          [specs[0]!.name]: `sorted ${i}`,
          [lateNumber.name]: amt,
          [lateCurrency.name]: { amount: 10_000 - amt, currency: "USD" },
        },
      });
      expect(r.status, r.text.slice(0, 500)).toBe(201);
      ids.push(r.body.record.id);
    }
    const mine = { field: specs[0]!.name, op: "starts_with", value: "sorted " };
    const gte = encodeURIComponent(JSON.stringify({ and: [mine, { field: lateNumber.name, op: "gte", value: 500 }] }));
    const filtered = await admin.get(`/tables/${wide.name}/records?filter=${gte}&sort=-${lateNumber.name}`);
    expect(filtered.status, filtered.text.slice(0, 500)).toBe(200);
    expect(filtered.body.records.map((r: any) => [r.id, r.fields[lateNumber.name]])).toEqual([
      [ids[2], 900],
      [ids[0], 700],
      [ids[3], 500],
    ]);

    const onlyMine = encodeURIComponent(JSON.stringify(mine));
    const byMoney = await admin.get(
      `/tables/${wide.name}/records?filter=${onlyMine}&sort=${lateCurrency.name}&fields=${lateCurrency.name}`,
    );
    expect(byMoney.status, byMoney.text.slice(0, 500)).toBe(200);
    // amount = 10000 - number, so ascending money is descending number
    expect(byMoney.body.records.map((r: any) => r.id)).toEqual([ids[2], ids[0], ids[3], ids[1]]);
    expect(byMoney.body.records[0].fields).toEqual({ [lateCurrency.name]: { amount: 9_100, currency: "USD" } });

    const moneyFilter = encodeURIComponent(
      JSON.stringify({ and: [mine, { field: lateCurrency.name, op: "lt", value: 9_400 }] }),
    );
    const cheap = await admin.get(
      `/tables/${wide.name}/records?filter=${moneyFilter}&sort=${lateNumber.name}&fields=${lateNumber.name}`,
    );
    expect(cheap.status, cheap.text.slice(0, 500)).toBe(200);
    expect(cheap.body.records.map((r: any) => r.id)).toEqual([ids[0], ids[2]]);
  });

  it("adds fields one at a time into a new extension slot that already holds a row for each existing record", async () => {
    const name = uniq("grow");
    const table = await createTable({ name, fields: [{ name: "title", type: "text" }] });
    const early = await createRecord(name, { title: "early" });
    const second = await createRecord(name, { title: "second" });
    // title + 89 numbers fill the main table (6 system columns + 90 = 96); the 90th number starts slot 1
    let last: any;
    for (let i = 0; i < 90; i++) {
      const res = await admin.post(`/meta/tables/${table.id}/fields`, { name: `n${i}`, type: "number" });
      expect(res.status, res.text).toBe(201);
      last = res.body.field;
    }
    expect(await physicalTables(table.id)).toEqual([phys(table.id), phys(table.id, 1)]);
    expect(await columnsOf(phys(table.id, 1))).toEqual(["id", col(last.id)]);
    const { results } = await DB.prepare(`SELECT id FROM "${phys(table.id, 1)}" ORDER BY id`).all<{ id: number }>();
    expect(results.map((r) => r.id)).toEqual([early.id, second.id]);

    const upd = await admin.patch(`/tables/${name}/records/${early.id}`, {
      version: early.version,
      fields: { n89: 89.5, title: "still here" },
    });
    expect(upd.status, upd.text.slice(0, 500)).toBe(200);
    expect(upd.body.record.fields).toMatchObject({ title: "still here", n89: 89.5, n0: null });
    const filtered = await admin.get(
      `/tables/${name}/records?filter=${encodeURIComponent(JSON.stringify({ field: "n89", op: "eq", value: 89.5 }))}`,
    );
    expect(filtered.status, filtered.text.slice(0, 500)).toBe(200);
    expect(filtered.body.records.map((r: any) => r.id)).toEqual([early.id]);
  });
});

describe("only admins change schemas", () => {
  it("hides from a sales rep the tables their roles grant nothing on", async () => {
    const name = uniq("readable");
    const table = await createTable({ name, fields: [{ name: "a", type: "text" }] });
    const list = await rep.get("/meta/tables");
    expect(list.status).toBe(200);
    expect(list.body.tables.map((t: any) => t.id)).not.toContain(table.id);
    expect((await rep.get(`/meta/tables/${name}`)).status).toBe(404);
  });

  it("answers every schema change by a sales rep with 403 problem+json naming the action, changing nothing", async () => {
    const name = uniq("guarded");
    const table = await createTable({
      name,
      fields: [
        { name: "title", type: "text" },
        { name: "extra", type: "number" },
      ],
    });
    expect((await admin.delete(`/meta/tables/${name}/fields/extra`)).status).toBe(200);
    const auditBefore = (await DB.prepare("SELECT COUNT(*) AS n FROM sg_audit WHERE table_id = ?1")
      .bind(table.id)
      .first<{ n: number }>())!.n;
    const metaBefore = (await admin.get(`/meta/tables/${name}`)).body.table;
    const colsBefore = await columnsOf(phys(table.id));
    const newTable = uniq("sneaky");

    const attempts: [string, () => Promise<any>][] = [
      ["create tables", () => rep.post("/meta/tables", { name: newTable, fields: [{ name: "a", type: "text" }] })],
      ["change tables", () => rep.patch(`/meta/tables/${name}`, { name: uniq("renamed") })],
      ["delete tables", () => rep.delete(`/meta/tables/${name}?purge=true`)],
      ["restore tables", () => rep.post(`/meta/tables/${table.id}/restore`)],
      ["add fields", () => rep.post(`/meta/tables/${name}/fields`, { name: "more", type: "text" })],
      ["change fields", () => rep.patch(`/meta/tables/${name}/fields/title`, { type: "number" })],
      ["delete fields", () => rep.delete(`/meta/tables/${name}/fields/title`)],
      ["restore fields", () => rep.post(`/meta/tables/${name}/fields/extra/restore`)],
      ["list deleted tables", () => rep.get("/meta/tables?deleted=true")],
    ];
    for (const [action, attempt] of attempts) {
      const res = await attempt();
      expectProblem(res, 403);
      expect(res.body.code).toBe("forbidden");
      expect(res.body.detail).toContain(action);
      expect(res.body.errors).toEqual([{ field: action, code: "forbidden", message: expect.stringContaining(action) }]);
    }

    expect((await admin.get(`/meta/tables/${name}`)).body.table).toEqual(metaBefore);
    expect(await columnsOf(phys(table.id))).toEqual(colsBefore);
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_audit WHERE table_id = ?1")
        .bind(table.id)
        .first<{ n: number }>())!.n,
    ).toBe(auditBefore);
    expect(
      (await DB.prepare("SELECT COUNT(*) AS n FROM sg_tables WHERE name = ?1").bind(newTable).first<{ n: number }>())!
        .n,
    ).toBe(0);
  });

  it("refuses schema changes without a token with 401", async () => {
    const res = await api().post("/meta/tables", { name: uniq("anon") });
    expectProblem(res, 401);
  });
});
