/**
 * Property: for random grant rules that follow links (paths one and two links long, `readable`
 * through one and two links, mixed with the row's own fields under and/or) and random grants on the
 * parent table, the rows a user lists equal those an in-memory evaluator (written here, from the
 * documented semantics) selects. A condition through a link holds when ANY linked record meets it (a
 * row with no link meets none); `readable` holds when a linked record is one the user may read under
 * their own grant on that table, and an unrestricted parent means any linked record.
 * The parent's tested number sits in its second storage slot (after 96 filler columns), so the inner
 * query's slot join is exercised too.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { api, userWithToken } from "./helpers";

type Client = ReturnType<typeof api>;
const sfx = crypto.randomUUID().replace(/-/g, "").slice(0, 8);
const ROLE = `prop_${sfx}`;
const T = { p: `pp_${sfx}`, c: `pc_${sfx}`, g: `pg_${sfx}` };
const NUMS = [null, 0, 1, 2, 5];

interface P {
  id: number;
  owner: "me" | "other" | null;
  n: number | null;
}
interface C {
  id: number;
  x: number | null;
  p: number[];
}
interface G {
  id: number;
  c: number[];
}

let admin: Client;
let me: { id: string; c: Client };
let otherId = "";
const data = { p: [] as P[], c: [] as C[], g: [] as G[] };

// ------------------------------------------------------------------------------------- rules

type NumOp = "eq" | "neq" | "gt" | "lt" | "is_empty" | "is_not_empty";
type Rule = { and: Rule[] } | { or: Rule[] } | { field: string; op: string; value?: unknown };

const numCond = (field: string) =>
  fc
    .record({
      op: fc.constantFrom<NumOp>("eq", "neq", "gt", "lt", "is_empty", "is_not_empty"),
      v: fc.constantFrom(0, 1, 2, 5),
    })
    .map(({ op, v }): Rule => (op === "is_empty" || op === "is_not_empty" ? { field, op } : { field, op, value: v }));

/** Parent grants: all, own, a rule on its number, or none. */
const parentGrant = fc.oneof(
  fc.constant<unknown>("all"),
  fc.constant<unknown>("own"),
  fc.constant<unknown>("none"),
  numCond("n").map((rule) => ({ rule })),
);

const childLeaf: fc.Arbitrary<Rule> = fc.oneof(
  numCond("x"),
  numCond("p.n"),
  fc.constant<Rule>({ field: "p.owner", op: "eq", value: "$user" }),
  fc.constant<Rule>({ field: "p.owner", op: "is_empty" }),
  fc.constant<Rule>({ field: "p", op: "readable" }),
  fc.constant<Rule>({ field: "p", op: "is_empty" }),
);
const grandLeaf: fc.Arbitrary<Rule> = fc.oneof(
  numCond("c.x"),
  numCond("c.p.n"),
  fc.constant<Rule>({ field: "c.p.owner", op: "eq", value: "$user.id" }),
  fc.constant<Rule>({ field: "c", op: "readable" }),
  fc.constant<Rule>({ field: "c.p", op: "readable" }),
);
const tree = (leaf: fc.Arbitrary<Rule>) =>
  fc.letrec<{ node: Rule }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.record({ and: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }),
      fc.record({ or: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }),
    ),
  })).node;

// ------------------------------------------------------------------------------------- evaluator

function num(v: number | null, op: string, value: unknown): boolean {
  switch (op) {
    case "eq":
      return v === value;
    case "neq":
      return v === null || v !== value;
    case "gt":
      return v !== null && v > (value as number);
    case "lt":
      return v !== null && v < (value as number);
    case "is_empty":
      return v === null;
    case "is_not_empty":
      return v !== null;
  }
  throw new Error(op);
}

function parentReadable(grant: unknown, p: P): boolean {
  if (grant === "all") return true;
  if (grant === "none") return false;
  if (grant === "own") return p.owner === "me";
  const r = (grant as { rule: { op: string; value?: unknown } }).rule;
  return num(p.n, r.op, r.value);
}

const parentsOf = (c: C) => c.p.map((id) => data.p.find((p) => p.id === id)!);
const childrenOf = (g: G) => g.c.map((id) => data.c.find((c) => c.id === id)!);

function onParent(p: P, field: string, op: string, value: unknown): boolean {
  if (field === "n") return num(p.n, op, value);
  if (field === "owner") return op === "eq" ? p.owner === "me" : p.owner === null;
  throw new Error(field);
}

function childMatches(rule: Rule, c: C, pGrant: unknown): boolean {
  if ("and" in rule) return rule.and.every((r) => childMatches(r, c, pGrant));
  if ("or" in rule) return rule.or.some((r) => childMatches(r, c, pGrant));
  const [head, tail] = rule.field.split(".") as [string, string | undefined];
  if (head === "x") return num(c.x, rule.op, rule.value);
  if (rule.op === "readable") return parentsOf(c).some((p) => parentReadable(pGrant, p));
  if (!tail) return rule.op === "is_empty" ? c.p.length === 0 : c.p.length > 0;
  return parentsOf(c).some((p) => onParent(p, tail, rule.op, rule.value));
}

