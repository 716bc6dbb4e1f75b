/**
 * Several system reads of a hook or action in ONE round trip (one D1 batch, so they also see one
 * consistent state): rows by id and rows by filter; with them the plugin's settings, from the loaded
 * plugin state. A hook that reads its document, the document's lines and the products they name pays
 * one round trip instead of four.
 */
import { compileGet, compileList } from "../query/select";
import { decodeRow } from "../records/read";
import { findRows, type FoundRow } from "../plugins/effects";
import type { FilterNode } from "../query/filter";
import type { BoundTable, Runtime, Values } from "../plugins/types";

export type Read =
  | { table: BoundTable; keys: string[]; ids: number[] }
  | { table: BoundTable; keys: string[]; filter: FilterNode | null; max?: number };

const PAGE = 1000;

/** Rows of each read (values by key, with id and version) and, with `settings`, the plugin's settings. */
export async function findMany(
  rt: Runtime,
  reads: Read[],
  opts: { settings?: boolean } = {},
): Promise<{ rows: FoundRow[][]; settings: Values }> {
  const plan = reads.map((r) => {
    const fields = r.keys.map((k) => r.table.field(k));
    if ("ids" in r)
      return { r, fields, stmt: r.ids.length ? compileGet(r.table.meta, fields, [...new Set(r.ids)], null) : null };
    return { r, fields, stmt: compileList({ table: r.table.meta, select: fields, filter: r.filter, limit: PAGE }) };
  });
  const stmts = plan.filter((p) => p.stmt).map((p) => rt.db.prepare(p.stmt!.sql).bind(...p.stmt!.params));
  const results = stmts.length ? await rt.db.batch<Record<string, unknown>>(stmts) : [];
  let at = 0;
  const rows: FoundRow[][] = [];
  for (const p of plan) {
    if (!p.stmt) {
      rows.push([]);
      continue;
    }
    const page = results[at++]!.results;
    const max = "ids" in p.r ? Infinity : (p.r.max ?? 100_000);
    // A read past one page (a document of more than 1000 lines) is read again in full, page by page.
    if (!("ids" in p.r) && page.length > PAGE && max > PAGE) {
      rows.push(await findRows(rt, p.r.table, p.r.filter, p.r.keys, max));
      continue;
    }
    rows.push(
      page.slice(0, PAGE).map((raw) => {
        const rec = decodeRow(raw, p.fields);
        return {
          id: rec.id,
          version: rec.version,
          values: Object.fromEntries(p.r.keys.map((k, i) => [k, rec.fields[p.fields[i]!.name]])),
        };
      }),
    );
  }
  return { rows, settings: opts.settings ? await rt.settings() : {} };
}
