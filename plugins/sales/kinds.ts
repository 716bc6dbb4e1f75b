/** The two documents with lines: quotes and orders share the line logic, named here by their keys. */
export interface DocKind {
  /** Table key of the document. */
  doc: "quotes" | "orders";
  /** Table key of its lines. */
  lines: "quote_lines" | "order_lines";
  /** The lines' link to the document. */
  parent: "quote" | "order";
  /** Lines change only while the document is in this status. */
  editable: string;
  /** Code and wording when the document's lines may not change. */
  lockedCode: string;
  lockedWhy: (status: string) => string;
}

export const QUOTE: DocKind = {
  doc: "quotes",
  lines: "quote_lines",
  parent: "quote",
  editable: "draft",
  lockedCode: "not_draft",
  lockedWhy: (s) => `The quote is ${s}; only draft quotes change (revise it to edit a copy)`,
};

export const ORDER: DocKind = {
  doc: "orders",
  lines: "order_lines",
  parent: "order",
  editable: "draft",
  lockedCode: "locked",
  lockedWhy: (s) => `The order is ${s}; the lines of a confirmed order are locked`,
};

/** At most this many lines in one document (a request writes at most 1000 at a time). */
export const MAX_LINES = 10_000;
