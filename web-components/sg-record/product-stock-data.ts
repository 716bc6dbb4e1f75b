/**
 * What a product's stock panel reads, owned by a reactive controller: whether the panel applies (the
 * inventory plugin's `stock_levels` is readable and its `product` link targets this record's table), the
 * levels per warehouse through sg-stock's reader, and the product's moves newest first a page at a time,
 * with the names their ids stand for (warehouses, orders and shipments by number, users by name). Costs
 * and values are asked for only when the caller's table access lists them (the server withholds them
 * anyway). Loads start when the inputs change, never from render().
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import {
  ApiError,
  type ApiClient,
  type ApiRecord,
  type FieldInfo,
  type ListReply,
  type TableInfo,
} from "../api/client";
import {
  loadLevels,
  loadWarehouses,
  type Level,
  type LevelExtra,
  type Money,
  type Warehouse,
} from "../sg-stock/stock-data";

/** Moves per page (a page names its orders and its shipments with one read per table, in parallel). */
export const MOVES_PAGE = 10;

export interface ProductStockInputs {
  api?: ApiClient;
  /** The id of the record's table (a product table is the one stock_levels.product links to). */
  tableId?: string;
  productId: number | null;
}

export interface LevelRow {
  warehouse: Warehouse;
  level: Level;
}

export interface Move {
  id: number;
  kind: string;
  /** Exact decimal text with its sign, as the server writes it ("-2.000"). */
  quantity: string;
  warehouse: number | null;
  order: number | null;
  shipment: number | null;
  reference: string;
  reason: string;
  at: string | null;
  by: string | null;
  unitCost: Money | null;
}

export type Phase = "idle" | "loading" | "hidden" | "ready" | "error";

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const text = (v: unknown): string => (typeof v === "string" ? v : "");
const money = (v: unknown): Money | null =>
  v && typeof v === "object" && "amount" in v && "currency" in v ? (v as Money) : null;

function toMove(r: ApiRecord): Move {
  const f = r.fields;
  return {
    id: r.id,
    kind: text(f.kind),
    quantity: text(f.quantity),
    warehouse: num(f.warehouse),
    order: num(f.order),
    shipment: num(f.shipment),
    reference: text(f.reference),
    reason: text(f.reason),
    at: typeof f.at === "string" ? f.at : null,
    by: typeof f.by === "string" ? f.by : null,
    unitCost: money(f.unit_cost),
  };
}

