/**
 * Link writes from either side are updates of every record whose link value changes (issue 12.1):
 * the record written, each target added or removed, and a target's previous holder when the other
 * side holds one link. Each needs update under the caller's row rule and write on its side's field,
 * else 403 naming the field and nothing is written; a target the caller cannot read answers exactly
 * like one that does not exist; each changed record gets a version bump and a history entry in the
 * same batch, guarded against concurrent changes. Every link pair of the demo schema is exercised
 * from both sides, as the registry lists them, for a rep, a manager, the admin and an embed token.
 * Storage is shared between the tests of this file: every record is made for the case that uses it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, testEnv } from "./helpers";
import { requestWithDb, spyDb, type RoundTrip } from "./d1-spy";
import {
  canCreate,
  canRead,
  canUpdate,
  expectApplied,
  expectUnchanged,
  involved,
  key,
  makeRecord,
  problemShape,
  requiredValues,
  seedDemo,
  snapshot,
  uniq,
  type Actor,
  type Demo,
  type Side,
} from "./link-fixture";

const NONE = 999_999_999;
let demo: Demo;

beforeAll(async () => {
  demo = await seedDemo();
});

const side = (table: string, field: string): Side => {
  const s = demo.sides.find((x) => x.table.name === table && x.field.name === field);
  if (!s) throw new Error(`no link ${table}.${field} in the demo schema`);
  return s;
};
const tableOf = (name: string) => demo.tables.find((t) => t.name === name)!;

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  code: string,
  field: string,
  fieldCode: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body.code, res.text).toBe(code);
  expect(res.body.errors, res.text).toContainEqual(expect.objectContaining({ field, code: fieldCode }));
}

describe("issue 12.1 as reported", () => {
  it("a rep cannot move another rep's deal to their own customer by PATCHing the customer: it answers like an unknown id", async () => {
    const { rep, rep2 } = demo;
    const customers = tableOf("customers");
    const deals = side("customers", "deals");
    const c = await makeRecord(demo, customers, rep.id);
    const d = await makeRecord(demo, tableOf("deals"), rep2.id);
    const entries = await involved(demo, deals, [c], [d]);
    const before = await snapshot(demo, entries);
    const version = before.get(key(entries[0]!))!.version;
    const res = await rep.client.patch(`/tables/customers/records/${c}`, { version, fields: { deals: [d] } });
    expectProblem(res, 422, "validation_failed", "fields/deals/0", "unknown_record");
    const none = await rep.client.patch(`/tables/customers/records/${c}`, { version, fields: { deals: [NONE] } });
    expect(problemShape(res, d)).toEqual(problemShape(none, NONE));
    await expectUnchanged(demo, entries, before, "rep PATCH customer.deals");
  });

  it("nor through POST: a new contact created with deals: [D] of another rep answers like an unknown id", async () => {
    const { rep, rep2 } = demo;
    const d = await makeRecord(demo, tableOf("deals"), rep2.id);
    const contacts = tableOf("contacts");
    const entries = await involved(demo, side("contacts", "deals"), [], [d]);
    const before = await snapshot(demo, entries);
    const count = async () =>
      (await demo.admin.client.get("/tables/contacts/records?count=true&limit=1")).body.total as number;
    const n = await count();
    const res = await rep.client.post("/tables/contacts/records", {
      fields: { ...requiredValues(demo, contacts), deals: [d] },
    });
    expectProblem(res, 422, "validation_failed", "fields/deals/0", "unknown_record");
    const none = await rep.client.post("/tables/contacts/records", {
      fields: { ...requiredValues(demo, contacts), deals: [NONE] },
    });
    expect(problemShape(res, d)).toEqual(problemShape(none, NONE));
    expect(await count()).toBe(n);
    await expectUnchanged(demo, entries, before, "rep POST contact.deals");
  });

  it("a contact the rep can read but not update cannot be linked to their customer: 403 naming the field, nothing written", async () => {
    // Reps read the contacts of their customers but update only the contacts they created.
    const { rep, manager } = demo;
    const c = await makeRecord(demo, tableOf("customers"), rep.id);
    const c2 = await makeRecord(demo, tableOf("customers"), rep.id);
    const k = await makeRecord(demo, tableOf("contacts"), manager.id, { customer: [c2] });
    expect(await canRead(rep, tableOf("contacts"), k)).toBe(true);
    const s = side("customers", "contacts");
    const entries = await involved(demo, s, [c], [k]);
    const before = await snapshot(demo, entries);
    const res = await rep.client.patch(`/tables/customers/records/${c}`, {
      version: before.get(key(entries[0]!))!.version,
      fields: { contacts: [k] },
    });
    expectProblem(res, 403, "forbidden", "fields/contacts/0", "forbidden");
    await expectUnchanged(demo, entries, before, "rep PATCH customer.contacts");
  });
});

type Kind = "ok" | "readOnly" | "hidden";

/** One unlinked record per table and owner, made once, to learn what an actor may do with such records. */
const samples = new Map<string, Promise<number>>();
const sample = (t: Side["table"], owner: string) => {
  const k = `${t.id}/${owner}`;
  if (!samples.has(k)) samples.set(k, makeRecord(demo, t, owner));
  return samples.get(k)!;
};
const readable = new Map<string, Promise<boolean>>();
const sampleReadable = (actor: Actor, t: Side["table"], owner: string) => {
  const k = `${actor.id}/${t.id}/${owner}`;
  if (!readable.has(k))
    readable.set(
      k,
      sample(t, owner).then((id) => canRead(actor, t, id)),
    );
  return readable.get(k)!;
};

