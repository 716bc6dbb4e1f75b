/**
 * Webhook delivery against a REAL receiver: a Node HTTP server (test/worker/webhook-receiver.ts) that
 * checks every signature with node:crypto, independently of the Worker's code. Proves: a committed
 * notification is delivered (signed, in the user's language, with a link), a rolled-back one never;
 * retries after 5xx/429/network errors/timeouts with exponential backoff, giving up after the last
 * attempt, failing at once on other 4xx; overlapping ticks never send one twice; a notification about
 * a record the user may no longer read goes out withheld; every attempt is in the user's log.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../../main";
import { runBatch } from "../../worker/db/batch";
import { loadRegistry } from "../../worker/model/registry";
import { notificationStatements } from "../../worker/notifications/send";
import { backoffMs, deliverWebhooks, MAX_ATTEMPTS } from "../../worker/notifications/webhooks-deliver";
import { SYSTEM_PRINCIPAL } from "../../worker/plugins/jobs";
import { makeRuntime } from "../../worker/plugins/runtime";
import { loadPluginState } from "../../worker/plugins/state";
import { notify, type NotificationInput } from "../../worker/plugin-sdk";
import { testEnv } from "./helpers";
import { installSalesPlugins, signedIn, uniq, type Client } from "./plugins-fixture";

const DB = testEnv.DB;
const MIN = 60_000;
const receiver = inject("webhookReceiver");
let admin: Client;
let adminId: string;

beforeAll(async () => {
  ({ admin, adminId } = await installSalesPlugins());
});

interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
  signatureValid: boolean;
  answered: number;
}

/** A receiver box of its own: what it answers, in order (0 = hang), and what it received. */
type Answer = number | { status: number; retryAfter: string };

async function box(plan: Answer[] = []) {
  const id = crypto.randomUUID();
  const set = (p: { plan?: Answer[]; secret?: string }) =>
    fetch(`${receiver}/plan/${id}`, { method: "PUT", body: JSON.stringify(p) });
  await set({ plan });
  return {
    url: `${receiver}/hook/${id}`,
    set,
    received: async () => (await (await fetch(`${receiver}/received/${id}`)).json()) as Received[],
  };
}

/** A user with a webhook to a fresh box; the receiver knows the secret the PUT showed once. */
async function subscriber(plan: Answer[] = [], roles: string[] = []) {
  const u = await signedIn(roles);
  const b = await box(plan);
  const put = await u.client.request("PUT", "/notifications/webhook", { url: b.url });
  expect(put.status, put.text).toBe(201);
  await b.set({ secret: put.body.secret });
  return { ...u, box: b, secret: put.body.secret as string };
}

async function runtime(at = new Date()) {
  const reg = await loadRegistry(DB);
  const state = await loadPluginState(DB, reg, true);
  return makeRuntime(
    { db: DB, reg, principal: SYSTEM_PRINCIPAL, requestId: null },
    state,
    "customers",
    at.toISOString(),
  );
}

const note = (user: string, title: string, extra: Partial<NotificationInput> = {}): NotificationInput => ({
  user,
  kind: "reminder",
  title: { en: title, "zh-CN": `提醒 ${title}` },
  ...extra,
});

async function tick(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "* * * * *" }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

const log = async (c: Client) => {
  const r = await c.get("/notifications/webhook/deliveries");
  expect(r.status, r.text).toBe(200);
  return r.body.attempts as {
    attempt: number;
    status: number | null;
    error: string | null;
    outcome: string;
    nextRetryAt: string | null;
    at: string;
    notificationId: number | null;
  }[];
};

const deliveryOf = (user: string) =>
  DB.prepare("SELECT id, state, attempts, run_at, claim FROM sg_webhook_deliveries WHERE user_id = ?1 ORDER BY id")
    .bind(user)
    .all<{ id: number; state: string; attempts: number; run_at: string; claim: string | null }>()
    .then((r) => r.results);

