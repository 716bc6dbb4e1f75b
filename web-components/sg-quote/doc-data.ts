/**
 * The data of one quote or order as the document element shows it: the document (its links named),
 * its lines in position order (products named) and every write the editor makes. Every amount shown
 * comes from the server's reply: after a line changes, the document is read again for its totals (the
 * server recomputed them in the line write's own batch), so the client never adds money. A 409 (someone
 * changed the document or a line meanwhile) reloads everything and says so.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiError, type ApiClient, type ApiRecord, type TableInfo } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";
import { msg } from "../i18n/index";
import { KINDS, reorder, type DocKind } from "./kinds";

export interface Named {
  id: number;
  primary?: unknown;
}

export interface Line {
  id: number;
  version: number;
  position: number;
  fields: Record<string, unknown>;
}

/** A product as the search and the paste find it. */
export interface ProductHit {
  id: number;
  sku: string;
  name: string;
  /** Whether it tracks stock (read with the search, for the stock figures beside it). */
  trackStock?: boolean;
}

const PAGE = 1000;
/** Lines created per request by a paste: small enough to show progress, large enough to be quick. */
export const PASTE_CHUNK = 100;

export interface DocHost extends ReactiveControllerHost {
  /** A message for the user (a toast). */
  note(kind: "info" | "error", message: string): void;
}

export class DocData implements ReactiveController {
  doc: ApiRecord | null = null;
  lines: Line[] = [];
  table: TableInfo | null = null;
  state: "idle" | "loading" | "ready" | "missing" | "error" = "idle";
  error = "";
  /** A line's last refusal, shown beside it until it changes again. */
  readonly lineErrors = new Map<number, string>();
  /** Lines marked by a confirmation short of stock. */
  private readonly shortLines = new Set<number>();
  /** Writes in flight (the editor shows it busy; the test waits for it). */
  busy = 0;
  private key = "";

  constructor(
    private readonly host: DocHost,
    private readonly api: () => ApiClient | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  get status(): string {
    return String(this.doc?.fields.status ?? "");
  }

  get currency(): string {
    return String(this.doc?.fields.currency ?? "CNY");
  }

  /** Loads when the kind or id changed since the last load. */
  want(kind: DocKind, id: number): void {
    const key = `${kind}/${id}`;
    if (key === this.key) return;
    this.key = key;
    void this.load(kind, id);
  }

  async load(kind: DocKind, id: number): Promise<void> {
    const api = this.api();
    if (!api) return;
    const k = KINDS[kind];
    this.state = this.doc ? this.state : "loading";
    this.host.requestUpdate();
    try {
      const [doc, lines, table] = await Promise.all([
        api.getRecord(k.table, id, { expand: ["customer", "contact", "deal"] }),
        this.readLines(api, kind, id),
        this.table ? Promise.resolve({ table: this.table }) : api.table(k.table),
      ]);
      if (this.key !== `${kind}/${id}`) return;
      this.doc = doc.record;
      this.lines = lines;
      this.table = table.table;
      this.state = "ready";
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) this.state = "missing";
      else {
        this.state = "error";
        this.error = err instanceof Error ? err.message : String(err);
      }
    }
    this.host.requestUpdate();
  }

