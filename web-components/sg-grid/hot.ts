/**
 * Handsontable as the grid uses it: only the modules it needs registered, and its CSS (base and the
 * main theme) as constructable stylesheets for the element's shadow root, so no style leaks in or out.
 */
import Handsontable from "handsontable/base";
import {
  registerCellType,
  CheckboxCellType,
  DateCellType,
  DropdownCellType,
  TextCellType,
} from "handsontable/cellTypes";
import {
  registerPlugin,
  AutoColumnSize,
  Autofill,
  ColumnSorting,
  ContextMenu,
  CopyPaste,
  ManualColumnFreeze,
  ManualColumnMove,
  ManualColumnResize,
  UndoRedo,
} from "handsontable/plugins";
import { registerLanguageDictionary, zhCN } from "handsontable/i18n";
import baseCss from "handsontable/styles/handsontable.min.css";
import themeCss from "handsontable/styles/ht-theme-main.min.css";

registerCellType(TextCellType);
registerCellType(CheckboxCellType);
registerCellType(DateCellType);
registerCellType(DropdownCellType);
// Handsontable's own texts (menu items, aria labels) in Chinese when the app speaks Chinese.
registerLanguageDictionary(zhCN);
for (const plugin of [
  AutoColumnSize,
  Autofill,
  ColumnSorting,
  ContextMenu,
  CopyPaste,
  ManualColumnFreeze,
  ManualColumnMove,
  ManualColumnResize,
  UndoRedo,
])
  registerPlugin(plugin);

export { Handsontable };
export const THEME = "ht-theme-main";

/** Handsontable's language code for one of the app's locales. */
export function hotLanguage(locale: string): string {
  return locale === "zh-CN" ? "zh-CN" : "en-US";
}

let sheets: CSSStyleSheet[] | null = null;

/** The grid's stylesheets, parsed once per page and shared by every grid on it. */
export function handsontableSheets(): CSSStyleSheet[] {
  if (!sheets) {
    sheets = [baseCss, themeCss].map((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return sheet;
    });
  }
  return sheets;
}
