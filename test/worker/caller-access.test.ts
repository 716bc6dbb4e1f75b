/**
 * One answer to "what may this caller do on this table", an embed's narrowing included
 * (access/index.ts callerAccess): every records pipeline (list, get, create, update, delete,
 * aggregate) takes the same narrowed access, so a narrowing that allows nothing allows nothing anywhere.
 */
import { describe, expect, it } from "vitest";
import { loadPrincipal } from "../../worker/auth/principal";
import { findTable, loadRegistry } from "../../worker/model/registry";
import type { TableAccess } from "../../worker/access";
import { aggregateRecords } from "../../worker/records/aggregate";
import { getRecord, listRecords } from "../../worker/records/read";
import { createRecords, deleteRecords, updateRecords } from "../../worker/records/write";
import { AppError } from "../../worker/errors";
import { api, testEnv, userWithToken } from "./helpers";

/** A narrowing that takes every operation away (as an embed of another table would). */
const nothing = (a: TableAccess): TableAccess => ({
  ...a,
  table: a.table,
  may: () => false,
  canRead: () => false,
  canWrite: () => false,
  rowFilter: a.rowFilter,
  reason: () => "narrowed away",
});

async function refused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `the narrowed call must be refused: ${err instanceof Error ? err.stack : String(err)}`).toBeInstanceOf(
    AppError,
  );
  return (err as AppError).code;
}

describe("the caller's access, narrowed, in every pipeline", () => {
  it("list, get, create, update, delete and aggregate all refuse what the narrowing takes away", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = `narrow_${crypto.randomUUID().slice(0, 8)}`;
    expect((await a.post("/meta/tables", { name, fields: [{ name: "title", type: "text" }] })).status).toBe(201);
    const rec = (await a.post(`/tables/${name}/records`, { fields: { title: "x" } })).body.record;
    const reg = await loadRegistry(testEnv.DB);
    const table = findTable(reg, name)!;
    const principal = (await loadPrincipal(testEnv.DB, admin.user.id))!.principal;
    const ctx = { db: testEnv.DB, principal, reg, requestId: null, narrow: nothing };

    expect(await refused(listRecords(ctx, table, {}))).toBe("forbidden");
    expect(await refused(getRecord(ctx, table, rec.id, {}))).toBe("forbidden");
    expect(await refused(createRecords(ctx, table, { fields: { title: "y" } }))).toBe("forbidden");
    expect(await refused(updateRecords(ctx, table, { version: rec.version, fields: { title: "z" } }, rec.id))).toBe(
      "forbidden",
    );
    expect(await refused(deleteRecords(ctx, table, [{ id: rec.id }], true))).toBe("forbidden");
    expect(await refused(aggregateRecords(ctx, table, { measures: [{ op: "count" }] }))).toBe("forbidden");
    // Nothing was written by any of them.
    const now = await a.get(`/tables/${name}/records`);
    expect(now.body.records.map((r: { id: number; fields: { title: string } }) => [r.id, r.fields.title])).toEqual([
      [rec.id, "x"],
    ]);
  });
});
