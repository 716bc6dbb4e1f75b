/**
 * The one API client of every element. Methods return the parsed JSON reply and throw ApiError with
 * the server's RFC 9457 problem. Signed-in use carries a session (access token refreshed on a 401
 * through session.ts); embed use (`embedToken`) talks to /api/embed with that token only.
 */
import { Session } from "./session";
import { ApiError } from "./api-error";
import type {
  ApiRecord,
  AppNotification,
  DirectoryUser,
  EmbedViewReply,
  HistoryEntry,
  ListOptions,
  ListReply,
  Problem,
  PublicConfig,
  TableInfo,
  UnreadCount,
  User,
  ViewInfo,
} from "./types";

export type * from "./types";
export { ApiError } from "./api-error";

export interface ApiClientOptions {
  /** Where the Worker is: "" or "/" for the page's own origin, else an absolute URL. */
  baseUrl: string;
  /** An access token (a sign-in session), when the element was given one. */
  token?: string;
  /** An embed token: the element then talks to /api/embed only. */
  embedToken?: string;
  /** The session to use; by default one kept in this tab's sessionStorage. */
  session?: Session;
  fetch?: typeof fetch;
}

const enc = encodeURIComponent;
const USER_ID = /^usr_[a-z0-9]{12}$/;
/** Ids per name request (the server's cap) and names kept per client before the oldest go. */
const NAME_BATCH = 100;
const NAME_CACHE = 5000;

