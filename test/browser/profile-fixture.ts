/**
 * The profile page tests' own users (a feed or a webhook is a user's own, so each file makes one the
 * demo admin creates) and their sign-in through the app's sign-in screen.
 */
import type { Page } from "playwright-core";
import { apiAs, appUrl } from "./harness";

export interface ProfileUser {
  email: string;
  name: string;
  password: string;
}

/** A new user named after `kind` and a random tag, with `roles`. */
export async function newProfileUser(kind: string, roles: string[]): Promise<ProfileUser> {
  const tag = Math.random().toString(36).slice(2, 7);
  const user = {
    email: `${kind}.${tag}@example.com`,
    name: `${kind[0]!.toUpperCase()}${kind.slice(1)} ${tag}`,
    password: `Pw-${tag}-${kind}-long-enough-42`,
  };
  await (await apiAs("admin")).request("POST", "/api/admin/users", { ...user, roles });
  return user;
}

/** Signs `user` in; resolves when the app shows its navigation. */
export async function signInAs(page: Page, user: ProfileUser): Promise<void> {
  await page.goto(`${appUrl()}/`);
  await page.locator("sg-app input[name=email]").fill(user.email);
  await page.locator("sg-app input[name=password]").fill(user.password);
  await page.locator("sg-app form[data-form=sign-in] button[type=submit]").click();
  await page.locator("sg-app nav[data-nav-root]").waitFor({ state: "visible" });
}
