/**
 * Restores a deleted record from the audit log: its last `delete` row holds every field's value
 * before deletion ({fieldId: [before, null]}). The record comes back with the same id, in every
 * slot, with its links, in one batch with a `restore` audit row. Only fields that still exist come
 * back, and only values that still fit them (a field whose type or choices changed since is left
 * empty and reported). Its version starts above any version it ever had, so a client holding a
 * pre-deletion version cannot overwrite it unseen.
 */
import { AppError, notFound } from "../errors";
import type { Principal } from "../auth/principal";
import { typeSpec } from "../model/field-types";
import type { Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import { validate } from "../model/validate";
import { Columns } from "../query/columns";
import {
  auditLinkDeltas,
  bumpVersions,
  existingIds,
  fieldColumns,
  guardExists,
  insertAudit,
  insertRows,
  linkPairs,
  SYSTEM_INSERT_COLUMNS,
  type Stmt,
} from "../query/write";
import { prepare } from "../audit/log";
import { runBatch } from "../db/batch";
import { decodeRow, readRows } from "./read";

export interface RestoreContext {
  db: D1Database;
  principal: Principal;
  reg: Registry;
  requestId: string | null;
}

interface Skipped {
  field: string;
  reason: string;
}

const conflict = (message: string) => new AppError("conflict", message, [{ field: "id", code: "exists", message }]);

async function all<T>(db: D1Database, s: Stmt): Promise<T[]> {
  return (await prepare(db, s).all<T>()).results;
}

/** Link targets that can be relinked: they exist, and a one-valued other side is not taken meanwhile. */
async function usableTargets(
  ctx: RestoreContext,
  table: TableMeta,
  f: FieldMeta,
  targets: number[],
): Promise<number[]> {
  const other = ctx.reg.tables.find((t) => t.id === f.options.table && !t.deletedAt);
  if (!other || targets.length === 0) return [];
  const exist = new Set(
    (await all<{ id: number }>(ctx.db, existingIds(other.id, JSON.stringify(targets)))).map((r) => r.id),
  );
  let usable = targets.filter((t) => exist.has(t));
  const inverse = other.fields.find((x) => x.id === f.options.inverseField);
  if (inverse?.options.multiple === false && usable.length) {
    const j = new Columns(table).link(f);
    const taken = await all<{ t: number }>(ctx.db, {
      sql: `SELECT ${j.theirs} AS t FROM ${j.table} WHERE ${j.theirs} IN (SELECT value FROM json_each(?1))`,
      params: [JSON.stringify(usable)],
    });
    const busy = new Set(taken.map((r) => r.t));
    usable = usable.filter((t) => !busy.has(t));
  }
  return usable;
}

export async function restoreRecord(ctx: RestoreContext, table: TableMeta, id: number) {
  const { db } = ctx;
  if ((await readRows(db, table, [], [id])).length)
    throw conflict(`Record ${id} of ${table.name} exists; only a deleted record can be restored`);
  const [deletion, origin] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        "SELECT changes FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action = 'delete' ORDER BY id DESC LIMIT 1",
      )
      .bind(table.id, id),
    db
      .prepare(
        `SELECT (SELECT at FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action = 'create' ORDER BY id LIMIT 1) AS created_at,
              (SELECT user_id FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action = 'create' ORDER BY id LIMIT 1) AS created_by,
              (SELECT COUNT(*) FROM sg_audit WHERE table_id = ?1 AND record_id = ?2 AND action IN ('create', 'update', 'restore')) AS writes`,
      )
      .bind(table.id, id),
  ]);
  const row = deletion!.results[0] as { changes: string } | undefined;
  if (!row) throw notFound(`A deletion of record ${id} in the history of ${table.name}`, "id");
  const before = JSON.parse(row.changes) as Record<string, [unknown, unknown]>;
  const o = origin!.results[0] as { created_at: string | null; created_by: string | null; writes: number };

  const values = new Map<FieldMeta, unknown>();
  const skipped: Skipped[] = [];
  for (const f of table.fields) {
    const pair = before[f.id];
    if (!Array.isArray(pair) || pair[0] === null || pair[0] === undefined) continue;
    if (validate(typeSpec(f.type).valueSchema(f), pair[0], f.name).length) {
      skipped.push({ field: f.name, reason: `The value no longer fits the ${f.type} field` });
      continue;
    }
    if (f.type === "link") {
      const wanted = pair[0] as number[];
      const usable = await usableTargets(ctx, table, f, wanted);
      if (usable.length < wanted.length)
        skipped.push({
          field: f.name,
          reason: `${wanted.length - usable.length} linked record(s) are gone or linked elsewhere`,
        });
      if (usable.length) values.set(f, usable);
      continue;
    }
    values.set(f, pair[0]);
  }

  const at = new Date().toISOString();
  const by = ctx.principal.userId;
  const stmts: Stmt[] = [];
  for (let slot = 0; slot < table.slots; slot++) {
    // Every record has a row in every slot, even where none of its fields are set.
    const fields = table.fields.filter((f) => f.slot === slot && f.type !== "link");
    const cols = fields.flatMap(fieldColumns);
    const cells = fields.flatMap((f) => {
      const enc = typeSpec(f.type).encode(values.has(f) ? values.get(f) : null, f);
      return fieldColumns(f).map((_, i) => enc[i] ?? null);
    });
    const head = slot === 0 ? [id, o.created_at ?? at, o.created_by ?? by, at, by, o.writes + 1] : [id];
    stmts.push(
      insertRows(
        table.id,
        slot,
        [...(slot === 0 ? SYSTEM_INSERT_COLUMNS : ["id"]), ...cols],
        JSON.stringify([[...head, ...cells]]),
      ),
    );
  }
  for (const [f, v] of values) {
    if (f.type !== "link") continue;
    const targets = v as number[];
    stmts.push(
      linkPairs(f, JSON.stringify(targets.map((t) => [id, t]))),
      guardExists(f.options.table!, JSON.stringify(targets), targets.length, "missing"),
    );
    // The targets' link values change too: an update of each, as any link write (records/links.ts).
    const inverse = ctx.reg.tables
      .find((t) => t.id === f.options.table)
      ?.fields.find((x) => x.id === f.options.inverseField);
    const others = targets.filter((t) => !(f.options.table === table.id && t === id));
    if (inverse && others.length) {
      stmts.push(
        bumpVersions(f.options.table!, JSON.stringify(others), at, by),
        auditLinkDeltas(
          inverse,
          JSON.stringify(others.map((t) => ({ id: t, add: [id], rm: [] }))),
          at,
          by,
          ctx.requestId,
          null,
        ),
      );
    }
  }
  const changes = Object.fromEntries([...values].map(([f, v]) => [f.id, [null, v]]));
  stmts.push(insertAudit(JSON.stringify([["restore", id, JSON.stringify(changes)]]), at, by, table.id, ctx.requestId));
  await runBatch(db, stmts, {
    what: "Restoring the record",
    onUnique: () => conflict(`Record ${id} of ${table.name} was restored or re-created meanwhile`),
  });
  const [restored] = await readRows(db, table, table.fields, [id]);
  return { record: decodeRow(restored!, table.fields), skipped };
}