/** Every case of one side for one actor; returns the cases that ran (so a test cannot pass by skipping them all). */
async function exerciseSide(actor: Actor, s: Side): Promise<string[]> {
  const A = s.table;
  const B = s.target;
  const h = s.field.name;
  const label = `${actor.name} ${A.name}.${h} -> ${B.name}.${s.inverse.name}`;
  const ran: string[] = [];
  const patch = (id: number, version: number, value: number[]) =>
    actor.client.patch(`/tables/${A.name}/records/${id}`, { version, fields: { [h]: value } });
  const versionOf = (before: Map<string, { version: number } | null>, id: number) =>
    before.get(key({ table: A, field: s.field, id }))!.version;

  // What the actor may do with a new record of each owner: targets by read and update, records of A by update.
  const targetKind = new Map<string, Kind>();
  const mayUpdateA = new Map<string, boolean>();
  for (const o of demo.owners) {
    const b = await sample(B, o);
    targetKind.set(
      o,
      !(await sampleReadable(actor, B, o)) ? "hidden" : (await canUpdate(actor, B, b, s.inverse)) ? "ok" : "readOnly",
    );
    mayUpdateA.set(o, await canUpdate(actor, A, await sample(A, o), s.field));
  }
  const ownerOf = (kind: Kind) => demo.owners.find((o) => targetKind.get(o) === kind);
  const mine = [actor.id, ...demo.owners].find((o) => mayUpdateA.get(o));
  const foreign = demo.owners.find((o) => !mayUpdateA.get(o));
  const mk = (t = A, owner = mine ?? actor.id, links: Record<string, number[]> = {}) =>
    makeRecord(demo, t, owner, links);
  const creates = await canCreate(actor, A);

  // A side the actor may not write at all: refused on the record itself.
  if (!mine) {
    const a = await mk();
    const b = await mk(B, demo.admin.id);
    const entries = await involved(demo, s, [a], [b]);
    const before = await snapshot(demo, entries);
    const res = await patch(a, versionOf(before, a), [b]);
    expect([403, 404], `${label}: ${res.text}`).toContain(res.status);
    await expectUnchanged(demo, entries, before, `${label} (closed)`);
    ran.push("closed");
    return ran;
  }

  const ok = ownerOf("ok");
  if (ok) {
    // Adding a target.
    const a = await mk();
    const b = await mk(B, ok);
    const entries = await involved(demo, s, [a], [b]);
    const before = await snapshot(demo, entries);
    const res = await patch(a, versionOf(before, a), [b]);
    expect(res.status, `${label} add: ${res.text}`).toBe(200);
    expect(await expectApplied(demo, actor, s, entries, before, [a], `${label} add`)).toBeGreaterThan(0);
    ran.push("add");

    // Removing it again.
    const entries2 = await involved(demo, s, [a], []);
    const before2 = await snapshot(demo, entries2);
    const removed = await patch(a, versionOf(before2, a), []);
    expect(removed.status, `${label} remove: ${removed.text}`).toBe(200);
    expect(await expectApplied(demo, actor, s, entries2, before2, [a], `${label} remove`)).toBeGreaterThan(0);
    ran.push("remove");

    // Replacing one target with another.
    const b1 = await mk(B, ok);
    const b2 = await mk(B, ok);
    const r = await mk(A, undefined, { [h]: [b1] });
    const entries3 = await involved(demo, s, [r], [b2]);
    const before3 = await snapshot(demo, entries3);
    const replaced = await patch(r, versionOf(before3, r), [b2]);
    expect(replaced.status, `${label} replace: ${replaced.text}`).toBe(200);
    expect(await expectApplied(demo, actor, s, entries3, before3, [r], `${label} replace`)).toBeGreaterThanOrEqual(2);
    ran.push("replace");

    // Bulk: two records, each adding a target.
    const [x1, x2, t1, t2] = [await mk(), await mk(), await mk(B, ok), await mk(B, ok)];
    const entries4 = await involved(demo, s, [x1, x2], [t1, t2]);
    const before4 = await snapshot(demo, entries4);
    const bulk = await actor.client.patch(`/tables/${A.name}/records`, {
      records: [
        { id: x1, version: versionOf(before4, x1), fields: { [h]: [t1] } },
        { id: x2, version: versionOf(before4, x2), fields: { [h]: [t2] } },
      ],
    });
    expect(bulk.status, `${label} bulk: ${bulk.text}`).toBe(200);
    expect(await expectApplied(demo, actor, s, entries4, before4, [x1, x2], `${label} bulk`)).toBeGreaterThanOrEqual(2);
    ran.push("bulk");

    // Creating a record with the link.
    if (creates) {
      const t = await mk(B, ok);
      const entries5 = await involved(demo, s, [], [t]);
      const before5 = await snapshot(demo, entries5);
      const created = await actor.client.post(`/tables/${A.name}/records`, {
        fields: { ...requiredValues(demo, A), [h]: [t] },
      });
      expect(created.status, `${label} create: ${created.text}`).toBe(201);
      // The new record's id, also when the actor's read rule hides it from the reply: it is the one the target gained.
      const gained = (await snapshot(demo, [entries5[0]!]))
        .get(key(entries5[0]!))!
        .links.filter((x) => !before5.get(key(entries5[0]!))!.links.includes(x));
      const id = (created.body.record?.id as number | undefined) ?? gained[0]!;
      expect(gained, label).toEqual([id]);
      expect(
        await expectApplied(
          demo,
          actor,
          s,
          [{ table: A, field: s.field, id }, ...entries5],
          before5,
          [id],
          `${label} create`,
        ),
      ).toBeGreaterThan(0);
      ran.push("create");
    }

    // The other side holds one link: linking takes the target from its holder, an update of the holder too.
    if (s.inverse.options.multiple === false) {
      const t = await mk(B, ok);
      const holder = await mk(A, undefined, { [h]: [t] });
      const a2 = await mk();
      const entries6 = await involved(demo, s, [a2], [t]);
      expect(
        entries6.some((e) => e.table.id === A.id && e.id === holder),
        `${label}: the holder is involved`,
      ).toBe(true);
      const before6 = await snapshot(demo, entries6);
      const taken = await patch(a2, versionOf(before6, a2), [t]);
      expect(taken.status, `${label} take: ${taken.text}`).toBe(200);
      expect(await expectApplied(demo, actor, s, entries6, before6, [a2], `${label} take`)).toBeGreaterThanOrEqual(2);
      ran.push("take from holder");

      if (foreign) {
        const t2 = await mk(B, ok);
        await mk(A, foreign, { [h]: [t2] });
        const a3 = await mk();
        const entries7 = await involved(demo, s, [a3], [t2]);
        const before7 = await snapshot(demo, entries7);
        const refused = await patch(a3, versionOf(before7, a3), [t2]);
        // Linked to the foreign record, the target may have become one the actor cannot read or update.
        if (refused.status === 422) expectProblem(refused, 422, "validation_failed", `fields/${h}/0`, "unknown_record");
        else expectProblem(refused, 403, "forbidden", `fields/${h}/0`, "forbidden");
        await expectUnchanged(demo, entries7, before7, `${label} take from a holder the actor may not update`);
        ran.push("refused holder");
      }
    }
  }

  const hidden = ownerOf("hidden");
  if (hidden) {
    // A target the actor cannot read answers exactly like one that does not exist.
    const a = await mk();
    const b = await mk(B, hidden);
    const entries = await involved(demo, s, [a], [b]);
    const before = await snapshot(demo, entries);
    const res = await patch(a, versionOf(before, a), [b]);
    expectProblem(res, 422, "validation_failed", `fields/${h}/0`, "unknown_record");
    expect(problemShape(res, b), label).toEqual(problemShape(await patch(a, versionOf(before, a), [NONE]), NONE));
    if (creates) {
      const created = await actor.client.post(`/tables/${A.name}/records`, {
        fields: { ...requiredValues(demo, A), [h]: [b] },
      });
      const none = await actor.client.post(`/tables/${A.name}/records`, {
        fields: { ...requiredValues(demo, A), [h]: [NONE] },
      });
      expectProblem(created, 422, "validation_failed", `fields/${h}/0`, "unknown_record");
      expect(problemShape(created, b)).toEqual(problemShape(none, NONE));
    }
    await expectUnchanged(demo, entries, before, `${label} hidden`);
    ran.push("hidden");

    // Unlinking a record the actor may not update (its id shows in the link value) changes it: 403.
    const held = await mk(A, undefined, { [h]: [b] });
    if (!(await canUpdate(actor, B, b, s.inverse))) {
      const entries2 = await involved(demo, s, [held], []);
      const before2 = await snapshot(demo, entries2);
      expectProblem(await patch(held, versionOf(before2, held), []), 403, "forbidden", `fields/${h}`, "forbidden");
      await expectUnchanged(demo, entries2, before2, `${label} unlink hidden`);
      ran.push("unlink hidden");
    }
  }

  const readOnly = ownerOf("readOnly");
  if (readOnly) {
    // Readable but not updatable: 403 naming the field, nothing written, also when linked on create
    // or in a bulk write next to an allowed change.
    const a = await mk();
    const b = await mk(B, readOnly);
    const entries = await involved(demo, s, [a], [b]);
    const before = await snapshot(demo, entries);
    expectProblem(await patch(a, versionOf(before, a), [b]), 403, "forbidden", `fields/${h}/0`, "forbidden");
    if (creates) {
      const created = await actor.client.post(`/tables/${A.name}/records`, {
        fields: { ...requiredValues(demo, A), [h]: [b] },
      });
      expectProblem(created, 403, "forbidden", `fields/${h}/0`, "forbidden");
    }
    await expectUnchanged(demo, entries, before, `${label} read-only`);
    ran.push("read-only");

    const held = await mk(A, undefined, { [h]: [b] });
    const entries2 = await involved(demo, s, [held], []);
    const before2 = await snapshot(demo, entries2);
    expectProblem(await patch(held, versionOf(before2, held), []), 403, "forbidden", `fields/${h}`, "forbidden");
    await expectUnchanged(demo, entries2, before2, `${label} unlink read-only`);
    ran.push("unlink read-only");

    if (ok) {
      const [x1, x2, t1, t2] = [await mk(), await mk(), await mk(B, ok), await mk(B, readOnly)];
      const entries3 = await involved(demo, s, [x1, x2], [t1, t2]);
      const before3 = await snapshot(demo, entries3);
      const bulk = await actor.client.patch(`/tables/${A.name}/records`, {
        records: [
          { id: x1, version: versionOf(before3, x1), fields: { [h]: [t1] } },
          { id: x2, version: versionOf(before3, x2), fields: { [h]: [t2] } },
        ],
      });
      expectProblem(bulk, 403, "forbidden", `records/1/fields/${h}/0`, "forbidden");
      await expectUnchanged(demo, entries3, before3, `${label} bulk with one read-only target`);
      ran.push("bulk refused");
    }
  }
  return ran;
}

