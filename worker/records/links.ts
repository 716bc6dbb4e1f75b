/**
 * Link writes. Changing a link, from either side, is an update of every record whose link value
 * changes: the record written, each target added or removed, and, when the other side holds one
 * link, a target's previous holder.
 *
 * Before the batch (`LinkCheck`, whose lookups join the validation round trip): a target the caller
 * adds must be one they may read, else it answers exactly like an id that does not exist; every
 * other record that changes needs update under the caller's row rule and write on the link field of
 * its side, else 403 naming the field. In the batch (`linkStatements`): the junction rows, a version
 * bump of every other changed record (so a client holding an older version of it gets a 409), a
 * guard that the rows the caller's change was checked on still match their update rule after it,
 * and an audit row for each, its value before and after computed from the junction in the batch, so
 * its history shows the link exactly. Where the write relied on more than the rule, on who holds a
 * target of a one-valued side, the target's bump is also checked against the version read: a
 * concurrent change of it is a 409 and nothing is written. Other targets are not: two deals linked to
 * one customer at the same time both land. Links a plugin hook derived are the plugin's decision:
 * bumped and audited, not checked. A delete unlinks its records' targets the same way
 * (`unlinkDeleted`), without a check: the other end of those links is gone.
 */
import { runBatch } from "../db/batch";
import { AppError, type FieldError } from "../errors";
import { callerAccess, type TableAccess } from "../access";
import type { Principal } from "../auth/principal";
import { findTable, type Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import type { FilterNode } from "../query/filter";
import {
  auditLinkDeltas,
  auditUnlinked,
  bumpLinked,
  bumpVersions,
  chunkJson,
  guardChanges,
  guardExists,
  guardRowsMatch,
  linkHolderRows,
  linkPairs,
  linkTargetRows,
  unlinkAll,
  unlinkTargets,
  updateRows,
  type RowCheck,
  type Stmt,
} from "../query/write";
import type { ReferenceLookup, WriteItem } from "./validate";

export interface LinkContext {
  db: D1Database;
  principal: Principal;
  reg: Registry;
  requestId: string | null;
  narrow?: (access: TableAccess) => TableAccess;
  embedId?: string;
}

type Row = Record<string, unknown>;

/** A link field, the table it points at and the field on that side. */
interface Pair {
  f: FieldMeta;
  target: TableMeta;
  /** The other side's field (live, or deleted with the pair); its values are what the targets' history shows. */
  inverse: FieldMeta | undefined;
  /** The other side holds one link: linking a target takes it from its previous holder. */
  single: boolean;
}

interface TargetRow {
  version: number;
  readable: boolean;
  updatable: boolean;
}

interface HolderRow {
  id: number;
  updatable: boolean;
}

/** One record's value of one link field, before and as sent. */
interface Change {
  item: WriteItem;
  /** The record written (null: a record being created). */
  id: number | null;
  old: number[];
  next: number[];
}

const ids = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : []);
const minus = (a: number[], b: number[]) => {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
};

function pairOf(reg: Registry, f: FieldMeta): Pair {
  const target = findTable(reg, f.options.table!);
  if (!target) throw new AppError("conflict", `The target table of ${f.name} no longer exists`);
  const inverse =
    target.fields.find((x) => x.id === f.options.inverseField) ??
    target.deletedFields.find((x) => x.id === f.options.inverseField);
  return { f, target, inverse, single: inverse?.options.multiple === false };
}

function accessTo(ctx: LinkContext, table: TableMeta): TableAccess {
  return callerAccess(ctx, table);
}

/**
 * The caller's link changes, checked before the batch: `statements` joins the validation round trip,
 * `report` names added targets the caller cannot see (422), `authorize` refuses changes to records
 * they may not update (403). What it read (versions, holders) guards the batch.
 */
export class LinkCheck implements ReferenceLookup {
  private readonly changes = new Map<FieldMeta, { pair: Pair; targetAccess: TableAccess; changes: Change[] }>();
  private readonly queries: { f: FieldMeta; kind: "targets" | "holders" }[] = [];
  /** Per link field id: the targets read, by id. */
  readonly targets = new Map<string, Map<number, TargetRow>>();
  /** Per link field id: for each target whose holders were read, who holds it now. */
  readonly holders = new Map<string, Map<number, HolderRow[]>>();

  constructor(
    private readonly ctx: LinkContext,
    readonly access: TableAccess,
    private readonly items: WriteItem[],
    /** Record id per item (null on create). */
    private readonly recordIds: (number | null)[],
    /** Stored values on update, by record id. */
    private readonly current: Map<number, { fields: Record<string, unknown> }> | null,
  ) {}

