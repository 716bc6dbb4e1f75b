/** The app's place, kept in the URL hash so reload, back and links work without server routes. */
import type { TableInfo, ViewInfo } from "../api/client";

export type Route =
  | { kind: "home" }
  | { kind: "table"; table: string; record?: number | "new" }
  | { kind: "view"; view: string; record?: number | "new" }
  | { kind: "admin"; section?: string }
  | { kind: "profile" }
  /** A quote or order as a document (sg-quote): `#/quotes/12`, `#/orders/7`. */
  | { kind: "doc"; doc: "quote" | "order"; id: number }
  /** Its printable page (sg-print), in a language when the address names one: `#/print/quotes/12/zh-CN`. */
  | { kind: "print"; doc: "quote" | "order"; id: number; lang?: string }
  /** Inventory (sg-stock): the stock grid `#/stock`, an order's ship form `#/ship/7`, the receive form `#/receive`. */
  | { kind: "stock" }
  | { kind: "ship"; order: number }
  /** An order's printable pick list for the warehouse (sg-stock), drawn without the shell: `#/pick/7`. */
  | { kind: "pick"; order: number }
  | { kind: "receive" };

/**
 * `#/t/customers`, `#/t/customers/r/12`, `#/t/customers/new`, `#/v/<id>`, `#/admin/people`, `#/profile`,
 * `#/quotes/12`, `#/orders/7`, `#/print/quotes/12`, `#/print/orders/7/en`.
 */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const record = (i: number): number | "new" | undefined => {
    if (parts[i] === "new") return "new";
    if (parts[i] === "r" && /^[1-9]\d{0,15}$/.test(parts[i + 1] ?? "")) return Number(parts[i + 1]);
    return undefined;
  };
  if (parts[0] === "t" && parts[1]) return { kind: "table", table: parts[1], record: record(2) };
  if (parts[0] === "v" && parts[1]) return { kind: "view", view: parts[1], record: record(2) };
  if (parts[0] === "admin") return { kind: "admin", section: parts[1] };
  if (parts[0] === "profile") return { kind: "profile" };
  const id = (p?: string) => (/^[1-9]\d{0,15}$/.test(p ?? "") ? Number(p) : 0);
  const doc = (t?: string) => (t === "quotes" ? "quote" : t === "orders" ? "order" : null);
  const d0 = doc(parts[0]);
  if (d0 && id(parts[1])) return { kind: "doc", doc: d0, id: id(parts[1]) };
  if (parts[0] === "stock") return { kind: "stock" };
  if (parts[0] === "receive") return { kind: "receive" };
  if (parts[0] === "ship" && id(parts[1])) return { kind: "ship", order: id(parts[1]) };
  if (parts[0] === "pick" && id(parts[1])) return { kind: "pick", order: id(parts[1]) };
  const d1 = doc(parts[1]);
  if (parts[0] === "print" && d1 && id(parts[2]))
    return { kind: "print", doc: d1, id: id(parts[2]), ...(parts[3] ? { lang: parts[3] } : {}) };
  return { kind: "home" };
}

export function routeHash(r: Route): string {
  const rec = (x?: number | "new") => (x === "new" ? "/new" : x ? `/r/${x}` : "");
  switch (r.kind) {
    case "table":
      return `#/t/${encodeURIComponent(r.table)}${rec(r.record)}`;
    case "view":
      return `#/v/${encodeURIComponent(r.view)}${rec(r.record)}`;
    case "admin":
      return `#/admin${r.section ? `/${encodeURIComponent(r.section)}` : ""}`;
    case "profile":
      return "#/profile";
    case "doc":
      return `#/${r.doc}s/${r.id}`;
    case "print":
      return `#/print/${r.doc}s/${r.id}${r.lang ? `/${encodeURIComponent(r.lang)}` : ""}`;
    case "stock":
      return "#/stock";
    case "receive":
      return "#/receive";
    case "ship":
      return `#/ship/${r.order}`;
    case "pick":
      return `#/pick/${r.order}`;
    default:
      return "#/";
  }
}

/** The view a route names (by id or name), when it is one the user may open. */
export function routeView(r: Route, views: ViewInfo[]): ViewInfo | undefined {
  return r.kind === "view" ? views.find((x) => x.id === r.view || x.name === r.view) : undefined;
}

/** The table a route shows: the one it names, or the table of the view it names. */
export function routeTable(r: Route, tables: TableInfo[], views: ViewInfo[]): TableInfo | undefined {
  if (r.kind === "table") return tables.find((t) => t.name === r.table || t.id === r.table);
  const v = routeView(r, views);
  return v ? tables.find((t) => t.id === v.tableId || t.name === v.table) : undefined;
}
