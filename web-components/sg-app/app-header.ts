/**
 * The app's header: the notifications bell, the language switch, the signed-in user's link to their
 * profile and sign-out. The language switch also sits on the sign-in form.
 */
import { html } from "lit";
import type { ApiClient, User } from "../api/client";
import { LOCALES, LOCALE_NAMES, currentLocale, msg, setLocale, type Locale } from "../i18n/index";
import "../sg-notifications/sg-notifications";
import type { Route } from "./route";

async function changeLocale(e: Event) {
  await setLocale((e.target as HTMLSelectElement).value as Locale);
  document.documentElement.lang = currentLocale();
}

export function langSwitch() {
  return html`<select class="lang" aria-label=${msg("Language", { id: "app.language" })} data-lang-switch @change=${changeLocale}>
    ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === currentLocale()} lang=${l}>${LOCALE_NAMES[l]}</option>`)}
  </select>`;
}

export interface HeaderState {
  api?: ApiClient;
  user: User | null;
  route: Route;
  signOut: () => void;
}

export function appHeader(h: HeaderState) {
  return html`<header role="banner">
    <span class="brand">Salesgrid</span>
    <span class="spacer"></span>
    <sg-notifications .api=${h.api}></sg-notifications>
    ${langSwitch()}
    <a class="user" href="#/profile" data-value data-user aria-current=${h.route.kind === "profile" ? "page" : "false"}
      title=${msg("Your profile", { id: "app.profile.title" })}>${h.user?.name ?? ""}</a>
    <button data-action="sign-out" @click=${h.signOut}>${msg("Sign out", { id: "app.signOut" })}</button>
  </header>`;
}
