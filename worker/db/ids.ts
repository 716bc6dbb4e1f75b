/**
 * The one random id generator: tables, fields, users, teams, views, embed tokens and select choices
 * all draw from the same alphabet the same way. Bytes at or above 252 (the last whole multiple of 36)
 * are redrawn, so every character is equally likely.
 */
export const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const LIMIT = 256 - (256 % ID_ALPHABET.length);

/** `length` random characters of ID_ALPHABET. */
export function randomId(length = 12): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length + 8))) {
      if (b < LIMIT && out.length < length) out += ID_ALPHABET[b % ID_ALPHABET.length];
    }
  }
  return out;
}

/** `prefix_` and `length` random characters: "tbl_k3x9...". */
export function newId(prefix: string, length = 12): string {
  return `${prefix}_${randomId(length)}`;
}
