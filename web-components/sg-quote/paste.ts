/**
 * Lines pasted from a spreadsheet (Excel, WPS, Sheets copy tab-separated text): SKU, quantity,
 * discount (percent) and an optional unit price per row. Pure: cells are split as spreadsheets write
 * them (a quoted cell keeps its tabs and line breaks), the injection guard's leading quote is undone
 * (lib/spreadsheet-safe.ts), and numbers are read as exact decimal text, never as floats.
 */
import { fromSpreadsheetSafe } from "../../lib/spreadsheet-safe";
import { decimalText, decimalToUnits } from "../i18n/decimal";

export interface PastedLine {
  /** 1-based row of the pasted text, for messages. */
  row: number;
  sku: string;
  /** Exact decimal text with 3 places (the quantity field's scale). */
  quantity: string;
  /** Basis points. */
  discount?: number;
  /** Minor units of the document's currency. */
  unitPrice?: number;
}

export interface PasteProblem {
  row: number;
  column: "sku" | "quantity" | "discount" | "unit_price";
}

/** Tab-separated text -> rows of cells (RFC 4180-style quoting with tabs); the trailing empty line dropped. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === "") quoted = true;
    else if (c === "\t") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      if (c === "\r" && text[i + 1] === "\n") i++;
    } else cell += c;
    i++;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const QUANTITY_SCALE = 3;

/** The lines of pasted text and the cells that could not be read (by row and column). */
export function pastedLines(text: string, currencyDigits: number): { lines: PastedLine[]; problems: PasteProblem[] } {
  const rows = parseTsv(text);
  const lines: PastedLine[] = [];
  const problems: PasteProblem[] = [];
  rows.forEach((cells, i) => {
    const row = i + 1;
    const [skuCell = "", qtyCell = "", discCell = "", priceCell = ""] = cells.map((c) => fromSpreadsheetSafe(c.trim()));
    if (cells.every((c) => c.trim() === "")) return;
    const quantity = decimalText(qtyCell, QUANTITY_SCALE);
    // A first row whose quantity is no number is the spreadsheet's header.
    if (row === 1 && quantity === null) return;
    if (!skuCell) return void problems.push({ row, column: "sku" });
    if (quantity === null) return void problems.push({ row, column: "quantity" });
    const line: PastedLine = { row, sku: skuCell, quantity };
    if (discCell) {
      const bp = decimalToUnits(discCell.replace(/%$/, ""), 2);
      if (bp === null) return void problems.push({ row, column: "discount" });
      line.discount = bp;
    }
    if (priceCell) {
      const units = decimalToUnits(priceCell, currencyDigits);
      if (units === null) return void problems.push({ row, column: "unit_price" });
      line.unitPrice = units;
    }
    lines.push(line);
  });
  return { lines, problems };
}
