/**
 * What the pickers of the grid's cells offer: a link cell searches its target table (shown by the
 * target's primary field), a user cell the user directory, or, where there is none (an embed), the
 * people already on screen; a single select its choices by their label in the UI's language.
 */
import type { ApiClient, ApiRecord } from "../api/client";
import { labelOf } from "../i18n/index";
import type { CellContext } from "./cells";
import type { GridField } from "./values";

/** Options for a field's picker; undefined for fields that have none. */
export function pickerSearch(
  client: ApiClient,
  f: GridField,
  rows: { rowAt(row: number): ApiRecord | undefined; total(): number },
): CellContext["search"] {
  if (f.type === "link" && f.options.table && !client.embedded) {
    const target = f.options.table;
    return async (text) => {
      const reply = await client.listRecords(target, { q: text || undefined, limit: 20 });
      const t = (await client.table(target).catch(() => null))?.table;
      const primary = t?.fields.find((x) => x.id === t.primaryFieldId) ?? t?.fields[0];
      return reply.records.map((r) => ({
        id: String(r.id),
        label: `#${r.id} ${primary ? String(r.fields[primary.name] ?? "") : ""}`.trim(),
      }));
    };
  }
  if (f.type === "single_select") {
    return async (text) => {
      const choices = f.options.choices ?? [];
      const want = text.trim().toLowerCase();
      // The editor opens with the current choice's name: offer every choice then.
      const all = !want || choices.some((c) => c.name.toLowerCase() === want);
      return choices
        .filter((c) => all || labelOf(c).toLowerCase().includes(want) || c.name.toLowerCase().includes(want))
        .map((c) => ({ id: c.name, label: labelOf(c) }));
    };
  }
  if (f.type === "user") {
    return async (text) => {
      // The user directory (GET /api/users?q=, for signed-in users; an embed has none): then the
      // users already on screen.
      try {
        const reply = await client.users({ ...(text ? { q: text } : {}), limit: 50 });
        return reply.users.map((u) => ({ id: u.id, label: u.email ? `${u.name} <${u.email}>` : u.name }));
      } catch {
        const seen = new Set<string>();
        for (let r = 0; r < rows.total() && seen.size < 50; r++) {
          const v = rows.rowAt(r)?.fields[f.name];
          if (typeof v === "string") seen.add(v);
          if (r > 2000) break;
        }
        return [...seen].filter((id) => id.includes(text)).map((id) => ({ id, label: id }));
      }
    };
  }
  return undefined;
}
