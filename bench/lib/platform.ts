/**
 * The platform's own floor: a Worker that does nothing but hand a list of statements to D1 and return
 * the rows (no routing, auth, access rules or decoding), served by workerd with local D1 exactly as the
 * app is, on a copy of the same database. Timed interleaved with the same statements on better-sqlite3,
 * it shows how much of the API/floor ratio the runtime and local D1 take before any app code runs.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type Database from "better-sqlite3";
import { Miniflare } from "miniflare";
import { bindArgs, type Stmt } from "./floor";
import { DATA_DIR } from "./server";

/** The whole Worker: one statement is run with raw() (as the app's list does), several as a batch. */
const SCRIPT = `export default {
  async fetch(req, env) {
    const stmts = await req.json();
    const prepared = stmts.map((s) => env.DB.prepare(s.sql).bind(...s.params));
    const out = prepared.length === 1 ? [await prepared[0].raw({ columnNames: true })] : (await env.DB.batch(prepared)).map((r) => r.results);
    return new Response(JSON.stringify(out), { headers: { "content-type": "application/json" } });
  },
};`;

const DATABASE_ID = "00000000-0000-0000-0000-000000000000";

export interface PlatformTiming {
  worker: number[];
  floor: number[];
}

/**
 * Serves the minimal Worker over a copy of `sqliteFile` (laid out as local D1 keeps it, under the name
 * the D1 object uses for DATABASE_ID) and times each statement list of each of `lists` through it and on
 * `db`, alternately (one timing per list), after one untimed pass.
 */
export async function timePlatform(
  sqliteFile: string,
  db: InstanceType<typeof Database>,
  lists: Stmt[][][],
  port: number,
): Promise<PlatformTiming[]> {
  const root = path.join(DATA_DIR, "platform");
  const persist = path.join(root, "v3", "d1");
  const objectDir = path.join(persist, "miniflare-D1DatabaseObject");
  const serve = () =>
    new Miniflare({
      script: SCRIPT,
      modules: true,
      compatibilityDate: "2026-04-20",
      d1Databases: { DB: DATABASE_ID },
      d1Persist: persist,
      host: "127.0.0.1",
      port,
    });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(objectDir, { recursive: true });
  try {
    // The D1 object names its file after the database id: let it make one, then put the copy in its place.
    const first = serve();
    try {
      await post(await first.ready, [{ sql: "SELECT 1", params: [] }]);
    } finally {
      await first.dispose();
    }
    const made = readdirSync(objectDir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
    if (!made) throw new Error("local D1 made no database file");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(path.join(objectDir, made + suffix), { force: true });
    copyFileSync(sqliteFile, path.join(objectDir, made));
    if (existsSync(`${sqliteFile}-wal`)) copyFileSync(`${sqliteFile}-wal`, path.join(objectDir, `${made}-wal`));
    const mf = serve();
    try {
      const url = await mf.ready;
      const prepared = new Map<string, ReturnType<typeof db.prepare>>();
      const stmt = (sql: string) => prepared.get(sql) ?? prepared.set(sql, db.prepare(sql)).get(sql)!;
      const out: PlatformTiming[] = [];
      for (const runs of lists) {
        // The copy is a new file, cold in the OS cache: one untimed pass over the list first.
        for (const stmts of runs) await post(url, stmts);
        const timing: PlatformTiming = { worker: [], floor: [] };
        for (const stmts of runs) {
          const t = performance.now();
          await post(url, stmts);
          timing.worker.push(performance.now() - t);
          const t2 = performance.now();
          for (const s of stmts) stmt(s.sql).all(...bindArgs(s.sql, s.params));
          timing.floor.push(performance.now() - t2);
        }
        out.push(timing);
      }
      return out;
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const agent = new http.Agent({ keepAlive: true });

function post(url: URL, stmts: Stmt[]): Promise<string> {
  const body = JSON.stringify(stmts);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(text)
            : reject(new Error(`minimal Worker -> ${res.statusCode}: ${text.slice(0, 300)}`)),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
