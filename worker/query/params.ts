/** Numbered bound parameters (?1, ?2, ...), so one value can be referenced many times. */
export const MAX_PARAMS = 100; // D1's limit per statement

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value === undefined ? null : value);
    return `?${this.values.length}`;
  }
}

/** Escapes LIKE wildcards; patterns use ESCAPE '\'. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