/** A table's meta as the caller sees it, or null when they may not (404/403: absent, disabled, no grant). */
async function tableOrNull(api: ApiClient, ref: string): Promise<TableInfo | null> {
  try {
    return (await api.table(ref)).table;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
}

export class ProductStockController implements ReactiveController {
  phase: Phase = "idle";
  levels: LevelRow[] = [];
  moves: Move[] = [];
  /** Null when the caller may not read moves (the section is left out). */
  movesTable: TableInfo | null = null;
  levelsTable: TableInfo | null = null;
  nextCursor: string | null = null;
  loadingMore = false;
  mayReceive = false;
  /** Which cost fields the caller's access lists (hidden fields are absent from the meta reply). */
  shows = { unitCost: false, averageCost: false, stockValue: false, reorderPoint: false };
  private warehouses = new Map<number, Warehouse>();
  private orders = new Map<number, string | null>();
  private shipments = new Map<number, string | null>();
  private users = new Map<string, string | null>();
  private key = "";
  private gen = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly inputs: () => ProductStockInputs,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Before each update: a new product (or client) starts a new load; the same one changes nothing. */
  hostUpdate(): void {
    const { api, tableId, productId } = this.inputs();
    const key = api && tableId && productId !== null ? `${tableId}/${productId}` : "";
    if (key === this.key) return;
    this.key = key;
    // Inside the host's update: the "loading" state shows in this very render, no second update asked.
    if (key) void this.load(false);
  }

  warehouseName(id: number | null): string | null {
    return id === null ? null : (this.warehouses.get(id)?.name ?? null);
  }

  /** The order's number; null when the caller may not read it; undefined while unknown. */
  orderName(id: number): string | null | undefined {
    return this.orders.get(id);
  }

  shipmentName(id: number): string | null | undefined {
    return this.shipments.get(id);
  }

  userName(id: string): string | null | undefined {
    return this.users.get(id);
  }

  private field(t: TableInfo | null, name: string): FieldInfo | undefined {
    return t?.fields.find((f) => f.name === name);
  }

  /** Reads everything (again, after a retry: `redraw` asks the host to show "loading" at once). */
  async load(redraw = true): Promise<void> {
    const { api, tableId, productId } = this.inputs();
    if (!api || !tableId || productId === null) return;
    const gen = ++this.gen;
    this.phase = "loading";
    if (redraw) this.host.requestUpdate();
    try {
      const levelsTable = await tableOrNull(api, "stock_levels");
      const link = this.field(levelsTable, "product");
      // Not the inventory plugin's product table (or no inventory, or no right to read levels): no panel.
      if (!levelsTable || link?.type !== "link" || link.options?.table !== tableId) {
        if (gen === this.gen) this.phase = "hidden";
        return;
      }
      const more: LevelExtra[] = (["reorder_point", "average_cost", "stock_value"] as const).filter(
        (n) => !!this.field(levelsTable, n),
      );
      // The first page of moves with the rest: its meta only decides what is shown of it.
      const [movesTable, warehouses, levels, first] = await Promise.all([
        tableOrNull(api, "stock_moves"),
        loadWarehouses(api),
        loadLevels(api, [productId], more),
        this.readPage(api, productId, null).catch((err: unknown) => {
          if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return null;
          throw err;
        }),
      ]);
      if (gen !== this.gen) return;
      this.levelsTable = levelsTable;
      this.movesTable = movesTable;
      this.warehouses = new Map(warehouses.map((w) => [w.id, w]));
      this.shows = {
        unitCost: !!this.field(movesTable, "unit_cost"),
        averageCost: more.includes("average_cost"),
        stockValue: more.includes("stock_value"),
        reorderPoint: more.includes("reorder_point"),
      };
      // Who may receive is who may create moves (the sidebar's rule for the receive form).
      this.mayReceive = movesTable?.access?.create === true;
      this.levels = warehouses.flatMap((w) => {
        const level = levels.get(`${productId}/${w.id}`);
        return level ? [{ warehouse: w, level }] : [];
      });
      this.moves = [];
      this.nextCursor = null;
      if (movesTable && first) await this.addPage(api, first, gen);
      if (gen !== this.gen) return;
      this.phase = "ready";
    } catch {
      if (gen === this.gen) this.phase = "error";
    } finally {
      if (gen === this.gen) this.host.requestUpdate();
    }
  }

  /** The next page of moves. */
  async more(): Promise<void> {
    const { api, productId } = this.inputs();
    if (!api || productId === null || !this.nextCursor || this.loadingMore) return;
    const gen = this.gen;
    this.loadingMore = true;
    this.host.requestUpdate();
    try {
      await this.addPage(api, await this.readPage(api, productId, this.nextCursor), gen);
    } catch {
      if (gen === this.gen) this.phase = "error";
    } finally {
      this.loadingMore = false;
      this.host.requestUpdate();
    }
  }

  /** A page of the product's moves, each with the fields the caller may read (the server leaves out hidden ones). */
  private readPage(api: ApiClient, productId: number, cursor: string | null): Promise<ListReply> {
    return api.listRecords("stock_moves", {
      filter: { field: "product", op: "eq", value: productId },
      // Newest first; moves at the same instant by id, newest first too (the keyset's tie-break).
      sort: ["-at"],
      limit: MOVES_PAGE,
      cursor,
    });
  }

  /** A page's moves named, then added after those shown. */
  private async addPage(api: ApiClient, page: ListReply, gen: number): Promise<void> {
    const moves = page.records.map(toMove);
    await this.name(api, moves);
    if (gen !== this.gen) return;
    const have = new Set(this.moves.map((m) => m.id));
    this.moves = [...this.moves, ...moves.filter((m) => !have.has(m.id))];
    this.nextCursor = page.nextCursor;
  }

  /** Names for the ids a page of moves holds, each asked once (a record the caller may not read: null). */
  private async name(api: ApiClient, moves: Move[]): Promise<void> {
    // One read per table for the page's ids (the id filter); one the caller may not read is simply absent.
    const ask = async (table: string, known: Map<number, string | null>, ids: (number | null)[]) => {
      const wanted = [...new Set(ids.filter((id): id is number => id !== null && !known.has(id)))];
      if (!wanted.length) return;
      const found = await api
        .listRecords(table, {
          filter: { field: "id", op: "in", value: wanted },
          fields: ["number"],
          limit: wanted.length,
        })
        .then((r) => r.records)
        .catch(() => []);
      const numbers = new Map(found.map((r) => [r.id, r.fields.number ? String(r.fields.number) : null]));
      for (const id of wanted) known.set(id, numbers.get(id) ?? null);
    };
    const users = [...new Set(moves.map((m) => m.by).filter((id): id is string => !!id && !this.users.has(id)))];
    await Promise.all([
      ask(
        "orders",
        this.orders,
        moves.map((m) => m.order),
      ),
      ask(
        "shipments",
        this.shipments,
        moves.map((m) => m.shipment),
      ),
      users.length
        ? api.userNames(users).then(
            (named) => users.forEach((id) => this.users.set(id, named.get(id) ?? null)),
            () => users.forEach((id) => this.users.set(id, null)),
          )
        : null,
    ]);
  }
}
