/**
 * Validating a view definition: it arrives with field names and is stored with field ids (so renaming a
 * field keeps its views working); the schema first, then what a schema cannot say (the table, its
 * fields, kanban and calendar layouts, the roles). Also the pure facts about a stored definition.
 */
import filterSchema from "../../../schemas/filter.schema.json";
import viewSchema from "../../../schemas/view.schema.json";
import type { Filter, ViewInput } from "../../../schemas/types";
import { AppError, invalid, type FieldError } from "../../errors";
import { MAX_FILTER_DEPTH, parseFilter } from "../../query/filter";
import { parseSort } from "../../query/select";
import { findTable, type Registry } from "../registry";
import { findField, type FieldMeta, type Labels, type TableMeta } from "../types";
import { validate } from "../validate";

type ViewType = ViewInput["type"];
export type Layout = NonNullable<ViewInput["layout"]>;

/** What sg_views.definition holds: every field reference is a field id. */
export interface StoredDefinition {
  label: string;
  labels: Labels;
  type: ViewType;
  filter?: Filter;
  sort?: { field: string; direction: "asc" | "desc" }[];
  fields?: string[];
  groupBy?: string;
  layout?: Layout;
}

const GROUPABLE_KANBAN = new Set<FieldMeta["type"]>(["single_select", "user"]);
const SUMMABLE_KANBAN = new Set<FieldMeta["type"]>(["currency", "number"]);
const DATE_TYPES = new Set<FieldMeta["type"]>(["date", "datetime"]);
/** A calendar event's title: one value shown as text (not a link's ids or a list of choices). */
const TITLE_TYPES = new Set<FieldMeta["type"]>([
  "text",
  "long_text",
  "email",
  "phone",
  "url",
  "single_select",
  "autonumber",
  "number",
  "decimal",
  "date",
  "datetime",
]);

export function filterFieldIds(filter: Filter | undefined, out: string[] = []): string[] {
  if (!filter) return out;
  if ("and" in filter) filter.and.forEach((f) => filterFieldIds(f, out));
  else if ("or" in filter) filter.or.forEach((f) => filterFieldIds(f, out));
  else out.push(filter.field);
  return out;
}

export function mapFilter(filter: Filter, fn: (ref: string) => string): Filter {
  if ("and" in filter) return { and: filter.and.map((f) => mapFilter(f, fn)) };
  if ("or" in filter) return { or: filter.or.map((f) => mapFilter(f, fn)) };
  return { ...filter, field: fn(filter.field) };
}

/** Fields that decide which rows and in which order: the caller must be able to read all of them. */
export function deciding(d: StoredDefinition): string[] {
  return [
    ...filterFieldIds(d.filter).filter((f) => f !== "id"),
    ...(d.sort ?? []).map((s) => s.field),
    ...(d.groupBy ? [d.groupBy] : []),
    ...(d.layout?.dateField ? [d.layout.dateField] : []),
    // A calendar shows a record whose span reaches the range: which rows show depends on the end too.
    ...(d.type === "calendar" && d.layout?.endField ? [d.layout.endField] : []),
    ...(d.layout?.swimlaneField ? [d.layout.swimlaneField] : []),
  ];
}

/**
 * The field ids a view shows, or null for every field. A kanban also needs the fields it arranges
 * cards by (columns, swimlanes) and sums, even when its card fields leave them out: moving a card
 * writes its column field, and the column sums measure the sum field.
 */
export function viewFieldIds(d: StoredDefinition): string[] | null {
  if (!d.fields?.length) return null;
  if (d.type !== "kanban" && d.type !== "calendar") return d.fields;
  // A calendar places, titles and colours its events by its layout fields.
  const arranged =
    d.type === "kanban"
      ? [d.groupBy, d.layout?.swimlaneField, d.layout?.sumField]
      : [d.layout?.dateField, d.layout?.endField, d.layout?.titleField, d.layout?.colorField];
  const extra = arranged.filter((id): id is string => !!id && !d.fields!.includes(id));
  return [...d.fields, ...extra];
}

