/**
 * Text must be well-formed Unicode: a lone UTF-16 surrogate (which JSON's \\uD800 escapes can carry)
 * would be stored by D1 mangled into U+FFFD, so such text is refused with a 422 naming where it was.
 * The body reader checks every request body once; JSON query parameters and cursors are checked too.
 */
import { invalid, type FieldError } from "../errors";

export const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
/** A key as it may appear in a path: lone surrogates shown as U+FFFD, so the problem itself is well-formed. */
const shownKey = (k: string) => (isWellFormed(k) ? k : (k as string & { toWellFormed(): string }).toWellFormed());
const MAX_REPORTED = 100;

/**
 * Every string (value or key) of a parsed JSON value that holds a lone UTF-16 surrogate, by path
 * (`records/3/fields/title`; a bad key names the path to it). One walk; isWellFormed is native and
 * linear (about 3 ms for a 5 MB body of 1000 records).
 */
export function findLoneSurrogates(value: unknown, base = ""): FieldError[] {
  const out: FieldError[] = [];
  const at = (path: string, key: string) => (path ? `${path}/${key}` : key);
  const report = (path: string) =>
    out.push({
      field: path,
      code: "lone_surrogate",
      message: `The text at ${path || "the top level"} holds a lone UTF-16 surrogate (a broken character); send well-formed Unicode`,
    });
  const walk = (v: unknown, path: string): void => {
    if (out.length >= MAX_REPORTED) return;
    if (typeof v === "string") {
      if (!isWellFormed(v)) report(path);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], at(path, String(i)));
    } else if (typeof v === "object" && v !== null) {
      for (const k of Object.keys(v)) {
        const p = at(path, shownKey(k));
        if (!isWellFormed(k)) report(p);
        walk((v as Record<string, unknown>)[k], p);
      }
    }
  };
  walk(value, base);
  return out;
}

/** Refuses a parsed value holding lone surrogates: 422 naming each place. */
export function requireWellFormed(value: unknown, base = ""): void {
  const errors = findLoneSurrogates(value, base);
  if (errors.length) throw invalid(errors, "Text in the request holds lone UTF-16 surrogates");
}