describe("every link pair of the demo schema, from both sides", () => {
  it("has link pairs to test, each side listed once", () => {
    expect(demo.sides.length).toBeGreaterThanOrEqual(20);
    for (const s of demo.sides)
      expect(
        demo.sides.filter((x) => x.field.id === s.inverse.id && x.inverse.id === s.field.id),
        `${s.table.name}.${s.field.name}`,
      ).toHaveLength(1);
  });

  for (const who of ["rep", "manager", "admin"] as const) {
    it(`${who}: add, remove, replace, bulk, create, take from a holder; unreadable targets unknown, unchangeable ones 403`, async () => {
      const actor = demo[who];
      const summary: string[] = [];
      for (const s of demo.sides)
        summary.push(`${s.table.name}.${s.field.name}: ${(await exerciseSide(actor, s)).join(", ")}`);
      // Each actor reaches the writing cases on some side (so the matrix cannot pass by refusing everything).
      expect(summary.filter((l) => l.includes("add")).length, summary.join("\n")).toBeGreaterThan(0);
      if (who !== "admin")
        expect(summary.filter((l) => /hidden|read-only/.test(l)).length, summary.join("\n")).toBeGreaterThan(0);
    }, 300_000);
  }
});

describe("embed tokens", () => {
  it("in edit mode never write a link field, on any side; other fields of the same view they do write", async () => {
    const { admin } = demo;
    for (const s of demo.sides) {
      const view = await admin.client.post("/meta/views", {
        name: `links_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`,
        table: s.table.name,
        type: "grid",
      });
      expect(view.status, view.text).toBe(201);
      const minted = await admin.client.post("/admin/embed-tokens", {
        view: view.body.view.id,
        mode: "edit",
        expiresInDays: 1,
      });
      expect(minted.status, minted.text).toBe(201);
      const embed = api(minted.body.token);
      const a = await makeRecord(demo, s.table, admin.id);
      const b = await makeRecord(demo, s.target, admin.id);
      const entries = await involved(demo, s, [a], [b]);
      const before = await snapshot(demo, entries);
      const version = before.get(key(entries[0]!))!.version;
      const res = await embed.patch("/embed/records", {
        records: [{ id: a, version, fields: { [s.field.name]: [b] } }],
      });
      expectProblem(res, 403, "forbidden", `records/0/fields/${s.field.name}`, "read_only");
      await expectUnchanged(demo, entries, before, `embed ${s.table.name}.${s.field.name}`);
      const text = s.table.fields.find((f) => f.type === "text" && !f.name.endsWith("_key"));
      if (text) {
        const edited = await embed.patch("/embed/records", {
          records: [{ id: a, version, fields: { [text.name]: uniq("edited") } }],
        });
        expect(edited.status, `${s.table.name}: ${edited.text}`).toBe(200);
      }
    }
  });
});

