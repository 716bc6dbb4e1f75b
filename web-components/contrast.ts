/**
 * Text colour on a coloured background (choice chips): black or white, whichever has the higher WCAG
 * contrast ratio, so a chip stays readable (at least 4.5:1) whatever colour the admin picked.
 */
// Pure black: with it one of the two always reaches 4.5:1 (the worst background gives both about 4.58).
const DARK = "#000000";
const LIGHT = "#ffffff";

function luminance(hex: string): number | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return null;
  const lin = (h: string) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
}

const ratio = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

export function readableTextOn(bg: string): string {
  const l = luminance(bg);
  if (l === null) return DARK;
  return ratio(l, luminance(DARK)!) >= ratio(l, 1) ? DARK : LIGHT;
}
