/**
 * Opaque paging cursors: JSON in URL-safe base64 without padding. Callers check the decoded shape
 * against their own query; anything malformed decodes to undefined.
 */
export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(raw: string, maxLength: number): unknown {
  if (raw.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    const bin = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}
