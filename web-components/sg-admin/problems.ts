/**
 * Server problems shown where they belong: a problem+json `errors` entry names a path (`name`,
 * `options/choices/1/name`, `read/rule/and/0/value`); each form asks for the messages under the path
 * of each input. Anything else (network, 403, a path no input shows) goes to the form's banner.
 */
import { html, nothing } from "lit";
import { msg } from "@lit/localize";
import { ApiError, type FieldProblem } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";

export class Problems {
  static readonly none = new Problems([], null);
  constructor(
    readonly list: FieldProblem[],
    readonly summary: string | null,
  ) {}

  static from(err: unknown): Problems {
    if (err instanceof ApiError) {
      const p = err.problem;
      // Some checks name paths from the body's root with a leading slash ("/options/currency").
      const list = (p.errors ?? []).map((e) => ({ ...e, field: e.field.replace(/^\/+/, "") }));
      return new Problems(list, p.detail || p.title || `HTTP ${err.status}`);
    }
    return new Problems([], err instanceof Error ? err.message : String(err));
  }

  get any(): boolean {
    return this.summary !== null || this.list.length > 0;
  }

  /** Messages for exactly `path` or anything beneath it. */
  at(path: string, exact = false): string[] {
    return this.list
      .filter((e) => e.field === path || (!exact && e.field.startsWith(`${path}/`)))
      .map((e) => fieldErrorText(e));
  }

  /** Problems beneath `prefix`, for a nested editor (e.g. the filter builder). */
  under(prefix: string): FieldProblem[] {
    return this.list.filter((e) => e.field === prefix || e.field.startsWith(`${prefix}/`));
  }
}

/** The inline message after an input; `data-error-for` lets tests and screen readers find it. */
export function fieldError(p: Problems, path: string, exact = false) {
  const messages = p.at(path, exact);
  return messages.length
    ? html`<span class="error" role="alert" data-error-for=${path}>${messages.join(" · ")}</span>`
    : nothing;
}

/** The form's banner: the problem's summary plus any field problem listed for no shown input. */
export function banner(p: Problems, shown: string[] = []) {
  if (!p.any) return nothing;
  const orphans = p.list.filter((e) => !shown.some((s) => e.field === s || e.field.startsWith(`${s}/`)));
  return html`<div class="banner error" role="alert" data-role="form-error">
    <strong>${p.summary ?? msg("The change was not saved", { id: "admin.notSaved" })}</strong>
    ${orphans.length ? html`<ul>${orphans.map((e) => html`<li>${e.field ? html`<code>${e.field}</code>: ` : nothing}${fieldErrorText(e)}</li>`)}</ul>` : nothing}
  </div>`;
}

export const invalid = (p: Problems, path: string) => (p.at(path).length ? "true" : "false");
