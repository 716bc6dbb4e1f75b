/**
 * The customers plugin: duplicate detection on create (and what it shows to whom), the
 * find-duplicates and create actions, merge (links move, history stays, rights checked), grading by
 * hand and by rule, and the customer page.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

let admin: Client;

beforeAll(async () => {
  ({ admin } = await installSalesPlugins());
});

const word = () =>
  crypto
    .randomUUID()
    .replace(/[0-9-]/g, "")
    .slice(0, 8);

async function customer(client: Client, fields: Record<string, unknown>) {
  const r = await client.post("/tables/customers/records", { fields });
  expect(r.status, r.text).toBe(201);
  return r.body.record;
}

describe("duplicate detection", () => {
  it("refuses a create with the same normalised name, phone or email, listing the matches", async () => {
    const base = word();
    const a = await customer(admin, {
      name: `${base} Trading Co., Ltd.`,
      phone: "+86 138 0000 1111",
      email: `Sales@${base}.example`,
    });
    expect(a.fields).toMatchObject({
      name_key: `${base}trading`,
      phone_key: "13800001111",
      email_key: `sales@${base}.example`,
    });
    for (const fields of [
      { name: `${base.toUpperCase()}  trading` },
      { name: uniq("Other"), phone: "138-0000-1111" },
      { name: uniq("Other"), email: `sales@${base.toUpperCase()}.EXAMPLE` },
    ]) {
      const r = await admin.post("/tables/customers/records", { fields });
      expect(r.status, r.text).toBe(409);
      expect(r.body.errors[0]).toMatchObject({ field: "fields/name", code: "duplicate" });
      expect(r.body.duplicates[0].matches).toEqual([expect.objectContaining({ id: a.id, name: a.fields.name })]);
    }
    // Within one request too.
    const twice = await admin.post("/tables/customers/records", {
      records: [{ fields: { name: `${base}x GmbH` } }, { fields: { name: `${base}X` } }],
    });
    expect(twice.status).toBe(409);
    expect(twice.body.errors[0].field).toBe("records/1/fields/name");
    expect(twice.body.duplicates[0].sameRequest).toEqual([{ index: 0, matchedOn: ["name"] }]);
  });

  it("shows a rep that a customer exists without showing one they may not read", async () => {
    const rep = await signedIn(["sales_rep"]);
    const name = `${word()} Holdings`;
    await customer(admin, { name });
    const r = await rep.client.post("/tables/customers/records", { fields: { name } });
    expect(r.status).toBe(409);
    expect(r.body.duplicates[0].matches).toEqual([{ matchedOn: ["name"], hidden: true }]);
    expect(r.text).not.toContain(name);
    const found = await rep.client.post("/actions/customers/find-duplicates", { name });
    expect(found.body.duplicates).toEqual([{ matchedOn: ["name"], hidden: true }]);
  });

  it("creates a duplicate on purpose through the create action with allowDuplicate", async () => {
    const name = `${word()} 科技有限公司`;
    const a = await customer(admin, { name });
    const r = await admin.post("/actions/customers/create", { fields: { name }, allowDuplicate: true });
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields.name_key).toBe(a.fields.name_key);
    expect((await admin.post("/actions/customers/create", { fields: { name } })).status).toBe(409);
    const found = await admin.post("/actions/customers/find-duplicates", { id: a.id });
    expect(found.body.duplicates.map((d: any) => d.id)).toEqual([r.body.record.id]);
  });

  it("refuses bad action input with problems naming the field", async () => {
    const cases: [string, unknown, number, string][] = [
      ["find-duplicates", {}, 422, ""],
      ["find-duplicates", { name: 5 }, 422, "name"],
      ["find-duplicates", { nope: "x" }, 422, "nope"],
      ["find-duplicates", { id: "1 OR 1=1" }, 422, "id"],
      ["create", { fields: { name: "x" }, allowDuplicate: "yes" }, 422, "allowDuplicate"],
      ["create", { fields: { nope: 1 } }, 422, "fields/nope"],
      ["merge", { keep: 1 }, 422, ""],
      ["merge", { keep: 1, merge: [] }, 422, "merge"],
      ["merge", { keep: 1, merge: [1] }, 422, "merge/0"],
      ["merge", { keep: 1, merge: ["2; DELETE FROM sg_audit"] }, 422, "merge/0"],
      ["overview", { id: -1 }, 422, "id"],
      ["nope", {}, 404, "action"],
    ];
    for (const [action, body, status, field] of cases) {
      const r = await admin.post(`/actions/customers/${action}`, body);
      expect(r.status, `${action} ${JSON.stringify(body)}: ${r.text}`).toBe(status);
      if (field)
        expect(
          r.body.errors.map((e: any) => e.field),
          JSON.stringify(body),
        ).toContain(field);
    }
    expect((await admin.post("/actions/customers/find-duplicates", "[1,")).status).toBe(400);
    expect((await admin.post("/actions/customers/find-duplicates", { name: "x".repeat(6 * 1024 * 1024) })).status).toBe(
      413,
    );
    expect((await admin.post("/actions/..%2F..%2Fadmin/x", {})).status).toBe(404);
    expect(
      (await admin.request("POST", "/actions/customers/find-duplicates", { name: "x" }, { authorization: "" })).status,
    ).toBe(401);
  });
});

describe("merge", () => {
  it("moves contacts, deals, activities and addresses to the kept customer, fills its blanks, and keeps history", async () => {
    const keep = await customer(admin, { name: uniq("Keep"), tags: ["vip"] });
    const m1 = await customer(admin, { name: uniq("Dup one"), phone: "+86 21 5555 0001", tags: ["strategic"] });
    const m2 = await customer(admin, { name: uniq("Dup two"), city: "杭州" });
    const contact = (await admin.post("/tables/contacts/records", { fields: { name: "王五", customer: [m1.id] } })).body
      .record;
    const deal = (await admin.post("/tables/deals/records", { fields: { name: uniq("Deal"), customer: [m2.id] } })).body
      .record;
    const act = (await admin.post("/tables/activities/records", { fields: { subject: "Call", customer: [m1.id] } }))
      .body.record;
    const addr = (
      await admin.post("/tables/customer_addresses/records", { fields: { address: "1 Road", customer: [m2.id] } })
    ).body.record;
    const r = await admin.post("/actions/customers/merge", {
      keep: keep.id,
      merge: [m1.id, m2.id],
      version: keep.version,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.fields).toMatchObject({
      phone: "+86 21 5555 0001",
      phone_key: "2155550001",
      city: "杭州",
      tags: ["vip", "strategic"],
    });
    expect(r.body.record.fields.contacts).toEqual([contact.id]);
    expect(r.body.record.fields.deals).toEqual([deal.id]);
    expect(r.body.record.fields.activities).toEqual([act.id]);
    expect(r.body.record.fields.addresses).toEqual([addr.id]);
    expect((await admin.get(`/tables/contacts/records/${contact.id}`)).body.record.fields.customer).toEqual([keep.id]);
    expect((await admin.get(`/tables/deals/records/${deal.id}`)).body.record.fields.customer).toEqual([keep.id]);
    for (const id of [m1.id, m2.id]) expect((await admin.get(`/tables/customers/records/${id}`)).status).toBe(404);
    const h = await admin.get(`/tables/customers/records/${keep.id}/history`);
    expect(h.body.history[0]).toMatchObject({ action: "merge" });
    expect(h.body.history[0].changes.contacts).toEqual({ before: [], after: [contact.id] });
    const ch = await admin.get(`/tables/contacts/records/${contact.id}/history`);
    expect(ch.body.history[0].changes.customer).toEqual({ before: [m1.id], after: [keep.id] });
    // A merged customer comes back with an admin restore, with its own values.
    const restored = await admin.post(`/admin/tables/customers/records/${m2.id}/restore`);
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.record.fields.city).toBe("杭州");
  });

  it("a single-valued link an admin added keeps the kept customer's own value, else takes the first merged one's", async () => {
    const groups = `groups_${crypto.randomUUID().slice(0, 8).replace(/-/g, "")}`;
    expect((await admin.post("/meta/tables", { name: groups, fields: [{ name: "title", type: "text" }] })).status).toBe(
      201,
    );
    const field = `grp_${crypto.randomUUID().slice(0, 8).replace(/-/g, "")}`;
    const made = await admin.post("/meta/tables/customers/fields", {
      name: field,
      type: "link",
      options: { table: groups, multiple: false },
    });
    expect(made.status, made.text).toBe(201);
    const g = async (title: string) =>
      (await admin.post(`/tables/${groups}/records`, { fields: { title } })).body.record.id as number;
    const [g1, g2, g3] = [await g("one"), await g("two"), await g("three")];
    const empty = await customer(admin, { name: uniq("Keep empty") });
    const a = await customer(admin, { name: uniq("A"), [field]: [g1] });
    const b = await customer(admin, { name: uniq("B"), [field]: [g2] });
    const first = await admin.post("/actions/customers/merge", { keep: empty.id, merge: [b.id, a.id] });
    expect(first.status, first.text).toBe(200);
    expect(first.body.record.fields[field]).toEqual([g2]);
    const own = await customer(admin, { name: uniq("Keep own"), [field]: [g3] });
    const c = await customer(admin, { name: uniq("C"), [field]: [g1] });
    const second = await admin.post("/actions/customers/merge", { keep: own.id, merge: [c.id] });
    expect(second.status, second.text).toBe(200);
    expect(second.body.record.fields[field]).toEqual([g3]);
    // The group that lost its merged customer links to nobody now, not to a deleted row.
    const inverse = (await admin.get(`/tables/${groups}/records/${g1}`)).body.record.fields;
    expect(Object.values(inverse).filter(Array.isArray)).toEqual([[]]);
  });

  it("is all or nothing: a stale version or a missing customer changes nothing", async () => {
    const keep = await customer(admin, { name: uniq("Keep") });
    const m = await customer(admin, { name: uniq("Merge") });
    const c = (await admin.post("/tables/contacts/records", { fields: { name: "赵六", customer: [m.id] } })).body
      .record;
    const stale = await admin.post("/actions/customers/merge", {
      keep: keep.id,
      merge: [m.id],
      version: keep.version + 1,
    });
    expect(stale.status).toBe(409);
    const missing = await admin.post("/actions/customers/merge", { keep: keep.id, merge: [m.id, 999_999_999] });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].field).toBe("merge/1");
    expect((await admin.get(`/tables/customers/records/${m.id}`)).status).toBe(200);
    expect((await admin.get(`/tables/contacts/records/${c.id}`)).body.record.fields.customer).toEqual([m.id]);
  });

  it("needs update on the kept customer and delete on the merged ones", async () => {
    const rep = await signedIn(["sales_rep"]);
    const manager = await signedIn(["sales_manager"]);
    const mine = await customer(rep.client, { name: uniq("Rep keep") });
    const mine2 = await customer(rep.client, { name: uniq("Rep dup") });
    const r = await rep.client.post("/actions/customers/merge", { keep: mine.id, merge: [mine2.id] });
    expect(r.status).toBe(403);
    expect(r.body.errors[0].field).toBe("delete records of customers");
    // The manager (team rights) cannot reach a rep outside their team.
    const other = await manager.client.post("/actions/customers/merge", { keep: mine.id, merge: [mine2.id] });
    expect(other.status).toBe(404);
    expect((await admin.get(`/tables/customers/records/${mine2.id}`)).status).toBe(200);
  });
});

describe("grading", () => {
  it("locks a grade chosen by hand; the rule grades the others from won deals in the window", async () => {
    const settings = {
      gradeRule: {
        enabled: true,
        metric: "won_amount",
        months: 12,
        currency: "CNY",
        thresholds: { A: 1_000_000, B: 100_000, C: 1 },
      },
    };
    const put = await admin.request("PUT", "/admin/plugins/customers/settings", settings);
    expect(put.status, put.text).toBe(200);
    const big = await customer(admin, { name: uniq("Big") });
    const mid = await customer(admin, { name: uniq("Mid") });
    const none = await customer(admin, { name: uniq("None") });
    const manual = await customer(admin, { name: uniq("Manual"), grade: "B" });
    expect(manual.fields.grade_locked).toBe(true);
    const won = (customerId: number, amount: number, currency = "CNY") =>
      admin.post("/tables/deals/records", {
        fields: { name: uniq("Won"), customer: [customerId], stage: "won", amount: { amount, currency } },
      });
    for (const r of await Promise.all([
      won(big.id, 900_000),
      won(big.id, 200_000),
      won(mid.id, 150_000),
      won(mid.id, 5_000_000, "USD"),
      won(manual.id, 9_000_000),
    ]))
      expect(r.status, r.text).toBe(201);
    // An old win falls outside the 12 months.
    expect(
      (
        await admin.post("/tables/deals/records", {
          fields: {
            name: uniq("Old"),
            customer: [none.id],
            stage: "won",
            close_date: "2020-01-01",
            amount: { amount: 9_000_000, currency: "CNY" },
          },
        })
      ).status,
    ).toBe(201);
    const rep = await signedIn(["sales_rep"]);
    expect((await rep.client.post("/actions/customers/apply-grade-rule", {})).status).toBe(403);
    const r = await admin.post("/actions/customers/apply-grade-rule", {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ applied: true, metric: "won_amount" });
    const grade = async (id: number) => (await admin.get(`/tables/customers/records/${id}`)).body.record.fields.grade;
    expect(await grade(big.id)).toBe("A");
    expect(await grade(mid.id)).toBe("B");
    expect(await grade(none.id)).toBe("D");
    expect(await grade(manual.id)).toBe("B");
    const h = await admin.get(`/tables/customers/records/${big.id}/history`);
    expect(h.body.history[0].changes.grade).toEqual({ before: null, after: "A" });
    // Handing the grade back to the rule.
    const v = (await admin.get(`/tables/customers/records/${manual.id}`)).body.record.version;
    await admin.patch(`/tables/customers/records/${manual.id}`, { version: v, fields: { grade_locked: false } });
    await admin.post("/actions/customers/apply-grade-rule", {});
    expect(await grade(manual.id)).toBe("A");
  });

  it("refuses settings that do not fit the schema", async () => {
    const bad = [
      [
        { gradeRule: { enabled: "yes", metric: "won_amount", months: 12, thresholds: { A: 1, B: 1, C: 1 } } },
        "gradeRule/enabled",
      ],
      [
        { gradeRule: { enabled: true, metric: "revenue'; --", months: 12, thresholds: { A: 1, B: 1, C: 1 } } },
        "gradeRule/metric",
      ],
      [{ other: 1 }, "other"],
    ] as const;
    for (const [body, field] of bad) {
      const r = await admin.request("PUT", "/admin/plugins/customers/settings", body);
      expect(r.status, r.text).toBe(422);
      expect(r.body.errors.map((e: any) => e.field)).toContain(field);
    }
  });
});

describe("customer page", () => {
  it("gathers contacts, deals and activities as the caller may see them", async () => {
    const c = await customer(admin, { name: uniq("Page") });
    await admin.post("/tables/contacts/records", { fields: { name: "Ann", customer: [c.id] } });
    await admin.post("/tables/activities/records", {
      fields: { subject: "Visit", kind: "visit", at: "2026-03-01T02:00:00Z", customer: [c.id] },
    });
    await admin.post("/tables/deals/records", { fields: { name: uniq("Page deal"), customer: [c.id] } });
    const r = await admin.post("/actions/customers/overview", { id: c.id });
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.id).toBe(c.id);
    expect(r.body.contacts.map((x: any) => x.fields.name)).toEqual(["Ann"]);
    expect(r.body.activities).toHaveLength(1);
    expect(r.body.deals).toHaveLength(1);
    expect(r.body.purchases).toBeNull();
    const warehouse = await signedIn(["warehouse"]);
    const w = await warehouse.client.post("/actions/customers/overview", { id: c.id });
    expect(w.status, w.text).toBe(200);
    expect(w.body.record.fields).not.toHaveProperty("annual_revenue");
    expect(w.body.deals).toBeNull();
    expect(w.body.activities).toBeNull();
    expect((await admin.post("/actions/customers/overview", { id: 999_999_999 })).status).toBe(404);
  });
});

it("keeps the audit table intact whatever the input", async () => {
  expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM sg_audit").first<{ n: number }>())!.n).toBeGreaterThan(0);
});
