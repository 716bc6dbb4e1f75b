/**
 * Optimistic concurrency under real concurrent requests: clients that PATCH the same record with the
 * same version race; exactly one wins, every other gets 409 with the current record, and the version
 * moves once. Storage is shared between tests in this file: every table name is unique.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken, type ApiResponse } from "./helpers";

const DB = (env as unknown as { DB: D1Database }).DB;
const PROBLEM = "application/problem+json";

let admin: ReturnType<typeof api>;
let alice: ReturnType<typeof api>;
let bob: ReturnType<typeof api>;
let table: { id: string; name: string };

const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
const phys = (tableId: string) => `t_${tableId.slice(4)}`;

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  alice = api((await userWithToken(["admin"])).token);
  bob = api((await userWithToken(["admin"])).token);
  const name = uniq("race");
  const res = await admin.post("/meta/tables", {
    name,
    fields: [
      { name: "title", type: "text" },
      { name: "amount", type: "currency", options: { currency: "USD" } },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "open" }, { name: "won" }, { name: "lost" }] },
      },
    ],
  });
  expect(res.status, res.text).toBe(201);
  table = { id: res.body.table.id, name };
});

/** Waits `n` round trips to D1, to start a client a little later and sweep the race window. */
async function hops(n: number) {
  for (let i = 0; i < n; i++) await DB.prepare("SELECT 1").first();
}

async function newRecord(title: string) {
  const res = await admin.post(`/tables/${table.name}/records`, { fields: { title, amount: 1000, stage: "open" } });
  expect(res.status, res.text).toBe(201);
  return res.body.record as { id: number; version: number; fields: Record<string, unknown> };
}

async function stored(id: number) {
  return (await DB.prepare(`SELECT version, updated_by FROM "${phys(table.id)}" WHERE id = ?1`)
    .bind(id)
    .first<{ version: number; updated_by: string }>())!;
}

async function auditCount(id: number, action: string) {
  return (await DB.prepare("SELECT COUNT(*) AS n FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action = ?3")
    .bind(table.id, id, action)
    .first<{ n: number }>())!.n;
}

/** The loser's reply: 409 problem+json naming the stale version and carrying the current record. */
function expectConflict(res: ApiResponse, id: number, current: { version: number; fields: Record<string, unknown> }) {
  expect(res.status, res.text).toBe(409);
  expect(res.headers.get("content-type")).toContain(PROBLEM);
  expect(res.body.code).toBe("version_conflict");
  expect(res.body.errors).toEqual([expect.objectContaining({ field: "version", code: "stale" })]);
  expect(res.body.current).toMatchObject({ id, version: current.version, fields: current.fields });
}