/** `c` readable: the child is one the user may read under the child rule; `c.p` readable: its parent is. */
function grandMatches(rule: Rule, g: G, cRule: Rule, pGrant: unknown): boolean {
  if ("and" in rule) return rule.and.every((r) => grandMatches(r, g, cRule, pGrant));
  if ("or" in rule) return rule.or.some((r) => grandMatches(r, g, cRule, pGrant));
  const parts = rule.field.split(".");
  const kids = childrenOf(g);
  if (rule.op === "readable" && parts.length === 1) return kids.some((c) => childMatches(cRule, c, pGrant));
  if (rule.op === "readable") return kids.some((c) => parentsOf(c).some((p) => parentReadable(pGrant, p)));
  if (parts[1] === "x") return kids.some((c) => num(c.x, rule.op, rule.value));
  return kids.some((c) => parentsOf(c).some((p) => onParent(p, parts[2]!, rule.op, rule.value)));
}

// ------------------------------------------------------------------------------------- set-up

async function create(table: string, rows: Record<string, unknown>[]): Promise<number[]> {
  const r = await admin.post(`/tables/${table}/records`, { records: rows.map((fields) => ({ fields })) });
  expect(r.status, r.text).toBe(201);
  return r.body.records.map((x: { id: number }) => x.id);
}

async function grant(table: string, read: unknown) {
  const r = await admin.request("PUT", `/admin/roles/${ROLE}/grants/${table}`, {
    read,
    create: "none",
    update: "none",
    delete: "none",
    defaultField: "read",
  });
  expect(r.status, r.text).toBe(200);
}

async function listed(table: string): Promise<number[]> {
  const r = await me.c.get(`/tables/${table}/records?limit=1000`);
  if (r.status === 403) return [];
  expect(r.status, r.text).toBe(200);
  return (r.body.records as { id: number }[]).map((x) => x.id).sort((a, b) => a - b);
}

beforeAll(async () => {
  admin = api((await userWithToken(["admin"])).token);
  expect((await admin.post("/admin/roles", { name: ROLE })).status).toBe(201);
  const u = await userWithToken([ROLE]);
  me = { id: u.user.id, c: api(u.token) };
  otherId = (await userWithToken([])).user.id;
  const fillers = Array.from({ length: 96 }, (_, i) => ({ name: `f${i}`, type: "text" }));
  const made = await admin.post("/meta/tables", {
    name: T.p,
    fields: [...fillers, { name: "n", type: "number" }, { name: "owner", type: "user" }],
  });
  expect(made.status, made.text).toBe(201);
  const nId = made.body.table.fields.find((f: { name: string }) => f.name === "n").id;
  expect(
    (await env.DB.prepare("SELECT slot FROM sg_fields WHERE id = ?1").bind(nId).first<{ slot: number }>())!.slot,
  ).toBe(1);
  expect(
    (
      await admin.post("/meta/tables", {
        name: T.c,
        fields: [
          { name: "x", type: "number" },
          { name: "p", type: "link", options: { table: T.p, inverseName: "cs" } },
        ],
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await admin.post("/meta/tables", {
        name: T.g,
        fields: [
          { name: "name", type: "text" },
          { name: "c", type: "link", options: { table: T.c, multiple: false, inverseName: "gs" } },
        ],
      })
    ).status,
  ).toBe(201);

  let s = 4242;
  const rand = (k: number) => ((s = (s * 1103515245 + 12345) % 2147483648), Math.floor((s / 2147483648) * k));
  const owners = ["me", "other", null] as const;
  const ps = Array.from({ length: 9 }, (_, i) => ({ owner: owners[i % 3]!, n: NUMS[rand(NUMS.length)]! }));
  const pIds = await create(
    T.p,
    ps.map((p) => ({ n: p.n, owner: p.owner === "me" ? me.id : p.owner === "other" ? otherId : null })),
  );
  data.p = ps.map((p, i) => ({ id: pIds[i]!, ...p }));
  const cs = Array.from({ length: 24 }, (_, i) => ({
    x: NUMS[rand(NUMS.length)]!,
    p: [...new Set(Array.from({ length: i % 3 }, () => pIds[rand(pIds.length)]!))],
  }));
  const cIds = await create(
    T.c,
    cs.map((c) => ({ x: c.x, p: c.p })),
  );
  data.c = cs.map((c, i) => ({ id: cIds[i]!, ...c }));
  const gs = Array.from({ length: 24 }, (_, i) => ({ c: i % 4 === 3 ? [] : [cIds[rand(cIds.length)]!] }));
  const gIds = await create(
    T.g,
    gs.map((g, i) => ({ name: `g${i}`, c: g.c })),
  );
  data.g = gs.map((g, i) => ({ id: gIds[i]!, ...g }));
});

describe("rules through links against an in-memory evaluator", () => {
  it("lists exactly the rows the rules select, one and two links away", async () => {
    await fc.assert(
      fc.asyncProperty(parentGrant, tree(childLeaf), tree(grandLeaf), async (pGrant, cRule, gRule) => {
        await grant(T.p, pGrant);
        await grant(T.c, { rule: cRule });
        await grant(T.g, { rule: gRule });
        const wantC = data.c.filter((c) => childMatches(cRule, c, pGrant)).map((c) => c.id);
        const wantG = data.g.filter((g) => grandMatches(gRule, g, cRule, pGrant)).map((g) => g.id);
        expect(await listed(T.c)).toEqual(wantC);
        expect(await listed(T.g)).toEqual(wantG);
      }),
      { numRuns: 40, seed: 20261206 },
    );
  });
});
