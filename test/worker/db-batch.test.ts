/**
 * The one D1 batch runner (worker/db/batch.ts) against a real D1: a batch lands whole or not at all,
 * and the constraint failures our statements trip become the same problems for every caller.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { chunkJson, runBatch } from "../../worker/db/batch";
import { AppError } from "../../worker/errors";
import { guardChanges } from "../../worker/query/write";

const db = () => env.DB;
const insert = (k: string) => ({ sql: "INSERT INTO t_batch (k) VALUES (?1)", params: [k] });
const rows = async () =>
  (await db().prepare("SELECT k FROM t_batch ORDER BY k").all<{ k: string }>()).results.map((r) => r.k);

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  await db().exec("CREATE TABLE IF NOT EXISTS t_batch (k TEXT PRIMARY KEY)");
});

describe("runBatch", () => {
  it("runs plain statements and prepared ones in one batch, returning their results", async () => {
    const res = await runBatch<{ n: number }>(db(), [insert("a1"), db().prepare("SELECT count(*) AS n FROM t_batch")]);
    expect(res[1]!.results[0]!.n).toBeGreaterThanOrEqual(1);
    expect(await runBatch(db(), [])).toEqual([]);
  });

  it("a stale or missing guard is 409 and nothing of the batch is written", async () => {
    for (const reason of ["stale", "missing"] as const) {
      const err = await failure(
        runBatch(db(), [insert(`g_${reason}`), guardChanges(2, reason)], { what: "The test change" }),
      );
      expect([err.code, err.status]).toEqual(["conflict", 409]);
      expect(err.message).toMatch(/^The test change .*nothing was written/);
    }
    expect(await rows()).not.toContain("g_stale");
    expect(await rows()).not.toContain("g_missing");
  });

  it("a stale guard lets the caller answer with its own 409 (the current rows)", async () => {
    const own = new AppError("version_conflict", "mine");
    const err = await failure(
      runBatch(db(), [insert("s1"), guardChanges(2, "stale")], {
        onStale: async () => {
          throw own;
        },
      }),
    );
    expect(err).toBe(own);
  });

  it("a denied guard is 403", async () => {
    const err = await failure(runBatch(db(), [insert("d1"), guardChanges(2, "denied")]));
    expect([err.code, err.status]).toEqual(["forbidden", 403]);
    expect(await rows()).not.toContain("d1");
  });

  it("a unique key taken meanwhile is 409, or the caller's own problem", async () => {
    await runBatch(db(), [insert("u1")]);
    const err = await failure(runBatch(db(), [insert("u2"), insert("u1")], { what: "Naming it" }));
    expect([err.code, err.status]).toEqual(["conflict", 409]);
    expect(await rows()).not.toContain("u2");
    const own = await failure(
      runBatch(db(), [insert("u1")], {
        onUnique: () =>
          new AppError("conflict", "The name is taken", [{ field: "name", code: "taken", message: "taken" }]),
      }),
    );
    expect(own.errors[0]!.field).toBe("name");
  });

  it("other failures pass through unchanged", async () => {
    const err = await runBatch(db(), [{ sql: "SELECT * FROM no_such_table", params: [] }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(AppError);
    expect(String(err)).toMatch(/no such table/);
  });
});

describe("chunkJson", () => {
  it("keeps every row whole, in order, each chunk under the limit", () => {
    const input = Array.from({ length: 50 }, (_, i) => ({ i, s: "x".repeat(i) }));
    const chunks = chunkJson(input, 200);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(200);
    expect(chunks.flatMap((c) => JSON.parse(c))).toEqual(input);
  });
});