describe("two clients PATCH the same record with the same version", () => {
  it("lets exactly one win; the other gets 409 with the winner's record; the version moves once", async () => {
    const rec = await newRecord("contested");
    const [a, b] = await Promise.all([
      alice.patch(`/tables/${table.name}/records/${rec.id}`, {
        version: rec.version,
        fields: { stage: "won", amount: 5000 },
      }),
      bob.patch(`/tables/${table.name}/records/${rec.id}`, {
        version: rec.version,
        fields: { stage: "lost", amount: 0 },
      }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses, `${a.text}\n${b.text}`).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    expect(winner.body.record.version).toBe(rec.version + 1);
    expectConflict(loser, rec.id, winner.body.record);

    const after = await admin.get(`/tables/${table.name}/records/${rec.id}`);
    expect(after.body.record).toMatchObject({ version: rec.version + 1, fields: winner.body.record.fields });
    expect((await stored(rec.id)).version).toBe(rec.version + 1);
    expect(await auditCount(rec.id, "update")).toBe(1);
  });

  it("holds for every interleaving: the second client starting 0 to 5 D1 round trips later", async () => {
    for (let round = 0; round < 12; round++) {
      const rec = await newRecord(`round ${round}`);
      const results = await Promise.all([
        alice.patch(`/tables/${table.name}/records/${rec.id}`, {
          version: rec.version,
          fields: { title: `alice ${round}` },
        }),
        hops(round % 6).then(() =>
          bob.patch(`/tables/${table.name}/records/${rec.id}`, {
            version: rec.version,
            fields: { title: `bob ${round}` },
          }),
        ),
      ]);
      const ok = results.filter((r) => r.status === 200);
      const conflicts = results.filter((r) => r.status === 409);
      expect(results.map((r) => r.status).sort(), results.map((r) => r.text).join("\n")).toEqual([200, 409]);
      expectConflict(conflicts[0]!, rec.id, ok[0]!.body.record);
      expect((await stored(rec.id)).version).toBe(rec.version + 1);
      expect(await auditCount(rec.id, "update")).toBe(1);
    }
  });

  it("lets one of eight concurrent clients win and gives the other seven the current record", async () => {
    const rec = await newRecord("stampede");
    const clients = [alice, bob, admin, alice, bob, admin, alice, bob];
    const results = await Promise.all(
      clients.map((c, i) =>
        c.patch(`/tables/${table.name}/records/${rec.id}`, {
          version: rec.version,
          fields: { title: `writer ${i}`, amount: { amount: i, currency: "USD" } },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok, results.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join("\n")).toHaveLength(1);
    const winner = ok[0]!.body.record;
    for (const r of results.filter((x) => x.status !== 200)) expectConflict(r, rec.id, winner);
    expect((await stored(rec.id)).version).toBe(rec.version + 1);
    expect(await auditCount(rec.id, "update")).toBe(1);
    const title = (await admin.get(`/tables/${table.name}/records/${rec.id}`)).body.record.fields.title;
    expect(title).toBe(winner.fields.title);
  });

  it("lets the loser retry with the version from the 409 and succeed", async () => {
    const rec = await newRecord("retry");
    const [a, b] = await Promise.all([
      alice.patch(`/tables/${table.name}/records/${rec.id}`, { version: rec.version, fields: { stage: "won" } }),
      bob.patch(`/tables/${table.name}/records/${rec.id}`, { version: rec.version, fields: { title: "retitled" } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [loser, loserClient, loserFields] =
      a.status === 409 ? [a, alice, { stage: "won" }] : [b, bob, { title: "retitled" }];
    const current = loser.body.current;
    expect(current?.version, loser.text).toBe(rec.version + 1);
    const retry = await loserClient.patch(`/tables/${table.name}/records/${rec.id}`, {
      version: current.version,
      fields: loserFields,
    });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.record).toMatchObject({ version: rec.version + 2, fields: { title: "retitled", stage: "won" } });
  });

  it("makes a concurrent bulk update and single update on the same record serialise: one whole write, the other nothing", async () => {
    const [r1, r2] = [await newRecord("bulk one"), await newRecord("bulk two")];
    const [bulk, single] = await Promise.all([
      alice.patch(`/tables/${table.name}/records`, {
        records: [r1, r2].map((r) => ({ id: r.id, version: r.version, fields: { stage: "won" } })),
      }),
      bob.patch(`/tables/${table.name}/records/${r2.id}`, { version: r2.version, fields: { stage: "lost" } }),
    ]);
    expect([bulk.status, single.status].sort(), `${bulk.text}\n${single.text}`).toEqual([200, 409]);
    const v1 = (await stored(r1.id)).version;
    const v2 = (await stored(r2.id)).version;
    if (bulk.status === 200) {
      expect([v1, v2]).toEqual([r1.version + 1, r2.version + 1]);
      expectConflict(single, r2.id, bulk.body.records[1]);
    } else {
      // the bulk lost: neither of its records moved, not even the uncontested one
      expect([v1, v2]).toEqual([r1.version, r2.version + 1]);
      expect(await auditCount(r1.id, "update")).toBe(0);
      expect(bulk.headers.get("content-type")).toContain(PROBLEM);
      expect(bulk.body.conflicts ?? [], bulk.text).toEqual([
        { index: 1, current: expect.objectContaining({ id: r2.id, version: r2.version + 1 }) },
      ]);
    }
    expect(await auditCount(r2.id, "update")).toBe(1);
  });

  it("lets a concurrent delete and update of the same version resolve to one of them, never both", async () => {
    for (let round = 0; round < 12; round++) {
      const rec = await newRecord(`delete race ${round}`);
      // the delete starts 0 to 5 D1 round trips after the update, and the other way round
      const late = round % 6;
      const update = () =>
        bob.patch(`/tables/${table.name}/records/${rec.id}`, { version: rec.version, fields: { title: "edited" } });
      const remove = () => alice.delete(`/tables/${table.name}/records/${rec.id}?version=${rec.version}`);
      const [upd, del] =
        round < 6
          ? await Promise.all([update(), hops(late).then(remove)])
          : await Promise.all([hops(late).then(update), remove()]);
      const row = await DB.prepare(`SELECT version FROM "${phys(table.id)}" WHERE id = ?1`)
        .bind(rec.id)
        .first<{ version: number }>();
      expect(
        [upd.status, del.status].filter((s) => s === 200),
        `round ${round}: update ${upd.status} ${upd.text}\ndelete ${del.status} ${del.text}`,
      ).toHaveLength(1);
      if (del.status === 200) {
        expect(row).toBeNull();
        expect([404, 409]).toContain(upd.status);
        expect(upd.headers.get("content-type")).toContain(PROBLEM);
      } else {
        expect(row?.version).toBe(rec.version + 1);
        expect(del.status).toBe(409);
        expect(del.body.current).toMatchObject({ id: rec.id, version: rec.version + 1, fields: { title: "edited" } });
      }
    }
  });
});
