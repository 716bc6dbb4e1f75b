/**
 * Text that a spreadsheet will show, never run. A cell whose text begins with =, +, -, @, a tab or a
 * carriage return is read as a formula by Excel, LibreOffice and Google Sheets (=HYPERLINK(...),
 * DDE payloads). OWASP's advice on CSV injection: prefix such text with a single quote, which the
 * spreadsheet takes as "this is text" and does not show, and keep every cell whole (quoted when it
 * holds a separator, a quote or a line break) so no part of it can become a cell of its own.
 *
 * Pure, no imports: shared by the web app (clipboard copy from the grid) and the Worker (CSV/XLSX
 * exports). The stored value never changes; only the text written for a spreadsheet does.
 *
 * Apply it to text values only: a number written as a number (-12.5 from a number field) is not a
 * formula and must stay a number.
 */

/** Text a spreadsheet would run; also text that already starts with the quote marker before one of those. */
const NEEDS_QUOTE = /^'*[=+\-@\t\r]/;

/**
 * `text` as a spreadsheet should receive it: with a leading ' when it would otherwise be a formula.
 * Text that already begins with quotes before such a character gets one more, so the spreadsheet
 * (which hides exactly one) shows it as it is, and `fromSpreadsheetSafe` can undo it exactly.
 */
export function spreadsheetSafe(text: string): string {
  return NEEDS_QUOTE.test(text) ? `'${text}` : text;
}

/**
 * The inverse, for text pasted back: drops the one leading ' that `spreadsheetSafe` (or a user
 * typing into a spreadsheet) put before a formula character. Any other text is left alone.
 */
export function fromSpreadsheetSafe(text: string): string {
  return /^'+[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/**
 * Tab-separated text of rows of cells, as the clipboard's text/plain for spreadsheets: a cell that
 * holds a tab or a line break, or starts with a double quote, is quoted ("" for a quote inside), so
 * it stays one cell. Rows end with \n between them, as spreadsheets copy them.
 */
export function toTsv(rows: readonly (readonly string[])[]): string {
  return rows
    .map((cells) => cells.map((c) => (/[\t\r\n]/.test(c) || c.startsWith('"') ? quote(c) : c)).join("\t"))
    .join("\n");
}

/**
 * RFC 4180 CSV of rows of cells: a cell that holds the separator, a double quote or a line break is
 * quoted; lines end with CRLF.
 */
export function toCsv(rows: readonly (readonly string[])[], separator = ","): string {
  return rows
    .map((cells) => cells.map((c) => (c.includes(separator) || /["\r\n]/.test(c) ? quote(c) : c)).join(separator))
    .join("\r\n");
}

function quote(cell: string): string {
  return `"${cell.replaceAll('"', '""')}"`;
}