describe("inside the batch", () => {
  /** Runs `write` with a real concurrent request made just before its write batch (the one with audit rows). */
  async function raceBeforeBatch(
    concurrent: () => Promise<void>,
    token: string,
    method: string,
    path: string,
    body: unknown,
  ) {
    let injected = false;
    const db = spyDb(testEnv.DB, async (call: RoundTrip) => {
      if (injected || call.kind !== "batch" || !call.sql.some((q) => q.startsWith("INSERT INTO sg_audit"))) return;
      injected = true;
      await concurrent();
    });
    const res = await requestWithDb(db, token, method, path, body);
    expect(injected).toBe(true);
    return res;
  }

  it("a target held by one record, changed between the read and the batch, makes the link write 409, writing nothing", async () => {
    // Linking a deal to a customer takes it from the customer holding it: who that is was read, so the read must still
    // hold.
    const { manager, admin } = demo;
    const s = side("customers", "deals");
    const customer = await makeRecord(demo, s.table, manager.id);
    const deal = await makeRecord(demo, s.target, manager.id);
    const entries = await involved(demo, s, [customer], [deal]);
    const before = await snapshot(demo, entries);
    const dealEntry = { table: s.target, field: s.inverse, id: deal };
    const dealVersion = before.get(key(dealEntry))!.version;
    const res = await raceBeforeBatch(
      async () => {
        const r = await admin.client.patch(`/tables/deals/records/${deal}`, {
          version: dealVersion,
          fields: { name: uniq("renamed") },
        });
        expect(r.status, r.text).toBe(200);
      },
      manager.token,
      "PATCH",
      `/tables/customers/records/${customer}`,
      { version: before.get(key(entries[0]!))!.version, fields: { deals: [deal] } },
    );
    expect(res.status, res.text).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const after = await snapshot(demo, entries);
    expect(after.get(key(entries[0]!))).toEqual(before.get(key(entries[0]!)));
    expect(after.get(key(dealEntry))).toEqual({ version: dealVersion + 1, links: [] });
  });

  it("a target on a many side changed meanwhile does not fail the link: both land, its history exact", async () => {
    // Two deals linked to one customer at once, or a task linked to a deal being renamed, are not in conflict.
    const { manager, admin } = demo;
    const s = side("tasks", "deal");
    const [other, task] = [await makeRecord(demo, s.table, manager.id), await makeRecord(demo, s.table, manager.id)];
    const deal = await makeRecord(demo, s.target, manager.id);
    const dealEntry = { table: s.target, field: s.inverse, id: deal };
    const before = await snapshot(demo, [
      dealEntry,
      { table: s.table, field: s.field, id: task },
      { table: s.table, field: s.field, id: other },
    ]);
    const res = await raceBeforeBatch(
      async () => {
        const r = await admin.client.patch(`/tables/tasks/records/${other}`, {
          version: before.get(key({ table: s.table, field: s.field, id: other }))!.version,
          fields: { deal: [deal] },
        });
        expect(r.status, r.text).toBe(200);
      },
      manager.token,
      "PATCH",
      `/tables/tasks/records/${task}`,
      { version: before.get(key({ table: s.table, field: s.field, id: task }))!.version, fields: { deal: [deal] } },
    );
    expect(res.status, res.text).toBe(200);
    const after = (await snapshot(demo, [dealEntry])).get(key(dealEntry))!;
    expect(after).toEqual({
      version: before.get(key(dealEntry))!.version + 2,
      links: [other, task].sort((a, b) => a - b),
    });
    const h = await admin.client.get(`/tables/deals/records/${deal}/history?limit=2`);
    expect(h.body.history.map((e: any) => [e.user.id, e.changes.tasks])).toEqual([
      [manager.id, { added: [task], removed: [] }],
      [admin.id, { added: [other], removed: [] }],
    ]);
  });

  it("a write without link fields costs no extra round trip; with links, every lookup is one round trip", async () => {
    const { manager } = demo;
    const tasks = tableOf("tasks");
    const deals = await Promise.all([1, 2, 3].map(() => makeRecord(demo, tableOf("deals"), manager.id)));
    const count = async (body: unknown) => {
      const calls: RoundTrip[] = [];
      const res = await requestWithDb(
        spyDb(testEnv.DB, (c) => void calls.push(c)),
        manager.token,
        "POST",
        "/tables/tasks/records",
        body,
      );
      expect(res.status, res.text).toBe(201);
      return calls.length;
    };
    const plain = (n: number) => ({
      records: Array.from({ length: n }, () => ({ fields: requiredValues(demo, tasks) })),
    });
    await count(plain(1)); // warm the isolate's caches
    const without = await count(plain(1000));
    expect(await count(plain(3))).toBe(without);
    const linked = await count({
      records: deals.map((d) => ({ fields: { ...requiredValues(demo, tasks), deal: [d] } })),
    });
    expect(linked).toBe(without + 1);
  });

  it("deleting a record bumps the version of each record it was linked to and shows the unlink in their history", async () => {
    const { manager } = demo;
    const s = side("tasks", "deal");
    // The deleted task and the deal share an id, so a statement mixing up the two tables shows.
    await testEnv.DB.prepare(
      "UPDATE sg_tables SET next_record_id = (SELECT MAX(next_record_id) FROM sg_tables WHERE id IN (?1, ?2)) WHERE id IN (?1, ?2)",
    )
      .bind(s.table.id, s.target.id)
      .run();
    const deal = await makeRecord(demo, s.target, manager.id);
    const t1 = await makeRecord(demo, s.table, manager.id, { deal: [deal] });
    expect(t1).toBe(deal);
    const t2 = await makeRecord(demo, s.table, manager.id, { deal: [deal] });
    const entry = { table: s.target, field: s.inverse, id: deal };
    const before = (await snapshot(demo, [entry])).get(key(entry))!;
    expect(before.links).toEqual([t1, t2].sort((a, b) => a - b));
    const res = await manager.client.delete(`/tables/tasks/records/${t1}`);
    expect(res.status, res.text).toBe(200);
    const after = (await snapshot(demo, [entry])).get(key(entry))!;
    expect(after).toEqual({ version: before.version + 1, links: [t2] });
    const h = await demo.admin.client.get(`/tables/deals/records/${deal}/history?limit=1`);
    expect(h.body.history[0]).toMatchObject({
      action: "update",
      user: { id: manager.id },
      changes: { tasks: { added: [], removed: [t1] } },
    });
  });
});

