/**
 * Row rules that follow a link (grant rules only): a path `customer.owner` tests a field of the linked
 * record, `{field: "customer", op: "readable"}` means "linked to a customer this user may read under
 * their own grants there". Each read path (list, count, search, aggregate, get, history, embeds and the
 * embed's user names) and each write path (update, delete, the guard on the new row) applies them, as
 * reps, as a manager through a team, over two hops, and afresh when the parent changes hands. Grants
 * with bad paths are refused naming the place, a chain of parents stops after two hops, and the demo
 * grants give reps the contacts, addresses and activities of their own customers.
 * Storage is shared within this file: every table and role name is unique.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { bundledPlugin } from "../../worker/plugins/catalog";
import { DEMO_USERS } from "../../worker/demo/users";
import { tableAccess } from "../../worker/access";
import { findTable, loadRegistry } from "../../worker/model/registry";
import { compileList } from "../../worker/query/select";
import type { Principal } from "../../worker/auth/principal";
import type { PluginManifest } from "../../schemas/types";
import { api, login, userWithToken, type ApiResponse } from "./helpers";

type Client = ReturnType<typeof api>;
const DB = (env as unknown as { DB: D1Database }).DB;
const sfx = crypto.randomUUID().replace(/-/g, "").slice(0, 8);
const NONE = { read: "none", create: "none", update: "none", delete: "none" };
const readable = (field: string) => ({ rule: { field, op: "readable" } });

let admin: Client;
const REP = `rep_${sfx}`;
const MGR = `mgr_${sfx}`;
const T = { cust: `cust_${sfx}`, cont: `cont_${sfx}`, act: `act_${sfx}`, deal: `deal_${sfx}` };
const people: Record<"repA" | "repB" | "mgr", { id: string; c: Client; principal: Principal }> = {} as never;
const ids: Record<string, number> = {};

function expectProblem(res: ApiResponse, status: number, field: string, code?: string) {
  expect(res.status, res.text.slice(0, 600)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const hit = res.body.errors.find((e: { field: string }) => e.field === field);
  expect(hit, res.text.slice(0, 600)).toBeDefined();
  if (code) expect(hit.code, res.text.slice(0, 600)).toBe(code);
}

const put = (path: string, body: unknown) => admin.request("PUT", path, body);
async function grant(role: string, table: string, body: Record<string, unknown>) {
  const r = await put(`/admin/roles/${role}/grants/${table}`, { ...NONE, defaultField: "write", ...body });
  expect(r.status, r.text).toBe(200);
  return r.body.grant;
}

async function create(table: string, rows: Record<string, unknown>[]): Promise<number[]> {
  const r = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(r.status, r.text).toBe(201);
  return r.body.records.map((x: { id: number }) => x.id);
}

const names = (res: ApiResponse) => {
  expect(res.status, res.text.slice(0, 600)).toBe(200);
  return (res.body.records as { fields: { name: string } }[]).map((r) => r.fields.name).sort();
};
const list = (c: Client, table: string, query = "") => c.get(`/tables/${table}/records?limit=1000${query}`);

async function setOwner(customer: string, owner: string | null) {
  const cur = (await admin.get(`/tables/${T.cust}/records/${ids[customer]}`)).body.record;
  const r = await admin.patch(`/tables/${T.cust}/records/${ids[customer]}`, {
    version: cur.version,
    fields: { owner },
  });
  expect(r.status, r.text).toBe(200);
}

beforeAll(async () => {
  const a = await userWithToken(["admin"]);
  admin = api(a.token);
  for (const role of [REP, MGR])
    expect((await admin.post("/admin/roles", { name: role, label: role })).status).toBe(201);
  for (const [key, role] of [
    ["repA", REP],
    ["repB", REP],
    ["mgr", MGR],
  ] as const) {
    const u = await userWithToken([role]);
    people[key] = { id: u.user.id, c: api(u.token), principal: null as never };
  }
  const team = await admin.post("/admin/teams", {
    name: `team_${sfx}`,
    members: [{ user: people.mgr.id, lead: true }, { user: people.repA.id }],
  });
  expect(team.status, team.text).toBe(201);

  const table = async (body: Record<string, unknown>) => {
    const r = await admin.post("/meta/tables", body);
    expect(r.status, r.text).toBe(201);
  };
  await table({
    name: T.cust,
    fields: [
      { name: "name", type: "text" },
      { name: "owner", type: "user" },
    ],
  });
  await table({
    name: T.cont,
    fields: [
      { name: "name", type: "text" },
      { name: "assistant", type: "user" },
      { name: "score", type: "number" },
      { name: "customer", type: "link", options: { table: T.cust, multiple: false, inverseName: "contacts" } },
    ],
  });
  await table({
    name: T.act,
    fields: [
      { name: "name", type: "text" },
      { name: "contact", type: "link", options: { table: T.cont, multiple: false, inverseName: "activities" } },
    ],
  });
  await table({
    name: T.deal,
    fields: [
      { name: "name", type: "text" },
      { name: "amount", type: "number" },
      { name: "customer", type: "link", options: { table: T.cust, multiple: false, inverseName: "deals" } },
    ],
  });

  const custNames = ["cA", "cB", "cM", "cN"];
  const custIds = await create(T.cust, [
    { name: "cA", owner: people.repA.id },
    { name: "cB", owner: people.repB.id },
    { name: "cM", owner: people.mgr.id },
    { name: "cN", owner: null },
  ]);
  custNames.forEach((n, i) => (ids[n] = custIds[i]!));
  const contNames = ["kA1", "kA2", "kB", "kM", "kN", "kX"];
  const contIds = await create(T.cont, [
    { name: "kA1", customer: [ids.cA], assistant: people.repA.id, score: 1 },
    { name: "kA2", customer: [ids.cA], score: 2 },
    { name: "kB", customer: [ids.cB], assistant: people.repB.id, score: 40 },
    { name: "kM", customer: [ids.cM], score: 300 },
    { name: "kN", customer: [ids.cN], score: 5000 },
    { name: "kX", customer: null, score: 60000 },
  ]);
  contNames.forEach((n, i) => (ids[n] = contIds[i]!));
  const actIds = await create(T.act, [
    { name: "aA", contact: [ids.kA1] },
    { name: "aB", contact: [ids.kB] },
    { name: "aM", contact: [ids.kM] },
    { name: "aX", contact: null },
  ]);
  ["aA", "aB", "aM", "aX"].forEach((n, i) => (ids[n] = actIds[i]!));
  const dealIds = await create(T.deal, [
    { name: "dA", amount: 100, customer: [ids.cA] },
    { name: "dA2", amount: 50, customer: [ids.cA] },
    { name: "dB", amount: 200, customer: [ids.cB] },
  ]);
  ["dA", "dA2", "dB"].forEach((n, i) => (ids[n] = dealIds[i]!));

  // Reps: their own customers; contacts of customers they may read; activities two hops away
  // (contact -> customer); deals whose customer they own (a path, with the $user shorthand).
  await grant(REP, T.cust, { read: "own", update: "own" });
  await grant(REP, T.cont, {
    read: readable("customer"),
    create: "all",
    update: readable("customer"),
    delete: readable("customer"),
  });
  await grant(REP, T.act, { read: readable("contact.customer") });
  await grant(REP, T.deal, { read: { rule: { field: "customer.owner", op: "eq", value: "$user" } } });
  // The manager: the team's customers, their contacts, and activities by a two-hop path.
  await grant(MGR, T.cust, { read: "team" });
  await grant(MGR, T.cont, {
    read: readable("customer"),
    update: { rule: { field: "customer.owner", op: "eq", value: "$user.id" } },
  });
  await grant(MGR, T.act, {
    read: { rule: { field: "contact.customer.owner", op: "in", value: "$user.teamMembers" } },
  });
});

describe("a rule through a link on every read path", () => {
  it("lists, counts and searches only the contacts of customers the user may read", async () => {
    const { repA, repB, mgr } = people;
    expect(names(await list(repA.c, T.cont))).toEqual(["kA1", "kA2"]);
    expect(names(await list(repB.c, T.cont))).toEqual(["kB"]);
    expect(names(await list(mgr.c, T.cont))).toEqual(["kA1", "kA2", "kM"]);
    expect((await list(repA.c, T.cont, "&count=true")).body.total).toBe(2);
    expect(names(await list(repA.c, T.cont, "&q=k"))).toEqual(["kA1", "kA2"]);
    expect(names(await list(repA.c, T.cont, "&q=kB"))).toEqual([]);
    expect(names(await repA.c.get(`/tables/${T.cont}/records?sort=-score&limit=1`))).toEqual(["kA2"]);
    expect(names(await list(admin, T.cont))).toEqual(["kA1", "kA2", "kB", "kM", "kN", "kX"]);
  });

  it("aggregates (as kanban sums do) only over those rows", async () => {
    const r = await people.repA.c.post(`/tables/${T.cont}/aggregate`, {
      measures: [{ op: "count" }, { op: "sum", field: "score" }],
      totals: true,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.totals).toEqual({ count: 2, "sum:score": 3 });
    const m = await people.mgr.c.post(`/tables/${T.cont}/aggregate`, {
      measures: [{ op: "sum", field: "score" }],
      totals: true,
    });
    expect(m.body.totals).toEqual({ "sum:score": 303 });
  });

  it("gets a readable contact, and answers 404 for another's, also for its history", async () => {
    const { repA } = people;
    expect((await repA.c.get(`/tables/${T.cont}/records/${ids.kA1}`)).status).toBe(200);
    for (const other of ["kB", "kM", "kN", "kX"]) {
      expectProblem(await repA.c.get(`/tables/${T.cont}/records/${ids[other]}`), 404, "id");
      expectProblem(await repA.c.get(`/tables/${T.cont}/records/${ids[other]}/history`), 404, "id");
    }
    expect((await repA.c.get(`/tables/${T.cont}/records/${ids.kA1}/history`)).status).toBe(200);
  });

  it("follows two hops: activities through their contact's customer, by readable and by a path", async () => {
    expect(names(await list(people.repA.c, T.act))).toEqual(["aA"]);
    expect(names(await list(people.repB.c, T.act))).toEqual(["aB"]);
    expect(names(await list(people.mgr.c, T.act))).toEqual(["aA", "aM"]);
    expect(names(await list(people.repA.c, T.deal))).toEqual(["dA", "dA2"]);
    const sums = await people.repA.c.post(`/tables/${T.deal}/aggregate`, {
      measures: [{ op: "sum", field: "amount" }],
      totals: true,
    });
    expect(sums.body.totals).toEqual({ "sum:amount": 150 });
  });

  it("re-evaluates when the parent changes owner", async () => {
    await setOwner("cB", people.repA.id);
    try {
      expect(names(await list(people.repA.c, T.cont))).toEqual(["kA1", "kA2", "kB"]);
      expect(names(await list(people.repB.c, T.cont))).toEqual([]);
      expect(names(await list(people.repA.c, T.act))).toEqual(["aA", "aB"]);
      expect(names(await list(people.repA.c, T.deal))).toEqual(["dA", "dA2", "dB"]);
      expect((await people.repA.c.get(`/tables/${T.cont}/records/${ids.kB}`)).status).toBe(200);
    } finally {
      await setOwner("cB", people.repB.id);
    }
    expect(names(await list(people.repA.c, T.cont))).toEqual(["kA1", "kA2"]);
    expectProblem(await people.repA.c.get(`/tables/${T.cont}/records/${ids.kB}`), 404, "id");
  });

  it("compiles to an EXISTS that seeks the junction by its key and the customer by id", async () => {
    const reg = await loadRegistry(DB);
    const user = await DB.prepare("SELECT roles FROM sg_users WHERE id = ?1")
      .bind(people.mgr.id)
      .first<{ roles: string }>();
    const principal = {
      userId: people.mgr.id,
      email: "m@x",
      name: "M",
      roles: JSON.parse(user!.roles),
      isAdmin: false,
      teams: [],
      teamMembers: [people.mgr.id, people.repA.id],
      timeZone: "UTC",
    } as unknown as Principal;
    for (const [name, sort] of [
      [T.cont, []],
      [T.act, []],
    ] as const) {
      const table = findTable(reg, name)!;
      const access = tableAccess(principal, table, reg);
      const c = compileList({
        table,
        select: table.fields,
        rowFilter: access.rowFilter("read"),
        sort: [...sort],
        limit: 50,
      });
      const plan = (
        await DB.prepare(`EXPLAIN QUERY PLAN ${c.sql}`)
          .bind(...c.params)
          .all<{ detail: string }>()
      ).results.map((r) => r.detail);
      const inner = plan.filter((d) => /\br\d+(j|s0)\b/.test(d));
      expect(inner.length, plan.join("\n")).toBeGreaterThan(0);
      // Every inner step is a keyed search: never a scan of a junction or a linked table.
      for (const d of inner)
        expect(d, plan.join("\n")).toMatch(
          /^SEARCH r\d+(j|s0) USING (PRIMARY KEY|COVERING INDEX l_\w+_b|INTEGER PRIMARY KEY)/,
        );
    }
  });
});

describe("writes under a rule through a link", () => {
  it("updates and deletes only contacts of readable customers, and never moves one to another's customer", async () => {
    const { repA } = people;
    const cur = async (n: string) => (await admin.get(`/tables/${T.cont}/records/${ids[n]}`)).body.record;
    const before = await cur("kB");
    expectProblem(
      await repA.c.patch(`/tables/${T.cont}/records/${ids.kB}`, { version: before.version, fields: { name: "taken" } }),
      404,
      "id",
    );
    expectProblem(await repA.c.delete(`/tables/${T.cont}/records/${ids.kB}`), 404, "id");
    expect(await cur("kB")).toEqual(before);

    const mine = await cur("kA1");
    const ok = await repA.c.patch(`/tables/${T.cont}/records/${ids.kA1}`, {
      version: mine.version,
      fields: { name: "kA1", score: 7 },
    });
    expect(ok.status, ok.text).toBe(200);
    const moved = await cur("kA1");
    // A customer the rep cannot read does not exist for them (422 on the link), or the rule refuses the new row (403).
    const away = await repA.c.patch(`/tables/${T.cont}/records/${ids.kA1}`, {
      version: moved.version,
      fields: { customer: [ids.cB] },
    });
    expect([403, 422], away.text).toContain(away.status);
    expect(await cur("kA1")).toEqual(moved);
    // The manager reads the team's customers but updates only contacts of their own: moving one of
    // theirs to a team mate's customer (readable) fails the update rule on the new row, in the batch.
    const kM = await cur("kM");
    const handed = await people.mgr.c.patch(`/tables/${T.cont}/records/${ids.kM}`, {
      version: kM.version,
      fields: { customer: [ids.cA] },
    });
    expect(handed.status, handed.text).toBe(403);
    expect(await cur("kM")).toEqual(kM);
    const renamed = await people.mgr.c.patch(`/tables/${T.cont}/records/${ids.kM}`, {
      version: kM.version,
      fields: { score: 301 },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expectProblem(
      await people.mgr.c.patch(`/tables/${T.cont}/records/${ids.kA1}`, {
        version: moved.version,
        fields: { score: 8 },
      }),
      403,
      "id",
      "forbidden",
    );

    const made = await repA.c.post(`/tables/${T.cont}/records`, { fields: { name: "kA3", customer: [ids.cA] } });
    expect(made.status, made.text).toBe(201);
    expect((await repA.c.delete(`/tables/${T.cont}/records/${made.body.record.id}`)).status).toBe(200);
    expect((await admin.get(`/tables/${T.cont}/records/${made.body.record.id}`)).status).toBe(404);
  });
});

describe("embeds of a creator whose rule follows a link", () => {
  it("shows, counts, sums and names only what the creator's rule reaches", async () => {
    const u = await userWithToken(["admin", REP]);
    const creator = api(u.token);
    const [cC] = await create(T.cust, [{ name: "cC", owner: u.user.id }]);
    await create(T.cont, [{ name: "kC", customer: [cC], assistant: people.repA.id, score: 9 }]);
    const view = await admin.post("/meta/views", {
      name: `v_${sfx}`,
      table: T.cont,
      type: "grid",
      roles: [REP],
      fields: ["name", "assistant", "score"],
    });
    expect(view.status, view.text).toBe(201);
    const minted = await creator.post("/admin/embed-tokens", {
      view: view.body.view.id,
      mode: "read",
      expiresInDays: 1,
    });
    expect(minted.status, minted.text).toBe(201);
    const embed = api(minted.body.token);
    expect((await embed.get("/embed/records?count=true")).body.total).toBe(7);
    expect((await admin.patch(`/admin/users/${u.user.id}`, { roles: [REP] })).status).toBe(200);
    expect(names(await embed.get("/embed/records?count=true"))).toEqual(["kC"]);
    expect((await embed.get("/embed/records?count=true")).body.total).toBe(1);
    const sums = await embed.post("/embed/aggregate", { measures: [{ op: "sum", field: "score" }], totals: true });
    expect(sums.body.totals).toEqual({ "sum:score": 9 });
    const users = await embed.get(`/embed/users?ids=${people.repA.id},${people.repB.id}`);
    expect(users.status, users.text).toBe(200);
    expect(users.body.users.map((x: { id: string }) => x.id)).toEqual([people.repA.id]);
  });
});

describe("grants with rules through links", () => {
  it("stores each step of a path by id and shows it by name, so renames keep it", async () => {
    const role = `path_${sfx}`;
    expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
    const shown = await grant(role, T.act, {
      read: {
        rule: {
          and: [
            { field: "contact.customer.owner", op: "eq", value: "$user.id" },
            { field: "contact", op: "readable" },
          ],
        },
      },
    });
    expect(shown.read).toEqual({
      rule: {
        and: [
          { field: "contact.customer.owner", op: "eq", value: "$user.id" },
          { field: "contact", op: "readable" },
        ],
      },
    });
    const stored = await DB.prepare("SELECT ops FROM sg_grants WHERE role = ?1").bind(role).first<{ ops: string }>();
    const path = JSON.parse(stored!.ops).read.rule.and[0].field as string;
    expect(path).toMatch(/^fld_[a-z0-9]{12}\.fld_[a-z0-9]{12}\.fld_[a-z0-9]{12}$/);
    const table = (await admin.get(`/meta/tables/${T.cust}`)).body.table;
    const owner = table.fields.find((f: { name: string }) => f.name === "owner");
    expect((await admin.patch(`/meta/tables/${T.cust}/fields/${owner.id}`, { name: "holder" })).status).toBe(200);
    try {
      expect((await admin.get(`/admin/roles/${role}/grants/${T.act}`)).body.grant.read.rule.and[0].field).toBe(
        "contact.customer.holder",
      );
      expect(names(await list(people.mgr.c, T.act))).toEqual(["aA", "aM"]);
    } finally {
      expect((await admin.patch(`/meta/tables/${T.cust}/fields/${owner.id}`, { name: "owner" })).status).toBe(200);
    }
  });

  it("refuses bad paths and misuse of readable with 422 naming the place, and stores nothing", async () => {
    const role = `bad_${sfx}`;
    expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
    const cases: [unknown, string, string][] = [
      [{ field: "customer.nope", op: "eq", value: "x" }, "read/rule/field", "unknown_field"],
      [{ field: "nope.owner", op: "eq", value: "x" }, "read/rule/field", "unknown_field"],
      [{ field: "name.owner", op: "eq", value: "x" }, "read/rule/field", "not_link"],
      [{ field: "customer.owner", op: "contains", value: "x" }, "read/rule/op", "operator_not_allowed"],
      [{ field: "customer.owner", op: "eq", value: 5 }, "read/rule/value", "type"],
      [{ field: "customer.", op: "eq", value: "x" }, "read/rule/field", "unknown_field"],
      [{ field: "name", op: "readable" }, "read/rule/field", "not_link"],
      [{ field: "customer", op: "readable", value: "x" }, "read/rule/value", "unexpected"],
      [
        {
          or: [
            { field: "name", op: "eq", value: "x" },
            { field: "customer.contacts.customer.owner", op: "eq", value: "x" },
          ],
        },
        "read/rule/or/1/field",
        "too_deep",
      ],
      [{ field: "customer.contacts.customer", op: "readable" }, "read/rule/field", "too_deep"],
    ];
    for (const [rule, field, code] of cases) {
      expectProblem(await put(`/admin/roles/${role}/grants/${T.cont}`, { ...NONE, read: { rule } }), 422, field, code);
    }
    expect(await DB.prepare("SELECT 1 FROM sg_grants WHERE role = ?1").bind(role).first()).toBeNull();
  });

  it("keeps paths and readable out of a caller's own filters", async () => {
    for (const filter of [
      { field: "customer.owner", op: "eq", value: people.repA.id },
      { field: "customer", op: "readable" },
    ]) {
      const r = await list(admin, T.cont, `&filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect(r.status, r.text).toBe(400);
    }
    const view = await admin.post("/meta/views", {
      name: `bad_${sfx}`,
      table: T.cont,
      type: "grid",
      filter: { field: "customer", op: "readable" },
    });
    expect(view.status, view.text).toBeGreaterThanOrEqual(400);
    expect(view.status).toBeLessThan(500);
  });

  it("stops a chain of parents after two hops: a cycle answers, bounded, instead of looping", async () => {
    // Customers: own, or having a contact the user may read; contacts: of a customer the user may read.
    const role = `cyc_${sfx}`;
    expect((await admin.post("/admin/roles", { name: role })).status).toBe(201);
    await grant(role, T.cust, {
      read: {
        rule: {
          or: [
            { field: "owner", op: "eq", value: "$user.id" },
            { field: "contacts", op: "readable" },
          ],
        },
      },
    });
    await grant(role, T.cont, { read: readable("customer") });
    const u = await userWithToken([role]);
    const c = api(u.token);
    await setOwner("cN", u.user.id);
    try {
      // Contacts -> customer (own, or a contact whose customer ... stops there) = contacts of cN.
      expect(names(await list(c, T.cont))).toEqual(["kN"]);
      expect(names(await list(c, T.cust))).toEqual(["cN"]);
    } finally {
      await setOwner("cN", null);
    }
    expect(names(await list(c, T.cont))).toEqual([]);
    expect(names(await list(c, T.cust))).toEqual([]);
  });
});

describe("plugin manifests and the demo grants", () => {
  async function seedDemo() {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://x/api/dev/seed", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      }),
      { ...env, DEV_SEED: "1" } as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    return (await res.json()) as { users: { id: string; email: string; role: string }[] };
  }

  it("refuses a manifest grant with a bad path naming its place, and installs nothing", async () => {
    const m = bundledPlugin("customers").manifest as PluginManifest;
    const original = structuredClone(m.grants);
    m.grants!.sales_rep!.contacts!.read = { rule: { field: "customer.no_such_field", op: "eq", value: "$user.id" } };
    try {
      const r = await admin.post("/admin/plugins/customers/install");
      expectProblem(r, 422, "grants/sales_rep/contacts/read/rule/field", "unknown_field");
      expect(await DB.prepare("SELECT 1 FROM sg_tables WHERE name = 'contacts'").first()).toBeNull();
    } finally {
      m.grants = original;
    }
  });

  it("demo reps read the contacts, addresses and activities of their own customers", async () => {
    const seeded = await seedDemo();
    const demo = (n: number) => DEMO_USERS.filter((u) => u.role === "sales_rep")[n]!;
    const idOf = (email: string) => seeded.users.find((u) => u.email === email)!.id;
    const reps = [0, 1].map((n) => ({ id: idOf(demo(n).email), c: api("") }));
    for (const [n, r] of reps.entries()) r.c = api(await login(demo(n).email, demo(n).password));
    const tag = `demo_${sfx}`;
    const custIds = await create(
      "customers",
      reps.map((r, i) => ({ name: `${tag} c${i}`, owner: r.id })),
    );
    const contIds = await create(
      "contacts",
      custIds.map((c, i) => ({ name: `${tag} k${i}`, customer: [c] })),
    );
    await create(
      "customer_addresses",
      custIds.map((c, i) => ({ address: `${tag} a${i}`, customer: [c] })),
    );
    await create("activities", [
      ...custIds.map((c, i) => ({ subject: `${tag} v${i}`, customer: [c], contact: [contIds[i]] })),
      { subject: `${tag} own`, owner: reps[0]!.id },
    ]);
    const seen = async (c: Client, table: string, key: string) => {
      const r = await c.get(`/tables/${table}/records?limit=1000&q=${tag}`);
      expect(r.status, r.text).toBe(200);
      return (r.body.records as { fields: Record<string, string> }[]).map((x) => x.fields[key]).sort();
    };
    expect(await seen(reps[0]!.c, "contacts", "name")).toEqual([`${tag} k0`]);
    expect(await seen(reps[1]!.c, "contacts", "name")).toEqual([`${tag} k1`]);
    expect(await seen(reps[0]!.c, "customer_addresses", "address")).toEqual([`${tag} a0`]);
    expect(await seen(reps[0]!.c, "activities", "subject")).toEqual([`${tag} own`, `${tag} v0`]);
    expect(await seen(reps[1]!.c, "activities", "subject")).toEqual([`${tag} v1`]);
  });
});