function listQuery(opts: ListOptions = {}): string {
  const q = new URLSearchParams();
  if (opts.filter !== undefined && opts.filter !== null)
    q.set("filter", typeof opts.filter === "string" ? opts.filter : JSON.stringify(opts.filter));
  if (opts.sort !== undefined && opts.sort.length)
    q.set("sort", Array.isArray(opts.sort) ? opts.sort.join(",") : opts.sort);
  if (opts.limit !== undefined) q.set("limit", String(opts.limit));
  if (opts.cursor) q.set("cursor", opts.cursor);
  if (opts.offset) q.set("offset", String(opts.offset));
  if (opts.fields !== undefined) q.set("fields", Array.isArray(opts.fields) ? opts.fields.join(",") : opts.fields);
  if (opts.q) q.set("q", opts.q);
  if (opts.count) q.set("count", "true");
  if (opts.expand !== undefined && opts.expand.length)
    q.set("expand", Array.isArray(opts.expand) ? opts.expand.join(",") : opts.expand);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export class ApiClient {
  readonly baseUrl: string;
  readonly embedToken?: string;
  readonly session: Session;
  private readonly fetchFn: typeof fetch;
  private refreshing: Promise<boolean> | null = null;
  /** User id -> name, or null when the server would not name it (unknown, or not visible to an embed). */
  private readonly names = new Map<string, string | null>();
  private readonly namesPending = new Map<string, Promise<void>>();

  constructor(opts: ApiClientOptions) {
    this.baseUrl = (opts.baseUrl ?? "").replace(/\/+$/, "");
    this.embedToken = opts.embedToken || undefined;
    this.session = opts.session ?? new Session(this.baseUrl);
    if (opts.token) this.session.useToken(opts.token);
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  get embedded(): boolean {
    return this.embedToken !== undefined;
  }

  get signedIn(): boolean {
    return this.embedded || this.session.token !== null;
  }

  // ------------------------------------------------------------------------------ transport

  /** Any route: `request("GET", "/api/admin/users")`. Throws ApiError for a non-2xx reply. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body, this.embedToken ?? this.session.token);
    if (res.status === 401 && !this.embedded && this.session.refreshToken && !path.startsWith("/api/auth/")) {
      if (await this.refresh()) return this.parse<T>(await this.send(method, path, body, this.session.token));
    }
    return this.parse<T>(res);
  }

  private send(method: string, path: string, body: unknown, token: string | null | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    return this.fetchFn(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: unknown) => {
      throw new ApiError(0, {
        title: "Network error",
        status: 0,
        code: "network",
        detail: err instanceof Error ? err.message : String(err),
      });
    });
  }

  private async parse<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const problem =
        json && typeof json === "object"
          ? (json as Problem)
          : { title: res.statusText || `HTTP ${res.status}`, status: res.status, detail: text.slice(0, 300) };
      throw new ApiError(res.status, { ...problem, status: res.status });
    }
    return json as T;
  }

  /** One refresh at a time; false (and the session cleared) when the refresh token is no good. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.session.refreshToken;
      try {
        const res = await this.send("POST", "/api/auth/refresh", { refreshToken }, null);
        if (!res.ok) {
          this.session.clear();
          return false;
        }
        this.session.store(await res.json());
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  // ------------------------------------------------------------------------------ auth

  async login(email: string, password: string): Promise<{ user: User }> {
    const reply = await this.request<{ token: string; refreshToken: string; expiresIn: number; user: User }>(
      "POST",
      "/api/auth/login",
      { email, password },
    );
    this.session.store(reply);
    return { user: reply.user };
  }

  async logout(): Promise<void> {
    const refreshToken = this.session.refreshToken;
    try {
      // Ends this session's refresh-token family on the server; an access token alone just expires.
      if (this.session.token && refreshToken) await this.request("POST", "/api/auth/logout", { refreshToken });
    } finally {
      this.session.clear();
    }
  }

  me(): Promise<{ user: User }> {
    return this.request("GET", "/api/auth/me");
  }

  config(): Promise<PublicConfig> {
    return this.request("GET", "/api/config");
  }

  // ------------------------------------------------------------------------------ meta

  tables(): Promise<{ tables: TableInfo[] }> {
    return this.request("GET", "/api/meta/tables");
  }

  /** A table with its fields as the caller may see them (`access` on the table and each field). */
  async table(ref: string): Promise<{ table: TableInfo }> {
    if (this.embedded) return { table: (await this.embedView()).table };
    return this.request("GET", `/api/meta/tables/${enc(ref)}`);
  }

  views(tableRef?: string): Promise<{ views: ViewInfo[] }> {
    return this.request("GET", `/api/meta/views${tableRef ? `?table=${enc(tableRef)}` : ""}`);
  }

  view(id: string): Promise<{ view: ViewInfo }> {
    return this.request("GET", `/api/meta/views/${enc(id)}`);
  }

  /** Embed mode: the embed's view, its table (fields with access) and whether it may edit. */
  embedView(): Promise<EmbedViewReply> {
    return this.request("GET", "/api/embed/view");
  }

  // ------------------------------------------------------------------------------ records

  listRecords(tableRef: string, opts: ListOptions = {}): Promise<ListReply> {
    if (this.embedded) {
      const { expand: _expand, ...rest } = opts;
      return this.request("GET", `/api/embed/records${listQuery(rest)}`);
    }
    return this.request("GET", `/api/tables/${enc(tableRef)}/records${listQuery(opts)}`);
  }

  /** Records through a view; `expand` names link fields the view shows (not in embeds, which reach one table). */
  viewRecords(viewId: string, opts: ListOptions = {}): Promise<ListReply> {
    if (this.embedded) return this.listRecords("", opts);
    return this.request("GET", `/api/meta/views/${enc(viewId)}/records${listQuery(opts)}`);
  }

  getRecord(
    tableRef: string,
    id: number,
    opts: { fields?: string[]; expand?: string[] } = {},
  ): Promise<{ record: ApiRecord }> {
    const q = new URLSearchParams();
    if (opts.fields?.length) q.set("fields", opts.fields.join(","));
    if (opts.expand?.length) q.set("expand", opts.expand.join(","));
    const s = q.toString();
    return this.request("GET", `/api/tables/${enc(tableRef)}/records/${id}${s ? `?${s}` : ""}`);
  }

  createRecords(tableRef: string, records: { fields: Record<string, unknown> }[]): Promise<{ records: ApiRecord[] }> {
    return this.request("POST", `/api/tables/${enc(tableRef)}/records`, { records });
  }

  /** One record: problems name `fields/<name>`, a 409 carries `current`. */
  createRecord(tableRef: string, fields: Record<string, unknown>): Promise<{ record: ApiRecord }> {
    return this.request("POST", `/api/tables/${enc(tableRef)}/records`, { fields });
  }

  updateRecords(
    tableRef: string,
    records: { id: number; version: number; fields: Record<string, unknown> }[],
  ): Promise<{ records: ApiRecord[] }> {
    if (this.embedded) return this.request("PATCH", "/api/embed/records", { records });
    return this.request("PATCH", `/api/tables/${enc(tableRef)}/records`, { records });
  }

  updateRecord(
    tableRef: string,
    id: number,
    version: number,
    fields: Record<string, unknown>,
  ): Promise<{ record: ApiRecord }> {
    return this.request("PATCH", `/api/tables/${enc(tableRef)}/records/${id}`, { version, fields });
  }

  deleteRecords(tableRef: string, records: { id: number; version?: number }[]): Promise<unknown> {
    return this.request("DELETE", `/api/tables/${enc(tableRef)}/records`, { records });
  }

  history(
    tableRef: string,
    id: number,
    opts: { limit?: number; before?: number } = {},
  ): Promise<{ history: HistoryEntry[]; nextBefore: number | null }> {
    const q = new URLSearchParams();
    if (opts.limit) q.set("limit", String(opts.limit));
    if (opts.before) q.set("before", String(opts.before));
    const s = q.toString();
    return this.request("GET", `/api/tables/${enc(tableRef)}/records/${id}/history${s ? `?${s}` : ""}`);
  }

  aggregate(tableRef: string, body: unknown): Promise<unknown> {
    return this.request("POST", `/api/tables/${enc(tableRef)}/aggregate`, body);
  }

  // ------------------------------------------------------------------------------ people

  /** The user directory (signed-in only; an embed cannot list it): active users by name, `q` a prefix. */
  async users(
    opts: { q?: string; limit?: number; cursor?: string | null } = {},
  ): Promise<{ users: DirectoryUser[]; nextCursor: string | null }> {
    const q = new URLSearchParams();
    if (opts.q?.trim()) q.set("q", opts.q.trim());
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    if (opts.cursor) q.set("cursor", opts.cursor);
    const s = q.toString();
    const reply = await this.request<{ users: DirectoryUser[]; nextCursor: string | null }>(
      "GET",
      `/api/users${s ? `?${s}` : ""}`,
    );
    for (const u of reply.users) this.remember(u.id, u.name);
    return reply;
  }

  /**
   * Names for user ids, from this client's cache or the server (the directory when signed in; in an
   * embed, only people on rows the embed shows). Ids the server does not name are left out.
   */
  async userNames(ids: Iterable<string>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids)].filter((id) => USER_ID.test(id));
    const missing = wanted.filter((id) => !this.names.has(id) && !this.namesPending.has(id));
    const path = this.embedded ? "/api/embed/users" : "/api/users";
    for (let i = 0; i < missing.length; i += NAME_BATCH) {
      const chunk = missing.slice(i, i + NAME_BATCH);
      const p = this.request<{ users: DirectoryUser[] }>("GET", `${path}?ids=${chunk.map(enc).join(",")}`)
        .then((reply) => {
          const named = new Map(reply.users.map((u) => [u.id, u.name]));
          for (const id of chunk) this.remember(id, named.get(id) ?? null);
        })
        .finally(() => chunk.forEach((id) => this.namesPending.delete(id)));
      for (const id of chunk) this.namesPending.set(id, p);
    }
    await Promise.all(new Set(wanted.map((id) => this.namesPending.get(id)).filter((p): p is Promise<void> => !!p)));
    const out = new Map<string, string>();
    for (const id of wanted) {
      const name = this.names.get(id);
      if (name) out.set(id, name);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ notifications

  /** The signed-in user's notifications, newest first; `cursor` is the previous page's nextCursor. */
  notifications(
    opts: { limit?: number; cursor?: string | null; unread?: boolean } = {},
  ): Promise<{ notifications: AppNotification[]; nextCursor: string | null }> {
    const q = new URLSearchParams();
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    if (opts.cursor) q.set("cursor", opts.cursor);
    if (opts.unread) q.set("unread", "true");
    const s = q.toString();
    return this.request("GET", `/api/notifications${s ? `?${s}` : ""}`);
  }

  unreadNotifications(): Promise<UnreadCount> {
    return this.request("GET", "/api/notifications/unread-count");
  }

  /** Marks the given notifications (or all) read; answers the unread count after. */
  markNotificationsRead(target: { ids: number[] } | { all: true }): Promise<UnreadCount & { updated: number }> {
    return this.request("POST", "/api/notifications/read", target);
  }

  private remember(id: string, name: string | null): void {
    this.names.delete(id);
    this.names.set(id, name);
    // Oldest first out, so a long session does not grow the cache without end.
    if (this.names.size > NAME_CACHE) this.names.delete(this.names.keys().next().value!);
  }
}
