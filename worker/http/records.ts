/** Records API: list, get, create, update, delete (one or many), history, aggregate. */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { invalid } from "../errors";
import { requireTable } from "../model/registry";
import { aggregateRecords, MAX_AGGREGATE_BYTES } from "../records/aggregate";
import { getRecord, listRecords } from "../records/read";
import { recordHistory } from "../records/history";
import { createRecords, deleteRecords, updateRecords, type WriteContext } from "../records/write";
import { parseItems } from "../records/write-body";
import { readJson } from "./body";
import { recordId } from "./context";
import { limitBody } from "./middleware";
import { chargeRows } from "./rate-limit";

async function setup(c: Context<AppEnv>) {
  const { reg, table } = await requireTable(c.env.DB, c.req.param("table")!);
  const ctx: WriteContext = { db: c.env.DB, principal: c.get("principal"), reg, requestId: c.get("requestId") ?? null };
  return { ctx, table };
}

export const records = new Hono<AppEnv>()
  .get("/:table/records", async (c) => {
    const { ctx, table } = await setup(c);
    const q = c.req.query();
    return c.json(
      await listRecords(ctx, table, {
        filter: q.filter,
        sort: q.sort,
        limit: q.limit,
        cursor: q.cursor,
        offset: q.offset,
        fields: q.fields,
        q: q.q,
        count: q.count,
        expand: q.expand,
      }),
    );
  })
  .post("/:table/aggregate", limitBody(MAX_AGGREGATE_BYTES), async (c) => {
    const { ctx, table } = await setup(c);
    return c.json(await aggregateRecords(ctx, table, await readJson(c)));
  })
  .get("/:table/records/:id", async (c) => {
    const { ctx, table } = await setup(c);
    return c.json({
      record: await getRecord(ctx, table, recordId(c.req.param("id")), {
        fields: c.req.query("fields"),
        expand: c.req.query("expand"),
      }),
    });
  })
  .get("/:table/records/:id/history", async (c) => {
    const { ctx, table } = await setup(c);
    return c.json(
      await recordHistory(ctx.db, ctx.principal, ctx.reg, table, recordId(c.req.param("id")), {
        limit: c.req.query("limit"),
        before: c.req.query("before"),
      }),
    );
  })
  .post("/:table/records", async (c) => {
    const { ctx, table } = await setup(c);
    // Writes count against the writer's row budget by their records, once the body is parsed.
    const body = await readJson(c);
    await chargeRows(c, body);
    return c.json(await createRecords(ctx, table, body), 201);
  })
  .patch("/:table/records", async (c) => {
    const { ctx, table } = await setup(c);
    const body = await readJson(c);
    await chargeRows(c, body);
    return c.json(await updateRecords(ctx, table, body));
  })
  .patch("/:table/records/:id", async (c) => {
    const { ctx, table } = await setup(c);
    const body = await readJson(c);
    await chargeRows(c, body);
    return c.json(await updateRecords(ctx, table, body, recordId(c.req.param("id"))));
  })
  .delete("/:table/records/:id", async (c) => {
    const { ctx, table } = await setup(c);
    const v = c.req.query("version");
    const item: Record<string, unknown> = { id: recordId(c.req.param("id")) };
    if (v !== undefined) {
      if (!/^[1-9]\d{0,15}$/.test(v))
        throw invalid([{ field: "version", code: "type", message: "version is a positive integer" }]);
      item.version = Number(v);
    }
    await chargeRows(c, undefined);
    return c.json(await deleteRecords(ctx, table, [item], true));
  })
  .delete("/:table/records", async (c) => {
    const { ctx, table } = await setup(c);
    const body = await readJson(c);
    await chargeRows(c, body);
    const { items } = parseItems(body, ["id", "version"], ["id"]);
    return c.json(await deleteRecords(ctx, table, items, false));
  });