describe("delivery", () => {
  it("POSTs a committed notification on the next cron tick, signed, in the user's language, with a link", async () => {
    const s = await subscriber([], ["sales_rep"]);
    await DB.prepare("UPDATE sg_users SET locale = 'zh-CN' WHERE id = ?1").bind(s.id).run();
    const c = (await admin.post("/tables/customers/records", { fields: { name: uniq("Hook Co"), owner: s.id } })).body
      .record;
    const rt = await runtime();
    await notify(
      rt,
      note(s.id, "Call Hook Co", {
        body: { en: "Today", "zh-CN": "今天" },
        record: { table: rt.table("customers"), id: c.id },
      }),
    );
    const before = Math.floor(Date.now() / 1000);
    await tick(Date.now());

    const got = await s.box.received();
    expect(got).toHaveLength(1);
    const r = got[0]!;
    expect(r.signatureValid).toBe(true);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(Math.abs(Number(r.headers["x-salesgrid-timestamp"]) - before)).toBeLessThanOrEqual(5);
    expect(r.headers["x-salesgrid-attempt"]).toBe("1");
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({
      type: "notification",
      deliveryId: Number(r.headers["x-salesgrid-delivery"]),
      notification: {
        plugin: "customers",
        kind: "reminder",
        language: "zh-CN",
        title: "提醒 Call Hook Co",
        body: "今天",
        record: { table: "customers", id: c.id },
        url: `http://x/#/t/customers/r/${c.id}`,
        withheld: false,
      },
    });
    const listed = (await s.client.get("/notifications")).body.notifications[0];
    expect(body.notification.id).toBe(listed.id);
    expect(body.notification.createdAt).toBe(listed.createdAt);

    const entries = await log(s.client);
    expect(entries).toEqual([
      expect.objectContaining({ attempt: 1, status: 200, error: null, outcome: "delivered", nextRetryAt: null }),
    ]);
    expect(entries[0]!.notificationId).toBe(listed.id);
    // Delivered once: the next tick sends nothing more.
    await tick(Date.now() + 5 * MIN);
    expect(await s.box.received()).toHaveLength(1);
  });

  it("never delivers a notification whose batch was rolled back, nor a duplicate the dedupe key refused", async () => {
    const s = await subscriber();
    const at = new Date().toISOString();
    const refused = runBatch(DB, [
      ...notificationStatements("customers", at, [note(s.id, "rolled back")]),
      { sql: "INSERT INTO sg_guard (reason) VALUES ('stale')", params: [] },
    ]);
    await expect(refused).rejects.toThrow();
    const rt = await runtime();
    await notify(rt, note(s.id, "once", { dedupeKey: "k1" }));
    await notify(rt, note(s.id, "once again", { dedupeKey: "k1" }));
    expect(await deliveryOf(s.id)).toHaveLength(1);

    await deliverWebhooks(DB, new Date());
    const got = await s.box.received();
    expect(got.map((r) => JSON.parse(r.body).notification.title)).toEqual(["once"]);
  });

  it("queues one delivery per notification when many are stored at once", async () => {
    const s = await subscriber();
    const other = await signedIn([]);
    await notify(await runtime(), [note(s.id, "a"), note(other.id, "not theirs"), note(s.id, "b"), note(s.id, "c")]);
    await deliverWebhooks(DB, new Date());
    const titles = (await s.box.received()).map((r) => JSON.parse(r.body).notification.title).sort();
    expect(titles).toEqual(["a", "b", "c"]);
  });
});

