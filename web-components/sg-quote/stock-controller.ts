/**
 * Available stock for the document's lines and for the product search, owned by the document element as a
 * reactive controller: an order's figures are its warehouse's (its `warehouse` link, else the default
 * warehouse), a quote's the sum over the active warehouses. The levels of all lines' products come from
 * one request (sg-stock's `loadLevels`), read again whenever the lines or the document change (a line
 * write moves the document's version; confirming an order reserves stock). Whether a product tracks
 * stock is read once per product alongside. A role that may not read stock (or no inventory plugin) gets
 * `state = "off"`: no column and no error.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiError, type ApiClient, type ApiRecord } from "../api/client";
import { PAGE, loadLevels, loadWarehouses, type Level, type Warehouse } from "../sg-stock/stock-data";
import { availabilityOf, type Availability } from "./availability";
import type { DocData, Line } from "./doc-data";
import type { DocKind } from "./kinds";

const linkId = (v: unknown): number | null => {
  const first: unknown = Array.isArray(v) ? v[0] : undefined;
  if (typeof first === "number") return first;
  if (first && typeof first === "object" && typeof (first as { id?: unknown }).id === "number")
    return (first as { id: number }).id;
  return null;
};

export const productOf = (line: Line): number | null => linkId(line.fields.product);

/** The products table's inverse link to each kind's lines (the sales plugin's `inverseName`). */
const LINES_ON_PRODUCT: Record<DocKind, string> = { quote: "quote_lines", order: "order_lines" };

/** A refusal meaning "this caller reads no stock here" (not installed, disabled, no grant, hidden field). */
const refused = (err: unknown): boolean => err instanceof ApiError && [400, 403, 404].includes(err.status);

const chunks = <T>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export interface StockSource {
  kind(): DocKind;
  data: DocData;
  api(): ApiClient | undefined;
}

export class StockController implements ReactiveController {
  /** "unknown" until the first read answers; "off" for good once stock is refused to this caller. */
  state: "unknown" | "on" | "off" = "unknown";
  /** What is available per product of the lines, only for products that track stock. */
  byProduct = new Map<number, Availability>();
  private warehouses: Warehouse[] | null = null;
  /** Whether a product tracks stock, as read (a product's setting seldom changes while a document is open). */
  private readonly tracked = new Map<number, boolean>();
  private key = "";
  private running = false;
  private again = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly src: StockSource,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Before each render: read again when the document or its lines moved since the last read. */
  hostUpdate(): void {
    const d = this.src.data;
    if (d.state !== "ready" || !d.doc || this.state === "off") return;
    const key = [
      this.src.kind(),
      d.doc.id,
      d.doc.version,
      d.status,
      linkId(d.doc.fields.warehouse) ?? "",
      d.lines.map((l) => `${l.id}:${l.version}`).join(","),
    ].join("|");
    if (key === this.key) return;
    this.key = key;
    void this.refresh();
  }

  /** The warehouses the figures cover: the order's one (or the default), or every active one for a quote. */
  scope(): Warehouse[] {
    const ws = this.warehouses ?? [];
    if (this.src.kind() === "quote") return ws.filter((w) => w.active);
    const own = linkId(this.src.data.doc?.fields.warehouse);
    const w = own === null ? ws.find((x) => x.isDefault) : ws.find((x) => x.id === own);
    return w ? [w] : [];
  }

  /** Availability of search hits (their `trackStock` read with them) for the same warehouses. */
  async forProducts(hits: { id: number; trackStock?: boolean }[]): Promise<Map<number, Availability>> {
    const api = this.src.api();
    if (!api || this.state === "off") return new Map();
    for (const h of hits) if (h.trackStock !== undefined) this.tracked.set(h.id, h.trackStock);
    const ids = hits.filter((h) => h.trackStock).map((h) => h.id);
    try {
      await this.ensureWarehouses(api);
      return this.availability(await this.levels(api, ids), ids);
    } catch (err) {
      if (refused(err)) this.turnOff();
      return new Map();
    }
  }

  private async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again && this.state !== "off");
    } finally {
      this.running = false;
    }
  }

  private async loadOnce(): Promise<void> {
    const api = this.src.api();
    if (!api) return;
    const lines = this.src.data.lines;
    const ids = [...new Set(lines.map(productOf).filter((x): x is number => x !== null))];
    try {
      await this.ensureWarehouses(api);
      const [levels, learned] = await Promise.all([
        this.levels(api, ids),
        this.learnTracking(api, lines).then(
          () => true,
          (err: unknown) => {
            if (refused(err)) return false;
            throw err;
          },
        ),
      ]);
      if (!learned) this.trackByLevels(ids, levels);
      this.byProduct = this.availability(
        levels,
        ids.filter((id) => this.tracked.get(id)),
      );
      // Only a read of levels proves the caller may read them (warehouses alone do not).
      if (ids.length) this.state = "on";
    } catch (err) {
      // Refused: no stock for this caller. Anything else (offline): keep what is shown, say nothing.
      if (refused(err)) this.turnOff();
    }
    this.host.requestUpdate();
  }

  /** A role that may not filter products by their lines (a viewer): a product with levels tracks stock. */
  private trackByLevels(ids: number[], levels: Map<string, Level>): void {
    const stocked = new Set([...levels.keys()].map((k) => Number(k.split("/")[0])));
    for (const id of ids) if (!this.tracked.has(id)) this.tracked.set(id, stocked.has(id));
  }

  private turnOff(): void {
    this.state = "off";
    this.byProduct = new Map();
    this.host.requestUpdate();
  }

  private async ensureWarehouses(api: ApiClient): Promise<void> {
    this.warehouses ??= await loadWarehouses(api);
  }

  private availability(levels: Map<string, Level>, ids: number[]): Map<number, Availability> {
    const scope = this.scope();
    if (!scope.length) return new Map();
    return new Map(ids.map((id) => [id, availabilityOf(levels, id, scope)]));
  }

  /** All these products' levels: one request (more only past the ids one filter may hold). */
  private async levels(api: ApiClient, ids: number[]): Promise<Map<string, Level>> {
    const parts = await Promise.all(chunks(ids, PAGE).map((c) => loadLevels(api, c)));
    return new Map(parts.flatMap((m) => [...m]));
  }

  /**
   * Reads `track_stock` of the lines' products not known yet: products holding one of the lines (one line
   * per product, through the products' inverse link to the lines, since a filter cannot name ids).
   */
  private async learnTracking(api: ApiClient, lines: Line[]): Promise<void> {
    const oneLine = new Map<number, number>();
    for (const l of lines) {
      const p = productOf(l);
      if (p !== null && !this.tracked.has(p) && !oneLine.has(p)) oneLine.set(p, l.id);
    }
    if (!oneLine.size) return;
    const field = LINES_ON_PRODUCT[this.src.kind()];
    const pages = await Promise.all(
      chunks([...oneLine.values()], PAGE).map((c) =>
        api.listRecords("products", {
          filter: { or: c.map((value) => ({ field, op: "contains", value })) },
          fields: ["track_stock"],
          limit: PAGE,
        }),
      ),
    );
    const found = new Map<number, ApiRecord>(pages.flatMap((p) => p.records.map((r) => [r.id, r] as const)));
    for (const p of oneLine.keys()) this.tracked.set(p, found.get(p)?.fields.track_stock === true);
  }
}
