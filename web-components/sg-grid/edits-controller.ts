/**
 * The grid's edits: what the user types, fills, undoes or pastes is parsed per field (text that is no
 * value of its field is refused on the spot) and sent as bulk PATCHes of at most 1000 records; the
 * server's problems mark the cells they name (the old value comes back, with the message beside the
 * cell, announced; not in a toast as well), and a 409 shows the current value and sends the other
 * records once more. A pasted block is checked whole first, then written as one undoable change plus new rows.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { ApiError, type ApiClient } from "../api/client";
import type { RecordsChange } from "../events";
import { labelOf, msg, str } from "../i18n/index";
import type { CellState } from "./cells";
import { chunk, mapProblem, planPaste, planUpdates, type CellChange } from "./edits";
import type { HotController } from "./hot-controller";
import type { GridRowsController } from "./rows-controller";
import { copyText, parseValue, sameValue, type GridField } from "./values";

/** A change as Handsontable reports it: [row, prop, old, new]. */
export type HotChange = [number, string | number, unknown, unknown];
/** Sources of changes the grid made itself (not the user's edits). */
const OWN_SOURCES = new Set(["loadData", "updateData", "sg.server"]);

/** What the edits need of the grid. */
export interface EditsHost {
  rows: GridRowsController;
  sheet: HotController;
  client(): ApiClient;
  table(): string;
  field(prop: string | number): GridField | undefined;
  canWrite(f: GridField): boolean;
  canCreate(): boolean;
  notify(kind: "info" | "error", text: string): void;
  /** A message beside one cell (refused text or a refused write). */
  cellNote(row: number, field: string, text: string): void;
  errorText(err: unknown): string;
  /** Rows again from the top (after new rows were pasted). */
  refresh(): Promise<void>;
  /** A bulk write goes out (the tests count them). */
  wrote(): void;
  /** Records were written (the grid tells the app). */
  written(change: RecordsChange): void;
}

export class GridEditsController implements ReactiveController {
  /** Cell problems by record id then field name. */
  private problems = new Map<number, Map<string, { error?: string; conflict?: string }>>();

