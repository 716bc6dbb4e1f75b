/**
 * The plugin SDK's effects by field key, against a real D1: what a plugin inserts gets record ids and
 * autonumbers reserved like a create through the API, and lands with audit rows in one batch.
 */
import { describe, expect, it } from "vitest";
import { loadPrincipal } from "../../worker/auth/principal";
import { findTable, loadRegistry } from "../../worker/model/registry";
import { findRows, insertEffect, runEffects, type BoundTable, type Runtime } from "../../worker/plugin-sdk";
import { api, testEnv, userWithToken } from "./helpers";

/** A table bound by field name, as a plugin's keys bind it. */
function bound(meta: NonNullable<ReturnType<typeof findTable>>): BoundTable {
  const live = (key: string) => meta.fields.find((f) => f.name === key) ?? null;
  return { key: meta.name, meta, maybeField: live, field: (k) => live(k)!, keys: () => meta.fields.map((f) => f.name) };
}

describe("insertEffect", () => {
  it("reserves ids and autonumbers as a create through the API does, and numbers never repeat", async () => {
    const admin = await userWithToken(["admin"]);
    const a = api(admin.token);
    const name = `sdk_${crypto.randomUUID().slice(0, 8)}`;
    expect(
      (
        await a.post("/meta/tables", {
          name,
          fields: [
            { name: "title", type: "text" },
            { name: "no", type: "autonumber" },
          ],
        })
      ).status,
    ).toBe(201);
    const first = (await a.post(`/tables/${name}/records`, { fields: { title: "api" } })).body.record;
    expect(first.fields.no).toBe(1);

    const reg = await loadRegistry(testEnv.DB);
    const t = bound(findTable(reg, name)!);
    const principal = (await loadPrincipal(testEnv.DB, admin.user.id))!.principal;
    const rt = {
      plugin: "test",
      db: testEnv.DB,
      reg,
      principal,
      requestId: null,
      at: new Date().toISOString(),
    } as unknown as Runtime;
    const { ids, statements } = await insertEffect(rt, t, [{ title: "p1" }, { title: "p2" }]);
    await runEffects(testEnv.DB, statements);
    const rows = await findRows(rt, t, null, ["title", "no"]);
    expect(rows.map((r) => [r.id, r.values.title, r.values.no])).toEqual([
      [first.id, "api", 1],
      [ids[0], "p1", 2],
      [ids[1], "p2", 3],
    ]);
    // The API continues after the plugin's numbers.
    expect((await a.post(`/tables/${name}/records`, { fields: { title: "api2" } })).body.record.fields.no).toBe(4);
  });
});