  /** Lookups for the link fields the items write; called once their values passed the schema. */
  statements(): Stmt[] {
    const table = this.access.table;
    const out: Stmt[] = [];
    for (const f of table.fields) {
      if (f.type !== "link") continue;
      const changes: Change[] = [];
      for (const item of this.items) {
        if (!Object.hasOwn(item.fields, f.name)) continue;
        const id = this.recordIds[item.index] ?? null;
        changes.push({
          item,
          id,
          old: id === null ? [] : ids(this.current?.get(id)?.fields[f.name]),
          next: ids(item.fields[f.name]),
        });
      }
      if (changes.length === 0) continue;
      const pair = pairOf(this.ctx.reg, f);
      const targetAccess = accessTo(this.ctx, pair.target);
      this.changes.set(f, { pair, targetAccess, changes });
      const added = [...new Set(changes.flatMap((c) => minus(c.next, c.old)))];
      const touched = [...new Set([...added, ...changes.flatMap((c) => minus(c.old, c.next))])];
      if (touched.length === 0) continue;
      const read: RowCheck = targetAccess.may("read") ? targetAccess.rowFilter("read") : false;
      const update: RowCheck =
        targetAccess.may("update") && pair.inverse && targetAccess.canWrite(pair.inverse)
          ? targetAccess.rowFilter("update")
          : false;
      out.push(linkTargetRows(pair.target, JSON.stringify(touched), read, update));
      this.queries.push({ f, kind: "targets" });
      if (pair.single && added.length) {
        out.push(
          linkHolderRows(
            table,
            f,
            JSON.stringify(added),
            this.access.may("update") ? this.access.rowFilter("update") : false,
          ),
        );
        this.queries.push({ f, kind: "holders" });
        this.holders.set(f.id, new Map(added.map((x) => [x, []])));
      }
    }
    return out;
  }

  /**
   * Reads the lookups' results; returns the added targets the caller cannot see, as unknown ids, and links a one-valued
   * side cannot take twice.
   */
  report(results: Row[][]): FieldError[] {
    this.queries.forEach((q, i) => {
      const rows = results[i] ?? [];
      if (q.kind === "targets") {
        this.targets.set(
          q.f.id,
          new Map(
            rows.map((r) => [
              r.id as number,
              { version: r.version as number, readable: r.r === 1, updatable: r.u === 1 },
            ]),
          ),
        );
      } else {
        const byTarget = this.holders.get(q.f.id)!;
        for (const r of rows) byTarget.get(r.target as number)?.push({ id: r.id as number, updatable: r.u === 1 });
      }
    });
    const errors: FieldError[] = [];
    for (const [f, { pair, changes }] of this.changes) {
      const rows = this.targets.get(f.id) ?? new Map<number, TargetRow>();
      const takenBy = new Map<number, string>();
      for (const c of changes) {
        c.next.forEach((x, k) => {
          const at = `${c.item.path}/${f.name}/${k}`;
          if (!c.old.includes(x) && !rows.get(x)?.readable) {
            // The same answer as for an id that does not exist: whether it exists is not the caller's to learn.
            errors.push({ field: at, code: "unknown_record", message: `${pair.target.name} has no record ${x}` });
            return;
          }
          if (!pair.single) return;
          const other = takenBy.get(x);
          if (other !== undefined)
            errors.push({
              field: at,
              code: "duplicate",
              message: `${pair.target.name} record ${x} links to one ${this.access.table.name} record only; ${other} links it too`,
            });
          else takenBy.set(x, `${c.item.path}/${f.name}`);
        });
      }
    }
    return errors;
  }

  /** Throws 403 naming each link change that would change a record the caller may not update. */
  authorize(): void {
    const denied: FieldError[] = [];
    const table = this.access.table;
    for (const [f, { pair, changes }] of this.changes) {
      const rows = this.targets.get(f.id) ?? new Map<number, TargetRow>();
      const holders = this.holders.get(f.id);
      const writing = new Set(changes.map((c) => c.id).filter((id): id is number => id !== null));
      const side = pair.inverse ? `its ${pair.inverse.name}` : "it";
      for (const c of changes) {
        c.next.forEach((x, k) => {
          if (c.old.includes(x)) return;
          const at = `${c.item.path}/${f.name}/${k}`;
          if (!rows.get(x)?.updatable) {
            denied.push({
              field: at,
              code: "forbidden",
              message: `Linking ${pair.target.name} record ${x} changes ${side}, which you may not change`,
            });
            return;
          }
          for (const holder of holders?.get(x) ?? []) {
            if (holder.id === c.id || writing.has(holder.id) || holder.updatable) continue;
            denied.push({
              field: at,
              code: "forbidden",
              message: `${pair.target.name} record ${x} is linked to a ${table.name} record you may not change`,
            });
            break;
          }
        });
        for (const x of minus(c.old, c.next)) {
          const row = rows.get(x);
          // A target that no longer exists has nothing to change.
          if (row && !row.updatable)
            denied.push({
              field: `${c.item.path}/${f.name}`,
              code: "forbidden",
              message: `Unlinking ${pair.target.name} record ${x} changes ${side}, which you may not change`,
            });
        }
      }
    }
    if (denied.length) {
      const fields = [
        ...new Set(denied.map((d) => d.field.split("/").find((_, i, parts) => parts[i - 1] === "fields"))),
      ].join(", ");
      throw new AppError(
        "forbidden",
        `You may not make these changes to ${fields} of ${table.name}: they change records you may not change; nothing was written`,
        denied.slice(0, 200),
      );
    }
  }

