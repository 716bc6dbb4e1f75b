/**
 * The two documents the quote element shows, by kind: their tables, the lines' link to them, and what
 * a person may do in each status (the server's lifecycle decides; this only offers the moves it allows).
 */
export type DocKind = "quote" | "order";

export interface KindInfo {
  table: "quotes" | "orders";
  lines: "quote_lines" | "order_lines";
  /** The line's link field to its document. */
  parent: "quote" | "order";
}

export const KINDS: Record<DocKind, KindInfo> = {
  quote: { table: "quotes", lines: "quote_lines", parent: "quote" },
  order: { table: "orders", lines: "order_lines", parent: "order" },
};

export const kindOfTable = (table: string): DocKind | null =>
  table === "quotes" ? "quote" : table === "orders" ? "order" : null;

/** Lines change only on a draft (a quote after draft is revised instead; an order's lines lock at confirm). */
export const linesEditable = (status: unknown): boolean => status === "draft";

export type DocAction = "send" | "accept" | "reject" | "revise" | "convert" | "confirm" | "cancel";

/** The moves offered in a status; the server checks each again. */
export function docActions(kind: DocKind, status: unknown): DocAction[] {
  if (kind === "quote") {
    if (status === "draft") return ["send"];
    if (status === "sent") return ["accept", "reject", "convert", "revise"];
    if (status === "accepted") return ["convert", "reject"];
    return [];
  }
  if (status === "draft") return ["confirm", "cancel"];
  if (status === "confirmed") return ["cancel"];
  return [];
}

/** The status a move sets by PATCH (revise and convert are actions). */
export const STATUS_OF: Partial<Record<DocAction, string>> = {
  send: "sent",
  accept: "accepted",
  reject: "rejected",
  confirm: "confirmed",
  cancel: "cancelled",
};

/**
 * New positions after moving the line at `from` to `to` (0-based in the shown order): every line whose
 * position changes, numbered 1..n in the new order.
 */
export function reorder<T extends { id: number; position: number }>(
  lines: readonly T[],
  from: number,
  to: number,
): { id: number; position: number }[] {
  if (from === to || from < 0 || to < 0 || from >= lines.length || to >= lines.length) return [];
  const next = [...lines];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved!);
  return next.map((l, i) => ({ id: l.id, position: i + 1 })).filter((p, i) => next[i]!.position !== p.position);
}
