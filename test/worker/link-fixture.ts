/**
 * Set-up of the link-write tests: the demo workspace seeded through the dev endpoint (its plugins,
 * hand-made tables, grants and team), its users signed in, every link side of its schema as the
 * registry lists it, a record factory, snapshots of link values, and what a user may do with a
 * record, asked of the read API and the permission engine (never of the write pipeline under test),
 * so the tests follow the demo grants as they are, rules that follow links included.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../../main";
import { tableAccess } from "../../worker/access";
import { loadPrincipal } from "../../worker/auth/principal";
import { DEMO_USERS, type DemoRole } from "../../worker/demo/users";
import { findTable, loadRegistry } from "../../worker/model/registry";
import { junctionTable, physicalTable } from "../../worker/model/names";
import type { FieldMeta, TableMeta } from "../../worker/model/types";
import { readRows } from "../../worker/records/read";
import { api, login, testEnv } from "./helpers";

export type Client = ReturnType<typeof api>;

export interface Actor {
  name: string;
  role: DemoRole;
  id: string;
  token: string;
  client: Client;
}

/** One side of a link pair: `field` on `table` links to `target`, whose `inverse` links back. */
export interface Side {
  table: TableMeta;
  field: FieldMeta;
  target: TableMeta;
  inverse: FieldMeta;
}

export interface Demo {
  admin: Actor;
  manager: Actor;
  rep: Actor;
  rep2: Actor;
  /** Every owner the tests give records to. */
  owners: string[];
  tables: TableMeta[];
  sides: Side[];
  /** A stored record per table, whose required long texts (a pipeline's stages) new records copy. */
  templates: Map<string, Record<string, unknown>>;
}

export const uniq = (s: string) => `${s} ${crypto.randomUUID().slice(0, 8)}`;

export async function seedDemo(): Promise<Demo> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://x/api/dev/seed", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }),
    { ...env, DEV_SEED: "1" } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  const seeded = (await res.json()) as { users: { id: string; email: string }[] };
  const idOf = (email: string) => seeded.users.find((u) => u.email === email)!.id;
  const actor = async (role: DemoRole, n: number, name: string): Promise<Actor> => {
    const u = DEMO_USERS.filter((x) => x.role === role)[n]!;
    const token = await login(u.email, u.password);
    const id = idOf(u.email);
    return { name, role, id, token, client: api(token) };
  };
  const admin = await actor("admin", 0, "admin");
  const manager = await actor("sales_manager", 0, "manager");
  const rep = await actor("sales_rep", 0, "rep");
  const rep2 = await actor("sales_rep", 1, "rep2");
  const reg = await loadRegistry(testEnv.DB);
  const tables = reg.tables.filter((t) => !t.deletedAt);
  const sides: Side[] = [];
  // The generic link rules, on the tables whose links have no rule of their own: the hand-made tables,
  // customers, pipeline and tasks. The products and sales plugins' links follow their own hooks (a line moves
  // only with a draft document, totals follow the lines), proved in products.test.ts and sales-*.test.ts;
  // task occurrences are written only by the tasks actions (tasks-occurrences.test.ts).
  const generic = (t: TableMeta) =>
    t.plugin === null ||
    t.plugin === "customers" ||
    t.plugin === "pipeline" ||
    (t.plugin === "tasks" && t.name === "tasks");
  for (const table of tables.filter(generic)) {
    for (const field of table.fields.filter((f) => f.type === "link")) {
      const target = tables.find((t) => t.id === field.options.table);
      const inverse = target?.fields.find((f) => f.id === field.options.inverseField);
      if (target && inverse && generic(target)) sides.push({ table, field, target, inverse });
    }
  }
  const templates = new Map<string, Record<string, unknown>>();
  for (const t of tables) {
    const r = await admin.client.get(`/tables/${t.name}/records?limit=1`);
    expect(r.status, r.text).toBe(200);
    if (r.body.records[0]) templates.set(t.name, r.body.records[0].fields);
  }
  return { admin, manager, rep, rep2, owners: [admin.id, manager.id, rep.id, rep2.id], tables, sides, templates };
}

/** The user field that owns a row, as the permission engine picks it; null: created_by. */
export function ownerField(table: TableMeta): FieldMeta | null {
  return (
    table.fields.find((f) => f.id === table.ownerFieldId && f.type === "user") ??
    table.fields.find((f) => f.name === "owner" && f.type === "user") ??
    null
  );
}

