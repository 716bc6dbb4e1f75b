/**
 * Names for the ids grid cells hold, so a cell never shows an internal id: users by name (the API
 * client's directory cache), linked records by their table's primary field. A page read with `expand`
 * names its links already; a write is answered with bare ids, and those are looked up here once each
 * (a record the viewer may not read, or that is gone, is remembered as null: "(no access)"). Lookups
 * are gathered for a moment and the cells drawn again when they arrive.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient } from "../api/client";
import { msg } from "../i18n/index";
import type { CellNames, GridField } from "./values";

export interface NamesHost {
  client(): ApiClient;
  field(name: string): GridField | undefined;
  /** Names arrived: draw the cells again. */
  changed(): void;
}

export class GridNamesController implements ReactiveController, CellNames {
  /** Id -> name; null: the server would not name them; undefined: being asked. */
  private readonly users = new Map<string, string | null | undefined>();
  /** `${field}:${id}` -> the target's primary value; null: the viewer may not read it; undefined: being asked. */
  private readonly links = new Map<string, string | null | undefined>();
  private readonly primaries = new Map<string, Promise<string>>();
  private wantedUsers = new Set<string>();
  private wantedLinks = new Map<string, Set<number>>();
  private queued = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly h: NamesHost,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  noAccess(): string {
    return msg("(no access)", { id: "grid.noAccess" });
  }

  user(id: string): string | null | undefined {
    if (this.users.has(id)) return this.users.get(id);
    this.wantedUsers.add(id);
    this.queue();
    return undefined;
  }

  link(field: string, id: number): string | null | undefined {
    const key = `${field}:${id}`;
    if (this.links.has(key)) return this.links.get(key);
    const set = this.wantedLinks.get(field) ?? new Set<number>();
    set.add(id);
    this.wantedLinks.set(field, set);
    this.queue();
    return undefined;
  }

  private queue(): void {
    if (this.queued) return;
    this.queued = true;
    setTimeout(() => void this.flush(), 0);
  }

  private async flush(): Promise<void> {
    this.queued = false;
    const users = [...this.wantedUsers];
    const links = [...this.wantedLinks];
    this.wantedUsers = new Set();
    this.wantedLinks = new Map();
    const client = this.h.client();
    // Marked as asked at once, so a render meanwhile does not ask again.
    for (const id of users) this.users.set(id, undefined);
    const work: Promise<unknown>[] = [];
    if (users.length) {
      work.push(
        client.userNames(users).then(
          (named) => users.forEach((id) => this.users.set(id, named.get(id) ?? null)),
          () => users.forEach((id) => this.users.set(id, null)),
        ),
      );
    }
    for (const [field, ids] of links) {
      const target = this.h.field(field)?.options.table;
      // An embed reaches one table only: its links stay unnamed.
      for (const id of ids) this.links.set(`${field}:${id}`, target && !client.embedded ? undefined : null);
      if (!target || client.embedded) continue;
      work.push(
        this.primary(client, target).then((primary) =>
          Promise.all(
            [...ids].map((id) =>
              client
                .getRecord(target, id, { fields: primary ? [primary] : [] })
                .then(({ record }) => {
                  const v = primary ? record.fields[primary] : undefined;
                  return v === undefined || v === null || v === "" ? `#${id}` : String(v);
                })
                // 403/404: a record the viewer may not read (or that is gone) is never shown by its id.
                .catch(() => null)
                .then((name) => this.links.set(`${field}:${id}`, name)),
            ),
          ),
        ),
      );
    }
    await Promise.allSettled(work);
    this.h.changed();
  }

  private primary(client: ApiClient, table: string): Promise<string> {
    let p = this.primaries.get(table);
    if (!p) {
      p = client
        .table(table)
        .then(({ table: t }) => (t.fields.find((f) => f.id === t.primaryFieldId) ?? t.fields[0])?.name ?? "")
        .catch(() => "");
      this.primaries.set(table, p);
    }
    return p;
  }
}
