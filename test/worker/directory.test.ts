/**
 * The user directory (GET /api/users) for signed-in users: active users only, id, name and email
 * only, prefix search, keyset paging, names by id; bad input refused naming the parameter. Embeds get
 * no directory: GET /api/embed/users names only people a user field of the embed's rows holds. The
 * ApiClient's users() and userNames() run here against the real Worker.
 * Storage is shared between tests in this file: names carry a per-run tag.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { ApiClient } from "../../web-components/api/client";
import { Session } from "../../web-components/api/session";
import { api, createUser, login, testEnv, userWithToken } from "./helpers";

type Api = ReturnType<typeof api>;
const DB = testEnv.DB;
const tag = `Dq${crypto.randomUUID().replace(/-/g, "").slice(0, 6)}`;
const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

let admin: Api;
let rep: Api;
let repToken: string;
const people: Record<string, { id: string; name: string; email: string }> = {};

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

async function person(key: string, name: string) {
  const u = await createUser(["sales_rep"], { name, email: `${key}-${tag.toLowerCase()}@test.example` });
  people[key] = { id: u.user.id, name, email: u.email };
}

/** Every page of a search, following nextCursor. */
async function allPages(client: Api, query: string, limit: number) {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const r = await client.get(`/users?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.users.length).toBeLessThanOrEqual(limit);
    out.push(...r.body.users);
    cursor = r.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error("paging did not end");
}

/** An ApiClient talking to this Worker in this isolate, counting the requests it makes. */
function client(opts: { token?: string; embedToken?: string }) {
  const calls: string[] = [];
  const c = new ApiClient({
    baseUrl: "http://x",
    ...opts,
    session: new Session(`http://x/${crypto.randomUUID()}`),
    fetch: async (input, init) => {
      calls.push(String(input));
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(input, init), testEnv as never, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  });
  return { c, calls };
}

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  const r = await userWithToken(["sales_rep"]);
  repToken = r.token;
  rep = api(repToken);
  await person("alice", `${tag} Alice Wong`);
  await person("bob", `${tag} bob Li`);
  await person("carol", `${tag} Carol Chen`);
  await person("dan", `${tag} Dan Gone`);
  await person("pct", `${tag}50% Off`);
  await person("zh", `${tag} 王小明`);
  // Dan leaves the company.
  const off = await admin.patch(`/admin/users/${people.dan!.id}`, { disabled: true });
  expect(off.status, off.text).toBe(200);
});

