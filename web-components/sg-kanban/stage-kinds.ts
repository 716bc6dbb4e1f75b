/**
 * Whether a column holds open, won or lost deals. A board learns it from the data, not from a plugin:
 * when its table links to a table that keeps stage lists (a long_text field edited as `stage_list`,
 * e.g. the pipeline plugin's pipelines: [{name, kind: open | won | lost, ...}]), the stages of the
 * lists the viewer may read give each column its kind, by name. A board without one has no kinds.
 */
import type { ApiClient, FieldInfo, TableInfo } from "../api/client";
import { isStageList, parseStages, type StageKind } from "../sg-form/stage-values";
import type { Key } from "./board-model";

export type { StageKind };
export const KINDS: readonly StageKind[] = ["open", "won", "lost"];

/** Stage name -> kind from stage lists (the first list naming a stage decides it). */
export function kindsFrom(lists: unknown[]): Map<string, StageKind> {
  const out = new Map<string, StageKind>();
  for (const raw of lists)
    for (const s of parseStages(raw) ?? [])
      if (typeof s.name === "string" && KINDS.includes(s.kind) && !out.has(s.name)) out.set(s.name, s.kind);
  return out;
}

/** Column keys of each kind, in column order; a column no stage list names has no kind. */
export function columnsByKind(columns: Key[], kinds: Map<string, StageKind>): Record<StageKind, string[]> {
  const out: Record<StageKind, string[]> = { open: [], won: [], lost: [] };
  for (const c of columns) {
    const k = c === null ? undefined : kinds.get(c);
    if (k) out[k].push(c!);
  }
  return out;
}

/** The table and field holding stage lists that `table` links to, if any. */
function stageSource(table: TableInfo, tables: TableInfo[]): { table: TableInfo; field: FieldInfo } | null {
  for (const f of table.fields) {
    if (f.type !== "link") continue;
    const ref = (f.options as { table?: string }).table;
    const target = tables.find((t) => t.id === ref || t.name === ref);
    const field = target?.fields.find((x) =>
      isStageList({ type: x.type, options: x.options as Record<string, unknown> }),
    );
    if (target && field) return { table: target, field };
  }
  return null;
}

/**
 * The kinds of a board's stages: two reads (the tables the viewer sees, then the stage lists), only
 * for a signed-in board; an embed reaches one table, and a failure leaves the board without kinds.
 */
export async function loadStageKinds(api: ApiClient, table: TableInfo): Promise<Map<string, StageKind>> {
  if (api.embedded || !table.fields.some((f) => f.type === "link")) return new Map();
  try {
    const { tables } = await api.tables();
    const src = stageSource(table, tables);
    if (!src) return new Map();
    const { records } = await api.listRecords(src.table.name, { fields: [src.field.name], limit: 100 });
    return kindsFrom(records.map((r) => r.fields[src.field.name]));
  } catch {
    return new Map();
  }
}
