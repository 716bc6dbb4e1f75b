/** The sign-in form, and the words for why a sign-in failed. */
import { html, nothing } from "lit";
import { ApiError } from "../api/client";
import { msg } from "../i18n/index";
import { langSwitch } from "./app-header";

export interface SignInState {
  /** Why the last attempt failed; empty when it did not. */
  error: string;
  busy: boolean;
  submit: (e: Event) => void;
}

export function signInForm(s: SignInState) {
  return html`<div class="signin">
    <form data-form="sign-in" @submit=${s.submit} aria-labelledby="signin-title">
      ${langSwitch()}
      <h1 id="signin-title">${msg("Sign in to Salesgrid", { id: "app.signInTitle" })}</h1>
      <label>${msg("Email", { id: "app.email" })}<input name="email" type="email" autocomplete="username" required /></label>
      <label>${msg("Password", { id: "app.password" })}<input name="password" type="password" autocomplete="current-password" required /></label>
      ${s.error ? html`<p class="error" role="alert">${s.error}</p>` : nothing}
      <button type="submit" class="primary" ?disabled=${s.busy}>${s.busy ? msg("Signing in…", { id: "app.signingIn" }) : msg("Sign in", { id: "app.signIn" })}</button>
    </form>
  </div>`;
}

/** What to tell the user when a sign-in attempt throws `err`. */
export function signInErrorText(err: unknown): string {
  return err instanceof ApiError && err.status === 401
    ? msg("The email or password is incorrect.", { id: "app.badLogin" })
    : err instanceof ApiError && err.status === 429
      ? msg("Too many attempts. Wait a moment and try again.", { id: "app.throttled" })
      : err instanceof ApiError && err.status === 422
        ? msg("Enter your email and password.", { id: "app.missingLogin" })
        : msg("Could not reach the server. Try again.", { id: "app.network" });
}