describe("GET /api/users", () => {
  it("lists active users by name (case-insensitive) with id, name and email only", async () => {
    const r = await rep.get(`/users?q=${tag}`);
    expect(r.status, r.text).toBe(200);
    const names = r.body.users.map((u: any) => u.name);
    expect(names).toEqual([
      `${tag} Alice Wong`,
      `${tag} bob Li`,
      `${tag} Carol Chen`,
      `${tag} 王小明`,
      `${tag}50% Off`,
    ]);
    expect(names).not.toContain(`${tag} Dan Gone`);
    for (const u of r.body.users) expect(Object.keys(u).sort()).toEqual(["email", "id", "name"]);
    expect(r.body.users[0]).toEqual(people.alice);
    expect(r.text).not.toMatch(/password|hash|roles|disabled|sales_rep|pbkdf2/i);
    expect(r.body.nextCursor).toBeNull();
  });

  it("searches by name prefix, by a word of the name and by email prefix", async () => {
    const names = async (q: string) =>
      (await rep.get(`/users?q=${encodeURIComponent(q)}`)).body.users.map((u: any) => u.name);
    expect(await names(`${tag} car`)).toEqual([`${tag} Carol Chen`]);
    expect(await names("chen")).toContain(`${tag} Carol Chen`);
    expect(await names("王")).toEqual([`${tag} 王小明`]);
    expect(await names(`alice-${tag}`)).toEqual([`${tag} Alice Wong`]);
    // Not a substring search: the middle of a word matches nothing.
    expect(await names(`${tag.slice(2)}`)).toEqual([]);
    // A disabled user is not found by any of its names.
    expect(await names(`${tag} Dan`)).toEqual([]);
  });

  it("treats %, _ and quotes in q as text", async () => {
    const names = async (q: string) =>
      (await rep.get(`/users?q=${encodeURIComponent(q)}`)).body.users.map((u: any) => u.name);
    expect(await names(`${tag}50%`)).toEqual([`${tag}50% Off`]);
    expect(await names(`${tag}5_%`)).toEqual([]);
    expect(await names("%")).toEqual([]);
    expect(await names("_")).toEqual([]);
    for (const q of ["' OR 1=1 --", `${tag}' OR '1'='1`, "\\", 'x"); DROP TABLE sg_users; --']) {
      const r = await rep.get(`/users?q=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(200);
      expect(r.body.users, q).toEqual([]);
    }
    expect((await admin.get(`/admin/users/${people.alice!.id}`)).status).toBe(200);
  });

  it("pages by keyset: every active user once, in name order", async () => {
    const one = await allPages(rep, `q=${tag}`, 1);
    const two = await allPages(rep, `q=${tag}`, 2);
    expect(one.map((u) => u.id)).toEqual(two.map((u) => u.id));
    expect(one.map((u) => u.name)).toEqual([
      `${tag} Alice Wong`,
      `${tag} bob Li`,
      `${tag} Carol Chen`,
      `${tag} 王小明`,
      `${tag}50% Off`,
    ]);
    // Without q: everyone active, including the test's signed-in users, none twice.
    const everyone = await allPages(rep, "q=", 3);
    expect(new Set(everyone.map((u) => u.id)).size).toBe(everyone.length);
    expect(everyone.map((u) => u.id)).toContain(people.carol!.id);
    expect(everyone.map((u) => u.id)).not.toContain(people.dan!.id);
    const active = await DB.prepare("SELECT COUNT(*) AS n FROM sg_users WHERE disabled = 0").first<{ n: number }>();
    expect(everyone.length).toBe(active!.n);
  });

  it("names users by id: a disabled one by name only, unknown ids left out", async () => {
    const unknown = "usr_zzzzzzzzzzzz";
    const r = await rep.get(`/users?ids=${people.alice!.id},${people.dan!.id},${unknown},${people.alice!.id}`);
    expect(r.status, r.text).toBe(200);
    const byId = Object.fromEntries(r.body.users.map((u: any) => [u.id, u]));
    expect(Object.keys(byId).sort()).toEqual([people.alice!.id, people.dan!.id].sort());
    expect(byId[people.alice!.id]).toEqual({ ...people.alice, active: true });
    expect(byId[people.dan!.id]).toEqual({ id: people.dan!.id, name: people.dan!.name, active: false });
  });

  it("refuses bad input with a problem naming the parameter", async () => {
    const cases: [string, string][] = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=abc", "limit"],
      ["limit=1.5", "limit"],
      ["limit=-1", "limit"],
      ["cursor=%%%", "cursor"],
      ["cursor=bm90IGpzb24", "cursor"],
      [`cursor=${btoa(JSON.stringify(["x", "not-an-id"]))}`, "cursor"],
      [`cursor=${"a".repeat(2000)}`, "cursor"],
      ["role=admin", "role"],
      ["email=x", "email"],
      ["q=a&q=b", "q"],
      [`q=${"x".repeat(101)}`, "q"],
      ["ids=", "ids"],
      ["ids=alice", "ids"],
      ["ids=usr_ABC", "ids"],
      [`ids=${encodeURIComponent("usr_aaaaaaaaaaaa' OR 1=1 --")}`, "ids"],
      [`ids=${Array.from({ length: 101 }, (_, i) => `usr_${String(i).padStart(12, "0")}`).join(",")}`, "ids"],
      [`ids=${people.alice!.id}&q=x`, "q"],
      [`ids=${people.alice!.id}&cursor=abc`, "cursor"],
    ];
    for (const [query, field] of cases) expectProblem(await rep.get(`/users?${query}`), 400, field);
  });

  it("answers only signed-in users: no token, a bad token and an embed token get 401", async () => {
    expectProblem(await api().get("/users"), 401);
    expectProblem(await api("not.a.token").get("/users"), 401);
    const { token } = await embedSetup();
    expectProblem(await api(token).get(`/users?q=${tag}`), 401);
    expectProblem(await api(token).get(`/users?ids=${people.alice!.id}`), 401);
  });

  it("stops answering a user once they are disabled", async () => {
    const u = await createUser(["sales_rep"]);
    const token = await login(u.email, u.password);
    expect((await api(token).get("/users?limit=1")).status).toBe(200);
    expect((await admin.patch(`/admin/users/${u.user.id}`, { disabled: true })).status).toBe(200);
    expectProblem(await api(token).get("/users?limit=1"), 401);
  });
});

// ------------------------------------------------------------------------------ embeds

let embedCache: { token: string; table: string } | null = null;

/**
 * A deals-like table with two user fields: `owner` (in the view) and `reviewer` (not in it); the view
 * shows open deals only. Alice owns an open deal, Bob a lost one, Carol reviews the open one, Dan
 * (disabled since) owned an open one.
 */
async function embedSetup() {
  if (embedCache) return embedCache;
  const t = await admin.post("/meta/tables", {
    name: uniq("deals"),
    fields: [
      { name: "title", type: "text" },
      { name: "stage", type: "single_select", options: { choices: [{ name: "open" }, { name: "lost" }] } },
      { name: "owner", type: "user" },
      { name: "reviewer", type: "user" },
    ],
  });
  expect(t.status, t.text).toBe(201);
  const table = t.body.table.name as string;
  const rows = [
    { title: "A", stage: "open", owner: people.alice!.id, reviewer: people.carol!.id },
    { title: "B", stage: "lost", owner: people.bob!.id, reviewer: null },
  ];
  const created = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(created.status, created.text).toBe(201);
  // Dan's deal was written while he was still active: the row keeps his id.
  await DB.prepare("UPDATE sg_users SET disabled = 0 WHERE id = ?1").bind(people.dan!.id).run();
  const dans = await admin.post(`/tables/${table}/records`, {
    fields: { title: "D", stage: "open", owner: people.dan!.id },
  });
  await DB.prepare("UPDATE sg_users SET disabled = 1 WHERE id = ?1").bind(people.dan!.id).run();
  expect(dans.status, dans.text).toBe(201);
  const v = await admin.post("/meta/views", {
    name: uniq("board"),
    table,
    type: "kanban",
    groupBy: "stage",
    fields: ["title", "stage", "owner"],
    filter: { field: "stage", op: "eq", value: "open" },
  });
  expect(v.status, v.text).toBe(201);
  const m = await admin.post("/admin/embed-tokens", { view: v.body.view.id, mode: "read", expiresInDays: 30 });
  expect(m.status, m.text).toBe(201);
  embedCache = { token: m.body.token, table };
  return embedCache;
}

describe("GET /api/embed/users", () => {
  it("names only the people a user field of the embed's rows holds", async () => {
    const { token } = await embedSetup();
    const ids = [people.alice!.id, people.bob!.id, people.carol!.id, people.dan!.id, "usr_zzzzzzzzzzzz"];
    const r = await api(token).get(`/embed/users?ids=${ids.join(",")}`);
    expect(r.status, r.text).toBe(200);
    // Alice owns an open deal; Dan did (a name, nothing more). Bob's deal is outside the view's filter,
    // Carol is only in a field the view does not show.
    expect(r.body.users.sort((a: any, b: any) => a.name.localeCompare(b.name))).toEqual([
      { id: people.alice!.id, name: people.alice!.name },
      { id: people.dan!.id, name: people.dan!.name },
    ]);
    expect(r.text).not.toContain("@");
  });

  it("is no directory: no listing, no search, no paging", async () => {
    const { token } = await embedSetup();
    expectProblem(await api(token).get("/embed/users"), 400, "ids");
    expectProblem(await api(token).get(`/embed/users?q=${tag}`), 400, "q");
    expectProblem(await api(token).get(`/embed/users?ids=${people.alice!.id}&limit=10`), 400, "limit");
    expectProblem(await api(token).get("/embed/users?ids=usr_a%25"), 400, "ids");
    expectProblem(await api(token).get(`/embed/users?ids=${people.alice!.id}&ids=${people.bob!.id}`), 400, "ids");
  });

  it("takes embed tokens only", async () => {
    expectProblem(await api(repToken).get(`/embed/users?ids=${people.alice!.id}`), 401);
    expectProblem(await api().get(`/embed/users?ids=${people.alice!.id}`), 401);
  });
});

describe("ApiClient users() and userNames()", () => {
  it("lists the directory and caches names per client", async () => {
    const { c, calls } = client({ token: repToken });
    const page = await c.users({ q: tag, limit: 2 });
    expect(page.users.map((u) => u.name)).toEqual([`${tag} Alice Wong`, `${tag} bob Li`]);
    expect(page.nextCursor).toBeTruthy();
    const next = await c.users({ q: tag, limit: 2, cursor: page.nextCursor });
    expect(next.users.map((u) => u.name)).toEqual([`${tag} Carol Chen`, `${tag} 王小明`]);
    calls.length = 0;
    // Alice and Bob are known from the listing; Dan and an unknown id take one request.
    const names = await c.userNames([
      people.alice!.id,
      people.bob!.id,
      people.dan!.id,
      "usr_zzzzzzzzzzzz",
      "not-an-id",
    ]);
    expect(Object.fromEntries(names)).toEqual({
      [people.alice!.id]: people.alice!.name,
      [people.bob!.id]: people.bob!.name,
      [people.dan!.id]: people.dan!.name,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain("/api/users?ids=");
    // Asked again (the unknown id too): from the cache.
    await c.userNames([people.dan!.id, "usr_zzzzzzzzzzzz", people.carol!.id]);
    expect(calls).toHaveLength(1);
  });

  it("asks the embed API in an embed, which names only its own people", async () => {
    const { token } = await embedSetup();
    const { c, calls } = client({ embedToken: token });
    const names = await c.userNames([people.alice!.id, people.bob!.id, people.carol!.id]);
    expect(Object.fromEntries(names)).toEqual({ [people.alice!.id]: people.alice!.name });
    expect(calls.every((u) => u.includes("/api/embed/users?ids="))).toBe(true);
    await expect(c.users({ q: tag })).rejects.toMatchObject({ status: 401 });
  });
});