  constructor(
    host: ReactiveControllerHost,
    private readonly h: EditsHost,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** A cell's loading, error and conflict marks. */
  cellState(row: number, field: string): CellState {
    const rec = this.h.rows.source?.rowAt(row);
    if (!rec) return { loading: true };
    const p = this.problems.get(rec.id)?.get(field);
    return {
      loading: false,
      ...(p?.error ? { error: p.error } : {}),
      ...(p?.conflict ? { conflict: p.conflict } : {}),
    };
  }

  /** Forgets every mark (a new query). */
  clear(): void {
    this.problems.clear();
  }

  setProblem(row: number, field: string, p: { error?: string; conflict?: string } | null): void {
    const rec = this.h.rows.source?.rowAt(row);
    if (!rec) return;
    const m = this.problems.get(rec.id) ?? new Map();
    if (p) m.set(field, p);
    else m.delete(field);
    if (m.size) this.problems.set(rec.id, m);
    else this.problems.delete(rec.id);
  }

  /** Parses what the user typed; text that is no value of its field is refused on the spot. */
  beforeChange(changes: (HotChange | null)[], src: string): void {
    if (OWN_SOURCES.has(src)) return;
    changes.forEach((c, i) => {
      if (!c) return;
      const f = this.h.field(c[1]);
      if (!f || !this.h.canWrite(f) || !this.h.rows.source?.has(c[0])) {
        changes[i] = null;
        return;
      }
      const parsed = parseValue(f, c[3]);
      if (!parsed.ok) {
        this.setProblem(c[0], f.name, { error: parsed.message });
        changes[i] = null;
        this.h.cellNote(c[0], f.name, `${labelOf(f)}: ${parsed.message}`);
        this.h.sheet.queueRender();
        return;
      }
      if (sameValue(parsed.value, c[2])) {
        changes[i] = null;
        return;
      }
      c[3] = parsed.value;
    });
  }

  async afterChange(changes: HotChange[] | null, src: string): Promise<void> {
    if (!changes || OWN_SOURCES.has(src)) return;
    const cells: CellChange[] = changes.map(([row, prop, , value]) => ({ row, field: String(prop), value }));
    const old = new Map(changes.map(([row, prop, before]) => [`${row}|${String(prop)}`, before]));
    for (const c of cells) this.setProblem(c.row, c.field, null);
    await this.commit(cells, old);
  }

  /**
   * Sends changes as bulk PATCHes. A 409 marks the conflicting records (now showing their current
   * values) and resends the other records once; other failures put the old values back, mark the
   * cells the server named and say why beside the first of them.
   */
  private async commit(cells: CellChange[], old: Map<string, unknown>, retry = true): Promise<void> {
    const source = this.h.rows.source!;
    const plan = planUpdates(cells, (row) => source.rowAt(row));
    const rowOf = new Map(plan.items.map((it, i) => [it.id, plan.rows[i]!]));
    for (const items of chunk(plan.items)) {
      const rows = items.map((it) => rowOf.get(it.id)!);
      try {
        this.h.wrote();
        const reply = await this.h.client().updateRecords(this.h.table(), items);
        source.replace(reply.records);
        this.h.written({ table: this.h.table(), records: reply.records });
      } catch (err) {
        const problem = err instanceof ApiError ? err.problem : { title: this.h.errorText(err), status: 0 };
        const mapped = mapProblem(problem, items, rows);
        const conflicted = new Set(mapped.conflicts.map((c) => c.current.id));
        // Everything in this request is unwritten: show the server's values again.
        for (const it of items) {
          const rec = source.rowAt(rowOf.get(it.id)!);
          if (!rec || conflicted.has(it.id)) continue;
          for (const name of Object.keys(it.fields)) {
            const key = `${rowOf.get(it.id)}|${name}`;
            // An empty old value (null) comes back too.
            if (old.has(key)) rec.fields[name] = old.get(key);
          }
        }
        for (const c of mapped.conflicts) {
          const mine = items.find((it) => it.id === c.current.id);
          source.replace([c.current]);
          for (const [name, value] of Object.entries(mine?.fields ?? {})) {
            const f = this.h.field(name);
            if (!f) continue;
            const note = msg(
              str`Changed by someone else; current value: ${copyText(f, c.current.fields[name]) || "—"} (yours: ${copyText(f, value) || "—"})`,
              { id: "grid.conflict" },
            );
            this.setProblem(c.row, name, { conflict: note });
          }
        }
        // The refused cells keep their old values (restored above), marked with the server's message.
        for (const c of mapped.cells) this.setProblem(c.row, c.field, { error: c.message });
        const first = mapped.cells[0];
        if (mapped.conflicts.length)
          this.h.notify(
            "error",
            msg("Someone else changed these records; their current values are shown.", { id: "grid.conflictNotice" }),
          );
        else if (first) {
          const f = this.h.field(first.field);
          this.h.cellNote(first.row, first.field, f ? `${labelOf(f)}: ${first.message}` : first.message);
        } else this.h.notify("error", mapped.general ?? this.h.errorText(err));
        this.h.sheet.queueRender();
        // After a conflict the other records of the request were fine: send them again, once.
        if (retry && mapped.conflicts.length && !mapped.cells.length) {
          const rest = cells.filter((c) => !conflicted.has(source.rowAt(c.row)?.id ?? -1) && rows.includes(c.row));
          if (rest.length) {
            for (const c of rest) {
              const rec = source.rowAt(c.row);
              if (rec) rec.fields[c.field] = c.value;
            }
            await this.commit(rest, old, false);
          }
        }
      }
    }
    this.h.sheet.queueRender();
  }

  /** Pasting is the grid's own: parse the block, load its rows, write it as one undoable change. */
  beforePaste(data: unknown[][], coords: { startRow: number; startCol: number }[]): boolean {
    const at = coords[0];
    if (!at || !this.h.sheet.hot) return false;
    void this.paste(data, { row: at.startRow, col: at.startCol });
    return false;
  }

  private async paste(block: unknown[][], at: { row: number; col: number }): Promise<void> {
    const hot = this.h.sheet.hot!;
    const source = this.h.rows.source!;
    const visible = Array.from({ length: hot.countCols() }, (_, c) => this.h.field(hot.colToProp(c) as string)!);
    const total = source.total ?? 0;
    const plan = planPaste(block, at, visible, total, (f) => this.h.canWrite(f), this.h.canCreate());
    if (plan.problems.length) {
      const first = plan.problems[0]!;
      this.h.notify(
        "error",
        msg(
          str`Nothing was pasted: ${plan.problems.length} cells are not valid (row ${first.row + 1}, ${first.field}: ${first.message})`,
          { id: "grid.pasteInvalid" },
        ),
      );
      return;
    }
    try {
      if (plan.changes.length) {
        const rows = plan.changes.map((c) => c.row);
        await source.ensure(Math.min(...rows), Math.max(...rows));
        hot.setDataAtRowProp(plan.changes.map((c) => [c.row, c.field, c.value]) as never, "CopyPaste.paste");
      }
      if (plan.newRows.length) {
        for (const part of chunk(plan.newRows)) {
          this.h.wrote();
          const reply = await this.h.client().createRecords(
            this.h.table(),
            part.map((fields) => ({ fields })),
          );
          this.h.written({ table: this.h.table(), records: reply.records, created: true });
        }
        await this.h.refresh();
      }
    } catch (err) {
      this.h.notify("error", this.h.errorText(err));
    }
  }
}