/** Can `actor` read record `id`? Asked of the read API. */
export async function canRead(actor: Actor, table: TableMeta, id: number): Promise<boolean> {
  const r = await actor.client.get(`/tables/${table.name}/records/${id}`);
  expect([200, 403, 404], r.text).toContain(r.status);
  return r.status === 200;
}

async function engine(actor: Actor, table: TableMeta) {
  const reg = await loadRegistry(testEnv.DB);
  const loaded = await loadPrincipal(testEnv.DB, actor.id);
  return tableAccess(loaded!.principal, findTable(reg, table.id)!, reg);
}

/** May `actor` update record `id` and write `field` on it? Asked of the permission engine. */
export async function canUpdate(actor: Actor, table: TableMeta, id: number, field: FieldMeta): Promise<boolean> {
  const access = await engine(actor, table);
  if (!access.may("update") || !access.canWrite(field)) return false;
  return (await readRows(testEnv.DB, access.table, [], [id], access.rowFilter("update"))).length === 1;
}

/** May `actor` create records of `table` (owned by themselves)? */
export async function canCreate(actor: Actor, table: TableMeta): Promise<boolean> {
  return (await engine(actor, table)).may("create");
}

/** Values for a table's required fields (text made unique; long texts copied from a stored record). */
export function requiredValues(demo: Demo, table: TableMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of table.fields.filter((x) => x.required && x.type !== "link")) {
    const stored = demo.templates.get(table.name)?.[f.name];
    if (f.type === "long_text" && stored !== undefined && stored !== null) out[f.name] = stored;
    else if (f.type === "text" || f.type === "long_text") out[f.name] = uniq(f.name);
    else throw new Error(`no test value for required ${f.type} field ${table.name}.${f.name}`);
  }
  return out;
}

/** A record made by the admin and owned by `owner` (its owner field, or created_by when it has none). */
export async function makeRecord(
  demo: Demo,
  table: TableMeta,
  owner: string,
  links: Record<string, number[]> = {},
): Promise<number> {
  const fields: Record<string, unknown> = { ...requiredValues(demo, table), ...links };
  const of = ownerField(table);
  if (of) fields[of.name] = owner;
  const r = await demo.admin.client.post(`/tables/${table.name}/records`, { fields });
  expect(r.status, `${table.name}: ${r.text}`).toBe(201);
  const id = r.body.record.id as number;
  if (!of)
    await testEnv.DB.prepare(`UPDATE "${physicalTable(table.id)}" SET created_by = ?1 WHERE id = ?2`)
      .bind(owner, id)
      .run();
  return id;
}

export interface Entry {
  table: TableMeta;
  field: FieldMeta;
  id: number;
}

export interface State {
  version: number;
  links: number[];
}

export const key = (e: Entry) => `${e.table.name}/${e.id}/${e.field.name}`;

/** Version and link value (sorted) of each entry as stored, in one round trip; null for a missing record. */
export async function snapshot(_demo: Demo, entries: Entry[]): Promise<Map<string, State | null>> {
  const out = new Map<string, State | null>();
  if (entries.length === 0) return out;
  const db = testEnv.DB;
  const rows = await db.batch<{ v: number | null; l: string }>(
    entries.map((e) => {
      const owner = e.field.options.owner === true;
      const [mine, theirs] = owner ? ["a", "b"] : ["b", "a"];
      const j = junctionTable(owner ? e.field.id : e.field.options.inverseField!);
      return db
        .prepare(
          `SELECT (SELECT version FROM "${physicalTable(e.table.id)}" WHERE id = ?1) AS v, (SELECT json_group_array(x) FROM (SELECT ${theirs} AS x FROM "${j}" WHERE ${mine} = ?1 ORDER BY x)) AS l`,
        )
        .bind(e.id);
    }),
  );
  entries.forEach((e, i) => {
    const r = rows[i]!.results[0]!;
    out.set(key(e), r.v === null ? null : { version: r.v, links: JSON.parse(r.l) as number[] });
  });
  return out;
}