describe("retries", () => {
  it("retries after a 500 and a 503 with exponential backoff, then delivers; each attempt is logged", async () => {
    const s = await subscriber([500, 503, 200]);
    const t0 = new Date(Date.now() + MIN);
    await notify(await runtime(), note(s.id, "retry me"));

    await deliverWebhooks(DB, t0);
    let entries = await log(s.client);
    expect(entries[0]).toMatchObject({ attempt: 1, status: 500, outcome: "retry" });
    expect(entries[0]!.nextRetryAt).toBe(new Date(t0.getTime() + backoffMs(1)).toISOString());
    expect(backoffMs(1)).toBe(MIN);

    // Before the backoff has passed, nothing is sent.
    await deliverWebhooks(DB, new Date(t0.getTime() + 59_000));
    expect(await s.box.received()).toHaveLength(1);

    const t1 = new Date(t0.getTime() + MIN);
    await deliverWebhooks(DB, t1);
    entries = await log(s.client);
    expect(entries[0]).toMatchObject({ attempt: 2, status: 503, outcome: "retry" });
    expect(entries[0]!.nextRetryAt).toBe(new Date(t1.getTime() + 2 * MIN).toISOString());

    await deliverWebhooks(DB, new Date(t1.getTime() + 2 * MIN - 1000));
    expect(await s.box.received()).toHaveLength(2);
    await deliverWebhooks(DB, new Date(t1.getTime() + 2 * MIN));
    entries = await log(s.client);
    expect(entries.map((e) => [e.attempt, e.status, e.outcome])).toEqual([
      [3, 200, "delivered"],
      [2, 503, "retry"],
      [1, 500, "retry"],
    ]);
    const got = await s.box.received();
    expect(got.map((r) => r.answered)).toEqual([500, 503, 200]);
    expect(got.every((r) => r.signatureValid)).toBe(true);
    // The same delivery id on every attempt (receivers dedupe by it), a fresh timestamp and signature each time.
    expect(new Set(got.map((r) => r.headers["x-salesgrid-delivery"])).size).toBe(1);
    expect(got.map((r) => r.headers["x-salesgrid-attempt"])).toEqual(["1", "2", "3"]);
    expect((await deliveryOf(s.id))[0]!.state).toBe("delivered");
  });

  it("backs off 1, 2, 4 ... minutes up to an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffMs(n) / MIN)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it("gives up after the last attempt: failed, logged, never sent again", async () => {
    const s = await subscriber(Array(MAX_ATTEMPTS + 2).fill(502));
    let now = Date.now() + MIN;
    await notify(await runtime(), note(s.id, "doomed"));
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await deliverWebhooks(DB, new Date(now));
      now += 61 * MIN;
    }
    expect(await s.box.received()).toHaveLength(MAX_ATTEMPTS);
    const entries = await log(s.client);
    expect(entries).toHaveLength(MAX_ATTEMPTS);
    expect(entries[0]).toMatchObject({ attempt: MAX_ATTEMPTS, status: 502, outcome: "failed", nextRetryAt: null });
    expect(entries.slice(1).every((e) => e.outcome === "retry")).toBe(true);
    expect((await deliveryOf(s.id))[0]!.state).toBe("failed");
  });

  it("retries 429 and 408, but fails at once on another 4xx or a redirect", async () => {
    const s = await subscriber([429, 408, 404]);
    const r = await subscriber([301]);
    const t0 = Date.now() + MIN;
    await notify(await runtime(), [note(s.id, "x"), note(r.id, "y")]);
    await deliverWebhooks(DB, new Date(t0));
    await deliverWebhooks(DB, new Date(t0 + MIN));
    await deliverWebhooks(DB, new Date(t0 + 3 * MIN));
    await deliverWebhooks(DB, new Date(t0 + 10 * MIN));
    expect((await log(s.client)).map((e) => [e.status, e.outcome])).toEqual([
      [404, "failed"],
      [408, "retry"],
      [429, "retry"],
    ]);
    expect(await s.box.received()).toHaveLength(3);
    const redirected = await log(r.client);
    expect(redirected).toEqual([expect.objectContaining({ status: 301, outcome: "failed" })]);
    expect(redirected[0]!.error).toMatch(/redirect/i);
  });

  it("waits as long as a 429's or 503's Retry-After asks when that is longer than the backoff, up to an hour", async () => {
    const s = await subscriber([
      { status: 429, retryAfter: "300" },
      { status: 503, retryAfter: "86400" },
      { status: 429, retryAfter: "soon" },
    ]);
    const t0 = Date.now() + MIN;
    await notify(await runtime(), note(s.id, "later"));
    await deliverWebhooks(DB, new Date(t0));
    expect((await log(s.client))[0]!.nextRetryAt).toBe(new Date(t0 + 5 * MIN).toISOString());
    await deliverWebhooks(DB, new Date(t0 + 5 * MIN));
    expect((await log(s.client))[0]!.nextRetryAt).toBe(new Date(t0 + 5 * MIN + 60 * MIN).toISOString());
    await deliverWebhooks(DB, new Date(t0 + 65 * MIN));
    // Unreadable: the backoff alone (third attempt: 4 minutes).
    expect((await log(s.client))[0]!.nextRetryAt).toBe(new Date(t0 + 65 * MIN + 4 * MIN).toISOString());
  });

  it("retries a network error and a receiver that does not answer in time", async () => {
    const s = await subscriber([0, 200]);
    const dead = await signedIn([]);
    // A port nothing listens on: the connection is refused.
    expect(
      (await dead.client.request("PUT", "/notifications/webhook", { url: "http://127.0.0.1:9/hook" })).status,
    ).toBe(201);
    const t0 = Date.now() + MIN;
    await notify(await runtime(), [note(s.id, "slow"), note(dead.id, "nowhere")]);
    await deliverWebhooks(DB, new Date(t0), { timeoutMs: 500 });
    const slow = await log(s.client);
    expect(slow[0]).toMatchObject({ attempt: 1, status: null, outcome: "retry" });
    expect(slow[0]!.error).toMatch(/No answer within 0.5 s/);
    const refused = await log(dead.client);
    expect(refused[0]).toMatchObject({ attempt: 1, status: null, outcome: "retry" });
    expect(refused[0]!.error).toMatch(/^Network error/);
    await deliverWebhooks(DB, new Date(t0 + MIN), { timeoutMs: 2000 });
    expect((await log(s.client))[0]).toMatchObject({ attempt: 2, status: 200, outcome: "delivered" });
  });
});

