/**
 * Embed tokens: minted, listed and revoked by admins; accepted only by /api/embed (and refused by
 * every other route); one view's fields and rows, narrowed by the token's filter and by whatever the
 * creator may do right now; read-only or editable; forged, expired, re-signed and revoked tokens fail.
 * Storage is shared between tests in this file: every table and view name is unique, and tests that
 * change a creator use a creator of their own.
 */
import { base64url, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { embedKey } from "../../worker/auth/embed";
import worker from "../../main";
import { api, testEnv, userWithToken } from "./helpers";

const DB = testEnv.DB;
type Api = ReturnType<typeof api>;

let admin: Api & { userId: string };
let rep: Api;
let table: { id: string; name: string; fields: { id: string; name: string }[] };
let viewId: string;
const ids: Record<string, number> = {};
const fieldId = (name: string) => table.fields.find((f) => f.name === name)!.id;
const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

function expectProblem(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  field?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  if (field !== undefined)
    expect(
      res.body.errors.map((e: { field: string }) => e.field),
      res.text,
    ).toContain(field);
}

/** An admin who is also a sales rep, so that dropping `admin` leaves the rep's narrower grants. */
async function creator() {
  const u = await userWithToken(["admin", "sales_rep"]);
  return Object.assign(api(u.token), { userId: u.user.id });
}

async function mint(as: Api, body: Record<string, unknown>) {
  const res = await as.post("/admin/embed-tokens", { view: viewId, mode: "read", expiresInDays: 30, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as { token: string; embed: { id: string; [k: string]: unknown } };
}

const titles = (res: { body: any }) =>
  (res.body.records as { fields: { title: string } }[]).map((r) => r.fields.title).sort();

async function versionOf(id: number): Promise<number> {
  const r = await admin.get(`/tables/${table.name}/records/${id}`);
  return r.body.record.version;
}

/** A JWT with arbitrary header, claims and key, for the attacks. */
async function sign(
  claims: Record<string, unknown>,
  key: Uint8Array,
  header: Record<string, unknown> = { alg: "HS256", typ: "sg-embed+jwt" },
) {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1]!)));
}