  private async readLines(api: ApiClient, kind: DocKind, id: number): Promise<Line[]> {
    const k = KINDS[kind];
    const out: Line[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.listRecords(k.lines, {
        filter: { field: k.parent, op: "contains", value: id },
        sort: ["position"],
        limit: PAGE,
        cursor,
        expand: ["product"],
      });
      for (const r of page.records)
        out.push({ id: r.id, version: r.version, position: Number(r.fields.position ?? 0), fields: r.fields });
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** The document again (its totals and version) after a line write. */
  private async refreshDoc(kind: DocKind): Promise<void> {
    if (!this.doc) return;
    const fresh = await this.api()!.getRecord(KINDS[kind].table, this.doc.id, {
      expand: ["customer", "contact", "deal"],
    });
    this.doc = fresh.record;
  }

  /**
   * Runs one write: refreshes the totals after it; on 409 reloads and says why; on a refusal keeps
   * the server's words beside the line (or in a toast). Answers whether it was written.
   */
  private write(kind: DocKind, lineId: number | null, run: () => Promise<void>): Promise<boolean> {
    // One write at a time, in the order the user made them: each is sent with the versions the one
    // before it left (an edit typed while the previous one was saving must not be a 409).
    this.busy++;
    this.host.requestUpdate();
    const next = this.queue.then(() => this.writeNow(kind, lineId, run));
    this.queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private queue: Promise<void> = Promise.resolve();

  private async writeNow(kind: DocKind, lineId: number | null, run: () => Promise<void>): Promise<boolean> {
    try {
      await run();
      if (lineId !== null) this.lineErrors.delete(lineId);
      // Any write that went through may have made the stock suffice: the short marks go until the next refusal.
      for (const id of this.shortLines) this.lineErrors.delete(id);
      this.shortLines.clear();
      await this.refreshDoc(kind);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // A version clash is someone else's change; any other 409 (stock short, already converted)
        // is the server's own words. Either way the document is read again.
        const clash =
          err.problem.code === "version_conflict" || (err.problem.code === "conflict" && !err.problem.errors?.length);
        this.host.note(
          "error",
          clash
            ? msg("Someone changed this document meanwhile; it was reloaded. Please check and try again.", {
                id: "quote.conflict",
              })
            : err.message,
        );
        await this.load(kind, this.doc!.id);
        this.markShortLines(err);
      } else {
        const text = err instanceof Error ? err.message : String(err);
        if (lineId !== null) this.lineErrors.set(lineId, text);
        else this.host.note("error", text);
      }
      return false;
    } finally {
      this.busy--;
      this.host.requestUpdate();
    }
  }

  /** A confirmation short of stock names each short line (`order_lines/<id>/quantity`): shown on that line. */
  private markShortLines(err: ApiError): void {
    for (const e of err.problem.errors ?? []) {
      const id = /^order_lines\/(\d+)\//.exec(e.field)?.[1];
      if (e.code !== "insufficient_stock" || !id) continue;
      this.lineErrors.set(Number(id), fieldErrorText(e));
      this.shortLines.add(Number(id));
    }
  }

  private replaceLine(rec: ApiRecord): void {
    const i = this.lines.findIndex((l) => l.id === rec.id);
    const product = i >= 0 ? this.lines[i]!.fields.product : rec.fields.product;
    const line: Line = {
      id: rec.id,
      version: rec.version,
      position: Number(rec.fields.position ?? 0),
      // A write answers the product as bare ids: keep the named one.
      fields: { ...rec.fields, product: named(rec.fields.product) ? rec.fields.product : product },
    };
    if (i >= 0) this.lines[i] = line;
    else this.lines.push(line);
    this.lines.sort((a, b) => a.position - b.position || a.id - b.id);
  }

  /** Changes one line's fields (quantity, discount, unit price, description), at its version when sent. */
  changeLine(kind: DocKind, lineId: number, fields: Record<string, unknown>): Promise<boolean> {
    return this.write(kind, lineId, async () => {
      const line = this.lines.find((l) => l.id === lineId);
      if (!line) return;
      const { record } = await this.api()!.updateRecord(KINDS[kind].lines, line.id, line.version, fields);
      this.replaceLine(record);
    });
  }

  /** Adds a product as a new last line (quantity 1; price and tax from the server). */
  async addProduct(kind: DocKind, product: ProductHit): Promise<number | null> {
    let id: number | null = null;
    await this.write(kind, null, async () => {
      const { record } = await this.api()!.createRecord(KINDS[kind].lines, {
        [KINDS[kind].parent]: [this.doc!.id],
        product: [product.id],
        quantity: "1",
      });
      record.fields.product = [{ id: product.id, primary: product.name }];
      this.replaceLine(record);
      id = record.id;
    });
    return id;
  }

  deleteLine(kind: DocKind, lineId: number): Promise<boolean> {
    return this.write(kind, null, async () => {
      const line = this.lines.find((l) => l.id === lineId);
      if (!line) return;
      await this.api()!.deleteRecords(KINDS[kind].lines, [{ id: line.id, version: line.version }]);
      this.lines = this.lines.filter((l) => l.id !== line.id);
    });
  }

  /** Moves the line at `from` to `to` in one PATCH of every position that changes. */
  move(kind: DocKind, from: number, to: number): Promise<boolean> {
    if (!reorder(this.lines, from, to).length) return Promise.resolve(false);
    return this.write(kind, null, async () => {
      const changes = reorder(this.lines, from, to);
      if (!changes.length) return;
      const byId = new Map(this.lines.map((l) => [l.id, l]));
      const { records } = await this.api()!.updateRecords(
        KINDS[kind].lines,
        changes.map((c) => ({ id: c.id, version: byId.get(c.id)!.version, fields: { position: c.position } })),
      );
      for (const r of records) this.replaceLine(r);
    });
  }

  /**
   * Creates lines in chunks (one request each, in order), reporting progress; stops at the first
   * refusal and says which pasted row it was. Answers how many were created.
   */
  async addLines(
    kind: DocKind,
    lines: { row: number; fields: Record<string, unknown>; product: ProductHit }[],
    progress: (done: number) => void,
  ): Promise<number> {
    let done = 0;
    for (let i = 0; i < lines.length; i += PASTE_CHUNK) {
      const chunk = lines.slice(i, i + PASTE_CHUNK);
      const ok = await this.write(kind, null, async () => {
        const { records } = await this.api()!.createRecords(
          KINDS[kind].lines,
          chunk.map((l) => ({ fields: { [KINDS[kind].parent]: [this.doc!.id], ...l.fields } })),
        );
        records.forEach((r, j) => {
          const p = chunk[j]!.product;
          r.fields.product = [{ id: p.id, primary: p.name }];
          this.replaceLine(r);
        });
      });
      if (!ok) break;
      done += chunk.length;
      progress(done);
    }
    return done;
  }

  /** A status move by PATCH of the document (the server's lifecycle checks it). */
  setStatus(kind: DocKind, status: string): Promise<boolean> {
    return this.write(kind, null, async () => {
      const { record } = await this.api()!.updateRecord(KINDS[kind].table, this.doc!.id, this.doc!.version, {
        status,
      });
      this.doc = { ...record, fields: { ...this.doc!.fields, ...record.fields, ...linksOf(this.doc!) } };
    });
  }

  /** Runs a sales action on this quote; answers its reply, or null when refused (already said). */
  async action<T>(kind: DocKind, name: "quote-to-order" | "quote-revise"): Promise<T | null> {
    let reply: T | null = null;
    await this.write(kind, null, async () => {
      reply = await this.api()!.request<T>("POST", `/api/actions/sales/${name}`, { quote: this.doc!.id });
    });
    return reply;
  }

  /** Products by SKU (exact, as the paste names them), in chunks the filter allows. */
  async productsBySku(skus: string[]): Promise<Map<string, ProductHit>> {
    const out = new Map<string, ProductHit>();
    const unique = [...new Set(skus)];
    for (let i = 0; i < unique.length; i += 90) {
      const page = await this.api()!.listRecords("products", {
        filter: { field: "sku", op: "in", value: unique.slice(i, i + 90) },
        fields: ["sku", "name"],
        limit: 1000,
      });
      for (const r of page.records) {
        const hit = { id: r.id, sku: String(r.fields.sku ?? ""), name: String(r.fields.name ?? "") };
        out.set(hit.sku.toLowerCase(), hit);
      }
    }
    return out;
  }
}

const named = (v: unknown): boolean =>
  Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && v[0] !== null && "id" in (v[0] as object);

/** The document's named links, kept over a write's reply (which answers bare ids). */
function linksOf(doc: ApiRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["customer", "contact", "deal"]) if (named(doc.fields[k])) out[k] = doc.fields[k];
  return out;
}