/** The records a link change through `side` may touch: the written ones, the targets, and their current holders. */
export async function involved(demo: Demo, side: Side, written: number[], targets: number[]): Promise<Entry[]> {
  const entries: Entry[] = written.map((id) => ({ table: side.table, field: side.field, id }));
  const before = await snapshot(demo, entries);
  const all = new Set(targets);
  for (const s of before.values()) for (const t of s?.links ?? []) all.add(t);
  const targetEntries = [...all].map((id) => ({ table: side.target, field: side.inverse, id }));
  const holders = new Set<number>();
  for (const s of (await snapshot(demo, targetEntries)).values())
    for (const h of s?.links ?? []) if (!written.includes(h)) holders.add(h);
  return [...entries, ...targetEntries, ...[...holders].map((id) => ({ table: side.table, field: side.field, id }))];
}

/** Nothing of the entries moved: versions and link values as before. */
export async function expectUnchanged(demo: Demo, entries: Entry[], before: Map<string, State | null>, label: string) {
  const after = await snapshot(demo, entries);
  for (const e of entries) expect(after.get(key(e)), `${label}: ${key(e)} changed`).toEqual(before.get(key(e)));
}

/**
 * A link write landed as an update of every record whose link value changed: the written records
 * moved one version; every other entry whose value changed moved one version and shows the change,
 * made by `actor`, as the newest entry of its history; entries whose value did not change did not
 * move; and both sides agree.
 */
export async function expectApplied(
  demo: Demo,
  actor: Actor,
  side: Side,
  entries: Entry[],
  before: Map<string, State | null>,
  written: number[],
  label: string,
) {
  const after = await snapshot(demo, entries);
  let changed = 0;
  for (const e of entries) {
    const b = before.get(key(e));
    const a = after.get(key(e));
    const at = `${label}: ${key(e)}`;
    expect(a, `${at} is gone`).toBeTruthy();
    if (!b) continue; // created by the write itself
    if (e.table.id === side.table.id && written.includes(e.id) && e.field.id === side.field.id) {
      expect(a!.version, `${at} (written) version`).toBe(b.version + 1);
      continue;
    }
    if (JSON.stringify(a!.links) === JSON.stringify(b.links)) {
      expect(a!.version, `${at} did not change, yet its version moved`).toBe(b.version);
      continue;
    }
    changed++;
    expect(
      a!.version,
      `${at} changed its links ${JSON.stringify(b.links)} -> ${JSON.stringify(a!.links)} without a version bump`,
    ).toBe(b.version + 1);
    const h = await demo.admin.client.get(`/tables/${e.table.name}/records/${e.id}/history?limit=1`);
    expect(h.status, h.text).toBe(200);
    const entry = h.body.history[0];
    expect(entry, `${at} has no history`).toBeTruthy();
    expect(entry.action, at).toBe("update");
    expect(entry.user?.id, at).toBe(actor.id);
    const c = entry.changes[e.field.name];
    expect(c, `${at}: newest history entry ${JSON.stringify(entry)} does not show ${e.field.name}`).toBeTruthy();
    const sorted = (v: unknown) => [...((v as number[] | null) ?? [])].sort((x, y) => x - y);
    // Seen from the other side a link change is a delta: what was added and removed turns before into after.
    expect(Object.keys(c).sort(), at).toEqual(["added", "removed"]);
    const applied = sorted([...b.links.filter((x: number) => !c.removed.includes(x)), ...c.added]);
    expect(
      { before: b.links, after: applied, removedWereThere: c.removed.every((x: number) => b.links.includes(x)) },
      at,
    ).toEqual({ before: b.links, after: a!.links, removedWereThere: true });
  }
  // Both sides agree about every written record and target.
  for (const w of written) {
    const mine = after.get(key({ table: side.table, field: side.field, id: w }))!.links;
    for (const e of entries.filter((x) => x.table.id === side.target.id && x.field.id === side.inverse.id)) {
      expect(
        after.get(key(e))!.links.includes(w),
        `${label}: ${side.table.name} ${w} and ${side.target.name} ${e.id} disagree`,
      ).toBe(mine.includes(e.id));
    }
  }
  return changed;
}

/** The parts of a problem a client sees, with one id replaced, so two answers can be compared. */
export function problemShape(res: { status: number; body: any }, id: number) {
  const { type, title, status, code, detail, errors } = res.body ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v.replace(new RegExp(`\\b${id}\\b`, "g"), "<id>") : v);
  return {
    httpStatus: res.status,
    type,
    title,
    status,
    code,
    detail: text(detail),
    errors: (errors ?? []).map((e: Record<string, unknown>) => ({ ...e, message: text(e.message) })),
  };
}