describe("overlapping ticks", () => {
  it("never send one delivery twice", async () => {
    const s = await subscriber();
    await notify(
      await runtime(),
      Array.from({ length: 12 }, (_, i) => note(s.id, `n${i}`)),
    );
    const now = new Date(Date.now() + MIN);
    const runs = await Promise.all([deliverWebhooks(DB, now), deliverWebhooks(DB, now), deliverWebhooks(DB, now)]);
    expect(runs.flat()).toHaveLength(12);
    const got = await s.box.received();
    expect(got).toHaveLength(12);
    expect(new Set(got.map((r) => r.headers["x-salesgrid-delivery"])).size).toBe(12);
    expect((await log(s.client)).filter((e) => e.outcome === "delivered")).toHaveLength(12);
    // A late tick finds nothing left of them.
    const late = await deliverWebhooks(DB, new Date(now.getTime() + 10 * MIN));
    expect(late.filter((r) => r.user === s.id)).toEqual([]);
    expect(await s.box.received()).toHaveLength(12);
  });

  it("a delivery claimed by a tick that died is taken again only after its lease", async () => {
    const s = await subscriber();
    await notify(await runtime(), note(s.id, "orphan"));
    const now = Date.now() + MIN;
    // A tick claims it and dies before sending: the lease keeps others off it.
    await DB.prepare("UPDATE sg_webhook_deliveries SET claim = 'dead', attempts = 1, run_at = ?2 WHERE user_id = ?1")
      .bind(s.id, new Date(now + 5 * MIN).toISOString())
      .run();
    const early = await deliverWebhooks(DB, new Date(now + MIN));
    expect(early.filter((r) => r.user === s.id)).toEqual([]);
    const later = await deliverWebhooks(DB, new Date(now + 5 * MIN));
    expect(later.filter((r) => r.user === s.id)).toEqual([
      expect.objectContaining({ attempt: 2, outcome: "delivered" }),
    ]);
    expect(await s.box.received()).toHaveLength(1);
  });
});

describe("what a delivery may show", () => {
  it("sends a notification about a record the user may no longer read withheld, exactly as the bell lists it", async () => {
    const s = await subscriber([], ["sales_rep"]);
    const secret = uniq("Acme secret");
    const c = (await admin.post("/tables/customers/records", { fields: { name: secret, owner: s.id } })).body.record;
    const rt = await runtime();
    await notify(
      rt,
      note(s.id, `Call ${secret}`, {
        body: { en: secret, "zh-CN": secret },
        record: { table: rt.table("customers"), id: c.id },
      }),
    );
    const moved = await admin.patch(`/tables/customers/records/${c.id}`, {
      version: c.version,
      fields: { owner: adminId },
    });
    expect(moved.status, moved.text).toBe(200);
    await deliverWebhooks(DB, new Date(Date.now() + MIN));

    const got = await s.box.received();
    expect(got).toHaveLength(1);
    expect(got[0]!.signatureValid).toBe(true);
    expect(got[0]!.body).not.toContain("Acme secret");
    expect(JSON.parse(got[0]!.body).notification).toMatchObject({
      title: null,
      body: null,
      record: null,
      url: null,
      withheld: true,
    });
    expect((await s.client.get("/notifications")).body.notifications[0]).toMatchObject({ withheld: true, title: null });
  });

  it("sends nothing once the webhook is turned off or removed, and queues nothing while it is off", async () => {
    const s = await subscriber();
    const gone = await subscriber();
    await notify(await runtime(), [note(s.id, "queued before off"), note(gone.id, "queued before delete")]);
    const off = await s.client.request("PUT", "/notifications/webhook", { url: s.box.url, enabled: false });
    expect(off.status, off.text).toBe(200);
    expect((await gone.client.delete("/notifications/webhook")).status).toBe(204);
    await notify(await runtime(), note(s.id, "while off"));
    await deliverWebhooks(DB, new Date(Date.now() + MIN));
    expect(await s.box.received()).toEqual([]);
    expect(await gone.box.received()).toEqual([]);
    expect((await deliveryOf(s.id)).map((d) => d.state)).toEqual(["cancelled"]);
    expect(await deliveryOf(gone.id)).toEqual([]);
  });

  it("signs with the rotated secret from the moment it is rotated", async () => {
    const s = await subscriber();
    const rotated = await s.client.post("/notifications/webhook/rotate");
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).not.toBe(s.secret);
    await notify(await runtime(), note(s.id, "after rotation"));
    await deliverWebhooks(DB, new Date(Date.now() + MIN));
    // The receiver still holds the old secret: the signature no longer matches it...
    expect((await s.box.received())[0]!.signatureValid).toBe(false);
    // ...and matches the new one.
    await s.box.set({ secret: rotated.body.secret });
    const ping = await s.client.post("/notifications/webhook/test");
    expect(ping.body).toMatchObject({ outcome: "delivered", status: 200 });
    const got = await s.box.received();
    expect(got[1]!.signatureValid).toBe(true);
    expect(JSON.parse(got[1]!.body)).toMatchObject({ type: "ping", deliveryId: ping.body.deliveryId });
  });
});
