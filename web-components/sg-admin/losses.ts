/**
 * What a deletion in the admin console loses, counted from the server before asking: a table's
 * records and views, the records holding a value in a field, the live embed tokens of a view. The
 * confirmation dialog (sg-app/confirm-dialog.ts) names them; Cancel is the default answer.
 */
import type { ApiClient, FieldInfo, ViewInfo } from "../api/client";
import { formatNumber, labelOf, msg, str } from "../i18n/index";
import { askConfirm } from "../sg-app/confirm-dialog";
import type { AdminApi } from "./admin-api";

async function count(api: ApiClient, table: string, filter?: unknown): Promise<number | null> {
  try {
    return (
      (await api.listRecords(table, { limit: 1, count: true, fields: [], ...(filter ? { filter } : {}) })).total ?? null
    );
  } catch {
    return null; // the question is still asked, without the number
  }
}

const n = (x: number | null) => (x === null ? "?" : formatNumber(x));

export async function confirmTableDelete(
  host: HTMLElement,
  admin: AdminApi,
  t: { name: string; id: string; label?: string; labels?: Record<string, string> | null },
): Promise<boolean> {
  const [records, views] = await Promise.all([
    count(admin.api, t.name),
    admin.views(t.id).then(
      (v) => v.length,
      () => null,
    ),
  ]);
  return askConfirm(host, {
    title: msg(str`Delete the table ${labelOf(t)}?`, { id: "admin.confirm.tableTitle" }),
    lines: [
      msg(
        str`Its ${n(records)} records and ${n(views)} views are hidden from everyone, and links to it stop showing.`,
        {
          id: "admin.confirm.tableLoss",
        },
      ),
      msg("Nothing is erased yet: an administrator can restore it from the deleted tables.", {
        id: "admin.confirm.tableRestore",
      }),
    ],
    confirm: msg("Delete table", { id: "admin.table.delete" }),
    danger: true,
  });
}

export async function confirmFieldDelete(
  host: HTMLElement,
  admin: AdminApi,
  table: string,
  f: FieldInfo,
): Promise<boolean> {
  // How many records hold a value: checkboxes have no "is not empty", so count the ticked ones.
  const filter =
    f.type === "checkbox" ? { field: f.name, op: "eq", value: true } : { field: f.name, op: "is_not_empty" };
  const held = await count(admin.api, table, filter);
  return askConfirm(host, {
    title: msg(str`Delete the field ${labelOf(f)}?`, { id: "admin.confirm.fieldTitle" }),
    lines: [
      msg(
        str`${n(held)} records hold a value in it; the values, and filters, views and rules that use it, stop working.`,
        {
          id: "admin.confirm.fieldLoss",
        },
      ),
      msg("The values are kept until it is purged: restore it from the deleted fields.", {
        id: "admin.confirm.fieldRestore",
      }),
    ],
    confirm: msg("Delete field", { id: "admin.confirm.fieldDelete" }),
    danger: true,
  });
}

export async function confirmViewDelete(host: HTMLElement, admin: AdminApi, v: ViewInfo): Promise<boolean> {
  const now = Date.now();
  const live = await admin.embeds(v.id).then(
    (list) => list.filter((e) => !e.revokedAt && Date.parse(e.expiresAt) > now).length,
    () => null,
  );
  return askConfirm(host, {
    title: msg(str`Delete the view ${labelOf(v)}?`, { id: "admin.confirm.viewTitle" }),
    lines: [
      msg(str`Its columns, filter and sort are lost, and its ${n(live)} embed tokens stop working at once.`, {
        id: "admin.confirm.viewLoss",
      }),
      msg("No records are deleted.", { id: "admin.confirm.viewRecords" }),
    ],
    confirm: msg("Delete view", { id: "admin.confirm.viewDelete" }),
    danger: true,
  });
}
