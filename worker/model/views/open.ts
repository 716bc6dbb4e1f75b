/**
 * Who may open a view (one rule for the API and embed tokens), the view as a caller sees it, and
 * records and aggregates read through a view under the caller's own grants.
 */
import { callerAccess, tableAccess, type TableAccess } from "../../access";
import type { Principal } from "../../auth/principal";
import { AppError, badRequest, notFound } from "../../errors";
import { parseFilter } from "../../query/filter";
import { aggregateRecords } from "../../records/aggregate";
import { listRecords, type ListOptions, type ReadContext } from "../../records/read";
import { findTable, type Registry } from "../registry";
import type { TableMeta } from "../types";
import { deciding, mapFilter, viewFieldIds } from "./definition";
import type { ViewMeta } from "./store";

/**
 * Admins open every view. Others need one of the view's roles, read access to its live table, and
 * read access to every field the view filters, sorts or groups on: a view must not let them infer
 * hidden values from which rows it shows. An embed principal opens only its own view.
 */
export function canOpenView(principal: Principal, reg: Registry, view: ViewMeta): boolean {
  if (principal.embed && principal.embed.viewId !== view.id) return false;
  if (principal.isAdmin) return true;
  const table = findTable(reg, view.tableId);
  if (!table || !view.roles.some((r) => principal.roles.includes(r))) return false;
  const access = tableAccess(principal, table, reg);
  if (!access.may("read")) return false;
  const readable = (id: string) => {
    const f = table.fields.find((x) => x.id === id);
    return !!f && access.canRead(f);
  };
  if (!deciding(view.definition).every(readable)) return false;
  // A field list the caller can read none of would fall back to every field: refuse instead.
  return !view.definition.fields?.length || view.definition.fields.some(readable);
}

/** The view as `principal` sees it: field names, fields they cannot read dropped from the column list. */
export function viewReply(view: ViewMeta, principal: Principal, reg: Registry) {
  const t = view.table;
  const access = t && !principal.isAdmin ? tableAccess(principal, t, reg) : null;
  const field = (id: string) => t?.fields.find((f) => f.id === id);
  const shown = (id: string) => {
    const f = field(id);
    return access ? !!f && access.canRead(f) : true;
  };
  // A field deleted since keeps its id, so an admin sees what to repair.
  const name = (id: string) => field(id)?.name ?? id;
  const d = view.definition;
  const layout = d.layout && {
    ...d.layout,
    ...(d.layout.dateField ? { dateField: name(d.layout.dateField) } : {}),
    ...(d.layout.swimlaneField ? { swimlaneField: name(d.layout.swimlaneField) } : {}),
    ...(d.layout.endField ? { endField: name(d.layout.endField) } : {}),
    // Not deciding fields: a viewer who cannot read them sees events without titles or colours.
    ...(d.layout.titleField ? { titleField: shown(d.layout.titleField) ? name(d.layout.titleField) : undefined } : {}),
    ...(d.layout.colorField ? { colorField: shown(d.layout.colorField) ? name(d.layout.colorField) : undefined } : {}),
    // Not a deciding field: a viewer who cannot read it sees the board without sums.
    ...(d.layout.sumField ? { sumField: shown(d.layout.sumField) ? name(d.layout.sumField) : undefined } : {}),
    ...(d.layout.columnWidths
      ? {
          columnWidths: Object.fromEntries(
            Object.entries(d.layout.columnWidths)
              .filter(([id]) => shown(id))
              .map(([id, w]) => [name(id), w]),
          ),
        }
      : {}),
  };
  return {
    id: view.id,
    name: view.name,
    label: d.label,
    labels: d.labels,
    table: t?.name ?? view.tableId,
    tableId: view.tableId,
    type: d.type,
    ...(d.filter ? { filter: mapFilter(d.filter, name) } : {}),
    ...(d.sort ? { sort: d.sort.map((s) => ({ field: name(s.field), direction: s.direction })) } : {}),
    ...(d.fields ? { fields: d.fields.filter(shown).map(name) } : {}),
    ...(d.groupBy ? { groupBy: name(d.groupBy) } : {}),
    ...(layout ? { layout } : {}),
    roles: view.roles,
    version: view.version,
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    updatedAt: view.updatedAt,
  };
}

