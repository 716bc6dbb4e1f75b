/**
 * The floor: the SQL the API runs, run straight against a copy of the local D1 file with better-sqlite3.
 *
 * The statements are not re-typed here: the worker's own read pipeline (worker/records/read.ts ->
 * worker/query/select.ts + filter.ts) is imported and run in Node over a small D1 stand-in that records
 * every statement it is given, with the registry (TableMeta including each field's slot) loaded from
 * sg_tables/sg_fields of the copied file by worker/model/registry.ts. What is timed is only executing the
 * recorded statements (cached prepared statements, all rows materialised).
 */
import Database from "better-sqlite3";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { DATA_DIR, d1SqliteFiles } from "./server";

type Db = InstanceType<typeof Database>;
export interface Stmt {
  sql: string;
  params: unknown[];
}

export function bindArgs(sql: string, params: unknown[]): unknown[] {
  const norm = params.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v === undefined ? null : v));
  if (norm.length === 0) return [];
  // better-sqlite3 binds ?NNN parameters by name ("1", "2", ...), plain ? positionally.
  if (/\?\d/.test(sql)) return [Object.fromEntries(norm.map((v, i) => [String(i + 1), v]))];
  return norm;
}

/** A D1Database stand-in over better-sqlite3: enough of the API for the worker's read/write code. */
export class ShimD1 {
  recorded: Stmt[] = [];
  recording = false;
  sqlMs = 0;
  /** Time of the batches' transactions outside their statements: BEGIN and above all COMMIT (the WAL write). */
  commitMs = 0;
  /** SQL time per statement text (bench/profile.ts prints the costliest). */
  readonly msBySql = new Map<string, number>();
  private cache = new Map<string, ReturnType<Db["prepare"]>>();
  constructor(readonly db: Db) {}

  stmt(sql: string) {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  exec(sql: string, params: unknown[]): { results: unknown[]; meta: { changes: number } } {
    const t = performance.now();
    try {
      const s = this.stmt(sql);
      const args = bindArgs(sql, params);
      if (s.reader) return { results: s.all(...args), meta: { changes: 0 } };
      const info = s.run(...args);
      return { results: [], meta: { changes: info.changes } };
    } finally {
      const ms = performance.now() - t;
      this.sqlMs += ms;
      this.msBySql.set(sql, (this.msBySql.get(sql) ?? 0) + ms);
    }
  }

  /** A statement run on its own (not in a batch): recorded like a batch's. */
  private single(sql: string, params: unknown[]) {
    if (this.recording) this.recorded.push({ sql, params });
    return this.exec(sql, params);
  }

  prepare(sql: string) {
    // Arrow functions keep `this`; the statement object's own methods would not.
    const single = (params: unknown[]) => this.single(sql, params);
    const columns = () =>
      this.stmt(sql)
        .columns()
        .map((c) => c.name);
    const make = (params: unknown[]) => ({
      sql,
      params,
      bind: (...p: unknown[]) => make(p),
      async first<T>(col?: string): Promise<T | null> {
        const row = (single(params).results[0] ?? null) as Record<string, unknown> | null;
        return (row && col ? row[col] : row) as T | null;
      },
      async all<T>() {
        const r = single(params);
        return { results: r.results as T[], success: true, meta: r.meta };
      },
      async run() {
        const r = single(params);
        return { results: r.results, success: true, meta: r.meta };
      },
      async raw(opts?: { columnNames?: boolean }) {
        const rows = single(params).results.map((r) => Object.values(r as object));
        return opts?.columnNames ? [columns(), ...rows] : rows;
      },
    });
    return make([]);
  }

  async batch(stmts: { sql: string; params: unknown[] }[]) {
    if (this.recording) this.recorded.push(...stmts.map((s) => ({ sql: s.sql, params: s.params })));
    const run = this.db.transaction(() =>
      stmts.map((s) => ({ results: this.exec(s.sql, s.params).results, success: true })),
    );
    const t = performance.now();
    const inner = this.sqlMs;
    const out = run();
    const commit = performance.now() - t - (this.sqlMs - inner);
    this.sqlMs += commit;
    this.commitMs += commit;
    return out;
  }
}

/** The local D1 file holding the app's tables (the one with sg_users). */
export function findAppDatabase(): string {
  for (const file of d1SqliteFiles()) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const hit = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sg_users'").get();
      if (hit) return file;
    } catch {
      /* not ours */
    } finally {
      db.close();
    }
  }
  throw new Error("No local D1 file with sg_users under bench/.data/state/v3/d1");
}

/**
 * Copies the D1 file and its WAL while the dev server is idle (the bench sends nothing meanwhile, so
 * no checkpoint moves pages under us). The -shm index is left behind; SQLite rebuilds it on open.
 */
export function copyDatabase(tag: string): string {
  const src = findAppDatabase();
  const dir = path.join(DATA_DIR, "floor");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, `floor-${tag}.sqlite`);
  copyFileSync(src, dest);
  if (existsSync(`${src}-wal`)) copyFileSync(`${src}-wal`, `${dest}-wal`);
  return dest;
}

export function openCopy(file: string): Db {
  const db = new Database(file, { fileMustExist: true });
  db.pragma("journal_mode = WAL");
  return db;
}
