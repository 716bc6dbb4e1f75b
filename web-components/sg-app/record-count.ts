/** The record count of the table (or view) shown, from the server, for the toolbar. */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient, TableInfo, ViewInfo } from "../api/client";

export class RecordCount implements ReactiveController {
  /** null until the server answered for the table shown. */
  value: number | null = null;
  private key = "";

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Asks the server when the table or view changed (or after `reset`); called from willUpdate, never render. */
  refresh(api: ApiClient, table: TableInfo, view?: ViewInfo): void {
    const key = `${table.name}|${view?.id ?? ""}`;
    if (key === this.key) return;
    this.key = key;
    this.value = null;
    const req = view
      ? api.viewRecords(view.id, { limit: 1, count: true, fields: [] })
      : api.listRecords(table.name, { limit: 1, count: true });
    req.then(
      (r) => {
        if (this.key === key) {
          this.value = r.total ?? null;
          this.host.requestUpdate();
        }
      },
      () => undefined,
    );
  }

  /** Records were created or deleted: count again at the next update. */
  reset(): void {
    this.key = "";
    this.host.requestUpdate();
  }
}
