/**
 * What must live in the document, not in a shadow root: the @page box (A4 and its margins; Chromium
 * reads @page only from document style sheets) and a white page when printing. Added while a print
 * page is shown, removed after.
 */
const ID = "sg-print-page";

export const PAGE_CSS = `
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  html, body { background: #fff !important; margin: 0; }
}
`;

export function addPageStyle(): void {
  if (document.getElementById(ID)) return;
  const style = document.createElement("style");
  style.id = ID;
  style.textContent = PAGE_CSS;
  document.head.append(style);
}

export function removePageStyle(): void {
  document.getElementById(ID)?.remove();
}

/**
 * Fonts for the printed page: the system's CJK fonts by name, so Chinese prints in a real font (never
 * boxes) on Windows (Microsoft YaHei), macOS (PingFang SC), and Linux (Noto Sans CJK SC, Source Han
 * Sans, WenQuanYi Micro Hei); Latin text takes the same fonts' Latin glyphs for one consistent look.
 */
export const PRINT_FONTS = `"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans SC", system-ui, sans-serif`;