describe("a one-valued side", () => {
  it("cannot be given the same target twice in one request: 422 naming the second, nothing written", async () => {
    const { admin } = demo;
    const s = side("customers", "deals");
    const [c1, c2] = [await makeRecord(demo, s.table, admin.id), await makeRecord(demo, s.table, admin.id)];
    const deal = await makeRecord(demo, s.target, admin.id);
    const entries = await involved(demo, s, [c1, c2], [deal]);
    const before = await snapshot(demo, entries);
    const v = (id: number) => before.get(key({ table: s.table, field: s.field, id }))!.version;
    const res = await admin.client.patch("/tables/customers/records", {
      records: [
        { id: c1, version: v(c1), fields: { deals: [deal] } },
        { id: c2, version: v(c2), fields: { deals: [deal] } },
      ],
    });
    expectProblem(res, 422, "validation_failed", "records/1/fields/deals/0", "duplicate");
    await expectUnchanged(demo, entries, before, "one deal given to two customers");
  });
});

describe("links a plugin hook derives", () => {
  it("are the plugin's decision: a rep's new deal joins the default pipeline, which moves a version and shows it, unchecked", async () => {
    const { rep } = demo;
    const s = side("deals", "pipeline");
    const pipelines = await demo.admin.client.get("/tables/pipelines/records?limit=100");
    const fallback = pipelines.body.records.find((r: any) => r.fields.is_default === true);
    const entry = { table: s.target, field: s.inverse, id: fallback.id as number };
    // Reps may link their deals to a pipeline; take that away so the link could not have been theirs to make.
    const grant = { read: "all", create: "none", update: "none", delete: "none", defaultField: "read" };
    const put = await demo.admin.client.request("PUT", "/admin/roles/sales_rep/grants/pipelines", grant);
    expect(put.status, put.text).toBe(200);
    expect(await canUpdate(rep, s.target, entry.id, s.inverse)).toBe(false);
    const before = (await snapshot(demo, [entry])).get(key(entry))!;
    const res = await rep.client.post("/tables/deals/records", { fields: requiredValues(demo, s.table) });
    expect(res.status, res.text).toBe(201);
    const id = res.body.record.id as number;
    expect(res.body.record.fields.pipeline).toEqual([entry.id]);
    expect((await snapshot(demo, [entry])).get(key(entry))).toEqual({
      version: before.version + 1,
      links: [...before.links, id].sort((a, b) => a - b),
    });
    const h = await demo.admin.client.get(`/tables/pipelines/records/${entry.id}/history?limit=1`);
    expect(h.body.history[0]).toMatchObject({
      action: "update",
      user: { id: rep.id },
      changes: { deals: { added: [id], removed: [] } },
    });
    const restore = await demo.admin.client.request("PUT", "/admin/roles/sales_rep/grants/pipelines", {
      ...grant,
      update: "all",
      fields: { deals: "write" },
    });
    expect(restore.status, restore.text).toBe(200);
  });
});

