import { badRequest } from "../errors";
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

/**
 * A cursor that is one positive id, as the newest-first logs page by it (notifications, webhook
 * deliveries): null without one, 400 naming `cursor` when it is not one.
 */
export function idCursor(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const v = decodeCursor(raw, 64);
  if (!Array.isArray(v) || v.length !== 1 || !Number.isSafeInteger(v[0]) || (v[0] as number) < 1)
    throw badRequest("cursor", "The cursor is not valid; start again without it", "invalid_cursor");
  return v[0] as number;
}
