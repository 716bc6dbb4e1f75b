/**
 * Names for a filter's operands, so a condition on a user or a link reads "Alice Chen" or "Acme Ltd",
 * not an id: colleagues from the user directory, linked records by their table's primary field
 * ("(no access)" for one the viewer may not read). The API client is the builder's own `api`, else
 * the one of the element it sits in (a grid, a board, the admin console all hold `.api`).
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiClient } from "../api/client";
import type { UserOption } from "./filter-builder";

/** The nearest `.api` up the tree, across shadow roots. */
export function findApi(el: Element): ApiClient | undefined {
  let node: Node | null = el;
  while (node) {
    const api = (node as { api?: unknown }).api;
    if (node !== el && api instanceof ApiClient) return api;
    node = (node as Element).parentElement ?? ((node.getRootNode() as ShadowRoot).host as Node | undefined) ?? null;
  }
  return undefined;
}

export class FilterNamesController implements ReactiveController {
  /** Colleagues from the directory, once asked for (null: not loaded). */
  directory: UserOption[] | null = null;
  /** `${table}:${id}` -> primary text, or null when not readable. */
  private readonly links = new Map<string, string | null>();
  private readonly primaries = new Map<string, Promise<string>>();
  private loadingUsers = false;

  constructor(
    private readonly host: ReactiveControllerHost & Element,
    private readonly own: () => ApiClient | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  get api(): ApiClient | undefined {
    return this.own() ?? findApi(this.host);
  }

  /** The directory's colleagues, loaded on first use; the host renders again when they arrive. */
  users(): UserOption[] {
    const api = this.api;
    if (this.directory === null && api && !api.embedded && !this.loadingUsers) {
      this.loadingUsers = true;
      api.users({ limit: 200 }).then(
        (r) => {
          this.directory = r.users.map((u) => ({ id: u.id, name: u.name }));
          this.host.requestUpdate();
        },
        () => (this.directory = []),
      );
    }
    return this.directory ?? [];
  }

  /** A linked record's name: a string, null (no access), or undefined while it loads. */
  linkName(table: string, id: number): string | null | undefined {
    const key = `${table}:${id}`;
    if (this.links.has(key)) return this.links.get(key);
    const api = this.api;
    if (!api) return undefined;
    this.links.set(key, undefined as unknown as string);
    void this.primary(api, table)
      .then(async (field) => {
        const { record } = await api.getRecord(table, id, { fields: field ? [field] : [] });
        const v = field ? record.fields[field] : undefined;
        return v === undefined || v === null || v === "" ? `#${id}` : String(v);
      })
      // 403/404: a record the viewer may not read (or that is gone) is never shown by its id.
      .catch(() => null)
      .then((name) => {
        this.links.set(key, name);
        this.host.requestUpdate();
      });
    return undefined;
  }

  /** Remembers a name the user just picked, so it shows without a round trip. */
  rememberLink(table: string, id: number, name: string): void {
    this.links.set(`${table}:${id}`, name);
  }

  private primary(api: ApiClient, table: string): Promise<string> {
    let p = this.primaries.get(table);
    if (!p) {
      p = api.table(table).then(({ table: t }) => t.fields.find((f) => f.id === t.primaryFieldId)?.name ?? "");
      this.primaries.set(table, p);
    }
    return p;
  }
}