beforeAll(async () => {
  const a = await userWithToken(["admin"]);
  admin = Object.assign(api(a.token), { userId: a.user.id });
  rep = api((await userWithToken(["sales_rep"])).token);
  const res = await admin.post("/meta/tables", {
    name: uniq("deals"),
    fields: [
      { name: "title", type: "text" },
      {
        name: "stage",
        type: "single_select",
        options: { choices: [{ name: "open" }, { name: "won" }, { name: "lost" }] },
      },
      { name: "amount", type: "number" },
      { name: "region", type: "text" },
      { name: "secret", type: "text" },
      { name: "notes", type: "text" },
      { name: "code", type: "text" },
    ],
  });
  expect(res.status, res.text).toBe(201);
  table = res.body.table;
  // Reps read and update every row, but `secret` is hidden from them and `notes` read-only.
  await DB.batch([
    DB.prepare(
      "INSERT INTO sg_grants (role, table_id, ops, fields, default_field, updated_at) VALUES ('sales_rep', ?1, ?2, ?3, 'write', ?4)",
    ).bind(
      table.id,
      JSON.stringify({ read: "all", create: "all", update: "all", delete: "all" }),
      JSON.stringify({ [fieldId("secret")]: "hidden", [fieldId("notes")]: "read" }),
      new Date().toISOString(),
    ),
    DB.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'"),
  ]);
  const rows = [
    {
      title: "Alpha",
      stage: "open",
      amount: 100,
      region: "north",
      secret: "s-alpha",
      notes: "n-alpha",
      code: "needle",
    },
    { title: "Beta", stage: "won", amount: 300, region: "south", secret: "s-beta", notes: "n-beta", code: "c2" },
    { title: "Gamma", stage: "open", amount: 200, region: "north", secret: "needle", notes: "n-gamma", code: "needle" },
    {
      title: "Delta needle",
      stage: "lost",
      amount: 50,
      region: "north",
      secret: "s-delta",
      notes: "n-delta",
      code: "c4",
    },
    {
      title: "Epsilon needle",
      stage: "open",
      amount: 400,
      region: "south",
      secret: "s-eps",
      notes: "n-eps",
      code: "c5",
    },
    { title: "Zeta", stage: "won", amount: 250, region: "north", secret: "s-zeta", notes: "n-zeta", code: "c6" },
  ];
  const created = await admin.post(`/tables/${table.name}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  for (const r of created.body.records) ids[r.fields.title] = r.id;
  // The view: lost deals left out, region and code not shown, secret and notes shown to whom may see them.
  const view = await admin.post("/meta/views", {
    name: uniq("pipeline"),
    table: table.name,
    type: "grid",
    roles: ["sales_rep"],
    filter: { field: "stage", op: "neq", value: "lost" },
    sort: [{ field: "amount", direction: "desc" }],
    fields: ["title", "stage", "amount", "secret", "notes"],
  });
  expect(view.status, view.text).toBe(201);
  viewId = view.body.view.id;
});

describe("minting, listing and revoking (admin API)", () => {
  it("mints a token shown once, lists it without the token, revokes it, and audits both in their own batches", async () => {
    const label = uniq("intranet");
    const before = Date.now();
    const { token, embed } = await mint(admin, {
      mode: "edit",
      label,
      filter: { field: "region", op: "eq", value: "north" },
      expiresInDays: 7,
    });
    expect(token.split(".")).toHaveLength(3);
    expect(embed).toMatchObject({
      view: viewId,
      mode: "edit",
      label,
      createdBy: admin.userId,
      revokedAt: null,
      filter: { field: "region", op: "eq", value: "north" },
    });
    expect(embed.id).toMatch(/^emb_[a-z0-9]{16}$/);
    const days = (Date.parse(embed.expiresAt as string) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    // Stored by field id, shown by name; the token names its row, creator and view.
    const row = await DB.prepare("SELECT filter, created_by FROM sg_embed_tokens WHERE id = ?1")
      .bind(embed.id)
      .first<{ filter: string; created_by: string }>();
    expect(JSON.parse(row!.filter)).toEqual({ field: fieldId("region"), op: "eq", value: "north" });
    expect(claimsOf(token)).toMatchObject({ jti: embed.id, sub: admin.userId, view: viewId, aud: "salesgrid-embed" });

    const list = await admin.get(`/admin/embed-tokens?view=${viewId}`);
    expect(list.status).toBe(200);
    const listed = list.body.embeds.find((e: { id: string }) => e.id === embed.id);
    expect(listed).toMatchObject({ label, mode: "edit", filter: { field: "region" } });
    expect(list.text).not.toContain(token);
    expect(list.body.embeds.every((e: { view: string }) => e.view === viewId)).toBe(true);

    expect((await api(token).get("/embed/view")).status).toBe(200);
    const revoked = await admin.delete(`/admin/embed-tokens/${embed.id}`);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.embed.revokedAt).not.toBeNull();
    expectProblem(await api(token).get("/embed/view"), 401);
    // Revoking again is harmless and writes no second audit row.
    expect((await admin.delete(`/admin/embed-tokens/${embed.id}`)).status).toBe(200);
    const audit = await DB.prepare(
      "SELECT action, user_id, table_id FROM sg_audit WHERE json_extract(changes, '$.target') = ?1 ORDER BY id",
    )
      .bind(embed.id)
      .all<{ action: string; user_id: string; table_id: string }>();
    expect(audit.results).toEqual([
      { action: "embed.create", user_id: admin.userId, table_id: table.id },
      { action: "embed.revoke", user_id: admin.userId, table_id: table.id },
    ]);
  });

  it("refuses non-admins with 403 naming the action, and embed tokens with 401", async () => {
    const res = await rep.post("/admin/embed-tokens", { view: viewId, mode: "read", expiresInDays: 1 });
    expectProblem(res, 403, "mint embed tokens");
    expectProblem(await rep.get("/admin/embed-tokens"), 403, "list embed tokens");
    const { token, embed } = await mint(admin, {});
    expectProblem(await rep.delete(`/admin/embed-tokens/${embed.id}`), 403, "revoke embed tokens");
    expectProblem(await api(token).post("/admin/embed-tokens", { view: viewId, mode: "edit", expiresInDays: 1 }), 401);
    expect(
      (await DB.prepare("SELECT revoked_at FROM sg_embed_tokens WHERE id = ?1")
        .bind(embed.id)
        .first<{ revoked_at: null }>())!.revoked_at,
    ).toBeNull();
  });

  it("validates the body strictly: unknown keys, wrong types, expiry missing, past, too far or doubled", async () => {
    const post = (body: unknown) => admin.post("/admin/embed-tokens", body);
    expectProblem(await post({ view: viewId, mode: "read", expiresInDays: 1, admin: true }), 422, "admin");
    expectProblem(await post({ view: viewId, mode: "write", expiresInDays: 1 }), 422, "mode");
    expectProblem(await post({ view: 42, mode: "read", expiresInDays: 1 }), 422, "view");
    expectProblem(await post({ view: viewId, mode: "read", expiresInDays: "30" }), 422, "expiresInDays");
    expectProblem(await post({ view: viewId, mode: "read", expiresInDays: 366 }), 422, "expiresInDays");
    expectProblem(await post({ view: viewId, mode: "read", expiresInDays: 1.5 }), 422, "expiresInDays");
    expectProblem(await post({ view: viewId, mode: "read", label: ["x"], expiresInDays: 1 }), 422, "label");
    expectProblem(await post({ view: viewId, mode: "read" }), 422, "expiresAt");
    expectProblem(await post({ view: viewId, mode: "read", expiresAt: "2020-01-01T00:00:00Z" }), 422, "expiresAt");
    expectProblem(
      await post({ view: viewId, mode: "read", expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }),
      422,
      "expiresAt",
    );
    expectProblem(await post({ view: viewId, mode: "read", expiresAt: "tomorrow" }), 422, "expiresAt");
    expectProblem(
      await post({
        view: viewId,
        mode: "read",
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        expiresInDays: 1,
      }),
      422,
      "expiresAt",
    );
    expectProblem(await post([{ view: viewId }]), 422);
    expectProblem(await post("{not json"), 400);
    expectProblem(await post({ view: "no_such_view", mode: "read", expiresInDays: 1 }), 404, "view");
    expectProblem(await post({ view: "x' OR 1=1 --", mode: "read", expiresInDays: 1 }), 404, "view");
  });

  it("parses the filter against the view's table: unknown fields, bad operators and injection-shaped names are refused", async () => {
    const post = (filter: unknown) =>
      admin.post("/admin/embed-tokens", { view: viewId, mode: "read", expiresInDays: 1, filter });
    expectProblem(await post({ field: "nope", op: "eq", value: 1 }), 400, "filter/field");
    expectProblem(await post({ field: "title); DROP TABLE sg_users; --", op: "eq", value: 1 }), 400, "filter/field");
    expectProblem(await post({ field: "amount", op: "contains", value: "x" }), 400, "filter/op");
    expectProblem(await post({ field: "amount", op: "eq", value: "a lot" }), 422, "filter/value");
    expectProblem(await post({ field: "title", op: "eq", value: "x", extra: 1 }), 422);
    expectProblem(await post("stage = 'open'"), 422, "filter");
    const deep = [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce<unknown>((f) => ({ and: [f] }), {
      field: "title",
      op: "eq",
      value: "x",
    });
    expectProblem(await post(deep), 400);
    // An injection-shaped value is only a value: the token works and matches nothing.
    const { token } = await mint(admin, { filter: { field: "title", op: "eq", value: "x' OR '1'='1" } });
    const res = await api(token).get("/embed/records?count=true");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ records: [], total: 0 });
    expect((await DB.prepare("SELECT COUNT(*) AS n FROM sg_users").first<{ n: number }>())!.n).toBeGreaterThan(0);
  });

  it("refuses bodies over the admin limit with 413", async () => {
    const res = await admin.post("/admin/embed-tokens", {
      view: viewId,
      mode: "read",
      expiresInDays: 1,
      label: "x".repeat(300 * 1024),
    });
    expectProblem(res, 413);
  });
});

describe("where an embed token is accepted", () => {
  it("is refused with 401 by every other API route, reads and writes alike", async () => {
    const { token } = await mint(admin, { mode: "edit" });
    const other = api(token);
    for (const res of [
      await other.get(`/tables/${table.name}/records`),
      await other.get(`/tables/${table.name}/records/${ids.Alpha}`),
      await other.patch(`/tables/${table.name}/records/${ids.Alpha}`, { version: 1, fields: { title: "pwned" } }),
      await other.get("/meta/tables"),
      await other.get(`/meta/tables/${table.name}`),
      await other.get(`/meta/views/${viewId}`),
      await other.get(`/meta/views/${viewId}/records`),
      await other.get("/auth/me"),
      await other.get("/admin/users"),
    ]) {
      expectProblem(res, 401);
      expect(res.body.detail).toMatch(/embed token is accepted only by \/api\/embed/);
    }
  });

  it("the embed API refuses sign-in tokens, no token, and tokens of another kind", async () => {
    const signIn = await userWithToken(["admin"]);
    const res = await api(signIn.token).get("/embed/view");
    expectProblem(res, 401);
    expect(res.body.detail).toMatch(/sign-in token is not accepted/);
    expectProblem(await api().get("/embed/records"), 401);
    expectProblem(await api().get("/embed/view", { authorization: "Basic YWRtaW46YWRtaW4=" }), 401);
    expectProblem(await api("not.a.jwt").get("/embed/view"), 401);
    expectProblem(await api().get("/embed/nothing-here", {}), 404);
  });
});

describe("forged, expired and revoked tokens", () => {
  let good: { token: string; embed: { id: string } };
  let claims: Record<string, unknown>;
  let key: Uint8Array;

  beforeAll(async () => {
    good = await mint(admin, {});
    claims = claimsOf(good.token);
    key = await embedKey(testEnv);
  });

  const refused = async (token: string, detail?: RegExp) => {
    for (const path of ["/embed/view", "/embed/records"]) {
      const res = await api(token).get(path);
      expectProblem(res, 401);
      if (detail) expect(res.body.detail).toMatch(detail);
    }
  };

  it("accepts the genuine token, and the same claims signed again with the embed key (the test's control)", async () => {
    expect((await api(good.token).get("/embed/view")).status).toBe(200);
    expect((await api(await sign(claims, key)).get("/embed/view")).status).toBe(200);
  });

  it("refuses a changed payload under the old signature, and a bad signature", async () => {
    const [h, , s] = good.token.split(".");
    const payload = base64url.encode(JSON.stringify({ ...claims, view: "viw_other000000" }));
    await refused(`${h}.${payload}.${s}`, /signature/);
    await refused(`${h}.${good.token.split(".")[1]}.${s!.slice(0, -4)}AAAA`, /signature/);
  });

  it("refuses tokens re-signed with another key, or with the sign-in key", async () => {
    await refused(
      await sign(claims, new TextEncoder().encode("another-secret-of-at-least-thirty-two-bytes!!")),
      /signature/,
    );
    await refused(await sign(claims, new TextEncoder().encode(testEnv.TOKEN_SECRET)), /signature/);
  });

  it("refuses alg none and other algorithms", async () => {
    const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
    await refused(`${enc({ alg: "none", typ: "sg-embed+jwt" })}.${enc(claims)}.`);
    await refused(await sign(claims, key, { alg: "HS512", typ: "sg-embed+jwt" }), /algorithm/);
  });

  it("refuses the wrong audience, issuer or typ even when signed with the embed key", async () => {
    await refused(await sign({ ...claims, aud: "salesgrid-api" }, key), /sign-in token|aud/);
    await refused(await sign({ ...claims, iss: "someone-else" }, key), /iss/);
    await refused(await sign(claims, key, { alg: "HS256", typ: "JWT" }), /typ/);
    const { view: _v, ...noView } = claims;
    await refused(await sign(noView, key), /view/);
  });

  it("refuses an expired token, by its exp and by its row", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refused(await sign({ ...claims, iat: past - 60, exp: past }, key), /expired/);
    // A row whose expiry has passed (the token's own exp still ahead) answers 401 too.
    const { token, embed } = await mint(admin, {});
    await DB.prepare("UPDATE sg_embed_tokens SET expires_at = ?2 WHERE id = ?1")
      .bind(embed.id, new Date(Date.now() - 1000).toISOString())
      .run();
    await refused(token, /expired/);
  });

  it("refuses a token whose row is unknown, names another view, or another creator", async () => {
    await refused(await sign({ ...claims, jti: "emb_doesnotexist0000" }, key), /not recognised/);
    await refused(await sign({ ...claims, view: "viw_another0000" }, key), /not recognised/);
    await refused(await sign({ ...claims, sub: "usr_someoneelse0" }, key), /not recognised/);
  });

  it("refuses a token after revocation, and once its view is deleted", async () => {
    const view = await admin.post("/meta/views", { name: uniq("doomed"), table: table.name, type: "grid" });
    const { token, embed } = await mint(admin, { view: view.body.view.id });
    expect((await api(token).get("/embed/records")).status).toBe(200);
    expect((await admin.delete(`/meta/views/${view.body.view.id}`)).status).toBe(200);
    await refused(token, /revoked/);
    expect(
      (await DB.prepare("SELECT revoked_at FROM sg_embed_tokens WHERE id = ?1")
        .bind(embed.id)
        .first<{ revoked_at: string | null }>())!.revoked_at,
    ).not.toBeNull();
    // Even if the row had escaped revocation, a token for a view that is gone grants nothing.
    await DB.prepare("UPDATE sg_embed_tokens SET revoked_at = NULL WHERE id = ?1").bind(embed.id).run();
    await refused(token, /view no longer exists/);
  });
});

describe("reading through an embed", () => {
  it("shows the view's fields with their access, its mode, and not its filter or roles", async () => {
    const { token } = await mint(admin, { mode: "edit" });
    const res = await api(token).get("/embed/view");
    expect(res.status, res.text).toBe(200);
    expect(res.body.mode).toBe("edit");
    expect(res.body.view).toMatchObject({
      id: viewId,
      fields: ["title", "stage", "amount", "secret", "notes"],
      sort: [{ field: "amount", direction: "desc" }],
    });
    expect(res.body.view.filter).toBeUndefined();
    expect(res.body.view.roles).toBeUndefined();
    expect(res.body.table.fields.map((f: { name: string; access: string }) => [f.name, f.access])).toEqual([
      ["title", "write"],
      ["stage", "write"],
      ["amount", "write"],
      ["secret", "write"],
      ["notes", "write"],
    ]);
    expect(res.body.table.access).toEqual({ read: true, create: false, update: true, delete: false });
    const read = await api((await mint(admin, { mode: "read" })).token).get("/embed/view");
    expect(read.body.table.fields.every((f: { access: string }) => f.access === "read")).toBe(true);
    expect(read.body.table.access.update).toBe(false);
  });

  it("returns only the view's rows and fields, in the view's order", async () => {
    const { token } = await mint(admin, {});
    const res = await api(token).get("/embed/records?count=true");
    expect(res.status, res.text).toBe(200);
    expect(res.body.records.map((r: { fields: { title: string } }) => r.fields.title)).toEqual([
      "Epsilon needle",
      "Beta",
      "Zeta",
      "Gamma",
      "Alpha",
    ]);
    expect(res.body.total).toBe(5);
    expect(Object.keys(res.body.records[0].fields).sort()).toEqual(["amount", "notes", "secret", "stage", "title"]);
    expect(res.text).not.toContain("north");
    expect(res.text).not.toContain("Delta");
  });

  it("narrows rows by the token's filter, and count and q leak nothing outside it", async () => {
    const { token } = await mint(admin, { filter: { field: "region", op: "eq", value: "north" } });
    const e = api(token);
    const all = await e.get("/embed/records?count=true");
    expect(titles(all)).toEqual(["Alpha", "Gamma", "Zeta"]);
    expect(all.body.total).toBe(3);
    // "needle" is in titles outside the filter (Delta: lost; Epsilon: south), in Alpha's code, which the
    // view does not show, and in Gamma's secret, which it shows (the creator is an admin): only Gamma.
    const search = await e.get("/embed/records?q=needle&count=true");
    expect(search.status, search.text).toBe(200);
    expect(titles(search)).toEqual(["Gamma"]);
    expect(search.body.total).toBe(1);
    // The caller's filter narrows further and cannot widen: an OR with the excluded rows finds nothing more.
    const widen = await e.get(
      `/embed/records?count=true&filter=${encodeURIComponent(
        JSON.stringify({
          or: [
            { field: "stage", op: "eq", value: "lost" },
            { field: "amount", op: "gte", value: 0 },
          ],
        }),
      )}`,
    );
    expect(titles(widen)).toEqual(["Alpha", "Gamma", "Zeta"]);
    const lost = await e.get(
      `/embed/records?count=true&filter=${encodeURIComponent(JSON.stringify({ field: "stage", op: "eq", value: "lost" }))}`,
    );
    expect(lost.body).toMatchObject({ records: [], total: 0 });
  });

  it("cannot filter, sort, search, select or expand on fields outside the view", async () => {
    const e = api((await mint(admin, {})).token);
    expectProblem(
      await e.get(
        `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "region", op: "eq", value: "south" }))}`,
      ),
      400,
      "filter/field",
    );
    expectProblem(
      await e.get(
        `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "code", op: "eq", value: "needle" }))}`,
      ),
      400,
      "filter/field",
    );
    expectProblem(await e.get("/embed/records?sort=region"), 400);
    expectProblem(await e.get("/embed/records?fields=title,code"), 400, "fields");
    expectProblem(await e.get("/embed/records?expand=title"), 400, "expand");
    expectProblem(await e.get("/embed/records?limit=abc"), 400, "limit");
    expectProblem(await e.get("/embed/records?filter=%7Bnot-json"), 400, "filter");
    expectProblem(
      await e.get(
        `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "title) OR 1=1 --", op: "eq", value: "x" }))}`,
      ),
      400,
      "filter/field",
    );
    const injected = await e.get(
      `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "title", op: "eq", value: "' OR 1=1 --" }))}&count=true`,
    );
    expect(injected.body).toMatchObject({ records: [], total: 0 });
    const narrowed = await e.get("/embed/records?fields=title&sort=title");
    expect(narrowed.body.records.map((r: { fields: object }) => Object.keys(r.fields))).toEqual(
      Array(5).fill(["title"]),
    );
  });

  it("never shows fields hidden from the creator's roles, even when the view lists them", async () => {
    const c = await creator();
    const { token } = await mint(c, { mode: "edit" });
    const e = api(token);
    expect((await e.get("/embed/records")).text).toContain("s-alpha");
    // The creator stops being an admin: as a rep, `secret` is hidden and `notes` read-only.
    expect((await admin.patch(`/admin/users/${c.userId}`, { roles: ["sales_rep"] })).status).toBe(200);
    const view = await e.get("/embed/view");
    expect(view.body.table.fields.map((f: { name: string; access: string }) => [f.name, f.access])).toEqual([
      ["title", "write"],
      ["stage", "write"],
      ["amount", "write"],
      ["notes", "read"],
    ]);
    expect(view.body.view.fields).not.toContain("secret");
    const res = await e.get("/embed/records?q=needle&count=true");
    expect(res.status, res.text).toBe(200);
    // Gamma's secret is "needle": a search must not find it through a hidden field.
    expect(titles(res)).toEqual(["Epsilon needle"]);
    expect((await e.get("/embed/records")).text).not.toContain("s-alpha");
    expectProblem(
      await e.get(
        `/embed/records?filter=${encodeURIComponent(JSON.stringify({ field: "secret", op: "eq", value: "needle" }))}`,
      ),
      400,
      "filter/field",
    );
  });

  it("ends when the creator is disabled, and refuses when the creator may no longer open the view", async () => {
    const gone = await creator();
    const t1 = (await mint(gone, {})).token;
    expect((await api(t1).get("/embed/records")).status).toBe(200);
    expect((await admin.patch(`/admin/users/${gone.userId}`, { disabled: true })).status).toBe(200);
    expectProblem(await api(t1).get("/embed/records"), 401);

    const demoted = await creator();
    const t2 = (await mint(demoted, {})).token;
    expect((await admin.patch(`/admin/users/${demoted.userId}`, { roles: ["warehouse"] })).status).toBe(200);
    expectProblem(await api(t2).get("/embed/records"), 403);
    expectProblem(await api(t2).get("/embed/view"), 403);
  });

  it("refuses a token whose filter names a field the creator can no longer read", async () => {
    const c = await creator();
    const { token } = await mint(c, { filter: { field: "secret", op: "neq", value: "x" } });
    expect((await api(token).get("/embed/records")).status).toBe(200);
    expect((await admin.patch(`/admin/users/${c.userId}`, { roles: ["sales_rep"] })).status).toBe(200);
    const res = await api(token).get("/embed/records");
    expectProblem(res, 403);
    expect(res.text).not.toContain("s-alpha");
  });

  it("refuses unknown query parameters", async () => {
    const e = api((await mint(admin, {})).token);
    expectProblem(await e.get("/embed/records?table=users"), 400, "table");
    expectProblem(await e.get("/embed/view?x=1"), 400, "x");
  });
});

describe("editing through an embed", () => {
  it("refuses PATCH with 403 in read mode, writing nothing", async () => {
    const { token } = await mint(admin, { mode: "read" });
    const v = await versionOf(ids.Alpha!);
    const res = await api(token).patch("/embed/records", {
      records: [{ id: ids.Alpha, version: v, fields: { title: "Changed" } }],
    });
    expectProblem(res, 403);
    expect(await versionOf(ids.Alpha!)).toBe(v);
  });

  it("writes view fields the creator may write, audited as the creator through the token", async () => {
    const { token, embed } = await mint(admin, { mode: "edit", filter: { field: "region", op: "eq", value: "north" } });
    const v = await versionOf(ids.Zeta!);
    const res = await api(token).patch("/embed/records", {
      records: [{ id: ids.Zeta, version: v, fields: { amount: 260 } }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.records[0]).toMatchObject({ id: ids.Zeta, version: v + 1, fields: { amount: 260 } });
    expect(res.body.records[0].fields.region).toBeUndefined();
    const audit = await DB.prepare(
      "SELECT user_id, embed_id FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action = 'update' ORDER BY id DESC LIMIT 1",
    )
      .bind(table.id, ids.Zeta)
      .first();
    expect(audit).toEqual({ user_id: admin.userId, embed_id: embed.id });
  });

  it("refuses fields outside the view, read-only fields and stale versions, writing nothing", async () => {
    const c = await creator();
    const { token } = await mint(c, { mode: "edit" });
    expect((await admin.patch(`/admin/users/${c.userId}`, { roles: ["sales_rep"] })).status).toBe(200);
    const e = api(token);
    const v = await versionOf(ids.Alpha!);
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: ids.Alpha, version: v, fields: { region: "south" } }] }),
      422,
      "records/0/fields/region",
    );
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: ids.Alpha, version: v, fields: { secret: "x" } }] }),
      422,
      "records/0/fields/secret",
    );
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: ids.Alpha, version: v, fields: { notes: "x" } }] }),
      403,
      "records/0/fields/notes",
    );
    expectProblem(
      await e.patch("/embed/records", {
        records: [
          { id: ids.Alpha, version: v, fields: { title: "A2" } },
          { id: ids.Gamma, version: 99, fields: { title: "G2" } },
        ],
      }),
      409,
    );
    expect(await versionOf(ids.Alpha!)).toBe(v);
    const ok = await e.patch("/embed/records", {
      records: [{ id: ids.Alpha, version: v, fields: { title: "Alpha" } }],
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it("refuses an edit that would move a row out of the view or the token's filter, with nothing written", async () => {
    const { token } = await mint(admin, { mode: "edit", filter: { field: "region", op: "eq", value: "north" } });
    const e = api(token);
    const v = await versionOf(ids.Gamma!);
    const vz = await versionOf(ids.Zeta!);
    // stage "lost" leaves the view's filter; the Zeta change in the same request must not land either.
    const out = await e.patch("/embed/records", {
      records: [
        { id: ids.Zeta, version: vz, fields: { amount: 1 } },
        { id: ids.Gamma, version: v, fields: { stage: "lost" } },
      ],
    });
    expectProblem(out, 403);
    expect(await versionOf(ids.Gamma!)).toBe(v);
    expect(await versionOf(ids.Zeta!)).toBe(vz);
    const row = await admin.get(`/tables/${table.name}/records/${ids.Gamma}`);
    expect(row.body.record.fields.stage).toBe("open");
  });

  it("cannot touch rows outside its filter: they do not exist for it", async () => {
    const { token } = await mint(admin, { mode: "edit", filter: { field: "region", op: "eq", value: "north" } });
    const e = api(token);
    const vb = await versionOf(ids.Beta!);
    const vd = await versionOf(ids["Delta needle"]!);
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: ids.Beta, version: vb, fields: { title: "pwned" } }] }),
      404,
      "records/0/id",
    );
    expectProblem(
      await e.patch("/embed/records", {
        records: [{ id: ids["Delta needle"], version: vd, fields: { title: "pwned" } }],
      }),
      404,
      "records/0/id",
    );
    expect(await versionOf(ids.Beta!)).toBe(vb);
    expect(await versionOf(ids["Delta needle"]!)).toBe(vd);
  });

  it("refuses bad bodies: wrong types, unknown keys, oversize, and creates or deletes", async () => {
    const { token } = await mint(admin, { mode: "edit" });
    const e = api(token);
    const v = await versionOf(ids.Alpha!);
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: "1", version: v, fields: {} }] }),
      422,
      "records/0/id",
    );
    expectProblem(
      await e.patch("/embed/records", { records: [{ id: ids.Alpha, version: v, fields: { amount: "many" } }] }),
      422,
      "records/0/fields/amount",
    );
    expectProblem(
      await e.patch("/embed/records", {
        records: [{ id: ids.Alpha, version: v, fields: { title: "x" }, table: "sg_users" }],
      }),
      422,
      "records/0/table",
    );
    expectProblem(await e.patch("/embed/records", { records: "all" }), 422, "records");
    expectProblem(await e.patch("/embed/records", "{oops"), 400);
    expectProblem(
      await e.patch("/embed/records", {
        records: [{ id: ids.Alpha, version: v, fields: { title: "x".repeat(1100 * 1024) } }],
      }),
      413,
    );
    expectProblem(await e.post("/embed/records", { fields: { title: "new" } }), 404);
    expectProblem(await e.delete("/embed/records", { records: [{ id: ids.Alpha }] }), 404);
    expect(await versionOf(ids.Alpha!)).toBe(v);
  });
});

describe("CORS for embedding origins", () => {
  it("answers a preflight from an allowed origin (PUT and PATCH included) and ignores others", async () => {
    const call = async (origin: string) => {
      const req = new Request("http://x/api/embed/records", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "PATCH",
          "access-control-request-headers": "authorization,content-type",
        },
      });
      return worker.fetch(
        req,
        { ...testEnv, CORS_ORIGINS: "https://intranet.example, https://portal.example" } as never,
        { waitUntil() {}, passThroughOnException() {} } as never,
      );
    };
    const ok = await call("https://portal.example");
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://portal.example");
    expect(ok.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(ok.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const other = await call("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