describe("the demo grants", () => {
  it("let a rep put their deal in a pipeline of their choice, and nothing else of the pipeline", async () => {
    const { rep } = demo;
    const s = side("deals", "pipeline");
    const chosen = { id: await makeRecord(demo, tableOf("pipelines"), demo.admin.id) };
    const res = await rep.client.post("/tables/deals/records", {
      fields: { ...requiredValues(demo, s.table), pipeline: [chosen.id] },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.record.fields.pipeline).toEqual([chosen.id]);
    const current = await rep.client.get(`/tables/pipelines/records/${chosen.id}`);
    expect(current.body.record.fields.deals).toContain(res.body.record.id);
    const rename = await rep.client.patch(`/tables/pipelines/records/${chosen.id}`, {
      version: current.body.record.version,
      fields: { name: "Mine now" },
    });
    expectProblem(rename, 403, "forbidden", "fields/name", "read_only");
  });
});

describe("other writers of junction rows", () => {
  it("an admin restore of a deleted record relinks its targets as updates: version bumped, the link in their history", async () => {
    const { admin } = demo;
    const s = side("tasks", "deal");
    const deal = await makeRecord(demo, s.target, admin.id);
    const task = await makeRecord(demo, s.table, admin.id, { deal: [deal] });
    expect((await admin.client.delete(`/tables/tasks/records/${task}`)).status).toBe(200);
    const entry = { table: s.target, field: s.inverse, id: deal };
    const before = (await snapshot(demo, [entry])).get(key(entry))!;
    expect(before.links).toEqual([]);
    const res = await admin.client.post(`/admin/tables/tasks/records/${task}/restore`);
    expect(res.status, res.text).toBe(200);
    expect((await snapshot(demo, [entry])).get(key(entry))).toEqual({ version: before.version + 1, links: [task] });
    const h = await admin.client.get(`/tables/deals/records/${deal}/history?limit=1`);
    expect(h.body.history[0]).toMatchObject({ action: "update", changes: { tasks: { added: [task], removed: [] } } });
  });

  it("a customer merge bumps the version of every record whose link moves to the kept customer", async () => {
    const { admin } = demo;
    const customers = tableOf("customers");
    const keep = await makeRecord(demo, customers, admin.id);
    const merged = await makeRecord(demo, customers, admin.id);
    const contact = await makeRecord(demo, tableOf("contacts"), admin.id, { customer: [merged] });
    const deal = await makeRecord(demo, tableOf("deals"), admin.id, { customer: [merged] });
    const entries = [
      {
        table: tableOf("contacts"),
        field: tableOf("contacts").fields.find((f) => f.name === "customer")!,
        id: contact,
      },
      { table: tableOf("deals"), field: tableOf("deals").fields.find((f) => f.name === "customer")!, id: deal },
    ];
    const before = await snapshot(demo, entries);
    const res = await admin.client.post("/actions/customers/merge", { keep, merge: [merged] });
    expect(res.status, res.text).toBe(200);
    const after = await snapshot(demo, entries);
    for (const e of entries)
      expect(after.get(key(e)), key(e)).toEqual({ version: before.get(key(e))!.version + 1, links: [keep] });
  });
});
