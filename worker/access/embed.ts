/**
 * What an embed token reaches: its creator's current access to the view's table, narrowed to the
 * view. Fields: the view's columns the creator may read. Rows, for every operation: the creator's
 * row rule AND the view's filter AND the token's filter. Operations: read; update only in edit mode
 * and only of view fields the creator may write; never create or delete, and never link fields,
 * whose writes reach another table. The pipelines take the narrowing as `narrow` on their context,
 * so a request through an embed cannot select, filter, sort, search or count anything outside it.
 */
import type { Principal } from "../auth/principal";
import type { EmbedToken } from "../auth/embed";
import { AppError, forbidden, notFound } from "../errors";
import { findTable, type Registry } from "../model/registry";
import type { FieldMeta, TableMeta } from "../model/types";
import { canOpenView, viewFieldIds, type ViewMeta } from "../model/views";
import { parseFilter, type FilterNode } from "../query/filter";
import { tableAccess, type TableAccess } from "./index";

export interface EmbedScope {
  table: TableMeta;
  /** The narrowed access, for shaping replies. */
  access: TableAccess;
  /** Hands the pipelines the same narrowing for the access they compute themselves. */
  narrow: (a: TableAccess) => TableAccess;
  /** The scope's fields in the view's column order. */
  fields: FieldMeta[];
}

const NOTHING: FilterNode = { kind: "or", children: [] };

function and(parts: (FilterNode | null)[]): FilterNode | null {
  const present = parts.filter((p): p is FilterNode => p !== null);
  return present.length === 0 ? null : present.length === 1 ? present[0]! : { kind: "and", children: present };
}

/** A stored filter (field ids) as the creator may apply it now; a field they lost makes the embed refuse. */
function storedFilter(
  filter: unknown,
  table: TableMeta,
  base: TableAccess,
  whose: string,
  user: string,
  timeZone: string,
): FilterNode | null {
  if (filter === undefined || filter === null) return null;
  try {
    // `$user` is the creator: an embed shows what its creator's view shows them.
    return parseFilter(filter, table, { canRead: (f) => base.canRead(f), user, timeZone }, "filter");
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw forbidden(
      "use this embed",
      `The ${whose} filter refers to a field the embed's creator can no longer read; ask an admin for a new embed token`,
    );
  }
}

function denyAll(table: TableMeta): TableAccess {
  return {
    table,
    may: () => false,
    canRead: () => false,
    canWrite: () => false,
    rowFilter: () => NOTHING,
    reason: () => "An embed token reaches only its own view's table",
  };
}

/** Throws 403 when the creator may no longer open the view, 404 when its table is gone. */
export function embedScope(principal: Principal, reg: Registry, view: ViewMeta, embed: EmbedToken): EmbedScope {
  if (principal.embed?.tokenId !== embed.id || view.id !== embed.viewId)
    throw forbidden("use this embed", "The embed token does not belong to this view");
  if (!canOpenView(principal, reg, view))
    throw forbidden("open this view", "The embed's creator may no longer open this view");
  const table = findTable(reg, view.tableId);
  if (!table) throw notFound(`The table of view ${view.name}`, "view");
  const base = tableAccess(principal, table, reg);
  const rows = and([
    storedFilter(view.definition.filter, table, base, "view's", principal.userId, principal.timeZone),
    storedFilter(embed.filter, table, base, "embed token's", principal.userId, principal.timeZone),
  ]);
  const shown = viewFieldIds(view.definition);
  const listed = shown ? new Set(shown) : null;
  const inView = (f: FieldMeta) => f.tableId === table.id && (!listed || listed.has(f.id));
  const edit = embed.mode === "edit";

  const narrow = (a: TableAccess): TableAccess => {
    if (a.table.id !== table.id) return denyAll(a.table);
    return {
      table: a.table,
      may: (op) => (op === "read" ? a.may("read") : op === "update" ? edit && a.may("update") : false),
      canRead: (f) => inView(f) && a.canRead(f),
      canWrite: (f) => edit && inView(f) && f.type !== "link" && a.canRead(f) && a.canWrite(f),
      rowFilter: (op) => and([a.rowFilter(op), rows]),
      reason: (op) =>
        op === "read"
          ? a.reason(op)
          : op === "update"
            ? edit
              ? a.reason(op)
              : "This embed token is read-only"
            : `An embed token does not ${op} records`,
    };
  };
  const access = narrow(base);
  const order = listed ? [...listed] : table.fields.map((f) => f.id);
  const fields = order
    .map((id) => table.fields.find((f) => f.id === id))
    .filter((f): f is FieldMeta => !!f && access.canRead(f));
  return { table, access, narrow, fields };
}
