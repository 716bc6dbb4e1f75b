/**
 * The requests of a profile section (the profile form, the calendar feed, the webhook): one at a
 * time (`busy`), the last refusal in words (`error`) and the last word of success (`note`), drawn
 * under the section's controls by `status()`; `runConfirmed` asks first.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from "lit";
import { ApiError } from "../api/client";
import { fieldErrorText } from "../i18n/field-errors";
import { msg } from "../i18n/index";
import { askConfirm } from "./confirm-dialog";

type Problem = ApiError["problem"];
/** Words a section has for some of its own field problems (e.g. the webhook's URL checks). */
export type OwnWords = (p: NonNullable<Problem["errors"]>[number]) => string | undefined;

/** A failed request in the UI's language: the server's field problems, else its detail; a network failure. */
export function problemWords(err: unknown, own?: OwnWords): string {
  if (!(err instanceof ApiError)) return msg("Could not reach the server. Try again.", { id: "app.network" });
  const words = (err.problem.errors ?? []).map((p) => own?.(p) ?? fieldErrorText(p));
  return words.join(" ") || (err.problem.detail ?? err.message);
}

export class SettingsTask implements ReactiveController {
  busy = false;
  error = "";
  note = "";

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly own?: OwnWords,
  ) {
    host.addController(this);
  }

  hostConnected() {}

  /** Runs one request: clears the last words, sets `busy` meanwhile and words a failure. */
  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    this.note = "";
    this.host.requestUpdate();
    try {
      await work();
    } catch (err) {
      this.error = problemWords(err, this.own);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** Runs a request that loses something (an address, a secret) only once the user confirms it. */
  async runConfirmed(ask: { title: string; line: string; confirm: string }, work: () => Promise<void>) {
    const ok = await askConfirm(this.host, { title: ask.title, lines: [ask.line], confirm: ask.confirm, danger: true });
    if (ok) await this.run(work);
  }

  /** Says something went well (shown until the next request). */
  say(note: string) {
    this.note = note;
    this.host.requestUpdate();
  }

  /** The error as an alert and the note as a status. */
  status() {
    return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.note ? html`<p role="status" data-note>${this.note}</p>` : nothing}`;
  }
}
