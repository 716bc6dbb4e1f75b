/**
 * The authorization matrix, generated from the demo grants: every demo role x every demo table x
 * every operation, and every field access level on a probe field, asserting allow or deny against
 * expectations computed here from the grant definitions (not from the engine), plus count and
 * search leaking nothing.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../main";
import { demoGrants } from "../../worker/demo/access";
import { DEMO_USERS } from "../../worker/demo/users";
import type { Level } from "../../worker/access/policy";
import { api, createUser, login } from "./helpers";

type Client = ReturnType<typeof api>;
const TABLES = ["customers", "contacts", "deals", "tasks"] as const;
type TableName = (typeof TABLES)[number];
const OWNER_FIELD: Record<TableName, string | null> = {
  customers: "owner",
  contacts: null,
  deals: "owner",
  tasks: "assignee",
};
const PRIMARY: Record<TableName, string> = { customers: "name", contacts: "name", deals: "name", tasks: "title" };
const PROBE: Record<TableName, string> = { customers: "city", contacts: "title", deals: "next_step", tasks: "title" };
const ROLES = ["sales_manager", "sales_rep", "warehouse", "viewer"] as const;

interface Actor {
  role: string;
  id: string;
  client: Client;
}
interface Row {
  id: number;
  owner: string;
}

let admin: Client;
const actors: Record<string, Actor> = {};
let team: string[] = [];
const MARK = `mx${crypto.randomUUID().slice(0, 6)}`;

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
  return (await res.json()) as { users: { id: string; email: string; role: string }[] };
}

function levelOf(role: string, table: TableName, op: "read" | "create" | "update" | "delete"): Level {
  return demoGrants()[role]?.[table]?.[0][op] ?? "none";
}

/**
 * Whether `actor` may `op` on a row owned by `owner`, from the grant definition alone. A contact is
 * linked to a customer with the same owner (makeRows), so "its customer is readable" is whether the
 * actor may read a customer of that owner.
 */
function expected(actor: Actor, table: TableName, op: "read" | "update" | "delete", owner: string): boolean {
  const level = levelOf(actor.role, table, op);
  if (typeof level === "object") return ruleHolds(actor, table, level.rule as Rule, owner);
  if (level === "all") return true;
  if (level === "own") return owner === actor.id;
  if (level === "team") return owner === actor.id || (team.includes(actor.id) && team.includes(owner));
  return false;
}

type Rule = { field?: string; op?: string; value?: unknown; or?: Rule[]; and?: Rule[] };

/**
 * A grant rule's answer for a row of `owner`, from the rule's text: the owner field against $user.id
 * (own) or $user.teamMembers (team), and `readable` through the customer link, which the matrix's
 * tasks rows leave empty (a contact's customer has the contact's owner, see makeRows).
 */
function ruleHolds(actor: Actor, table: TableName, rule: Rule, owner: string): boolean {
  if (rule.or) return rule.or.some((r) => ruleHolds(actor, table, r, owner));
  if (rule.and) return rule.and.every((r) => ruleHolds(actor, table, r, owner));
  if (rule.field === "customer" && rule.op === "readable")
    return table === "contacts" ? expected(actor, "customers", "read", owner) : false;
  if (rule.field === OWNER_FIELD[table] && rule.op === "eq" && rule.value === "$user.id") return owner === actor.id;
  if (rule.field === OWNER_FIELD[table] && rule.op === "in" && rule.value === "$user.teamMembers")
    return owner === actor.id || (team.includes(actor.id) && team.includes(owner));
  throw new Error(`the matrix has no expectation for the rule ${JSON.stringify(rule)} on ${table}`);
}

/** Rows owned by each actor and by the admin (outside the team), created by the admin. */
async function makeRows(table: TableName, tag: string): Promise<Row[]> {
  const owners = [...Object.values(actors).map((a) => a.id), adminId];
  if (OWNER_FIELD[table] === null) {
    // contacts are owned by whoever created them: each actor that may create makes one; the admin one more.
    // Each is linked to a customer its creator owns.
    const creators = [...Object.values(actors), { id: adminId, client: admin, role: "admin" }];
    const customers = await admin.post("/tables/customers/records", {
      records: creators.map((a) => ({ fields: { name: `${MARK} ${tag} of ${a.role}`, owner: a.id } })),
    });
    expect(customers.status, customers.text).toBe(201);
    const rows: Row[] = [];
    for (const [i, a] of creators.entries()) {
      const r = await a.client.post(`/tables/${table}/records`, {
        fields: { [PRIMARY[table]]: `${MARK} ${tag} ${a.role}`, customer: [customers.body.records[i].id] },
      });
      if (r.status === 201) rows.push({ id: r.body.record.id, owner: a.id });
    }
    return rows;
  }
  const r = await admin.post(`/tables/${table}/records`, {
    records: owners.map((o, i) => ({ fields: { [PRIMARY[table]]: `${MARK} ${tag} ${i}`, [OWNER_FIELD[table]!]: o } })),
  });
  expect(r.status, r.text).toBe(201);
  return r.body.records.map((rec: any, i: number) => ({ id: rec.id, owner: owners[i]! }));
}

