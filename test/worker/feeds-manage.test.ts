/**
 * ICS feeds, managed and fetched through the Worker against a real D1: a personal feed turned on
 * (its URL in that reply only), replaced, revoked; a calendar view published by an admin; every token
 * that opens nothing (guessed, revoked, replaced, malformed, a disabled reader's) answers one and the
 * same 404; bad bodies and missing rights are refused naming the field.
 */
import { env } from "cloudflare:test";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import personalFeedSchema from "../../schemas/personal-feed.schema.json";
import { api, request, userWithToken } from "./helpers";
import { installSalesPlugins, signedIn, type Client } from "./plugins-fixture";
import { expectReplyShape } from "./reply-schema";

let admin: Client;
let adminId: string;

beforeAll(async () => {
  ({ admin, adminId } = await installSalesPlugins());
});

/** GET of a feed URL with no Authorization header at all, as a calendar app fetches it. */
const fetchFeed = (url: string) => request(undefined, "GET", new URL(url).pathname);

/** The problem body without `instance` (the request id, different on every request). */
function problemShape(text: string) {
  const body = JSON.parse(text);
  delete body.instance;
  return body;
}

function parse(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  return { comp, events: comp.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)) };
}

const DAY = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe("a personal feed", () => {
  it("is off until turned on; turning on answers its URL once, the status never shows it again", async () => {
    const me = await signedIn(["sales_rep"]);
    const before = await me.client.get("/feeds/personal");
    expect(before.status, before.text).toBe(200);
    expect(before.body.feed).toEqual({ active: false, createdAt: null });
    const on = await me.client.post("/feeds/personal");
    expect(on.status, on.text).toBe(201);
    expect(on.headers.get("cache-control")).toBe("no-store");
    expect(on.body.url).toMatch(/^http:\/\/x\/api\/feeds\/[a-z0-9]{43}\.ics$/);
    const token = on.body.url.match(/feeds\/([a-z0-9]+)\.ics/)[1];
    const after = await me.client.get("/feeds/personal");
    expect(after.body.feed.active).toBe(true);
    expect(after.text).not.toContain(token);
    // Only the token's hash is stored.
    const rows = await env.DB.prepare("SELECT token_hash FROM sg_feed_tokens WHERE user_id = ?1")
      .bind(me.id)
      .all<{ token_hash: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });

  it("answers its status in the shape of schemas/personal-feed.schema.json, off, on and revoked", async () => {
    const me = await signedIn(["sales_rep"]);
    const off = await me.client.get("/feeds/personal");
    const on = await me.client.post("/feeds/personal");
    const read = await me.client.get("/feeds/personal");
    const revoked = await me.client.delete("/feeds/personal");
    for (const [what, res] of Object.entries({ off, on, read, revoked })) {
      expect(res.status, res.text).toBeLessThan(300);
      expectReplyShape(personalFeedSchema, res.body.feed, what);
    }
    expect(read.body.feed.active).toBe(true);
  });

  it("is served as text/calendar to a request without any bearer token", async () => {
    const me = await signedIn(["sales_rep"]);
    const on = await me.client.post("/feeds/personal", {});
    const res = await fetchFeed(on.body.url);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const { comp } = parse(res.text);
    expect(comp.name).toBe("vcalendar");
    expect(comp.getFirstPropertyValue("version")).toBe("2.0");
  });

  it("turned on again replaces the old URL, which then answers 404", async () => {
    const me = await signedIn(["sales_rep"]);
    const first = await me.client.post("/feeds/personal");
    const second = await me.client.post("/feeds/personal");
    expect(second.status).toBe(201);
    expect(second.body.url).not.toBe(first.body.url);
    expect((await fetchFeed(first.body.url)).status).toBe(404);
    expect((await fetchFeed(second.body.url)).status).toBe(200);
  });

  it("revoked, answers 404 exactly like a guessed or a malformed token: same status, type and body", async () => {
    const me = await signedIn(["sales_rep"]);
    const on = await me.client.post("/feeds/personal");
    expect((await fetchFeed(on.body.url)).status).toBe(200);
    const off = await me.client.delete("/feeds/personal");
    expect(off.status, off.text).toBe(200);
    expect(off.body.feed.active).toBe(false);
    // Revoking again is not an error.
    expect((await me.client.delete("/feeds/personal")).status).toBe(200);
    const revoked = await fetchFeed(on.body.url);
    const guessed = await request(undefined, "GET", `/api/feeds/${"a".repeat(43)}.ics`);
    const malformed = await request(undefined, "GET", "/api/feeds/..%2F%27%20OR%201%3D1--.ics");
    const short = await request(undefined, "GET", "/api/feeds/x.ics");
    for (const r of [revoked, guessed, malformed, short]) {
      expect(r.status, r.text).toBe(404);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(problemShape(r.text)).toEqual(problemShape(revoked.text));
    }
    expect(revoked.text).not.toMatch(/revoked|disabled|expired|token/i);
  });

  it("of a user who was disabled answers the same 404; enabled again, it serves again", async () => {
    const me = await signedIn(["sales_rep"]);
    const on = await me.client.post("/feeds/personal");
    const guessed = await request(undefined, "GET", `/api/feeds/${"b".repeat(43)}.ics`);
    const off = await admin.patch(`/admin/users/${me.id}`, { disabled: true });
    expect(off.status, off.text).toBe(200);
    const res = await fetchFeed(on.body.url);
    expect(res.status).toBe(404);
    expect(problemShape(res.text)).toEqual(problemShape(guessed.text));
    expect((await admin.patch(`/admin/users/${me.id}`, { disabled: false })).status).toBe(200);
    expect((await fetchFeed(on.body.url)).status).toBe(200);
  });

  it("turned on by concurrent requests leaves exactly one active token, the others answer 404", async () => {
    const me = await signedIn(["sales_rep"]);
    const replies = await Promise.all(Array.from({ length: 6 }, () => me.client.post("/feeds/personal")));
    for (const r of replies) expect(r.status, r.text).toBe(201);
    const served = await Promise.all(replies.map((r) => fetchFeed(r.body.url)));
    expect(served.filter((r) => r.status === 200)).toHaveLength(1);
    expect(served.filter((r) => r.status === 404)).toHaveLength(5);
    const active = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM sg_feed_tokens WHERE user_id = ?1 AND kind = 'personal' AND revoked_at IS NULL",
    )
      .bind(me.id)
      .first<{ n: number }>();
    expect(active!.n).toBe(1);
  });

  it("is turned on by a POST without a body, with {} or with an empty JSON body, as the webhook's posts are", async () => {
    const me = await signedIn(["sales_rep"]);
    for (const [body, headers] of [
      [undefined, {}],
      [{}, {}],
      ["", { "content-type": "application/json" }],
    ] as const) {
      const on = await me.client.post("/feeds/personal", body, headers);
      expect(on.status, `${JSON.stringify(body)}: ${on.text}`).toBe(201);
    }
  });

  it("refuses bodies that are not an empty object, unknown query parameters and oversize bodies", async () => {
    const me = await signedIn(["sales_rep"]);
    const unknown = await me.client.post("/feeds/personal", { expiresInDays: 3 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe("expiresInDays");
    const wrongType = await me.client.post("/feeds/personal", [1, 2]);
    expect(wrongType.status).toBe(422);
    const notJson = await me.client.post("/feeds/personal", "token=1", { "content-type": "text/plain" });
    expect(notJson.status).toBe(415);
    const broken = await me.client.post("/feeds/personal", "{", { "content-type": "application/json" });
    expect(broken.status).toBe(400);
    const big = await me.client.post("/feeds/personal", { pad: "x".repeat(10_000) });
    expect(big.status).toBe(413);
    const query = await me.client.get("/feeds/personal?token=1");
    expect(query.status).toBe(400);
    expect(query.body.errors[0].field).toBe("token");
    // Nothing was turned on by any of them.
    expect((await me.client.get("/feeds/personal")).body.feed.active).toBe(false);
  });

  it("is managed only when signed in", async () => {
    expect((await api().post("/feeds/personal")).status).toBe(401);
    expect((await api().get("/feeds/personal")).status).toBe(401);
    expect((await api("not-a-token").delete("/feeds/personal")).status).toBe(401);
  });
});

describe("a published calendar view", () => {
  async function createDeal(client: Client, fields: Record<string, unknown>) {
    const r = await client.post("/tables/deals/records", { fields });
    expect(r.status, r.text).toBe(201);
    return r.body.record;
  }

  it("is published by admins only, naming the view; a non-calendar or unknown view is refused", async () => {
    const rep = await signedIn(["sales_rep"]);
    const denied = await rep.client.post("/feeds/views", { view: "close_calendar" });
    expect(denied.status).toBe(403);
    expect((await rep.client.get("/feeds/views")).status).toBe(403);
    expect((await rep.client.delete("/feeds/views/close_calendar")).status).toBe(403);
    const wrongType = await admin.post("/feeds/views", { view: 42 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors[0].field).toBe("view");
    const missing = await admin.post("/feeds/views", {});
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].field).toBe("view");
    const extra = await admin.post("/feeds/views", { view: "close_calendar", filter: {} });
    expect(extra.status).toBe(422);
    expect(extra.body.errors[0].field).toBe("filter");
    const unknown = await admin.post("/feeds/views", { view: "no_such_view" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].field).toBe("view");
    const grid = await admin.post("/feeds/views", { view: "open_deals" });
    expect(grid.status, grid.text).toBe(422);
    expect(grid.body.errors[0]).toMatchObject({ field: "view", code: "not_calendar" });
    const injected = await admin.post("/feeds/views", { view: "x' OR '1'='1" });
    expect(injected.status).toBe(404);
    const big = await admin.post("/feeds/views", { view: "close_calendar", pad: "x".repeat(10_000) });
    expect(big.status).toBe(413);
  });

  it("serves the view's deals by expected close as all-day events, with stable UIDs and the version as SEQUENCE", async () => {
    const deal = await createDeal(admin, { name: "Feed deal, Q3; big", expected_close: dateIn(10), owner: adminId });
    const far = await createDeal(admin, { name: "Far away deal", expected_close: dateIn(800), owner: adminId });
    const old = await createDeal(admin, { name: "Long ago deal", expected_close: dateIn(-200), owner: adminId });
    const pub = await admin.post("/feeds/views", { view: "close_calendar" });
    expect(pub.status, pub.text).toBe(201);
    const res = await fetchFeed(pub.body.url);
    expect(res.status, res.text).toBe(200);
    const { events, comp } = parse(res.text);
    expect(comp.getFirstPropertyValue("x-wr-calname")).toBe("Expected closes");
    const mine = events.find((e) => e.summary === "Feed deal, Q3; big");
    expect(mine, res.text).toBeDefined();
    expect(mine!.startDate.isDate).toBe(true);
    expect(mine!.startDate.toString()).toBe(dateIn(10));
    expect(mine!.component.getFirstPropertyValue("sequence")).toBe(deal.version);
    expect(events.some((e) => e.summary === far.fields.name)).toBe(false);
    expect(events.some((e) => e.summary === old.fields.name)).toBe(false);
    // The same record keeps its UID from one fetch to the next; a change bumps SEQUENCE.
    const moved = await admin.patch(`/tables/deals/records/${deal.id}`, {
      version: deal.version,
      fields: { expected_close: dateIn(12) },
    });
    expect(moved.status, moved.text).toBe(200);
    const again = parse((await fetchFeed(pub.body.url)).text).events.find((e) => e.summary === deal.fields.name)!;
    expect(again.uid).toBe(mine!.uid);
    expect(again.startDate.toString()).toBe(dateIn(12));
    expect(again.component.getFirstPropertyValue("sequence")).toBe(moved.body.record.version);
    const list = await admin.get("/feeds/views");
    expect(list.status, list.text).toBe(200);
    expect(list.body.feeds).toContainEqual(
      expect.objectContaining({
        view: expect.objectContaining({ name: "close_calendar", label: "Expected closes" }),
        publishedBy: expect.objectContaining({ id: adminId }),
      }),
    );
    const off = await admin.delete("/feeds/views/close_calendar");
    expect(off.status, off.text).toBe(200);
    expect((await fetchFeed(pub.body.url)).status).toBe(404);
  });

  it("reads as its publisher now: demoted to a rep, the feed shows only their own deals; disabled, 404", async () => {
    const pubAdmin = await userWithToken(["admin"]);
    const client = api(pubAdmin.token);
    const rep = await signedIn(["sales_rep"]);
    const theirs = await createDeal(rep.client, { name: "Rep's own deal", expected_close: dateIn(5) });
    const own = await createDeal(client, {
      name: "Publisher's deal",
      expected_close: dateIn(6),
      owner: pubAdmin.user.id,
    });
    const pub = await client.post("/feeds/views", { view: "close_calendar" });
    expect(pub.status, pub.text).toBe(201);
    const asAdmin = parse((await fetchFeed(pub.body.url)).text).events.map((e) => e.summary);
    expect(asAdmin).toEqual(expect.arrayContaining([theirs.fields.name, own.fields.name]));
    // The row rule that applies changes with the publisher's roles, at the next fetch.
    expect((await admin.patch(`/admin/users/${pubAdmin.user.id}`, { roles: ["sales_rep"] })).status).toBe(200);
    const asRep = parse((await fetchFeed(pub.body.url)).text).events.map((e) => e.summary);
    expect(asRep).toContain(own.fields.name);
    expect(asRep).not.toContain(theirs.fields.name);
    expect((await admin.patch(`/admin/users/${pubAdmin.user.id}`, { disabled: true })).status).toBe(200);
    expect((await fetchFeed(pub.body.url)).status).toBe(404);
  });

  it("resolves $user and $today in the view's filter as its publisher, at each fetch", async () => {
    const pubAdmin = await userWithToken(["admin"]);
    const client = api(pubAdmin.token);
    const view = await client.post("/meta/views", {
      name: "my_closes_from_today",
      table: "deals",
      type: "calendar",
      filter: {
        and: [
          { field: "owner", op: "eq", value: "$user" },
          { field: "expected_close", op: "gte", value: { $today: 0 } },
        ],
      },
      layout: { dateField: "expected_close" },
    });
    expect(view.status, view.text).toBe(201);
    const own = await createDeal(client, { name: "Mine ahead", expected_close: dateIn(3), owner: pubAdmin.user.id });
    const past = await createDeal(client, { name: "Mine past", expected_close: dateIn(-3), owner: pubAdmin.user.id });
    const other = await createDeal(admin, { name: "Someone else's", expected_close: dateIn(3), owner: adminId });
    const pub = await client.post("/feeds/views", { view: "my_closes_from_today" });
    expect(pub.status, pub.text).toBe(201);
    const shown = parse((await fetchFeed(pub.body.url)).text).events.map((e) => e.summary);
    expect(shown).toContain(own.fields.name);
    expect(shown).not.toContain(past.fields.name);
    expect(shown).not.toContain(other.fields.name);
  });

  it("published again replaces the view's earlier URL", async () => {
    const a = await admin.post("/feeds/views", { view: "close_calendar" });
    const b = await admin.post("/feeds/views", { view: "close_calendar" });
    expect(b.status).toBe(201);
    expect((await fetchFeed(a.body.url)).status).toBe(404);
    expect((await fetchFeed(b.body.url)).status).toBe(200);
  });
});
