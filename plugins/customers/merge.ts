/**
 * Merging duplicate customers into one, in ONE batch: every link of the merged customers (contacts,
 * deals, activities, addresses and any link an admin added) moves to the kept customer, its empty
 * fields take the merged customers' values, the merged customers are deleted the usual way (their
 * full values stay in the audit log, so an admin can restore them), and audit rows record the merge
 * on the kept customer and the move on every linked record. Needs update on the kept customer and
 * delete on each merged one; versions guard against changes made meanwhile.
 */
import {
  accessTo,
  AppError,
  auditEffect,
  deleteEffect,
  guardRowsEffect,
  invalid,
  moveLinksEffect,
  permittedIds,
  permittedRecords,
  readRecord,
  requireOperation,
  runEffects,
  updateFieldsEffect,
  type ActionContext,
  type ApiRecord,
  type Stmt,
  type TableAccess,
} from "../../worker/plugin-sdk";
import { keysOf } from "./duplicates";

export interface MergeInput {
  keep: number;
  merge: number[];
  version?: number;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
const KEY_FIELDS = new Set(["name_key", "phone_key", "email_key"]);

async function load(
  ctx: ActionContext,
  access: TableAccess,
  ids: number[],
  op: "update" | "delete",
  path: (i: number) => string,
): Promise<ApiRecord[]> {
  const found = new Map((await permittedRecords(ctx, access.table, op, ids)).map((r) => [r.id, r]));
  const missing = ids.map((id, i) => [id, i] as const).filter(([id]) => !found.has(id));
  if (missing.length) {
    const visible = await permittedIds(
      ctx,
      access.table,
      "read",
      missing.map(([id]) => id),
    );
    const denied = missing.filter(([id]) => visible.has(id));
    if (denied.length)
      throw new AppError(
        "forbidden",
        `You may not ${op} customer ${denied.map(([id]) => id).join(", ")}`,
        denied.map(([id, i]) => ({ field: path(i), code: "forbidden", message: `You may not ${op} customer ${id}` })),
      );
    throw new AppError(
      "not_found",
      `No customer ${missing.map(([id]) => id).join(", ")}`,
      missing.map(([id, i]) => ({ field: path(i), code: "not_found", message: `No customer ${id}` })),
    );
  }
  return ids.map((id) => found.get(id)!);
}

export async function mergeCustomers(ctx: ActionContext, input: MergeInput) {
  const t = ctx.table("customers");
  const table = t.meta;
  const dup = input.merge.findIndex((id, i) => id === input.keep || input.merge.indexOf(id) !== i);
  if (dup >= 0)
    throw invalid([
      {
        field: `merge/${dup}`,
        code: "duplicate",
        message: `Customer ${input.merge[dup]} is the kept one or listed twice`,
      },
    ]);
  const access = accessTo(ctx, t);
  requireOperation(access, "update");
  requireOperation(access, "delete");
  const [keep] = await load(ctx, access, [input.keep], "update", () => "keep");
  if (input.version !== undefined && keep!.version !== input.version) {
    throw new AppError("version_conflict", `Customer ${input.keep} was changed by someone else; nothing was merged`, [
      { field: "version", code: "stale", message: `The customer is at version ${keep!.version}` },
    ]);
  }
  const merged = await load(ctx, access, input.merge, "delete", (i) => `merge/${i}`);
  const stmts: Stmt[] = [];
  const changes: Record<string, [unknown, unknown]> = {};
  const linkedAudit = new Map<string, [string, number, string][]>();
  const moved: Record<string, number> = {};

  for (const f of table.fields.filter((x) => x.type === "link")) {
    const mine = (keep!.fields[f.name] as number[]) ?? [];
    const theirs = [...new Set(merged.flatMap((r) => (r.fields[f.name] as number[]) ?? []))];
    if (theirs.length === 0) continue;
    const target =
      f.options.multiple === false ? (mine.length ? mine : theirs.slice(0, 1)) : [...new Set([...mine, ...theirs])];
    // Every record linked to a merged customer changes its link value: its version moves (as the junction stands then).
    stmts.push(...moveLinksEffect(ctx, f, input.merge, input.keep));
    changes[f.id] = [mine, target];
    moved[f.name] = theirs.filter((x) => target.includes(x) && !mine.includes(x)).length;
    // The linked records' history shows the move too.
    const other = ctx.reg.tables.find((x) => x.id === f.options.table);
    if (other && f.options.inverseField) {
      const rows = linkedAudit.get(other.id) ?? [];
      for (const x of theirs.filter((y) => target.includes(y) && !mine.includes(y))) {
        const from = merged.filter((r) => ((r.fields[f.name] as number[]) ?? []).includes(x)).map((r) => r.id);
        rows.push(["update", x, JSON.stringify({ [f.options.inverseField]: [from, [input.keep]] })]);
      }
      linkedAudit.set(other.id, rows);
    }
  }

  // Empty fields of the kept customer take the first merged value; tags are united.
  const fill: Record<string, unknown> = {};
  for (const f of table.fields) {
    if (f.type === "link" || KEY_FIELDS.has(f.name) || !access.canWrite(f) || !access.canRead(f)) continue;
    const current = keep!.fields[f.name];
    if (f.type === "multi_select") {
      const union = [
        ...new Set([...((current as string[]) ?? []), ...merged.flatMap((r) => (r.fields[f.name] as string[]) ?? [])]),
      ];
      if (union.length !== ((current as string[]) ?? []).length) fill[f.name] = union;
    } else if (isEmpty(current) && f.type !== "checkbox") {
      const value = merged.map((r) => r.fields[f.name]).find((v) => !isEmpty(v));
      if (value !== undefined) fill[f.name] = value;
    }
  }
  const after = { ...keep!.fields, ...fill };
  const keys = keysOf(after);
  for (const k of Object.keys(keys) as (keyof typeof keys)[])
    if (table.fields.some((f) => f.name === k) && keys[k] !== (keep!.fields[k] ?? null)) fill[k] = keys[k];
  for (const [name, v] of Object.entries(fill))
    changes[table.fields.find((f) => f.name === name)!.id] = [keep!.fields[name] ?? null, v];
  stmts.push(...updateFieldsEffect(ctx, table, keep!, fill));
  stmts.push(...guardRowsEffect(ctx, table, [input.keep], "update"));
  stmts.push(...deleteEffect(table, merged));

  const audit: [string, number, string][] = [
    ["merge", input.keep, JSON.stringify(changes)],
    // The full values, as a delete writes them, so an admin can restore a merged customer.
    ...merged.map((r): [string, number, string] => [
      "delete",
      r.id,
      JSON.stringify(Object.fromEntries(table.fields.map((f) => [f.id, [r.fields[f.name] ?? null, null]]))),
    ]),
  ];
  stmts.push(...auditEffect(ctx, table.id, audit));
  for (const [tableId, rows] of linkedAudit) stmts.push(...auditEffect(ctx, tableId, rows));
  await runEffects(ctx.db, stmts);
  const record = await readRecord(ctx, t, input.keep);
  return { record, merged: input.merge, moved };
}