let adminId = "";

beforeAll(async () => {
  const seeded = await seedDemo();
  const adminUser = DEMO_USERS.find((u) => u.role === "admin")!;
  admin = api(await login(adminUser.email, adminUser.password));
  adminId = seeded.users.find((u) => u.role === "admin")!.id;
  for (const role of ROLES) {
    const demo = DEMO_USERS.find((u) => u.role === role);
    if (demo)
      actors[role] = {
        role,
        id: seeded.users.find((u) => u.email === demo.email)!.id,
        client: api(await login(demo.email, demo.password)),
      };
    else {
      const u = await createUser([role]);
      actors[role] = { role, id: u.user.id, client: api(await login(u.email, u.password)) };
    }
  }
  const members = await env.DB.prepare("SELECT user_id FROM sg_team_members WHERE team_id = 'team_east'").all<{
    user_id: string;
  }>();
  team = members.results.map((m) => m.user_id);
  // Seeding installs every demo plugin (six with tasks): more than the default 10 s on a loaded machine.
}, 60_000);

describe.each(ROLES)("role %s", (role) => {
  describe.each(TABLES)("on %s", (table) => {
    it("lists, counts, gets and searches exactly the rows its read grant allows", async () => {
      const actor = actors[role]!;
      const rows = await makeRows(table, `read-${role}`);
      const mine = rows
        .filter((r) => expected(actor, table, "read", r.owner))
        .map((r) => r.id)
        .sort((a, b) => a - b);
      const list = await actor.client.get(
        `/tables/${table}/records?limit=1000&count=true&filter=${encodeURIComponent(JSON.stringify({ field: PRIMARY[table], op: "contains", value: `${MARK} read-${role}` }))}`,
      );
      if (levelOf(role, table, "read") === "none") {
        expect(list.status).toBe(403);
        expect(list.body.errors[0].field).toBe(`read records of ${table}`);
        return;
      }
      expect(list.status, list.text).toBe(200);
      expect(list.body.records.map((r: any) => r.id).sort((a: number, b: number) => a - b)).toEqual(mine);
      expect(list.body.total).toBe(mine.length);
      const search = await actor.client.get(
        `/tables/${table}/records?limit=1000&q=${encodeURIComponent(`read-${role}`)}`,
      );
      expect(
        search.body.records
          .map((r: any) => r.id)
          .filter((id: number) => rows.some((r) => r.id === id))
          .sort((a: number, b: number) => a - b),
      ).toEqual(mine);
      for (const r of rows)
        expect((await actor.client.get(`/tables/${table}/records/${r.id}`)).status).toBe(
          mine.includes(r.id) ? 200 : 404,
        );
    });

    it("creates only where its create grant allows", async () => {
      const actor = actors[role]!;
      const r = await actor.client.post(`/tables/${table}/records`, {
        fields: { [PRIMARY[table]]: `${MARK} create-${role}` },
      });
      expect(r.status, r.text).toBe(levelOf(role, table, "create") === "none" ? 403 : 201);
    });

    it("updates and deletes exactly the rows its grants allow, and cannot hand a row to someone else", async () => {
      const actor = actors[role]!;
      for (const op of ["update", "delete"] as const) {
        const rows = await makeRows(table, `${op}-${role}`);
        for (const row of rows) {
          const current = (await admin.get(`/tables/${table}/records/${row.id}`)).body.record;
          const res =
            op === "update"
              ? await actor.client.patch(`/tables/${table}/records/${row.id}`, {
                  version: current.version,
                  fields: { [PRIMARY[table]]: `${MARK} touched` },
                })
              : await actor.client.delete(`/tables/${table}/records/${row.id}`);
          const allowed = expected(actor, table, op, row.owner);
          const readable = expected(actor, table, "read", row.owner);
          expect(res.status, `${op} ${row.owner === actor.id ? "own" : "other"}: ${res.text}`).toBe(
            allowed ? 200 : levelOf(role, table, op) === "none" || readable ? 403 : 404,
          );
          const after = await admin.get(`/tables/${table}/records/${row.id}`);
          if (!allowed) expect(after.body.record).toEqual(current);
        }
      }
      const owner = OWNER_FIELD[table];
      if (owner && levelOf(role, table, "update") === "own") {
        const [row] = (await makeRows(table, `handover-${role}`)).filter((r) => r.owner === actor.id);
        const v = (await admin.get(`/tables/${table}/records/${row!.id}`)).body.record.version;
        const res = await actor.client.patch(`/tables/${table}/records/${row!.id}`, {
          version: v,
          fields: { [owner]: adminId },
        });
        expect(res.status, res.text).toBe(403);
        expect((await admin.get(`/tables/${table}/records/${row!.id}`)).body.record.fields[owner]).toBe(actor.id);
      }
    });

    it.each(["hidden", "read", "write"] as const)(
      "treats the probe field at access level %s as that level everywhere",
      async (access) => {
        const actor = actors[role]!;
        if (levelOf(role, table, "read") === "none") return expect(levelOf(role, table, "read")).toBe("none");
        const t = (await admin.get(`/meta/tables/${table}`)).body.table;
        const probe = t.fields.find((f: any) => f.name === PROBE[table]);
        const original = await env.DB.prepare("SELECT fields FROM sg_grants WHERE role = ?1 AND table_id = ?2")
          .bind(role, t.id)
          .first<{ fields: string }>();
        const set = async (fields: string) => {
          await env.DB.batch([
            env.DB.prepare("UPDATE sg_grants SET fields = ?1 WHERE role = ?2 AND table_id = ?3").bind(
              fields,
              role,
              t.id,
            ),
            env.DB.prepare("UPDATE sg_settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'schema_version'"),
          ]);
        };
        await set(JSON.stringify({ ...JSON.parse(original!.fields), [probe.id]: access }));
        try {
          const secret = `${MARK}-secret-${role}-${table}-${access}`;
          const rows = await makeRows(table, `field-${access}-${role}`);
          const target = rows.find((r) => expected(actor, table, "read", r.owner))!;
          const v = (await admin.get(`/tables/${table}/records/${target.id}`)).body.record.version;
          if (PROBE[table] !== PRIMARY[table])
            await admin.patch(`/tables/${table}/records/${target.id}`, {
              version: v,
              fields: { [PROBE[table]]: secret },
            });
          const got = await actor.client.get(`/tables/${table}/records/${target.id}`);
          const filter = encodeURIComponent(JSON.stringify({ field: PROBE[table], op: "is_not_empty" }));
          const filtered = await actor.client.get(`/tables/${table}/records?count=true&filter=${filter}`);
          const sorted = await actor.client.get(`/tables/${table}/records?sort=${PROBE[table]}`);
          const searched = await actor.client.get(
            `/tables/${table}/records?count=true&q=${encodeURIComponent(secret)}`,
          );
          const meta = await actor.client.get(`/meta/tables/${table}`);
          const schema = await actor.client.get(`/meta/tables/${table}/schema`);
          if (access === "hidden") {
            expect(got.body.record.fields).not.toHaveProperty(PROBE[table]);
            expect(got.text).not.toContain(secret);
            expect(filtered.status).toBe(400);
            expect(sorted.status).toBe(400);
            if (PROBE[table] !== PRIMARY[table]) expect(searched.body.total).toBe(0);
            expect(meta.body.table.fields.map((f: any) => f.name)).not.toContain(PROBE[table]);
            expect(Object.keys(schema.body.schema.properties)).not.toContain(PROBE[table]);
          } else {
            expect(got.body.record.fields).toHaveProperty(PROBE[table]);
            expect(filtered.status).toBe(200);
            expect(sorted.status).toBe(200);
            if (PROBE[table] !== PRIMARY[table]) expect(searched.body.total).toBe(1);
          }
          if (levelOf(role, table, "update") !== "none" && expected(actor, table, "update", target.owner)) {
            const version = (await admin.get(`/tables/${table}/records/${target.id}`)).body.record.version;
            const w = await actor.client.patch(`/tables/${table}/records/${target.id}`, {
              version,
              fields: { [PROBE[table]]: `${MARK} written` },
            });
            expect(w.status, w.text).toBe(access === "write" ? 200 : access === "read" ? 403 : 422);
            if (access === "read")
              expect(w.body.errors[0]).toMatchObject({ field: `fields/${PROBE[table]}`, code: "read_only" });
            expect(Object.keys(schema.body.schema.properties).includes(PROBE[table])).toBe(access === "write");
          }
        } finally {
          await set(original!.fields);
        }
      },
    );
  });
});
