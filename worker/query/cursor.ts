import { findLoneSurrogates } from "../model/well-formed";

/**
 * Opaque paging cursors: JSON in URL-safe base64 without padding. Callers check the decoded shape
 * against their own query; anything malformed (lone surrogates in its text included) decodes to undefined.
 */
export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeCursor(raw: string, maxLength: number): unknown {
  if (raw.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    const bin = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return findLoneSurrogates(value).length ? undefined : value;
  } catch {
    return undefined;
  }
}
