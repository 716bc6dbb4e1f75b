/**
 * The one D1 batch runner. Every write that must land whole goes through `runBatch`: one `db.batch()`
 * (D1 runs it as one transaction), and the constraint failures our statements are built to trip
 * become the same problems everywhere:
 * - a guard row (`sg_guard`, reason in its CHECK): `stale` (a version moved since the read) and
 *   `missing` (a record or object the change needs is gone) are 409; `denied` (a row would leave the
 *   caller's rule) is 403;
 * - a decimal field's `min` CHECK (`m_<field>`, model/ddl.ts): a value would fall below its minimum,
 *   409 (or the caller's own problem: a stock level's `available` below zero is insufficient stock);
 * - a UNIQUE, PRIMARY KEY or FOREIGN KEY failure: someone made the same thing meanwhile, 409 (or the
 *   caller's own problem, e.g. a view name taken).
 * Values stay under D1's limits by construction: at most MAX_PARAMS bound parameters per statement
 * (query/params.ts) and rows passed as JSON text in chunks (`chunkJson`).
 */
import { AppError } from "../errors";

/** One statement with its bound parameters, before it is prepared on a database. */
export interface Stmt {
  sql: string;
  params: unknown[];
}

/** Why a guard statement stops a batch (the CHECK on sg_guard.reason). */
export type GuardReason = "stale" | "missing" | "denied";

export interface BatchOptions {
  /** Names the change in messages ("Changing the role"); "The change" by default. */
  what?: string;
  /** On a `stale` guard: throws the caller's own 409 (e.g. with the current rows). */
  onStale?: () => Promise<void>;
  /** On a UNIQUE / PRIMARY KEY failure: the caller's own problem (e.g. 409 naming the field); gets D1's message. */
  onUnique?: (message: string) => AppError | null;
  /** On a decimal `min` CHECK (`m_<field>`): the caller's own problem (e.g. 409 insufficient_stock). */
  onCheck?: (message: string) => Promise<AppError | null>;
}

const prepared = (db: D1Database, s: Stmt | D1PreparedStatement): D1PreparedStatement =>
  "sql" in s && "params" in s ? db.prepare(s.sql).bind(...s.params) : (s as D1PreparedStatement);

/** Runs the statements as ONE batch; constraint failures become problems, nothing is written. */
export async function runBatch<T = unknown>(
  db: D1Database,
  stmts: readonly (Stmt | D1PreparedStatement)[],
  opts: BatchOptions = {},
): Promise<D1Result<T>[]> {
  if (stmts.length === 0) return [];
  try {
    return await db.batch<T>(stmts.map((s) => prepared(db, s)));
  } catch (err) {
    throw await problemOf(err, opts);
  }
}

/** The problem a failed batch answers with, or the error itself when it is not one of ours. */
async function problemOf(err: unknown, opts: BatchOptions): Promise<unknown> {
  const text = String(err);
  const what = opts.what ?? "The change";
  const guard = /CHECK constraint failed: (stale|missing|denied)/.exec(text)?.[1] as GuardReason | undefined;
  if (guard === "denied")
    return new AppError("forbidden", `${what} would put a record outside the rows you may write; nothing was written`);
  if (guard === "stale" && opts.onStale) await opts.onStale();
  if (guard)
    return new AppError(
      "conflict",
      `${what} depended on records that changed meanwhile; nothing was written. Reload and try again.`,
    );
  if (/CHECK constraint failed: m_[a-z0-9]+/.test(text))
    return (
      (await opts.onCheck?.(text)) ??
      new AppError(
        "conflict",
        `${what} would take a value below its minimum; nothing was written. Reload and try again.`,
      )
    );
  if (/UNIQUE constraint failed|PRIMARY KEY|FOREIGN KEY constraint failed/.test(text)) {
    return (
      opts.onUnique?.(text) ??
      new AppError("conflict", `${what} collided with a concurrent change; nothing was written. Reload and try again.`)
    );
  }
  return err;
}

/** Splits rows into JSON arrays of at most `maxChars` UTF-16 units each (under 2 MB of UTF-8, D1's value limit). */
export function chunkJson(rows: unknown[], maxChars = 600_000): string[] {
  // Usually everything fits: one stringify of the whole array is much cheaper than one per row.
  const whole = JSON.stringify(rows);
  if (whole.length <= maxChars) return [whole];
  const out: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const s = JSON.stringify(row);
    if (current.length > 0 && size + s.length + 1 > maxChars) {
      out.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(s);
    size += s.length + 1;
  }
  if (current.length) out.push(`[${current.join(",")}]`);
  return out;
}
