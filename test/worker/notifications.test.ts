/**
 * Notifications: sent by plugin code in a batch (notifyEffect) or alone (notify), read by their user
 * through /api/notifications (own rows only, newest first, cursor paging, unread filter, count, mark
 * read), never revealing a record the reader may no longer read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_PRINCIPAL } from "../../worker/plugins/jobs";
import { makeRuntime } from "../../worker/plugins/runtime";
import { loadPluginState } from "../../worker/plugins/state";
import { loadRegistry } from "../../worker/model/registry";
import { notify, notifyEffect, runEffects, updateEffect, type NotificationInput } from "../../worker/plugin-sdk";
import { UNREAD_COUNT_SQL } from "../../worker/notifications/store";
import { AppError } from "../../worker/errors";
import { api, testEnv } from "./helpers";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

const DB = testEnv.DB;
let admin: Client;
let adminId: string;

beforeAll(async () => {
  ({ admin, adminId } = await installSalesPlugins());
});

async function runtime(plugin = "customers") {
  const reg = await loadRegistry(DB);
  const state = await loadPluginState(DB, reg, true);
  return makeRuntime(
    { db: DB, reg, principal: SYSTEM_PRINCIPAL, requestId: null },
    state,
    plugin,
    new Date().toISOString(),
  );
}

const note = (user: string, title: string, extra: Partial<NotificationInput> = {}): NotificationInput => ({
  user,
  kind: "reminder",
  title: { en: title, "zh-CN": `提醒 ${title}` },
  ...extra,
});

const titles = (r: { body: { notifications: { title: { en: string } | null }[] } }) =>
  r.body.notifications.map((n) => n.title?.en);

describe("sending and listing", () => {
  it("lists the user's own notifications newest first, paged with a cursor, with the unread filter and count", async () => {
    const a = await signedIn([]);
    const b = await signedIn([]);
    const rt = await runtime();
    await notify(rt, [note(a.id, "one"), note(a.id, "two"), note(b.id, "for b")]);
    await notify(rt, note(a.id, "three", { body: { en: "Call them", "zh-CN": "给他们打电话" } }));

    const first = await a.client.get("/notifications?limit=2");
    expect(first.status, first.text).toBe(200);
    expect(titles(first)).toEqual(["three", "two"]);
    expect(first.body.notifications[0]).toMatchObject({
      plugin: "customers",
      kind: "reminder",
      title: { en: "three", "zh-CN": "提醒 three" },
      body: { en: "Call them", "zh-CN": "给他们打电话" },
      record: null,
      withheld: false,
      readAt: null,
    });
    expect(typeof first.body.nextCursor).toBe("string");
    const second = await a.client.get(`/notifications?limit=2&cursor=${first.body.nextCursor}`);
    expect(titles(second)).toEqual(["one"]);
    expect(second.body.nextCursor).toBeNull();

    expect((await a.client.get("/notifications/unread-count")).body).toEqual({ unread: 3, more: false });
    expect(titles(await b.client.get("/notifications"))).toEqual(["for b"]);

    const one = first.body.notifications[1].id;
    const marked = await a.client.post("/notifications/read", { ids: [one] });
    expect(marked.status, marked.text).toBe(200);
    expect(marked.body).toEqual({ updated: 1, unread: 2, more: false });
    expect(titles(await a.client.get("/notifications?unread=true"))).toEqual(["three", "one"]);
    const all = await a.client.get("/notifications");
    expect(all.body.notifications.find((n: { id: number }) => n.id === one).readAt).toEqual(expect.any(String));

    expect((await a.client.post("/notifications/read", { all: true })).body).toEqual({
      updated: 2,
      unread: 0,
      more: false,
    });
    expect((await a.client.get("/notifications?unread=true")).body.notifications).toEqual([]);
    // b's notification was not touched by a's "all".
    expect((await b.client.get("/notifications/unread-count")).body.unread).toBe(1);
  });

  it("treats another user's notification exactly like a missing one", async () => {
    const a = await signedIn([]);
    const b = await signedIn([]);
    await notify(await runtime(), note(a.id, "private"));
    const id = (await a.client.get("/notifications")).body.notifications[0].id as number;
    const theirs = await b.client.post("/notifications/read", { ids: [id] });
    const missing = await b.client.post("/notifications/read", { ids: [id + 1_000_000] });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual(missing.body);
    expect(theirs.body.updated).toBe(0);
    expect((await a.client.get("/notifications/unread-count")).body.unread).toBe(1);
    // Not even an admin lists someone else's notifications here.
    expect(titles(await admin.get("/notifications"))).not.toContain("private");
    // And without a token there is nothing at all.
    expect((await api().get("/notifications")).status).toBe(401);
    expect((await api().get("/notifications/unread-count")).status).toBe(401);
    expect((await api().post("/notifications/read", { all: true })).status).toBe(401);
  });

  it("stores a notification with a dedupe key once per user, however often it is sent", async () => {
    const a = await signedIn([]);
    const b = await signedIn([]);
    const rt = await runtime();
    const key = "task-7-reminder-2026-03-01T09:00";
    await notify(rt, [note(a.id, "once", { dedupeKey: key }), note(a.id, "once again", { dedupeKey: key })]);
    await notify(rt, note(a.id, "retried", { dedupeKey: key }));
    await notify(rt, note(b.id, "b too", { dedupeKey: key }));
    expect(titles(await a.client.get("/notifications"))).toEqual(["once"]);
    expect(titles(await b.client.get("/notifications"))).toEqual(["b too"]);
  });

  it("stores nothing for a user who does not exist, and listing survives a deleted user", async () => {
    const a = await signedIn([]);
    const gone = await signedIn([]);
    const rt = await runtime();
    await notify(rt, [note(gone.id, "before"), note(a.id, "kept")]);
    await DB.prepare("DELETE FROM sg_users WHERE id = ?1").bind(gone.id).run();
    await notify(rt, note(gone.id, "after"));
    const left = await DB.prepare("SELECT count(*) AS n FROM sg_notifications WHERE user_id = ?1")
      .bind(gone.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(1);
    const r = await a.client.get("/notifications");
    expect(r.status, r.text).toBe(200);
    expect(titles(r)).toEqual(["kept"]);
  });

  it("leaves out a notification added to a write that was refused", async () => {
    const a = await signedIn([]);
    const rt = await runtime();
    const t = rt.table("customers");
    const created = await admin.post("/tables/customers/records", { fields: { name: uniq("Refused") } });
    expect(created.status, created.text).toBe(201);
    const c = created.body.record;
    // Version 1 is current; the update at a stale version 99 refuses the whole batch.
    const stale = updateEffect(rt, t, [{ id: c.id, version: 99, before: {}, set: { city: "Shanghai" } }]);
    const err = await runEffects(DB, [...notifyEffect(rt, note(a.id, "with the write")), ...stale]).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect((await a.client.get("/notifications")).body.notifications).toEqual([]);
    // The same notification with a write that commits is stored.
    const fresh = updateEffect(rt, t, [{ id: c.id, version: c.version, before: {}, set: { city: "Shanghai" } }]);
    await runEffects(DB, [...notifyEffect(rt, note(a.id, "with the write")), ...fresh]);
    expect(titles(await a.client.get("/notifications"))).toEqual(["with the write"]);
  });

  it("refuses a bad notification from plugin code, naming each field, and stores nothing", async () => {
    const a = await signedIn([]);
    const rt = await runtime();
    const bad = [
      [{ ...note(a.id, "x"), kind: "Robert'); DROP TABLE sg_notifications;--" }, "notification/kind"],
      [{ ...note(a.id, "x"), title: { en: "only english" } }, "notification/title/zh-CN"],
      [{ ...note(a.id, "x"), title: { en: "x".repeat(201), "zh-CN": "x" } }, "notification/title/en"],
      [{ ...note(a.id, "x"), extra: 1 }, "notification/extra"],
      [{ ...note(a.id, "x"), user: 42 }, "notification/user"],
      [{ ...note(a.id, "x"), user: "usr_' OR 1=1 --" }, "notification/user"],
      [{ ...note(a.id, "x"), record: { table: rt.table("customers"), id: -1 } }, "notification/record/id"],
      [{ ...note(a.id, "x"), title: { en: "bad \ud800", "zh-CN": "x" } }, "notification/title/en"],
      [{ ...note(a.id, "x"), dedupeKey: "" }, "notification/dedupeKey"],
    ] as const;
    for (const [input, field] of bad) {
      const err = (() => {
        try {
          notifyEffect(rt, input as unknown as NotificationInput);
        } catch (e) {
          return e;
        }
      })();
      expect(err, field).toBeInstanceOf(AppError);
      expect((err as AppError).status, field).toBe(422);
      expect(
        (err as AppError).errors.map((e) => e.field),
        field,
      ).toContain(field);
    }
    expect((await a.client.get("/notifications")).body.notifications).toEqual([]);
    expect(await DB.prepare("SELECT count(*) AS n FROM sg_notifications").first("n")).toBeGreaterThanOrEqual(0);
  });
});

describe("a notification about a record", () => {
  it("shows the record to a reader who may read it, and withholds record, title and body once they may not", async () => {
    const rep = await signedIn(["sales_rep"]);
    const nobody = await signedIn([]);
    const created = await admin.post("/tables/customers/records", {
      fields: { name: uniq("Acme secret"), owner: rep.id },
    });
    expect(created.status, created.text).toBe(201);
    const c = created.body.record;
    const rt = await runtime();
    const t = rt.table("customers");
    const about = { record: { table: t, id: c.id }, body: { en: "Acme secret", "zh-CN": "Acme secret" } };
    await notify(rt, [note(rep.id, "Call Acme secret", about), note(nobody.id, "Call Acme secret", about)]);

    const seen = (await rep.client.get("/notifications")).body.notifications[0];
    expect(seen).toMatchObject({ record: { table: t.meta.id, id: c.id }, withheld: false });
    expect(seen.title.en).toBe("Call Acme secret");
    const hidden = await nobody.client.get("/notifications");
    expect(hidden.status).toBe(200);
    expect(hidden.body.notifications[0]).toMatchObject({ record: null, title: null, body: null, withheld: true });
    expect(hidden.text).not.toContain("Acme secret");

    // The rep loses the customer: the same notification no longer shows anything of it.
    const moved = await admin.patch(`/tables/customers/records/${c.id}`, {
      version: c.version,
      fields: { owner: adminId },
    });
    expect(moved.status, moved.text).toBe(200);
    const after = await rep.client.get("/notifications");
    expect(after.body.notifications[0]).toMatchObject({ record: null, title: null, withheld: true });
    expect(after.text).not.toContain("Acme secret");
    // Still counted and still marked read like any other.
    expect((await rep.client.get("/notifications/unread-count")).body.unread).toBe(1);
    expect((await rep.client.post("/notifications/read", { all: true })).body.updated).toBe(1);
  });

  it("keeps listing when the record or its whole table is deleted", async () => {
    const a = await signedIn(["admin"]);
    const name = `gone_${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin.post("/meta/tables", { name, fields: [{ name: "title", type: "text" }] })).status).toBe(201);
    const r1 = (await admin.post(`/tables/${name}/records`, { fields: { title: "one" } })).body.record;
    const r2 = (await admin.post(`/tables/${name}/records`, { fields: { title: "two" } })).body.record;
    const reg = await loadRegistry(DB);
    const table = reg.tables.find((t) => t.name === name)!;
    const rt = await runtime();
    await notify(rt, [
      note(a.id, "about one", { record: { table, id: r1.id } }),
      note(a.id, "about two", { record: { table, id: r2.id } }),
    ]);
    const before = (await a.client.get("/notifications")).body.notifications;
    expect(before.map((n: { withheld: boolean }) => n.withheld)).toEqual([false, false]);

    expect((await admin.delete(`/tables/${name}/records/${r2.id}`)).status).toBe(200);
    const one = await a.client.get("/notifications");
    expect(one.status, one.text).toBe(200);
    expect(one.body.notifications.map((n: { withheld: boolean }) => n.withheld)).toEqual([true, false]);

    const purged = await admin.delete(`/meta/tables/${name}?purge=true`);
    expect(purged.status, purged.text).toBe(200);
    const none = await a.client.get("/notifications");
    expect(none.status, none.text).toBe(200);
    expect(none.body.notifications.map((n: { withheld: boolean }) => n.withheld)).toEqual([true, true]);
  });
});

describe("bad requests", () => {
  it("refuses wrong types, unknown fields and parameters, oversize bodies and injection-shaped values", async () => {
    const a = await signedIn([]);
    await notify(await runtime(), note(a.id, "survivor"));
    const c = a.client;
    const problem = async (
      p: Promise<{ status: number; body: any; headers: Headers }>,
      status: number,
      field?: string,
    ) => {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      if (field) expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await problem(c.post("/notifications/read", { ids: "1" }), 422, "ids");
    await problem(c.post("/notifications/read", { ids: [1.5] }), 422, "ids/0");
    await problem(c.post("/notifications/read", { ids: ["1 OR 1=1"] }), 422, "ids/0");
    await problem(c.post("/notifications/read", { ids: [] }), 422, "ids");
    await problem(c.post("/notifications/read", { ids: [1], extra: true }), 422, "extra");
    await problem(c.post("/notifications/read", { all: false }), 422, "all");
    await problem(c.post("/notifications/read", { all: true, ids: [1] }), 422, "all");
    await problem(c.post("/notifications/read", {}), 422, "ids");
    await problem(c.post("/notifications/read", [1, 2]), 422);
    await problem(c.post("/notifications/read", "{not json"), 400);
    await problem(c.post("/notifications/read", { ids: Array.from({ length: 501 }, (_, i) => i + 1) }), 422, "ids");
    await problem(c.post("/notifications/read", { ids: [1], pad: "x".repeat(20_000) }), 413);
    await problem(c.get("/notifications?unread=yes"), 400, "unread");
    await problem(c.get("/notifications?limit=0"), 400, "limit");
    await problem(c.get("/notifications?limit=101"), 400, "limit");
    await problem(c.get("/notifications?limit=1&limit=2"), 400, "limit");
    await problem(
      c.get(`/notifications?cursor=${encodeURIComponent("1; DROP TABLE sg_notifications")}`),
      400,
      "cursor",
    );
    await problem(c.get("/notifications?cursor=WyJ4Il0"), 400, "cursor");
    await problem(c.get("/notifications?user=usr_x"), 400, "user");
    await problem(c.get("/notifications/unread-count?user=usr_x"), 400, "user");
    await problem(c.post("/notifications/read?user=usr_x", { all: true }), 400, "user");
    expect(titles(await c.get("/notifications"))).toEqual(["survivor"]);
  });

  it("marks a notification read once when two calls race", async () => {
    const a = await signedIn([]);
    await notify(await runtime(), [note(a.id, "x"), note(a.id, "y")]);
    const ids = (await a.client.get("/notifications")).body.notifications.map((n: { id: number }) => n.id);
    const [r1, r2] = await Promise.all([
      a.client.post("/notifications/read", { ids }),
      a.client.post("/notifications/read", { ids: [ids[0], ids[1], ids[0]] }),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.body.updated + r2.body.updated).toBe(2);
    expect((await a.client.get("/notifications/unread-count")).body.unread).toBe(0);
  });

  it("counts unread ones with one covering index range, whatever else is stored", async () => {
    const plan = await DB.prepare(`EXPLAIN QUERY PLAN ${UNREAD_COUNT_SQL}`).bind("usr_x").all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/USING COVERING INDEX sg_notifications_unread \(user_id=\? AND read_at=\?\)/);
    expect(details).not.toMatch(/SCAN sg_notifications/);
  });
});
