/**
 * Where a calendar's data comes from and where its moves go: a saved view (its events endpoint, the
 * records API) or an embed token (the embed API, narrowed by the server). The server decides what
 * each caller sees and may move; this module only routes and words the layout.
 */
import type { CalendarEvents } from "../../schemas/types";
import type { ApiClient, ApiRecord, FieldInfo, TableInfo, ViewInfo } from "../api/client";

/** The view's layout resolved against the table's fields as the caller sees them. */
export interface CalendarLayout {
  start: FieldInfo | null;
  end: FieldInfo | null;
}

export interface CalendarMeta {
  table: TableInfo;
  view: ViewInfo;
  mode: "read" | "edit";
  layout: CalendarLayout;
}

/** The plugin action that moves one occurrence of a recurring task (plugins/tasks). */
const MOVE_OCCURRENCE = "/api/actions/tasks/move-occurrence";

export class CalendarData {
  constructor(
    readonly api: ApiClient,
    readonly view: string,
  ) {}

  async meta(): Promise<CalendarMeta> {
    let table: TableInfo;
    let view: ViewInfo;
    let mode: "read" | "edit" = "edit";
    if (this.api.embedded) {
      const r = await this.api.embedView();
      table = r.table;
      view = r.view;
      mode = r.mode;
    } else {
      view = (await this.api.view(this.view)).view;
      table = (await this.api.table(view.tableId || view.table)).table;
    }
    const layout = (view.layout ?? {}) as Record<string, unknown>;
    const field = (name: unknown) => table.fields.find((f) => f.name === name) ?? null;
    return { table, view, mode, layout: { start: field(layout.dateField), end: field(layout.endField) } };
  }

  /** Events whose start or span reaches [from, to): ISO strings with the calendar zone's offset. */
  events(from: string, to: string): Promise<CalendarEvents> {
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    return this.api.embedded
      ? this.api.request("GET", `/api/embed/events?${q}`)
      : this.api.request("GET", `/api/meta/views/${encodeURIComponent(this.view)}/events?${q}`);
  }

  /** A whole record moved: a versioned update of its start and end fields. */
  async moveRecord(table: string, id: number, version: number, fields: Record<string, unknown>): Promise<ApiRecord> {
    const reply = await this.api.updateRecords(table, [{ id, version, fields }]);
    const saved = reply.records[0];
    if (!saved) throw new Error("The server did not return the moved record");
    return saved;
  }

  /** One occurrence of a recurring record moved, leaving the rest of its series. */
  moveOccurrence(task: number, occurrence: string, start: string, end: string | null): Promise<unknown> {
    return this.api.request("POST", MOVE_OCCURRENCE, { task, occurrence, start, end });
  }
}