  /** The update rule the targets of `f` were checked against (null: every row). */
  targetUpdateRule(f: FieldMeta): FilterNode | null {
    return this.changes.get(f)?.targetAccess.rowFilter("update") ?? null;
  }
}

/** A record of the written table with its link values before (null on create) and after the write. */
export interface LinkRecord {
  id: number;
  before: Record<string, unknown> | null;
  fields: Record<string, unknown>;
}

interface Delta {
  add: number[];
  rm: number[];
}

/**
 * Rows to bump, per table: id -> the version read when the bump is checked against it, else null;
 * `checked`: rows the caller's change was checked on, to match `rule` (their update rule) after it.
 */
class Bumps {
  readonly byTable = new Map<
    string,
    { table: TableMeta; rows: Map<number, number | null>; rule: FilterNode | null; checked: Set<number> }
  >();

  add(table: TableMeta, id: number, opts: { version?: number; rule?: FilterNode | null } = {}) {
    let t = this.byTable.get(table.id);
    if (!t) this.byTable.set(table.id, (t = { table, rows: new Map(), rule: null, checked: new Set() }));
    if (opts.version !== undefined) t.rows.set(id, opts.version);
    else if (!t.rows.has(id)) t.rows.set(id, null);
    if (opts.rule !== undefined) {
      t.checked.add(id);
      t.rule = opts.rule;
    }
  }
}

function deltaOf(map: Map<number, Delta>, id: number): Delta {
  let d = map.get(id);
  if (!d) map.set(id, (d = { add: [], rm: [] }));
  return d;
}

/**
 * The batch statements of the link values in `records` (after plugin hooks): junction rows per
 * field, version bumps and rule guards of every other record whose link value changes, and their
 * audit rows. No statement and no round trip when no record carries a link value.
 */