/** Schema first, then what a schema cannot say: the table, its fields, the roles. */
export async function checkDefinition(
  db: D1Database,
  reg: Registry,
  input: unknown,
): Promise<{ name: string; table: TableMeta; def: StoredDefinition; roles: string[] }> {
  const schemaErrors = validate(viewSchema, input, "", [filterSchema]);
  if (schemaErrors.length) throw invalid(schemaErrors, "The view definition is invalid");
  const v = input as ViewInput;
  const table = findTable(reg, v.table);
  if (!table)
    throw invalid(
      [{ field: "table", code: "unknown_table", message: `No table ${JSON.stringify(v.table)}` }],
      "The view definition is invalid",
    );
  const errors: FieldError[] = [];
  const ref = (r: string, path: string): FieldMeta | undefined => {
    const f = findField(table, r);
    if (!f)
      errors.push({
        field: path,
        code: "unknown_field",
        message: `Table ${table.name} has no field ${JSON.stringify(r.slice(0, 64))}`,
      });
    return f;
  };
  const all = () => true;
  let filter: Filter | undefined;
  if (v.filter !== undefined) {
    try {
      parseFilter(v.filter, table, { canRead: all }, "filter");
      // `id` (the record's own id) is no field: it stays as written.
      filter = mapFilter(v.filter, (r) => findField(table, r)?.id ?? r);
      // A caller's filter is AND'ed on as {and: [view, caller]}: leave that level free.
      if (filterDepth(v.filter) >= MAX_FILTER_DEPTH)
        errors.push({
          field: "filter",
          code: "too_deep",
          message: `A view's filter nests at most ${MAX_FILTER_DEPTH - 1} levels deep`,
        });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...(err.errors.length ? err.errors : [{ field: "filter", code: err.code, message: err.message }]));
    }
  }
  const sortRefs = (v.sort ?? []).map((s, i) => ref(s.field, `sort/${i}/field`));
  let sort: StoredDefinition["sort"];
  if (v.sort && sortRefs.every(Boolean)) {
    try {
      parseSort(sortRefs.map((f, i) => `${v.sort![i]!.direction === "desc" ? "-" : ""}${f!.id}`).join(","), table, all);
      sort = v.sort.map((s, i) => ({ field: sortRefs[i]!.id, direction: s.direction ?? "asc" }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...err.errors);
    }
  }
  const fields = v.fields?.map((r, i) => ref(r, `fields/${i}`)?.id ?? "");
  fields?.forEach((id, i) => {
    if (id && fields.indexOf(id) !== i)
      errors.push({ field: `fields/${i}`, code: "duplicate", message: `Field ${v.fields![i]} is listed twice` });
  });
  const groupBy = v.groupBy !== undefined ? ref(v.groupBy, "groupBy") : undefined;
  if (v.type === "kanban" && !(groupBy && GROUPABLE_KANBAN.has(groupBy.type)) && (v.groupBy === undefined || groupBy)) {
    errors.push({
      field: "groupBy",
      code: "kanban_group",
      message: "A kanban groups by a single_select or user field",
    });
  }
  const dateField = v.layout?.dateField !== undefined ? ref(v.layout.dateField, "layout/dateField") : undefined;
  if (
    v.type === "calendar" &&
    !(dateField && DATE_TYPES.has(dateField.type)) &&
    (v.layout?.dateField === undefined || dateField)
  ) {
    errors.push({
      field: "layout/dateField",
      code: "calendar_date",
      message: "A calendar places records by a date or datetime field",
    });
  }
  const calendarField = (
    key: "endField" | "titleField" | "colorField",
    ok: (f: FieldMeta) => boolean,
    code: string,
    what: string,
  ): FieldMeta | undefined => {
    const r = v.layout?.[key];
    if (r === undefined) return undefined;
    if (v.type !== "calendar") {
      errors.push({
        field: `layout/${key}`,
        code: "calendar_only",
        message: `layout.${key} belongs to calendar views`,
      });
      return undefined;
    }
    const f = ref(r, `layout/${key}`);
    if (f && !ok(f))
      errors.push({
        field: `layout/${key}`,
        code,
        message: `A calendar ${what}; ${f.name} is a ${f.type} field`,
        params: { type: f.type },
      });
    return f && ok(f) ? f : undefined;
  };
  const endField = calendarField(
    "endField",
    (f) => DATE_TYPES.has(f.type) && (!dateField || f.type === dateField.type) && f.id !== dateField?.id,
    "calendar_end",
    `ends events at another field of the start's type (${dateField?.type ?? "date or datetime"})`,
  );
  const titleField = calendarField(
    "titleField",
    (f) => TITLE_TYPES.has(f.type),
    "calendar_title",
    "titles events by a field holding one value (not a link or a multi-select)",
  );
  const colorField = calendarField(
    "colorField",
    (f) => f.type === "single_select",
    "calendar_color",
    "colours events by a single_select field's choice colours",
  );
  const kanbanField = (
    key: "sumField" | "swimlaneField",
    types: Set<FieldMeta["type"]>,
    what: string,
  ): FieldMeta | undefined => {
    const r = v.layout?.[key];
    if (r === undefined) return undefined;
    if (v.type !== "kanban") {
      errors.push({ field: `layout/${key}`, code: "kanban_only", message: `layout.${key} belongs to kanban views` });
      return undefined;
    }
    const f = ref(r, `layout/${key}`);
    if (f && !types.has(f.type))
      errors.push({
        field: `layout/${key}`,
        code: `kanban_${key === "sumField" ? "sum" : "swimlane"}`,
        message: `A kanban ${what}; ${f.name} is a ${f.type} field`,
      });
    return f;
  };
  const sumField = kanbanField("sumField", SUMMABLE_KANBAN, "sums a currency or number field");
  const swimlaneField = kanbanField(
    "swimlaneField",
    GROUPABLE_KANBAN,
    "splits swimlanes by a single_select or user field",
  );
  if (swimlaneField && groupBy && swimlaneField.id === groupBy.id)
    errors.push({
      field: "layout/swimlaneField",
      code: "kanban_swimlane",
      message: "The swimlanes need another field than the columns",
    });
  const widths =
    v.layout?.columnWidths &&
    Object.fromEntries(
      Object.entries(v.layout.columnWidths).map(([r, w]) => [
        ref(r, `layout/columnWidths/${r.slice(0, 64)}`)?.id ?? r,
        w,
      ]),
    );
  const roles = [...new Set(v.roles ?? [])];
  if (roles.length) {
    const known = new Set(
      (await db.prepare("SELECT name FROM sg_roles").all<{ name: string }>()).results.map((r) => r.name),
    );
    roles.forEach((r) => {
      if (!known.has(r))
        errors.push({
          field: `roles/${(v.roles ?? []).indexOf(r)}`,
          code: "unknown_role",
          message: `No role ${JSON.stringify(r.slice(0, 64))}`,
        });
    });
  }
  if (errors.length) throw invalid(errors, "The view definition is invalid");
  const layout: Layout | undefined = v.layout && {
    ...v.layout,
    ...(dateField ? { dateField: dateField.id } : {}),
    ...(endField ? { endField: endField.id } : {}),
    ...(titleField ? { titleField: titleField.id } : {}),
    ...(colorField ? { colorField: colorField.id } : {}),
    ...(widths ? { columnWidths: widths } : {}),
    ...(sumField ? { sumField: sumField.id } : {}),
    ...(swimlaneField ? { swimlaneField: swimlaneField.id } : {}),
  };
  const def: StoredDefinition = {
    label: v.label ?? v.labels?.en ?? v.name,
    labels: v.labels ?? {},
    type: v.type,
    ...(filter ? { filter } : {}),
    ...(sort ? { sort } : {}),
    ...(fields ? { fields } : {}),
    ...(groupBy ? { groupBy: groupBy.id } : {}),
    ...(layout ? { layout } : {}),
  };
  return { name: v.name, table, def, roles };
}

function filterDepth(f: Filter): number {
  if ("and" in f) return 1 + Math.max(0, ...f.and.map(filterDepth));
  if ("or" in f) return 1 + Math.max(0, ...f.or.map(filterDepth));
  return 1;
}

/** A view definition checked as a create checks it. */
export type CheckedView = Awaited<ReturnType<typeof checkDefinition>>;