/**
 * Records through a view: the view's filter AND the caller's (never instead of it), the view's sort
 * unless the caller sorts, and the view's columns (a caller may narrow them, not widen them).
 * The caller's own grants (row rules, hidden fields) still apply inside listRecords.
 */
export async function listViewRecords(ctx: ReadContext, view: ViewMeta, opts: ListOptions) {
  const table = findTable(ctx.reg, view.tableId);
  if (!table) throw notFound(`Table of view ${view.name}`, "table");
  const d = view.definition;
  let filter = opts.filter;
  if (d.filter && opts.filter) {
    let callerFilter: unknown;
    try {
      callerFilter = JSON.parse(opts.filter);
    } catch {
      throw new AppError("invalid_json", "filter is not valid JSON", [
        { field: "filter", code: "invalid_json", message: "filter must be JSON" },
      ]);
    }
    filter = JSON.stringify({ and: [d.filter, callerFilter] });
  } else if (d.filter) filter = JSON.stringify(d.filter);
  const sort = opts.sort ?? d.sort?.map((s) => `${s.direction === "desc" ? "-" : ""}${s.field}`).join(",");
  let fields = opts.fields;
  const listed = viewFieldIds(d);
  const access = callerAccess(ctx, table);
  const expand = opts.expand ? viewExpand(table, listed, access, opts.expand) : undefined;
  if (listed) {
    const mine = table.fields.filter((f) => listed.includes(f.id) && access.canRead(f));
    const wanted = opts.fields
      ? opts.fields
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    for (const w of wanted) {
      if (!mine.some((f) => f.id === w || f.name === w)) {
        throw new AppError("unknown_field", `View ${view.name} has no field ${JSON.stringify(w.slice(0, 64))}`, [
          { field: "fields", code: "unknown_field", message: `No field ${JSON.stringify(w.slice(0, 64))}` },
        ]);
      }
    }
    if (!wanted.length) fields = mine.map((f) => f.id).join(",");
  }
  return listRecords(ctx, table, { ...opts, filter, sort, fields, expand });
}

/**
 * `expand` through a view: only link fields the view shows (and the caller reads). The records
 * pipeline then expands them under the caller's access to the linked table, as the records list does.
 */
function viewExpand(table: TableMeta, listed: string[] | null, access: TableAccess, raw: string): string {
  const shown = table.fields.filter((f) => (!listed || listed.includes(f.id)) && access.canRead(f));
  const wanted = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  return wanted
    .map((w) => {
      const f = shown.find((x) => x.id === w || x.name === w);
      if (!f) throw badRequest("expand", `The view shows no field ${JSON.stringify(w.slice(0, 64))}`, "unknown_field");
      if (f.type !== "link") throw badRequest("expand", `${f.name} is not a link field`, "not_link");
      return f.id;
    })
    .join(",");
}

/**
 * Aggregates through a view: the view's filter AND the caller's, over the view's fields only (when it
 * lists any), so a kanban board's column sums match its cards. The caller's grants still apply.
 */
export async function aggregateViewRecords(ctx: ReadContext, view: ViewMeta, body: unknown) {
  const table = findTable(ctx.reg, view.tableId);
  if (!table) throw notFound(`Table of view ${view.name}`, "table");
  const d = view.definition;
  // canOpenView has checked that the caller may read every field the view filters on.
  const filter = d.filter
    ? parseFilter(
        d.filter,
        table,
        { canRead: () => true, user: ctx.principal.userId, timeZone: ctx.principal.timeZone },
        "view/filter",
      )
    : null;
  const listed = viewFieldIds(d);
  return aggregateRecords(ctx, table, body, { filter, fields: listed ? new Set(listed) : null });
}