export async function linkStatements(
  ctx: LinkContext,
  table: TableMeta,
  check: LinkCheck,
  records: LinkRecord[],
  at: string,
): Promise<Stmt[]> {
  const junction: Stmt[] = [];
  const audits: { h: FieldMeta; deltas: Map<number, Delta> }[] = [];
  const bumps = new Bumps();
  const written = new Set(records.map((r) => r.id));
  const by = ctx.principal.userId;
  /** Holders to look up: links a hook derived, whose targets the check did not read. */
  const derived: {
    pair: Pair;
    targets: number[];
    writing: Set<number>;
    deltas: Map<number, Delta>;
    targetDeltas: Map<number, Delta>;
  }[] = [];

  for (const f of table.fields) {
    if (f.type !== "link") continue;
    const recs = records.filter((r) => Object.hasOwn(r.fields, f.name));
    if (recs.length === 0) continue;
    const pair = pairOf(ctx.reg, f);
    const byRecord = new Map(recs.map((r) => [r.id, ids(r.fields[f.name])]));
    junction.push(...replaceLinks(pair, byRecord));

    const targets = new Map<number, Delta>();
    for (const r of recs) {
      const old = ids(r.before?.[f.name]);
      const next = byRecord.get(r.id)!;
      for (const x of minus(next, old)) deltaOf(targets, x).add.push(r.id);
      for (const x of minus(old, next)) deltaOf(targets, x).rm.push(r.id);
    }
    if (targets.size === 0) continue;
    const read = check.targets.get(f.id);
    const rule = check.targetUpdateRule(f);
    for (const x of targets.keys()) {
      // A written record of this table is bumped by its own update.
      if (pair.target.id === table.id && written.has(x)) continue;
      const seen = read?.get(x);
      // Who holds a target of a one-valued side was read: the bump checks nothing moved since.
      bumps.add(pair.target, x, seen ? { rule, ...(pair.single ? { version: seen.version } : {}) } : {});
    }
    if (pair.inverse) audits.push({ h: pair.inverse, deltas: targets });

    if (!pair.single) continue;
    // Linking a target takes it from its previous holder: that record's value changes too.
    const writing = new Set(recs.map((r) => r.id));
    const holders = new Map<number, Delta>();
    const known = check.holders.get(f.id);
    const unknown: number[] = [];
    for (const [x, d] of targets) {
      if (d.add.length === 0) continue;
      const found = known?.get(x);
      if (!found) {
        unknown.push(x);
        continue;
      }
      for (const h of found) {
        if (writing.has(h.id)) continue;
        deltaOf(holders, h.id).rm.push(x);
        d.rm.push(h.id);
        if (!written.has(h.id)) bumps.add(table, h.id, { rule: check.access.rowFilter("update") });
      }
    }
    if (unknown.length) derived.push({ pair, targets: unknown, writing, deltas: holders, targetDeltas: targets });
    audits.push({ h: f, deltas: holders });
  }

  if (derived.length) {
    // One round trip for every derived link's holders; they are bumped as they are, like the links.
    const results = await runBatch<Row>(
      ctx.db,
      derived.map((d) => linkHolderRows(table, d.pair.f, JSON.stringify(d.targets), null)),
    );
    derived.forEach((d, i) => {
      for (const r of results[i]!.results) {
        const id = r.id as number;
        if (d.writing.has(id)) continue;
        deltaOf(d.deltas, id).rm.push(r.target as number);
        deltaOf(d.targetDeltas, r.target as number).rm.push(id);
        if (!written.has(id)) bumps.add(table, id);
      }
    });
  }

  const out = [...junction];
  const guards: Stmt[] = [];
  for (const { table: t, rows, rule, checked } of bumps.byTable.values()) {
    const guarded = [...rows].filter(([, v]) => v !== null).map(([id, v]) => ({ id, v, c: {} }));
    const blind = [...rows].filter(([, v]) => v === null).map(([id]) => id);
    for (const chunk of chunkJson(guarded))
      out.push(updateRows(t.id, 0, [], chunk, at, by), guardChanges(JSON.parse(chunk).length, "stale"));
    if (blind.length) out.push(bumpVersions(t.id, JSON.stringify(blind), at, by));
    // The rows the caller's change was checked on must still be theirs to update after it.
    if (rule && checked.size) guards.push(guardRowsMatch(t, JSON.stringify([...checked]), checked.size, rule));
  }
  out.push(...guards);
  for (const { h, deltas } of audits) {
    const rows = [...deltas].map(([id, d]) => ({ id, add: d.add, rm: d.rm }));
    for (const chunk of chunkJson(rows))
      out.push(auditLinkDeltas(h, chunk, at, by, ctx.requestId, ctx.embedId ?? null));
  }
  return out;
}

/** Replaces the links of the given records through one field. */
function replaceLinks(pair: Pair, byRecord: Map<number, number[]>): Stmt[] {
  const { f, target } = pair;
  const recs = [...byRecord.keys()];
  const targets = [...new Set([...byRecord.values()].flat())];
  const out: Stmt[] = [unlinkAll(f, JSON.stringify(recs))];
  // Linking through the many side of a one-valued pair takes the target away from its old record.
  if (pair.single && targets.length) out.push(unlinkTargets(f, JSON.stringify(targets)));
  const pairs = [...byRecord].flatMap(([id, ts]) => ts.map((t) => [id, t]));
  for (const chunk of chunkJson(pairs)) out.push(linkPairs(f, chunk));
  if (targets.length) out.push(guardExists(target.id, JSON.stringify(targets), targets.length, "missing"));
  return out;
}

/**
 * Statements of a delete for its records' links, before their rows are gone from the junctions: each
 * record linked to them gets a version bump and an audit row showing the unlink, then the links go.
 */
export function unlinkDeleted(ctx: LinkContext, table: TableMeta, idsJson: string, at: string): Stmt[] {
  const out: Stmt[] = [];
  for (const f of table.fields) {
    if (f.type !== "link") continue;
    const target = findTable(ctx.reg, f.options.table!);
    const inverse = target?.fields.find((x) => x.id === f.options.inverseField);
    if (inverse)
      out.push(
        bumpLinked(inverse, table.id, idsJson, at, ctx.principal.userId),
        auditUnlinked(inverse, table.id, idsJson, at, ctx.principal.userId, ctx.requestId, ctx.embedId ?? null),
      );
  }
  for (const f of [...table.fields, ...table.deletedFields]) if (f.type === "link") out.push(unlinkAll(f, idsJson));
  return out;
}
