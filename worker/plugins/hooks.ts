/**
 * Runs plugin hooks inside the write pipeline (records/write.ts). Before the batch: each enabled
 * plugin with hooks on the table sees every record's before and after values by field key, may
 * derive values (validated like any value of the field), refuse the write naming fields, and add
 * statements that join the write's own D1 batch, so a refused or failed write takes them with it.
 * After the batch committed: afterWrite hooks, whose failures are logged and never undo the write.
 */
import type { Principal } from "../auth/principal";
import { AppError, invalid, type FieldError } from "../errors";
import type { Registry } from "../model/registry";
import type { TableMeta } from "../model/types";
import type { Stmt } from "../query/write";
import type { ApiRecord } from "../records/read";
import { bundledPlugins } from "./catalog";
import { derivedValueErrors } from "./derived";
import { makeRuntime } from "./runtime";
import { absoluteRef, bindTable, keysById, loadPluginState } from "./state";
import type { BoundTable, HookProblem, HookRecord, TableHooks, Values } from "./types";

export interface HookRow {
  id: number;
  /** Where this record's fields sit in the request: `fields`, `records/3/fields` (delete: `id`, `records/3/id`). */
  path: string;
  before: ApiRecord | null;
  /** The values being written, by field name; hooks add derived ones here. */
  fields: Record<string, unknown>;
}

export interface HookBase {
  db: D1Database;
  reg: Registry;
  principal: Principal;
  requestId: string | null;
  /** Options a plugin action passes to its own hooks (e.g. allowDuplicate). */
  pluginOptions?: Record<string, unknown>;
}

export interface HookRun {
  statements: Stmt[];
  /** A hook's own problem for a failed `min` CHECK (BeforeWriteResult.onCheck), for runBatch. */
  onCheck(message: string): Promise<AppError | null>;
  /** Call once the batch committed. */
  afterWrite(): Promise<void>;
}

const NONE: HookRun = { statements: [], onCheck: async () => null, afterWrite: async () => {} };

function toKeys(t: BoundTable, fields: Record<string, unknown> | undefined): Values {
  const out: Values = {};
  if (!fields) return out;
  for (const [id, key] of keysById(t)) {
    const f = t.meta.fields.find((x) => x.id === id)!;
    if (f.name in fields) out[key] = fields[f.name] ?? null;
  }
  return out;
}

/** Every enabled plugin's hooks bound to `table`, in install order. */
async function hooksFor(base: HookBase, table: TableMeta) {
  const state = await loadPluginState(base.db, base.reg);
  if (state.installed.size === 0) return { state, found: [] };
  const found: { plugin: string; bound: BoundTable; hooks: TableHooks }[] = [];
  for (const b of bundledPlugins()) {
    const name = b.manifest.name;
    if (!state.installed.get(name)?.enabled) continue;
    for (const [ref, hooks] of Object.entries(b.server.hooks ?? {})) {
      const bound = bindTable(state, base.reg, absoluteRef(name, ref));
      if (bound?.meta.id === table.id) found.push({ plugin: name, bound, hooks });
    }
  }
  return { state, found };
}

export async function runWriteHooks(
  base: HookBase,
  table: TableMeta,
  op: "create" | "update" | "delete",
  rows: HookRow[],
): Promise<HookRun> {
  const { state, found } = await hooksFor(base, table);
  if (found.length === 0) return NONE;
  const at = new Date().toISOString();
  const statements: Stmt[] = [];
  const afters: (() => Promise<void>)[] = [];
  const checks: ((message: string) => Promise<AppError | null>)[] = [];
  for (const { plugin, bound, hooks } of found) {
    const records: HookRecord[] = rows.map((row, index) => {
      const before = row.before ? toKeys(bound, row.before.fields) : null;
      const after: Values = op === "delete" ? {} : { ...(before ?? {}), ...toKeys(bound, row.fields) };
      return {
        id: row.id,
        index,
        before,
        after,
        written: (key) => {
          const f = bound.maybeField(key);
          return !!f && f.name in row.fields;
        },
        set(key, value) {
          const f = bound.field(key);
          const errors = derivedValueErrors(f, value);
          // Derived values come from plugin code, not the caller: a bad one is a bug, reported as such.
          if (errors.length) throw new Error(`plugin ${plugin} derived an invalid ${f.name}: ${errors[0]!.message}`);
          row.fields[f.name] = value;
          after[key] = value;
        },
      };
    });
    const rt = makeRuntime(base, state, plugin, at);
    if (hooks.beforeWrite) {
      const result = await hooks.beforeWrite({ ...rt, op, target: bound, records, options: base.pluginOptions ?? {} });
      if (result?.problems?.length) throw problemError(bound, rows, result.problems, op);
      if (result?.statements) statements.push(...result.statements);
      if (result?.onCheck) checks.push(result.onCheck);
    }
    if (hooks.afterWrite) {
      const afterWrite = hooks.afterWrite;
      afters.push(async () => {
        try {
          await afterWrite({
            ...rt,
            op,
            target: bound,
            records: records.map((r) => ({ id: r.id, before: r.before, after: r.after })),
          });
        } catch (err) {
          console.error(
            `afterWrite of plugin ${plugin} on ${table.name} failed:`,
            err instanceof Error ? err.message : err,
          );
        }
      });
    }
  }
  return {
    statements,
    onCheck: firstWording(checks),
    afterWrite: async () => {
      for (const a of afters) await a();
    },
  };
}

/** The wording of a failed CHECK by the first of `checks` that has one (a hook's own problem), else null. */
export function firstWording(
  checks: ((message: string) => Promise<AppError | null>)[],
): (message: string) => Promise<AppError | null> {
  return async (message) => {
    for (const c of checks) {
      const problem = await c(message);
      if (problem) return problem;
    }
    return null;
  };
}

function problemError(t: BoundTable, rows: HookRow[], problems: HookProblem[], op: string): AppError {
  const errors: FieldError[] = problems.slice(0, 200).map((p) => {
    const path = rows[p.record.index]!.path;
    const name = t.maybeField(p.field)?.name ?? p.field;
    return { field: op === "delete" ? path : `${path}/${name}`, code: p.code, message: p.message };
  });
  const conflicts = problems.filter((p) => p.conflict);
  if (conflicts.length)
    return new AppError(
      "conflict",
      conflicts[0]!.message,
      errors,
      Object.assign({}, ...conflicts.map((p) => p.conflict)),
    );
  return invalid(errors, problems.length === 1 ? problems[0]!.message : "The write breaks the table's rules");
}
