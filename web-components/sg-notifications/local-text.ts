/** A notification's text in the UI language: plugins store every language, so a fallback is rare. */
export function localText(text: Record<string, string> | null | undefined, locale: string): string {
  if (!text) return "";
  return text[locale] ?? text.en ?? Object.values(text)[0] ?? "";
}
